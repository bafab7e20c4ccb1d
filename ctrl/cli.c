// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Shared CLI plumbing: errors, JSON output, global options. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

struct osm_cli_opts osm_opts;

int osm_json_print(json_t *v)
{
	int r = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(v);
	if (r == 0)
		fputc('\n', stdout);
	return r == 0 ? 0 : 1;
}

bool osm_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

bool osm_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (osm_is_help(argv[i]))
			return true;
	return false;
}
