// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Circuits between buildings (docs/protocol.md 11.9) on our side: each
 * open direction of a remote runs from its device's switch to the switch
 * that the peer's gateway hangs from, and through the gateway (osm-gw,
 * its control socket: osm-gw(8)) to the wide-area link, or back. The
 * store holds the remotes and peers; this file computes their map values
 * and gateway requests, opens and closes them, and talks to gateways. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sodium.h>
#include "engine_int.h"
#include "osm_hex.h"

/* ---- the gateway's control socket ------------------------------------- */

int osm_engine_gw_ask(const char *sock, const char *line, char *reply,
		      size_t cap)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct pollfd pf = { .events = POLLIN };
	size_t n = 0, len = strlen(line);
	char *nl = NULL;
	ssize_t r;
	int fd, err = 0;

	if (strlen(sock) >= sizeof(a.sun_path) || cap < 2)
		return -ENAMETOOLONG;
	strcpy(a.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	pf.fd = fd;
	/* Bounded, for the daemon's loop: a connect that would wait (the
	 * gateway's backlog full) fails at once; the reply may take 1 s,
	 * osm-gw answers at once: more is a gateway that hangs. */
	if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1)
		err = errno == EAGAIN ? -ETIMEDOUT : -errno;
	while (!err && !nl) {
		if (poll(&pf, 1, 1000) != 1) {
			err = -ETIMEDOUT;
			break;
		}
		r = read(fd, reply + n, cap - 1 - n);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r <= 0) {
			err = r ? -errno : -EPROTO;
			break;
		}
		n += (size_t)r;
		reply[n] = '\0';
		nl = strchr(reply, '\n');
		if (!nl && n == cap - 1)
			err = -EMSGSIZE;
	}
	close(fd);
	if (err)
		return err;
	*nl = '\0';
	if (!strncmp(reply, "ok", 2) && (!reply[2] || reply[2] == ' '))
		return 0;
	return strncmp(reply, "error ", 6) ? -EPROTO : 1;
}

/* ---- where a remote runs ----------------------------------------------- */

/* Peer p's gateway g, the switch c its inner port links to, and the
 * ports of that link on both (gp on g, cp on c). */
static int gateway_of(const struct osm_engine *e, const struct osmdb_peer *p,
		      int *g, int *c, int *cp)
{
	size_t i;

	*g = eng_sw_find(e, p->gateway);
	if (*g < 0 || e->sws[*g].r.kind != OSMDB_SW_GATEWAY)
		return OSMDB_EREF;
	for (i = e->sw_port0[*g]; i < e->sw_port0[*g] + e->sw_nport[*g]; i++)
		if (e->ports[i].peer >= 0) {
			*c = e->ports[i].peer;
			*cp = eng_uplink(e, *c, *g);
			return *cp < 0 ? OSM_ENGINE_ENOPATH : 0;
		}
	return OSM_ENGINE_ENOPATH;	/* its inner port links nowhere */
}

int eng_remote_path(struct osm_engine *e, const struct osmdb_remote *r,
		    const struct osmdb_peer *p, int dir, const int **hops,
		    unsigned *n)
{
	int di = eng_dev_find(e, r->device), g, c, cp;
	int err = di < 0 ? OSMDB_EREF : gateway_of(e, p, &g, &c, &cp);

	if (err)
		return err;
	return dir == OSMDB_REMOTE_SEND ?
	       eng_sw_path(e, e->devs[di].sw, c, hops, n) :
	       eng_sw_path(e, c, e->devs[di].sw, hops, n);
}

