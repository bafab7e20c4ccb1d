/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Maps of the room switch XDP program. Names, key and value types come
 * from include/osm_proto.h; the loader pins them under
 * OSM_PIN_ROOT/<switch>/ by these names. */
#ifndef OSM_SWITCH_MAPS_H
#define OSM_SWITCH_MAPS_H

#include "osm_proto.h"

/* Circuit id -> what the control plane installed (keys, ports, MACs, and
 * the slot it gave the circuit). Grows with use (BPF_F_NO_PREALLOC): a
 * switch with a few circuits does not hold memory for OSM_MAX_CIRCUITS. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSM_MAX_CIRCUITS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct osm_circuit);
} circuits SEC(".maps");

/* The circuits' fast-path state by slot (struct osm_circuit.slot): replay
 * window and token bucket. An array, so that the program's lookup is a
 * few inlined instructions (a second hash lookup cost a forward 6 ns);
 * shared by the CPUs, as a circuit's window must be. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OSM_MAX_CIRCUITS);
	__type(key, __u32);
	__type(value, struct osm_circuit_state);
} circuit_state SEC(".maps");

/* The circuits' counters by slot, one copy per CPU: plain adds, no line
 * shared between CPUs (two atomic adds cost a forward 13 ns). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OSM_MAX_CIRCUITS);
	__type(key, __u32);
	__type(value, struct osm_circuit_stats);
} circuit_stats SEC(".maps");

/* Slot -> the circuit id that holds it (bit 32 set: given up, its
 * circuit removed, free after the next RCU grace period): the control
 * plane's claims (BPF_NOEXIST, so two writers cannot take one slot). The
 * program does not read it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSM_MAX_CIRCUITS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} circuit_slots SEC(".maps");

/* Frames dropped, by reason: one struct osm_drop_counts per CPU, whose
 * fields carry the reasons' names (an array's key can only be a plain
 * int, and a hash keyed by enum osm_reason costs the cheapest drops
 * twice their time). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct osm_drop_counts);
} drop_stats SEC(".maps");

/* Egress ports: ifindex -> ifindex. A port missing here is down. The
 * value is the kernel's struct bpf_devmap_val (vmlinux.h). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, OSM_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} tx_ports SEC(".maps");

/* Port ifindex -> frames the kernel could not transmit by it after the
 * program had redirected them (counted from the devmap's tracepoint; a
 * veth whose peer takes no XDP frames, for one). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSM_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u64);
} tx_errors SEC(".maps");

/* 0 -> where the switch lives (written at load, read by commands). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct osm_switch_info);
} switch_info SEC(".maps");

/* Port ifindex -> OSM_PF_* flags. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSM_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct osm_port);
} port_cfg SEC(".maps");

#endif
