// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Links through libmnl: each switch's ports resolved to ifindexes and
 * link states by one RTM_GETLINK dump in its namespace; and the link
 * watch, a rtnetlink socket per switch, opened inside the switch's
 * namespace. When a port goes down, every circuit through it is
 * marked OSM_CF_DOWN on every switch of its path (its frames die where
 * they enter, counted as egress_down); when it comes up, they are back. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include "engine_int.h"

/* The first len bytes of buf up to the first message that does not fit
 * in them. libmnl 1.0.4's mnl_nlmsg_ok compares nlmsg_len as an int:
 * one above INT_MAX passes, and mnl_cb_run steps far out of buf. */
static size_t whole_msgs(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t off = 0, n;

	while (len - off >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)((const char *)buf + off);
		n = nlh->nlmsg_len;
		if (n < sizeof(*nlh) || n > len - off)
			break;
		off += NLMSG_ALIGN(n) < len - off ? NLMSG_ALIGN(n) : len - off;
	}
	return off;
}

/* 1 if link flags (IFF_*) make a port up: up and running. */
static int link_up(unsigned flags)
{
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

/* ---- names to ifindexes and link states: one RTM_GETLINK dump ------- */

struct dump {
	struct osm_engine *e;
	int sw;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, IFLA_MAX) >= 0 &&
	    mnl_attr_get_type(a) == IFLA_IFNAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		tb[IFLA_IFNAME] = a;
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data);

/* In switch si's namespace: every link, matched to its ports by name. */
static int dump_links(struct osm_engine *e, int si, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump d = { .e = e, .sw = si };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct rtgenmsg *rt;
	unsigned seq = 1, pid;
	size_t i;
	ssize_t n;
	int err = 0;

	(void)arg;
	for (i = e->sw_port0[si]; i < e->sw_port0[si] + e->sw_nport[si]; i++) {
		e->ports[i].ifindex = 0;	/* until the dump names it */
		e->ports[i].down = 1;
	}
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto out;
	}
	pid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_PACKET;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		err = mnl_cb_run(buf, whole_msgs(buf, (size_t)n), seq, pid,
				 dump_cb, &d);
		if (err <= MNL_CB_STOP)
			break;
	}
	err = n < 0 || err < 0 ? -errno : 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return err;
}

void eng_resolve_all(struct osm_engine *e)
{
	size_t i;

	/* A switch whose namespace is missing keeps its ports unresolved:
	 * it is not running. */
	for (i = 0; i < e->n_sw; i++)
		eng_in_netns(e, (int)i, dump_links, NULL);
}

struct eng_watch {
	struct mnl_socket *nl;
	int sw;
};

/* In the switch's namespace: the socket stays bound to it. */
static int open_nl(struct osm_engine *e, int si, void *arg)
{
	struct mnl_socket **out = arg, *nl = mnl_socket_open(NETLINK_ROUTE);
	int err;

	(void)e;
	(void)si;
	if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		if (nl)
			mnl_socket_close(nl);
		return err;
	}
	fcntl(mnl_socket_get_fd(nl), F_SETFL, O_NONBLOCK);
	*out = nl;
	return 0;
}

int osm_engine_watch(struct osm_engine *e)
{
	size_t i;

	if (e->watch)
		return 0;
	e->watch = calloc(e->n_sw + 1, sizeof(*e->watch));
	if (!e->watch)
		return -ENOMEM;
	for (i = 0; i < e->n_sw; i++) {
		if (e->sws[i].r.kind == OSMDB_SW_GATEWAY)
			continue;
		/* A switch whose namespace is missing is not running. */
		if (eng_in_netns(e, (int)i, open_nl,
				 &e->watch[e->n_watch].nl))
			continue;
		e->watch[e->n_watch++].sw = (int)i;
	}
	/* Read the link states again: a change before the sockets were
	 * open would otherwise be missed. */
	eng_resolve_all(e);
	return 0;
}

void eng_watch_close(struct osm_engine *e)
{
	size_t i;

	for (i = 0; e->watch && i < e->n_watch; i++)
		mnl_socket_close(e->watch[i].nl);
	free(e->watch);
	e->watch = NULL;
	e->n_watch = 0;
}

int osm_engine_watch_fds(const struct osm_engine *e, int *fds, int max)
{
	int i;

	for (i = 0; i < (int)e->n_watch && i < max; i++)
		fds[i] = mnl_socket_get_fd(e->watch[i].nl);
	return i;
}

struct link_msg {
	struct osm_engine *e;
	int sw;
	void (*cb)(const struct osm_engine_event *ev, void *arg);
	void *arg;
	int changes, err;
};


struct flip {
	struct osm_engine *e;
	struct osmdb_txn *t;
	struct osm_engine_event *ev;
	int port, err;
};

static int flip_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;
	struct flip *f = arg;
	struct osm_engine_change *ch;
	unsigned fixed = 0;
	int err;

	if (!eng_circuit_down(f->e, c, f->port))
		return 0;
	err = eng_fix_circuit(f->e, f->t, c, &fixed);
	if (err && !f->err)
		f->err = err;
	f->ev->map_ops += fixed;
	if (f->ev->n_changes++ < OSM_ENGINE_CHANGES) {
		ch = &f->ev->changes[f->ev->n_changes - 1];
		ch->op = f->e->ports[f->port].down ? OSM_CH_DOWN : OSM_CH_UP;
		ch->cls = c->cls;
		ch->n_path = c->n_path;
		ch->id = c->id;
		ch->epoch = c->epoch;
		strcpy(ch->owner, c->owner);
		eng_dev_names(f->e, c, ch->src, ch->dst);
	}
	if (f->e->ports[f->port].down)
		f->ev->removed++;
	else
		f->ev->added++;
	return 0;
}

