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
       M_NR };
static const char *const map_names[M_NR] = {
	OSM_MAP_CIRCUITS, OSM_MAP_STATE, OSM_MAP_DROPS, OSM_MAP_TX_PORTS,
	OSM_MAP_PORTS, OSM_MAP_TX_ERRORS, OSM_MAP_INFO,
};

struct osm_switch {
	char name[OSM_SWITCH_NAME_MAX];
	struct switch_bpf *skel;	/* when loaded by us, else NULL */
	int prog_fd;
	int fd[M_NR];
	int ncpu;
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
	/* the per-CPU counters of switches loaded before they moved into
	 * circuit_state, so that such a switch can be unloaded */
	pin_path(path, sizeof(path), name, "circuit_stats");
	if (unlink(path) < 0 && errno != ENOENT)
		err = -errno;
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
	struct bpf_map *m[3];
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
	for (i = 0; i < 2 && max_circuits; i++) {
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

int osm_switch_circuit_add(struct osm_switch *sw, const struct osm_circuit *c)
{
	struct osm_circuit_state st;
	struct osm_circuit old;
	uint32_t id = c->id;
	int err;

	if (!circuit_sound(c))
		return -EINVAL;
	if (bpf_map_lookup_elem(sw->fd[M_CIRCUITS], &id, &old) == 0) {
		sodium_memzero(&old, sizeof(old));
		return -EEXIST;
	}
	/* State (window, bucket, counters) first: the program finds the
	 * circuit only once everything it needs is there. */
	memset(&st, 0, sizeof(st));
	err = errno_of(bpf_map_update_elem(sw->fd[M_STATE], &id, &st,
					   BPF_ANY));
	if (!err)
		err = errno_of(bpf_map_update_elem(sw->fd[M_CIRCUITS], &id, c,
						   BPF_NOEXIST));
	if (err)
		bpf_map_delete_elem(sw->fd[M_STATE], &id);
	return err;
}

int osm_switch_circuit_replace(struct osm_switch *sw,
			       const struct osm_circuit *c)
{
	if (!circuit_sound(c))
		return -EINVAL;
	return errno_of(bpf_map_update_elem(sw->fd[M_CIRCUITS], &c->id, c,
					    BPF_EXIST));
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
	int err;

	/* The circuit first: after this the program finds nothing. */
	err = errno_of(bpf_map_delete_elem(sw->fd[M_CIRCUITS], &id));
	if (err)
		return err;
	bpf_map_delete_elem(sw->fd[M_STATE], &id);
	return 0;
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
	/* The circuits first: after this the program finds none of them. */
	int err = del_batch(sw->fd[M_CIRCUITS], ids, n);

	if (err)
		return err;
	del_batch(sw->fd[M_STATE], ids, n);
	return 0;
}

int osm_switch_circuit_add_batch(struct osm_switch *sw,
				 const struct osm_circuit *c, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	struct osm_circuit_state *st = NULL;
	uint32_t *ids = NULL, i, cnt;
	int err = -ENOMEM;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (!circuit_sound(&c[i]))
			return -EINVAL;
	ids = malloc(n * sizeof(*ids));
	st = calloc(n, sizeof(*st));
	if (!ids || !st)
		goto out;
	for (i = 0; i < n; i++)
		ids[i] = c[i].id;
	/* State first: the program finds a circuit only once everything it
	 * needs is there. */
	cnt = n;
	err = errno_of(bpf_map_update_batch(sw->fd[M_STATE], ids, st, &cnt,
					    &o));
	cnt = n;
	if (!err)
		err = errno_of(bpf_map_update_batch(sw->fd[M_CIRCUITS], ids, c,
						    &cnt, &o));
	if (err)
		osm_switch_circuit_del_batch(sw, ids, n);
out:
	free(ids);
	free(st);
	return err;
}

int osm_switch_circuit_replace_batch(struct osm_switch *sw,
				     const struct osm_circuit *c, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	struct osm_circuit old;
	uint32_t *ids, i, cnt;
	int err = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		if (!circuit_sound(&c[i]))
			return -EINVAL;
		/* A batch update would create a missing one, stateless. */
		err = errno_of(bpf_map_lookup_elem(sw->fd[M_CIRCUITS],
						   &c[i].id, &old));
		sodium_memzero(&old, sizeof(old));
		if (err)
			return err;
	}
	ids = malloc(n * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = c[i].id;
	cnt = n;
	err = errno_of(bpf_map_update_batch(sw->fd[M_CIRCUITS], ids, c, &cnt,
					    &o));
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
	struct osm_circuit_state st = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	err = errno_of(bpf_map_lookup_elem(sw->fd[M_STATE], &id, &st));
	if (!err)
		*out = st.stats;
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
