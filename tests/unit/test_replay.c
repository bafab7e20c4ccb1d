// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Replay window: hand-written edge cases first (in the manner of
 * WireGuard's counter selftest), then a randomized comparison with a naive
 * model that remembers every accepted number. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "osm_proto.h"

#define W	OSM_REPLAY_WINDOW
#define B	OSM_REPLAY_BITS
#define MAXS	0xfffffffffffffffeULL	/* largest valid number */

static struct osm_replay r;

static int setup(void **state)
{
	(void)state;
	memset(&r, 0, sizeof(r));
	return 0;
}

#define ACCEPT(s)	assert_true(osm_replay_accept(&r, (s)))
#define REJECT(s)	assert_false(osm_replay_accept(&r, (s)))

static void first_and_duplicates(void **state)
{
	(void)state;
	ACCEPT(0);
	REJECT(0);
	ACCEPT(1);
	REJECT(1);
	ACCEPT(9);
	ACCEPT(8);
	ACCEPT(7);
	REJECT(7);
	ACCEPT(2);
	REJECT(9);
	ACCEPT(10);
}

static void window_edges(void **state)
{
	osm_u64 t = 10000;

	(void)state;
	ACCEPT(t);
	ACCEPT(t - W);		/* just inside */
	REJECT(t - W);
	REJECT(t - W - 1);	/* just outside */
	ACCEPT(t - 1);
	ACCEPT(t + 1);		/* the window moves by one */
	REJECT(t - W);		/* already seen */
	REJECT(t + 1 - W - 1);	/* now outside */
	ACCEPT(t + 1 - W);	/* the new oldest, never seen */
}

static void check_is_pure(void **state)
{
	(void)state;
	ACCEPT(5);
	assert_true(osm_replay_check(&r, 6));
	assert_true(osm_replay_check(&r, 6));	/* check records nothing */
	assert_true(osm_replay_check(&r, 100000));
	assert_int_equal(r.top, 6);
	assert_false(osm_replay_check(&r, 5));
}

static void far_jump_ahead(void **state)
{
	osm_u64 s;

	(void)state;
	for (s = 0; s < 100; s++)
		ACCEPT(s);
	ACCEPT(100 + 10 * B);		/* far ahead: clears the whole ring */
	for (s = 0; s < 100; s++)	/* too old now */
		REJECT(s);
	/* Everything inside the new window is unseen, even numbers whose
	 * ring bits were set before the jump. */
	for (s = 100 + 10 * B - W; s < 100 + 10 * B; s++)
		ACCEPT(s);
	REJECT(100 + 10 * B);
}

static void ring_wraps(void **state)
{
	osm_u64 s;

	(void)state;
	for (s = 0; s < 5 * B + 17; s++)
		ACCEPT(s);
	for (s = 5 * B + 17 - W; s < 5 * B + 17; s++)
		REJECT(s);
	/* Jumps of exactly one word and of exactly the ring size. */
	ACCEPT(5 * B + 17 + 64);
	ACCEPT(5 * B + 17 + 64 + B);
	REJECT(5 * B + 17 + 64);
}

static void top_of_range(void **state)
{
	(void)state;
	REJECT(OSM_SEQ_INVALID);	/* never, even as the first */
	ACCEPT(MAXS - 5);
	REJECT(OSM_SEQ_INVALID);
	ACCEPT(MAXS);
	REJECT(MAXS);
	REJECT(OSM_SEQ_INVALID);
	ACCEPT(MAXS - 1);
	ACCEPT(MAXS - W);
	REJECT(MAXS - W - 1);
}

static void first_frame_anywhere(void **state)
{
	(void)state;
	ACCEPT(1ULL << 63);
	ACCEPT((1ULL << 63) - W);
	REJECT((1ULL << 63) - W - 1);
	REJECT(0);
}

/* The naive model: the rule of docs/protocol.md section 5, over a bitmap
 * of every number ever accepted (relative to base). */
struct model {
	osm_u64 base, span, top;	/* top: highest accepted + 1 */
	unsigned char *seen;
};

static int model_accept(struct model *m, osm_u64 s)
{
	osm_u64 i = s - m->base;

	if (s == OSM_SEQ_INVALID)
		return 0;
	if (m->top && s < m->top - 1 && m->top - 1 - s > W)
		return 0;
	if ((m->seen[i / 8] >> (i % 8)) & 1)
		return 0;
	m->seen[i / 8] |= (unsigned char)(1u << (i % 8));
	if (s + 1 > m->top)
		m->top = s + 1;
	return 1;
}

