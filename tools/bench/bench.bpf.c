// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Helpers of `make bench`: the XDP_DROP floor (also the traffic sink on
 * veth), and fresh_xdp, which makes the one frame that BPF_PROG_TEST_RUN
 * repeats a new valid frame each time (sequence number + 1, hop tag under
 * the circuit's key) and tail-calls the program under test. Without it
 * every repeat after the first would be a replay. Its own cost is measured
 * by tail-calling pass_xdp, and subtracted. hoptag_xdp prices the one
 * SipHash-2-4 that a verified forward cannot avoid. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fresh.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct bench_key {
	__u8 hop[OSM_HOP_KEY_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_key);
} bench_key SEC(".maps");

/* Slot 0: the program under test. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_next SEC(".maps");

SEC("xdp")
int drop_xdp(struct xdp_md *ctx __attribute__((unused)))
{
	return XDP_DROP;
}

SEC("xdp")
int pass_xdp(struct xdp_md *ctx __attribute__((unused)))
{
	return XDP_PASS;
}

/* The circuit header of a frame long enough to hold one, and the hop key
 * (NULL: neither). */
static __always_inline __u8 *frame_hdr(struct xdp_md *ctx,
				       struct bench_key **k)
{
	__u8 *h = fresh_hdr(ctx);
	__u32 zero = 0;

	if (!h)
		return NULL;
	*k = bpf_map_lookup_elem(&bench_key, &zero);
	return *k ? h : NULL;
}

SEC("xdp")
int fresh_xdp(struct xdp_md *ctx)
{
	struct bench_key *k;
	__u8 *h = frame_hdr(ctx, &k);

	if (!h)
		return XDP_ABORTED;
	fresh_seal(h, osm_get_be64(h + OSM_OFF_SEQ) + 1, k->hop);
	bpf_tail_call(ctx, &bench_next, 0);
	return XDP_ABORTED;
}

/* Verify the hop tag of the frame, nothing else: XDP_DROP if it verifies
 * (so that the frame stays unchanged across repeats), XDP_ABORTED if not. */
SEC("xdp")
int hoptag_xdp(struct xdp_md *ctx)
{
	struct bench_key *k;
	__u8 *h = frame_hdr(ctx, &k);

	if (!h || !osm_hop_tag_ok(h + OSM_OFF_HOP_TAG, osm_hop_tag(h, k->hop)))
		return XDP_ABORTED;
	return XDP_DROP;
}
