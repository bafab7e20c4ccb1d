// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The room switch library (see switch.h): libbpf skeleton, pins under
 * OSM_PIN_ROOT/<switch>/, XDP attach, and the circuit and port maps. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sodium.h>
#include "switch.h"
#include "bpf/switch.skel.h"

#define OSM_PROG_PIN	"switch_xdp"
/* the links of the tracepoints that count redirect errors */
static const char *const txerr_pins[2] = { "redirect_err", "devmap_xmit" };

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71
#endif

/* Map fds by index; the order of map_names. */
enum { M_CIRCUITS, M_STATE, M_DROPS, M_TX, M_PORTS, M_TXERR, M_INFO,
       M_STATS, M_SLOTS, M_NR };
static const char *const map_names[M_NR] = {
	OSM_MAP_CIRCUITS, OSM_MAP_STATE, OSM_MAP_DROPS, OSM_MAP_TX_PORTS,
	OSM_MAP_PORTS, OSM_MAP_TX_ERRORS, OSM_MAP_INFO, OSM_MAP_STATS,
	OSM_MAP_SLOTS,
};

struct osm_switch {
	char name[OSM_SWITCH_NAME_MAX];
	struct switch_bpf *skel;	/* when loaded by us, else NULL */
	int prog_fd;
	int fd[M_NR];
	int ncpu;
	int grace_fd[2];	/* see rcu_wait(); -1 until needed */
	uint32_t slot_next;	/* see slots_claim() */
	int slot_next_ok;
	uint32_t nslots;	/* see slot_count(); 0 until read */
};

int osm_switch_bpffs(int *mounted)
{
	struct statfs fs;

	*mounted = 0;
	if (statfs("/sys/fs/bpf", &fs) == 0 && fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0)
		return -errno;
	*mounted = 1;
	return 0;
}

int osm_switch_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(name, '/') ||
	    snprintf(path, sizeof(path), "/run/netns/%s", name) >=
		    (int)sizeof(path))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		err = -errno;
	close(fd);
	return err;
}

int osm_switch_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= OSM_SWITCH_NAME_MAX || name[0] == '.')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		      ch == '.'))
			return -EINVAL;
	}
	return 0;
}

static void pin_path(char *buf, size_t cap, const char *sw, const char *obj)
{
	if (obj)
		snprintf(buf, cap, "%s/%s/%s", OSM_PIN_ROOT, sw, obj);
	else
		snprintf(buf, cap, "%s/%s", OSM_PIN_ROOT, sw);
}

static struct osm_switch *sw_new(const char *name)
{
	struct osm_switch *sw = calloc(1, sizeof(*sw));
	int i;

	if (!sw)
		return NULL;
	snprintf(sw->name, sizeof(sw->name), "%s", name);
	sw->prog_fd = -1;
	for (i = 0; i < M_NR; i++)
		sw->fd[i] = -1;
	sw->grace_fd[0] = sw->grace_fd[1] = -1;
	sw->ncpu = libbpf_num_possible_cpus();
	if (sw->ncpu <= 0) {
		free(sw);
		return NULL;
	}
	return sw;
}

int osm_switch_unpin(const char *name)
{
	char path[PATH_MAX];
	int i, err = 0;

	if (osm_switch_name_ok(name))
		return -EINVAL;
	for (i = 0; i < M_NR; i++) {
		pin_path(path, sizeof(path), name, map_names[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			err = -errno;
	}
	pin_path(path, sizeof(path), name, OSM_PROG_PIN);
	if (unlink(path) < 0 && errno != ENOENT)
		err = -errno;
	for (i = 0; i < 2; i++) {
		pin_path(path, sizeof(path), name, txerr_pins[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			err = -errno;
	}
	pin_path(path, sizeof(path), name, NULL);
	if (rmdir(path) < 0 && !err)
		err = -errno;
	return err;
}

static int sw_pin(struct osm_switch *sw)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	struct bpf_map *map;
	int i, err;

	if (mkdir(OSM_PIN_ROOT, 0700) < 0 && errno != EEXIST)
		return -errno;
	pin_path(path, sizeof(path), sw->name, NULL);
	if (mkdir(path, 0700) < 0)
		return -errno;
	bpf_object__for_each_map(map, sw->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		pin_path(path, sizeof(path), sw->name, bpf_map__name(map));
		err = bpf_map__pin(map, path);
		if (err)
			goto fail;
	}
	pin_path(path, sizeof(path), sw->name, OSM_PROG_PIN);
	err = bpf_program__pin(sw->skel->progs.switch_xdp, path);
	if (err)
		goto fail;
	/* the redirect-error counters, attached for as long as their links
	 * are pinned */
	for (i = 0; i < 2; i++) {
		link = bpf_program__attach(i ? sw->skel->progs.devmap_xmit :
					       sw->skel->progs.redirect_err);
		if (!link) {
			err = -errno;
			goto fail;
		}
		pin_path(path, sizeof(path), sw->name, txerr_pins[i]);
		err = bpf_link__pin(link, path);
		bpf_link__destroy(link);	/* the pin holds it */
		if (err)
			goto fail;
	}
	return 0;
fail:
	osm_switch_unpin(sw->name);
	return err;
}

uint64_t osm_switch_netns_cookie(void)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &c, &len) < 0)
			c = 0;
		close(fd);
	}
	return c;
}

