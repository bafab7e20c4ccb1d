// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-bench: the measuring parts of `make bench` (tools/bench/bench.sh
 * runs them and draws the table).
 *   osm-bench testrun [--repeat N] [--trials N]
 *     ns/frame under BPF_PROG_TEST_RUN, 64 and 1500-byte frames: XDP_DROP
 *     floor, unauthenticated MAC redirect, the switch's verified forward;
 *     CSV "size,case,ns" on stdout.
 *   osm-bench attach sink|redirect|osm --in IF [--out IF --src MAC
 *     --dst MAC --secret-file FILE --circuit ID --epoch N
 *     --circuits N --installed M]
 *     attach a program for the veth fps run; it stays after we exit.
 *     osm installs M circuits ID..ID+M-1 (default M = N = 1), each keyed
 *     with osm_kdf_circuit(secret, id, epoch), in a table of the default
 *     size; the generator sends over the first N.
 *   osm-bench with-stats CMD [ARG...]
 *     run CMD with the kernel's BPF run-time accounting on (BPF_ENABLE_STATS:
 *     held by a file descriptor, so parallel runs cannot leave it on). */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sodium.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "osm_endpoint.h"
#include "osm_arg.h"
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "switch.h"
#include "bench.skel.h"
#include "baseline_redirect.skel.h"
#include "xdp_run.h"

#define OB_CIRCUIT	1
#define OB_EPOCH	2


static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

struct tr {
	uint32_t in, out, repeat, trials;
	uint8_t src[6], dst[6], secret[32];
	struct osm_switch *sw;
	struct bench *b;
	struct baseline_redirect *rd;
	uint64_t seq;			/* next fresh sequence number */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Median over trials of one program on one frame; checks the verdict.
 * With fresh set, the frame's sequence number starts past every number
 * used before, as fresh_xdp counts up from it. */
static int measure(struct tr *t, int prog_fd, uint8_t *frame, uint32_t len,
		   int want, int fresh, uint32_t *median)
{
	uint32_t ns[32];
	uint32_t i;
	int r;

	for (i = 0; i < t->trials; i++) {
		if (fresh) {
			osm_put_be64(frame + OSM_ETH_HLEN + OSM_OFF_SEQ,
				     t->seq);
			t->seq += t->repeat;
		}
		r = osm_xdprun_repeat(prog_fd, t->in, frame, len, t->repeat,
				    &ns[i]);
		if (r < 0)
			return osm_err("BPF_PROG_TEST_RUN: %s", strerror(-r));
		if (r != want)
			return osm_err("verdict %d, want %d", r, want);
	}
	qsort(ns, t->trials, sizeof(ns[0]), cmp_u32);
	*median = ns[t->trials / 2];
	return 0;
}

static int set_next(struct tr *t, int prog_fd)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(t->b->maps.bench_next), &zero,
				&prog_fd, BPF_ANY))
		return osm_err("bench_next: %s", strerror(errno));
	return 0;
}

/* Runs of the drop floor and the switch the kernel counted: they grow
 * only while someone (BPF_ENABLE_STATS, the sysctl) has BPF run-time
 * stats on, which adds two clock reads to every run we time. */
static int run_cnt(struct tr *t, uint64_t *n)
{
	int fds[2] = { bpf_program__fd(t->b->progs.drop_xdp),
		       osm_switch_prog_fd(t->sw) };
	struct bpf_prog_info info;
	uint32_t len;
	int i;

	*n = 0;
	for (i = 0; i < 2; i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fds[i], &info, &len))
			return osm_err("prog info: %s", strerror(errno));
		*n += info.run_cnt;
	}
	return 0;
}

/* The switch's verified forward of the frame, fresh_xdp's cost (drv)
 * subtracted, with the circuit installed as c: every run must have been a
 * real, verified forward. */
static int forward(struct tr *t, const struct osm_circuit *c, uint8_t *frame,
		   uint32_t size, uint32_t drv, uint32_t *net)
{
	struct osm_circuit_stats cs0, cs1;
	uint32_t gross;
	int e;

	e = osm_switch_circuit_replace(t->sw, c);
	if (e)
		return osm_err("cannot replace the circuit: %s", strerror(-e));
	if (osm_switch_circuit_stats(t->sw, OB_CIRCUIT, &cs0))
		return osm_err("circuit stats");
	if (measure(t, bpf_program__fd(t->b->progs.fresh_xdp), frame, size,
		    XDP_REDIRECT, 1, &gross))
		return 1;
	if (osm_switch_circuit_stats(t->sw, OB_CIRCUIT, &cs1))
		return osm_err("circuit stats");
	if (cs1.frames - cs0.frames != (uint64_t)t->repeat * t->trials ||
	    cs1.drops != cs0.drops)
		return osm_err("switch forwarded %llu of %llu frames",
			   (unsigned long long)(cs1.frames - cs0.frames),
			   (unsigned long long)t->repeat * t->trials);
	*net = gross > drv ? gross - drv : 0;
	return 0;
}

