/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Command-line arguments shared by the tools: numbers, and key material
 * as hex on the command line or in a file (text buffers are wiped). */
#ifndef OSM_ARG_H
#define OSM_ARG_H

#include <stddef.h>
#include <stdint.h>

/* Parse exactly len bytes of hex (whitespace and ':' ignored) into out.
 * Returns 0, -EINVAL for bad hex, -EMSGSIZE for another length. */
int osm_arg_key_hex(const char *hex, uint8_t *out, size_t len);

/* Why a key file is refused, besides -errno. */
enum {
	OSM_ARG_ENOTREG = -40000,	/* not a regular file */
	OSM_ARG_EOWNER  = -40001,	/* another user's */
	OSM_ARG_EMODE   = -40002,	/* group or others may access it */
};

/* 0 if the open file fd may hold a key: a regular file owned by this
 * process's user that neither group nor others may access; else one of
 * OSM_ARG_E* or -errno. */
int osm_arg_key_fd_ok(int fd);

/* A key of len bytes from the file at path (checked as above), as len
 * raw bytes or as hex text (at most 4 KiB); path "-" reads standard
 * input. Returns 0, OSM_ARG_E*, -errno from open or read, -EINVAL (not
 * hex), -EMSGSIZE (another length). */
int osm_arg_key_file(const char *path, uint8_t *out, size_t len);

/* A message for the codes of osm_arg_key_file (and -errno). */
const char *osm_arg_strerror(int err);

/* For an option that once took a key on the command line (opt, with its
 * argument arg): wipe arg, print the one error line naming file_opt, the
 * way to give it now, and return 1. */
int osm_arg_key_refused(const char *opt, char *arg, const char *file_opt);

/* Parse a decimal, 0x hex or 0 octal number no greater than max. Returns
 * 0, -EINVAL (not a number, sign, trailing text), -ERANGE (over max). */
int osm_arg_u64(const char *s, uint64_t max, uint64_t *v);

#endif
