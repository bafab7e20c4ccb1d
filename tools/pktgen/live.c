// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen -m live: frames made and sent by the kernel. One template
 * frame goes to BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES (as
 * xdp-trafficgen does); live_xdp gives each copy a fresh sequence number
 * and hop tag and returns XDP_TX, which the kernel turns into a transmit
 * on the interface (veth: ndo_xdp_xmit into the peer). One thread per
 * chosen CPU, pinned there, each with its own BPF_PROG_RUN loop; with
 * spread set, each CPU also with its own circuits and counter. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "osm_endpoint.h"
#include "pktgen.h"
#include "live.h"
#include "live.skel.h"

/* Frames per BPF_PROG_RUN at most. Each call sets up and tears down a
 * page pool, which costs ~20 ms here (an RCU grace period): calls are
 * made long, and a stop interrupts them with a signal. */
#define PG_LIVE_CHUNK	(1LL << 26)
/* Fewest frames a thread takes of a count shared out between threads. */
#define PG_LIVE_MIN_SHARE	4096

struct pg_live_thread {
	struct pg_live *l;
	pthread_t tid;
	int cpu, started, err;
	int running;		/* atomic: 0 once the thread ends */
	const char *why;
};

struct pg_live {
	struct live *skel;
	struct pg_live_key *keys;	/* hop_keys, mmapped (ncirc) */
	size_t keys_len;		/* bytes mapped */
	uint32_t ncirc, first_id;
	int spread, ncpus_possible;
	uint8_t frame[PG_FRAME_MAX];
	int len;
	char ifname[IF_NAMESIZE];
	uint32_t ifindex, queue, batch;
	uint64_t err0;			/* xmit errors before the run */
	/* Shared by the threads, under lock. */
	pthread_mutex_t lock;
	uint64_t count, claimed;
	struct timespec t0;
	int stop;		/* atomic */
	int nthreads;
	struct pg_live_thread th[PG_LIVE_MAX_CPUS];
};

/* One ethtool ioctl on ifname. */
static int ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Frames the driver refused from ndo_xdp_xmit (ring full), summed over
 * its queues: the ethtool statistics named "*xdp_xmit_err*" (veth's
 * tx_queue_N_xdp_xmit_errors). 0 where the driver has none. */
static uint64_t xmit_errors(const char *ifname)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t n;
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
			    .sset_mask = 1ULL << ETH_SS_STATS } };
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *vals = NULL;
	uint64_t sum = 0;
	uint32_t i, n;

	if (ethtool(ifname, &info) || !info.hdr.sset_mask)
		return 0;
	n = info.n;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(uint64_t));
	if (!names || !vals)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	if (ethtool(ifname, names) || ethtool(ifname, vals))
		goto out;
	for (i = 0; i < n && i < vals->n_stats; i++) {
		char *name = (char *)names->data + (size_t)i * ETH_GSTRING_LEN;

		name[ETH_GSTRING_LEN - 1] = 0;
		if (strstr(name, "xdp_xmit_err"))
			sum += vals->data[i];
	}
out:
	free(names);
	free(vals);
	return sum;
}

double pg_live_prog_ns(const struct pg_live *l)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(l->skel->progs.live_xdp),
				   &info, &len) || !info.run_cnt)
		return 0;
	return (double)info.run_time_ns / (double)info.run_cnt;
}

uint64_t pg_live_errors(const struct pg_live *l)
{
	return xmit_errors(l->ifname) - l->err0;
}

/* Map hop_keys and write every circuit's hop key into it. */
static int fill_keys(struct pg_live *l, const struct pg_live_cfg *cfg)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)l->ncirc * sizeof(*l->keys);
	struct osm_keys k;
	uint32_t i;
	void *p;

	len = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(l->skel->maps.hop_keys), 0);
	if (p == MAP_FAILED)
		return -errno;
	l->keys = p;
	l->keys_len = len;
	for (i = 0; i < l->ncirc; i++) {
		cfg->keys_of(&k, l->first_id + i, cfg->arg);
		memcpy(l->keys[i].hop, k.hop, OSM_HOP_KEY_LEN);
	}
	osm_wipe(&k, sizeof(k));
	return 0;
}

