/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The switch's lock-free replay window (include/osm_proto.h,
 * osm_window_accept, osm_window_check, osm_window_next) in Promela, for
 * spin to check on 1, 2 or 3 CPUs: no number accepted twice, every
 * refusal justified, every number of the final window accepted once, and
 * on one CPU the verdicts of the rule of docs/protocol.md section 5.
 * tools/model/check.sh runs it (`make model`).
 *
 * Scaled down so that spin explores every interleaving: slots of SB = 2
 * bits (32 in the C), SLOTS = 4 of them (64), a window of WINDOW = 6
 * numbers (OSM_REPLAY_WINDOW = 1984: the C's static assert allows up to
 * ring - slot bits, 2016; 6 is that bound here), tags (a generation's
 * lap of the ring, g / SLOTS) modulo TAGS = 4 (2^32), so that tags wrap
 * around at n = 32.
 *
 * Memory model: every load of a shared word (top, a slot) is a step of
 * its own and a compare-and-exchange is one atomic step, all in one
 * order: sequential consistency. The C gets that order on x86-64 (its
 * only writes are locked compare-and-exchanges, full barriers, and loads
 * are not reordered with loads) and on a host from acquire loads and
 * sequentially consistent exchanges; the model assumes it.
 *
 * Bounded tries: a CPU gives up after TRIES failed exchanges in a row,
 * as the C does after OSM_WND_TRIES. Each failure is another CPU's
 * success on that word, and in a run the other CPUs make at most 12
 * (their offers): with TRIES = 16 no CPU gives up, so those runs check
 * the loops as if unbounded; the LOSSY runs with TRIES = 1 check that
 * giving up loses numbers but never accepts one twice.
 *
 * Macros (spin -DNAME=VALUE):
 *   CPUS    1, 2 or 3 (1: the one CPU offers ONE_K numbers spin chooses)
 *   SCEN    the offers of the CPUs (below), 1 .. 6
 *   TRIES   OSM_WND_TRIES; 16 as in the C
 *   WINDOW  the window; above RING - SB numbers are lost (refused, never
 *           accepted), which the refusal check must catch
 *   LOSSY   check only that no number is accepted twice
 *   BROKEN  1: the slot written before top is raised; 2: a plain store
 *           instead of the slot's compare-and-exchange; 3: top read
 *           before the slot. Each must make spin report an error.
 */

#ifndef CPUS
#define CPUS	2
#endif
#ifndef SCEN
#define SCEN	1
#endif
#ifndef TRIES
#define TRIES	16
#endif
#ifndef BROKEN
#define BROKEN	0
#endif
#define SB	2			/* OSM_WND_SLOT_BITS */
#define SLOTS	4			/* OSM_WND_SLOTS */
#define RING	(SB * SLOTS)		/* OSM_REPLAY_BITS */
#ifndef WINDOW
#define WINDOW	(RING - SB)		/* OSM_REPLAY_WINDOW */
#endif
#define TAGS	4			/* a tag: (generation / SLOTS) mod TAGS */
#define NMAX	64			/* numbers are n = 1 .. NMAX - 1 */
#define K	6			/* offers of one CPU, at most */
#define RATED	64			/* an offer's flag: a rated circuit */

/*
 * The window starts as if one CPU had accepted every number up to BASE
 * (gens 9 .. 12 in the slots, tags about to wrap), or empty (SCEN 5:
 * every slot's tag 0). Numbers stay below ALIAS: a slot left unwritten
 * for TAGS laps holds a tag equal to a later generation's, whose numbers
 * below top its bits could refuse (a loss the C has across 2^32 laps,
 * 2^43 numbers; never a second acceptance).
 */
#if SCEN == 5
#define BASE	0
#define ALIAS	32
#else
#define BASE	24
#define ALIAS	50
#endif

/* ---- The scenarios: the offers of CPU 0, 1 and 2 (0: no more) ---------- */

#define OF(c, a, b, e, f, h, l)						\
	off[(c) * K] = a; off[(c) * K + 1] = b; off[(c) * K + 2] = e;	\
	off[(c) * K + 3] = f; off[(c) * K + 4] = h; off[(c) * K + 5] = l
#define PICK	255

#if SCEN == 1
/* the same numbers on every CPU, in order */
#define OFFERS	OF(0, 25, 26, 27, 28, 29, 30);				\
		OF(1, 25, 26, 27, 28, 29, 30);				\
		OF(2, 25, 26, 27, 28, 29, 30)
#elif SCEN == 2
/* jumps of one and two laps (the slide), numbers jumped over offered
 * afterwards, tags wrapping at n = 32 */
#define OFFERS	OF(0, 25, 35, 30, 44, 40, 0);				\
		OF(1, 26, 35, 44, 39, 40, 0);				\
		OF(2, 34, 25, 43, 44, 0, 0)
#elif SCEN == 3
/* numbers far behind, replays, a rated circuit's path (check, then
 * accept) */
