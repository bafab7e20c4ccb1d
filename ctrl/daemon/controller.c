// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The controller's end of the devices' control circuits: frames in over
 * AF_PACKET on the controller's interface (HELLO, PRESENCE, ACK), frames
 * out (ACK, KEY_UPDATE) with a retry queue. Keys live here only while a
 * message waits for its ACK, and are wiped then. */
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

#define RETRY_NS	100000000ULL	/* docs/protocol.md 8 */
#define RETRIES		10
#define FRAME_MAX	(OSM_FRAME_HDR_LEN + 128)

/* A device's end at the controller: its up circuit (receive) and down
 * circuit (send), made on its first frame or message. */
struct ctl_dev {
	int ready;
	struct osm_rx up;
	struct osm_tx down;
};

/* A message waiting for its ACK: the sequence numbers of every frame
 * that carried it. */
struct pending {
	int dev;
	unsigned tries;
	uint64_t due_ns;
	uint64_t seq[RETRIES + 1];
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
	uint64_t seq0;			/* first sequence number to send */
	struct osm_ctl_stats stats;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int osm_ctl_open(struct osm_ctl **out, const char *ifname, const char *netns,
		 uint8_t mac[6])
{
	struct osm_ctl *c = calloc(1, sizeof(*c));
	char path[300];
	struct timespec rt;
	int home = -1, fd = -1, err = 0;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if (netns) {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET))
			err = -errno;
	}
	/* The socket stays bound to the namespace it was made in. */
	if (!err) {
		c->fd = osm_pkt_open(ifname, 0, c->mac);
		if (c->fd < 0)
			err = c->fd;
		else
			fcntl(c->fd, F_SETFL, O_NONBLOCK);
	}
	if (fd >= 0 && !err && setns(home, CLONE_NEWNET))
		abort();
	if (fd >= 0)
		close(fd);
	if (home >= 0)
		close(home);
	if (err) {
		free(c);
		return err;
	}
	/* A restarted daemon must not reuse sequence numbers a device has
	 * seen: start above any this host could have sent before, one a
	 * microsecond of wall-clock time. */
	clock_gettime(CLOCK_REALTIME, &rt);
	c->seq0 = (uint64_t)rt.tv_sec * 1000000ULL +
		  (uint64_t)rt.tv_nsec / 1000;
	memcpy(mac, c->mac, 6);
	*out = c;
	return 0;
}

static void drop_pending(struct osm_ctl *c, size_t i)
{
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
	if (osm_engine_ctrl_keys(c->e, di, OSM_CTRL_UP, &k))
		return NULL;
	d->up.circuit = osm_ctrl_circuit(osm_engine_device(c->e, di)->id,
					 OSM_CTRL_UP);
	osm_rx_set_keys(&d->up, &k);
	if (osm_engine_ctrl_keys(c->e, di, OSM_CTRL_DOWN, &d->down.keys)) {
		sodium_memzero(&k, sizeof(k));
		return NULL;
	}
	d->down.circuit = osm_ctrl_circuit(osm_engine_device(c->e, di)->id,
					   OSM_CTRL_DOWN);
	d->down.type = OSM_T_CTRL;
	memcpy(d->down.src, c->mac, 6);
	memcpy(d->down.dst, osm_engine_device(c->e, di)->mac, 6);
	d->down.next_seq = c->seq0;
	sodium_memzero(&k, sizeof(k));
	d->ready = 1;
	return d;
}

