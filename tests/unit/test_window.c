// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The switch's lock-free replay window (osm_window): alone, the verdicts
 * of the RFC 6479 window (osm_replay) on random sequences; on two and
 * three threads pinned to CPUs 0 and 1, every number accepted once.
 * tools/model/window.pml is the same algorithm, model-checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include "osm_proto.h"

#define W	OSM_REPLAY_WINDOW
#define B	OSM_REPLAY_BITS
#define MAXS	0xfffffffffffffffeULL	/* largest valid number */
#define GEN_NUMS (1ULL << 43)		/* numbers between equal tags */

static struct osm_window w;
static struct osm_replay r;

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	return 0;
}

/* splitmix64: the run's seed, printed on failure, replays it */
static osm_u64 rnd_state, run_seed;

static osm_u64 rnd(void)
{
	osm_u64 z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static osm_u64 rnd_below(osm_u64 n)
{
	return n ? rnd() % n : 0;
}

/* Both windows take seq; they must agree. */
#define SAME(s)								\
	do {								\
		osm_u64 s_ = (s);					\
		int a_ = osm_window_accept(&w, s_);			\
		int b_ = osm_replay_accept(&r, s_);			\
		if (a_ != b_)						\
			fail_msg("seq %llu: lock-free %d, RFC 6479 %d",	\
				 (unsigned long long)s_, a_, b_);	\
	} while (0)

#define ACCEPT(s)	assert_true(osm_window_accept(&w, (s)))
#define REJECT(s)	assert_false(osm_window_accept(&w, (s)))

static void edges(void **state)
{
	osm_u64 t = 10000, s;

	(void)state;
	REJECT(OSM_SEQ_INVALID);
	ACCEPT(0);
	REJECT(0);
	ACCEPT(t);
	ACCEPT(t - W);		/* just inside */
	REJECT(t - W);
	REJECT(t - W - 1);	/* just outside */
	ACCEPT(t + 1);
	REJECT(t + 1 - W - 1);
	ACCEPT(t + 1 - W);
	/* a jump of exactly the ring: the slot's old bits are cleared */
	ACCEPT(t + 1 + B);
	ACCEPT(t + 1 + B - W);
	REJECT(t + 1);
	/* far ahead: everything inside the new window unseen */
	t += 5 * B + 17;
	ACCEPT(t);
	for (s = t - W; s < t; s++)
		ACCEPT(s);
	for (s = t - W; s <= t; s++)
		REJECT(s);
	REJECT(OSM_SEQ_INVALID);
}

static void check_is_pure(void **state)
{
	(void)state;
	ACCEPT(5);
	assert_true(osm_window_check(&w, 6));
	assert_true(osm_window_check(&w, 6));
	assert_true(osm_window_check(&w, 100000));
	assert_false(osm_window_check(&w, 5));
	assert_false(osm_window_check(&w, OSM_SEQ_INVALID));
	ACCEPT(6);
	assert_int_equal(w.top, 7);
}

static void top_of_range(void **state)
{
	(void)state;
	SAME(MAXS - 5);
	SAME(OSM_SEQ_INVALID);
	SAME(MAXS);
	SAME(MAXS);
	SAME(MAXS - 1);
	SAME(MAXS - W);
	SAME(MAXS - W - 1);
	SAME(OSM_SEQ_INVALID);
}

/*
 * A random sequence from base: mostly in order, late and duplicate
 * numbers, far behind, jumps inside the ring, of whole laps, to the
 * next 2^32 (a new session, docs/protocol.md 8.1), 2^64 - 1. steps
 * numbers at most: it ends where it would leave [base, end). Returns
 * the numbers offered.
 */
static unsigned int random_run(osm_u64 base, osm_u64 end, unsigned int steps,
			  void (*take)(osm_u64 s))
{
	osm_u64 cur = base, s, back, up;
	unsigned int i, pick;

	for (i = 0; i < steps; i++) {
		pick = (unsigned int)rnd_below(1000);
		back = cur - base;
		up = 0;
		if (pick < 450) {			/* in order */
			up = 1 + rnd_below(3);
			s = cur + up;
		} else if (pick < 600) {	/* late, near the edge */
			s = cur - rnd_below((back < W + 100 ? back :
						W + 100) + 1);
		} else if (pick < 700) {	/* a duplicate */
			s = cur - rnd_below((back < 64 ? back : 64) + 1);
		} else if (pick < 760) {	/* far behind */
			s = cur - (back < W ? back : W + 1 +
				   rnd_below(back - W < 8 * B ? back - W :
					     8 * B));
		} else if (pick < 840) {	/* inside the ring */
			up = rnd_below(B);
			s = cur + up;
		} else if (pick < 900) {	/* laps, a slot's edges */
			up = (1 + rnd_below(4)) * B + rnd_below(3) - 1;
			s = cur + up;
		} else if (pick < 950) {		/* to a slot's first */
			up = 32 - cur % 32 + rnd_below(2) * 31;
			s = cur + up;
		} else if (pick < 960) {		/* a new session */
			up = (cur | 0xffffffffULL) + 1 + rnd_below(4) - cur;
			s = cur + up;
		} else if (pick < 970) {
			s = OSM_SEQ_INVALID;
		} else {				/* a sender's burst */
			up = 1;
			s = cur + 1;
		}
		if (up > end - cur)
			break;
		cur += up;
		take(s);
	}
	return i;
}

static void take_same(osm_u64 s)
{
	int a = osm_window_accept(&w, s), b = osm_replay_accept(&r, s);

	if (a != b)
		fail_msg("run seed %llu: seq %llu: lock-free %d, RFC 6479 %d",
			 (unsigned long long)run_seed,
			 (unsigned long long)s, a, b);
}

/*
 * Alone, the lock-free window decides as the RFC 6479 window does, on a
 * million random sequences, each inside one span of 2^43 numbers (from
 * 2^12 into it, 2^42 long): its 32-bit tags (a generation's lap of the
 * ring) repeat every 2^43 numbers, and osm_proto.h says what that costs
 * (lossy_sequences_never_twice).
 */
static void same_as_rfc6479(void **state)
{
	osm_u64 seed, base, total = 0;
	unsigned int run, runs = 1000000, len;

	(void)state;
	randombytes_buf(&seed, sizeof(seed));
	for (run = 0; run < runs; run++) {
		rnd_state = run_seed = seed + run;
		memset(&w, 0, sizeof(w));
		memset(&r, 0, sizeof(r));
		if (run % 4 == 0)		/* the first span */
			base = 4096 + rnd_below(1 << 20);
		else				/* any span, the last too */
			base = rnd_below((MAXS >> 43) + 1) * GEN_NUMS + 4096 +
			       rnd_below(1 << 20);
		/* mostly short: the first numbers of a window; 1 in 50 long */
		len = run % 50 ? 1 + (unsigned int)rnd_below(12) : 250;
		total += random_run(base, base + (GEN_NUMS >> 1), len,
				    take_same);
	}
	/* near the top of the range */
	for (run = 0; run < 200; run++) {
		rnd_state = run_seed = seed + runs + run;
		memset(&w, 0, sizeof(w));
		memset(&r, 0, sizeof(r));
		total += random_run(MAXS - (1ULL << 26), MAXS, 2000,
				    take_same);
	}
	print_message("# %llu numbers in %u runs, seed %llu: the same "
		      "verdicts\n", (unsigned long long)total, runs + 200,
		      (unsigned long long)seed);
}

/* The numbers the lock-free window accepted: a hash set. */
#define SET_BITS	18
static osm_u64 set[1u << SET_BITS];
static osm_u64 set_top, lost;

static int set_add(osm_u64 s)
{
	osm_u64 i = (s * 0x9e3779b97f4a7c15ULL) >> (64 - SET_BITS);

	while (set[i] && set[i] != s + 1)
		i = (i + 1) & ((1u << SET_BITS) - 1);
	if (set[i])
		return 0;
	set[i] = s + 1;
	return 1;
}

static void take_once(osm_u64 s)
{
	int a = osm_window_accept(&w, s), b = osm_replay_accept(&r, s);

	lost += b && !a;	/* a figure: the two differ after the first */
	if (!a)
		return;
	if (!set_add(s))
		fail_msg("run seed %llu: seq %llu accepted twice",
			 (unsigned long long)run_seed, (unsigned long long)s);
	if (set_top && s + 1 < set_top && set_top - (s + 1) > W)
		fail_msg("run seed %llu: seq %llu accepted, too old",
			 (unsigned long long)run_seed, (unsigned long long)s);
	if (s + 1 > set_top)
		set_top = s + 1;
}

/*
 * Across spans of 2^43 numbers, tags repeat: the window may refuse a
 * number the RFC 6479 window takes, but never accepts one twice, nor one
 * more than W below the highest it accepted. Devices' sessions (numbers
 * from S x 2^32), 40 in a row, some long, some a few frames: none
 * refused that the RFC 6479 window takes (a tag of 2^37 numbers lost up
 * to 2,000 frames of the 33rd session).
 */
static void lossy_sequences_never_twice(void **state)
{
	osm_u64 seed, s, sess, total = 0;
	unsigned int run, i, n;

	(void)state;
	randombytes_buf(&seed, sizeof(seed));
	lost = 0;
	for (run = 0; run < 400; run++) {
		rnd_state = run_seed = seed + run;
		memset(&w, 0, sizeof(w));
		memset(&r, 0, sizeof(r));
		memset(set, 0, sizeof(set));
		set_top = 0;
		/* 40 sessions, a few frames each or a burst, and late ones */
		sess = rnd_below(1ULL << 20);
		for (i = 0; i < 40; i++, sess++) {
			n = rnd_below(4) ? 1 + (unsigned int)rnd_below(40) :
					   (unsigned int)rnd_below(3000);
			for (s = 0; s < n; s++) {
				take_once(sess << 32 | s);
				if (rnd_below(20) == 0)
					take_once(sess << 32 |
						      rnd_below(s + 1));
			}
		}
		if (lost)
			fail_msg("run seed %llu: %llu refused over sessions "
				 "that the RFC 6479 window took",
				 (unsigned long long)run_seed,
				 (unsigned long long)lost);
		/* and random sequences over many spans */
		random_run(rnd_below(1ULL << 40), MAXS, 3000, take_once);
		total += lost;
		lost = 0;
	}
	print_message("# seed %llu: no number twice; %llu refused that the "
		      "RFC 6479 window took (repeated tags, random jumps "
		      "over spans)\n", (unsigned long long)seed,
		      (unsigned long long)total);
}

/* ---- Threads: one window, two or three CPUs at once ----------------- */

#define MT_NUMS		(1u << 20)
#define MT_BLOCK	256	/* numbers between barriers, < W */

struct mt_thread {
	pthread_t t;
	int cpu;
	int pinned;
	int shuffle;
	osm_u64 seed;
	unsigned long won, late;
};

static unsigned char mt_count[MT_NUMS];
static pthread_barrier_t mt_bar;

static void *mt_work(void *arg)
{
	struct mt_thread *th = arg;
	osm_u64 order[MT_BLOCK], state = th->seed, x, s;
	cpu_set_t set;
	unsigned int blk, i, j;

	CPU_ZERO(&set);
	CPU_SET(th->cpu, &set);
	th->pinned = sched_setaffinity(0, sizeof(set), &set) == 0;
	for (blk = 0; blk < MT_NUMS / MT_BLOCK; blk++) {
		for (i = 0; i < MT_BLOCK; i++)
			order[i] = (osm_u64)blk * MT_BLOCK + i;
		for (i = 0; th->shuffle && i < MT_BLOCK; i++) {
			/* moved up to 8 places: small reorderings */
			state = state * 6364136223846793005ULL + 1;
			j = i + (unsigned int)(state >> 33) % 8;
			if (j < MT_BLOCK) {
				x = order[i];
				order[i] = order[j];
				order[j] = x;
			}
		}
		pthread_barrier_wait(&mt_bar);
		for (i = 0; i < MT_BLOCK; i++) {
			if (osm_window_accept(&w, order[i])) {
				__atomic_fetch_add(&mt_count[order[i]], 1,
						   __ATOMIC_RELAXED);
				th->won++;
			}
			/* now and then a number of an earlier block again,
			 * near the window's edge or past it */
			if (th->shuffle && blk > 8 && i % 64 == 0) {
				s = order[i] - W - 1 - i;
				if (osm_window_accept(&w, s)) {
					__atomic_fetch_add(&mt_count[s], 1,
							   __ATOMIC_RELAXED);
					th->late++;
				}
			}
		}
	}
	return NULL;
}

static void mt_run(unsigned int nthreads, int shuffle)
{
	struct mt_thread th[3];
	unsigned long never = 0, twice = 0;
	unsigned int i;

	memset(&w, 0, sizeof(w));
	memset(mt_count, 0, sizeof(mt_count));
	assert_int_equal(pthread_barrier_init(&mt_bar, NULL, nthreads), 0);
	for (i = 0; i < nthreads; i++) {
		memset(&th[i], 0, sizeof(th[i]));
		th[i].cpu = (int)(i % 2);
		th[i].shuffle = shuffle;
		randombytes_buf(&th[i].seed, sizeof(th[i].seed));
		assert_int_equal(pthread_create(&th[i].t, NULL, mt_work,
						&th[i]), 0);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].t, NULL);
	pthread_barrier_destroy(&mt_bar);
	for (i = 0; i < MT_NUMS; i++) {
		never += mt_count[i] == 0;
		twice += mt_count[i] > 1;
	}
	print_message("# %u threads%s: won %lu, %lu, %lu; %lu never, "
		      "%lu twice or more\n", nthreads,
		      shuffle ? ", reordered" : "", th[0].won, th[1].won,
		      nthreads > 2 ? th[2].won : 0, never, twice);
	for (i = 0; i < nthreads; i++) {
		assert_true(th[i].pinned);
		assert_int_equal(th[i].late, 0);
	}
	assert_int_equal(twice, 0);
	assert_int_equal(never, 0);
	assert_int_equal(w.top, MT_NUMS);
}

