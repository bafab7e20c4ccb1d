// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Token bucket: rate and burst honoured exactly at the boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "osm_proto.h"

#define MS	1000000ULL
#define SEC	1000000000ULL

static void unlimited(void **state)
{
	struct osm_bucket b = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 100000; i++)
		assert_true(osm_bucket_take(&b, 0, 0, 1, 1500));
}

static void burst_then_empty(void **state)
{
	struct osm_bucket b = { 0 };
	int i;

	(void)state;
	/* 1000 B/s, burst 1000 B: ten 100-byte frames, then none. */
	for (i = 0; i < 10; i++)
		assert_true(osm_bucket_take(&b, 1000, 1000, SEC, 100));
	assert_false(osm_bucket_take(&b, 1000, 1000, SEC, 100));
	assert_false(osm_bucket_take(&b, 1000, 1000, SEC, 1));
}

static void refill_exact(void **state)
{
	struct osm_bucket b = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_true(osm_bucket_take(&b, 1000, 1000, SEC, 100));
	/* 100 bytes take exactly 100 ms at 1000 B/s. */
	assert_false(osm_bucket_take(&b, 1000, 1000, SEC + 100 * MS - 1, 100));
	assert_true(osm_bucket_take(&b, 1000, 1000, SEC + 100 * MS, 100));
	assert_false(osm_bucket_take(&b, 1000, 1000, SEC + 100 * MS, 1));
	/* A single nanosecond is a millionth of a byte: it adds up. */
	assert_false(osm_bucket_take(&b, 1000, 1000, SEC + 101 * MS - 1, 1));
	assert_true(osm_bucket_take(&b, 1000, 1000, SEC + 101 * MS, 1));
}

static void refill_caps_at_burst(void **state)
{
	struct osm_bucket b = { 0 };

	(void)state;
	assert_true(osm_bucket_take(&b, 1000, 1000, SEC, 1000));
	/* An hour idle refills to the burst, not beyond. */
	assert_true(osm_bucket_take(&b, 1000, 1000, 3600 * SEC, 1000));
	assert_false(osm_bucket_take(&b, 1000, 1000, 3600 * SEC, 1));
}

static void burst_lowered(void **state)
{
	struct osm_bucket b = { 0 };

	(void)state;
	/* Full at a burst of 1,000,000 bytes; the controller lowers it to
	 * 20,000 (the state is kept): an hour later the bucket holds the
	 * new burst, not more. */
	assert_true(osm_bucket_take(&b, 1000, 1000000, SEC, 1));
	assert_true(osm_bucket_take(&b, 1000, 20000, 3600 * SEC, 20000));
	assert_false(osm_bucket_take(&b, 1000, 20000, 3600 * SEC, 1));
}

static void frame_larger_than_burst(void **state)
{
	struct osm_bucket b = { 0 };

	(void)state;
	assert_false(osm_bucket_take(&b, 1000000, 1000, SEC, 1001));
	assert_true(osm_bucket_take(&b, 1000000, 1000, SEC, 1000));
}

static void clock_backwards_adds_nothing(void **state)
{
	struct osm_bucket b = { 0 };

	(void)state;
	assert_true(osm_bucket_take(&b, 1000, 100, 10 * SEC, 100));
	assert_false(osm_bucket_take(&b, 1000, 100, 5 * SEC, 1));
	assert_false(osm_bucket_take(&b, 1000, 100, 10 * SEC, 1));
	assert_true(osm_bucket_take(&b, 1000, 100, 10 * SEC + MS, 1));
}

static void large_values_do_not_overflow(void **state)
{
	struct osm_bucket b = { 0 };
	osm_u64 rate = 1ULL << 40, burst = 1ULL << 32;

	(void)state;
	assert_true(osm_bucket_take(&b, rate, burst, SEC, 1500));
	/* Long idle with a huge rate: full, not wrapped to small. */
	assert_true(osm_bucket_take(&b, rate, burst, 1000000 * SEC, 65535));
	assert_true(b.credit <= burst * SEC);
	assert_true(b.credit >= (burst - 65535) * SEC);
}

