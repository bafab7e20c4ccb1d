/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The room switch library: load the XDP program, pin its maps under
 * OSM_PIN_ROOT/<switch>/, attach it to ports, and provision circuits, keys
 * and ports. The CLI and the control-plane engine both drive it. Every
 * function returns 0 or -errno. */
#ifndef OSM_SWITCH_H
#define OSM_SWITCH_H

#include <stdint.h>
#include <stddef.h>
#include "osm_proto.h"

struct osm_switch;

/* osm_switch_load flags. */
#define OSM_SW_NOPIN	(1u << 0)	/* keep maps private (tests) */

#define OSM_SWITCH_NAME_MAX	64

/* Mount bpffs on /sys/fs/bpf if it is not mounted there. Sets *mounted to
 * 1 if it did (then pins die with this mount namespace). */
int osm_switch_bpffs(int *mounted);

/* Enter network namespace `name` (/run/netns/name) for the rest of the
 * process. -ENOENT: no such namespace. */
int osm_switch_netns(const char *name);

/* Check a switch name (letters, digits, '-', '_', '.', 1..63 bytes, not
 * starting with '.'). Returns 0 or -EINVAL. */
int osm_switch_name_ok(const char *name);

/*
 * Load the switch program with room for max_circuits circuits (0: the
 * default OSM_MAX_CIRCUITS) and, unless OSM_SW_NOPIN, pin its maps and
 * program under OSM_PIN_ROOT/name/. -EEXIST: that switch is loaded;
 * -EINVAL: bad name or size; other -errno from libbpf or bpffs. Nothing
 * is left pinned on failure.
 */
int osm_switch_load(struct osm_switch **sw, const char *name,
		    uint32_t max_circuits, unsigned int flags);

/* Open a loaded switch from its pins. -ENOENT: not loaded; -EPROTO: its
 * maps hold values of another layout (loaded by another build). */
int osm_switch_open(struct osm_switch **sw, const char *name);

/* The same without the layout check, to take down (detach, unpin) a
 * switch that another build loaded: read or write no value with it. */
int osm_switch_open_any(struct osm_switch **sw, const char *name);

/* How many circuits its table holds (0 if it cannot be read). */
uint32_t osm_switch_max_circuits(const struct osm_switch *sw);

/* Release the handle (the switch keeps running). NULL is fine. */
void osm_switch_close(struct osm_switch *sw);

/* Remove the switch's pins and folder; detaches nothing. */
int osm_switch_unpin(const char *name);

/* Names of loaded switches: calls fn for each folder under OSM_PIN_ROOT. */
int osm_switch_each(int (*fn)(const char *name, void *arg), void *arg);

/* File descriptors of the program and of a map (an OSM_MAP_* name). */
int osm_switch_prog_fd(const struct osm_switch *sw);
int osm_switch_map_fd(const struct osm_switch *sw, const char *map);

/* Program id, and the verifier's processed-instruction count. */
int osm_switch_prog_info(const struct osm_switch *sw, uint32_t *id,
			 uint32_t *verified_insns);

/*
 * Attach the program to ifindex in native (driver) mode, or generic mode
 * if generic is set, and add the port to tx_ports and port_cfg with
 * OSM_PF_FABRIC. -EBUSY: another XDP program is attached there; -ENODEV:
 * no such interface; -EOPNOTSUPP: the driver has no native XDP.
 */
int osm_switch_attach(struct osm_switch *sw, uint32_t ifindex, int generic);

/* Detach from ifindex if our program is attached there, and remove the
 * port from tx_ports and port_cfg. */
int osm_switch_detach(struct osm_switch *sw, uint32_t ifindex);

/* 1 if our program is attached to ifindex, 0 if not, or -errno. */
int osm_switch_attached(const struct osm_switch *sw, uint32_t ifindex);

/* Port configuration. -ENOENT: not a port of this switch. */
int osm_switch_port_set(struct osm_switch *sw, uint32_t ifindex,
			uint32_t flags);
int osm_switch_port_get(const struct osm_switch *sw, uint32_t ifindex,
			uint32_t *flags);
/* The port's link is up (it goes into tx_ports: frames may leave by it)
 * or down (out of tx_ports: frames towards it are dropped as
 * egress_down, recording nothing). Kept by whoever watches the links:
 * the daemon, or `osm-fabric port watch`. -ENOENT: not a port. */
