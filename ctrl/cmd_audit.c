// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric audit show | verify | archive: read the audit chain, check
 * every link of it (exit 1 at the first broken), or move its older records
 * into an archive file (docs/store.md, "Audit archives"). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "cli_engine.h"
#include "cli_store.h"
#include "line.h"
#include "osm_hex.h"

#define ARCHIVES_MAX	64	/* --archive files one verify takes */

static const char usage_text[] =
	"usage: osm-fabric [--store DIR] [-j] audit show [--person P] "
	"[--archive FILE]\n"
	"       osm-fabric [--store DIR] [-j] audit verify [--archive FILE]...\n"
	"       osm-fabric [--store DIR] [-j] audit archive [--keep N] FILE\n";

static int usage(void)
{
	return osm_err("usage: audit show [--person P] [--archive FILE] | "
		       "audit verify [--archive FILE]... | "
		       "audit archive [--keep N] FILE");
}

struct show {
	const char *person;
	json_t *out;
	unsigned long shown;
};

static int show_cb(const struct osmdb_rec_audit *a, void *arg)
{
	struct show *sh = arg;
	char hash[2 * sizeof(a->hash) + 1], when[32];

	if (sh->person && strcmp(sh->person, a->person))
		return 0;
	sh->shown++;
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

static int show_store_cb(const void *rec, void *arg)
{
	return show_cb(rec, arg);
}

static int show(struct osmdb_txn *t, void *arg)
{
	int err = osmdb_foreach(t, OSMDB_TAB_AUDIT, show_store_cb, arg);

	return err ? osm_cli_store_err("audit show", err) : 0;
}

/* Read and check one archive; cb as osmdb_archive_read. One line on
 * error. */
static int read_archive(const char *path, struct osmdb_archive_info *info,
			int (*cb)(const struct osmdb_rec_audit *, void *),
			void *arg)
{
	FILE *f = fopen(path, "re");
	uint64_t bad = 0;
	int err;

	if (!f)
		return osm_err("archive %s: %s", path, strerror(errno));
	err = osmdb_archive_read(f, info, cb, arg, &bad);
	fclose(f);
	if (err == OSMDB_EAUDIT)
		return osm_err("archive %s: chain broken at record %llu", path,
			       (unsigned long long)bad);
	if (err == -EINVAL)
		return osm_err("archive %s: line %llu: not an audit archive "
			       "line", path, (unsigned long long)bad);
	if (err)
		return osm_err("archive %s: %s", path, osmdb_strerror(err));
	return 0;
}

struct verify {
	char **archives;
	int n;
};

/* The archives in the order given, each starting where the one before
 * ends, the last ending where the store's part of the chain starts. */
static int verify(struct osmdb_txn *t, void *arg)
{
	struct osmdb_archive_info info, prev = { 0 };
	struct verify *v = arg;
	uint8_t base_hash[32];
	uint64_t bad = 0, base, first = 0;
	long n = osmdb_count(t, OSMDB_TAB_AUDIT), archived = 0;
	int i, err;

	for (i = 0; i < v->n; i++) {
		if (read_archive(v->archives[i], &info, NULL, NULL))
			return 1;
		if (i == 0)
			first = info.base;
		else if (info.base != prev.end ||
			 memcmp(info.base_hash, prev.end_hash, 32))
			return osm_err("archive %s does not go on where %s "
				       "ends (record %llu)", v->archives[i],
				       v->archives[i - 1],
				       (unsigned long long)prev.end);
		archived += (long)(info.end - info.base);
		prev = info;
	}
	err = osmdb_audit_base(t, &base, base_hash);
	if (err)
		return osm_cli_store_err("audit verify", err);
	if (v->n && (prev.end != base || memcmp(prev.end_hash, base_hash, 32)))
		return osm_err("the store's audit chain does not go on where "
			       "%s ends (record %llu; the store's starts "
			       "after %llu)", v->archives[v->n - 1],
			       (unsigned long long)prev.end,
			       (unsigned long long)base);
	if (!v->n)
		first = base;
	err = osmdb_audit_verify(t, &bad);
	if (err == OSMDB_EAUDIT)
		return osm_err("audit chain broken at record %llu",
			       (unsigned long long)bad);
	if (err)
		return osm_cli_store_err("audit verify", err);
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:b, s:I, s:I, s:I}", "ok", 1,
						"records", (json_int_t)n,
						"archived", (json_int_t)archived,
						"from", (json_int_t)first + 1));
	printf("audit chain ok: %ld record%s", n, n == 1 ? "" : "s");
	if (v->n)
		printf(" and %ld archived in %d file%s", archived, v->n,
		       v->n > 1 ? "s" : "");
	if (first)
		printf(", from record %llu (records 1-%llu are in earlier "
		       "archives, not checked here)", (unsigned long long)first + 1,
		       (unsigned long long)first);
	printf("\n");
	return 0;
}