int osm_switch_load(struct osm_switch **out, const char *name,
		    uint32_t max_circuits, unsigned int flags)
{
	char path[PATH_MAX];
	struct osm_switch *sw;
	struct bpf_map *m[4];
	uint32_t insns;
	int i, err;

	*out = NULL;
	if (osm_switch_name_ok(name) || max_circuits > OSM_MAX_CIRCUITS)
		return -EINVAL;
	if (!(flags & OSM_SW_NOPIN)) {
		pin_path(path, sizeof(path), name, NULL);
		if (access(path, F_OK) == 0)
			return -EEXIST;
	}
	sw = sw_new(name);
	if (!sw)
		return -ENOMEM;
	sw->skel = switch_bpf__open();
	if (!sw->skel) {
		err = -errno;
		goto fail;
	}
	m[0] = sw->skel->maps.circuits;
	m[1] = sw->skel->maps.circuit_state;
	m[2] = sw->skel->maps.circuit_stats;
	m[3] = sw->skel->maps.circuit_slots;
	for (i = 0; i < 4 && max_circuits; i++) {
		err = bpf_map__set_max_entries(m[i], max_circuits);
		if (err)
			goto fail;
	}
	sw->skel->rodata->netns_cookie = osm_switch_netns_cookie();
	/* the tracepoints are attached only to a pinned switch */
	if (flags & OSM_SW_NOPIN) {
		bpf_program__set_autoload(sw->skel->progs.redirect_err, false);
		bpf_program__set_autoload(sw->skel->progs.devmap_xmit, false);
	}
	err = switch_bpf__load(sw->skel);
	if (err)
		goto fail;
	sw->prog_fd = bpf_program__fd(sw->skel->progs.switch_xdp);
	err = osm_switch_prog_info(sw, &sw->skel->bss->switch_prog_id,
				   &insns);
	if (err)
		goto fail;
	if (!(flags & OSM_SW_NOPIN)) {
		err = sw_pin(sw);
		if (err)
			goto fail;
	}
	for (i = 0; i < M_NR; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(
			sw->skel->obj, map_names[i]);

		sw->fd[i] = map ? bpf_map__fd(map) : -1;
		if (sw->fd[i] < 0) {
			err = -ENOENT;
			if (!(flags & OSM_SW_NOPIN))
				osm_switch_unpin(name);
			goto fail;
		}
	}
	/* it lives here (the caller may name the namespace) */
	err = osm_switch_set_netns(sw, NULL);
	if (err) {
		if (!(flags & OSM_SW_NOPIN))
			osm_switch_unpin(name);
		goto fail;
	}
	*out = sw;
	return 0;
fail:
	switch_bpf__destroy(sw->skel);
	free(sw);
	return err;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

static uint32_t value_size(int fd)
{
	struct bpf_map_info info;

	return map_info(fd, &info) ? 0 : info.value_size;
}

uint32_t osm_switch_max_circuits(const struct osm_switch *sw)
{
	struct bpf_map_info info;

	return map_info(sw->fd[M_CIRCUITS], &info) ? 0 : info.max_entries;
}

static int open_switch(struct osm_switch **out, const char *name,
		       int any_layout)
{
	char path[PATH_MAX];
	struct osm_switch *sw;
	int i, err;

	*out = NULL;
	if (osm_switch_name_ok(name))
		return -EINVAL;
	sw = sw_new(name);
	if (!sw)
		return -ENOMEM;
	pin_path(path, sizeof(path), name, OSM_PROG_PIN);
	sw->prog_fd = bpf_obj_get(path);
	if (sw->prog_fd < 0) {
		err = -errno;
		goto fail;
	}
	for (i = 0; i < M_NR; i++) {
		pin_path(path, sizeof(path), name, map_names[i]);
		sw->fd[i] = bpf_obj_get(path);
		if (sw->fd[i] < 0) {
			err = -errno;
			goto fail;
		}
	}
	/* A switch loaded by another build may lay its values out another
	 * way: refuse it rather than read or write them wrong. */
	if (!any_layout && (value_size(sw->fd[M_CIRCUITS]) != sizeof(struct osm_circuit) ||
	    value_size(sw->fd[M_STATE]) != sizeof(struct osm_circuit_state) ||
	    value_size(sw->fd[M_STATS]) != sizeof(struct osm_circuit_stats) ||
	    value_size(sw->fd[M_DROPS]) != sizeof(struct osm_drop_counts))) {
		err = -EPROTO;
		goto fail;
	}
	*out = sw;
	return 0;
fail:
	osm_switch_close(sw);
	return err;
}

int osm_switch_open(struct osm_switch **out, const char *name)
{
	return open_switch(out, name, 0);
}

int osm_switch_open_any(struct osm_switch **out, const char *name)
{
	return open_switch(out, name, 1);
}

void osm_switch_close(struct osm_switch *sw)
{
	int i;

	if (!sw)
		return;
	for (i = 0; i < 2; i++)
		if (sw->grace_fd[i] >= 0)
			close(sw->grace_fd[i]);
	if (sw->skel) {
		switch_bpf__destroy(sw->skel);
	} else {
		for (i = 0; i < M_NR; i++)
			if (sw->fd[i] >= 0)
				close(sw->fd[i]);
		if (sw->prog_fd >= 0)
			close(sw->prog_fd);
	}
	free(sw);
}

int osm_switch_each(int (*fn)(const char *name, void *arg), void *arg)
{
	struct dirent *d;
	DIR *dir = opendir(OSM_PIN_ROOT);
	int err = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (d = readdir(dir))) {
		if (d->d_type == DT_DIR && !osm_switch_name_ok(d->d_name))
			err = fn(d->d_name, arg);
	}
	closedir(dir);
	return err;
}

