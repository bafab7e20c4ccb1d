// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric port set: mark a switch port as management/uplink (frames
 * that are not circuit frames go up to the kernel) or plain fabric.
 * osm-fabric port watch: keep a switch's egress ports (tx_ports) as
 * their links are, for a switch that no daemon manages. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "cli.h"
#include "cli_switch.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric port set [-n NETNS] SWITCH IFNAME "
		   "(--mgmt | --fabric)\n"
		   "       osm-fabric port watch [-n NETNS] SWITCH\n"
		   "set --mgmt: frames that are not circuit frames pass to the "
		   "kernel (management\nor uplink port). --fabric: they are "
		   "dropped (the default). Circuit frames\nare enforced on "
		   "every port.\n"
		   "watch: until stopped (SIGTERM, SIGINT), keep the switch's "
		   "egress ports as\ntheir links are: a port whose link goes "
		   "down takes no frames (they are\ndropped as egress_down "
		   "and record nothing), and takes them again once it is\nup; "
		   "one line 'port IFNAME up|down' for every port at the "
		   "start, then one\na change. It ends when the switch is "
		   "unloaded ('switch SWITCH unloaded').\nThe daemon needs "
		   "none: it marks the circuits through a down port down on\n"
		   "every switch of their path.\n");
}

static int cmd_set(int argc, char **argv)
{
	static const struct option opts[] = {
		OSM_SWCLI_NETNS_OPT,
		{ "mgmt", no_argument, NULL, 'm' },
		{ "fabric", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *netns = NULL;
	struct osm_switch *sw;
	uint32_t ifx, flags = 0;
	int c, role = -1, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': netns = optarg; break;
		case 'm': role = OSM_PF_MGMT; break;
		case 'f': role = 0; break;
		case 'h': usage(stdout); return 0;
		default: return osm_swcli_badopt(argv);
		}
	}
	if (argc - optind != 2)
		return osm_err("port set: need SWITCH and IFNAME");
	if (role < 0)
		return osm_err("port set: give --mgmt or --fabric");
	if (osm_swcli_setup(netns) || osm_swcli_ifindex(argv[optind + 1], &ifx)
	    || osm_swcli_open(argv[optind], &sw))
		return 1;
	err = osm_switch_port_get(sw, ifx, &flags);
	if (!err)
		err = osm_switch_port_set(sw, ifx,
					  (flags & ~OSM_PF_MGMT) | (uint32_t)role);
	osm_switch_close(sw);
	if (err == -ENOENT)
		return osm_err("'%s' is not a port of switch '%s'",
			       argv[optind + 1], argv[optind]);
	if (err)
		return osm_err("port set: %s", strerror(-err));
	return 0;
}

/* ---- watch ------------------------------------------------------------ */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Port ifx of the switch is up or down: its egress follows, and a line
 * says so when that changed (always, if say). */
static void port_state(struct osm_switch *sw, uint32_t ifx, int up, int say)
{
	char name[IF_NAMESIZE];
	int was = osm_switch_port_tx(sw, ifx), err;

	err = osm_switch_port_link(sw, ifx, up);
	if (err == -ENOENT)
		return;		/* not a port of this switch */
	if (err) {
		osm_err("port watch: %s: %s", osm_swcli_ifname(ifx, name),
			strerror(-err));
		return;
	}
	if (say || was != up) {
		printf("port %s %s\n", osm_swcli_ifname(ifx, name),
		       up ? "up" : "down");
		fflush(stdout);
	}
}

/* Every port of the switch as its link is now. */
static void ports_now(struct osm_switch *sw, int say)
{
	uint32_t ifx, prev = 0;
	int first = 1;

	while (osm_switch_port_next(sw, first ? NULL : &prev, &ifx) == 0) {
		port_state(sw, ifx, osm_swcli_link_up(ifx) == 1, say);
		prev = ifx;
		first = 0;
	}
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	/* links only: a bridge's notes about its ports (AF_BRIDGE) are not
	 * about the links */
	if ((nlh->nlmsg_type != RTM_NEWLINK &&
	     nlh->nlmsg_type != RTM_DELLINK) || ifi->ifi_family != AF_UNSPEC)
		return MNL_CB_OK;
	port_state(data, (uint32_t)ifi->ifi_index,
		   nlh->nlmsg_type == RTM_NEWLINK &&
		   (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING),
		   0);
	return MNL_CB_OK;
}

static int cmd_watch(int argc, char **argv)
{
	static char buf[32768];	/* a link message is about 1.5 KB */
	struct mnl_socket *nl = NULL;
	const char *netns = NULL;
	struct osm_switch *sw;
	struct sigaction sa;
	int c, rc = 1;
	ssize_t n;

	c = osm_swcli_netns_only(argc, argv, &netns, usage);
	if (c)
		return c < 0 ? 0 : c;
	if (argc - optind != 1)
		return osm_err("port watch: need SWITCH");
	if (osm_swcli_setup(netns) || osm_swcli_open(argv[optind], &sw))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recv returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Subscribed first, then each port as it is now: no change falls
	 * between the two. */
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		osm_err("port watch: rtnetlink: %s", strerror(errno));
		goto out;
	}
	ports_now(sw, 1);
	/* Woken once a second too: a signal that came just before poll is
	 * seen then, and so is the switch unloaded under us (its ports are
	 * gone from port_cfg), which ends the watch. */
	while (!stop) {
		struct pollfd p = { .fd = mnl_socket_get_fd(nl),
				    .events = POLLIN };
		uint32_t any;

		if (osm_switch_port_next(sw, NULL, &any) == -ENOENT) {
			printf("switch %s unloaded\n", argv[optind]);
			break;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			ports_now(sw, 0);	/* events lost */
			continue;
		}
		if (n < 0) {
			osm_err("port watch: rtnetlink: %s", strerror(errno));
			goto out;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, link_cb, sw);
	}
	rc = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	osm_switch_close(sw);
	return rc;
}

int osm_cmd_port(int argc, char **argv)
{
	if (argc < 2)
		return osm_err("port: need a subcommand: set, watch (see --help)");
	if (osm_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "set"))
		return cmd_set(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return cmd_watch(argc - 1, argv + 1);
	return osm_err("port: unknown subcommand '%s' (set, watch)", argv[1]);
}
