// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The controller's end of the devices' control circuits: frames in over
 * AF_PACKET on the controller's interface (HELLO, PRESENCE, ACK), frames
 * out (ACK, KEY_UPDATE, REJOIN) with a retry queue; sessions
 * (docs/protocol.md 8.1): its run in the store, numbering its frames, and
 * each device's last session, accepted only when above the stored one.
 * Keys live here only while a message waits for its ACK, and are wiped
 * then. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "controller.h"
#include "engine.h"
#include "osm_msg.h"
#include "osm_packet.h"

#define MS		1000000ULL
#define RETRY_NS	(100 * MS)	/* docs/protocol.md 8: 10 times, */
#define RETRIES		10
#define SLOW_RETRY_NS	(1000 * MS)	/* then once a second */
#define SEQS		16		/* numbers of a message remembered */
#define REJOIN_NS	(1000 * MS)	/* at most a REJOIN a second */
#define REJOIN_IDLE_NS	(2000 * MS)	/* unjoined devices, asked again */
#define FRAME_MAX	(OSM_FRAME_HDR_LEN + 128)

/* A device's end at the controller: its up circuit (receive: the join
 * epoch's keys, and the session's once accepted) and down circuit (send:
 * the join epoch's keys until the device has ACKed the session's), made
 * on its first frame or message; the session accepted from it in this
 * run (0: none yet) and the last it joined with before (from the store);
 * gate: the id of the session's down key on its way to the device, which
 * the rest of what is queued for it waits for (docs/protocol.md 8.1). */
struct ctl_dev {
	int ready;
	uint32_t session, stored;
	uint64_t rejoin_ns;		/* last REJOIN sent */
	uint64_t gate;
	struct osm_rx up;
	struct osm_tx down;
};

/* A message waiting for its ACK: the numbers of the last SEQS frames
 * that carried it; after: the id of a message that must be ACKed (or
 * have had its quick retries) first. */
struct pending {
	int dev;
	unsigned tries;
	uint64_t id, after;
	uint32_t retire, retire_epoch;	/* circuit, old epoch to retire
					 * once this TX is taken (0: none) */
	uint64_t due_ns, first_ns, queued_ns;
	uint64_t seq[SEQS];
	struct osm_msg m;
};

struct osm_ctl {
	int fd;
	uint8_t mac[6];
	struct osm_engine *e;
	struct osmdb *st;
	struct ctl_dev *devs;		/* by engine device index */
	size_t n_devs;
	struct pending *q;
	size_t nq, capq;
	uint64_t next_id;
	uint32_t run;			/* this run (docs/protocol.md 8.1) */
	struct osm_ctl_stats stats;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int osm_ctl_open_fd(struct osm_ctl **out, int fd, const uint8_t mac[6])
{
	struct osm_ctl *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->fd = fd;
	memcpy(c->mac, mac, 6);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	*out = c;
	return 0;
}

int osm_ctl_open(struct osm_ctl **out, const char *ifname, const char *netns,
		 uint8_t mac[6])
{
	char path[300];
	int home = -1, fd = -1, pfd = -1, err = 0;

	*out = NULL;
	if (netns) {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET))
			err = -errno;
	}
	/* The socket stays bound to the namespace it was made in. */
	if (!err) {
		pfd = osm_pkt_open(ifname, 0, mac);
		if (pfd < 0)
			err = pfd;
	}
	if (fd >= 0 && !err && setns(home, CLONE_NEWNET))
		abort();
	if (fd >= 0)
		close(fd);
	if (home >= 0)
		close(home);
	if (!err && (err = osm_ctl_open_fd(out, pfd, mac)))
		close(pfd);
	return err;
}

/* The old epoch p's key replaces goes from the switches: the sender took
 * its new key, or no longer keeps it waiting (not when stopping: the
 * next start reconciles). */
static void retire(struct osm_ctl *c, struct pending *p)
{
	if (p->retire && c->e)
		osm_engine_retire(c->e, p->retire, p->retire_epoch);
	p->retire = 0;
}

static void drop_pending(struct osm_ctl *c, size_t i)
{
	retire(c, &c->q[i]);
	sodium_memzero(&c->q[i].m, sizeof(c->q[i].m));
	c->q[i] = c->q[--c->nq];
	sodium_memzero(&c->q[c->nq], sizeof(c->q[c->nq]));
}

