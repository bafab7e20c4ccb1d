/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The one-line user error of every osm-fabric program. */
#ifndef OSM_ERR_H
#define OSM_ERR_H

/* Print "<program>: <message>" on stderr. Returns 1, the exit status of a
 * user error, so callers can `return osm_err(...)`. */
int osm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
