// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keys from hex text: command-line arguments and key files. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_hex.h"
#include "osm_keyarg.h"

int osm_keyarg_hex(const char *hex, uint8_t *out, size_t len)
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

int osm_keyarg_file(const char *path, uint8_t *out, size_t len)
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
		err = osm_keyarg_hex(text, out, len);
	sodium_memzero(text, sizeof(text));
	return err;
}
