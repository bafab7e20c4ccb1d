// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The bench's limit to compare against: an unauthenticated XDP L2 switch.
 * Look the destination MAC up in a hash, redirect to that port through a
 * devmap; no circuit, no tag, no replay window. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "osm_proto.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Destination MAC (6 bytes, zero-padded to 8) -> egress ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} mac_ports SEC(".maps");

/* Egress ports, as the switch has them (bpf/switch_maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, OSM_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} tx_ports SEC(".maps");

SEC("xdp")
int redirect_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 key = 0;
	__u32 *port;

	if (data + 14 > data_end)
		return XDP_DROP;
	__builtin_memcpy(&key, data, 6);
	port = bpf_map_lookup_elem(&mac_ports, &key);
	if (!port)
		return XDP_DROP;
	return bpf_redirect_map(&tx_ports, *port, XDP_DROP);
}