int osm_switch_prog_fd(const struct osm_switch *sw)
{
	return sw->prog_fd;
}

int osm_switch_map_fd(const struct osm_switch *sw, const char *map)
{
	int i;

	for (i = 0; i < M_NR; i++)
		if (!strcmp(map, map_names[i]))
			return sw->fd[i];
	return -ENOENT;
}

int osm_switch_prog_info(const struct osm_switch *sw, uint32_t *id,
			 uint32_t *verified_insns)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(sw->prog_fd, &info, &len) < 0)
		return -errno;
	*id = info.id;
	*verified_insns = info.verified_insns;
	return 0;
}

static int errno_of(int r)
{
	return r < 0 ? -errno : 0;
}

int osm_switch_attached(const struct osm_switch *sw, uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id, insns;
	int err;

	err = osm_switch_prog_info(sw, &id, &insns);
	if (err)
		return err;
	err = bpf_xdp_query((int)ifindex, 0, &q);
	if (err)
		return err;
	return (q.drv_prog_id == id || q.skb_prog_id == id) ? 1 : 0;
}

int osm_switch_attach(struct osm_switch *sw, uint32_t ifindex, int generic)
{
	struct bpf_devmap_val dv = { .ifindex = ifindex }; /* prog fd 0: none */
	struct osm_port port = { .flags = OSM_PF_FABRIC };
	uint32_t flags = XDP_FLAGS_UPDATE_IF_NOEXIST |
			 (generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	int err;

	if (bpf_map_lookup_elem(sw->fd[M_PORTS], &ifindex, &port) == 0)
		return -EEXIST;
	port.flags = OSM_PF_FABRIC;
	err = errno_of(bpf_map_update_elem(sw->fd[M_PORTS], &ifindex, &port,
					   BPF_NOEXIST));
	if (err)
		return err;
	err = errno_of(bpf_map_update_elem(sw->fd[M_TX], &ifindex, &dv,
					   BPF_ANY));
	if (err)
		goto fail;
	err = bpf_xdp_attach((int)ifindex, sw->prog_fd, flags, NULL);
	if (err)
		goto fail;
	return 0;
fail:
	bpf_map_delete_elem(sw->fd[M_TX], &ifindex);
	bpf_map_delete_elem(sw->fd[M_PORTS], &ifindex);
	return err;
}

int osm_switch_detach(struct osm_switch *sw, uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = sw->prog_fd);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id, insns, mode = 0;
	int err;

	err = osm_switch_prog_info(sw, &id, &insns);
	if (err)
		return err;
	/* An interface that is gone took its program with it. */
	if (bpf_xdp_query((int)ifindex, 0, &q) == 0) {
		if (q.drv_prog_id == id)
			mode = XDP_FLAGS_DRV_MODE;
		else if (q.skb_prog_id == id)
			mode = XDP_FLAGS_SKB_MODE;
		if (mode) {
			err = bpf_xdp_detach((int)ifindex,
					     mode | XDP_FLAGS_REPLACE, &o);
			if (err)
				return err;
		}
	}
	bpf_map_delete_elem(sw->fd[M_TX], &ifindex);
	bpf_map_delete_elem(sw->fd[M_PORTS], &ifindex);
	return 0;
}

