// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* AF_PACKET I/O of raw circuit frames on one interface. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include "osm_packet.h"
#include "osm_proto.h"

int osm_pkt_open(const char *ifname, int all, uint8_t mac[6])
{
	uint16_t proto = htons(all ? ETH_P_ALL : OSM_ETH_P_CIRCUIT);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = proto };
	struct ifreq ifr = { 0 };
	int fd, err, rcvbuf = OSM_PKT_RCVBUF;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENODEV;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0)
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	/* A receiver off the CPU for a while must not lose a burst: the
	 * default buffer (rmem_default, 208 KiB) held ~700 small frames in
	 * tests/tools/endpoint-recv.sh, 70 ms at 10,000 a second. Beyond
	 * rmem_max only with CAP_NET_ADMIN; else the most rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	if (mac) {
		strcpy(ifr.ifr_name, ifname);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
			goto fail;
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int osm_pkt_drops(int fd, uint64_t *drops)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return -errno;
	*drops += st.tp_drops;
	return 0;
}

int osm_pkt_send(int fd, const void *frame, size_t len)
{
	ssize_t n = send(fd, frame, len, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int osm_pkt_recv(int fd, void *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	n = recv(fd, buf, cap, MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n > cap)
		return -EMSGSIZE;
	return (int)n;
}
