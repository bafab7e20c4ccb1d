/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One-line errors of the perf tools: "<program>: <message>" on stderr. */
#ifndef OSM_TOOLS_ERR_H
#define OSM_TOOLS_ERR_H

/* Print the line; returns 1, the exit status of a user error. */
int tools_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