int pg_live_open(struct pg_live **out, struct pg_gen *g,
		 const struct pg_live_cfg *cfg, const char **why)
{
	struct pg_live *l;
	int reason, clen, err;

	*why = "allocating";
	if (!cfg->ncirc || cfg->ncirc > PG_LIVE_MAX_CIRC ||
	    (uint64_t)g->first_id + cfg->ncirc > UINT32_MAX)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	l->queue = cfg->queue;
	l->batch = cfg->batch;
	l->ncirc = cfg->ncirc;
	l->first_id = g->first_id;
	l->spread = cfg->spread;
	snprintf(l->ifname, sizeof(l->ifname), "%s", cfg->ifname);
	l->ifindex = if_nametoindex(cfg->ifname);
	if (!l->ifindex) {
		*why = "interface lookup";
		err = -ENODEV;
		goto fail;
	}
	l->ncpus_possible = libbpf_num_possible_cpus();
	if (l->ncpus_possible <= 0) {
		*why = "counting CPUs";
		err = l->ncpus_possible ? l->ncpus_possible : -EINVAL;
		goto fail;
	}
	/* The template: a valid frame of the first circuit (its AEAD tag is
	 * for this one sequence number). */
	l->len = pg_gen_next(g, l->frame, &reason, NULL, &clen);
	l->skel = live__open();
	if (!l->skel) {
		*why = "opening live_xdp";
		err = -errno;
		goto fail;
	}
	l->skel->rodata->seq0 = g->circ[0].tx.next_seq;
	l->skel->rodata->first_id = g->first_id;
	l->skel->rodata->ncirc = cfg->ncirc;
	l->skel->rodata->spread = cfg->spread ? 1 : 0;
	err = bpf_map__set_max_entries(l->skel->maps.hop_keys, cfg->ncirc);
	if (!err)
		err = live__load(l->skel);
	if (err) {
		*why = "loading live_xdp";
		goto fail;
	}
	/* Keys go straight into the map's memory, never through libbpf's
	 * load-time copy or a bpf(2) buffer. */
	err = fill_keys(l, cfg);
	if (err) {
		*why = "mapping hop_keys";
		goto fail;
	}
	*out = l;
	return 0;
fail:
	pg_live_close(l);
	return err;
}

/* Every possible CPU's element of cpu_share, into vals (ncpus_possible
 * of them). */
static int read_shares(const struct pg_live *l, struct pg_live_cpu *vals)
{
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.cpu_share), &zero,
				vals))
		return -errno;
	return 0;
}

uint64_t pg_live_sent(const struct pg_live *l)
{
	struct pg_live_cpu *vals;
	uint64_t sum = 0;
	int i;

	if (!l->spread)
		return __atomic_load_n(&l->skel->bss->sent, __ATOMIC_RELAXED);
	vals = calloc((size_t)l->ncpus_possible, sizeof(*vals));
	if (vals && !read_shares(l, vals))
		for (i = 0; i < l->ncpus_possible; i++)
			sum += vals[i].made;
	free(vals);
	return sum;
}

int pg_live_share(const struct pg_live *l, int t, struct pg_live_share *s)
{
	struct pg_live_cpu *vals;
	int err;

	if (!l->spread || t < 0 || t >= l->nthreads)
		return -ENOENT;
	vals = calloc((size_t)l->ncpus_possible, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = read_shares(l, vals);
	if (!err) {
		s->cpu = l->th[t].cpu;
		s->first_id = l->first_id + vals[s->cpu].first;
		s->ncirc = vals[s->cpu].n;
		s->frames = vals[s->cpu].made;
	}
	free(vals);
	return err;
}

/* --spread: thread t of n takes circuits [t * N / n, (t + 1) * N / n),
 * in cpu_share's element of its CPU; other CPUs get none. */
static int share_out(struct pg_live *l, const int *cpus, int n)
{
	struct pg_live_cpu *vals;
	uint32_t zero = 0;
	int t, u, err = 0;

	if ((uint32_t)n > l->ncirc)
		return -EINVAL;
	for (t = 0; t < n; t++) {
		if (cpus[t] < 0 || cpus[t] >= l->ncpus_possible)
			return -EINVAL;
		for (u = 0; u < t; u++)
			if (cpus[u] == cpus[t])
				return -EINVAL;
	}
	vals = calloc((size_t)l->ncpus_possible, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (t = 0; t < n; t++) {
		struct pg_live_cpu *v = &vals[cpus[t]];

		v->first = (uint32_t)((uint64_t)l->ncirc * (uint64_t)t /
				      (uint64_t)n);
		v->n = (uint32_t)((uint64_t)l->ncirc * (uint64_t)(t + 1) /
				  (uint64_t)n) - v->first;
		v->next = v->first;
	}
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.cpu_share), &zero,
				vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

/* Frames this thread may make in its next call, -1 when done. A count
 * is shared out between the threads in shrinking parts, so that all of
 * them work until it is met. */
static long long claim(struct pg_live *l)
{
	long long n = PG_LIVE_CHUNK;
	uint64_t left;

	pthread_mutex_lock(&l->lock);
	if (l->stop || (l->count && l->claimed >= l->count)) {
		pthread_mutex_unlock(&l->lock);
		return -1;
	}
	if (l->count) {
		left = l->count - l->claimed;
		n = (long long)((left + (uint64_t)l->nthreads - 1) /
				(uint64_t)l->nthreads);
		if (n < PG_LIVE_MIN_SHARE)
			n = (long long)(left < PG_LIVE_MIN_SHARE ?
					left : PG_LIVE_MIN_SHARE);
		if (n > PG_LIVE_CHUNK)
			n = PG_LIVE_CHUNK;
	}
	l->claimed += (uint64_t)n;
	pthread_mutex_unlock(&l->lock);
	return n;
}

/* SIGUSR1 only interrupts BPF_PROG_RUN (-EINTR). */
static void on_wake(int sig)
{
	(void)sig;
}

static void *thread_main(void *arg)
{
	struct pg_live_thread *t = arg;
	struct pg_live *l = t->l;
	struct xdp_md md = { .data_end = (uint32_t)l->len,
			     .ingress_ifindex = l->ifindex,
			     .rx_queue_index = l->queue };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = l->frame,
		.data_size_in = (uint32_t)l->len,
		.ctx_in = &md,
		.ctx_size_in = sizeof(md),
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.batch_size = l->batch,
	);
	int fd = bpf_program__fd(l->skel->progs.live_xdp);
	cpu_set_t set;
	long long n;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		t->why = "pinning a thread";
		t->err = -EINVAL;
		pg_live_stop(l);
		__atomic_store_n(&t->running, 0, __ATOMIC_RELEASE);
		return NULL;
	}
	while ((n = claim(l)) >= 0) {
		o.repeat = (int)n;
		if (bpf_prog_test_run_opts(fd, &o) < 0) {
			/* A signal cuts a run short: the caller stops. */
			if (errno != EINTR) {
				t->why = "BPF_PROG_RUN (live frames)";
				t->err = -errno;
			}
			pg_live_stop(l);
			break;
		}
	}
	__atomic_store_n(&t->running, 0, __ATOMIC_RELEASE);
	return NULL;
}

