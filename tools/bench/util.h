/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What osm-bench and the perf tests share: a private network namespace
 * with veth pairs, the circuits they provision, one BPF_PROG_TEST_RUN. */
#ifndef OBENCH_UTIL_H
#define OBENCH_UTIL_H

#include <stdint.h>
#include "osm_proto.h"

/* Move this process into a new network namespace (it dies with the
 * process: nothing to tear down), disable IPv6 there (no neighbour
 * discovery frames on the ports), create npairs veth pairs named
 * <prefix>N and <prefix>Np, all up. ifindex[2i] is <prefix>i,
 * ifindex[2i+1] its peer. Returns 0 or -errno. */
int obench_netns(const char *prefix, int npairs, uint32_t *ifindex);

/* MAC address of an interface. Returns 0 or -errno. */
int obench_mac(uint32_t ifindex, uint8_t mac[6]);

/* Circuit id from in to out, src -> dst, keyed for epoch (even or odd
 * slot) with osm_kdf_circuit(secret, id, epoch). Wipe it after use. */
void obench_circuit(struct osm_circuit *c, uint32_t id, uint32_t in,
		    uint32_t out, const uint8_t src[6], const uint8_t dst[6],
		    const uint8_t secret[32], uint32_t epoch);

/* Run prog_fd on frame[0..len) repeat times as if received on ifindex.
 * Returns the XDP verdict, or -errno; *ns: mean ns per run. */
int obench_test_run(int prog_fd, uint32_t ifindex, const void *frame,
		    uint32_t len, uint32_t repeat, uint32_t *ns);

#endif