#define OFFERS	OF(0, 28, 27 + RATED, 40, 33 + RATED, 34, 0);		\
		OF(1, 27, 40 + RATED, 26, 34 + RATED, 28, 0);		\
		OF(2, 41 + RATED, 33, 27, 35, 0, 0)
#elif SCEN == 4
/* one slot's generations fought over in turn */
#define OFFERS	OF(0, 25, 33, 41, 26, 0, 0);				\
		OF(1, 33, 25, 41, 34, 0, 0);				\
		OF(2, 41, 34, 26, 42, 0, 0)
#elif SCEN == 5
/* an empty window: the first numbers race, and a jump past the ring */
#define OFFERS	OF(0, 1, 2, 11, 3, 0, 0);				\
		OF(1, 2, 1, 12, 4, 0, 0);				\
		OF(2, 11, 1, 3, 12, 0, 0)
#elif SCEN == 6
/* numbers chosen by spin, all of one slot: far behind, two of one
 * generation (one rated), one of the next lap's; three a CPU on two
 * CPUs, two on three (the third's fixed) */
#if CPUS > 2
#define OFFERS	OF(0, PICK, PICK, 0, 0, 0, 0);				\
		OF(1, PICK, PICK, 0, 0, 0, 0);				\
		OF(2, 34, 26 + RATED, 0, 0, 0, 0)
#else
#define OFFERS	OF(0, PICK, PICK, PICK, 0, 0, 0);			\
		OF(1, PICK, PICK, PICK, 0, 0, 0)
#endif
#define PICKS(o)	if						\
			:: o = 18 :: o = 26 + RATED :: o = 27 :: o = 34	\
			fi
#endif
#ifndef PICKS
#define PICKS(o)	skip
#endif

byte top;			/* highest accepted n, 0: none */
byte slot[SLOTS];		/* tag << SB | bits */
byte acc[NMAX];			/* ghost: times each number was accepted */
byte maxacc;			/* ghost: highest accepted n (the rule's T) */
byte off[3 * K];		/* the offers, K a CPU, 0: none */
hidden byte g;			/* scratch of window_next */
hidden short d;

/*
 * osm_window_next(v, t, n, &nxt): ok = 1 and nxt the slot's new word,
 * or ok = 0 (a replay, or too old).
 */
inline window_next(v, t, n, ok, nxt)
{
	d_step {
		g = n / SB;
		d = ((v >> SB) - (g / SLOTS) % TAGS + TAGS) % TAGS;
		if
		:: d >= TAGS / 2 -> d = d - TAGS
		:: else
		fi;
		if
		:: t > n && t - n > WINDOW ->
			ok = 0
		:: else ->
			if
			:: d == 0 && g <= t / SB && (v & (1 << (n % SB))) ->
				ok = 0
			:: d == 0 && g <= t / SB && !(v & (1 << (n % SB))) ->
				ok = 1;
				nxt = v | (1 << (n % SB))
			:: d > 0 && g + d * SLOTS <= t / SB ->
				ok = 0
			:: else ->
				ok = 1;
				nxt = ((g / SLOTS) % TAGS) << SB | (1 << (n % SB))
			fi
		fi;
		g = 0;
		d = 0
	}
}

/* A refusal must be right: n accepted before, or too old now. (LOSSY:
 * only safety is checked, refusals may lose numbers.) */
#ifdef LOSSY
#define JUSTIFIED(n)	1
#else
#define JUSTIFIED(n)	(acc[n] > 0 || (top > n && top - n > WINDOW))
#endif

/* A compare-and-exchange of top from t to n; seen: what it held. */
#define CAS_TOP(t, n, seen)					\
	atomic {						\
		seen = top;					\
		if						\
		:: seen == t -> top = n				\
		:: else						\
		fi						\
	}

/* The slot's compare-and-exchange from v to nxt, which records n: the
 * ghost count in the same step. (BROKEN 2: a plain store.) */
#if BROKEN == 2
#define CAS_SLOT(s, v, nxt, n, seen)				\
	atomic {						\
		seen = v;					\
		slot[s] = nxt;					\
		acc[n]++;					\
		assert(acc[n] == 1);				\
		maxacc = (n > maxacc -> n : maxacc)		\
	}
#else
#define CAS_SLOT(s, v, nxt, n, seen)				\
	atomic {						\
		seen = slot[s];					\
		if						\
		:: seen == v ->					\
			slot[s] = nxt;				\
			acc[n]++;				\
			assert(acc[n] == 1);			\
			maxacc = (n > maxacc -> n : maxacc)	\
		:: else						\
		fi						\
	}
#endif

/* top raised to n unless it is above (osm_window_accept's inner loop) */
inline raise_top()
{
	j = 0;
	do
	:: j < TRIES && n > t ->
		CAS_TOP(t, n, seen);
		t = (seen == t -> n : seen);
		j++
	:: else -> break
	od;
	j = 0
}

