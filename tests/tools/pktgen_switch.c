// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen's frames against the real switch, in a private netns:
 *
 *   osm-pktgen -> opgP0p ==veth== opgP0 [switch_xdp] opgP1 ==veth== opgP1p
 *                                                           (XDP_DROP sink)
 *
 * over AF_PACKET and AF_XDP, with every hostile kind in the mix: the
 * switch must forward exactly the valid frames (the sink receives them)
 * and drop each other frame with the reason the generator intended,
 * counted exactly in drop_stats. Then live frames (-m live), made in the
 * kernel on one and on two CPUs: every frame the generator reports sent
 * must be forwarded, none dropped. Then live frames over many circuits
 * (MANY installed in one batch), each CPU its own circuits (--spread) or
 * all CPUs all circuits, and over the most circuits a run takes: each
 * circuit must forward exactly its share of the frames. TAP output. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <jansson.h>
#include <sodium.h>
#include "tap.h"
#include "osm_endpoint.h"
#include "osm_hex.h"
#include "switch.h"
#include "xdp_run.h"

#define FIRST_ID	100
#define NCIRC		3
#define EPOCH		4
#define MANY_ID		10000	/* the many circuits: MANY_ID.. */
#define MANY		3000

static json_t *run_pktgen(const char *cmd)
{
	char buf[65536];
	size_t n;
	FILE *p = popen(cmd, "r");

	if (!p)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = 0;
	if (pclose(p) != 0)
		return NULL;
	return json_loads(buf, 0, NULL);
}

static void one_mode(struct osm_switch *sw, const char *mode,
		     const char *gen_if, const char *sink_if,
		     const char *secret_file)
{
	uint64_t d0[OSM_REASON_MAX], d1[OSM_REASON_MAX], fwd = 0, sink0;
	struct osm_circuit_stats cs;
	char cmd[1024];
	json_t *j, *want;
	uint32_t id;
	int r;

	osm_switch_drop_stats(sw, d0);
	for (id = FIRST_ID; id < FIRST_ID + NCIRC; id++)
		if (!osm_switch_circuit_stats(sw, id, &cs))
			fwd -= cs.frames;
	sink0 = osm_xdprun_rx_packets(sink_if);
	snprintf(cmd, sizeof(cmd),
		 "build/osm-pktgen -i %s -m %s -n 3000 -r 40000 -c %d -C %d "
		 "-e %d -s 100 --secret-file %s --quiet -j --mix valid=40,"
		 "bad_tag=10,replay=10,unknown=10,truncated=10,random=10,"
		 "stale_epoch=10", gen_if, mode, FIRST_ID, NCIRC, EPOCH,
		 secret_file);
	j = run_pktgen(cmd);
	tap(j != NULL, "%s: osm-pktgen ran", mode);
	if (!j)
		return;
	usleep(100000);	/* the last frames cross the veth */
	osm_switch_drop_stats(sw, d1);
	for (id = FIRST_ID; id < FIRST_ID + NCIRC; id++)
		if (!osm_switch_circuit_stats(sw, id, &cs))
			fwd += cs.frames;
	want = json_object_get(j, "expect");
	tap(json_integer_value(json_object_get(j, "frames")) == 3000,
	    "%s: 3000 frames sent", mode);
	for (r = 0; r < OSM_REASON_MAX; r++) {
		json_int_t w = json_integer_value(
			json_object_get(want, osm_reason_name(r)));
		uint64_t got = r == OSM_OK ? fwd : d1[r] - d0[r];

		if (r != OSM_OK && !w && got == 0)
			continue;
		tap(got == (uint64_t)w, "%s: switch %s %llu (generator: %lld)",
		    mode, osm_reason_name(r), (unsigned long long)got,
		    (long long)w);
	}
	tap(osm_xdprun_rx_packets(sink_if) - sink0 == fwd,
	    "%s: the sink received the %llu forwarded frames", mode,
	    (unsigned long long)fwd);
	json_decref(j);
}

