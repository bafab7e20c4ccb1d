// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness of the link watch's rtnetlink messages
 * (ctrl/engine/links.c): whole netlink buffers, as a switch's watch
 * socket reads them, go through eng_link_msgs (libmnl's mnl_cb_run and
 * the RTM_NEWLINK/RTM_DELLINK handler) on an engine over a store of the
 * harness's own (switches never loaded; the topology's interfaces are
 * not on this host, so every port starts down, unresolved).
 * Checks: ports of other switches are untouched; a port that is up has
 * an interface (ifindex), and no two ports have one; a port's events alternate down and up, name
 * its switch and port, and end in its state (an even number when the
 * state is the one it had); the count returned is the events passed
 * on. Then the ports' states told again (RTM_NEWLINK of each one's
 * interface as it is) change nothing, and RTM_DELLINK of each one's
 * interface takes it down and forgets the interface, which is also
 * where the next input starts.
 * Input: byte 0 = the switch whose watch reads the buffer; the rest the
 * buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sodium.h>
#include "engine_int.h"
#include "fz_building.h"

static struct osmdb *st;
static struct osm_engine *e;

#define EVENTS_MAX	4096
static struct seen {
	int n, over;
	struct { int port, down; } ev[EVENTS_MAX];
} seen;

static __attribute__((noreturn)) void fail(const char *why)
{
	fprintf(stderr, "fuzz_link_msgs: %s\n", why);
	abort();
}

static void init_once(void)
{
	size_t i;

	if (e)
		return;
	fz_building_open("fuzz_link_msgs", &st, &e);
	for (i = 0; i < e->n_ports; i++)
		if (e->ports[i].ifindex || !e->ports[i].down)
			fail("a port of the topology is on this host");
}

/* The port an event names: its switch is s, its port one of s's. */
static void on_event(const struct osm_engine_event *ev, void *arg)
{
	int sw = *(const int *)arg;
	size_t i;

	if (ev->kind != OSM_EV_LINK_DOWN && ev->kind != OSM_EV_LINK_UP)
		fail("a link message made an event of another kind");
	if (strcmp(ev->from, e->sws[sw].r.name))
		fail("a link event names another switch");
	for (i = e->sw_port0[sw]; i < e->sw_port0[sw] + e->sw_nport[sw]; i++)
		if (!strcmp(ev->room, e->ports[i].r.name))
			break;
	if (i == e->sw_port0[sw] + e->sw_nport[sw])
		fail("a link event names no port of its switch");
	if (seen.n == EVENTS_MAX) {
		seen.over = 1;
		return;
	}
	seen.ev[seen.n].port = (int)i;
	seen.ev[seen.n++].down = ev->kind == OSM_EV_LINK_DOWN;
}

/* Run buf through switch sw's watch; the events it made. */
static int feed(int sw, const void *buf, size_t len)
{
	int n;

	seen.n = seen.over = 0;
	n = eng_link_msgs(e, sw, buf, len, on_event, &sw);
	if (n != seen.n + (seen.over ? n - EVENTS_MAX : 0) ||
	    (seen.over && n < EVENTS_MAX))
		fail("the count returned is not the events passed on");
	return n;
}

/* One RTM_NEWLINK or RTM_DELLINK of port p's interface, as it is. */
static size_t put_link(char *buf, size_t cap, uint16_t type,
		       const struct eng_port *p)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*ifm)) + 32)
		fail("no room for a message");
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)p->ifindex;
	ifm->ifi_flags = p->down ? 0 : IFF_UP | IFF_RUNNING;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, p->r.ifname);
	return nlh->nlmsg_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct { uint32_t ifindex; int down; } before[64];
	char msgs[64 * 64];
	size_t i, p0, np, len;
	uint8_t *buf;
	int sw, k, n, flips;

	if (size < 1)
		return 0;
	init_once();
	if (e->n_ports > 64)
		fail("more ports than the harness keeps");
	sw = data[0] % (int)e->n_sw;
	p0 = e->sw_port0[sw];
	np = e->sw_nport[sw];
	for (i = 0; i < e->n_ports; i++) {
		before[i].ifindex = e->ports[i].ifindex;
		before[i].down = e->ports[i].down;
	}
	/* exactly the input's bytes: a read past them is caught */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	feed(sw, buf, size - 1);
	free(buf);
	for (i = 0; i < e->n_ports; i++) {
		if ((i < p0 || i >= p0 + np) &&
		    (e->ports[i].ifindex != before[i].ifindex ||
		     e->ports[i].down != before[i].down))
			fail("a port of another switch changed");
		if (!e->ports[i].down && !e->ports[i].ifindex)
			fail("a port is up with no interface");
	}
	for (i = p0; i < p0 + np; i++)
		for (k = (int)i + 1; k < (int)(p0 + np); k++)
			if (e->ports[i].ifindex &&
			    e->ports[i].ifindex == e->ports[k].ifindex)
				fail("two ports have one interface");
	if (!seen.over)
		for (i = p0; i < p0 + np; i++) {
			int last = before[i].down;

			for (flips = 0, k = 0; k < seen.n; k++) {
				if (seen.ev[k].port != (int)i)
					continue;
				if (seen.ev[k].down == last)
					fail("a port's events do not "
					     "alternate");
				last = seen.ev[k].down;
				flips++;
			}
			if (last != e->ports[i].down ||
			    (flips % 2) != (before[i].down != e->ports[i].down))
				fail("a port's events do not end in its state");
		}
	/* the states told again: nothing changes */
	for (len = 0, i = p0; i < p0 + np; i++)
		if (e->ports[i].ifindex)
			len += put_link(msgs + len, sizeof(msgs) - len,
					RTM_NEWLINK, &e->ports[i]);
	n = feed(sw, msgs, len);
	if (n)
		fail("the ports' states told again made events");
	/* every interface deleted: every port down, unresolved */
	for (len = 0, i = p0; i < p0 + np; i++)
		if (e->ports[i].ifindex)
			len += put_link(msgs + len, sizeof(msgs) - len,
					RTM_DELLINK, &e->ports[i]);
	feed(sw, msgs, len);
	for (i = p0; i < p0 + np; i++)
		if (e->ports[i].ifindex || !e->ports[i].down)
			fail("a port whose interface is deleted is not down");
	return 0;
}