int osm_switch_port_set(struct osm_switch *sw, uint32_t ifindex,
			uint32_t flags)
{
	struct osm_port port;

	if (bpf_map_lookup_elem(sw->fd[M_PORTS], &ifindex, &port) < 0)
		return -errno;
	port.flags = flags | OSM_PF_FABRIC;
	return errno_of(bpf_map_update_elem(sw->fd[M_PORTS], &ifindex, &port,
					    BPF_EXIST));
}

int osm_switch_port_get(const struct osm_switch *sw, uint32_t ifindex,
			uint32_t *flags)
{
	struct osm_port port;

	if (bpf_map_lookup_elem(sw->fd[M_PORTS], &ifindex, &port) < 0)
		return -errno;
	*flags = port.flags;
	return 0;
}

int osm_switch_port_link(struct osm_switch *sw, uint32_t ifindex, int up)
{
	struct bpf_devmap_val dv = { .ifindex = ifindex };
	struct osm_port port;

	if (bpf_map_lookup_elem(sw->fd[M_PORTS], &ifindex, &port) < 0)
		return -errno;
	if (up)
		return errno_of(bpf_map_update_elem(sw->fd[M_TX], &ifindex,
						    &dv, BPF_ANY));
	if (bpf_map_delete_elem(sw->fd[M_TX], &ifindex) < 0 &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

int osm_switch_port_tx(const struct osm_switch *sw, uint32_t ifindex)
{
	struct bpf_devmap_val dv;

	if (bpf_map_lookup_elem(sw->fd[M_TX], &ifindex, &dv) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int osm_switch_info(const struct osm_switch *sw, struct osm_switch_info *info)
{
	uint32_t zero = 0;

	return errno_of(bpf_map_lookup_elem(sw->fd[M_INFO], &zero, info));
}

int osm_switch_set_netns(struct osm_switch *sw, const char *netns)
{
	struct osm_switch_info info = { 0 };
	uint32_t zero = 0;

	if (netns && strlen(netns) >= sizeof(info.netns))
		return -ENAMETOOLONG;
	info.netns_cookie = osm_switch_netns_cookie();
	snprintf(info.netns, sizeof(info.netns), "%s", netns ? netns : "");
	return errno_of(bpf_map_update_elem(sw->fd[M_INFO], &zero, &info,
					    BPF_ANY));
}

uint64_t osm_switch_port_tx_errors(const struct osm_switch *sw,
				   uint32_t ifindex)
{
	uint64_t n = 0;

	if (bpf_map_lookup_elem(sw->fd[M_TXERR], &ifindex, &n) < 0)
		n = 0;
	return n;
}

int osm_switch_port_next(const struct osm_switch *sw, const uint32_t *prev,
			 uint32_t *next)
{
	return errno_of(bpf_map_get_next_key(sw->fd[M_PORTS], prev, next));
}

static int mac_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

static int circuit_sound(const struct osm_circuit *c)
{
	if (!c->key[0].valid && !c->key[1].valid)
		return 0;
	if ((c->key[0].valid && osm_epoch_slot(c->key[0].epoch) != 0) ||
	    (c->key[1].valid && osm_epoch_slot(c->key[1].epoch) != 1))
		return 0;
	if (!c->ingress_ifindex || !c->egress_ifindex ||
	    c->ingress_ifindex == c->egress_ifindex)
		return 0;
	if (mac_zero(c->src_mac) || mac_zero(c->dst_mac))
		return 0;
	return osm_bucket_sound(c->rate, c->burst);
}

/*
 * Slots. A circuit's state and counters live at the index the control
 * plane gives it (struct osm_circuit.slot), so that the program finds
 * them with array lookups. A writer claims slots in circuit_slots with
 * BPF_NOEXIST (two writers, even in two processes, cannot take one),
 * the next free ones after the last it took, marked pending; it installs
 * the circuits naming them, and only then drops the mark. Removing a
 * circuit is deleting it from circuits: a claim whose circuit is gone,
 * or names another slot, is given up. Given-up slots are freed together
 * when a writer runs short of free ones: found first, then an RCU grace
 * period (rcu_wait), then their state and counters cleared and the
 * claims deleted. So a free slot is clean (an array starts zeroed), no
 * program still running with a removed circuit can write into the state
 * of the next one, and no removal waits for a grace period.
 */
#define SLOT_PENDING	(1ULL << 32)	/* in a circuit_slots value */
/* Slots a claim tries before it frees the given-up ones. */
#define SLOT_PROBES	64

/* Wait until every BPF program running now has returned: an update of an
 * array of maps returns only after a grace period (the kernel waits for
 * its readers), the way the kernel's selftests wait for RCU. */
static int rcu_wait(struct osm_switch *sw)
{
	uint32_t zero = 0;
	int err;

	if (sw->grace_fd[0] < 0) {
		LIBBPF_OPTS(bpf_map_create_opts, o);

		sw->grace_fd[0] = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4,
						 4, 1, NULL);
		if (sw->grace_fd[0] < 0)
			return -errno;
		o.inner_map_fd = sw->grace_fd[0];
		sw->grace_fd[1] = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS,
						 NULL, 4, 4, 1, &o);
		if (sw->grace_fd[1] < 0) {
			err = -errno;
			close(sw->grace_fd[0]);
			sw->grace_fd[0] = -1;
			return err;
		}
	}
	return errno_of(bpf_map_update_elem(sw->grace_fd[1], &zero,
					    &sw->grace_fd[0], BPF_ANY));
}

/* The slot entries of a switch: its state array's size (read once). */
static uint32_t slot_count(struct osm_switch *sw)
{
	struct bpf_map_info info;

	if (!sw->nslots && !map_info(sw->fd[M_STATE], &info))
		sw->nslots = info.max_entries;
	return sw->nslots;
}

/* Every claim, read in batches: fn(slot, value, arg) for each. */
static int slots_each(struct osm_switch *sw,
		      void (*fn)(uint32_t, uint64_t, void *), void *arg)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t keys[1024], cnt, i, out = 0;
	uint64_t vals[1024];
	int err, first = 1;

	do {
		cnt = 1024;
		err = bpf_map_lookup_batch(sw->fd[M_SLOTS], first ? NULL : &out,
					   &out, keys, vals, &cnt, &o);
		if (err && errno != ENOENT)
			return -errno;
		first = 0;
		for (i = 0; i < cnt; i++)
			fn(keys[i], vals[i], arg);
	} while (!err);
	return 0;
}

struct slot_scan {
	struct osm_switch *sw;
	uint8_t *used;		/* by slot: claimed */
	uint32_t n;		/* slots */
	uint32_t *gone, ngone;	/* claims given up */
};

static void scan_one(uint32_t slot, uint64_t v, void *arg)
{
	struct slot_scan *sc = arg;
	struct osm_circuit c;
	uint32_t id = (uint32_t)v;

	if (slot < sc->n)
		sc->used[slot] = 1;
	if (!sc->gone || (v & SLOT_PENDING))
		return;
	if (bpf_map_lookup_elem(sc->sw->fd[M_CIRCUITS], &id, &c) ||
	    c.slot != slot)
		sc->gone[sc->ngone++] = slot;
	sodium_memzero(&c, sizeof(c));
}

/* Where a handle starts looking for free slots: the lowest one free
 * when it first looks. */
static uint32_t slot_start(struct osm_switch *sw, uint32_t n)
{
	struct slot_scan sc = { sw, calloc(n, 1), n, NULL, 0 };
	uint32_t low = 0;

	if (!sc.used)
		return 0;
	if (!slots_each(sw, scan_one, &sc))
		while (low < n && sc.used[low])
			low++;
	free(sc.used);
	return low < n ? low : 0;
}

/* Fresh state and zero counters at slots[0..k). */
static int slots_clear(struct osm_switch *sw, const uint32_t *slots,
		       uint32_t k)
{
	struct osm_circuit_stats *cs = calloc((size_t)sw->ncpu * k,
					      sizeof(*cs));
	struct osm_circuit_state *st = calloc(k, sizeof(*st));
	uint32_t cnt = k;
	int err = -ENOMEM;

	if (cs && st)
		err = errno_of(bpf_map_update_batch(sw->fd[M_STATE], slots, st,
						    &cnt, NULL));
	cnt = k;
	if (!err)
		err = errno_of(bpf_map_update_batch(sw->fd[M_STATS], slots, cs,
						    &cnt, NULL));
	free(cs);
	free(st);
	return err;
}

/* Free the given-up slots once no program can be using them, their
 * state and counters cleared: a free slot is always clean. */
static int slots_sweep(struct osm_switch *sw, uint32_t n)
{
	struct slot_scan sc = { sw, calloc(n, 1), n,
				calloc(n, sizeof(uint32_t)), 0 };
	uint32_t cnt;
	int err = -ENOMEM;

	if (sc.used && sc.gone) {
		err = slots_each(sw, scan_one, &sc);
		if (!err && sc.ngone)
			err = rcu_wait(sw) ?: slots_clear(sw, sc.gone, sc.ngone);
		cnt = sc.ngone;
		if (!err && cnt)
			bpf_map_delete_batch(sw->fd[M_SLOTS], sc.gone, &cnt,
					     NULL);
	}
	free(sc.used);
	free(sc.gone);
	return err;
}

/*
 * Claim k free slots for circuits ids[0..k) into slots[], marked
 * pending (their state and counters are clean). Next fit from where the
 * handle last took one: the circuits' states lie close together (a
 * forward over many circuits then needs fewer TLB entries: see
 * docs/performance.md), and a slot given up is taken again only after
 * the others. -E2BIG: not enough free. On error none is claimed.
 */
static int slots_claim(struct osm_switch *sw, const uint32_t *ids,
		       uint32_t *slots, uint32_t k)
{
	uint32_t n = slot_count(sw), got = 0, probes = 0, s, cnt;
	uint64_t v;
	int err = 0, swept = 0;

	if (!n)
		return -EPROTO;
	if (!sw->slot_next_ok) {
		sw->slot_next = slot_start(sw, n);
		sw->slot_next_ok = 1;
	}
	/* one by one (BPF_NOEXIST has no batch form), stepping over those
	 * taken */
	while (got < k) {
		if (probes >= n || (probes >= SLOT_PROBES && !swept)) {
			if (swept) {
				err = -E2BIG;
				break;
			}
			err = slots_sweep(sw, n);
			if (err)
				break;
			swept = 1;
			probes = 0;
		}
		s = sw->slot_next;
		sw->slot_next = (s + 1) % n;
		v = ids[got] | SLOT_PENDING;
		if (!bpf_map_update_elem(sw->fd[M_SLOTS], &s, &v,
					 BPF_NOEXIST)) {
			slots[got++] = s;
			continue;
		}
		if (errno != EEXIST && errno != E2BIG) {
			err = -errno;
			break;
		}
		probes++;
	}
	if (err) {
		cnt = got;
		bpf_map_delete_batch(sw->fd[M_SLOTS], slots, &cnt, NULL);
	}
	return err;
}

/* Drop the pending mark of claims slots[0..k) of circuits ids[0..k). */
static void slots_publish(struct osm_switch *sw, const uint32_t *ids,
			  const uint32_t *slots, uint32_t k)
{
	uint64_t *v = malloc(k * sizeof(*v));
	uint32_t i, cnt = k;

	if (!v)
		return;		/* pending: kept, never shared */
	for (i = 0; i < k; i++)
		v[i] = ids[i];
	bpf_map_update_batch(sw->fd[M_SLOTS], slots, v, &cnt, NULL);
	free(v);
}

/* Install c[0..n) on fresh slots; flags: BPF_NOEXIST (add, n = 1:
 * -EEXIST if it is there) or BPF_ANY (add_batch: one there is replaced
 * whole, its old slot then given up). On error none of them is
 * installed anew. */
static int install(struct osm_switch *sw, const struct osm_circuit *c,
		   uint32_t n, uint64_t flags)
{
	struct osm_circuit *v;
	uint32_t *ids, *slots, i, cnt = n, done;
	int err = -ENOMEM;

	for (i = 0; i < n; i++)
		if (!circuit_sound(&c[i]))
			return -EINVAL;
	ids = malloc(n * sizeof(*ids));
	slots = malloc(n * sizeof(*slots));
	v = malloc(n * sizeof(*v));
	if (!ids || !slots || !v)
		goto out;
	for (i = 0; i < n; i++)
		ids[i] = c[i].id;
	/* The slots and their fresh state first: the program finds a
	 * circuit only once everything it needs is there. */
	err = slots_claim(sw, ids, slots, n);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		v[i] = c[i];
		v[i].slot = slots[i];
	}
	if (flags == BPF_NOEXIST)	/* one: no batch form of it */
		cnt = bpf_map_update_elem(sw->fd[M_CIRCUITS], ids, v,
					  BPF_NOEXIST) ? 0 : 1;
	else
		bpf_map_update_batch(sw->fd[M_CIRCUITS], ids, v, &cnt, NULL);
	err = cnt == n ? 0 : errno ? -errno : -EIO;
	if (err) {
		/* those installed out again (given up), the claims of the
		 * rest freed: no program saw them */
		done = cnt;
		if (done)
			bpf_map_delete_batch(sw->fd[M_CIRCUITS], ids, &cnt,
					     NULL);
		slots_publish(sw, ids, slots, done);
		cnt = n - done;
		bpf_map_delete_batch(sw->fd[M_SLOTS], slots + done, &cnt,
				     NULL);
		goto out;
	}
	slots_publish(sw, ids, slots, n);
out:
	if (v)
		sodium_memzero(v, n * sizeof(*v));
	free(v);
	free(slots);
	free(ids);
	return err;
}

