/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Maps of the room switch XDP program. Names, key and value types come
 * from include/osm_proto.h; the loader pins them under
 * OSM_PIN_ROOT/<switch>/ by these names. */
#ifndef OSM_SWITCH_MAPS_H
#define OSM_SWITCH_MAPS_H

#include "osm_proto.h"

/* The circuit maps grow with use (BPF_F_NO_PREALLOC): a switch with a few
 * circuits does not hold memory for OSM_MAX_CIRCUITS of them. */

/* Circuit id -> what the control plane installed (keys, ports, MACs). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSM_MAX_CIRCUITS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct osm_circuit);
} circuits SEC(".maps");

/* Circuit id -> replay window and token bucket (under a bpf_spin_lock),
 * and the circuit's counters (atomic adds): one lookup for all a forward
 * writes. Not per-CPU: a per-CPU element costs the control plane a per-CPU
 * allocation for every circuit it adds, and the window's line is shared
 * anyway. A hash map (not an array) so that BTF names the fields in dumps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OSM_MAX_CIRCUITS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct osm_circuit_state);
} circuit_state SEC(".maps");

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