/* Frames forwarded on the test's circuits, and all drops of the switch. */
static void totals(struct osm_switch *sw, uint64_t *fwd, uint64_t *drops)
{
	uint64_t d[OSM_REASON_MAX];
	struct osm_circuit_stats cs;
	uint32_t id;
	int r;

	*fwd = 0;
	*drops = 0;
	for (id = FIRST_ID; id < FIRST_ID + NCIRC; id++)
		if (!osm_switch_circuit_stats(sw, id, &cs))
			*fwd += cs.frames;
	osm_switch_drop_stats(sw, d);
	for (r = 0; r < OSM_REASON_MAX; r++)
		if (r != OSM_OK)
			*drops += d[r];
}

/* -m live on the given CPUs: forwarded == sent, no drop, no refusal. */
static void live_mode(struct osm_switch *sw, const char *cpus, int n,
		      const char *gen_if, const char *sink_if,
		      const char *secret_file)
{
	uint64_t fwd0, fwd1, drop0, drop1, sink0, sent;
	char cmd[1024];
	json_t *j;

	totals(sw, &fwd0, &drop0);
	sink0 = osm_xdprun_rx_packets(sink_if);
	snprintf(cmd, sizeof(cmd),
		 "build/osm-pktgen -i %s -m live --cpus %s -n %d "
		 "-c %d -C %d -e %d -s 100 --secret-file %s --quiet -j", gen_if, cpus,
		 n, FIRST_ID, NCIRC, EPOCH, secret_file);
	j = run_pktgen(cmd);
	tap(j != NULL, "live on CPUs %s: osm-pktgen ran", cpus);
	if (!j)
		return;
	usleep(100000);
	totals(sw, &fwd1, &drop1);
	sent = (uint64_t)json_integer_value(json_object_get(j, "frames"));
	tap(sent == (uint64_t)n, "live on CPUs %s: %llu frames sent (want %d)",
	    cpus, (unsigned long long)sent, n);
	tap(json_integer_value(json_object_get(j, "errors")) == 0,
	    "live on CPUs %s: the interface refused none", cpus);
	tap(!strcmp(json_string_value(json_object_get(j, "aead")) ?: "",
		    "stale"), "live on CPUs %s: summary says the AEAD tags are "
	    "stale", cpus);
	tap(fwd1 - fwd0 == sent, "live on CPUs %s: switch forwarded %llu of "
	    "%llu", cpus, (unsigned long long)(fwd1 - fwd0),
	    (unsigned long long)sent);
	tap(drop1 == drop0, "live on CPUs %s: switch dropped %llu", cpus,
	    (unsigned long long)(drop1 - drop0));
	tap(osm_xdprun_rx_packets(sink_if) - sink0 == sent,
	    "live on CPUs %s: the sink received %llu", cpus,
	    (unsigned long long)(osm_xdprun_rx_packets(sink_if) - sink0));
	json_decref(j);
}

/* Frames forwarded so far on each of the many circuits, into f[MANY]. */
static int many_frames(struct osm_switch *sw, uint64_t *f)
{
	struct osm_circuit_stats cs;
	uint32_t i;

	for (i = 0; i < MANY; i++) {
		if (osm_switch_circuit_stats(sw, MANY_ID + i, &cs))
			return -1;
		f[i] = cs.frames;
	}
	return 0;
}

/* Circuits first..first+nc-1 (of the many) got frames made over them
 * round robin, beyond the MANY installed ones none: want[] += each one's
 * share. */
static void share(uint64_t *want, uint64_t first, uint64_t nc,
		  uint64_t frames)
{
	uint64_t j;

	for (j = 0; j < nc && j < frames; j++)
		if (first + j >= MANY_ID && first + j < MANY_ID + MANY)
			want[first + j - MANY_ID] += frames / nc +
						      (j < frames % nc);
}

/* -m live over ncirc circuits from MANY_ID (the first MANY installed), on
 * cpus, with --spread or not: sent == forwarded, nothing dropped, and
 * each circuit forwarded exactly its share. */
