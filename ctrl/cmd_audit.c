// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric audit show [--json] [--person P] | audit verify: read the
 * audit chain, or check every link of it (exit 1 at the first broken). */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_store.h"
#include "osm_hex.h"

static int usage(void)
{
	return osm_err("usage: audit show [--json] [--person P] | "
		       "audit verify");
}

struct show {
	const char *person;
	json_t *out;
};

static int show_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_audit *a = rec;
	struct show *sh = arg;
	char hash[2 * sizeof(a->hash) + 1], when[32];

	if (sh->person && strcmp(sh->person, a->person))
		return 0;
	osm_hex_format(hash, a->hash, sizeof(a->hash));
	osm_cli_time(when, a->time_ns);
	if (sh->out)
		return json_array_append_new(sh->out,
			json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}",
				  "seq", (json_int_t)a->seq, "time", when,
				  "kind", osmdb_audit_kind_name(a->kind),
				  "person", a->person, "detail", a->detail,
				  "hash", hash));
	printf("%6llu %s %-11s %-12s %s  [%.16s]\n",
	       (unsigned long long)a->seq, when, osmdb_audit_kind_name(a->kind),
	       a->person[0] ? a->person : "-", a->detail, hash);
	return 0;
}

static int show(struct osmdb_txn *t, void *arg)
{
	struct show *sh = arg;
	int err = osmdb_foreach(t, OSMDB_TAB_AUDIT, show_cb, sh);

	if (err)
		return osm_cli_store_err("audit show", err);
	return sh->out ? osm_json_print(sh->out) : 0;
}

static int verify(struct osmdb_txn *t, void *arg)
{
	long n = osmdb_count(t, OSMDB_TAB_AUDIT);
	uint64_t bad = 0;
	int err = osmdb_audit_verify(t, &bad);

	(void)arg;
	if (err == OSMDB_EAUDIT)
		return osm_err("audit chain broken at record %llu",
			       (unsigned long long)bad);
	if (err)
		return osm_cli_store_err("audit verify", err);
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:b, s:I}", "ok", 1,
						"records", (json_int_t)n));
	printf("audit chain ok: %ld records\n", n);
	return 0;
}

int osm_cmd_audit(int argc, char **argv)
{
	struct show sh = { 0 };
	int i, rc;

	if (argc >= 2 && osm_is_help(argv[1])) {
		printf("usage: osm-fabric [--store DIR] audit show [--json] "
		       "[--person P]\n"
		       "       osm-fabric [--store DIR] audit verify\n");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "verify"))
		return osm_cli_read("audit verify", verify, NULL);
	if (argc < 2 || strcmp(argv[1], "show"))
		return usage();
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			osm_opts.json = true;
		else if (!strcmp(argv[i], "--person") && i + 1 < argc)
			sh.person = argv[++i];
		else
			return usage();
	}
	if (osm_opts.json)
		sh.out = json_array();
	rc = osm_cli_read("audit show", show, &sh);
	if (rc && sh.out)
		json_decref(sh.out);
	return rc;
}