/* ---- archive ------------------------------------------------------------ */

/* Write records base+1 .. head-keep to path, made here (0600: the records
 * name people), synced with its directory before the store lets go of
 * them. With nothing to archive, no file, and info->end is the base. */
static int write_archive(const char *path, long keep,
			 struct osmdb_archive_info *info)
{
	struct osmdb_txn *t;
	struct osmdb *s;
	uint8_t hash[32];
	uint64_t base;
	char *dir;
	long n;
	int fd, dfd, err;
	FILE *f;

	if (osm_cli_store_open(&s, OSMDB_RDONLY))
		return 1;
	err = osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t);
	if (err) {
		osmdb_close(s);
		return osm_cli_store_err("audit archive", err);
	}
	n = osmdb_count(t, OSMDB_TAB_AUDIT);
	err = n < 0 ? (int)n : osmdb_audit_base(t, &base, hash);
	if (!err && n <= keep) {
		osmdb_txn_abort(t);
		osmdb_close(s);
		info->base = info->end = base;
		return 0;
	}
	fd = err ? -1 : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600);
	if (fd < 0) {
		osmdb_txn_abort(t);
		osmdb_close(s);
		if (err)
			return osm_cli_store_err("audit archive", err);
		return osm_err("audit archive: %s: %s", path,
			       errno == EEXIST ? "exists (an archive is "
			       "never overwritten)" : strerror(errno));
	}
	f = fdopen(fd, "w");
	err = f ? osmdb_archive_write(t, base + (uint64_t)(n - keep), f, info)
		: -errno;
	osmdb_txn_abort(t);
	osmdb_close(s);
	if (!err && fsync(fd))
		err = -errno;
	if (!f)
		close(fd);
	else if (fclose(f) && !err)
		err = -EIO;
	dir = strdup(path);
	dfd = dir ? open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		  : -1;
	if (!err && (dfd < 0 || fsync(dfd)))
		err = -EIO;
	if (dfd >= 0)
		close(dfd);
	free(dir);
	if (!err)
		return 0;
	unlink(path);
	if (err == OSMDB_EAUDIT)
		return osm_err("audit archive: the audit chain is broken (see "
			       "`osm-fabric audit verify`): nothing archived");
	return osm_err("audit archive: %s: %s", path, err == -EIO ?
		       strerror(EIO) : osmdb_strerror(err));
}

/* The store lets go of records 1..info->end: through its daemon if one
 * runs, else here under the writer lock. */
static int prune(const struct osmdb_archive_info *info)
{
	char line[OSM_LINE_MAX], hex[65], buf[512];
	struct osmdb_txn *t;
	struct osmdb *s;
	uint64_t n;
	json_t *j;
	int err;

	osm_hex_format(hex, info->end_hash, 32);
	snprintf(line, sizeof(line), "prune %llu %s",
		 (unsigned long long)info->end, hex);
	err = osm_cli_via_daemon("audit archive", line, &j);
	if (err != -ENOENT) {
		json_decref(j);
		return err;
	}
	if (osm_cli_store_open(&s, 0))
		return 1;
	err = osmdb_txn_begin(s, 0, &t);
	if (!err) {
		err = osmdb_audit_prune(t, info->end, info->end_hash, &n);
		err = err ? (osmdb_txn_abort(t), err) : osmdb_txn_commit(t);
	}
	if (err == -ERANGE || err == -ESTALE)
		osm_err("audit archive: the store changed while the archive "
			"was written; try again");
	else if (err)
		osm_err("audit archive: %s",
			osmdb_explain(s, err, buf, sizeof(buf)));
	osmdb_close(s);
	return !!err;
}