static void live_many(struct osm_switch *sw, const char *cpus, int ncpus,
		      int spread, uint32_t ncirc, int n, const char *gen_if,
		      const char *sink_if, const char *secret_file)
{
	static uint64_t f0[MANY], f1[MANY], want[MANY];
	uint64_t fwd = 0, fwd0, fwd1, drop0, drop1, sink0, sent, got = 0;
	uint32_t i, bad = 0, covered = 0;
	char cmd[1024], what[128];
	json_t *j, *sh, *e;
	size_t k;

	snprintf(what, sizeof(what), "live over %u circuits on CPUs %s%s",
		 ncirc, cpus, spread ? ", spread" : "");
	totals(sw, &fwd0, &drop0);
	sink0 = osm_xdprun_rx_packets(sink_if);
	if (many_frames(sw, f0)) {
		tap(0, "%s: circuit stats", what);
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "build/osm-pktgen -i %s -m live --cpus %s -n %d -c %d -C %u "
		 "-e %d -s 100 --secret-file %s --quiet -j%s", gen_if, cpus, n,
		 MANY_ID, ncirc, EPOCH, secret_file, spread ? " --spread" : "");
	j = run_pktgen(cmd);
	tap(j != NULL, "%s: osm-pktgen ran", what);
	if (!j)
		return;
	usleep(100000);
	sent = (uint64_t)json_integer_value(json_object_get(j, "frames"));
	tap(sent == (uint64_t)n, "%s: %llu frames sent (want %d)", what,
	    (unsigned long long)sent, n);
	tap(json_integer_value(json_object_get(j, "errors")) == 0,
	    "%s: the interface refused none", what);
	totals(sw, &fwd1, &drop1);
	memset(want, 0, sizeof(want));
	if (spread) {
		/* Each CPU its own block of circuits, together all of them
		 * once, and every CPU made frames. */
		sh = json_object_get(j, "spread");
		json_array_foreach(sh, k, e) {
			uint64_t first = (uint64_t)json_integer_value(
				json_object_get(e, "first"));
			uint64_t nc = (uint64_t)json_integer_value(
				json_object_get(e, "circuits"));
			uint64_t fr = (uint64_t)json_integer_value(
				json_object_get(e, "frames"));

			if (first != MANY_ID + covered || !nc || !fr)
				bad++;
			covered += (uint32_t)nc;
			got += fr;
			share(want, first, nc, fr);
		}
		tap(json_array_size(sh) == (size_t)ncpus && !bad &&
		    covered == ncirc && got == sent, "%s: %d CPUs, each its "
		    "own circuits, all made frames (%llu in all)", what, ncpus,
		    (unsigned long long)got);
	} else {
		share(want, MANY_ID, ncirc, sent);
	}
	bad = 0;
	if (many_frames(sw, f1))
		bad = MANY;
	for (i = 0; i < MANY && !bad; i++)
		fwd += f1[i] - f0[i];
	tap(fwd == sent && fwd1 == fwd0, "%s: switch forwarded %llu of "
	    "%llu", what, (unsigned long long)fwd, (unsigned long long)sent);
	tap(drop1 == drop0, "%s: switch dropped %llu", what,
	    (unsigned long long)(drop1 - drop0));
	tap(osm_xdprun_rx_packets(sink_if) - sink0 == sent,
	    "%s: the sink received %llu", what,
	    (unsigned long long)(osm_xdprun_rx_packets(sink_if) - sink0));
	for (i = 0; i < MANY && !bad; i++)
		if (f1[i] - f0[i] != want[i]) {
			printf("# circuit %u: forwarded %llu, want %llu\n",
			       MANY_ID + i,
			       (unsigned long long)(f1[i] - f0[i]),
			       (unsigned long long)want[i]);
			bad++;
		}
	tap(!bad, "%s: each circuit forwarded exactly its share", what);
	json_decref(j);
}