static int testrun_size(struct tr *t, uint32_t size)
{
	static uint8_t frame[OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD];
	static uint8_t pl[OSM_MAX_PAYLOAD];
	struct osm_tx tx = { .circuit = OB_CIRCUIT, .type = OSM_T_DATA };
	uint32_t drop, redir, drv, fwd, rated, replay, hop;
	struct osm_circuit c;
	struct timespec ts;
	uint64_t cnt0, cnt1;
	int n, r, sw_fd = osm_switch_prog_fd(t->sw);

	memcpy(tx.src, t->src, 6);
	memcpy(tx.dst, t->dst, 6);
	osm_kdf_circuit(&tx.keys, t->secret, OB_CIRCUIT, OB_EPOCH);
	n = osm_seal_seq(&tx, t->seq++, pl, size - OSM_FRAME_HDR_LEN, frame,
			 sizeof(frame));
	osm_wipe(&tx, sizeof(tx));
	if (n != (int)size)
		return osm_err("cannot seal a %u-byte frame", size);

	if (run_cnt(t, &cnt0) ||
	    measure(t, bpf_program__fd(t->b->progs.drop_xdp), frame, size,
		    XDP_DROP, 0, &drop) ||
	    measure(t, bpf_program__fd(t->b->progs.hoptag_xdp), frame, size,
		    XDP_DROP, 0, &hop) ||
	    measure(t, bpf_program__fd(t->rd->progs.redirect_xdp), frame,
		    size, XDP_REDIRECT, 0, &redir) ||
	    set_next(t, bpf_program__fd(t->b->progs.pass_xdp)) ||
	    measure(t, bpf_program__fd(t->b->progs.fresh_xdp), frame, size,
		    XDP_PASS, 1, &drv) ||
	    set_next(t, sw_fd))
		return 1;
	/* Unlimited and without a lease, then as the engine installs a
	 * circuit: a rate (one that never runs out here, so every frame
	 * still forwards) and a lease, which make the switch read the
	 * clock and refill the bucket. */
	osm_xdprun_circuit(&c, OB_CIRCUIT, t->in, t->out, t->src, t->dst,
		       t->secret, OB_EPOCH);
	r = forward(t, &c, frame, size, drv, &fwd);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c.rate = 100000000000ULL;
	c.burst = 2000000000;
	c.expires_ns = (uint64_t)ts.tv_sec * 1000000000ULL + 3600000000000ULL;
	if (!r)
		r = forward(t, &c, frame, size, drv, &rated);
	osm_wipe(&c, sizeof(c));
	if (r)
		return r;
	/* The same frame again and again: verified, then a replay. */
	if (measure(t, sw_fd, frame, size, XDP_DROP, 0, &replay))
		return 1;
	if (run_cnt(t, &cnt1))
		return 1;
	printf("%u,stats_on,%d\n", size, cnt1 != cnt0);
	printf("%u,drop,%u\n%u,redirect,%u\n%u,osm_forward,%u\n"
	       "%u,osm_forward_rated,%u\n%u,fresh_overhead,%u\n"
	       "%u,osm_replay_drop,%u\n%u,hop_tag_only,%u\n", size, drop,
	       size, redir, size, fwd, size, rated, size, drv, size, replay,
	       size, hop);
	return 0;
}

