// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The switch library's map batch operations, which the engine uses for
 * every event: add_batch installs circuits with state and counters (and
 * they forward), replace_batch keeps state and refuses a missing id
 * without changing anything, del_batch steps over absent ids and removes
 * circuits, state and counters; an unsound circuit changes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "osm_endpoint.h"
#include "switch.h"
#include "xdp_run.h"
#include "tap.h"

static struct osm_switch *sw;
static uint32_t port[4];		/* two ports, then their veth peers */
static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 }, dst[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t hop[OSM_HOP_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static struct osm_circuit circuit(uint32_t id, uint32_t epoch)
{
	struct osm_circuit c = { .id = id, .ingress_ifindex = port[0],
				 .egress_ifindex = port[1] };
	struct osm_key_slot *k = &c.key[osm_epoch_slot(epoch)];

	memcpy(c.src_mac, src, 6);
	memcpy(c.dst_mac, dst, 6);
	k->epoch = epoch;
	k->valid = 1;
	memcpy(k->hop_key, hop, sizeof(hop));
	return c;
}

/* XDP verdict of a frame of circuit id, sequence seq, epoch 1. */
static int send(uint32_t id, uint64_t seq)
{
	struct osm_tx tx = { .circuit = id, .type = OSM_T_DATA,
			     .next_seq = seq };
	uint8_t f[OSM_FRAME_HDR_LEN + 8], out[sizeof(f) + 64];
	size_t out_len;
	int len;

	memcpy(tx.src, src, 6);
	memcpy(tx.dst, dst, 6);
	tx.keys.epoch = 1;
	memcpy(tx.keys.hop, hop, sizeof(hop));
	len = osm_seal(&tx, "batch", 5, f, sizeof(f));
	if (len < 0)
		return len;
	return osm_xdprun(osm_switch_prog_fd(sw), port[0], f, (size_t)len,
			    out, sizeof(out), &out_len);
}

static int count(const char *map)
{
	uint32_t k, prev, n = 0;
	int fd = osm_switch_map_fd(sw, map);

	while (!bpf_map_get_next_key(fd, n ? &prev : NULL, &k)) {
		prev = k;
		n++;
	}
	return (int)n;
}

/* Claims in circuit_slots whose circuit is gone (given up); *pending:
 * claims still marked pending (bit 32). */
static int given_up(void)
{
	uint32_t k, prev = 0, n = 0, id;
	int fd = osm_switch_map_fd(sw, OSM_MAP_SLOTS), first = 1;
	struct osm_circuit c;
	uint64_t v;

	while (!bpf_map_get_next_key(fd, first ? NULL : &prev, &k)) {
		prev = k;
		first = 0;
		if (bpf_map_lookup_elem(fd, &k, &v) || (v >> 32))
			return -1;	/* pending: none should be */
		id = (uint32_t)v;
		if (osm_switch_circuit_get(sw, id, &c) || c.slot != k)
			n++;
	}
	return (int)n;
}

/* A switch of 4 circuits, filled, emptied and filled again twice: the
 * given-up slots are freed when the next claims need them. */
static int slots_reused(void)
{
	struct osm_circuit c[4];
	uint32_t ids[4], i, round;
	int r = 0;

	if (osm_switch_load(&sw, "batch4", 4, OSM_SW_NOPIN) < 0 ||
	    osm_switch_attach(sw, port[0], 0) < 0 ||
	    osm_switch_attach(sw, port[1], 0) < 0) {
		printf("not ok - load a switch of 4 circuits\n");
		return 1;
	}
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			c[i] = circuit(20 + round * 4 + i, 1);
			ids[i] = c[i].id;
		}
		r = osm_switch_circuit_add_batch(sw, c, 4);
		tap(r == 0 && count(OSM_MAP_CIRCUITS) == 4,
		    "round %u: 4 circuits in a switch of 4 (%d)", round, r);
		r = send(ids[3], 1);
		tap(r == XDP_REDIRECT, "round %u: the last one forwards, its "
		    "window fresh (verdict %d)", round, r);
		tap(osm_switch_circuit_del_batch(sw, ids, 4) == 0 &&
		    given_up() == 4, "round %u: removed, 4 slots given up",
		    round);
	}
	c[0] = circuit(40, 1);
	tap(osm_switch_circuit_add(sw, &c[0]) == 0 && given_up() == 0 &&
	    count(OSM_MAP_SLOTS) == 1,
	    "one more: the given-up slots freed, one taken");
	osm_switch_close(sw);
	return 0;
}