int osm_switch_circuit_add(struct osm_switch *sw, const struct osm_circuit *c)
{
	return install(sw, c, 1, BPF_NOEXIST);
}

/* c, with the slot of the installed circuit of its id, into *v (wipe it
 * after use). -ENOENT: not installed. */
static int with_slot(const struct osm_switch *sw, const struct osm_circuit *c,
		     struct osm_circuit *v)
{
	struct osm_circuit old;
	int err = errno_of(bpf_map_lookup_elem(sw->fd[M_CIRCUITS], &c->id,
					       &old));

	*v = *c;
	v->slot = old.slot;
	sodium_memzero(&old, sizeof(old));
	return err;
}

int osm_switch_circuit_replace(struct osm_switch *sw,
			       const struct osm_circuit *c)
{
	struct osm_circuit v;
	int err;

	if (!circuit_sound(c))
		return -EINVAL;
	err = with_slot(sw, c, &v);
	if (!err)
		err = errno_of(bpf_map_update_elem(sw->fd[M_CIRCUITS], &c->id,
						   &v, BPF_EXIST));
	sodium_memzero(&v, sizeof(v));
	return err;
}

int osm_switch_circuit_key(struct osm_switch *sw, uint32_t id, uint32_t epoch,
			   const uint8_t key[OSM_HOP_KEY_LEN])
{
	struct osm_circuit c;
	struct osm_key_slot *k = &c.key[osm_epoch_slot(epoch)];
	int err;

	err = osm_switch_circuit_get(sw, id, &c);
	if (err)
		return err;
	if (key) {
		k->epoch = epoch;
		k->valid = 1;
		memcpy(k->hop_key, key, OSM_HOP_KEY_LEN);
	} else if (!k->valid || k->epoch != epoch) {
		err = -ENOENT;
		goto out;
	} else {
		sodium_memzero(k, sizeof(*k));
		if (!c.key[0].valid && !c.key[1].valid) {
			/* No key left: the circuit could forward nothing, so
			 * refuse rather than leave a dead circuit behind. */
			err = -EINVAL;
			goto out;
		}
	}
	err = osm_switch_circuit_replace(sw, &c);
out:
	sodium_memzero(&c, sizeof(c));
	return err;
}