/*
 * A lap raced with replays: each round one thread accepts s + B, which
 * takes the slot of s (accepted the round before) to its next
 * generation, while the other offers s again and again until it is
 * done. s is either in the window or too old: never accepted again,
 * whatever the other's step the offer falls between. The roles swap
 * every round.
 */
#define LAP_ROUNDS	50000

struct lap_thread {
	pthread_t t;
	int cpu;
	int pinned;
	unsigned long jumps, twice;
};

static volatile int lap_done;

static void *lap_work(void *arg)
{
	struct lap_thread *th = arg;
	cpu_set_t set;
	osm_u64 s = 0;
	unsigned int round;

	CPU_ZERO(&set);
	CPU_SET(th->cpu, &set);
	th->pinned = sched_setaffinity(0, sizeof(set), &set) == 0;
	for (round = 0; round < LAP_ROUNDS; round++, s += B) {
		pthread_barrier_wait(&mt_bar);
		if ((int)(round % 2) == th->cpu) {
			th->jumps += (unsigned long)osm_window_accept(&w,
								      s + B);
			__atomic_store_n(&lap_done, 1, __ATOMIC_RELEASE);
		} else {
			while (!__atomic_load_n(&lap_done, __ATOMIC_ACQUIRE))
				th->twice += (unsigned long)
					osm_window_accept(&w, s);
		}
		pthread_barrier_wait(&mt_bar);
		lap_done = 0;
	}
	return NULL;
}