static void devs_free(struct osm_ctl *c)
{
	if (c->devs)	/* wipes and unlocks */
		sodium_munlock(c->devs, (c->n_devs + 1) * sizeof(*c->devs));
	free(c->devs);
	c->devs = NULL;
	while (c->nq)
		drop_pending(c, c->nq - 1);
}

void osm_ctl_close(struct osm_ctl *c)
{
	if (!c)
		return;
	c->e = NULL;	/* stopping: no map changes (the next start
			 * reconciles) */
	devs_free(c);
	free(c->q);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int osm_ctl_fd(const struct osm_ctl *c)
{
	return c->fd;
}

void osm_ctl_stats(const struct osm_ctl *c, struct osm_ctl_stats *out)
{
	*out = c->stats;
}

/* Device di's control ends, made on first use. */
static struct ctl_dev *dev(struct osm_ctl *c, int di)
{
	struct ctl_dev *d = &c->devs[di];
	struct osm_keys k;

	if (d->ready)
		return d;
	if (osm_engine_ctrl_keys(c->e, di, OSM_CTRL_UP, OSM_CTRL_JOIN_EPOCH,
				 &k))
		return NULL;
	d->up.circuit = osm_ctrl_circuit(osm_engine_device(c->e, di)->id,
					 OSM_CTRL_UP);
	osm_rx_set_keys(&d->up, &k);
	/* and its last session's, as on the switches: a frame of it is
	 * opened, counted stale and answered by a REJOIN */
	if (d->stored && !osm_engine_ctrl_keys(c->e, di, OSM_CTRL_UP,
					       osm_ctrl_epoch(d->stored), &k))
		osm_rx_set_keys(&d->up, &k);
	if (osm_engine_ctrl_keys(c->e, di, OSM_CTRL_DOWN, OSM_CTRL_JOIN_EPOCH,
				 &d->down.keys)) {
		sodium_memzero(&k, sizeof(k));
		return NULL;
	}
	d->down.circuit = osm_ctrl_circuit(osm_engine_device(c->e, di)->id,
					   OSM_CTRL_DOWN);
	d->down.type = OSM_T_CTRL;
	memcpy(d->down.src, c->mac, 6);
	memcpy(d->down.dst, osm_engine_device(c->e, di)->mac, 6);
	d->down.next_seq = osm_session_seq(c->run);
	sodium_memzero(&k, sizeof(k));
	d->ready = 1;
	return d;
}

/* Seal m on device di's down circuit and send it; *seq gets its number. */
static int send_msg(struct osm_ctl *c, int di, const struct osm_msg *m,
		    uint64_t *seq)
{
	uint8_t plain[128], frame[FRAME_MAX];
	struct ctl_dev *d = c->run ? dev(c, di) : NULL;
	int n, len;

	if (!d)
		return -ENOKEY;
	/* the run's numbers are used up: a number never repeats, so
	 * nothing more is sent to it until the next run */
	if ((uint32_t)d->down.next_seq == 0xffffffffu)
		return -EOVERFLOW;
	n = osm_msg_encode(m, plain, sizeof(plain));
	if (n < 0)
		return n;
	*seq = d->down.next_seq;
	len = osm_seal(&d->down, plain, (size_t)n, frame, sizeof(frame));
	sodium_memzero(plain, sizeof(plain));
	if (len < 0)
		return len;
	c->stats.sent++;
	return osm_pkt_send(c->fd, frame, (size_t)len);
}

/* Forget what is queued for device di (about circuit cid only, if it is
 * not OSM_CIRCUIT_ANY). */
#define OSM_CIRCUIT_ANY	0xffffffffu
static void forget_queued(struct osm_ctl *c, int di, uint32_t cid)
{
	size_t i = 0;

	while (i < c->nq) {
		if (c->q[i].dev == di &&
		    (cid == OSM_CIRCUIT_ANY ||
		     (c->q[i].m.type == OSM_MSG_KEY_UPDATE &&
		      c->q[i].m.u.key.circuit == cid)))
			drop_pending(c, i);
		else
			i++;
	}
}

/* Queue m for device di, sent once message after is done (0: at once);
 * a newer KEY_UPDATE of a circuit replaces one still queued. Returns its
 * id, 0 if out of memory. */
static uint64_t queue(struct osm_ctl *c, int di, const struct osm_msg *m,
		      uint64_t after)
{
	struct pending *p;

	uint32_t retire = 0, retire_epoch = 0;
	size_t i;

	if (m->type == OSM_MSG_KEY_UPDATE) {
		/* a replaced TX hands its old epoch on: that epoch retires
		 * when the newer key is taken, not now */
		for (i = 0; i < c->nq; i++)
			if (c->q[i].dev == di && c->q[i].retire &&
			    c->q[i].m.type == OSM_MSG_KEY_UPDATE &&
			    c->q[i].m.u.key.circuit == m->u.key.circuit) {
				retire = c->q[i].retire;
				retire_epoch = c->q[i].retire_epoch;
				c->q[i].retire = 0;
			}
		forget_queued(c, di, m->u.key.circuit);
	}
	if (c->nq == c->capq) {
		size_t cap = c->capq ? 2 * c->capq : 64;

		p = realloc(c->q, cap * sizeof(*p));
		if (!p)
			return 0;
		c->q = p;
		c->capq = cap;
	}
	p = &c->q[c->nq++];
	memset(p, 0, sizeof(*p));
	p->dev = di;
	p->m = *m;
	p->id = ++c->next_id;
	p->after = after;
	p->due_ns = p->queued_ns = now_ns();
	p->retire = retire;
	p->retire_epoch = retire_epoch;
	return p->id;
}

/* Message id, still waiting for its ACK; NULL if none. */
static const struct pending *find(const struct osm_ctl *c, uint64_t id)
{
	size_t i;

	for (i = 0; id && i < c->nq; i++)
		if (c->q[i].id == id)
			return &c->q[i];
	return NULL;
}

/* Message id is still waiting for its ACK, within its quick retries
 * (or, held back unsent, within the time they would take: a receiver
 * that has not taken its session's down key keeps no sender waiting). */
static int waiting(const struct osm_ctl *c, uint64_t id, uint64_t now)
{
	const struct pending *p = find(c, id);

	return p && p->tries <= RETRIES &&
	       now - p->queued_ns <= (RETRIES + 1) * RETRY_NS;
}

/* A KEY_UPDATE for device (by id) about circuit cid, once message after
 * is done. Returns its id (0 if not queued). */
static uint64_t key_update(struct osm_ctl *c, uint32_t dev_id, uint32_t cid,
			   uint8_t op, const struct osm_keys *k,
			   uint64_t after)
{
	struct osm_msg m = { .type = OSM_MSG_KEY_UPDATE };
	int di = osm_engine_device_index(c->e, dev_id);
	uint64_t id;

	/* Only to a device in a session of this run: one that joins later
	 * gets every key it should hold then, in answer to its HELLO (and
	 * a device that never speaks the protocol is not waited for). */
	if (di < 0 || !c->devs[di].session)
		return 0;
	m.u.key.circuit = cid;
	m.u.key.op = op;
	if (k) {
		m.u.key.epoch = k->epoch;
		memcpy(m.u.key.hop, k->hop, sizeof(m.u.key.hop));
		memcpy(m.u.key.e2e, k->e2e, sizeof(m.u.key.e2e));
	}
	id = queue(c, di, &m, after);
	sodium_memzero(&m, sizeof(m));
	return id;
}

/* The engine committed a change: the devices at both ends learn it. A
 * new epoch goes to the receiver first, and to the sender once the
 * receiver has ACKed it (or had its quick retries: a receiver that does
 * not answer must not keep the sender on an old key for ever):
 * docs/protocol.md 7.2. */
static void on_change(void *arg, unsigned op,
		      const struct osmdb_rec_circuit *rc)
{
	struct osm_ctl *c = arg;
	struct osmdb_txn *t;
	struct osm_keys k;
	uint64_t rx, tx;
	uint32_t old;
	size_t i;

	if (op == OSM_CH_DEL) {
		key_update(c, rc->src_dev, rc->id, OSM_KEY_REMOVE, NULL, 0);
		key_update(c, rc->dst_dev, rc->id, OSM_KEY_REMOVE, NULL, 0);
		return;
	}
	if (osmdb_txn_begin(c->st, OSMDB_TXN_RDONLY, &t))
		return;
	if (!osmdb_circuit_keys(t, rc->id, rc->epoch, &k)) {
		rx = key_update(c, rc->dst_dev, rc->id, OSM_KEY_RX, &k, 0);
		tx = key_update(c, rc->src_dev, rc->id, OSM_KEY_TX, &k, rx);
		sodium_memzero(&k, sizeof(k));
		/* a rotation's old epoch retires once the sender has its
		 * new key; at once if it is not a device we deliver to */
		old = op == OSM_CH_ROTATE ? osm_engine_retiring(c->e, rc->id) :
		      0;
		if (old && !tx)
			osm_engine_retire(c->e, rc->id, old);
		for (i = 0; old && tx && i < c->nq; i++)
			if (c->q[i].id == tx) {	/* the latest old epoch */
				c->q[i].retire = rc->id;
				c->q[i].retire_epoch = old;
			}
	}
	osmdb_txn_abort(t);
}

/* "Start a new session" to device di, at most once a REJOIN_NS. */
static void rejoin(struct osm_ctl *c, int di, uint64_t now)
{
	struct osm_msg m = { .type = OSM_MSG_ACK };
	uint64_t seq;

	if (di < 0 || (c->devs[di].rejoin_ns &&
			now - c->devs[di].rejoin_ns < REJOIN_NS))
		return;
	c->devs[di].rejoin_ns = now;	/* also if it cannot be sent */
	m.u.ack.status = OSM_ACK_REJOIN;
	if (!send_msg(c, di, &m, &seq))
		c->stats.rejoin++;
}

int osm_ctl_attach(struct osm_ctl *c, struct osm_engine *e,
		   struct osmdb *st)
{
	struct osmdb_txn *t;
	uint32_t run = 0;
	size_t i;
	int err;

	devs_free(c);
	c->e = e;
	c->st = st;
	c->n_devs = osm_engine_n_devices(e);
	c->devs = calloc(c->n_devs + 1, sizeof(*c->devs));
	if (!c->devs)
		return -ENOMEM;
	/* every device's control keys, for the daemon's life: never swapped */
	if (sodium_mlock(c->devs, (c->n_devs + 1) * sizeof(*c->devs)) < 0) {
		free(c->devs);
		c->devs = NULL;
		return -errno;
	}
	/* A new run before anything is sent: its numbers are above every
	 * one sent before (docs/protocol.md 8.1). */
	c->run = 0;	/* no frame is sent until a run is stored */
	err = osmdb_txn_begin(st, 0, &t);
	if (!err) {
		err = osmdb_ctl_run_next(t, &run);
		for (i = 0; !err && i < c->n_devs; i++)
			err = osmdb_device_session(t, osm_engine_device(e,
						   (int)i)->id,
						   &c->devs[i].stored);
		err = err ? (osmdb_txn_abort(t), err) : osmdb_txn_commit(t);
	}
	if (err)
		return err;
	c->run = run;
	osm_engine_on_change(e, on_change, c);
	osm_engine_defer_retire(e, 1);
	/* Devices that joined before: their sessions are not accepted in
	 * this run; each is asked to start a new one (osm_ctl_tick). */
	return 0;
}

void osm_ctl_set_store(struct osm_ctl *c, struct osmdb *st)
{
	c->st = st;
}

/* The device took its down key of the session (the gate's RX): the
 * controller seals with it from now on. */
static void down_key_taken(struct osm_ctl *c, int di, const struct osm_msg *m)
{
	struct osm_keys *k = &c->devs[di].down.keys;

	k->epoch = m->u.key.epoch;
	memcpy(k->hop, m->u.key.hop, sizeof(k->hop));
	memcpy(k->e2e, m->u.key.e2e, sizeof(k->e2e));
	c->devs[di].gate = 0;
}

/* A message to a device waits while the session's down key is on its
 * way to it: what the device gets in a session but its answers (ACKs)
 * is sealed under the session's keys. */
static int gated(const struct osm_ctl *c, const struct pending *p)
{
	uint64_t gate = c->devs[p->dev].gate;

	return gate && p->id != gate &&
	       !(p->m.type == OSM_MSG_KEY_UPDATE &&
		 osm_circuit_is_ctrl(p->m.u.key.circuit)) && find(c, gate);
}

/* Session keys for device di's control circuits (docs/protocol.md 8.1),
 * once its new session is stored: on the switches and for the up circuit
 * here at once, then to the device, its down key (RX) first in line;
 * until it has taken that, the down circuit stays on the join epoch,
 * the one key the device is sure to hold. */
static int session_keys(struct osm_ctl *c, int di, struct ctl_dev *d)
{
	uint32_t epoch = osm_ctrl_epoch(d->session);
	uint32_t id = osm_engine_device(c->e, di)->id;
	struct osm_keys k, kd;
	int err;

	d->gate = 0;
	err = osm_engine_ctrl_keys(c->e, di, OSM_CTRL_DOWN,
				   OSM_CTRL_JOIN_EPOCH, &d->down.keys) ?:
	      osm_engine_ctrl_install(c->e, di) ?:
	      osm_engine_ctrl_keys(c->e, di, OSM_CTRL_UP, epoch, &k);
	if (err)
		return err;
	osm_rx_set_keys(&d->up, &k);
	err = osm_engine_ctrl_keys(c->e, di, OSM_CTRL_DOWN, epoch, &kd);
	if (!err) {
		d->gate = key_update(c, id, d->down.circuit, OSM_KEY_RX, &kd,
				     0);
		/* the up key goes along: the switches and this end hold it
		 * already */
		key_update(c, id, d->up.circuit, OSM_KEY_TX, &k, 0);
	}
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(&kd, sizeof(kd));
	return err;
}

/* HELLO: the keys of every circuit the device is an end of. */
struct hello {
	struct osm_ctl *c;
	uint32_t id;
};

static int hello_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *rc = rec;
	struct hello *h = arg;

	if (rc->src_dev == h->id || rc->dst_dev == h->id)
		on_change(h->c, OSM_CH_ADD, rc);
	return 0;
}