int pg_live_start(struct pg_live *l, const int *cpus, int ncpus,
		  uint64_t count)
{
	struct sigaction sa = { .sa_handler = on_wake };	/* no SA_RESTART */
	int i, e;

	if (sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	l->count = count;
	l->nthreads = ncpus < PG_LIVE_MAX_CPUS ? ncpus : PG_LIVE_MAX_CPUS;
	if (l->spread) {
		e = share_out(l, cpus, l->nthreads);
		if (e)
			return e;
	}
	l->err0 = xmit_errors(l->ifname);
	clock_gettime(CLOCK_MONOTONIC, &l->t0);
	for (i = 0; i < l->nthreads; i++) {
		l->th[i].l = l;
		l->th[i].cpu = cpus[i];
		__atomic_store_n(&l->th[i].running, 1, __ATOMIC_RELEASE);
		e = pthread_create(&l->th[i].tid, NULL, thread_main, &l->th[i]);
		if (e) {
			__atomic_store_n(&l->th[i].running, 0, __ATOMIC_RELEASE);
			pg_live_stop(l);
			return -e;
		}
		l->th[i].started = 1;
	}
	return 0;
}

int pg_live_done(struct pg_live *l)
{
	int i;

	if (__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE))
		return 1;
	for (i = 0; i < l->nthreads; i++)
		if (__atomic_load_n(&l->th[i].running, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

void pg_live_stop(struct pg_live *l)
{
	pthread_mutex_lock(&l->lock);
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&l->lock);
}

int pg_live_join(struct pg_live *l, const char **why)
{
	struct timespec tick = { 0, 2000000 };
	int i, err = 0;

	for (i = 0; i < l->nthreads; i++) {
		if (!l->th[i].started)
			continue;
		/* Interrupt its BPF_PROG_RUN once stopped; again, in case the
		 * signal came just before the call. */
		while (__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&l->th[i].running, __ATOMIC_ACQUIRE)) {
			pthread_kill(l->th[i].tid, SIGUSR1);
			nanosleep(&tick, NULL);
		}
		pthread_join(l->th[i].tid, NULL);
		l->th[i].started = 0;
		if (l->th[i].err && !err) {
			err = l->th[i].err;
			*why = l->th[i].why;
		}
	}
	return err;
}

void pg_live_close(struct pg_live *l)
{
	const char *why;

	if (!l)
		return;
	pg_live_stop(l);
	pg_live_join(l, &why);
	if (l->keys) {
		osm_wipe(l->keys, l->keys_len);
		munmap(l->keys, l->keys_len);
	}
	live__destroy(l->skel);
	osm_wipe(l->frame, sizeof(l->frame));
	pthread_mutex_destroy(&l->lock);
	free(l);
}
