// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric forget PERSON: GDPR erasure (docs/store.md, "Erasure"). A
 * person present leaves first, so their circuits go from every switch;
 * then the store forgets them. Through the store's daemon if one runs. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include "cli.h"
#include "cli_engine.h"
#include "cli_store.h"
#include "line.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric [--store DIR] [-j] forget "
		"[--netns-prefix P] PERSON\n"
		"Erase every record of PERSON: if present, they leave first "
		"(their circuits\nare removed from every switch); then the "
		"store forgets them, re-seals the\naudit chain and rewrites "
		"its files. Goes through the store's daemon if one\nruns "
		"(--netns-prefix: where the switches are, without one).\n");
	return f == stderr;
}

static int report(unsigned long n)
{
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:I}", "erased",
						(json_int_t)n));
	printf("erased %lu record%s; audit chain re-sealed; store rewritten\n",
	       n, n == 1 ? "" : "s");
	return 0;
}

int osm_cmd_forget(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct osm_engine_opts eo = { 0 };
	char line[OSM_LINE_MAX];
	const char *person;
	struct osm_engine *e;
	struct osmdb *s;
	unsigned long n = 0;
	json_t *j;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'N': eo.netns_prefix = optarg; break;
		case 'h': return usage(stdout);
		default:
			return osm_err("forget: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return osm_err("usage: forget [--netns-prefix P] PERSON");
	person = argv[optind];
	if (!osmdb_name_ok(person))
		return osm_err("forget: bad person name '%s'", person);
	snprintf(line, sizeof(line), "forget %s", person);
	err = osm_cli_via_daemon("forget", line, &j);
	if (err != -ENOENT) {
		if (err)
			return err;
		n = (unsigned long)json_integer_value(json_object_get(j,
								"erased"));
		json_decref(j);
		return report(n);
	}
	if (osm_cli_engine_open(&s, &e, &eo))
		return 1;
	osm_cli_engine_mark(s, e, 1);
	err = osm_engine_forget(e, &s, person, NULL, &n);
	osm_cli_engine_close(s, e);
	if (err == OSMDB_ENOTFOUND)
		return osm_err("forget: no record names %s", person);
	if (err)
		return osm_err("forget: %s", osm_engine_strerror(err));
	return report(n);
}