void osm_ctl_remote(struct osm_ctl *c, const struct osmdb_remote *r,
		    unsigned op)
{
	struct osmdb_txn *t;
	struct osm_keys k;
	int dir;

	if (op != OSM_CH_DEL && osmdb_txn_begin(c->st, OSMDB_TXN_RDONLY, &t))
		return;
	for (dir = OSMDB_REMOTE_SEND; dir <= OSMDB_REMOTE_RECV; dir++) {
		if (!(r->dirs & 1 << dir))
			continue;
		if (op == OSM_CH_DEL) {
			key_update(c, r->device, r->id[dir], OSM_KEY_REMOVE,
				   NULL, 0);
		} else if (!osmdb_remote_keys(t, r, dir, 1, &k)) {
			key_update(c, r->device, r->id[dir],
				   dir == OSMDB_REMOTE_SEND ? OSM_KEY_TX :
				   OSM_KEY_RX, &k, 0);
			sodium_memzero(&k, sizeof(k));
		}
	}
	if (op != OSM_CH_DEL)
		osmdb_txn_abort(t);
}

/* HELLO: the remote circuits of the device too. */
static int hello_remote_cb(const void *rec, void *arg)
{
	const struct osmdb_remote *r = rec;
	struct hello *h = arg;

	if (r->device == h->id)
		osm_ctl_remote(h->c, r, OSM_CH_ADD);
	return 0;
}

