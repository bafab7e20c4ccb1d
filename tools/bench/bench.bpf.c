// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Helpers of `make bench` (osm-bench testrun, BPF_PROG_TEST_RUN):
 * - drop_xdp: the XDP_DROP floor (also the traffic sink on veth);
 * - fresh_xdp: makes the one frame that BPF_PROG_TEST_RUN repeats a new
 *   valid frame each time (sequence number + 1, hop tag under the
 *   circuit's key) and tail-calls the program under test. Without it
 *   every repeat after the first would be a replay. Its own cost is
 *   measured by tail-calling pass_xdp, and subtracted;
 * - the ladder: the switch's forward built up one part at a time, each
 *   rung the one before plus one part, on the switch's own maps (the
 *   loader hands this object their fds), so that the difference of two
 *   rungs is what that part costs. The top rung is the whole forward;
 *   osm-bench reports how far it is from the switch program itself.
 *   Every rung does what the switch does, in its order (bpf/switch.bpf.c,
 *   osm_decide in include/osm_proto.h), and returns XDP_DROP where the
 *   switch would go on (XDP_ABORTED if a check fails: the bench then
 *   stops). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fresh.bpf.h"
#include "switch_maps.h"

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

SEC("xdp")
int fresh_xdp(struct xdp_md *ctx)
{
	__u8 *h = fresh_hdr(ctx);
	struct bench_key *k;
	__u32 zero = 0;

	k = bpf_map_lookup_elem(&bench_key, &zero);
	if (!h || !k)
		return XDP_ABORTED;
	fresh_seal(h, osm_get_be64(h + OSM_OFF_SEQ) + 1, k->hop);
	bpf_tail_call(ctx, &bench_next, 0);
	return XDP_ABORTED;
}

/* The parts, in the order the switch pays them. */
enum rung {
	R_PARSE = 1,	/* the header read in place (osm_parse) */
	R_CIRCUIT,	/* circuits lookup, port, MAC, egress (devmap), epoch */
	R_TAG,		/* SipHash-2-4 of the header, compared */
	R_STATE,	/* circuit_state and circuit_stats lookups (slot) */
	R_WINDOW,	/* replay window: check and record */
	R_COUNTERS,	/* frames and bytes forwarded */
	R_REDIRECT,	/* destination MAC written, bpf_redirect_map */
};

static __always_inline int rung(struct xdp_md *ctx, const enum rung last)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = (__u32)(data_end - data);
	__u32 in = ctx->ingress_ifindex;
	const struct osm_key_slot *k;
	struct osm_circuit_state *st;
	struct osm_circuit_stats *cs;
	struct osm_circuit *c;
	struct osm_frame f;
	__u32 id;

	if (data + OSM_FRAME_HDR_LEN > data_end ||
	    osm_parse(data, len, &f) != OSM_OK)
		return XDP_ABORTED;
	if (last == R_PARSE)
		return XDP_DROP;
	id = f.circuit;
	c = bpf_map_lookup_elem(&circuits, &id);
	if (!c || c->ingress_ifindex != in ||
	    !osm_mac_eq(f.eth + 6, c->src_mac) || c->expires_ns ||
	    (c->flags & OSM_CF_DOWN) ||
	    !bpf_map_lookup_elem(&tx_ports, &c->egress_ifindex))
		return XDP_ABORTED;
	k = &c->key[osm_epoch_slot(f.epoch)];
	if (!k->valid || k->epoch != f.epoch)
		return XDP_ABORTED;
	if (last == R_CIRCUIT)
		return XDP_DROP;
	if (!osm_hop_tag_ok(f.hdr + OSM_OFF_HOP_TAG,
			    osm_hop_tag(f.hdr, k->hop_key)))
		return XDP_ABORTED;
	if (last == R_TAG)
		return XDP_DROP;
	st = bpf_map_lookup_elem(&circuit_state, &c->slot);
	cs = bpf_map_lookup_elem(&circuit_stats, &c->slot);
	if (!st || !cs)
		return XDP_ABORTED;
	if (last == R_STATE)
		return XDP_DROP;
	if (!osm_window_accept(&st->window, f.seq))
		return XDP_ABORTED;
	if (last == R_WINDOW)
		return XDP_DROP;
	cs->frames += 1;
	cs->bytes += len;
	if (last == R_COUNTERS)
		return XDP_DROP;
	if (data + OSM_ETH_HLEN > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, c->dst_mac, 6);
	return bpf_redirect_map(&tx_ports, c->egress_ifindex, XDP_ABORTED);
}

#define RUNG(name, last)					\
	SEC("xdp") int name(struct xdp_md *ctx)			\
	{							\
		return rung(ctx, last);				\
	}

RUNG(parse_xdp, R_PARSE)
RUNG(circuit_xdp, R_CIRCUIT)
RUNG(tag_xdp, R_TAG)
RUNG(state_xdp, R_STATE)
RUNG(window_xdp, R_WINDOW)
RUNG(counters_xdp, R_COUNTERS)
RUNG(redirect_rung_xdp, R_REDIRECT)