static int load_all(struct tr *t)
{
	struct osm_circuit c;
	struct bpf_devmap_val dv = { .ifindex = t->out };
	uint8_t k[OSM_HOP_KEY_LEN];	/* value of bench_key */
	struct osm_keys keys;
	uint64_t mac = 0;
	uint32_t zero = 0;
	int e;

	t->b = bench__open_and_load();
	t->rd = baseline_redirect__open_and_load();
	if (!t->b || !t->rd)
		return osm_err("cannot load the bench programs: %s",
			   strerror(errno));
	e = osm_switch_load(&t->sw, "opgbench", 16, OSM_SW_NOPIN);
	if (e)
		return osm_err("cannot load the switch: %s", strerror(-e));
	e = osm_switch_attach(t->sw, t->in, 0);
	if (!e)
		e = osm_switch_attach(t->sw, t->out, 0);
	if (e)
		return osm_err("cannot attach the switch: %s", strerror(-e));
	osm_xdprun_circuit(&c, OB_CIRCUIT, t->in, t->out, t->src, t->dst,
		       t->secret, OB_EPOCH);
	e = osm_switch_circuit_add(t->sw, &c);
	osm_wipe(&c, sizeof(c));
	if (e)
		return osm_err("cannot add the circuit: %s", strerror(-e));
	/* fresh_xdp tags with the circuit's hop key. */
	osm_kdf_circuit(&keys, t->secret, OB_CIRCUIT, OB_EPOCH);
	memcpy(k, keys.hop, sizeof(k));
	osm_wipe(&keys, sizeof(keys));
	e = bpf_map_update_elem(bpf_map__fd(t->b->maps.bench_key), &zero, k,
				BPF_ANY);
	osm_wipe(k, sizeof(k));
	memcpy(&mac, t->dst, 6);
	if (e || bpf_map_update_elem(bpf_map__fd(t->rd->maps.mac_ports), &mac,
				     &t->out, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(t->rd->maps.tx_ports), &t->out,
				&dv, BPF_ANY))
		return osm_err("cannot fill the bench maps: %s", strerror(errno));
	return 0;
}

static int parse_num(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || end == s || x < min || x > max)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int cmd_testrun(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "trials", required_argument, NULL, 't' },
		{ 0 },
	};
	struct tr t = { .repeat = 1000000, .trials = 5, .seq = 1 };
	uint32_t ifx[2];
	int c, e, ret = 1;

	while ((c = getopt_long(argc, argv, "r:t:", opts, NULL)) != -1) {
		if (c == 'r' && !parse_num(optarg, 1, 100000000, &t.repeat))
			continue;
		if (c == 't' && !parse_num(optarg, 1, 31, &t.trials))
			continue;
		return osm_err("usage: osm-bench testrun [--repeat N] [--trials N]");
	}
	randombytes_buf(t.secret, sizeof(t.secret));
	e = osm_xdprun_netns("opgb", 1, ifx);
	if (e)
		return osm_err("cannot make the bench netns: %s", strerror(-e));
	t.in = ifx[0];
	t.out = ifx[1];
	if (osm_xdprun_mac(t.in, t.src) || osm_xdprun_mac(t.out, t.dst))
		return osm_err("cannot read MAC addresses");
	if (load_all(&t))
		goto out;
	printf("size,case,ns\n");
	if (testrun_size(&t, 64) || testrun_size(&t, 1500))
		goto out;
	ret = 0;
out:
	osm_wipe(t.secret, sizeof(t.secret));
	osm_switch_close(t.sw);
	bench__destroy(t.b);
	baseline_redirect__destroy(t.rd);
	return ret;
}

/* Circuits id..id+n-1 from in to out, each keyed as osm_xdprun_circuit
 * keys one, in one batch. */
static int add_circuits(struct osm_switch *sw, uint32_t id, uint32_t n,
			uint32_t in, uint32_t out, const uint8_t src[6],
			const uint8_t dst[6], const uint8_t secret[32],
			uint32_t epoch)
{
	struct osm_circuit *c = calloc(n, sizeof(*c));
	uint32_t i;
	int e;

	if (!c)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		osm_xdprun_circuit(&c[i], id + i, in, out, src, dst, secret,
				   epoch);
	e = osm_switch_circuit_add_batch(sw, c, n);
	osm_wipe(c, n * sizeof(*c));
	free(c);
	return e;
}