int osm_switch_port_link(struct osm_switch *sw, uint32_t ifindex, int up);
/* 1 if frames may leave by ifindex (it is in tx_ports), 0 if not. */
int osm_switch_port_tx(const struct osm_switch *sw, uint32_t ifindex);
/* The cookie of the calling thread's network namespace (0 if unknown). */
uint64_t osm_switch_netns_cookie(void);
/* Record that the switch lives in the current network namespace, named
 * netns under /run/netns (NULL: the caller's own); read it back. */
int osm_switch_set_netns(struct osm_switch *sw, const char *netns);
int osm_switch_info(const struct osm_switch *sw, struct osm_switch_info *info);
/* Frames the kernel could not transmit by ifindex after the program had
 * redirected them (a veth whose peer takes no XDP frames, for one). */
uint64_t osm_switch_port_tx_errors(const struct osm_switch *sw,
				   uint32_t ifindex);
/* Iterate ports: prev NULL for the first. -ENOENT after the last. */
int osm_switch_port_next(const struct osm_switch *sw, const uint32_t *prev,
			 uint32_t *next);

/*
 * Install circuit c on a free slot (fresh state and zero counters; c's
 * own slot field is ignored). -EEXIST: that id is installed; -E2BIG: the
 * circuit table (or every slot) is full; -EINVAL: c is not
 * sound (no valid key, ingress == egress, zero MAC, burst without rate).
 * On error the maps are as they were.
 */
int osm_switch_circuit_add(struct osm_switch *sw, const struct osm_circuit *c);

/* Replace circuit c->id whole, keeping its replay window and bucket
 * (rekey, lease, rate). -ENOENT: not installed. */
int osm_switch_circuit_replace(struct osm_switch *sw,
			       const struct osm_circuit *c);

/* Install the hop key of an epoch in its slot (osm_epoch_slot), next to
 * the other epoch's key, or (key NULL) remove that epoch's key. -ENOENT:
 * no such circuit, or (remove) no key of that epoch. */
int osm_switch_circuit_key(struct osm_switch *sw, uint32_t id, uint32_t epoch,
			   const uint8_t key[OSM_HOP_KEY_LEN]);

/*
 * Map batch operations (one bpf(2) call for n circuits, but a slot
 * claimed per circuit added): add_batch installs c[0..n) on free slots,
 * with fresh state and zero counters (an id already installed is
 * replaced whole, on a new slot); replace_batch replaces the values of
 * installed circuits, keeping their slots and state (-ENOENT, and
 * nothing changed, if one is not installed); del_batch removes circuits
 * (ids not installed are skipped), their slots given up. -EINVAL: a
 * circuit is not sound (nothing changed). After another failure of
 * add_batch none of the n is installed.
 */
int osm_switch_circuit_add_batch(struct osm_switch *sw,
				 const struct osm_circuit *c, uint32_t n);
int osm_switch_circuit_replace_batch(struct osm_switch *sw,
				     const struct osm_circuit *c, uint32_t n);
int osm_switch_circuit_del_batch(struct osm_switch *sw, const uint32_t *ids,
				 uint32_t n);

/* Remove a circuit; its slot (state, counters) is given up, freed when a
 * later claim runs short, after an RCU grace period. -ENOENT: not
 * installed. */
int osm_switch_circuit_del(struct osm_switch *sw, uint32_t id);

/* Read circuit id into *c (key material included; wipe it). -ENOENT. */
int osm_switch_circuit_get(const struct osm_switch *sw, uint32_t id,
			   struct osm_circuit *c);

/* Iterate circuit ids: prev NULL for the first. -ENOENT after the last. */
int osm_switch_circuit_next(const struct osm_switch *sw, const uint32_t *prev,
			    uint32_t *next);

/* Counters of a circuit (a copy per CPU at its slot, summed). -ENOENT:
 * no such circuit. */
int osm_switch_circuit_stats(const struct osm_switch *sw, uint32_t id,
			     struct osm_circuit_stats *out);

/* Drop counters by enum osm_reason, summed over CPUs. */
int osm_switch_drop_stats(const struct osm_switch *sw,
			  uint64_t out[OSM_REASON_MAX]);

#endif