static void lap_raced_with_replays(void **state)
{
	struct lap_thread th[2] = { { .cpu = 0 }, { .cpu = 1 } };
	unsigned int i;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_true(osm_window_accept(&w, 0));
	assert_int_equal(pthread_barrier_init(&mt_bar, NULL, 2), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i].t, NULL, lap_work,
						&th[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i].t, NULL);
	pthread_barrier_destroy(&mt_bar);
	print_message("# %u laps: jumps accepted %lu + %lu, replays "
		      "accepted %lu + %lu\n", LAP_ROUNDS, th[0].jumps,
		      th[1].jumps, th[0].twice, th[1].twice);
	assert_true(th[0].pinned && th[1].pinned);
	assert_int_equal(th[0].jumps + th[1].jumps, LAP_ROUNDS);
	assert_int_equal(th[0].twice + th[1].twice, 0);
}

static void two_cpus_in_order(void **state)
{
	(void)state;
	mt_run(2, 0);
}

static void three_threads_in_order(void **state)
{
	(void)state;
	mt_run(3, 0);
}

static void two_cpus_reordered(void **state)
{
	(void)state;
	mt_run(2, 1);
}

static void three_threads_reordered(void **state)
{
	(void)state;
	mt_run(3, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(edges, setup),
		cmocka_unit_test_setup(check_is_pure, setup),
		cmocka_unit_test_setup(top_of_range, setup),
		cmocka_unit_test(same_as_rfc6479),
		cmocka_unit_test(lossy_sequences_never_twice),
		cmocka_unit_test(two_cpus_in_order),
		cmocka_unit_test(three_threads_in_order),
		cmocka_unit_test(two_cpus_reordered),
		cmocka_unit_test(three_threads_reordered),
		cmocka_unit_test(lap_raced_with_replays),
	};

	if (sodium_init() < 0)
		return 1;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("1..0 # SKIP needs two CPUs\n");
		return 77;
	}
	return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
