// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-bench-events: the store over a long life. Drives the engine with
 * random enters, moves and leaves of a crowd through the rooms of a
 * store's topology, in blocks; after each block prints the block's event
 * latencies (arrival -> store committed, as the engine measures them) and
 * the store's size, and with --keep archives and prunes the audit log as
 * an operator would (`osm-fabric audit archive --keep K`).
 *
 *   osm-bench-events --store DIR [--events N] [--block B] [--keep K
 *                    --archive-dir DIR] [--netns-prefix P] [--seed S]
 *
 * The store is opened without fsync at commit (OSMDB_NOSYNC): the fsync
 * costs the same at every event, and would only hide how the rest of
 * an event's cost changes as the history grows. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "engine.h"
#include "osmdb.h"

#define PEOPLE	40
#define ROOMS_MAX	64

static char rooms[ROOMS_MAX][OSMDB_NAME_MAX + 1];
static int n_rooms;

static int add_room(const void *rec, void *arg)
{
	const struct osmdb_rec_room *r = rec;

	(void)arg;
	if (n_rooms < ROOMS_MAX)
		snprintf(rooms[n_rooms++], sizeof(rooms[0]), "%s", r->name);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double usec(uint64_t ns)
{
	return (double)ns / 1e3;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Archive records base+1 .. head-keep to dir/audit-NNNN and prune them,
 * as `osm-fabric audit archive` does (the file synced first). */
static int archive(struct osmdb *s, const char *dir, unsigned no,
		   long keep, uint64_t *n)
{
	struct osmdb_archive_info info;
	struct osmdb_txn *t;
	uint8_t hash[32];
	uint64_t base;
	char path[4096];
	long count;
	FILE *f;
	int err;

	*n = 0;
	err = osmdb_txn_begin(s, 0, &t);
	if (err)
		return err;
	count = osmdb_count(t, OSMDB_TAB_AUDIT);
	err = count < 0 ? (int)count : osmdb_audit_base(t, &base, hash);
	if (err || count <= keep) {
		osmdb_txn_abort(t);
		return err;
	}
	snprintf(path, sizeof(path), "%s/audit-%04u", dir, no);
	f = fopen(path, "wex");
	if (!f) {
		osmdb_txn_abort(t);
		return -errno;
	}
	err = osmdb_archive_write(t, base + (uint64_t)(count - keep), f,
				  &info);
	if (fflush(f) || fsync(fileno(f)))
		err = err ?: -EIO;
	fclose(f);
	if (!err)
		err = osmdb_audit_prune(t, info.end, info.end_hash, n);
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	return osmdb_txn_commit(t);
}

static void usage(void)
{
	fprintf(stderr, "usage: osm-bench-events --store DIR [--events N] "
		"[--block B] [--keep K --archive-dir DIR] [--netns-prefix P] "
		"[--seed S]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "events", required_argument, NULL, 'n' },
		{ "block", required_argument, NULL, 'b' },
		{ "keep", required_argument, NULL, 'k' },
		{ "archive-dir", required_argument, NULL, 'a' },
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ "seed", required_argument, NULL, 'S' },
		{ 0 }
	};
	const char *store = NULL, *adir = NULL;
	struct osm_engine_opts eo = { 0 };
	long events = 1000000, block = 100000, keep = -1;
	int where[PEOPLE], c, err;
	unsigned seed = 1, no = 0;
	struct osm_engine_event ev;
	struct osm_engine *e;
	struct osmdb_txn *t;
	struct osmdb *s;
	uint64_t *lat, pruned, arch_ns;
	char path[4096], who[16];
	struct stat st;
	size_t used, size;
	long i, j;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': store = optarg; break;
		case 'n': events = atol(optarg); break;
		case 'b': block = atol(optarg); break;
		case 'k': keep = atol(optarg); break;
		case 'a': adir = optarg; break;
		case 'N': eo.netns_prefix = optarg; break;
		case 'S': seed = (unsigned)atol(optarg); break;
		default: usage();
		}
	}
	if (!store || events < 1 || block < 1 || (keep >= 0) != !!adir)
		usage();
	srandom(seed);
	umask(077);	/* archives name people, as audit archive makes them */
	err = osmdb_open(&s, store, OSMDB_NOSYNC, 0);
	if (err) {
		fprintf(stderr, "osm-bench-events: store %s: %s\n", store,
			osmdb_strerror(err));
		return 1;
	}
	err = osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t);
	if (!err) {
		err = osmdb_foreach(t, OSMDB_TAB_ROOMS, add_room, NULL);
		osmdb_txn_abort(t);
	}
	if (err || n_rooms < 2 || (err = osm_engine_open(&e, s, &eo))) {
		fprintf(stderr, "osm-bench-events: %s\n", err ?
			osm_engine_strerror(err) : "fewer than two rooms");
		return 1;
	}
	lat = calloc((size_t)block, sizeof(*lat));
	if (!lat)
		return 1;
	for (i = 0; i < PEOPLE; i++)
		where[i] = -1;
	snprintf(path, sizeof(path), "%s/data.mdb", store);
	printf("%-6s %9s %9s %9s %9s %12s %12s %9s %9s\n", "block", "events",
	       "p50_us", "p99_us", "max_us", "file_bytes", "used_bytes",
	       "records", "arch_ms");
	for (i = 0; i < events; i += block) {
		long n = events - i < block ? events - i : block;

		for (j = 0; j < n; j++) {
			int p = (int)(random() % PEOPLE), r;
			enum osm_engine_kind k;

			if (where[p] < 0 || random() % 10 >= 3) {
				do
					r = (int)(random() % n_rooms);
				while (r == where[p]);
				k = where[p] < 0 ? OSM_EV_ENTER : OSM_EV_MOVE;
			} else {
				r = -1;
				k = OSM_EV_LEAVE;
			}
			snprintf(who, sizeof(who), "p%d", p);
			err = osm_engine_event(e, k, who, r < 0 ? NULL :
					       rooms[r], 0, &ev);
			if (err) {
				fprintf(stderr, "osm-bench-events: event %ld: "
					"%s\n", i + j,
					osm_engine_error(e, err));
				return 1;
			}
			where[p] = r;
			lat[j] = ev.total_ns;
		}
		arch_ns = now_ns();
		pruned = 0;
		if (adir && (err = archive(s, adir, no++, keep, &pruned))) {
			fprintf(stderr, "osm-bench-events: archive: %s\n",
				osmdb_strerror(err));
			return 1;
		}
		arch_ns = now_ns() - arch_ns;
		qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
		if (stat(path, &st) || osmdb_usage(s, &used, &size) ||
		    osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t)) {
			fprintf(stderr, "osm-bench-events: store size\n");
			return 1;
		}
		printf("%-6ld %9ld %9.1f %9.1f %9.1f %12lld %12zu %9ld %9.1f\n",
		       i / block + 1, i + n, usec(lat[n / 2]),
		       usec(lat[n * 99 / 100]), usec(lat[n - 1]),
		       (long long)st.st_size, used,
		       osmdb_count(t, OSMDB_TAB_AUDIT), usec(arch_ns) / 1e3);
		osmdb_txn_abort(t);
		fflush(stdout);
	}
	osm_engine_close(e);
	osmdb_close(s);
	free(lat);
	return 0;
}