/* osm_window_accept for n: r = 1 if accepted, 0 if not. */
inline window_accept()
{
	s = (n / SB) % SLOTS;
#if BROKEN != 3
	v = slot[s];
#endif
	i = 0;
	do
	:: i == TRIES -> r = 0; break	/* lost TRIES exchanges */
	:: else ->
		t = top;
#if BROKEN == 3
		v = slot[s];
#endif
		window_next(v, t, n, ok, nxt);
		if
		:: !ok ->
			assert(JUSTIFIED(n));
			r = 0;
			break
		:: else
		fi;
#if BROKEN == 1
		CAS_SLOT(s, v, nxt, n, seen);
		if
		:: seen == v -> raise_top(); r = 1; break
		:: else
		fi;
#else
		raise_top();
		if
		:: n > t -> r = 0; break	/* lost TRIES exchanges */
		:: else
		fi;
		CAS_SLOT(s, v, nxt, n, seen);
		if
		:: seen == v -> r = 1; break
		:: else
		fi;
#endif
		v = seen;
		i++
	od
}

/* osm_window_check for n: ok = 1 if it may be accepted now. */
inline window_check()
{
	s = (n / SB) % SLOTS;
#if BROKEN == 3
	t = top;
	v = slot[s];
#else
	v = slot[s];
	t = top;
#endif
	window_next(v, t, n, ok, nxt);
	assert(ok || JUSTIFIED(n))
}

/* Forget a finished offer's locals, so that they do not split states. */
#define CLEAR()	atomic { n = 0; v = 0; t = 0; nxt = 0; seen = 0; s = 0; \
			 ok = 0; r = 0; i = 0; want = 0 }

/*
 * A CPU deciding its offers in turn: a rated circuit's frame asks
 * osm_window_check first (osm_decide: the bucket comes between, which
 * touches no word of the window), then osm_window_accept. An offer PICK
 * is one of the scenario's PICKS, chosen by spin (and recorded).
 */
proctype cpu(byte id)
{
	byte k, o, n, v, t, nxt, seen, s, i, j;
	bit ok, r, want;

	k = 0;
	do
	:: k < K && off[id * K + k] != 0 ->
		o = off[id * K + k];
		if
		:: o == PICK ->
			PICKS(o);
			off[id * K + k] = o
		:: else
		fi;
		n = o % RATED;
		if
		:: o >= RATED ->
			window_check();
			if
			:: ok -> window_accept()
			:: else
			fi
		:: else ->
			window_accept()
		fi;
		CLEAR();
		o = 0;
		k++
	:: else -> break
	od
}

/*
 * One CPU alone, offering ONE_K numbers that spin chooses from LO ..
 * ALIAS - 1: each verdict must be the rule's (docs/protocol.md section
 * 5: n above T, or within WINDOW of T and not accepted before).
 */
#ifndef ONE_K
#define ONE_K	5
#endif
#if BASE > WINDOW
#define LO	(BASE - WINDOW - 1)
#else
#define LO	1
#endif
proctype one()
{
	byte k, n, v, t, nxt, seen, s, i, j;
	bit ok, r, want;

	k = 0;
	do
	:: k < ONE_K ->
		select(n : LO .. ALIAS - 1);
		want = (n > maxacc || (maxacc - n <= WINDOW && acc[n] == 0));
		window_accept();
#ifndef LOSSY
		assert(r == want);
#endif
		CLEAR();
		k++
	:: else -> break
	od
}

init {
	byte i, n, hi;

	d_step {
#if BASE > 0
		/* one CPU accepted 1 .. BASE in order */
		top = BASE;
		maxacc = BASE;
		i = 0;
		do
		:: i < SLOTS ->
			n = BASE / SB - i;
			slot[n % SLOTS] = ((n / SLOTS) % TAGS) << SB |
					  ((1 << (BASE % SB + 1)) - 1);
			if
			:: i > 0 -> slot[n % SLOTS] = slot[n % SLOTS] |
					((1 << SB) - 1)
			:: else
			fi;
			i++
		:: else -> break
		od;
		i = 1;
		do
		:: i <= BASE -> acc[i] = 1; i++
		:: else -> break
		od;
		i = 0;
		n = 0;
#endif
		OFFERS
	}
	atomic {
#if CPUS == 1
		run one();
#else
		i = 0;
		do
		:: i < CPUS -> run cpu(i); i++
		:: else -> break
		od;
		i = 0;
#endif
	}
	(_nr_pr == 1);

#if CPUS > 1 && !defined(LOSSY)
	d_step {
		/* top: the highest number offered */
		hi = BASE;
		i = 0;
		do
		:: i < CPUS * K ->
			n = off[i] % RATED;
			hi = (n > hi -> n : hi);
			i++
		:: else -> break
		od;
		assert(top == hi && maxacc == hi);
		/* every number offered and within the final window: once */
		i = 0;
		do
		:: i < CPUS * K ->
			n = off[i] % RATED;
			assert(n == 0 || top - n > WINDOW || acc[n] == 1);
			i++
		:: else -> break
		od;
		i = 0;
		n = 0
	}
#endif
}
