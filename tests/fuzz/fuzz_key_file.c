// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: key files as osm-mkblob, osm-endpoint and osm-gw read them
 * (osm_arg_key_file): the input is a file's whole content, in a file of
 * mode 0600. Accepted: exactly the key's length in raw bytes, or its hex
 * (what osm_arg_key_hex takes), and nothing else; refused: one of the
 * documented codes, whose message is one printable line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "osm_arg.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 16, 32 };
	uint8_t k[32], want[32];
	const char *msg;
	char *text;
	size_t i, j;
	int r, w;

	if (fd < 0) {
		fd = memfd_create("key", 0);
		if (fd < 0 || fchmod(fd, 0600))
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) !=
				 (ssize_t)size))
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < 2; i++) {
		r = osm_arg_key_file(path, k, lens[i]);
		if (!r) {
			/* raw bytes of the length, or hex of them */
			w = size == lens[i] ? (memcpy(want, data, size), 0) :
			    osm_arg_key_hex(text, want, lens[i]);
			if (w || memcmp(k, want, lens[i]))
				abort();
			continue;
		}
		if (r != -EINVAL && r != -EMSGSIZE)
			abort();
		msg = osm_arg_strerror(r);
		for (j = 0; msg[j]; j++)
			if (msg[j] < 0x20 || msg[j] > 0x7e)
				abort();
	}
	free(text);
	return 0;
}
