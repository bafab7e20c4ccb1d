// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Room switch: XDP on every port. A circuit frame is forwarded only when
 * osm_decide() says so; the rest is dropped and counted by reason. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "osm_proto.h"
#include "switch_maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader, for the tracepoints below, which see every network
 * namespace's devices and every XDP program: the cookie of the namespace
 * of the switch's ports, and switch_xdp's program id. */
const volatile __u64 netns_cookie = 0;
__u32 switch_prog_id = 0;

static __always_inline void count_drop(__u32 reason)
{
	struct osm_drop_counts *d;
	__u32 zero = 0;

	d = bpf_map_lookup_elem(&drop_stats, &zero);
	if (d && reason < OSM_REASON_MAX)
		d->by_reason[reason] += 1;
}

/* Frames that are not circuit frames go up to the kernel on a management
 * or uplink port, and are dropped on every other port. */
static __always_inline int not_circuit(__u32 ifindex)
{
	struct osm_port *p = bpf_map_lookup_elem(&port_cfg, &ifindex);

	if (p && (p->flags & OSM_PF_MGMT))
		return XDP_PASS;
	count_drop(OSM_DROP_NOT_CIRCUIT);
	return XDP_DROP;
}

/* The egress port takes the frame (docs/protocol.md 6.1, check 9): it is
 * in tx_ports (its link is up: see osm-fabric port watch) and, for a frame
 * longer than every link carries, its MTU allows it. */
static __always_inline int egress_ok(struct xdp_md *ctx,
				     const struct osm_circuit *c, __u32 len)
{
	__u32 mtu = 0;

	if (!c || !bpf_map_lookup_elem(&tx_ports, &c->egress_ifindex))
		return 0;
	if (len <= OSM_ETH_HLEN + OSM_LINK_MTU_MIN)
		return 1;
	return bpf_check_mtu(ctx, c->egress_ifindex, &mtu, 0, 0) == 0;
}

SEC("xdp")
int switch_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = (__u32)(data_end - data);
	__u32 in = ctx->ingress_ifindex;
	struct osm_circuit_state *st = NULL;
	struct osm_circuit_stats *cs = NULL;
	struct osm_circuit *c;
	struct osm_frame f;
	__u32 id;
	int r;

	if (data + OSM_FRAME_HDR_LEN <= data_end) {
		/* The header is read in place: osm_parse reads at most
		 * OSM_FRAME_HDR_LEN bytes. */
		r = osm_parse(data, len, &f);
	} else {
		/* Too short to be a circuit frame; osm_parse still names
		 * the reason (not a circuit, or malformed) from a copy of
		 * the Ethernet header at offset 2, where each field it
		 * could read is aligned (see "Byte order" in osm_proto.h). */
		__u64 buf[8] = {};

		if (data + OSM_ETH_HLEN <= data_end)
			__builtin_memcpy((__u8 *)buf + 2, data, OSM_ETH_HLEN);
		r = osm_parse((__u8 *)buf + 2, len, &f);
		if (r == OSM_OK)	/* cannot happen: len < 58 */
			r = OSM_DROP_MALFORMED;
	}
	if (r == OSM_DROP_NOT_CIRCUIT)
		return not_circuit(in);
	if (r != OSM_OK) {
		count_drop(r);
		return XDP_DROP;
	}

	id = f.circuit;
	c = bpf_map_lookup_elem(&circuits, &id);
	if (c) {
		st = bpf_map_lookup_elem(&circuit_state, &c->slot);
		cs = bpf_map_lookup_elem(&circuit_stats, &c->slot);
	}
	r = osm_decide(&f, c, st, in, egress_ok(ctx, c, len), 0);
	if (r != OSM_OK || !c || !st || !cs) {
		if (cs)
			cs->drops += 1;
		count_drop(r);
		return XDP_DROP;
	}
	cs->frames += 1;
	cs->bytes += len;
	/* len >= OSM_FRAME_HDR_LEN here, but the verifier wants to see it. */
	if (data + OSM_ETH_HLEN > data_end)
		return XDP_DROP;
	__builtin_memcpy(data, c->dst_mac, 6);
	return bpf_redirect_map(&tx_ports, c->egress_ifindex, XDP_DROP);
}

/* Frames redirected to a port of this switch that the kernel could not
 * transmit: counted per port in tx_errors (osm-fabric status), since the
 * program counted them forwarded already. */
static __always_inline void tx_error(__u32 ifx, __u64 n)
{
	__u64 *c;

	if (!bpf_map_lookup_elem(&port_cfg, &ifx))
		return;
	c = bpf_map_lookup_elem(&tx_errors, &ifx);
	if (c)
		__sync_fetch_and_add(c, n);
	else
		bpf_map_update_elem(&tx_errors, &ifx, &n, BPF_NOEXIST);
}

#pragma clang diagnostic push	/* BPF_PROG leaves its ctx unused */
#pragma clang diagnostic ignored "-Wunused-parameter"
/* Refused at once, when the program returned: the port cannot take XDP
 * frames (a veth whose peer has neither GRO nor an XDP program), or went
 * down. index is the tx_ports key, the egress ifindex. */
SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(redirect_err, const struct net_device *dev,
	     const struct bpf_prog *xdp, const void *tgt, int err,
	     enum bpf_map_type type, __u32 map_id, __u32 index)
{
	if (xdp && BPF_CORE_READ(xdp, aux, id) == switch_prog_id)
		tx_error(index, 1);
	return 0;
}

/* Refused later, when the devmap's queue was flushed to the port. */
SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(devmap_xmit, const struct net_device *from_dev,
	     const struct net_device *to_dev, int sent, int drops, int err)
{
	if (drops > 0 && to_dev &&
	    BPF_CORE_READ(to_dev, nd_net.net, net_cookie) == netns_cookie)
		tx_error(BPF_CORE_READ(to_dev, ifindex), (__u64)drops);
	return 0;
}
#pragma clang diagnostic pop
