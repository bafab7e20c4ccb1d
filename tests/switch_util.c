// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test helpers for the switch program: netns with veth, one test run. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "switch_util.h"

int osw_test_netns(int n, uint32_t *ifindex)
{
	char cmd[128], name[IFNAMSIZ];
	int i;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add osw%d type veth peer name osw%dp", i, i);
		if (system(cmd) != 0)
			return -EIO;
		snprintf(name, sizeof(name), "osw%d", i);
		ifindex[i] = if_nametoindex(name);
		if (!ifindex[i])
			return -ENODEV;
	}
	return 0;
}

int osw_test_run(int prog_fd, uint32_t ifindex, const uint8_t *frame,
		 size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	struct xdp_md md = {
		.data_end = (uint32_t)len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = frame,
		.data_size_in = (uint32_t)len,
		.data_out = out,
		.data_size_out = (uint32_t)cap,
		.ctx_in = &md,
		.ctx_size_in = sizeof(md),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return -errno;
	*out_len = o.data_size_out;
	return (int)o.retval;
}
