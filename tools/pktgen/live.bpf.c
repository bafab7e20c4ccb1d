// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen -m live: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs
 * live_xdp on every frame, in the kernel, on each generating CPU; XDP_TX
 * sends it out of the interface. Each frame gets its circuit, the next
 * sequence number of that circuit and its hop tag under the circuit's key.
 * The end-to-end AEAD tag stays the template's (stale): switches do not
 * check it, endpoints would. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fresh.bpf.h"
#include "live.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set before load (not secret). */
const volatile __u64 seq0;
const volatile __u32 first_id;
const volatile __u32 ncirc = 1;
/* Each CPU its own circuits and counter (cpu_share), not all CPUs all
 * circuits from one counter (sent). */
const volatile __u8 spread;

/* Hop keys, ncirc of them (max_entries is set at open). Written by
 * userspace through mmap after load, so that no copy stays in libbpf's
 * or the kernel's buffers; wiped by it before unload. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pg_live_key);
} hop_keys SEC(".maps");

/* --spread: each generating CPU's circuits and frame count. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_live_cpu);
} cpu_share SEC(".maps");

/* Without --spread: frames made so far, all CPUs. The page pool of live
 * mode keeps a page's data from one run to the next, so a frame's own
 * sequence number says nothing: every number comes from a counter. */
__u64 sent;

SEC("xdp")
int live_xdp(struct xdp_md *ctx)
{
	__u8 *h = fresh_hdr(ctx);
	struct pg_live_key *k;
	struct pg_live_cpu *c;
	__u32 i = 0, zero = 0;
	__u64 n;

	if (!h)
		return XDP_ABORTED;
	if (spread) {
		/* This CPU's alone (BPF_PROG_RUN runs with bottom halves
		 * off): a plain add. Its circuits take turns, each with
		 * numbers that grow in the order frames are made here. */
		c = bpf_map_lookup_elem(&cpu_share, &zero);
		if (!c || !c->n)
			return XDP_ABORTED;
		i = c->next;
		c->next = i + 1 < c->first + c->n ? i + 1 : c->first;
		n = c->made++;
	} else {
		/* Frame n is circuit n % ncirc's (n / ncirc)th: each
		 * circuit's numbers follow on, however many circuits share
		 * the replay window's span. */
		n = __sync_fetch_and_add(&sent, 1);
		if (ncirc > 1) {
			i = (__u32)(n % ncirc);
			n /= ncirc;
		}
	}
	k = bpf_map_lookup_elem(&hop_keys, &i);
	if (!k)
		return XDP_ABORTED;
	osm_put_be32(h + OSM_OFF_CIRCUIT, first_id + i);
	fresh_seal(h, seq0 + n, k->hop);
	return XDP_TX;
}
