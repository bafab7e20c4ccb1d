// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Opening the store for the store commands, and their error lines. */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include "cli.h"
#include "cli_store.h"

const char *osm_cli_store_dir(void)
{
	return osm_opts.store ? osm_opts.store : OSM_DEFAULT_STORE;
}

int osm_cli_store_open(struct osmdb **s, unsigned flags)
{
	int err = osmdb_open(s, osm_cli_store_dir(), flags, 0);

	if (err == -ENOENT)
		return osm_err("store %s: no store there (apply a topology "
			       "first, or give --store DIR)",
			       osm_cli_store_dir());
	if (err)
		return osm_err("store %s: %s", osm_cli_store_dir(),
			       osmdb_strerror(err));
	return 0;
}

int osm_cli_read(const char *what, int (*fn)(struct osmdb_txn *, void *),
		 void *arg)
{
	struct osmdb *s;
	struct osmdb_txn *t;
	int err;

	if (osm_cli_store_open(&s, OSMDB_RDONLY))
		return 1;
	err = osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t);
	if (err) {
		osmdb_close(s);
		return osm_cli_store_err(what, err);
	}
	err = fn(t, arg);
	osmdb_txn_abort(t);
	osmdb_close(s);
	return err;
}

int osm_cli_store_err(const char *what, int err)
{
	return osm_err("%s: %s", what, osmdb_strerror(err));
}

void osm_cli_time(char buf[32], uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);

	snprintf(buf + n, 32 - n, ".%03uZ",
		 (unsigned)(ns % 1000000000u / 1000000) % 1000);
}