/* After a failed prune: did the store let go of the records anyway (the
 * daemon committed, then its reply was lost)? */
static int pruned(const struct osmdb_archive_info *info)
{
	struct osmdb_txn *t;
	struct osmdb *s;
	uint8_t hash[32];
	uint64_t base = 0;

	if (osmdb_open(&s, osm_cli_store_dir(), OSMDB_RDONLY, 0))
		return 0;
	if (!osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t)) {
		if (osmdb_audit_base(t, &base, hash))
			base = 0;
		osmdb_txn_abort(t);
	}
	osmdb_close(s);
	return base >= info->end;
}

static int archive(const char *path, long keep)
{
	struct osmdb_archive_info info;

	memset(&info, 0, sizeof(info));
	if (write_archive(path, keep, &info))
		return 1;
	if (info.end == info.base) {
		if (osm_opts.json)
			return osm_json_print(json_pack("{s:n}", "archive"));
		printf("audit: nothing to archive (the store keeps the last "
		       "%ld records)\n", keep);
		return 0;
	}
	if (prune(&info) && !pruned(&info)) {
		unlink(path);	/* the store still has them: no copy */
		return 1;
	}
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:s, s:I, s:I}", "archive",
						path, "first",
						(json_int_t)info.base + 1,
						"last", (json_int_t)info.end));
	printf("audit: records %llu-%llu archived to %s and pruned from the "
	       "store\n", (unsigned long long)info.base + 1,
	       (unsigned long long)info.end, path);
	return 0;
}

int osm_cmd_audit(int argc, char **argv)
{
	char *archives[ARCHIVES_MAX], *end;
	struct show sh = { 0 };
	struct osmdb_archive_info info;
	const char *verb;
	int i, n = 0, rc;
	long keep = 1000;

	if (osm_wants_help(argc, argv)) {
		printf("%s", usage_text);
		return 0;
	}
	if (argc < 2)
		return usage();
	verb = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--person") && i + 1 < argc &&
			   !strcmp(verb, "show")) {
			sh.person = argv[++i];
		} else if (!strcmp(argv[i], "--archive") && i + 1 < argc &&
			   (!strcmp(verb, "verify") ||
			    (!strcmp(verb, "show") && !n))) {
			if (n == ARCHIVES_MAX)
				return osm_err("audit verify: at most %d "
					       "archives", ARCHIVES_MAX);
			archives[n++] = argv[++i];
		} else if (!strcmp(argv[i], "--keep") && i + 1 < argc &&
			   !strcmp(verb, "archive")) {
			errno = 0;
			keep = strtol(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || keep < 0)
				return osm_err("audit archive: --keep takes a "
					       "number of records (0 or more)");
		} else if (argv[i][0] != '-' && !strcmp(verb, "archive") &&
			   !n) {
			archives[n++] = argv[i];
		} else {
			return usage();
		}
	}
	if (!strcmp(verb, "verify"))
		return osm_cli_read("audit verify", verify,
				    &(struct verify){ archives, n });
	if (!strcmp(verb, "archive"))
		return n == 1 ? archive(archives[0], keep) : usage();
	if (strcmp(verb, "show"))
		return usage();
	if (osm_opts.json)
		sh.out = json_array();
	if (n)	/* checked whole before a line of it is shown */
		rc = read_archive(archives[0], &info, NULL, NULL) ?:
		     read_archive(archives[0], &info, show_cb, &sh);
	else
		rc = osm_cli_read("audit show", show, &sh);
	if (rc)
		json_decref(sh.out);
	else if (sh.out)
		rc = osm_json_print(sh.out);
	else if (!sh.shown)
		printf("no audit records%s%s\n", sh.person ? " name " : "",
		       sh.person ? sh.person : "");
	return rc;
}