static int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "secret-file", required_argument, NULL, 'k' },
		{ "secret", required_argument, NULL, 'K' },	/* refused */
		{ "circuit", required_argument, NULL, 'c' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "circuits", required_argument, NULL, 'n' },
		{ "installed", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct bpf_devmap_val dv = { 0 };
	struct osm_switch *sw = NULL;
	struct baseline_redirect *rd = NULL;
	struct bench *b = NULL;
	uint32_t in = 0, out = 0, id = 1, epoch = 1, n = 1, m = 0;
	uint8_t src[6] = { 0 }, dst[6] = { 0 }, secret[32];
	uint64_t mac = 0;
	const char *mode = argc > 1 ? argv[1] : "";
	int c, e, have_secret = 0, ret = 1;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'o':
			if (!if_nametoindex(optarg))
				return osm_err("no interface '%s'", optarg);
			*(c == 'i' ? &in : &out) = if_nametoindex(optarg);
			break;
		case 's':
		case 'd':
			if (osm_mac_parse(optarg, c == 's' ? src : dst))
				return osm_err("bad MAC address '%s'", optarg);
			break;
		case 'K':
			return osm_arg_key_refused("--secret", optarg,
						   "--secret-file");
		case 'k':
			e = osm_arg_key_file(optarg, secret, sizeof(secret));
			if (e)
				return osm_err("--secret-file %s: %s", optarg,
					       osm_arg_strerror(e));
			have_secret = 1;
			break;
		case 'c':
		case 'e':
			if (parse_num(optarg, 0, UINT32_MAX - 2,
				      c == 'c' ? &id : &epoch))
				return osm_err("bad number '%s'", optarg);
			break;
		case 'n':
		case 'm':
			if (parse_num(optarg, 1, OSM_MAX_CIRCUITS,
				      c == 'n' ? &n : &m))
				return osm_err("--%s '%s' is not in 1..%d",
					   c == 'n' ? "circuits" : "installed",
					   optarg, OSM_MAX_CIRCUITS);
			break;
		default:
			return osm_err("unknown option (see the top of bench.c)");
		}
	}
	if (!in)
		return osm_err("attach needs --in IF");
	if (!m)
		m = n;
	if (m < n)
		return osm_err("--installed %u is fewer than --circuits %u", m, n);
	if ((uint64_t)id + m - 1 > UINT32_MAX)
		return osm_err("circuit ids %u + %u run past 2^32 - 1", id, m);
	if (!strcmp(mode, "sink")) {
		b = bench__open_and_load();
		if (!b || bpf_xdp_attach((int)in,
					 bpf_program__fd(b->progs.drop_xdp),
					 XDP_FLAGS_DRV_MODE, NULL))
			goto fail;
		ret = 0;
	} else if (!strcmp(mode, "redirect")) {
		if (!out)
			return osm_err("attach redirect needs --out IF --dst MAC");
		rd = baseline_redirect__open_and_load();
		memcpy(&mac, dst, 6);
		dv.ifindex = out;
		if (!rd || bpf_map_update_elem(bpf_map__fd(rd->maps.mac_ports),
					       &mac, &out, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(rd->maps.tx_ports), &out,
					&dv, BPF_ANY) ||
		    bpf_xdp_attach((int)in,
				   bpf_program__fd(rd->progs.redirect_xdp),
				   XDP_FLAGS_DRV_MODE, NULL))
			goto fail;
		ret = 0;
	} else if (!strcmp(mode, "osm")) {
		if (!out || !have_secret)
			return osm_err("attach osm needs --out IF --src MAC "
				   "--dst MAC --secret-file FILE");
		/* The table of a switch as loaded for a building (it grows
		 * with use), whether it holds one circuit or 100,000. */
		e = osm_switch_load(&sw, "opgbench", 0, OSM_SW_NOPIN);
		if (!e)
			e = osm_switch_attach(sw, in, 0);
		if (!e)
			e = osm_switch_attach(sw, out, 0);
		if (!e)
			e = add_circuits(sw, id, m, in, out, src, dst, secret,
					 epoch);
		osm_wipe(secret, sizeof(secret));
		if (e) {
			errno = -e;
			goto fail;
		}
		ret = 0;
	} else {
		return osm_err("attach what? sink, redirect or osm");
	}
fail:
	if (ret)
		osm_err("attach %s: %s", mode, strerror(errno));
	osm_switch_close(sw);
	bench__destroy(b);
	baseline_redirect__destroy(rd);
	return ret;
}

static int cmd_with_stats(int argc, char **argv)
{
	int fd, status;
	pid_t pid;

	if (argc < 2)
		return osm_err("usage: osm-bench with-stats CMD [ARG...]");
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return osm_err("BPF_ENABLE_STATS: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(fd);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = -1;
	close(fd);
	if (status == -1)
		return osm_err("cannot run %s: %s", argv[1], strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	if (osm_keys_nodump())
		return osm_err("cannot keep keys out of core dumps");
	if (!getenv("OSM_BENCH_VERBOSE"))
		libbpf_set_print(quiet);
	if (argc > 1 && !strcmp(argv[1], "testrun"))
		return cmd_testrun(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "with-stats"))
		return cmd_with_stats(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	return osm_err("usage: osm-bench testrun|attach|with-stats ... (see bench.c)");
}