int main(void)
{
	struct osm_circuit c[3], bad[2], got;
	uint32_t ids[4] = { 12, 99, 11, 13 };
	int r;

	libbpf_set_print(NULL);
	if (osm_xdprun_netns("osw", 2, port) < 0 ||
	    osm_switch_load(&sw, "batch", 0, OSM_SW_NOPIN) < 0 ||
	    osm_switch_attach(sw, port[0], 0) < 0 ||
	    osm_switch_attach(sw, port[1], 0) < 0) {
		printf("not ok 1 - set up netns and load the switch\n");
		return 1;
	}
	c[0] = circuit(11, 1);	/* now that the ports exist */
	c[1] = circuit(12, 1);
	c[2] = circuit(13, 1);
	r = osm_switch_circuit_add_batch(sw, c, 3);
	tap(r == 0, "add_batch of 3 circuits: %d", r);
	tap(count(OSM_MAP_CIRCUITS) == 3 && count(OSM_MAP_SLOTS) == 3,
	    "3 circuits, 3 slots");
	r = send(12, 5);
	tap(r == XDP_REDIRECT, "circuit 12 forwards (verdict %d)", r);
	r = send(12, 5);
	tap(r == XDP_DROP, "the same sequence number again: dropped (replay)");

	bad[0] = circuit(14, 1);
	bad[1] = circuit(15, 1);
	bad[1].egress_ifindex = bad[1].ingress_ifindex;
	tap(osm_switch_circuit_add_batch(sw, bad, 2) == -EINVAL &&
	    count(OSM_MAP_CIRCUITS) == 3, "an unsound one: -EINVAL, nothing added");

	c[1] = circuit(12, 2);	/* epoch 2 next to epoch 1 */
	c[1].key[1] = circuit(12, 1).key[1];
	tap(osm_switch_circuit_replace_batch(sw, &c[1], 1) == 0 &&
	    osm_switch_circuit_get(sw, 12, &got) == 0 && got.key[0].valid &&
	    got.key[0].epoch == 2 && got.key[1].valid,
	    "replace_batch: two epochs in the slots");
	r = send(12, 5);
	tap(r == XDP_DROP, "the replay window survived the replace");
	r = send(12, 6);
	tap(r == XDP_REDIRECT, "and the next number still forwards");

	bad[0] = circuit(13, 1);
	bad[1] = circuit(77, 1);
	bad[0].flags = OSM_CF_DOWN;
	tap(osm_switch_circuit_replace_batch(sw, bad, 2) == -ENOENT &&
	    osm_switch_circuit_get(sw, 13, &got) == 0 && !got.flags &&
	    osm_switch_circuit_get(sw, 77, &got) == -ENOENT,
	    "replace_batch with a missing id: -ENOENT, nothing changed");

	tap(osm_switch_circuit_del_batch(sw, ids, 4) == 0,
	    "del_batch of 12, 99 (absent), 11, 13");
	tap(count(OSM_MAP_CIRCUITS) == 0 && count(OSM_MAP_SLOTS) == 3 &&
	    given_up() == 3,
	    "no circuit left, their 3 slots given up (freed when needed)");
	r = send(12, 7);
	tap(r == XDP_DROP, "circuit 12 is gone: dropped");
	osm_switch_detach(sw, port[0]);
	osm_switch_detach(sw, port[1]);
	osm_switch_close(sw);
	return slots_reused() || tap_done();
}
