// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen -m live: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs
 * live_xdp on every frame, in the kernel, on each generating CPU; XDP_TX
 * sends it out of the interface. Each frame gets the next sequence number
 * and its hop tag under its circuit's key. The end-to-end AEAD tag stays
 * the template's (stale): switches do not check it, endpoints would. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fresh.bpf.h"
#include "live.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set before load (not secret). */
const volatile __u64 seq0;
const volatile __u32 first_id;
const volatile __u32 ncirc = 1;

/* Written by userspace after load (so that no copy stays in libbpf's
 * buffers), wiped by it before unload. */
struct pg_live_key keys[PG_LIVE_MAX_CIRC];

/* Frames made so far, all CPUs. The page pool of live mode keeps a page's
 * data from one run to the next, so a frame's own sequence number says
 * nothing: every number comes from this counter. */
__u64 sent;

SEC("xdp")
int live_xdp(struct xdp_md *ctx)
{
	__u8 *h = fresh_hdr(ctx);
	__u64 n;
	__u32 i = 0;

	if (!h)
		return XDP_ABORTED;
	n = __sync_fetch_and_add(&sent, 1);
	if (ncirc > 1)
		i = (__u32)(n % ncirc);
	if (i >= PG_LIVE_MAX_CIRC)
		return XDP_ABORTED;
	osm_put_be32(h + OSM_OFF_CIRCUIT, first_id + i);
	fresh_seal(h, seq0 + n, keys[i].hop);
	return XDP_TX;
}
