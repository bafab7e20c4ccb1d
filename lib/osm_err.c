// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One-line user errors, named after the running program. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "osm_err.h"

int osm_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}
