// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness: topology files (YAML parse and whole validation). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "osmdb_topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osmdb_topo *t;
	char err[512];
	int rc = osmdb_topo_parse(data, size, "fuzz", &t, err, sizeof(err));

	/* refused: one message naming the file and a line */
	if (rc && (t || strncmp(err, "fuzz:", 5)) && rc != -ENOMEM)
		abort();
	/* accepted: every device sits on a device port of its room's switch */
	for (size_t i = 0; !rc && i < t->n_devices; i++)
		if (!t->devices[i].r.sw[0] || !t->devices[i].r.port[0])
			abort();
	osmdb_topo_free(t);
	return 0;
}
