// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The map value each circuit should have on each switch of its path.
 * Data circuits come from their store record. Control circuits
 * (docs/protocol.md 7.1): with a controller, every device of the topology
 * has two, up (device to controller) and down, between its
 * port and the building's management port, keyed from its long-term key
 * at the join epoch and at its last session's (docs/protocol.md 8.1).
 * They do not depend on who is present, so they are not in the store:
 * reconcile installs them from the topology and the device's session. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "engine_int.h"

int eng_expect(struct osm_engine *e, const struct osmdb_rec_circuit *c,
	       unsigned hop, const uint8_t hop_key[OSM_HOP_KEY_LEN],
	       struct osm_circuit *out, int *sw)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	int si, in, eg;
	uint64_t now;

	if (s < 0 || d < 0 || hop >= c->n_path)
		return OSMDB_EREF;
	eng_hop_ports(e, c, hop, s, d, &si, &in, &eg);
	if (si < 0)
		return OSMDB_EREF;
	if (in < 0 || eg < 0 || !e->ports[in].ifindex ||
	    !e->ports[eg].ifindex)
		return OSM_ENGINE_ENOPORT;
	memset(out, 0, sizeof(*out));
	out->id = c->id;
	out->flags = c->flags & (OSM_CF_REMOTE | OSM_CF_CTRL);
	/* A port down anywhere on the path: the circuit is down on every
	 * switch, so its frames die where they enter. */
	if (eng_circuit_down(e, c, -1))
		out->flags |= OSM_CF_DOWN;
	out->ingress_ifindex = e->ports[in].ifindex;
	out->egress_ifindex = e->ports[eg].ifindex;
	memcpy(out->src_mac, e->devs[s].r.mac, 6);
	memcpy(out->dst_mac, e->devs[d].r.mac, 6);
	out->rate = c->rate;
	out->burst = c->burst;
	if (c->lease_ns) {
		/* The store keeps wall-clock time, the fast path monotonic;
		 * truncated to seconds so that recomputing it agrees. */
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		now = (uint64_t)rt.tv_sec * 1000000000ULL;
		out->expires_ns = c->lease_ns <= now ? 1 :
			(eng_now_ns() + c->lease_ns - now) /
			1000000000ULL * 1000000000ULL;
	}
	eng_set_key(out, c->epoch, hop_key);
	*sw = si;
	return 0;
}

int eng_ctrl_path(struct osm_engine *e, int di, int dir, const int **hops,
		  unsigned *n)
{
	int dev = e->devs[di].sw, mgmt = e->ports[e->mgmt].sw;

	return dir == OSM_CTRL_UP ? eng_sw_path(e, dev, mgmt, hops, n) :
				    eng_sw_path(e, mgmt, dev, hops, n);
}

int osm_engine_ctrl_keys(struct osm_engine *e, int di, int dir,
			 uint32_t epoch, struct osm_keys *k)
{
	uint8_t devkey[OSM_DEVICE_KEY_LEN];
	int err = osmdb_device_key(e->st, e->devs[di].r.id, devkey);

	if (err)
		return err;
	osm_kdf_ctrl(k, devkey, dir, epoch);
	sodium_memzero(devkey, sizeof(devkey));
	return 0;
}

void eng_set_key(struct osm_circuit *out, uint32_t epoch,
		 const uint8_t hop_key[OSM_HOP_KEY_LEN])
{
	struct osm_key_slot *ks = &out->key[osm_epoch_slot(epoch)];

	ks->epoch = epoch;
	ks->valid = 1;
	memcpy(ks->hop_key, hop_key, OSM_HOP_KEY_LEN);
}

int eng_hop_inout(const struct osm_engine *e, const int *hops, unsigned n,
		  unsigned hop, int first, int last, int *in, int *eg)
{
	*in = hop ? eng_uplink(e, hops[hop], hops[hop - 1]) : first;
	*eg = hop + 1 < n ? eng_uplink(e, hops[hop], hops[hop + 1]) : last;
	if (*in < 0 || *eg < 0 || !e->ports[*in].ifindex ||
	    !e->ports[*eg].ifindex)
		return OSM_ENGINE_ENOPORT;
	return 0;
}

int eng_ctrl_expect(struct osm_engine *e, int di, int dir, unsigned hop,
		    const struct osm_keys *join, const struct osm_keys *sess,
		    struct osm_circuit *out, int *sw)
{
	const struct eng_dev *d = &e->devs[di];
	const int *hops;
	unsigned n;
	int err, in, eg, first, last;

	err = eng_ctrl_path(e, di, dir, &hops, &n);
	if (err)
		return err;
	if (hop >= n)
		return OSMDB_EREF;
	/* The device's port is the first hop's ingress going up, the last
	 * hop's egress coming down; the management port the other end. */
	first = dir == OSM_CTRL_UP ? d->port : e->mgmt;
	last = dir == OSM_CTRL_UP ? e->mgmt : d->port;
	err = eng_hop_inout(e, hops, n, hop, first, last, &in, &eg);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->id = osm_ctrl_circuit(d->r.id, dir);
	out->flags = OSM_CF_CTRL;
	out->ingress_ifindex = e->ports[in].ifindex;
	out->egress_ifindex = e->ports[eg].ifindex;
	memcpy(out->src_mac, dir == OSM_CTRL_UP ? d->r.mac : e->ctl_mac, 6);
	memcpy(out->dst_mac, dir == OSM_CTRL_UP ? e->ctl_mac : d->r.mac, 6);
	/* 64 kB/s; a device that just joined gets a burst of KEY_UPDATEs:
	 * room for 64 of them at once. */
	out->rate = 64000;
	out->burst = 64 * 256;
	eng_set_key(out, join->epoch, join->hop);
	if (sess)
		eng_set_key(out, sess->epoch, sess->hop);
	*sw = hops[hop];
	return 0;
}

int osm_engine_ctrl_device(const struct osm_engine *e, uint32_t id, int *dir)
{
	if (!osm_circuit_is_ctrl(id))
		return -1;
	*dir = osm_ctrl_dir(id);
	return eng_dev_find(e, osm_ctrl_device(id));
}

int eng_ctrl_on(struct osm_engine *e, uint32_t id, int si)
{
	const int *hops;
	unsigned i, n;
	int dir, di = osm_engine_ctrl_device(e, id, &dir);

	if (di < 0 || eng_ctrl_path(e, di, dir, &hops, &n))
		return 0;
	for (i = 0; i < n; i++)
		if (hops[i] == si)
			return 1;
	return 0;
}