static void sustained_rate(void **state)
{
	struct osm_bucket b = { 0 };
	osm_u64 t, passed = 0;

	(void)state;
	/* 1 MB/s, burst 1500 B, offered 1500 B every 100 us (15 MB/s) for
	 * 1 s: burst + 1 s of rate passes, within one frame. */
	for (t = SEC; t < 2 * SEC; t += 100000)
		passed += osm_bucket_take(&b, 1000000, 1500, t, 1500) ? 1500 : 0;
	assert_true(passed >= 1000000 && passed <= 1000000 + 1500 + 1500);
}

static void sound_rule(void **state)
{
	(void)state;
	assert_true(osm_bucket_sound(0, 0));
	assert_false(osm_bucket_sound(1000, 0));
	assert_false(osm_bucket_sound(0, 1000));
	/* The largest frame, and one 10 ms tick of the rate on top. */
	assert_int_equal(osm_bucket_min_burst(1), 1558);
	assert_int_equal(osm_bucket_min_burst(1000000), 11558);
	assert_false(osm_bucket_sound(1, 1557));
	assert_true(osm_bucket_sound(1, 1558));
	assert_true(osm_bucket_sound(1000000, 11558));
	assert_false(osm_bucket_sound(1000000, 11557));
	assert_true(osm_bucket_sound(1, OSM_BURST_MAX));
	assert_false(osm_bucket_sound(1, OSM_BURST_MAX + 1));
}

/* Time as a coarse clock sees it: the last tick boundary. */
static osm_u64 coarse(osm_u64 t)
{
	return t - t % OSM_CLOCK_TICK_MAX_NS;
}

#define TICK OSM_CLOCK_TICK_MAX_NS

/* A sound bucket read with the coarsest clock passes a sender at exactly
 * its rate, for frame sizes that do and do not divide a tick's refill. */
static void coarse_clock_passes_rate(void **state)
{
	static const osm_u32 sizes[] = { 1000, 1500, 1558, 577 };
	osm_u64 rate = 1000000, burst = osm_bucket_min_burst(rate), t, gap;
	osm_u32 i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct osm_bucket b = { 0 };
		int all = 1;

		gap = (osm_u64)sizes[i] * SEC / rate;	/* exactly the rate */
		for (t = SEC + 300000; t < 3 * SEC; t += gap)
			all &= osm_bucket_take(&b, rate, burst, coarse(t),
					       sizes[i]);
		assert_true(all);
	}
}

/* ...and never lets through more than rate x (t + tick) + burst in any
 * time t: a sender at twice the rate, and one that drains the bucket
 * just before a tick and then sends at every tick. */
static void coarse_clock_holds_rate(void **state)
{
	struct osm_bucket b = { 0 }, d = { 0 };
	osm_u64 rate = 1000000, burst = osm_bucket_min_burst(rate), t, t0;
	osm_u64 passed = 0, in = 0;

	(void)state;
	for (t = SEC + 300000; t < 2 * SEC; t += 750000)
		passed += osm_bucket_take(&b, rate, burst, coarse(t), 1500) ?
			  1500 : 0;
	assert_true(passed <= rate * (SEC + TICK) / SEC + burst);
	assert_true(passed >= rate - burst);

	t0 = 5 * SEC - 1;		/* drain just before a tick */
	while (osm_bucket_take(&d, rate, burst, coarse(t0), 1000))
		in += 1000;
	for (t = 5 * SEC; t <= 5 * SEC + 5 * TICK; t += TICK)
		while (osm_bucket_take(&d, rate, burst, coarse(t), 1000))
			in += 1000;
	assert_true(in <= rate * (5 * TICK + 1 + TICK) / SEC + burst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unlimited),
		cmocka_unit_test(burst_then_empty),
		cmocka_unit_test(refill_exact),
		cmocka_unit_test(refill_caps_at_burst),
		cmocka_unit_test(burst_lowered),
		cmocka_unit_test(frame_larger_than_burst),
		cmocka_unit_test(clock_backwards_adds_nothing),
		cmocka_unit_test(large_values_do_not_overflow),
		cmocka_unit_test(sustained_rate),
		cmocka_unit_test(sound_rule),
		cmocka_unit_test(coarse_clock_passes_rate),
		cmocka_unit_test(coarse_clock_holds_rate),
	};

	return cmocka_run_group_tests_name("bucket", tests, NULL, NULL);
}