/* Port p went up or down: every circuit through it, on every switch. */
static int port_changed(struct link_msg *m, int p, uint64_t t0)
{
	struct osm_engine *e = m->e;
	struct osm_engine_event *ev = calloc(1, sizeof(*ev));
	struct flip f = { .e = e, .ev = ev, .port = p };
	int err;

	if (!ev)
		return -ENOMEM;
	eng_event_init(e, ev, e->ports[p].down ? OSM_EV_LINK_DOWN :
		       OSM_EV_LINK_UP);
	strcpy(ev->from, e->ports[p].r.sw);
	strcpy(ev->room, e->ports[p].r.name);
	err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &f.t);
	if (!err) {
		err = osmdb_foreach(f.t, OSMDB_TAB_CIRCUITS, flip_cb, &f) ?:
		      f.err;
		osmdb_txn_abort(f.t);
	}
	ev->maps_ns = ev->total_ns = eng_now_ns() - t0;
	ev->err = err;
	eng_ring_push(e, ev);
	if (m->cb)
		m->cb(ev, m->arg);
	free(ev);
	m->changes++;
	return err;
}

/* A link message the kernel could have sent: its ifinfomsg whole, an
 * interface's index (from 1). */
static int link_msg_ok(const struct nlmsghdr *nlh,
		       const struct ifinfomsg *ifm)
{
	return mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ifm) &&
	       ifm->ifi_index > 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct osm_engine *e = d->e;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const char *name;
	size_t i;

	if (!link_msg_ok(nlh, ifm) || nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, tb);
	if (!tb[IFLA_IFNAME])
		return MNL_CB_OK;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	for (i = e->sw_port0[d->sw]; i < e->sw_port0[d->sw] +
	     e->sw_nport[d->sw]; i++) {
		if (strcmp(e->ports[i].r.ifname, name))
			continue;
		e->ports[i].ifindex = (uint32_t)ifm->ifi_index;
		e->ports[i].down = !link_up(ifm->ifi_flags);
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_msg *m = data;
	struct osm_engine *e = m->e;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	uint64_t t0 = eng_now_ns();
	const char *name;
	int down, mine, gone;
	size_t i;

	if (!link_msg_ok(nlh, ifm) || (nlh->nlmsg_type != RTM_NEWLINK &&
				       nlh->nlmsg_type != RTM_DELLINK))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, tb);
	name = tb[IFLA_IFNAME] ? mnl_attr_get_str(tb[IFLA_IFNAME]) : NULL;
	down = nlh->nlmsg_type == RTM_DELLINK ||
	       !link_up(ifm->ifi_flags);
	for (i = 0; i < e->n_ports; i++) {
		struct eng_port *p = &e->ports[i];

		if (p->sw != m->sw)
			continue;
		mine = name && !strcmp(name, p->r.ifname);
		/* An interface made again gets a new ifindex. */
		if (p->ifindex != (uint32_t)ifm->ifi_index && !(mine && !down))
			continue;
		/* Deleted, or renamed away: the port has no interface. */
		gone = nlh->nlmsg_type == RTM_DELLINK || (name && !mine);
		p->ifindex = gone ? 0 : (uint32_t)ifm->ifi_index;
		if (p->down == (down || gone))
			continue;
		p->down = down || gone;
		port_changed(m, (int)i, t0);
	}
	return MNL_CB_OK;
}

int eng_link_msgs(struct osm_engine *e, int sw, const void *buf, size_t len,
		  void (*cb)(const struct osm_engine_event *ev, void *arg),
		  void *arg)
{
	struct link_msg m = { .e = e, .sw = sw, .cb = cb, .arg = arg };

	mnl_cb_run(buf, whole_msgs(buf, len), 0, 0, link_cb, &m);
	return m.changes;
}

int osm_engine_watch_read(struct osm_engine *e, int fd,
			  void (*cb)(const struct osm_engine_event *ev,
				     void *arg), void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_msg m = { .e = e, .sw = -1, .cb = cb, .arg = arg };
	ssize_t n;
	size_t i;

	for (i = 0; i < e->n_watch; i++)
		if (mnl_socket_get_fd(e->watch[i].nl) == fd)
			break;
	if (i == e->n_watch)
		return -EBADF;
	m.sw = e->watch[i].sw;
	for (;;) {
		n = mnl_socket_recvfrom(e->watch[i].nl, buf, sizeof(buf));
		if (n < 0 && errno == ENOBUFS) {
			/* Changes were lost: read every state again. */
			int err;

			eng_resolve_all(e);
			err = osm_engine_reconcile(e, NULL);
			if (err)
				return err;
			m.changes++;
			continue;
		}
		if (n < 0)
			return errno == EAGAIN ? m.changes : -errno;
		m.changes += eng_link_msgs(e, m.sw, buf, (size_t)n, cb, arg);
	}
}
