/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Audit chain internals shared with erasure (store/osmdb_forget.c). */
#ifndef OSMDB_AUDIT_H
#define OSMDB_AUDIT_H

#include "osmdb_int.h"

/* Replace the records erase() selects by OSMDB_AUDIT_ERASED markers and
 * re-hash the chain from the first of them; *n_erased counts them. */
int osmdb_audit_reseal(struct osmdb_txn *t,
		       bool (*erase)(const struct osmdb_rec_audit *, void *),
		       void *arg, unsigned long *n_erased);

#endif