int osm_switch_circuit_del(struct osm_switch *sw, uint32_t id)
{
	/* its slot is given up: see slots_claim() */
	return errno_of(bpf_map_delete_elem(sw->fd[M_CIRCUITS], &id));
}

/* Delete ids[0..n) from map fd in batches, stepping over absent ones. */
static int del_batch(int fd, const uint32_t *ids, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t cnt;
	int err;

	while (n) {
		cnt = n;
		err = errno_of(bpf_map_delete_batch(fd, ids, &cnt, &o));
		if (err && err != -ENOENT)
			return err;
		if (!err)
			return 0;
		/* ids[cnt] is not there: skip it. */
		ids += cnt + 1;
		n -= cnt + 1;
	}
	return 0;
}

int osm_switch_circuit_del_batch(struct osm_switch *sw, const uint32_t *ids,
				 uint32_t n)
{
	return del_batch(sw->fd[M_CIRCUITS], ids, n);
}

int osm_switch_circuit_add_batch(struct osm_switch *sw,
				 const struct osm_circuit *c, uint32_t n)
{
	return n ? install(sw, c, n, BPF_ANY) : 0;
}

int osm_switch_circuit_replace_batch(struct osm_switch *sw,
				     const struct osm_circuit *c, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	struct osm_circuit *v;
	uint32_t *ids, i, cnt;
	int err = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (!circuit_sound(&c[i]))
			return -EINVAL;
	ids = malloc(n * sizeof(*ids));
	v = malloc(n * sizeof(*v));
	if (!ids || !v) {
		free(ids);
		free(v);
		return -ENOMEM;
	}
	/* A batch update would create a missing one, stateless. */
	for (i = 0; i < n && !err; i++) {
		ids[i] = c[i].id;
		err = with_slot(sw, &c[i], &v[i]);
	}
	cnt = n;
	if (!err)
		err = errno_of(bpf_map_update_batch(sw->fd[M_CIRCUITS], ids, v,
						    &cnt, &o));
	sodium_memzero(v, n * sizeof(*v));
	free(v);
	free(ids);
	return err;
}