static void ack(struct osm_ctl *c, int di, uint64_t seq, uint8_t status)
{
	struct osm_msg m = { .type = OSM_MSG_ACK };
	uint64_t s;

	m.u.ack.seq = seq;
	m.u.ack.status = status;
	send_msg(c, di, &m, &s);
}

static void presence(struct osm_ctl *c, int di, const struct osm_frame *f,
		     const struct osm_msg *m,
		     void (*on_event)(const struct osm_engine_event *, void *),
		     void *arg)
{
	struct osm_engine_event *ev = calloc(1, sizeof(*ev));
	char name[OSM_BADGE_MAX + 1];
	const char *room = osm_engine_device_room(c->e, di);
	int err;

	c->stats.presence++;
	memcpy(name, m->u.presence.badge, m->u.presence.badge_len);
	name[m->u.presence.badge_len] = '\0';
	if (!ev || !osmdb_name_ok(name) || !room) {
		free(ev);
		ack(c, di, f->seq, OSM_DROP_MALFORMED);
		return;
	}
	/* The badge names the person; the reader's room is where they are. */
	err = osm_engine_event(c->e, m->u.presence.event == OSM_PRESENCE_ENTER ?
			       OSM_EV_ENTER : OSM_EV_LEAVE, name,
			       m->u.presence.event == OSM_PRESENCE_ENTER ?
			       room : NULL, 0, ev);
	/* a PRESENCE sent again after it was applied (its ACK lost) finds
	 * the person in that room already: applied */
	ack(c, di, f->seq, err == OSM_ENGINE_ENOPERSON ? OSM_DROP_UNKNOWN :
		err == OSM_ENGINE_ESAMEROOM || !err ? OSM_OK :
		OSM_DROP_MALFORMED);
	if (on_event && err != OSM_ENGINE_ESAMEROOM)
		on_event(ev, arg);
	free(ev);
}

