// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Parser of the ```vector blocks of docs/protocol.md, shared by the tests
 * of the host library (tests/unit/vectors.c) and of the firmware
 * (tests/firmware/fw_vectors.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "osm_hex.h"
#include "vector_doc.h"

static void __attribute__((noreturn, format(printf, 2, 3)))
bad(const struct vd_block *b, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vector at line %d: ", b->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

const char *vd_get(const struct vd_block *b, const char *name)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->f[i].name, name))
			return b->f[i].text;
	bad(b, "no field '%s'", name);
}

size_t vd_hex(const struct vd_block *b, const char *name, uint8_t *out,
	      size_t cap)
{
	int n = osm_hex_parse(vd_get(b, name), out, cap);

	if (n < 0)
		bad(b, "bad hex in '%s'", name);
	return (size_t)n;
}

uint64_t vd_num(const struct vd_block *b, const char *name)
{
	return strtoull(vd_get(b, name), NULL, 0);
}

void vd_hex_exact(const struct vd_block *b, const char *name, uint8_t *out,
		  size_t len)
{
	if (vd_hex(b, name, out, len) != len)
		bad(b, "'%s' is not %zu bytes", name, len);
}

void vd_frame_get(const struct vd_block *b, struct vd_frame *v)
{
	memset(v, 0, sizeof(*v));
	v->name = vd_get(b, "name");
	v->type = (uint8_t)vd_num(b, "type");
	v->circuit = (uint32_t)vd_num(b, "circuit");
	v->epoch = (uint32_t)vd_num(b, "epoch");
	v->seq = vd_num(b, "seq");
	if (osm_mac_parse(vd_get(b, "dst"), v->dst) ||
	    osm_mac_parse(vd_get(b, "src"), v->src))
		bad(b, "bad MAC");
	vd_hex_exact(b, "hop_key", v->hop, sizeof(v->hop));
	vd_hex_exact(b, "e2e_key", v->e2e, sizeof(v->e2e));
	v->payload_len = vd_hex(b, "payload", v->payload, sizeof(v->payload));
	v->frame_len = vd_hex(b, "frame", v->frame, sizeof(v->frame));
}

int vd_parse(const char *path, struct vd_block *blocks, int max)
{
	static char line[4096];
	FILE *fp = fopen(path, "r");
	struct vd_block *b = NULL;
	struct vd_field *cur = NULL;
	int nb = 0, ln = 0;
	char *colon;

	if (!fp) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp)) {
		ln++;
		line[strcspn(line, "\n")] = '\0';
		if (!b) {
			if (!strcmp(line, "```vector") && nb < max) {
				b = &blocks[nb++];
				memset(b, 0, sizeof(*b));
				b->line = ln;
				cur = NULL;
			}
			continue;
		}
		if (!strcmp(line, "```")) {
			b = NULL;
			continue;
		}
		if ((line[0] == ' ' || line[0] == '\t') && cur) {
			size_t ol = strlen(cur->text), al = strlen(line);

			cur->text = realloc(cur->text, ol + al + 2);
			cur->text[ol] = ' ';
			memcpy(cur->text + ol + 1, line, al + 1);
			continue;
		}
		colon = strchr(line, ':');
		if (!colon || b->n == VD_MAX_FIELDS) {
			fprintf(stderr, "%s:%d: not 'name: value'\n", path, ln);
			exit(2);
		}
		*colon = '\0';
		cur = &b->f[b->n++];
		snprintf(cur->name, sizeof(cur->name), "%s", line);
		cur->text = strdup(colon + 1 + strspn(colon + 1, " "));
	}
	fclose(fp);
	return nb;
}

void vd_free(struct vd_block *blocks, int n)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < blocks[i].n; j++)
			free(blocks[i].f[j].text);
}
