/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Shared by the switch's BPF_PROG_TEST_RUN tests: a private network
 * namespace with veth ports, and one run of the program over a frame. */
#ifndef OSM_SWITCH_UTIL_H
#define OSM_SWITCH_UTIL_H

#include <stdint.h>
#include <stddef.h>

/* Move the process into a fresh network namespace (it dies with us, so
 * nothing is left behind) and create n veth ports osw0..osw<n-1>. Fills
 * ifindex[]. Returns 0 or -errno. */
int osw_test_netns(int n, uint32_t *ifindex);

/* Run prog_fd once over frame[0..len) as if it arrived on ifindex. On
 * success returns the XDP verdict and copies the frame the program left
 * into out (capacity cap, *out_len bytes); -errno on failure. */
int osw_test_run(int prog_fd, uint32_t ifindex, const uint8_t *frame,
		 size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
