// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric engine circuits | verify | reconcile: the circuits the store
 * holds (with their keys under --show-keys, for provisioning endpoints),
 * and the switches' maps compared with, or made equal to, the store. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "cli_switch.h"
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
	unsigned long n;
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

	s->n++;
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
		printf("%-10u %-10s %-12s -> %-12s %-7s epoch %-3u %s%s%s%s%s\n",
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
	if (!s.out && !s.n)
		printf("no circuits in the store\n");
	return s.out ? osm_json_print(s.out) : 0;
}

static void collect(const char *line, void *arg)
{
	json_array_append_new(arg, json_string(line));
}

/* osm_switch_each(): stops (1) at a switch of another namespace. */
static int elsewhere(const char *name, void *arg)
{
	char *netns;
	int here = osm_swcli_here(name, &netns);

	(void)arg;
	free(netns);
	return here == 0;
}

/* After a failure without --netns-prefix: the hint, if a switch is in
 * another namespace (the engine looked for its ports in this one). */
static void hint(void)
{
	if (osm_switch_each(elsewhere, NULL) == 1)
		fprintf(stderr, "osm-fabric: hint: a switch is in another "
			"network namespace: give --netns-prefix P (switch S "
			"in namespace P+S)\n");
}

/* What verify or reconcile found, from the daemon's reply or our own run
 * (the same object): {"differences":N,"lines":[..]} or {"fixed":N}. */
static int result(const char *what, json_t *j, int want_hint)
{
	json_t *lines = json_object_get(j, "lines"), *v;
	json_int_t n;
	size_t i;

	if (!strcmp(what, "reconcile")) {
		json_int_t fixed = json_integer_value(json_object_get(j,
								"fixed"));

		n = 0;
		if (!osm_opts.json)
			printf("reconciled: %lld map change%s\n", fixed,
			       fixed == 1 ? "" : "s");
	} else {
		n = json_integer_value(json_object_get(j, "differences"));
		if (!osm_opts.json) {
			json_array_foreach(lines, i, v)
				printf("%s\n", json_string_value(v));
			if (n == 0)
				printf("maps equal the store\n");
		}
		if (n && want_hint)
			hint();
	}
	if (osm_opts.json)
		return osm_json_print(j) ?: (n ? 1 : 0);
	json_decref(j);
	return n ? 1 : 0;
}

static int sync_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct osm_engine *e;
	struct osmdb *s;
	const char *prefix = NULL;
	unsigned fixed = 0;
	json_t *j, *lines;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "N:h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
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
		return r ? r : result(argv[0], j, 0);
	if (osm_cli_engine_open(&s, &e, &(struct osm_engine_opts){
				.netns_prefix = prefix }))
		return 1;
	lines = json_array();
	if (!strcmp(argv[0], "verify"))
		r = osm_engine_verify(e, collect, lines);	/* no mark */
	else if (!(r = osm_engine_reconcile(e, &fixed)))
		osm_cli_engine_mark(s, e, 0);	/* done: its mark goes */
	osm_cli_engine_close(s, e);
	if (r < 0) {
		json_decref(lines);
		osm_err("engine %s: %s", argv[0], osm_engine_strerror(r));
		if (!prefix)
			hint();
		return 1;
	}
	/* the daemon's reply, made here: verify's lines, reconcile's count */
	j = !strcmp(argv[0], "verify") ?
	    json_pack("{s:i, s:o}", "differences", r, "lines", lines) :
	    json_pack("{s:i}", "fixed", (int)fixed);
	if (strcmp(argv[0], "verify"))
		json_decref(lines);
	return result(argv[0], j, !prefix);
}

int osm_cmd_engine(int argc, char **argv)
{
	if (argc < 2 || osm_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (!strcmp(argv[1], "circuits")) {
		if (argc != 2)
			return osm_err("usage: engine circuits [--json]");
		return osm_cli_read("engine circuits", circuits, NULL);
	}
	if (!strcmp(argv[1], "verify") || !strcmp(argv[1], "reconcile"))
		return sync_cmd(argc - 1, argv + 1);
	return osm_err("engine: unknown subcommand '%s' (circuits, verify, "
		       "reconcile)", argv[1]);
}
