// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Opening the store for the store commands, and their error lines. */
#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "cli_store.h"
#include "osmdb_topo.h"

const char *osm_cli_store_dir(void)
{
	const char *env = getenv("OSM_FABRIC_STORE");

	if (osm_opts.store)
		return osm_opts.store;
	return env && *env ? env : OSM_DEFAULT_STORE;
}

/* How long a command waits for another's hold on the store. */
#define WRITER_WAIT_TICKS	500	/* of 20 ms: 10 s */

int osm_cli_writer_wait(long *pid, char *note, size_t cap)
{
	static const struct timespec tick = { 0, 20000000 };
	int i;

	for (i = 0; i < WRITER_WAIT_TICKS; i++) {
		if (osmdb_writer(osm_cli_store_dir(), pid, note, cap))
			return 0;		/* nobody */
		if (note[0])
			return 1;		/* its daemon */
		nanosleep(&tick, NULL);		/* a command, or a daemon
						 * not yet listening */
	}
	return 2;
}

int osm_cli_store_try(struct osmdb **s, unsigned flags)
{
	char note[256];
	long pid;
	int err = osmdb_open(s, osm_cli_store_dir(), flags, 0), tries = 0;

	/* Another command holding the store for a moment is waited for:
	 * scripts run one command after another; a few may queue. */
	while (err == OSMDB_EWRITER && tries++ < 8) {
		switch (osm_cli_writer_wait(&pid, note, sizeof(note))) {
		case 0:
			err = osmdb_open(s, osm_cli_store_dir(), flags, 0);
			break;
		case 1:
			return -EAGAIN;	/* a daemon started meanwhile */
		default:
			tries = 8;	/* held past the wait */
		}
	}
	if (err == -ENOENT)
		return osm_err("store %s: no store there (apply a topology "
			       "first, or give --store DIR)",
			       osm_cli_store_dir());
	if (err == OSMDB_EWRITER)
		return osm_cli_writer_err(osm_cli_store_dir());
	if (err)
		return osm_err("store %s: %s", osm_cli_store_dir(),
			       osmdb_strerror(err));
	return 0;
}

int osm_cli_store_open(struct osmdb **s, unsigned flags)
{
	int err = osm_cli_store_try(s, flags);

	return err == -EAGAIN ? osm_cli_writer_err(osm_cli_store_dir()) : err;
}

int osm_cli_writer_err(const char *dir)
{
	char note[256] = "";
	long pid = 0;
	int known = osmdb_writer(dir, &pid, note, sizeof(note)) == 0;

	if (known && note[0])
		return osm_err("store %s is written by its daemon (pid %ld, "
			       "socket %s)", dir, pid, note);
	if (known)
		return osm_err("store %s is written by another process (pid "
			       "%ld): try again when it is done", dir, pid);
	return osm_err("store %s: %s", dir, osmdb_strerror(OSMDB_EWRITER));
}

int osm_cli_topology_apply(struct osmdb *s, const char *file,
			   json_t **summary, char *msg, size_t len)
{
	struct osmdb_topo *topo;
	char err[512];
	int rc;

	*summary = NULL;
	rc = osmdb_topo_parse_file(file, &topo, err, sizeof(err));
	if (rc) {
		snprintf(msg, len, "%s", err[0] ? err : osmdb_strerror(rc));
		return 1;
	}
	rc = osm_cli_topology_put(s, topo, file, summary, msg, len);
	osmdb_topo_free(topo);
	return rc;
}

int osm_cli_topology_put(struct osmdb *s, const struct osmdb_topo *topo,
			 const char *file, json_t **summary, char *msg,
			 size_t len)
{
	struct osmdb_txn *t = NULL;
	char why[256], buf[512];
	int rc;

	*summary = NULL;
	rc = osmdb_txn_begin(s, 0, &t);
	if (!rc)
		rc = osmdb_topo_apply(t, topo, why, sizeof(why));
	if (!rc) {
		rc = osmdb_txn_commit(t);
		t = NULL;
	}
	osmdb_txn_abort(t);
	if (rc)
		snprintf(msg, len, "%s: not applied: %s", file,
			 rc == OSMDB_EINUSE && why[0] ? why :
			 osmdb_explain(s, rc, buf, sizeof(buf)));
	else
		*summary = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}",
			"building", topo->building,
			"floors", (json_int_t)topo->n_floors,
			"rooms", (json_int_t)topo->n_rooms,
			"switches", (json_int_t)topo->n_switches,
			"ports", (json_int_t)topo->n_ports,
			"devices", (json_int_t)topo->n_devices);
	if (!rc && !*summary)
		snprintf(msg, len, "%s: applied, but out of memory", file);
	return rc || !*summary;
}

int osm_cli_topology_print(json_t *sum)
{
	static const char *const what[][2] = {
		{ "floors", "floor" }, { "rooms", "room" },
		{ "switches", "switch" }, { "ports", "port" },
		{ "devices", "device" },
	};
	const char *b = json_string_value(json_object_get(sum, "building"));
	json_int_t n;
	size_t i;

	if (osm_opts.json)
		return osm_json_print(sum);
	printf("building %s applied:", b ? b : "?");
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		n = json_integer_value(json_object_get(sum, what[i][0]));
		printf("%s %lld %s", i ? "," : "", (long long)n,
		       n == 1 ? what[i][1] : what[i][0]);
	}
	printf("\n");
	json_decref(sum);
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