static void message(struct osm_ctl *c, int di, const struct osm_frame *f,
		    const struct osm_msg *m,
		    void (*on_event)(const struct osm_engine_event *, void *),
		    void *arg)
{
	struct osmdb_txn *t;
	size_t i;
	unsigned k;
	int gate;

	switch (m->type) {
	case OSM_MSG_HELLO:	/* its device id checked already */
		c->stats.hello++;
		ack(c, di, f->seq, OSM_OK);
		if (!osmdb_txn_begin(c->st, OSMDB_TXN_RDONLY, &t)) {
			struct hello h = { c, osm_engine_device(c->e, di)->id };

			osmdb_foreach(t, OSMDB_TAB_CIRCUITS, hello_cb, &h);
			osmdb_remote_foreach(t, hello_remote_cb, &h);
			osmdb_txn_abort(t);
		}
		return;
	case OSM_MSG_PRESENCE:
		presence(c, di, f, m, on_event, arg);
		return;
	case OSM_MSG_ACK:
		c->stats.acks++;
		for (i = 0; i < c->nq; i++) {
			if (c->q[i].dev != di)
				continue;
			for (k = 0; k < SEQS; k++)
				if (c->q[i].seq[k] == m->u.ack.seq &&
				    m->u.ack.seq)
					break;
			if (k < SEQS) {
				/* the session's down key, taken */
				gate = c->q[i].id == c->devs[di].gate &&
				       m->u.ack.status == OSM_OK;
				if (gate)
					down_key_taken(c, di, &c->q[i].m);
				/* what waited for it goes now, not at its
				 * next look */
				for (k = 0; k < c->nq; k++)
					if (c->q[k].after == c->q[i].id ||
					    (gate && c->q[k].dev == di))
						c->q[k].due_ns = 0;
				drop_pending(c, i);
				return;
			}
		}
		return;
	default:
		c->stats.rx_bad++;	/* KEY_UPDATE is ours to send */
	}
}

