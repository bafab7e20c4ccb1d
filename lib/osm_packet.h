/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Raw circuit frames over AF_PACKET on a named interface. */
#ifndef OSM_PACKET_H
#define OSM_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* Open an AF_PACKET socket bound to ifname for EtherType 0x88B5 (or all
 * frames if all is set). Fills mac with the interface's address when mac
 * is not NULL. Returns the fd or -errno (-ENODEV: no such interface). */
int osm_pkt_open(const char *ifname, int all, uint8_t mac[6]);

/* The receive buffer osm_pkt_open asks for: 20 times the default, over
 * a second of small frames at 10,000 a second. */
#define OSM_PKT_RCVBUF	(4 << 20)

/* Add to *drops the frames the kernel dropped for a full receive buffer
 * since the last call (the kernel resets its count when read). Returns 0
 * or -errno. */
int osm_pkt_drops(int fd, uint64_t *drops);

/* Send one frame. Returns 0 or -errno. */
int osm_pkt_send(int fd, const void *frame, size_t len);

/* Receive one frame, waiting up to timeout_ms (-1: forever). Returns its
 * length, 0 on timeout, or -errno. */
int osm_pkt_recv(int fd, void *buf, size_t cap, int timeout_ms);

#endif
