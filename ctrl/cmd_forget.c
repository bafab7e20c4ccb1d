// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric forget PERSON: GDPR erasure of a person from the store
 * (osmdb_forget; docs/store.md, "Erasure"). */
#include <stdio.h>
#include "cli.h"
#include "cli_store.h"

int osm_cmd_forget(int argc, char **argv)
{
	struct osmdb *s;
	unsigned long n = 0;
	int err;

	if (argc == 2 && osm_is_help(argv[1])) {
		printf("usage: osm-fabric [--store DIR] forget PERSON\n"
		       "Erase every record of PERSON, re-seal the audit chain "
		       "and rewrite the store files.\n");
		return 0;
	}
	if (argc != 2)
		return osm_err("usage: forget PERSON");
	if (!osmdb_name_ok(argv[1]))
		return osm_err("forget: bad person name '%s'", argv[1]);
	if (osm_cli_store_open(&s, 0))
		return 1;
	err = osmdb_forget(&s, argv[1], &n);
	osmdb_close(s);
	if (err == OSMDB_ENOTFOUND)
		return osm_err("forget: no record names %s", argv[1]);
	if (err)
		return osm_cli_store_err("forget", err);
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:I}", "erased",
						(json_int_t)n));
	printf("erased %lu records; audit chain re-sealed; store rewritten\n",
	       n);
	return 0;
}