/* docs/protocol.md 8.1: a HELLO of a session above the stored one starts
 * it (stored first); frames of the session accepted in this run go on;
 * anything else is stale, answered by a REJOIN. */
static int session_ok(struct osm_ctl *c, int di, struct ctl_dev *d,
		      const struct osm_frame *f, const struct osm_msg *m)
{
	uint32_t s = osm_seq_session(f->seq), id;
	struct osmdb_txn *t;
	unsigned n = 0;
	int err;

	if (s && s == d->session)
		return 1;
	if (m->type == OSM_MSG_HELLO && s > d->stored) {
		id = osm_engine_device(c->e, di)->id;
		err = osmdb_txn_begin(c->st, 0, &t);
		if (!err) {
			err = osmdb_device_session_put(t, id, s);
			err = err ? (osmdb_txn_abort(t), err) :
				    osmdb_txn_commit(t);
		}
		if (err) {
			c->stats.rx_bad++;	/* not stored: not started */
			return 0;
		}
		d->stored = d->session = s;
		/* the window starts at the HELLO: older frames are stale */
		osm_replay_floor(&d->up.replay, f->seq);
		forget_queued(c, di, OSM_CIRCUIT_ANY);
		c->stats.sessions++;
		if (session_keys(c, di, d))
			c->stats.rekey_failed++;
		/* what it receives gets new keys: a frame recorded before
		 * the session, under the old ones, is refused everywhere
		 * (its senders get theirs once it has ACKed) */
		if (osm_engine_rekey(c->e, id, &n))
			c->stats.rekey_failed++;
		c->stats.rekeyed += n;
		return 1;
	}
	/* A device with no session in this run is asked for one. One in
	 * a session (the frame is a replay) is left alone: a REJOIN would
	 * cost it a write of its storage for every frame an attacker
	 * replays. */
	c->stats.stale_session++;
	if (!d->session)
		rejoin(c, di, now_ns());
	return 0;
}