int osm_switch_circuit_get(const struct osm_switch *sw, uint32_t id,
			   struct osm_circuit *c)
{
	return errno_of(bpf_map_lookup_elem(sw->fd[M_CIRCUITS], &id, c));
}

int osm_switch_circuit_next(const struct osm_switch *sw, const uint32_t *prev,
			    uint32_t *next)
{
	return errno_of(bpf_map_get_next_key(sw->fd[M_CIRCUITS], prev, next));
}

int osm_switch_circuit_stats(const struct osm_switch *sw, uint32_t id,
			     struct osm_circuit_stats *out)
{
	struct osm_circuit_stats *v;
	struct osm_circuit c;
	int i, err;

	memset(out, 0, sizeof(*out));
	err = osm_switch_circuit_get(sw, id, &c);
	sodium_memzero(c.key, sizeof(c.key));
	if (err)
		return err;
	v = calloc((size_t)sw->ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = errno_of(bpf_map_lookup_elem(sw->fd[M_STATS], &c.slot, v));
	for (i = 0; !err && i < sw->ncpu; i++) {
		out->frames += v[i].frames;
		out->bytes += v[i].bytes;
		out->drops += v[i].drops;
	}
	free(v);
	return err;
}

int osm_switch_drop_stats(const struct osm_switch *sw,
			  uint64_t out[OSM_REASON_MAX])
{
	struct osm_drop_counts *v = calloc((size_t)sw->ncpu, sizeof(*v));
	uint32_t zero = 0;
	int i, r, err;

	if (!v)
		return -ENOMEM;
	err = errno_of(bpf_map_lookup_elem(sw->fd[M_DROPS], &zero, v));
	for (r = 0; r < OSM_REASON_MAX; r++)
		for (i = 0, out[r] = 0; !err && i < sw->ncpu; i++)
			out[r] += v[i].by_reason[r];
	free(v);
	return err;
}
