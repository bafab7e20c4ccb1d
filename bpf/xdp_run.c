// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* XDP programs run outside of traffic (see xdp_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include "osm_keys.h"
#include "xdp_run.h"

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int osm_xdprun_netns(const char *prefix, int npairs, uint32_t *ifindex)
{
	char cmd[256], name[IFNAMSIZ];
	int i, j;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	for (i = 0; i < npairs; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add %s%d type veth peer name %s%dp && "
			 "ip link set %s%d up && ip link set %s%dp up",
			 prefix, i, prefix, i, prefix, i, prefix, i);
		if (system(cmd) != 0)
			return -EIO;
		for (j = 0; j < 2; j++) {
			snprintf(name, sizeof(name), "%s%d%s", prefix, i,
				 j ? "p" : "");
			ifindex[i + j * npairs] = if_nametoindex(name);
			if (!ifindex[i + j * npairs])
				return -ENODEV;
		}
	}
	return 0;
}

int osm_xdprun_mac(uint32_t ifindex, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (!if_indextoname(ifindex, ifr.ifr_name) ||
	    ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

uint64_t osm_xdprun_rx_packets(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	uint64_t n = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET &&
		    !strcmp(i->ifa_name, ifname) && i->ifa_data)
			n = ((struct rtnl_link_stats *)i->ifa_data)->rx_packets;
	freeifaddrs(ifa);
	return n;
}

void osm_xdprun_circuit(struct osm_circuit *c, uint32_t id, uint32_t in,
		    uint32_t out, const uint8_t src[6], const uint8_t dst[6],
		    const uint8_t secret[32], uint32_t epoch)
{
	struct osm_key_slot *slot = &c->key[osm_epoch_slot(epoch)];
	struct osm_keys k;

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->ingress_ifindex = in;
	c->egress_ifindex = out;
	memcpy(c->src_mac, src, 6);
	memcpy(c->dst_mac, dst, 6);
	osm_kdf_circuit(&k, secret, id, epoch);
	slot->epoch = epoch;
	slot->valid = 1;
	memcpy(slot->hop_key, k.hop, sizeof(slot->hop_key));
	osm_wipe(&k, sizeof(k));
}

static int xdprun(int prog_fd, uint32_t ifindex, const void *frame,
		  uint32_t len, uint32_t repeat, void *out, uint32_t *out_len,
		  uint32_t *ns)
{
	struct xdp_md md = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = frame,
		.data_size_in = len,
		.data_out = out,
		.data_size_out = out ? *out_len : 0,
		.ctx_in = &md,
		.ctx_size_in = sizeof(md),
		.repeat = repeat,
	);

	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return -errno;
	if (out)
		*out_len = o.data_size_out;
	if (ns)
		*ns = o.duration;
	return (int)o.retval;
}

int osm_xdprun(int prog_fd, uint32_t ifindex, const void *frame,
	       size_t len, void *out, size_t cap, size_t *out_len)
{
	uint32_t n = (uint32_t)cap;
	int r = xdprun(prog_fd, ifindex, frame, (uint32_t)len, 1, out, &n,
		       NULL);

	if (r >= 0)
		*out_len = n;
	return r;
}

int osm_xdprun_repeat(int prog_fd, uint32_t ifindex, const void *frame,
		      uint32_t len, uint32_t repeat, uint32_t *ns)
{
	return xdprun(prog_fd, ifindex, frame, len, repeat, NULL, NULL, ns);
}
