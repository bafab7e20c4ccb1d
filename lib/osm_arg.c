// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Command-line arguments: numbers, keys from hex text and key files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_arg.h"

int osm_arg_key_hex(const char *hex, uint8_t *out, size_t len)
{
	uint8_t buf[64];
	int n;

	if (len > sizeof(buf))
		return -EMSGSIZE;
	n = osm_hex_parse(hex, buf, sizeof(buf));
	if (n >= 0 && (size_t)n != len)
		n = -EMSGSIZE;
	if (n >= 0) {
		memcpy(out, buf, len);
		n = 0;
	}
	sodium_memzero(buf, sizeof(buf));
	return n;
}

int osm_arg_key_fd_ok(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return OSM_ARG_ENOTREG;
	if (st.st_uid != geteuid())
		return OSM_ARG_EOWNER;
	if (st.st_mode & 077)
		return OSM_ARG_EMODE;
	return 0;
}

int osm_arg_key_file(const char *path, uint8_t *out, size_t len)
{
	char text[4097];
	ssize_t n, got = 0;
	int fd, err = 0;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return -errno;
	if (fd)
		err = osm_arg_key_fd_ok(fd);
	while (!err && (n = read(fd, text + got,
				 sizeof(text) - 1 - (size_t)got)) > 0)
		got += n;
	if (!err && n < 0)
		err = -errno;
	if (fd)
		close(fd);
	if (!err && got == (ssize_t)sizeof(text) - 1)
		err = -EMSGSIZE;
	text[got] = '\0';
	if (!err && (size_t)got == len && len < sizeof(text) - 1)
		memcpy(out, text, len);		/* raw bytes */
	else if (!err)
		err = osm_arg_key_hex(text, out, len);
	sodium_memzero(text, sizeof(text));
	return err;
}

const char *osm_arg_strerror(int err)
{
	switch (err) {
	case OSM_ARG_ENOTREG: return "not a regular file";
	case OSM_ARG_EOWNER: return "another user's file (chown it)";
	case OSM_ARG_EMODE:
		return "group or others may access it (chmod 600 it)";
	case -EINVAL: return "not hex";
	case -EMSGSIZE: return "not a key of the right length";
	default: return strerror(-err);
	}
}

int osm_arg_key_refused(const char *opt, char *arg, const char *file_opt)
{
	sodium_memzero(arg, strlen(arg));
	return osm_err("%s: no key is taken on the command line, where any "
		       "user can read it; use %s FILE (- for stdin)", opt,
		       file_opt);
}

int osm_arg_u64(const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')	/* no sign, no space */
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || x > max)
		return -ERANGE;
	*v = x;
	return 0;
}