int eng_remote_expect(struct osm_engine *e, const struct osmdb_remote *r,
		      const struct osmdb_peer *p, int dir, unsigned hop,
		      const struct osm_keys *k, struct osm_circuit *out,
		      int *sw)
{
	int di = eng_dev_find(e, r->device), g, c, cp, in, eg, first, last;
	uint64_t rate, burst;
	const int *hops;
	unsigned n;
	int err = eng_remote_path(e, r, p, dir, &hops, &n) ?:
		  gateway_of(e, p, &g, &c, &cp);

	if (err)
		return err;
	if (hop >= n)
		return OSMDB_EREF;
	/* The device's port is the first hop's ingress going out, the
	 * last hop's egress coming in; the link to the gateway the other
	 * end. */
	first = dir == OSMDB_REMOTE_SEND ? e->devs[di].port : cp;
	last = dir == OSMDB_REMOTE_SEND ? cp : e->devs[di].port;
	err = eng_hop_inout(e, hops, n, hop, first, last, &in, &eg);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->id = r->id[dir];
	out->flags = OSM_CF_REMOTE;
	out->ingress_ifindex = e->ports[in].ifindex;
	out->egress_ifindex = e->ports[eg].ifindex;
	memcpy(out->src_mac, dir == OSMDB_REMOTE_SEND ? e->devs[di].r.mac :
	       r->peer_mac, 6);
	memcpy(out->dst_mac, dir == OSMDB_REMOTE_SEND ? r->peer_mac :
	       e->devs[di].r.mac, 6);
	eng_policy_rate(r->cls, &rate, &burst);
	out->rate = rate;
	out->burst = burst;
	eng_set_key(out, k->epoch, k->hop);
	*sw = hops[hop];
	return 0;
}

/* A gateway's answer err (osm_engine_gw_ask) as a code, with a line
 * naming the gateway in why: its error reply, or why it was not had. */
static int gw_why(const struct osmdb_peer *p, int err, const char *reply,
		  char *why, size_t cap)
{
	if (err == 1)
		snprintf(why, cap, "gateway %s: %s", p->gateway, reply + 6);
	else if (err)
		snprintf(why, cap, "gateway %s at %s: %s", p->gateway,
			 p->socket, strerror(-err));
	return err == 1 ? -EPROTO : err;
}

/* osm-gw's `circuit` request for remote r's direction dir (keys k). */
static int gw_line(const struct osm_engine *e, const struct osmdb_remote *r,
		   int dir, const struct osm_keys *k, char *line, size_t cap)
{
	int di = eng_dev_find(e, r->device);
	char src[18], dst[18], hop[2 * OSM_HOP_KEY_LEN + 1];
	uint64_t rate, burst;
	int n;

	if (di < 0)
		return OSMDB_EREF;
	osm_mac_format(src, dir == OSMDB_REMOTE_SEND ? e->devs[di].r.mac :
		       r->peer_mac);
	osm_mac_format(dst, dir == OSMDB_REMOTE_SEND ? r->peer_mac :
		       e->devs[di].r.mac);
	osm_hex_format(hop, k->hop, OSM_HOP_KEY_LEN);
	eng_policy_rate(r->cls, &rate, &burst);
	n = snprintf(line, cap, "circuit %u %s %s %s %s remote %llu %llu %u %s",
		     r->id[dir], dir == OSMDB_REMOTE_SEND ? "inner" : "outer",
		     dir == OSMDB_REMOTE_SEND ? "outer" : "inner", src, dst,
		     (unsigned long long)rate, (unsigned long long)burst,
		     k->epoch, hop);
	sodium_memzero(hop, sizeof(hop));
	return n < 0 || (size_t)n >= cap ? -EMSGSIZE : 0;
}

int eng_remote_gw_set(struct osm_engine *e, struct osmdb_txn *t,
		      const struct osmdb_remote *r, const struct osmdb_peer *p,
		      int dir, char *why, size_t cap)
{
	char line[320], reply[256];
	struct osm_keys k;
	int err = osmdb_remote_keys(t, r, dir, OSM_REMOTE_EPOCH, &k) ?:
		  gw_line(e, r, dir, &k, line, sizeof(line));

	sodium_memzero(&k, sizeof(k));
	if (!err)
		err = osm_engine_gw_ask(p->socket, line, reply, sizeof(reply));
	sodium_memzero(line, sizeof(line));
	return gw_why(p, err, reply, why, cap);
}

