// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric engine circuits | verify | reconcile: the circuits the store
 * holds (with their keys under --show-keys, for provisioning endpoints),
 * and the switches' maps compared with, or made equal to, the store. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "osm_hex.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric [--store DIR] [-j] [--show-keys] engine circuits\n"
"       osm-fabric [--store DIR] engine verify [--netns-prefix P]\n"
"       osm-fabric [--store DIR] engine reconcile [--netns-prefix P]\n"
"circuits: the circuits in the store: id, owner, devices, class, epoch,\n"
"path; with --show-keys their hop and end-to-end keys at that epoch.\n"
"verify: compare every switch's maps with the store (exit 1 if they\n"
"differ, one line a difference). reconcile: make them equal.\n"
"Switch S is in network namespace P+S (default: this one).\n");
}

struct show {
	struct osmdb_txn *t;
	json_t *out;
	int err;
};

static int show_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;
	struct show *s = arg;
	char hop[2 * OSM_HOP_KEY_LEN + 1] = "";
	char e2e[2 * OSM_E2E_KEY_LEN + 1] = "";
	char path[OSMDB_PATH_MAX * (OSMDB_NAME_MAX + 1) + 1] = "";
	struct osmdb_rec_device sd, dd;
	struct osm_keys k;
	json_t *o, *p = json_array();
	unsigned i;

	s->err = osmdb_device_get(s->t, c->src_dev, &sd) ?:
		 osmdb_device_get(s->t, c->dst_dev, &dd);
	if (s->err)
		return 1;
	if (osm_opts.show_keys) {
		s->err = osmdb_circuit_keys(s->t, c->id, c->epoch, &k);
		if (s->err)
			return 1;
		osm_hex_format(hop, k.hop, sizeof(k.hop));
		osm_hex_format(e2e, k.e2e, sizeof(k.e2e));
		sodium_memzero(&k, sizeof(k));
	}
	for (i = 0; i < c->n_path; i++) {
		json_array_append_new(p, json_string(c->path[i]));
		strcat(path, i ? "," : "");
		strcat(path, c->path[i]);
	}
	if (s->out) {
		o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o}",
			      "id", (json_int_t)c->id, "owner", c->owner,
			      "src", sd.name, "dst", dd.name,
			      "class", osmdb_class_name(c->cls),
			      "epoch", (json_int_t)c->epoch,
			      "rate", (json_int_t)c->rate,
			      "burst", (json_int_t)c->burst, "path", p);
		if (osm_opts.show_keys) {
			json_object_set_new(o, "hop_key", json_string(hop));
			json_object_set_new(o, "e2e_key", json_string(e2e));
		}
		json_array_append_new(s->out, o);
	} else {
		json_decref(p);
		printf("%-6u %-10s %-12s -> %-12s %-7s epoch %-3u %s%s%s%s%s\n",
		       c->id, c->owner[0] ? c->owner : "(room)", sd.name,
		       dd.name, osmdb_class_name(c->cls), c->epoch, path,
		       osm_opts.show_keys ? " hop " : "", hop,
		       osm_opts.show_keys ? " e2e " : "", e2e);
	}
	sodium_memzero(hop, sizeof(hop));
	sodium_memzero(e2e, sizeof(e2e));
	return 0;
}

static int circuits(struct osmdb_txn *t, void *arg)
{
	struct show s = { .t = t };
	int err;

	(void)arg;
	if (osm_opts.json)
		s.out = json_array();
	err = osmdb_foreach(t, OSMDB_TAB_CIRCUITS, show_cb, &s);
	if (err == 1)
		err = s.err;
	if (err) {
		json_decref(s.out);
		return osm_cli_store_err("engine circuits", err);
	}
	return s.out ? osm_json_print(s.out) : 0;
}

static void report(const char *line, void *arg)
{
	(void)arg;
	printf("%s\n", line);
}

/* What verify or reconcile printed, from the daemon's reply. */
static int daemon_result(const char *what, json_t *j)
{
	json_t *lines = json_object_get(j, "lines"), *v;
	json_int_t n;
	size_t i;

	if (!strcmp(what, "reconcile")) {
		printf("reconciled: %lld map changes\n",
		       json_integer_value(json_object_get(j, "fixed")));
		json_decref(j);
		return 0;
	}
	n = json_integer_value(json_object_get(j, "differences"));
	json_array_foreach(lines, i, v)
		printf("%s\n", json_string_value(v));
	if (n == 0)
		printf("maps equal the store\n");
	json_decref(j);
	return n ? 1 : 0;
}

static int sync_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ 0 }
	};
	struct osm_engine *e;
	struct osmdb *s;
	const char *prefix = NULL;
	unsigned fixed = 0;
	json_t *j;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+N:", opts, NULL)) != -1) {
		if (c != 'N')
			return osm_err("engine %s: unknown option '%s'",
				       argv[0], argv[optind - 1]);
		prefix = optarg;
	}
	if (optind != argc)
		return osm_err("engine %s: unexpected '%s'", argv[0],
			       argv[optind]);
	/* The store's daemon, if one runs, does it: it is the one writer,
	 * and its engine is the one whose maps count. */
	r = osm_cli_via_daemon(argv[0], argv[0], &j);
	if (r != -ENOENT)
		return r ? r : daemon_result(argv[0], j);
	if (osm_cli_engine_open(&s, &e, &(struct osm_engine_opts){
				.netns_prefix = prefix }))
		return 1;
	if (!strcmp(argv[0], "verify")) {
		r = osm_engine_verify(e, report, NULL);
		if (r == 0)
			printf("maps equal the store\n");
	} else {
		r = osm_engine_reconcile(e, &fixed);
		if (r == 0)
			printf("reconciled: %u map changes\n", fixed);
	}
	osm_cli_engine_close(s, e);
	if (r < 0)
		return osm_err("engine %s: %s", argv[0],
			       osm_engine_strerror(r));
	return r ? 1 : 0;
}

int osm_cmd_engine(int argc, char **argv)
{
	if (argc < 2 || osm_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (!strcmp(argv[1], "circuits")) {
		if (argc == 3 && !strcmp(argv[2], "--json"))
			osm_opts.json = true;
		else if (argc != 2)
			return osm_err("usage: engine circuits [--json]");
		return osm_cli_read("engine circuits", circuits, NULL);
	}
	if (!strcmp(argv[1], "verify") || !strcmp(argv[1], "reconcile"))
		return sync_cmd(argc - 1, argv + 1);
	return osm_err("engine: unknown subcommand '%s' (circuits, verify, "
		       "reconcile)", argv[1]);
}