int main(void)
{
	struct osm_switch *sw = NULL;
	struct osm_circuit c, *many = NULL;
	uint8_t secret[32], src[6], dst[6];
	char hex[65], prefix[16], gen_if[IF_NAMESIZE], sink_if[IF_NAMESIZE],
	     cmd[256];
	char keyfile[] = "/tmp/opg-secret.XXXXXX";
	uint32_t ifx[4], id;
	int e, kfd = -1, two;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (sodium_init() < 0)
		return 1;
	snprintf(prefix, sizeof(prefix), "opg%d", (int)getpid() % 100000);
	e = osm_xdprun_netns(prefix, 2, ifx);
	tap(!e, "private netns with two veth pairs (%s)", strerror(-e));
	if (e)
		goto out;
	snprintf(gen_if, sizeof(gen_if), "%s0p", prefix);
	snprintf(sink_if, sizeof(sink_if), "%s1p", prefix);
	/* Two receive queues on the switch's port and the sink: live frames
	 * sent on CPU n go to queue n, polled on that CPU (as with RSS), so
	 * two CPUs never share a ring. Set before XDP is attached. */
	snprintf(cmd, sizeof(cmd), "ethtool -L %s0 rx 2 && ethtool -L %s1p rx 2",
		 prefix, prefix);
	tap(system(cmd) == 0, "two rx queues on %s0 and %s1p", prefix, prefix);
	e = osm_switch_load(&sw, "opgtest", NCIRC + MANY, OSM_SW_NOPIN);
	if (!e)
		e = osm_switch_attach(sw, ifx[0], 0);
	if (!e)
		e = osm_switch_attach(sw, ifx[1], 0);
	tap(!e, "switch loaded on %s0 and %s1 (%s)", prefix, prefix,
	    strerror(-e));
	if (e)
		goto out;
	snprintf(cmd, sizeof(cmd), "build/osm-bench attach sink --in %s",
		 sink_if);
	tap(system(cmd) == 0, "XDP_DROP sink on %s", sink_if);
	randombytes_buf(secret, sizeof(secret));
	osm_hex_format(hex, secret, sizeof(secret));
	/* osm-pktgen takes it from a file (mode 0600): never in argv */
	kfd = mkstemp(keyfile);
	e = kfd < 0 || write(kfd, hex, 64) != 64;
	if (kfd >= 0)
		close(kfd);
	tap(!e, "the secret in a key file");
	osm_xdprun_mac(ifx[2], src);
	osm_xdprun_mac(ifx[3], dst);
	for (id = FIRST_ID, e = 0; id < FIRST_ID + NCIRC && !e; id++) {
		osm_xdprun_circuit(&c, id, ifx[0], ifx[1], src, dst, secret, EPOCH);
		e = osm_switch_circuit_add(sw, &c);
		osm_wipe(&c, sizeof(c));
	}
	tap(!e, "%d circuits installed", NCIRC);
	many = calloc(MANY, sizeof(*many));
	for (id = 0; many && id < MANY; id++)
		osm_xdprun_circuit(&many[id], MANY_ID + id, ifx[0], ifx[1], src,
				   dst, secret, EPOCH);
	osm_wipe(secret, sizeof(secret));
	e = many ? osm_switch_circuit_add_batch(sw, many, MANY) : -ENOMEM;
	if (many)
		osm_wipe(many, MANY * sizeof(*many));
	free(many);
	tap(!e, "%d more circuits installed in one batch (%s)", MANY,
	    strerror(-e));
	if (!e) {
		one_mode(sw, "packet", gen_if, sink_if, keyfile);
		one_mode(sw, "xdp", gen_if, sink_if, keyfile);
		live_mode(sw, "0", 20000, gen_if, sink_if, keyfile);
		live_mode(sw, sysconf(_SC_NPROCESSORS_ONLN) > 1 ? "0,1" : "0",
			  20000, gen_if, sink_if, keyfile);
	}
	two = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	if (!e) {
		live_many(sw, "0", 1, 1, MANY, 100000, gen_if, sink_if, keyfile);
		live_many(sw, two ? "0,1" : "0", two ? 2 : 1, 1, MANY, 100000,
			  gen_if, sink_if, keyfile);
		/* Every CPU every circuit: each circuit's numbers follow on,
		 * whichever CPU made the frame. */
		live_many(sw, two ? "0,1" : "0", two ? 2 : 1, 0, MANY, 100000,
			  gen_if, sink_if, keyfile);
		/* The most a run takes; frames go to its first 2000. */
		live_many(sw, "0", 1, 0, OSM_MAX_CIRCUITS, 2000, gen_if,
			  sink_if, keyfile);
	}
out:
	if (kfd >= 0)
		unlink(keyfile);
	osm_wipe(hex, sizeof(hex));
	osm_switch_close(sw);
	return tap_done();
}