int osm_ctl_input(struct osm_ctl *c,
		  void (*on_event)(const struct osm_engine_event *ev,
				   void *arg), void *arg)
{
	uint8_t frame[OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD + 64];
	uint8_t plain[OSM_MAX_PAYLOAD];
	struct osm_frame f;
	struct ctl_dev *d;
	struct osm_msg m;
	size_t len;
	int n, di, dir;

	for (;;) {
		n = osm_pkt_recv(c->fd, frame, sizeof(frame), 0);
		if (n <= 0)
			return n == -EAGAIN ? 0 : n;
		c->stats.rx++;
		if (osm_parse(frame, (uint32_t)n, &f) != OSM_OK ||
		    f.type != OSM_T_CTRL ||
		    (di = osm_engine_ctrl_device(c->e, f.circuit, &dir)) < 0 ||
		    dir != OSM_CTRL_UP || !(d = dev(c, di)) ||
		    osm_open(&d->up, frame, (size_t)n, &f, plain,
			     sizeof(plain), &len) != OSM_OK ||
		    osm_msg_decode(&m, plain, len)) {
			c->stats.rx_bad++;
			sodium_memzero(plain, sizeof(plain));
			continue;
		}
		/* a HELLO naming another device is malformed: it starts
		 * nothing */
		if (m.type == OSM_MSG_HELLO &&
		    m.u.hello.device_id != osm_engine_device(c->e, di)->id)
			c->stats.rx_bad++;
		else if (session_ok(c, di, d, &f, &m))
			message(c, di, &f, &m, on_event, arg);
		sodium_memzero(plain, sizeof(plain));
		sodium_memzero(&m, sizeof(m));
	}
}

int osm_ctl_tick(struct osm_ctl *c)
{
	uint64_t now = now_ns(), next = UINT64_MAX;
	size_t i = 0;

	while (i < c->nq) {
		struct pending *p = &c->q[i];

		if (p->due_ns <= now && gated(c, p)) {
			/* held back by a device that does not take its
			 * session's key, as long as quick retries would
			 * take: the old epoch goes all the same */
			if (now - p->queued_ns > RETRIES * RETRY_NS)
				retire(c, p);
			p->due_ns = now + RETRY_NS;	/* look again then */
		} else if (p->due_ns <= now && waiting(c, p->after, now)) {
			p->due_ns = now + RETRY_NS;	/* look again then */
		} else if (p->due_ns <= now) {
			if (p->tries)
				c->stats.resent++;
			else
				p->first_ns = now;
			if (p->tries == RETRIES + 1) {
				c->stats.slow++;	/* into slow retries */
				retire(c, p);
			}
			if (send_msg(c, p->dev, &p->m,
				     &p->seq[p->tries % SEQS]))
				p->seq[p->tries % SEQS] = 0;
			p->tries++;
			p->due_ns = now + (p->tries <= RETRIES ? RETRY_NS :
					   SLOW_RETRY_NS);
		}
		if (p->due_ns < next)
			next = p->due_ns;
		i++;
	}
	/* Devices that joined in an earlier run and not in this one: ask
	 * them to start a session, again while they do not. */
	for (i = 0; i < c->n_devs; i++) {
		struct ctl_dev *d = &c->devs[i];

		if (!d->stored || d->session)
			continue;
		if (!d->rejoin_ns || now - d->rejoin_ns >= REJOIN_IDLE_NS)
			rejoin(c, (int)i, now);
		if (d->rejoin_ns + REJOIN_IDLE_NS < next)
			next = d->rejoin_ns + REJOIN_IDLE_NS;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)((next - now) / MS + 1);
}

int osm_ctl_lacking(const struct osm_ctl *c, uint64_t older_ns,
		    void (*line)(const char *text, void *arg), void *arg)
{
	uint64_t now = now_ns();
	char text[160];
	size_t i, j;
	int n = 0;

	for (i = 0; i < c->n_devs; i++) {
		unsigned count = 0, tries = 0;

		for (j = 0; j < c->nq; j++)
			if (c->q[j].dev == (int)i &&
			    c->q[j].m.type == OSM_MSG_KEY_UPDATE &&
			    c->q[j].tries && now - c->q[j].first_ns >= older_ns) {
				count++;
				if (c->q[j].tries > tries)
					tries = c->q[j].tries;
			}
		if (!count)
			continue;
		n++;
		snprintf(text, sizeof(text), "device %s (id %u) has not "
			 "acknowledged %u key update%s (sent up to %u times)",
			 osm_engine_device(c->e, (int)i)->name,
			 osm_engine_device(c->e, (int)i)->id, count,
			 count == 1 ? "" : "s", tries);
		if (line)
			line(text, arg);
	}
	return n;
}