/* Seal m on device di's down circuit and send it; *seq gets its number. */
static int send_msg(struct osm_ctl *c, int di, const struct osm_msg *m,
		    uint64_t *seq)
{
	uint8_t plain[128], frame[FRAME_MAX];
	struct ctl_dev *d = dev(c, di);
	int n, len;

	if (!d)
		return -ENOKEY;
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

static int queue(struct osm_ctl *c, int di, const struct osm_msg *m)
{
	struct pending *p;

	if (c->nq == c->capq) {
		size_t cap = c->capq ? 2 * c->capq : 64;

		p = realloc(c->q, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->q = p;
		c->capq = cap;
	}
	p = &c->q[c->nq++];
	memset(p, 0, sizeof(*p));
	p->dev = di;
	p->m = *m;
	p->due_ns = now_ns();
	return 0;
}

/* A KEY_UPDATE for device (by id) about circuit cid. */
static void key_update(struct osm_ctl *c, uint32_t dev_id, uint32_t cid,
		       uint8_t op, const struct osm_keys *k)
{
	struct osm_msg m = { .type = OSM_MSG_KEY_UPDATE };
	int di = osm_engine_device_index(c->e, dev_id);

	if (di < 0)
		return;
	m.u.key.circuit = cid;
	m.u.key.op = op;
	if (k) {
		m.u.key.epoch = k->epoch;
		memcpy(m.u.key.hop, k->hop, sizeof(m.u.key.hop));
		memcpy(m.u.key.e2e, k->e2e, sizeof(m.u.key.e2e));
	}
	queue(c, di, &m);
	sodium_memzero(&m, sizeof(m));
}

/* The engine committed a change: the devices at both ends learn it. A
 * new epoch goes to the receiver first (docs/protocol.md 7.2). */
static void on_change(void *arg, unsigned op,
		      const struct osmdb_rec_circuit *rc)
{
	struct osm_ctl *c = arg;
	struct osmdb_txn *t;
	struct osm_keys k;

	if (op == OSM_CH_DEL) {
		key_update(c, rc->src_dev, rc->id, OSM_KEY_REMOVE, NULL);
		key_update(c, rc->dst_dev, rc->id, OSM_KEY_REMOVE, NULL);
		return;
	}
	if (osmdb_txn_begin(c->st, OSMDB_TXN_RDONLY, &t))
		return;
	if (!osmdb_circuit_keys(t, rc->id, rc->epoch, &k)) {
		key_update(c, rc->dst_dev, rc->id, OSM_KEY_RX, &k);
		key_update(c, rc->src_dev, rc->id, OSM_KEY_TX, &k);
		sodium_memzero(&k, sizeof(k));
	}
	osmdb_txn_abort(t);
}

int osm_ctl_attach(struct osm_ctl *c, struct osm_engine *e,
		   struct osmdb *st)
{
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
	osm_engine_on_change(e, on_change, c);
	return 0;
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
	ack(c, di, f->seq, err == OSM_ENGINE_ENOPERSON ? OSM_DROP_UNKNOWN :
		err ? OSM_DROP_MALFORMED : OSM_OK);
	if (on_event)
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

	switch (m->type) {
	case OSM_MSG_HELLO:
		c->stats.hello++;
		if (m->u.hello.device_id != osm_engine_device(c->e, di)->id) {
			c->stats.rx_bad++;
			return;
		}
		ack(c, di, f->seq, OSM_OK);
		if (!osmdb_txn_begin(c->st, OSMDB_TXN_RDONLY, &t)) {
			osmdb_foreach(t, OSMDB_TAB_CIRCUITS, hello_cb,
				      &(struct hello){ c,
					osm_engine_device(c->e, di)->id });
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
			for (k = 0; k < c->q[i].tries; k++)
				if (c->q[i].seq[k] == m->u.ack.seq)
					break;
			if (k < c->q[i].tries) {
				drop_pending(c, i);
				return;
			}
		}
		return;
	default:
		c->stats.rx_bad++;	/* KEY_UPDATE is ours to send */
	}
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
			continue;
		}
		message(c, di, &f, &m, on_event, arg);
		sodium_memzero(plain, sizeof(plain));
	}
}

int osm_ctl_tick(struct osm_ctl *c)
{
	uint64_t now = now_ns(), next = UINT64_MAX;
	size_t i = 0;

	while (i < c->nq) {
		struct pending *p = &c->q[i];

		if (p->due_ns <= now) {
			if (p->tries == RETRIES + 1) {
				c->stats.gave_up++;
				drop_pending(c, i);
				continue;
			}
			if (p->tries)
				c->stats.resent++;
			if (send_msg(c, p->dev, &p->m, &p->seq[p->tries]))
				p->seq[p->tries] = OSM_SEQ_INVALID;
			p->tries++;
			p->due_ns = now + RETRY_NS;
		}
		if (p->due_ns < next)
			next = p->due_ns;
		i++;
	}
	if (next == UINT64_MAX)
		return -1;
	return (int)((next - now) / 1000000 + 1);
}