/* osm-gw's `peer` request for p: the pair secret, never our own. */
int eng_peer_gw_set(struct osm_engine *e, const struct osmdb_peer *p,
		    char *why, size_t cap)
{
	uint8_t self[32], P[32];
	char line[400], reply[256], mac[18], hs[65], hp[65], hP[65];
	int err = osmdb_peer_pair(e->st, p->pub, P);

	if (err)
		return err;
	osmdb_building_pub(e->st, self);
	osm_mac_format(mac, p->next_hop);
	osm_hex_format(hs, self, 32);
	osm_hex_format(hp, p->pub, 32);
	osm_hex_format(hP, P, 32);
	sodium_memzero(P, sizeof(P));
	snprintf(line, sizeof(line), "peer %s %s %s %s %s %u", p->endpoint,
		 mac, hs, hp, hP, p->epoch);
	sodium_memzero(hP, sizeof(hP));
	err = osm_engine_gw_ask(p->socket, line, reply, sizeof(reply));
	sodium_memzero(line, sizeof(line));
	return gw_why(p, err, reply, why, cap);
}

int eng_remote_gw_del(const struct osmdb_peer *p, uint32_t id)
{
	char line[32], reply[256];
	int err;

	snprintf(line, sizeof(line), "del %u", id);
	err = osm_engine_gw_ask(p->socket, line, reply, sizeof(reply));
	if (err == 1)	/* not there: gone all the same */
		return strncmp(reply, "error not-found", 15) ? -EPROTO : 0;
	return err;
}

/* ---- open and close ----------------------------------------------------- */

/* Direction dir of r on our switches: added (add) last hop first, or
 * deleted first hop first; offline switches skipped. */
static int switches(struct osm_engine *e, struct osmdb_txn *t,
		    const struct osmdb_remote *r, const struct osmdb_peer *p,
		    int dir, int add)
{
	struct osm_circuit v;
	struct osm_switch *h;
	struct osm_keys k;
	const int *hops;
	unsigned n, i, hop;
	int err = eng_remote_path(e, r, p, dir, &hops, &n), si;

	if (!err && add)
		err = osmdb_remote_keys(t, r, dir, OSM_REMOTE_EPOCH, &k);
	for (i = 0; !err && i < n; i++) {
		hop = add ? n - 1 - i : i;
		if (eng_offline(e, hops[hop]))
			continue;
		err = eng_sw_handle(e, hops[hop], &h);
		if (!err && add) {
			err = eng_remote_expect(e, r, p, dir, hop, &k, &v, &si);
			if (!err)
				err = osm_switch_circuit_add(h, &v);
			if (err == -EEXIST)
				err = osm_switch_circuit_replace(h, &v);
			sodium_memzero(&v, sizeof(v));
		} else if (!err) {
			err = osm_switch_circuit_del(h, r->id[dir]);
			err = err == -ENOENT ? 0 : err;
		}
	}
	if (add)
		sodium_memzero(&k, sizeof(k));
	return err;
}

/* Close what of r is open in the maps and the gateway: the ingress end
 * of each direction first, so that its frames die where they enter.
 * Only our switches' errors count: a direction gone from them carries
 * nothing (going out it stops at its first switch, coming in at the
 * switch after the gateway), and what the gateway keeps of it, if it
 * could not be told, is no open remote's for reconcile and the daemon's
 * watch, which take it out. */
