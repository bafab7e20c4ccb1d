// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The few libc functions the compiler and include/osm_msg.h call, for the
 * freestanding firmware image (no newlib linked). */
#include <stddef.h>

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;

	while (n--)
		*dp++ = (unsigned char)c;
	return d;
}