static void run_random(osm_u64 base, osm_u64 span, unsigned int n)
{
	struct model m = { .base = base, .span = span };
	osm_u64 cur = 0, s, back;
	unsigned int i, pick;

	m.seen = calloc(span / 8 + 1, 1);
	assert_non_null(m.seen);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		pick = randombytes_uniform(100);
		if (pick < 55) {		/* mostly in order */
			cur += 1 + randombytes_uniform(3);
			s = cur;
		} else if (pick < 75) {		/* late, around the edge */
			back = cur < W + 200 ? cur : W + 200;
			s = cur - randombytes_uniform((uint32_t)back + 1);
		} else if (pick < 90) {		/* a duplicate */
			s = cur;
		} else if (pick < 99) {		/* a jump inside the ring */
			cur += randombytes_uniform(B / 2);
			s = cur;
		} else {			/* a jump past the ring */
			cur += randombytes_uniform(4 * B);
			s = cur;
		}
		if (s >= span - 1)
			fail_msg("step %u ran past the model's span", i);
		if (osm_replay_accept(&r, base + s) !=
		    model_accept(&m, base + s))
			fail_msg("step %u: seq %llu disagrees", i,
				 (unsigned long long)(base + s));
	}
	free(m.seen);
}

static void random_vs_model(void **state)
{
	(void)state;
	run_random(0, 1ULL << 28, 1000000);
}

static void random_vs_model_near_top(void **state)
{
	(void)state;
	run_random(OSM_SEQ_INVALID - (1ULL << 26), 1ULL << 26, 200000);
}

/* A floor: every number up to it is refused, every one above accepted
 * once, in any order, whatever the floor's place in its 64-bit word. */
static void floor_refuses_below(void **state)
{
	static const osm_u64 floors[] = { 0, 62, 63, 64, 127, 5000,
					  (1ULL << 32) + 17, MAXS - 200 };
	osm_u64 f, s;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(floors) / sizeof(floors[0]); i++) {
		f = floors[i];
		memset(&r, 0, sizeof(r));
		osm_replay_accept(&r, f + 100 < MAXS ? f + 100 : f);
		osm_replay_floor(&r, f);
		for (s = f > W + 70 ? f - W - 70 : 0; s <= f; s++)
			REJECT(s);
		/* above it, out of order: the next word first */
		if (f + 130 < MAXS) {
			ACCEPT(f + 70);
			ACCEPT(f + 3);
			ACCEPT(f + 1);
			ACCEPT(f + 2);
			REJECT(f + 2);
			ACCEPT(f + 64);
			ACCEPT(f + 130);
			REJECT(f);
		}
	}
}

/* A floor below numbers already recorded (frames that overtook the one
 * that sets it): those stay recorded, the top stays, every number up to
 * the floor is refused, the ones between are accepted once. */
static void floor_below_top(void **state)
{
	static const osm_u64 floors[] = { 100, 127, 128, 5000,
					  (1ULL << 32) + 63 };
	osm_u64 f, s;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(floors) / sizeof(floors[0]); i++) {
		f = floors[i];
		memset(&r, 0, sizeof(r));
		ACCEPT(f - 50);
		ACCEPT(f + 70);		/* overtook */
		ACCEPT(f + 3);
		osm_replay_floor(&r, f);
		assert_true(r.top == f + 71);
		for (s = f > W ? f - W + 80 : 0; s <= f; s++)
			REJECT(s);
		REJECT(f + 70);
		REJECT(f + 3);
		ACCEPT(f + 1);
		ACCEPT(f + 69);
		REJECT(f + 1);
		ACCEPT(f + 71);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(first_and_duplicates, setup),
		cmocka_unit_test_setup(window_edges, setup),
		cmocka_unit_test_setup(check_is_pure, setup),
		cmocka_unit_test_setup(far_jump_ahead, setup),
		cmocka_unit_test_setup(ring_wraps, setup),
		cmocka_unit_test_setup(top_of_range, setup),
		cmocka_unit_test_setup(first_frame_anywhere, setup),
		cmocka_unit_test(floor_refuses_below),
		cmocka_unit_test(floor_below_top),
		cmocka_unit_test(random_vs_model),
		cmocka_unit_test(random_vs_model_near_top),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