static int take_down(struct osm_engine *e, struct osmdb_txn *t,
		     const struct osmdb_remote *r, const struct osmdb_peer *p)
{
	int err = 0, e2;

	if (r->dirs & 1 << OSMDB_REMOTE_SEND) {
		err = switches(e, t, r, p, OSMDB_REMOTE_SEND, 0);
		eng_remote_gw_del(p, r->id[OSMDB_REMOTE_SEND]);
	}
	if (r->dirs & 1 << OSMDB_REMOTE_RECV) {
		eng_remote_gw_del(p, r->id[OSMDB_REMOTE_RECV]);
		e2 = switches(e, t, r, p, OSMDB_REMOTE_RECV, 0);
		err = err ?: e2;
	}
	return err;
}

/* The gateway unreachable is no failure: it is configured when it comes
 * (reconcile); its counters say so meanwhile. */
static int gw_soft(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED ? 0 : err;
}

int osm_engine_remote_open(struct osm_engine *e, struct osmdb_remote *r,
			   char *why, size_t cap)
{
	struct osmdb_txn *t;
	struct osmdb_peer p;
	const int *hops;
	unsigned n;
	int err, dir;

	why[0] = '\0';
	err = osmdb_txn_begin(e->st, 0, &t);
	if (err)
		return err;
	err = osmdb_remote_add(t, r, why);
	if (err == -EADDRINUSE) {
		char other[OSMDB_NAME_MAX + 1];

		snprintf(other, sizeof(other), "%s", why);
		snprintf(why, cap, "remote %s: its circuit ids are those of "
			 "remote %s: choose another name", r->name, other);
	} else {
		why[0] = '\0';
	}
	if (!err)
		err = osmdb_peer_get(t, r->peer, &p);
	/* Every path first: nothing is installed for a remote that cannot
	 * run. */
	for (dir = 0; !err && dir < 2; dir++)
		if (r->dirs & 1 << dir)
			err = eng_remote_path(e, r, &p, dir, &hops, &n);
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	/* Each direction last hop first: out, the gateway before our
	 * switches; in, our switches before the gateway. */
	if (r->dirs & 1 << OSMDB_REMOTE_SEND)
		err = gw_soft(eng_remote_gw_set(e, t, r, &p, OSMDB_REMOTE_SEND,
						why, cap)) ?:
		      switches(e, t, r, &p, OSMDB_REMOTE_SEND, 1);
	if (!err && r->dirs & 1 << OSMDB_REMOTE_RECV)
		err = switches(e, t, r, &p, OSMDB_REMOTE_RECV, 1) ?:
		      gw_soft(eng_remote_gw_set(e, t, r, &p,
						OSMDB_REMOTE_RECV, why, cap));
	if (err) {
		take_down(e, t, r, &p);	/* nothing half-open */
		osmdb_txn_abort(t);
		return err;
	}
	err = osmdb_txn_commit(t);
	if (err)	/* not in the store: not open anywhere */
		take_down(e, NULL, r, &p);
	return err;
}

int osm_engine_remote_close(struct osm_engine *e, const char *name,
			    struct osmdb_remote *out)
{
	struct osmdb_txn *t;
	struct osmdb_peer p;
	int err = osmdb_txn_begin(e->st, 0, &t);

	if (err)
		return err;
	err = osmdb_remote_get(t, name, out) ?:
	      osmdb_peer_get(t, out->peer, &p);
	/* The maps first: a remote closed in the store is closed. */
	if (!err)
		err = take_down(e, t, out, &p);
	if (!err)
		err = osmdb_remote_close(t, name);
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	return osmdb_txn_commit(t);
}

int osm_engine_peer_add(struct osm_engine *e, struct osmdb_peer *p,
			char *why, size_t cap)
{
	struct osmdb_txn *t;
	int err = osmdb_txn_begin(e->st, 0, &t);

	why[0] = '\0';
	if (err)
		return err;
	err = osmdb_peer_add(t, p, why);
	if (err == -EBUSY || err == -EADDRINUSE) {
		char other[OSMDB_NAME_MAX + 1];

		snprintf(other, sizeof(other), "%s", why);
		if (err == -EBUSY)
			snprintf(why, cap, "gateway %s links to peer %s "
				 "already (an osm-gw holds one link)",
				 p->gateway, other);
		else
			snprintf(why, cap, "peer %s has that key already",
				 other);
	} else {
		why[0] = '\0';
	}
	if (!err)
		err = gw_soft(eng_peer_gw_set(e, p, why, cap));
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	return osmdb_txn_commit(t);
}

