// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness: the audit archive reader. Whatever it accepts holds
 * end - base records, each handed over once, in order, chained. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "osmdb.h"

struct seen {
	uint64_t next;
};

static int record(const struct osmdb_rec_audit *a, void *arg)
{
	struct seen *s = arg;

	if (a->seq != s->next++)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osmdb_archive_info info;
	struct seen s;
	uint64_t bad;
	FILE *f;
	int err;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	err = osmdb_archive_read(f, &info, NULL, NULL, &bad);
	fclose(f);
	if (err)
		return 0;
	if (info.end <= info.base)
		abort();
	/* read again with the callback: the same records, in order */
	f = fmemopen((void *)data, size, "r");
	s.next = info.base + 1;
	if (!f || osmdb_archive_read(f, &info, record, &s, &bad) ||
	    s.next != info.end + 1)
		abort();
	fclose(f);
	return 0;
}
