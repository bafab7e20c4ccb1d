/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The ```vector blocks of docs/protocol.md (the worked examples), parsed
 * for the tests that check code against them: "name: value" lines, hex
 * values continued on indented lines. Malformed documents exit(2). */
#ifndef VECTOR_DOC_H
#define VECTOR_DOC_H

#include <stddef.h>
#include <stdint.h>

#define VD_MAX_FIELDS	32
#define VD_MAX_BYTES	2048

struct vd_field {
	char name[32];
	char *text;		/* value, continuation lines joined */
};

struct vd_block {
	int line;		/* of the opening ``` in the document */
	int n;
	struct vd_field f[VD_MAX_FIELDS];
};

/* The fields of a frame example. */
struct vd_frame {
	const char *name;
	uint8_t type;
	uint32_t circuit, epoch;
	uint64_t seq;
	uint8_t dst[6], src[6];
	uint8_t hop[16], e2e[32];
	size_t payload_len, frame_len;
	uint8_t payload[VD_MAX_BYTES];
	uint8_t frame[VD_MAX_BYTES];
};

/* Parse up to max blocks of the document at path; returns their count. */
int vd_parse(const char *path, struct vd_block *blocks, int max);
void vd_free(struct vd_block *blocks, int n);

/* A field's text; a missing field exits. */
const char *vd_get(const struct vd_block *b, const char *name);
/* A field as a number (decimal or 0x hex). */
uint64_t vd_num(const struct vd_block *b, const char *name);
/* A field as hex bytes into out (capacity cap); returns the count. */
size_t vd_hex(const struct vd_block *b, const char *name, uint8_t *out,
	      size_t cap);
/* Exactly len bytes of hex. */
void vd_hex_exact(const struct vd_block *b, const char *name, uint8_t *out,
		  size_t len);
/* A frame example's fields. */
void vd_frame_get(const struct vd_block *b, struct vd_frame *v);

#endif
