/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Running an XDP program outside of traffic, for tests and osm-bench: a
 * private network namespace with veth pairs, a circuit value keyed for
 * them, and BPF_PROG_TEST_RUN over one frame. */
#ifndef OSM_XDP_RUN_H
#define OSM_XDP_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "osm_proto.h"

/* Move this process into a new network namespace (it dies with the
 * process: nothing to tear down), disable IPv6 there (no neighbour
 * discovery frames on the ports), create npairs veth pairs named
 * <prefix>N and <prefix>Np, all up. ifindex[i] is <prefix>i and
 * ifindex[npairs + i] its peer (2 * npairs entries). Returns 0 or -errno. */
int osm_xdprun_netns(const char *prefix, int npairs, uint32_t *ifindex);

/* MAC address of an interface. Returns 0 or -errno. */
int osm_xdprun_mac(uint32_t ifindex, uint8_t mac[6]);

/* Frames received by interface ifname of this netns (its netlink
 * statistics), 0 if there is none. */
uint64_t osm_xdprun_rx_packets(const char *ifname);

/* Circuit id from in to out, src -> dst, keyed for epoch (in the slot
 * osm_epoch_slot(epoch)) with osm_kdf_circuit(secret, id, epoch). Wipe it
 * after use. */
void osm_xdprun_circuit(struct osm_circuit *c, uint32_t id, uint32_t in,
			uint32_t out, const uint8_t src[6],
			const uint8_t dst[6], const uint8_t secret[32],
			uint32_t epoch);

/* Run prog_fd once over frame[0..len) as if it arrived on ifindex. On
 * success returns the XDP verdict and copies the frame the program left
 * into out (capacity cap, *out_len bytes); -errno on failure. */
int osm_xdprun(int prog_fd, uint32_t ifindex, const void *frame,
	       size_t len, void *out, size_t cap, size_t *out_len);

/* Run prog_fd on frame[0..len) repeat times as if received on ifindex.
 * Returns the XDP verdict, or -errno; *ns: mean ns per run. */
int osm_xdprun_repeat(int prog_fd, uint32_t ifindex, const void *frame,
		      uint32_t len, uint32_t repeat, uint32_t *ns);

#endif
