// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Helpers of the store's C tests (see helpers.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "helpers.h"
#include "osmdb_topo.h"

char *th_tmpdir(void)
{
	char *p = malloc(64);

	assert_non_null(p);
	snprintf(p, 64, "/tmp/ost%d-XXXXXX", (int)getpid());
	assert_non_null(mkdtemp(p));
	return p;
}

void th_rmrf(const char *dir)
{
	struct dirent *e;
	char path[4096];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void th_close(struct osmdb *s, char *dir)
{
	osmdb_close(s);
	th_rmrf(dir);
	free(dir);
}

int th_setup(void **state)
{
	struct th_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = th_tmpdir();
	f->s = th_open(f->dir);
	th_apply_example(f->s);
	*state = f;
	return 0;
}

int th_teardown(void **state)
{
	struct th_fx *f = *state;

	th_close(f->s, f->dir);
	free(f);
	return 0;
}

struct osmdb *th_open(const char *dir)
{
	struct osmdb *s = NULL;
	int err = osmdb_open(&s, dir, OSMDB_CREATE | OSMDB_NOSYNC,
			     0);

	if (err)
		fail_msg("open %s: %s", dir, osmdb_strerror(err));
	return s;
}

static int apply_cb(struct osmdb_txn *t, void *arg)
{
	return osmdb_topo_apply(t, arg, NULL, 0);
}

void th_apply_example(struct osmdb *s)
{
	struct osmdb_topo *topo;
	char err[256];

	if (osmdb_topo_parse_file(TH_EXAMPLE, &topo, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(th_write(s, apply_cb, topo), 0);
	osmdb_topo_free(topo);
}

int th_write(struct osmdb *s, int (*fn)(struct osmdb_txn *, void *),
	     void *arg)
{
	struct osmdb_txn *t;
	int err = osmdb_txn_begin(s, 0, &t);

	if (err)
		return err;
	err = fn(t, arg);
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	return osmdb_txn_commit(t);
}

static bool file_contains(const char *path, const void *needle, size_t len)
{
	struct stat st;
	bool found = false;
	void *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	found = memmem(buf, (size_t)st.st_size, needle, len) != NULL;
	free(buf);
	return found;
}

bool th_dir_contains(const char *dir, const void *needle, size_t len,
		     bool skip_root)
{
	struct dirent *e;
	char path[4096];
	bool found = false;
	DIR *d = opendir(dir);
	struct stat st;

	assert_non_null(d);
	while (!found && (e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    (skip_root && !strcmp(e->d_name, "root.key")))
			continue;
		found = file_contains(path, needle, len);
	}
	closedir(d);
	return found;
}

void th_read_root(const char *dir, uint8_t out[32])
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/root.key", dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, out, 32), 32);
	close(fd);
}
