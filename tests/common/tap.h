/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* TAP output for C tests that are not cmocka groups: tap() a line per
 * check, tap_done() the plan and the exit status. One test per program. */
#ifndef OSM_TESTS_TAP_H
#define OSM_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static void tap(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), unused));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_failed += !ok;
}

/* Print the plan; returns the exit status (1 if any check failed). */
static int __attribute__((unused)) tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
