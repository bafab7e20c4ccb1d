// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Command-line arguments: numbers, keys from hex text and key files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
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

int osm_arg_key_file(const char *path, uint8_t *out, size_t len)
{
	char text[4097];
	ssize_t n, got = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, text + got, sizeof(text) - 1 - (size_t)got)) > 0)
		got += n;
	err = n < 0 ? -errno : 0;
	close(fd);
	if (!err && got == (ssize_t)sizeof(text) - 1)
		err = -EMSGSIZE;
	text[got] = '\0';
	if (!err)
		err = osm_arg_key_hex(text, out, len);
	sodium_memzero(text, sizeof(text));
	return err;
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
