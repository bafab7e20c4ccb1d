// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen senders: AF_XDP through the libxdp xsk API (TX only; copy
 * mode where the driver has no zero-copy, as on veth) and a plain
 * AF_PACKET fallback with sendmmsg. Both hand out frame buffers to fill
 * in place, so a frame is written once. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <xdp/xsk.h>
#include "osm_packet.h"
#include "pktgen.h"

#define PG_BATCH	64
#define PG_XSK_FRAMES	4096
#define PG_XSK_FSIZE	XSK_UMEM__DEFAULT_FRAME_SIZE

_Static_assert(PG_FRAME_MAX <= PG_XSK_FSIZE, "frame fits a UMEM chunk");

struct pg_tx {
	enum pg_mode mode;
	int fd;
	uint64_t errors;
	/* AF_PACKET */
	uint8_t (*pkt)[PG_FRAME_MAX];
	/* AF_XDP */
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq;
	uint64_t free_addr[PG_XSK_FRAMES];
	uint32_t nfree, inflight, idx;
	uint64_t res_addr[PG_BATCH];
	int nres;
};

static int xsk_open(struct pg_tx *t, const char *ifname, unsigned int queue,
		    const char **why)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		/* TX only: no XDP program, no xskmap on the interface. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	};
	size_t size = (size_t)PG_XSK_FRAMES * PG_XSK_FSIZE;
	uint32_t i;
	int err;

	t->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->area == MAP_FAILED) {
		t->area = NULL;
		*why = "mmap UMEM";
		return -errno;
	}
	err = xsk_umem__create(&t->umem, t->area, size, &t->fq, &t->cq, NULL);
	if (err) {
		*why = "xsk_umem__create";
		return err;
	}
	err = xsk_socket__create(&t->xsk, ifname, queue, t->umem, NULL, &t->tx,
				 &cfg);
	if (err) {
		*why = "xsk_socket__create";
		return err;
	}
	t->fd = xsk_socket__fd(t->xsk);
	for (i = 0; i < PG_XSK_FRAMES; i++)
		t->free_addr[i] = (uint64_t)i * PG_XSK_FSIZE;
	t->nfree = PG_XSK_FRAMES;
	return 0;
}

static int pkt_open(struct pg_tx *t, const char *ifname, const char **why)
{
	int one = 1;

	t->fd = osm_pkt_open(ifname, 0, NULL);
	if (t->fd < 0) {
		*why = "AF_PACKET socket";
		return t->fd;
	}
	/* Straight to the driver: the qdisc layer is not what we measure. */
	setsockopt(t->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	t->pkt = calloc(PG_BATCH, sizeof(*t->pkt));
	if (!t->pkt) {
		*why = "allocating buffers";
		return -ENOMEM;
	}
	return 0;
}

int pg_tx_open(struct pg_tx **out, enum pg_mode mode, const char *ifname,
	       unsigned int queue, const char **why)
{
	struct pg_tx *t = calloc(1, sizeof(*t));
	int err;

	*why = "allocating";
	if (!t)
		return -ENOMEM;
	t->mode = mode;
	t->fd = -1;
	if (!if_nametoindex(ifname)) {
		*why = "interface lookup";
		err = -ENODEV;
	} else if (mode == PG_MODE_XDP) {
		err = xsk_open(t, ifname, queue, why);
	} else {
		err = pkt_open(t, ifname, why);
	}
	if (err) {
		pg_tx_close(t);
		return err;
	}
	*out = t;
	return 0;
}

static void xsk_reclaim(struct pg_tx *t)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&t->cq, PG_XSK_FRAMES, &idx);
	for (i = 0; i < n; i++)
		t->free_addr[t->nfree++] = *xsk_ring_cons__comp_addr(&t->cq,
								     idx + i);
	xsk_ring_cons__release(&t->cq, n);
	t->inflight -= n;
}

/* Copy mode transmits inside sendto(): kick after every batch. */
static void xsk_kick(struct pg_tx *t)
{
	if (sendto(t->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS &&
	    errno != EINTR)
		t->errors++;
}

int pg_tx_reserve(struct pg_tx *t, uint8_t **bufs, int max)
{
	uint32_t n;
	int i;

	if (max > PG_BATCH)
		max = PG_BATCH;
	if (t->mode == PG_MODE_PACKET) {
		for (i = 0; i < max; i++)
			bufs[i] = t->pkt[i];
		return max;
	}
	xsk_reclaim(t);
	n = (uint32_t)max < t->nfree ? (uint32_t)max : t->nfree;
	if (n)
		n = xsk_ring_prod__reserve(&t->tx, n, &t->idx);
	if (n == 0) {
		xsk_kick(t);
		return 0;
	}
	for (i = 0; i < (int)n; i++) {
		t->res_addr[i] = t->free_addr[--t->nfree];
		bufs[i] = xsk_umem__get_data(t->area, t->res_addr[i]);
	}
	t->nres = (int)n;
	return (int)n;
}

static int pkt_submit(struct pg_tx *t, const int *lens, int n)
{
	struct mmsghdr msg[PG_BATCH];
	struct iovec iov[PG_BATCH];
	int i, done = 0, r;

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = t->pkt[i];
		iov[i].iov_len = (size_t)lens[i];
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		r = sendmmsg(t->fd, msg + done, (unsigned int)(n - done), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ENOBUFS && errno != EAGAIN)
				return -errno;
			/* The frame at done was refused; go on after it. */
			t->errors++;
			r = 1;
		}
		done += r;
	}
	return 0;
}

int pg_tx_submit(struct pg_tx *t, const int *lens, int n)
{
	struct xdp_desc *d;
	int i;

	if (t->mode == PG_MODE_PACKET)
		return pkt_submit(t, lens, n);
	for (i = 0; i < n; i++) {
		d = xsk_ring_prod__tx_desc(&t->tx, t->idx + (uint32_t)i);
		d->addr = t->res_addr[i];
		d->len = (uint32_t)lens[i];
	}
	/* Give back what was reserved and not filled (what newer libxdp's
	 * xsk_ring_prod__cancel does). */
	for (i = n; i < t->nres; i++)
		t->free_addr[t->nfree++] = t->res_addr[i];
	t->tx.cached_prod -= (uint32_t)(t->nres - n);
	t->nres = n;
	xsk_ring_prod__submit(&t->tx, (uint32_t)t->nres);
	t->inflight += (uint32_t)t->nres;
	t->nres = 0;
	xsk_kick(t);
	return 0;
}

void pg_tx_drain(struct pg_tx *t, int timeout_ms)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (t->mode != PG_MODE_XDP)
		return;
	for (i = 0; i < timeout_ms && t->inflight; i++) {
		xsk_kick(t);
		xsk_reclaim(t);
		nanosleep(&ts, NULL);
	}
}

uint64_t pg_tx_errors(const struct pg_tx *t)
{
	return t->errors;
}

void pg_tx_close(struct pg_tx *t)
{
	if (!t)
		return;
	if (t->xsk)
		xsk_socket__delete(t->xsk);
	if (t->umem)
		xsk_umem__delete(t->umem);
	if (t->area)
		munmap(t->area, (size_t)PG_XSK_FRAMES * PG_XSK_FSIZE);
	if (t->mode == PG_MODE_PACKET && t->fd >= 0)
		close(t->fd);
	free(t->pkt);
	free(t);
}
