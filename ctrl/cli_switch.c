// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Shared plumbing of the switch commands (see cli_switch.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "osm_arg.h"
#include "cli_switch.h"

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	return osm_opts.verbose ? vfprintf(stderr, fmt, ap) : 0;
}

int osm_swcli_setup(const char *netns)
{
	int mounted, err;

	libbpf_set_print(print_libbpf);
	if (netns) {
		err = osm_switch_netns(netns);
		if (err == -ENOENT || err == -EINVAL)
			return osm_err("no such network namespace '%s'", netns);
		if (err)
			return osm_err("cannot enter network namespace '%s': %s",
				       netns, strerror(-err));
	}
	err = osm_switch_bpffs(&mounted);
	if (err)
		return osm_err("cannot mount bpffs on /sys/fs/bpf: %s",
			       strerror(-err));
	/* Under `ip netns exec` /sys is fresh: a bpffs mounted there dies
	 * with this command, and every switch pinned in it. */
	if (mounted)
		fprintf(stderr, "osm-fabric: note: mounted a new bpffs on "
			"/sys/fs/bpf; pins in it last only as long as this "
			"mount namespace (use -n NETNS instead of 'ip netns "
			"exec')\n");
	return 0;
}

static int swcli_open(const char *name, struct osm_switch **sw, int any)
{
	struct osm_switch_info info;
	int err;

	if (osm_switch_name_ok(name))
		return osm_err("bad switch name '%s'", name);
	err = any ? osm_switch_open_any(sw, name) : osm_switch_open(sw, name);
	if (err == -ENOENT)
		return osm_err("switch '%s' is not loaded", name);
	if (err == -EPROTO)
		return osm_err("switch '%s' was loaded by another osm-fabric "
			       "version: unload and load it", name);
	if (err)
		return osm_err("cannot open switch '%s': %s", name,
			       strerror(-err));
	/* Its ports are interfaces of the namespace it was loaded in: from
	 * any other, their names would find other interfaces. */
	if (any || osm_switch_info(*sw, &info) ||
	    info.netns_cookie == osm_switch_netns_cookie())
		return 0;
	osm_switch_close(*sw);
	*sw = NULL;
	if (info.netns[0])
		return osm_err("switch '%s' is in network namespace '%s': "
			       "give -n %s", name, info.netns, info.netns);
	return osm_err("switch '%s' was loaded in another network namespace",
		       name);
}

int osm_swcli_here(const char *name, char **netns)
{
	struct osm_switch_info info;
	struct osm_switch *sw;
	int here = 1;

	*netns = NULL;
	if (osm_switch_open_any(&sw, name))
		return 1;
	if (!osm_switch_info(sw, &info) &&
	    info.netns_cookie != osm_switch_netns_cookie()) {
		here = 0;
		*netns = info.netns[0] ? strdup(info.netns) : NULL;
	}
	osm_switch_close(sw);
	return here;
}

int osm_swcli_open(const char *name, struct osm_switch **sw)
{
	return swcli_open(name, sw, 0);
}

int osm_swcli_open_any(const char *name, struct osm_switch **sw)
{
	return swcli_open(name, sw, 1);
}

int osm_swcli_ifindex(const char *ifname, uint32_t *ifindex)
{
	*ifindex = strlen(ifname) < IF_NAMESIZE ? if_nametoindex(ifname) : 0;
	if (!*ifindex)
		return osm_err("no such interface '%s'", ifname);
	return 0;
}

const char *osm_swcli_ifname(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

/* ioctl req (SIOCGIFFLAGS, SIOCGIFMTU) on interface ifindex: 0 with
 * *ifr filled, -1 if it fails (no such interface). */
static int if_ioctl(uint32_t ifindex, unsigned long req, struct ifreq *ifr)
{
	int fd, r = -1;

	memset(ifr, 0, sizeof(*ifr));
	if (!if_indextoname(ifindex, ifr->ifr_name))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		r = ioctl(fd, req, ifr);
	if (fd >= 0)
		close(fd);
	return r < 0 ? -1 : 0;
}

int osm_swcli_link_up(uint32_t ifindex)
{
	struct ifreq ifr;

	if (if_ioctl(ifindex, SIOCGIFFLAGS, &ifr))
		return -1;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

int osm_swcli_mtu(uint32_t ifindex)
{
	struct ifreq ifr;

	return if_ioctl(ifindex, SIOCGIFMTU, &ifr) ? -1 : ifr.ifr_mtu;
}

int osm_swcli_netns_only(int argc, char **argv, const char **netns,
			 void (*usage)(FILE *f))
{
	static const struct option opts[] = {
		OSM_SWCLI_NETNS_OPT,
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*netns = NULL;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': *netns = optarg; break;
		case 'h': usage(stdout); return -1;
		default: return osm_swcli_badopt(argv);
		}
	}
	return 0;
}

int osm_swcli_badopt(char **argv)
{
	return osm_err("%s: bad option or missing argument '%s' (see --help)",
		       argv[0], argv[optind - 1]);
}

int osm_swcli_u64(const char *s, const char *what, uint64_t *v)
{
	int err = osm_arg_u64(s, UINT64_MAX, v);

	if (err == -ERANGE)
		return osm_err("bad %s '%s' (over 64 bits)", what, s);
	return err ? osm_err("bad %s '%s'", what, s) : 0;
}

int osm_swcli_u32(const char *s, const char *what, uint32_t *v)
{
	uint64_t x;
	int err = osm_arg_u64(s, UINT32_MAX, &x);

	if (err == -ERANGE)
		return osm_err("bad %s '%s' (over 32 bits)", what, s);
	if (err)
		return osm_err("bad %s '%s'", what, s);
	*v = (uint32_t)x;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int osm_swcli_circuit_ids(const struct osm_switch *sw, uint32_t **ids,
			  size_t *n)
{
	uint32_t id, prev = 0, *p;
	size_t cap = 0;
	int first = 1;

	*ids = NULL;
	*n = 0;
	while (osm_switch_circuit_next(sw, first ? NULL : &prev, &id) == 0) {
		first = 0;
		prev = id;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			p = realloc(*ids, cap * sizeof(*p));
			if (!p) {
				free(*ids);
				*ids = NULL;
				return osm_err("out of memory");
			}
			*ids = p;
		}
		(*ids)[(*n)++] = id;
	}
	if (*n)
		qsort(*ids, *n, sizeof(**ids), cmp_u32);
	return 0;
}