int osm_engine_peer_epoch(struct osm_engine *e, const char *name,
			  uint32_t epoch, char *why, size_t cap)
{
	struct osmdb_txn *t;
	struct osmdb_peer p;
	int err = osmdb_txn_begin(e->st, 0, &t);

	why[0] = '\0';
	if (err)
		return err;
	err = osmdb_peer_epoch(t, name, epoch) ?: osmdb_peer_get(t, name, &p);
	if (!err)
		err = gw_soft(eng_peer_gw_set(e, &p, why, cap));
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	return osmdb_txn_commit(t);
}

int osm_engine_peer_del(struct osm_engine *e, const char *name)
{
	struct osmdb_txn *t;
	struct osmdb_peer p;
	char reply[256];
	int err = osmdb_txn_begin(e->st, 0, &t);

	if (err)
		return err;
	err = osmdb_peer_get(t, name, &p) ?: osmdb_peer_del(t, name);
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	err = osmdb_txn_commit(t);
	if (err)
		return err;
	/* Its gateway drops the link (wiping the pair secret); one that
	 * does not answer has none after its next start. */
	osm_engine_gw_ask(p.socket, "unpeer", reply, sizeof(reply));
	return 0;
}

/* ---- all of them, for reconcile and verify ------------------------------ */

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, (*cap ? 2 * *cap : 8) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = *cap ? 2 * *cap : 8;
	return 0;
}

static int peer_cb(const void *rec, void *arg)
{
	struct eng_remotes *rs = arg;
	int err = grow((void **)&rs->p, &rs->cap_p, rs->n_p, sizeof(*rs->p));

	if (!err)
		rs->p[rs->n_p++] = *(const struct osmdb_peer *)rec;
	return err;
}

static int remote_cb(const void *rec, void *arg)
{
	struct eng_remotes *rs = arg;
	int err = grow((void **)&rs->r, &rs->cap_r, rs->n_r, sizeof(*rs->r));

	if (!err)
		rs->r[rs->n_r++] = *(const struct osmdb_remote *)rec;
	return err;
}

int eng_remotes_load(struct osmdb_txn *t, struct eng_remotes *rs)
{
	memset(rs, 0, sizeof(*rs));
	return osmdb_peer_foreach(t, peer_cb, rs) ?:
	       osmdb_remote_foreach(t, remote_cb, rs);
}

void eng_remotes_free(struct eng_remotes *rs)
{
	free(rs->p);
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

const struct osmdb_peer *eng_remote_peer(const struct eng_remotes *rs,
					 const struct osmdb_remote *r)
{
	size_t i;

	for (i = 0; i < rs->n_p; i++)
		if (!strcmp(rs->p[i].name, r->peer))
			return &rs->p[i];
	return NULL;
}

int eng_remote_on(struct osm_engine *e, const struct eng_remotes *rs,
		  uint32_t id, int si)
{
	const struct osmdb_peer *p;
	const int *hops;
	unsigned i, n;
	size_t k;
	int dir;

	for (k = 0; k < rs->n_r; k++) {
		if ((rs->r[k].id[0] | 1) != (id | 1))
			continue;
		dir = rs->r[k].id[0] == id ? 0 : 1;
		p = eng_remote_peer(rs, &rs->r[k]);
		if (!(rs->r[k].dirs & 1 << dir) || !p ||
		    eng_remote_path(e, &rs->r[k], p, dir, &hops, &n))
			return 0;
		for (i = 0; i < n; i++)
			if (hops[i] == si)
				return 1;
		return 0;
	}
	return 0;
}
