/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The osm-fabric circuit protocol: wire layout, constants, SipHash-2-4, the
 * replay window, the token bucket and the forwarding decision. This is the
 * only definition; BPF, host C, DPDK and arm-none-eabi firmware include it
 * unchanged. No libc, no allocation, bounded loops, small stack.
 * docs/protocol.md is the specification this header implements.
 */
#ifndef OSM_PROTO_H
#define OSM_PROTO_H

typedef unsigned char osm_u8;
typedef unsigned short osm_u16;
typedef unsigned int osm_u32;
typedef unsigned long long osm_u64;

_Static_assert(sizeof(osm_u16) == 2 && sizeof(osm_u32) == 4 &&
	       sizeof(osm_u64) == 8, "osm integer widths");

#define OSM_INLINE static inline __attribute__((always_inline))

/* A loop with a constant trip count unrolled whole where speed counts
 * (the switch); kept rolled where size does (-Os: the firmware). Where
 * the count is not constant (tests hashing any length), clang would warn
 * that it could not: OSM_UNROLL_QUIET around the function says that this
 * is expected. */
#if defined(__OPTIMIZE_SIZE__)
#define OSM_UNROLL
#define OSM_UNROLL_QUIET_BEGIN
#define OSM_UNROLL_QUIET_END
#elif defined(__clang__)
#define OSM_UNROLL _Pragma("clang loop unroll(enable)")
#define OSM_UNROLL_QUIET_BEGIN _Pragma("clang diagnostic push") \
	_Pragma("clang diagnostic ignored \"-Wpass-failed\"")
#define OSM_UNROLL_QUIET_END _Pragma("clang diagnostic pop")
#else
#define OSM_UNROLL _Pragma("GCC unroll 16")
#define OSM_UNROLL_QUIET_BEGIN
#define OSM_UNROLL_QUIET_END
#endif

/* ---- Wire constants ---------------------------------------------------- */

#define OSM_ETH_P_CIRCUIT	0x88B5	/* IEEE 802 local experimental */
#define OSM_VERSION		1
#define OSM_ETH_HLEN		14
#define OSM_HDR_LEN		44	/* circuit header after Ethernet */
#define OSM_FRAME_HDR_LEN	(OSM_ETH_HLEN + OSM_HDR_LEN)
#define OSM_AD_LEN		20	/* header bytes the AEAD authenticates */
#define OSM_HOP_INPUT_LEN	36	/* header bytes the hop tag covers */
#define OSM_AEAD_TAG_LEN	16
#define OSM_HOP_TAG_LEN		8
#define OSM_HOP_KEY_LEN		16
#define OSM_E2E_KEY_LEN		32
#define OSM_DEVICE_KEY_LEN	32	/* a device's long-term key */
#define OSM_NONCE_LEN		12
#define OSM_MAX_PAYLOAD		1500	/* bytes of (encrypted) payload */
/* Links (docs/protocol.md 6.1): every fabric port carries at least a
 * 1500-byte MTU (L3), so payloads up to 1456 bytes cross any link; the
 * largest frames need 1544. A switch checks a longer frame against its
 * egress port's MTU (egress_down if it does not fit). */
#define OSM_LINK_MTU_MIN	1500
#define OSM_LINK_MTU_FULL	(OSM_FRAME_HDR_LEN - OSM_ETH_HLEN + \
				 OSM_MAX_PAYLOAD)
#define OSM_SEQ_INVALID		0xffffffffffffffffULL /* never sent */

enum osm_type {
	OSM_T_DATA = 1,		/* payload between two endpoints */
	OSM_T_CTRL = 2,		/* control message, endpoint <-> controller */
};

/* ---- Circuit ids (docs/protocol.md, "Control circuits") ----------------- */

#define OSM_CIRCUIT_CTRL_BIT	0x80000000u	/* set in control ids only */
#define OSM_DATA_CIRCUIT_MAX	0x7fffffffu	/* largest data circuit id */
#define OSM_DEVICE_ID_MAX	0x3fffffffu	/* device ids: 0 .. 2^30 - 1 */
/* Data circuits between two buildings (docs/protocol.md 11.9) take ids
 * from here up, named by both controllers alike; a building's own data
 * circuits stay below. */
#define OSM_REMOTE_CIRCUIT_MIN	0x40000000u

_Static_assert(OSM_DATA_CIRCUIT_MAX == OSM_CIRCUIT_CTRL_BIT - 1 &&
	       OSM_DEVICE_ID_MAX == OSM_DATA_CIRCUIT_MAX >> 1,
	       "circuit id layout");

/* Direction of a control circuit: the lowest bit of its id. */
enum osm_ctrl_dir { OSM_CTRL_UP = 0, OSM_CTRL_DOWN = 1 };

/* Control circuit id of a device: top bit, device id, direction. */
OSM_INLINE osm_u32 osm_ctrl_circuit(osm_u32 device_id, int dir)
{
	return OSM_CIRCUIT_CTRL_BIT | (device_id & OSM_DEVICE_ID_MAX) << 1 |
	       (osm_u32)(dir & 1);
}

/* 1 for a control circuit id, 0 for a data circuit id. */
OSM_INLINE int osm_circuit_is_ctrl(osm_u32 id)
{
	return (id & OSM_CIRCUIT_CTRL_BIT) != 0;
}

/* Device id of control circuit id (inverse of osm_ctrl_circuit). */
OSM_INLINE osm_u32 osm_ctrl_device(osm_u32 id)
{
	return (id >> 1) & OSM_DEVICE_ID_MAX;
}

/* Direction (enum osm_ctrl_dir) of control circuit id. */
OSM_INLINE int osm_ctrl_dir(osm_u32 id)
{
	return (int)(id & 1);
}

/* ---- Epochs (docs/protocol.md, "Epochs and rotation") ------------------- */

/* Key slot of an epoch: receivers keep two epochs, e in slot e & 1. */
OSM_INLINE unsigned int osm_epoch_slot(osm_u32 epoch)
{
	return epoch & 1;
}

/* Byte offsets inside the circuit header (after the Ethernet header). */
enum osm_hdr_off {
	OSM_OFF_VER_TYPE = 0,	/* version << 4 | type */
	OSM_OFF_FLAGS = 1,	/* reserved, must be 0 */
	OSM_OFF_LEN = 2,	/* be16 payload length */
	OSM_OFF_CIRCUIT = 4,	/* be32 circuit id */
	OSM_OFF_SEQ = 8,	/* be64 sequence number */
	OSM_OFF_EPOCH = 16,	/* be32 key epoch */
	OSM_OFF_AEAD_TAG = 20,	/* Poly1305 tag of the payload (detached) */
	OSM_OFF_HOP_TAG = 36,	/* SipHash-2-4 of bytes 0..35 */
};

/* The circuit header as it lies on the wire; all fields big-endian. */
struct osm_hdr {
	osm_u8 ver_type;
	osm_u8 flags;
	osm_u8 len[2];
	osm_u8 circuit[4];
	osm_u8 seq[8];
	osm_u8 epoch[4];
	osm_u8 aead_tag[OSM_AEAD_TAG_LEN];
	osm_u8 hop_tag[OSM_HOP_TAG_LEN];
};
_Static_assert(sizeof(struct osm_hdr) == OSM_HDR_LEN, "osm_hdr layout");

/* A parsed frame: header fields in host order, pointers into the frame. */
struct osm_frame {
	osm_u8 version;
	osm_u8 type;
	osm_u16 len;
	osm_u32 circuit;
	osm_u64 seq;
	osm_u32 epoch;
	const osm_u8 *eth;	/* start of the Ethernet header */
	const osm_u8 *hdr;	/* start of the circuit header */
};

/* ---- Verdicts ---------------------------------------------------------- */

/* Why a frame was dropped, in the order of enum osm_reason after OSM_OK,
 * with the name counters, tools and docs use: X(SUFFIX, name). Order is
 * ABI: it lays out the drop counters that operators read with bpftool. */
#define OSM_REASONS(X)							\
	X(MALFORMED, malformed)		/* too short, bad flags, length */ \
	X(VERSION, version)		/* unknown version or type */	\
	X(UNKNOWN, unknown_circuit)	/* no such circuit */		\
	X(WRONG_PORT, wrong_port)	/* not from its ingress port */	\
	X(WRONG_SRC, wrong_src)		/* not from its source MAC */	\
	X(EXPIRED, expired)		/* circuit lease has run out */	\
	X(STALE_EPOCH, stale_epoch)	/* no key for the frame's epoch */ \
	X(BAD_TAG, bad_tag)		/* hop tag does not verify */	\
	X(REPLAY, replay)		/* sequence number seen or old */ \
	X(OVER_RATE, over_rate)		/* token bucket empty */	\
	X(EGRESS_DOWN, egress_down)	/* egress port down or missing */ \
	X(NOT_CIRCUIT, not_circuit)	/* not 0x88B5 on a fabric port */ \
	X(BAD_AEAD, bad_aead)		/* endpoint only: does not open */

#define OSM_REASON_ENUM(suffix, name)	OSM_DROP_##suffix,
#define OSM_REASON_FIELD(suffix, name)	osm_u64 name;

/* Why a frame was dropped. 0 is "forward". */
enum osm_reason {
	OSM_OK = 0,
	OSM_REASONS(OSM_REASON_ENUM)
	OSM_REASON_MAX,
};

/* A switch's drop counters (the one value of its per-CPU drop_stats map):
 * by index, and by name for `bpftool map dump`. */
struct osm_drop_counts {
	union {
		osm_u64 by_reason[OSM_REASON_MAX];
		struct {
			osm_u64 forwarded;	/* OSM_OK: never counted here */
			OSM_REASONS(OSM_REASON_FIELD)
		};
	};
};

/* ---- Byte order -------------------------------------------------------- */

/*
 * The wire is big-endian; hop keys and tags are little-endian (SipHash).
 * In BPF each field is one load or store: XDP reads the packet in place,
 * and the verifier allows unaligned packet and map-value access on the
 * CPUs whose JITs run XDP at speed (x86-64, arm64: efficient unaligned
 * access). Stack access must be aligned, so BPF callers pass stack buffers
 * in which every field these functions touch is naturally aligned (a frame
 * copied to offset 2 of an 8-aligned buffer). Elsewhere byte-wise:
 * alignment and byte order free, for any host and the firmware.
 */
#ifdef __bpf__
typedef osm_u16 __attribute__((may_alias)) osm_u16_alias;
typedef osm_u32 __attribute__((may_alias)) osm_u32_alias;
typedef osm_u64 __attribute__((may_alias)) osm_u64_alias;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OSM_BE16(x) __builtin_bswap16(x)
#define OSM_BE32(x) __builtin_bswap32(x)
#define OSM_BE64(x) __builtin_bswap64(x)
#define OSM_LE64(x) (x)
#else
#define OSM_BE16(x) (x)
#define OSM_BE32(x) (x)
#define OSM_BE64(x) (x)
#define OSM_LE64(x) __builtin_bswap64(x)
#endif

OSM_INLINE osm_u16 osm_get_be16(const osm_u8 *p)
{
	return OSM_BE16(*(const osm_u16_alias *)p);
}

OSM_INLINE osm_u32 osm_get_be32(const osm_u8 *p)
{
	return OSM_BE32(*(const osm_u32_alias *)p);
}

OSM_INLINE osm_u64 osm_get_be64(const osm_u8 *p)
{
	return OSM_BE64(*(const osm_u64_alias *)p);
}

OSM_INLINE osm_u64 osm_get_le64(const osm_u8 *p)
{
	return OSM_LE64(*(const osm_u64_alias *)p);
}

OSM_INLINE void osm_put_be16(osm_u8 *p, osm_u16 v)
{
	*(osm_u16_alias *)p = OSM_BE16(v);
}

OSM_INLINE void osm_put_be32(osm_u8 *p, osm_u32 v)
{
	*(osm_u32_alias *)p = OSM_BE32(v);
}

OSM_INLINE void osm_put_be64(osm_u8 *p, osm_u64 v)
{
	*(osm_u64_alias *)p = OSM_BE64(v);
}

OSM_INLINE void osm_put_le64(osm_u8 *p, osm_u64 v)
{
	*(osm_u64_alias *)p = OSM_LE64(v);
}
#else
OSM_INLINE osm_u16 osm_get_be16(const osm_u8 *p)
{
	return (osm_u16)((p[0] << 8) | p[1]);
}

OSM_INLINE osm_u32 osm_get_be32(const osm_u8 *p)
{
	return ((osm_u32)p[0] << 24) | ((osm_u32)p[1] << 16) |
	       ((osm_u32)p[2] << 8) | p[3];
}

OSM_INLINE osm_u64 osm_get_be64(const osm_u8 *p)
{
	return ((osm_u64)osm_get_be32(p) << 32) | osm_get_be32(p + 4);
}

OSM_INLINE void osm_put_be16(osm_u8 *p, osm_u16 v)
{
	p[0] = (osm_u8)(v >> 8);
	p[1] = (osm_u8)v;
}

OSM_INLINE void osm_put_be32(osm_u8 *p, osm_u32 v)
{
	p[0] = (osm_u8)(v >> 24);
	p[1] = (osm_u8)(v >> 16);
	p[2] = (osm_u8)(v >> 8);
	p[3] = (osm_u8)v;
}

OSM_INLINE void osm_put_be64(osm_u8 *p, osm_u64 v)
{
	osm_put_be32(p, (osm_u32)(v >> 32));
	osm_put_be32(p + 4, (osm_u32)v);
}

OSM_INLINE osm_u64 osm_get_le64(const osm_u8 *p)
{
	osm_u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

OSM_INLINE void osm_put_le64(osm_u8 *p, osm_u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (osm_u8)(v >> (8 * i));
}
#endif

/* ---- SipHash-2-4 (equal to libsodium crypto_shorthash) ----------------- */

#define OSM_ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define OSM_SIPROUND(v0, v1, v2, v3)					\
	do {								\
		v0 += v1; v1 = OSM_ROTL64(v1, 13); v1 ^= v0;		\
		v0 = OSM_ROTL64(v0, 32);				\
		v2 += v3; v3 = OSM_ROTL64(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = OSM_ROTL64(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = OSM_ROTL64(v1, 17); v1 ^= v2;		\
		v2 = OSM_ROTL64(v2, 32);				\
	} while (0)

/* SipHash-2-4 of in[0..len) under a 16-byte key; returns the 64-bit value.
 * The 8 output bytes on the wire are this value little-endian, as
 * crypto_shorthash writes them. len must be a compile-time constant in
 * BPF so that the loop unrolls. */
OSM_UNROLL_QUIET_BEGIN
OSM_INLINE osm_u64 osm_siphash24(const osm_u8 *in, osm_u32 len,
				 const osm_u8 key[OSM_HOP_KEY_LEN])
{
	osm_u64 k0 = osm_get_le64(key), k1 = osm_get_le64(key + 8);
	osm_u64 v0 = 0x736f6d6570736575ULL ^ k0;
	osm_u64 v1 = 0x646f72616e646f6dULL ^ k1;
	osm_u64 v2 = 0x6c7967656e657261ULL ^ k0;
	osm_u64 v3 = 0x7465646279746573ULL ^ k1;
	osm_u64 m;
	osm_u32 i, r, n = 2, end = len & ~7u;

	/* Every 8-byte block (2 rounds each), then the last one: the 0..7
	 * bytes left and the length in its top byte (2 rounds), then the
	 * finalisation (v2 ^= 0xff, 4 rounds). One loop, one round: a
	 * compiler that optimises for speed unrolls it all (len is a
	 * constant in the switch), one that optimises for size (the
	 * firmware) keeps one copy of a round. */
	OSM_UNROLL
	for (i = 0; i <= end + 8; i += 8) {
		if (i < end) {
			m = osm_get_le64(in + i);
		} else if (i == end) {
			m = (osm_u64)len << 56;
			for (r = 0; r < (len & 7u); r++)
				m |= (osm_u64)in[end + r] << (8 * r);
		} else {
			m = 0;
			v2 ^= 0xff;
			n = 4;
		}
		v3 ^= m;
		OSM_UNROLL
		for (r = 0; r < n; r++)
			OSM_SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	return v0 ^ v1 ^ v2 ^ v3;
}
OSM_UNROLL_QUIET_END

/* Hop tag of a circuit header: SipHash-2-4 of its first 36 bytes. */
OSM_INLINE osm_u64 osm_hop_tag(const osm_u8 *hdr,
			       const osm_u8 key[OSM_HOP_KEY_LEN])
{
	return osm_siphash24(hdr, OSM_HOP_INPUT_LEN, key);
}

/* ---- Parsing and writing the header ------------------------------------ */

/*
 * Parse a frame of frame_len bytes starting with its Ethernet header. Reads
 * at most OSM_FRAME_HDR_LEN bytes, and none when frame_len is smaller.
 * Returns OSM_OK, OSM_DROP_NOT_CIRCUIT, OSM_DROP_MALFORMED or
 * OSM_DROP_VERSION. Trailing bytes after the payload (Ethernet padding)
 * are allowed.
 */
OSM_INLINE int osm_parse(const osm_u8 *frame, osm_u32 frame_len,
			 struct osm_frame *f)
{
	const osm_u8 *h = frame + OSM_ETH_HLEN;

	if (frame_len < OSM_ETH_HLEN)
		return OSM_DROP_MALFORMED;
	if (osm_get_be16(frame + 12) != OSM_ETH_P_CIRCUIT)
		return OSM_DROP_NOT_CIRCUIT;
	if (frame_len < OSM_FRAME_HDR_LEN)
		return OSM_DROP_MALFORMED;
	f->version = h[OSM_OFF_VER_TYPE] >> 4;
	f->type = h[OSM_OFF_VER_TYPE] & 0x0f;
	if (f->version != OSM_VERSION ||
	    (f->type != OSM_T_DATA && f->type != OSM_T_CTRL))
		return OSM_DROP_VERSION;
	f->len = osm_get_be16(h + OSM_OFF_LEN);
	if (h[OSM_OFF_FLAGS] != 0 || f->len > OSM_MAX_PAYLOAD ||
	    frame_len - OSM_FRAME_HDR_LEN < f->len)
		return OSM_DROP_MALFORMED;
	f->circuit = osm_get_be32(h + OSM_OFF_CIRCUIT);
	f->seq = osm_get_be64(h + OSM_OFF_SEQ);
	f->epoch = osm_get_be32(h + OSM_OFF_EPOCH);
	f->eth = frame;
	f->hdr = h;
	return OSM_OK;
}

/* Fill the fields of a circuit header that precede the AEAD tag. */
OSM_INLINE void osm_hdr_write(osm_u8 *hdr, osm_u8 type, osm_u16 len,
			      osm_u32 circuit, osm_u64 seq, osm_u32 epoch)
{
	hdr[OSM_OFF_VER_TYPE] = (osm_u8)(OSM_VERSION << 4 | (type & 0x0f));
	hdr[OSM_OFF_FLAGS] = 0;
	osm_put_be16(hdr + OSM_OFF_LEN, len);
	osm_put_be32(hdr + OSM_OFF_CIRCUIT, circuit);
	osm_put_be64(hdr + OSM_OFF_SEQ, seq);
	osm_put_be32(hdr + OSM_OFF_EPOCH, epoch);
}

/* The 12-byte AEAD nonce of a frame: be32 circuit id, be64 sequence. */
OSM_INLINE void osm_nonce(osm_u8 nonce[OSM_NONCE_LEN], osm_u32 circuit,
			  osm_u64 seq)
{
	osm_put_be32(nonce, circuit);
	osm_put_be64(nonce + 4, seq);
}

/* Constant-time comparison of an 8-byte tag with a SipHash value. */
OSM_INLINE int osm_hop_tag_ok(const osm_u8 *tag, osm_u64 want)
{
	osm_u64 got = osm_get_le64(tag);

	return (got ^ want) == 0;
}

/* ---- Replay window (RFC 6479 word ring, as WireGuard keeps it) --------- */

#ifndef OSM_REPLAY_BITS
#define OSM_REPLAY_BITS		2048	/* power of two, >= 1024 */
#endif
#define OSM_REPLAY_WORDS	(OSM_REPLAY_BITS / 64)
/* How far behind the highest accepted number a frame may be. */
#define OSM_REPLAY_WINDOW	(OSM_REPLAY_BITS - 64)

_Static_assert((OSM_REPLAY_BITS & (OSM_REPLAY_BITS - 1)) == 0 &&
	       OSM_REPLAY_BITS >= 1024, "replay window size");

/*
 * top is one more than the highest accepted sequence number, 0 when none
 * was accepted; bit (n % BITS) of the ring stands for number n - 1.
 * Zero-initialised is the empty window.
 */
struct osm_replay {
	osm_u64 top;
	osm_u64 ring[OSM_REPLAY_WORDS];
};

/* 1 if seq may be accepted now, 0 if it is a replay or too old. Pure. */
OSM_INLINE int osm_replay_check(const struct osm_replay *r, osm_u64 seq)
{
	osm_u64 n = seq + 1;

	if (seq == OSM_SEQ_INVALID)
		return 0;
	if (n > r->top)
		return 1;
	if (r->top - n > OSM_REPLAY_WINDOW)
		return 0;
	return !((r->ring[(n / 64) & (OSM_REPLAY_WORDS - 1)] >> (n & 63)) & 1);
}

/* Record seq as accepted; call only after osm_replay_check said 1. */
OSM_INLINE void osm_replay_mark(struct osm_replay *r, osm_u64 seq)
{
	osm_u64 n = seq + 1, cur, ahead;
	osm_u32 i;

	if (n > r->top) {
		cur = r->top / 64;
		ahead = n / 64 - cur;
		/* Clear the words the window slides over, oldest first. */
		for (i = 1; i <= OSM_REPLAY_WORDS; i++) {
			if (i > ahead)
				break;
			r->ring[(cur + i) & (OSM_REPLAY_WORDS - 1)] = 0;
		}
		r->top = n;
	}
	r->ring[(n / 64) & (OSM_REPLAY_WORDS - 1)] |= 1ULL << (n & 63);
}

/* Make seq the floor of the window: it and every number below count as
 * seen (a fresh start that refuses what came before: docs/protocol.md
 * 8.1). Numbers above seq already recorded stay recorded. */
OSM_INLINE void osm_replay_floor(struct osm_replay *r, osm_u64 seq)
{
	osm_u64 n = seq + 1, k;
	osm_u32 i;

	if (n > r->top) {	/* slide the window up to seq */
		r->top = n;
		for (i = 0; i < OSM_REPLAY_WORDS; i++)
			r->ring[i] = 0;
	}
	/* every number up to seq that the ring still holds (top - k <
	 * BITS: its bit is its own, not a higher number's) */
	for (k = n, i = 0; k && r->top - k < OSM_REPLAY_BITS &&
	     i <= OSM_REPLAY_WINDOW; k--, i++)
		r->ring[(k / 64) & (OSM_REPLAY_WORDS - 1)] |= 1ULL << (k & 63);
}

/* Check and record in one step: 1 if fresh (now recorded), 0 if not. */
OSM_INLINE int osm_replay_accept(struct osm_replay *r, osm_u64 seq)
{
	if (!osm_replay_check(r, seq))
		return 0;
	osm_replay_mark(r, seq);
	return 1;
}

/* ---- The switch's replay window: lock-free, for CPUs deciding at once -- */

/*
 * The acceptance of struct osm_replay (a number once, and not when more
 * than OSM_REPLAY_WINDOW below the highest accepted), kept without a lock
 * while several CPUs decide frames of one circuit: every change is one
 * compare-and-exchange of a 64-bit word. The ring is of 32-bit slots, each
 * in a word with a tag of the generation it holds (g = n / 32): a slot
 * moves to a new generation in the exchange that records the generation's
 * first number, so the slide clears no word that another CPU could be
 * setting a bit in (a fetch-or could not move it: hence the exchange).
 * tools/model/window.pml is the algorithm in Promela; `make model` checks
 * with spin that no number is accepted twice by two or three CPUs
 * (docs/switch.md).
 *
 * A slot's tag is its generation's lap of the ring (g / OSM_WND_SLOTS,
 * low 32 bits): the slot's index holds the rest. The order of a CPU's
 * steps is what makes it sound: it reads the slot, then top; it raises
 * top (if n is above it) before it writes the slot. So a slot's content
 * read is never that of a number above the top read after it: a tag that
 * would name a generation above top's is an old one's (reset), and one
 * that names a later generation than n's is believed only up to top's.
 * The one loss left: a slot not written for 2^43 numbers (2^11 sessions
 * of a device, each numbered from S x 2^32) may hold the tag of a
 * generation below top whose numbers were never recorded, and refuse
 * them (never a second acceptance).
 *
 * Loads must not be reordered: acquire loads on a host, and in BPF plain
 * loads, which x86-64 keeps in order (BPF before ISA v4 has no
 * load-acquire; a weakly ordered CPU would need one there).
 */
#define OSM_WND_SLOT_BITS	32
#define OSM_WND_SLOTS		(OSM_REPLAY_BITS / OSM_WND_SLOT_BITS)
/* Compare-and-exchange attempts before a frame gives up (dropped as a
 * replay): each failure is another CPU's write to the same word. */
#define OSM_WND_TRIES		16

_Static_assert(OSM_REPLAY_WINDOW <= OSM_REPLAY_BITS - OSM_WND_SLOT_BITS,
	       "a slot must leave the window before its ring place is reused");

struct osm_window {
	osm_u64 top;			/* highest accepted n = seq + 1, 0: none */
	osm_u64 slot[OSM_WND_SLOTS];	/* tag << 32 | bits */
};

#ifdef __bpf__
#define OSM_LOAD64(p)		(*(const volatile osm_u64 *)(p))
/* The value *p held: new was stored if that is old. BPF_CMPXCHG. */
#define OSM_CAS64(p, old, new)	__sync_val_compare_and_swap(p, old, new)
#else
#define OSM_LOAD64(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
OSM_INLINE osm_u64 osm_cas64(osm_u64 *p, osm_u64 old, osm_u64 new_)
{
	__atomic_compare_exchange_n(p, &old, new_, 0, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return old;
}
#define OSM_CAS64(p, old, new)	osm_cas64(p, old, new)
#endif

/*
 * What the slot word v becomes when n is recorded in it, top being t:
 * 1 with *next set, or 0 if n is a replay or too old. Pure.
 */
OSM_INLINE int osm_window_next(osm_u64 v, osm_u64 t, osm_u64 n,
			       osm_u64 *next)
{
	osm_u64 g = n / OSM_WND_SLOT_BITS, tg = t / OSM_WND_SLOT_BITS;
	osm_u64 bit = 1ULL << (n % OSM_WND_SLOT_BITS);
	osm_u32 tag = (osm_u32)(g / OSM_WND_SLOTS);
	int d = (int)((osm_u32)(v >> 32) - tag);

	if (t > n && t - n > OSM_REPLAY_WINDOW)
		return 0;
	/* n's generation, if no number above top's is in it (one above
	 * could not have been recorded: top is raised first) */
	if (d == 0 && g <= tg) {
		if (v & bit)
			return 0;
		*next = v | bit;
		return 1;
	}
	/* a later generation, not above top's: n's is over */
	if (d > 0 && g + (osm_u64)d * OSM_WND_SLOTS <= tg)
		return 0;
	/* an earlier generation's, whose numbers have all left the
	 * window: n's replaces it */
	*next = (osm_u64)tag << 32 | bit;
	return 1;
}

/* 1 if seq may be accepted now, 0 if it is a replay or too old. Reads. */
OSM_INLINE int osm_window_check(const struct osm_window *w, osm_u64 seq)
{
	osm_u64 n = seq + 1, next, v, t;

	if (seq == OSM_SEQ_INVALID)
		return 0;
	v = OSM_LOAD64(&w->slot[(n / OSM_WND_SLOT_BITS) &
				(OSM_WND_SLOTS - 1)]);
	t = OSM_LOAD64(&w->top);
	return osm_window_next(v, t, n, &next);
}

/*
 * Accept seq: 1 if it was not accepted before (now it is), 0 if it is a
 * replay, too old, or lost OSM_WND_TRIES exchanges in a row. Safe on any
 * number of CPUs at once, each number accepted once.
 */
OSM_INLINE int osm_window_accept(struct osm_window *w, osm_u64 seq)
{
	osm_u64 n = seq + 1, v, t, next, seen;
	osm_u64 *slot = &w->slot[(n / OSM_WND_SLOT_BITS) &
				 (OSM_WND_SLOTS - 1)];
	osm_u32 i, j;

	if (seq == OSM_SEQ_INVALID)
		return 0;
	v = OSM_LOAD64(slot);
	for (i = 0; i < OSM_WND_TRIES; i++) {
		t = OSM_LOAD64(&w->top);
		if (!osm_window_next(v, t, n, &next))
			return 0;
		/* top first (see above): raised to n unless it is above */
		for (j = 0; j < OSM_WND_TRIES && n > t; j++) {
			seen = OSM_CAS64(&w->top, t, n);
			t = seen == t ? n : seen;
		}
		if (n > t)
			return 0;
		seen = OSM_CAS64(slot, v, next);
		if (seen == v)
			return 1;
		v = seen;
	}
	return 0;
}

/* ---- Token bucket (integer, exact: credit is bytes * 1e9) -------------- */

#define OSM_NSEC_PER_SEC	1000000000ULL

struct osm_bucket {
	osm_u64 credit;		/* byte-nanoseconds available */
	osm_u64 last_ns;	/* time of the last refill, 0: never (full) */
};

/* The coarsest clock a dataplane may decide with. A bucket then refills
 * in steps of up to rate x tick, so its burst must hold that much on top
 * of the largest frame. */
#define OSM_CLOCK_TICK_MAX_NS	10000000ULL
/* The largest burst: burst x 1e9 byte-ns must fit in 64 bits. */
#define OSM_BURST_MAX		(0xffffffffffffffffULL / OSM_NSEC_PER_SEC)

/*
 * The least burst of a bucket of rate bytes/s: the largest frame plus the
 * refill of one OSM_CLOCK_TICK_MAX_NS tick, so that a sender at exactly
 * the rate passes whatever the clock's granularity up to that tick.
 */
OSM_INLINE osm_u64 osm_bucket_min_burst(osm_u64 rate)
{
	return rate / (OSM_NSEC_PER_SEC / OSM_CLOCK_TICK_MAX_NS) +
	       OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD;
}

/* 1 if rate and burst make a bucket every dataplane enforces alike: both 0
 * (unlimited), or osm_bucket_min_burst(rate) <= burst <= OSM_BURST_MAX. */
OSM_INLINE int osm_bucket_sound(osm_u64 rate, osm_u64 burst)
{
	if (!rate || !burst)
		return !rate && !burst;
	return burst >= osm_bucket_min_burst(rate) && burst <= OSM_BURST_MAX;
}

/*
 * The bucket's credit at now_ns, from credit and last (the time of the
 * last refill; 0: never used, full) read together: into *credit, *last.
 * Pure. The refill time never moves back, so a clock that steps
 * backwards cannot count the same interval twice.
 */
OSM_INLINE void osm_bucket_at(osm_u64 cap, osm_u64 rate, osm_u64 now_ns,
			      osm_u64 *credit, osm_u64 *last)
{
	osm_u64 elapsed;

	if (*credit > cap)	/* the burst was lowered since */
		*credit = cap;
	if (*last == 0) {
		*credit = cap;
		*last = now_ns ? now_ns : 1;
	} else if (now_ns > *last) {
		elapsed = now_ns - *last;
		if (elapsed >= (cap - *credit) / rate + 1)
			*credit = cap;
		else
			*credit += elapsed * rate;
		*last = now_ns;
	}
}

/* Add (or with a cost, take) to b's credit, at most cap: the credit
 * after, or (taking) 0 if the credit is short of cost (then unchanged). */
OSM_INLINE int osm_bucket_credit(struct osm_bucket *b, osm_u64 cap,
				 osm_u64 add, osm_u64 cost)
{
	osm_u64 c = OSM_LOAD64(&b->credit), seen, want;
	osm_u32 i;

	for (i = 0; i < OSM_WND_TRIES; i++) {
		want = (c > cap ? cap : c) + add;
		if (want > cap)
			want = cap;
		if (want < cost)
			return 0;
		seen = OSM_CAS64(&b->credit, c, want - cost);
		if (seen == c)
			return 1;
		c = seen;
	}
	return 0;
}

/*
 * Take bytes from a bucket refilled at rate bytes/s up to burst bytes.
 * rate 0 means unlimited. A bucket that was never used starts full.
 * Returns 1 if the frame fits (credit taken), 0 if over rate, the bucket
 * then left as it was (the refill is a function of the time: done at the
 * next take all the same). Lock-free, for CPUs taking at once: the CPU
 * that moves last_ns (compare-and-exchange) adds that interval's refill,
 * and every take is a compare-and-exchange of the credit. Racing CPUs may
 * see the credit before a refill another is adding, and refuse a frame
 * that would have fit (never the other way round); over rate, a CPU may
 * have added its refill.
 */
OSM_INLINE int osm_bucket_take(struct osm_bucket *b, osm_u64 rate,
			       osm_u64 burst, osm_u64 now_ns, osm_u32 bytes)
{
	osm_u64 cap = burst * OSM_NSEC_PER_SEC;
	osm_u64 cost = (osm_u64)bytes * OSM_NSEC_PER_SEC;
	osm_u64 last0, c0, credit, last;
	osm_u32 i;

	if (rate == 0)
		return 1;
	for (i = 0; i < OSM_WND_TRIES; i++) {
		last0 = OSM_LOAD64(&b->last_ns);
		c0 = OSM_LOAD64(&b->credit);
		credit = c0;
		last = last0;
		osm_bucket_at(cap, rate, now_ns, &credit, &last);
		if (credit < cost)
			return 0;
		if (last == last0)
			return osm_bucket_credit(b, cap, 0, cost);
		/* The interval (last0, last] is ours to add, once. */
		if (OSM_CAS64(&b->last_ns, last0, last) != last0)
			continue;
		return osm_bucket_credit(b, cap, credit - (c0 > cap ? cap : c0),
					 cost);
	}
	return 0;
}

/* Give back bytes taken from a bucket of burst bytes by osm_bucket_take. */
OSM_INLINE void osm_bucket_give(struct osm_bucket *b, osm_u64 burst,
				osm_u32 bytes)
{
	osm_bucket_credit(b, burst * OSM_NSEC_PER_SEC,
			  (osm_u64)bytes * OSM_NSEC_PER_SEC, 0);
}

/* ---- Circuits: what the control plane installs, what the fast path keeps */

/* Circuit flags. */
#define OSM_CF_REMOTE	(1u << 0)	/* may leave the building (gateway) */
#define OSM_CF_DOWN	(1u << 1)	/* egress port is down */
#define OSM_CF_CTRL	(1u << 2)	/* control circuit to the controller */

/* A hop key for one epoch. Only hop keys reach a switch, never e2e keys. */
struct osm_key_slot {
	osm_u32 epoch;
	osm_u32 valid;
	osm_u8 hop_key[OSM_HOP_KEY_LEN];
};

/*
 * One direction of a circuit through one switch (map value of "circuits",
 * keyed by circuit id). Written whole by the control plane; a hash map
 * replaces it atomically, so a reader sees the old or the new value.
 * The key for epoch e is key[osm_epoch_slot(e)].
 */
struct osm_circuit {
	osm_u32 id;
	osm_u32 flags;			/* OSM_CF_* */
	osm_u32 ingress_ifindex;
	osm_u32 egress_ifindex;
	osm_u8 src_mac[6];		/* the sending endpoint */
	osm_u8 dst_mac[6];		/* the receiving endpoint */
	osm_u32 slot;			/* its state's index: the switch's */
	osm_u64 rate;			/* bytes per second, 0: unlimited */
	osm_u64 burst;			/* bytes */
	osm_u64 expires_ns;		/* CLOCK_MONOTONIC, 0: no lease */
	struct osm_key_slot key[2];
};

/* Per-circuit counters (the switch's map "circuit_stats", per CPU). */
struct osm_circuit_stats {
	osm_u64 frames;		/* forwarded */
	osm_u64 bytes;		/* forwarded */
	osm_u64 drops;		/* dropped after the circuit was found */
};

/* The fast path's state of a circuit (map "circuit_state", at the
 * circuit's slot), kept apart from struct osm_circuit so that the control
 * plane can replace a circuit without touching its window or bucket. Both
 * change by compare-and-exchange only: no lock. */
struct osm_circuit_state {
	struct osm_bucket bucket;
	struct osm_window window;
};

/* Per-port configuration (map "port_cfg", keyed by ifindex). */
#define OSM_PF_FABRIC	(1u << 0)	/* enforce circuits on this port */
#define OSM_PF_MGMT	(1u << 1)	/* non-circuit traffic goes up */
struct osm_port {
	osm_u32 flags;
};

/* Pinned names, under OSM_PIN_ROOT/<switch>/, shared by loader and tools. */
#define OSM_PIN_ROOT		"/sys/fs/bpf/osm"
#define OSM_MAP_CIRCUITS	"circuits"
#define OSM_MAP_STATE		"circuit_state"
#define OSM_MAP_STATS		"circuit_stats"
#define OSM_MAP_SLOTS		"circuit_slots"
#define OSM_MAP_DROPS		"drop_stats"
#define OSM_MAP_TX_PORTS	"tx_ports"
#define OSM_MAP_PORTS		"port_cfg"
#define OSM_MAP_TX_ERRORS	"tx_errors"
#define OSM_MAP_INFO		"switch_info"

/* The network namespace a switch was loaded in (map "switch_info", one
 * entry): its cookie, and its name under /run/netns ("" if loaded in
 * the caller's own, unnamed). Commands act on a switch only from there. */
#define OSM_NETNS_NAME_MAX	64
struct osm_switch_info {
	osm_u64 netns_cookie;
	char netns[OSM_NETNS_NAME_MAX];
};
#define OSM_MAX_CIRCUITS	131072
#define OSM_MAX_PORTS		256	/* entries of tx_ports and port_cfg */

OSM_INLINE int osm_mac_eq(const osm_u8 *a, const osm_u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		(a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

/*
 * The clock of the decision: CLOCK_MONOTONIC ns, read only for a circuit
 * that needs it (a lease or a rate). In BPF it is read here, and it is the
 * kernel's coarse clock (one tick, 1-10 ms, behind; a memory read): the
 * precise one reads the TSC, which in a VM costs more than all the rest of
 * the bookkeeping. Leases are seconds long and buckets are sized for a
 * coarse clock (osm_bucket_sound), so neither notices. Elsewhere it is the
 * caller's now_ns, so that tests can set the time.
 */
#ifdef __bpf__
#define OSM_CLOCK(now_ns) bpf_ktime_get_coarse_ns()
#else
#define OSM_CLOCK(now_ns) (now_ns)
#endif

/*
 * The forwarding decision for a parsed frame f that arrived on in_ifindex.
 * c and st are the circuit and its state (NULL when not found);
 * egress_up: the circuit's egress port can take a frame (the caller's to
 * know: a port in the switch's transmit map). The order of the checks is
 * normative (docs/protocol.md, "Switch decision"): the first failing
 * check names the reason. The replay window and bucket are changed only
 * for a frame that passes every other check: a frame dropped for any
 * reason leaves them as they were. Any number of CPUs may decide frames
 * of one circuit at once: the window is lock-free, the bucket (a rated
 * circuit's only) under st's lock. now_ns is the time (see OSM_CLOCK; BPF
 * callers pass 0). Returns OSM_OK to forward, else the drop reason.
 */
OSM_INLINE int osm_decide(const struct osm_frame *f,
			  const struct osm_circuit *c,
			  struct osm_circuit_state *st, osm_u32 in_ifindex,
			  int egress_up, osm_u64 now_ns)
{
	const struct osm_key_slot *k;
	osm_u64 now = 0;
	osm_u32 cost;

	(void)now_ns;		/* unused in BPF */
	if (!c || !st)
		return OSM_DROP_UNKNOWN;
	if (c->ingress_ifindex != in_ifindex)
		return OSM_DROP_WRONG_PORT;
	if (!osm_mac_eq(f->eth + 6, c->src_mac))
		return OSM_DROP_WRONG_SRC;
	if (c->expires_ns) {
		now = OSM_CLOCK(now_ns);
		if (now >= c->expires_ns)
			return OSM_DROP_EXPIRED;
	}
	if ((c->flags & OSM_CF_DOWN) || !egress_up)
		return OSM_DROP_EGRESS_DOWN;
	k = &c->key[osm_epoch_slot(f->epoch)];
	if (!k->valid || k->epoch != f->epoch)
		return OSM_DROP_STALE_EPOCH;
	if (!osm_hop_tag_ok(f->hdr + OSM_OFF_HOP_TAG,
			    osm_hop_tag(f->hdr, k->hop_key)))
		return OSM_DROP_BAD_TAG;
	if (!c->rate)
		return osm_window_accept(&st->window, f->seq) ? OSM_OK :
								OSM_DROP_REPLAY;

	/* A rated circuit: the window is asked first (a replay takes no
	 * credit), the credit taken, and only then is the number recorded.
	 * A frame that loses that number to its own copy on another CPU in
	 * between gives its credit back. */
	if (!osm_window_check(&st->window, f->seq))
		return OSM_DROP_REPLAY;
	if (!c->expires_ns)
		now = OSM_CLOCK(now_ns);
	cost = OSM_FRAME_HDR_LEN + f->len;
	if (!osm_bucket_take(&st->bucket, c->rate, c->burst, now, cost))
		return OSM_DROP_OVER_RATE;
	if (osm_window_accept(&st->window, f->seq))
		return OSM_OK;
	osm_bucket_give(&st->bucket, c->burst, cost);
	return OSM_DROP_REPLAY;
}

/* ---- Endpoint receive (docs/protocol.md, "Endpoint receive") ----------- */

#ifndef __bpf__
/* The circuit a frame names, as an endpoint shows it to osm_receive():
 * the window and key slot osm_epoch_slot() of the frame's epoch. */
struct osm_rx_slot {
	struct osm_replay *replay;	/* the circuit's window */
	const osm_u8 *hop;		/* the slot's hop key */
	const osm_u8 *e2e;		/* the slot's end-to-end key */
	osm_u32 epoch;			/* the slot's epoch */
	osm_u32 valid;			/* 0: the slot is empty */
};

/* How osm_receive() reaches an endpoint's circuits and its AEAD, which
 * each endpoint keeps its own way; every hook gets the caller's ctx. */
struct osm_receive_ops {
	/* Fill *s with key slot `slot` of circuit `circuit`; 0 if the
	 * endpoint does not receive on that circuit. */
	int (*find)(void *ctx, osm_u32 circuit, unsigned int slot,
		    struct osm_rx_slot *s);
	/* SipHash-2-4 of the hop tag; NULL: osm_hop_tag() inline. A target
	 * with one out-of-line copy for its image names it here. */
	osm_u64 (*siphash)(const osm_u8 *in, osm_u32 len,
			   const osm_u8 key[OSM_HOP_KEY_LEN]);
	/* Open f's payload under nonce and the e2e key: 0, or -1 when the
	 * AEAD tag does not verify. */
	int (*aead_open)(void *ctx, const struct osm_frame *f,
			 const osm_u8 nonce[OSM_NONCE_LEN],
			 const osm_u8 e2e[OSM_E2E_KEY_LEN]);
};

/*
 * The endpoint's receive check of frame[0..len), in the order of
 * docs/protocol.md 6.2: parse (checks 1-4), the circuit
 * (OSM_DROP_UNKNOWN), the key of the frame's epoch (10), the hop tag (11),
 * room for the payload (at most cap bytes, else OSM_DROP_MALFORMED), the
 * replay window, the AEAD (the one crypto step, ops->aead_open), and only
 * then recording the sequence number. Returns OSM_OK with *f filled, or
 * the osm_reason. Not in BPF: XDP makes no indirect calls, and a switch
 * opens no payload.
 */
OSM_INLINE int osm_receive(const osm_u8 *frame, osm_u32 len, osm_u32 cap,
			   struct osm_frame *f,
			   const struct osm_receive_ops *ops, void *ctx)
{
	osm_u8 nonce[OSM_NONCE_LEN];
	struct osm_rx_slot s;
	osm_u64 tag;
	int r;

	r = osm_parse(frame, len, f);
	if (r != OSM_OK)
		return r;
	if (!ops->find(ctx, f->circuit, osm_epoch_slot(f->epoch), &s))
		return OSM_DROP_UNKNOWN;
	if (!s.valid || s.epoch != f->epoch)
		return OSM_DROP_STALE_EPOCH;
	tag = ops->siphash ? ops->siphash(f->hdr, OSM_HOP_INPUT_LEN, s.hop) :
			     osm_hop_tag(f->hdr, s.hop);
	if (!osm_hop_tag_ok(f->hdr + OSM_OFF_HOP_TAG, tag))
		return OSM_DROP_BAD_TAG;
	if (f->len > cap)
		return OSM_DROP_MALFORMED;
	/* Checked before the AEAD, recorded after it: a replay costs no
	 * decryption, and a frame that does not open burns no number. */
	if (!osm_replay_check(s.replay, f->seq))
		return OSM_DROP_REPLAY;
	osm_nonce(nonce, f->circuit, f->seq);
	if (ops->aead_open(ctx, f, nonce, s.e2e) != 0)
		return OSM_DROP_BAD_AEAD;
	osm_replay_mark(s.replay, f->seq);
	return OSM_OK;
}
#endif

/* ---- Control messages (inside the AEAD payload of OSM_T_CTRL frames) --- */

enum osm_msg_type {
	OSM_MSG_HELLO = 1,	/* device -> controller: I am here */
	OSM_MSG_KEY_UPDATE = 2,	/* controller -> device: circuit keys */
	OSM_MSG_PRESENCE = 3,	/* device -> controller: badge event */
	OSM_MSG_ACK = 4,	/* either way: frame seq N was applied */
};

/* Every control message starts with this 4-byte header. */
#define OSM_MSG_HDR_LEN		4	/* u8 type, u8 0, be16 body length */

/* Device roles (HELLO). */
enum osm_role {
	OSM_ROLE_SENSOR = 1,
	OSM_ROLE_DISPLAY = 2,
	OSM_ROLE_MICROPHONE = 3,
	OSM_ROLE_SPEAKER = 4,
	OSM_ROLE_LAMP = 5,
	OSM_ROLE_DOOR = 6,
	OSM_ROLE_CONTROLLER = 7,
};

/* HELLO body: be32 device id, u8 role, u8 firmware version, be16 0. */
#define OSM_HELLO_LEN		8

/* KEY_UPDATE ops. */
enum osm_key_op {
	OSM_KEY_RX = 1,		/* install: the device receives on it */
	OSM_KEY_TX = 2,		/* install: the device sends on it */
	OSM_KEY_REMOVE = 3,	/* forget every key of the circuit */
};
/* KEY_UPDATE body: be32 circuit, be32 epoch, u8 op, u8 0, be16 0,
 * hop key[16], e2e key[32] (zero for REMOVE). */
#define OSM_KEY_UPDATE_LEN	60

/* PRESENCE body: u8 event (1 enter, 2 leave), u8 badge length (1..32),
 * badge bytes. */
enum osm_presence { OSM_PRESENCE_ENTER = 1, OSM_PRESENCE_LEAVE = 2 };
#define OSM_BADGE_MAX		32

/* ACK body: be64 sequence number of the acknowledged frame, u8 status
 * (0 ok, OSM_ACK_REJOIN, else an osm_reason), 3 bytes 0. */
#define OSM_ACK_LEN		12

/* ---- Sessions (docs/protocol.md 8.1) ----------------------------------- */

/* A device numbers its frames of session S, and the controller its down
 * frames of run R, as S (or R) << OSM_SESSION_SHIFT | n. */
#define OSM_SESSION_SHIFT	32
#define OSM_SESSION_MAX		0x7fffffffu	/* highest session or run */

/* Control circuit epochs (docs/protocol.md 7.1): the blob's keys are of
 * epoch 1 (slot 1), used to join; session S's are of epoch 2S (slot 0),
 * given to the device when it joins, so each session has keys of its own
 * and the two never share a slot. */
#define OSM_CTRL_JOIN_EPOCH	1

OSM_INLINE osm_u32 osm_ctrl_epoch(osm_u32 session)
{
	return session ? session * 2 : OSM_CTRL_JOIN_EPOCH;
}

/* ACK status from the controller: "start a new session" (with seq 0). */
#define OSM_ACK_REJOIN		255
/* A device not joined takes a REJOIN after this many unanswered HELLOs
 * of its session. */
#define OSM_REJOIN_HELLOS	4

/* The session (or run) a sequence number belongs to. */
OSM_INLINE osm_u32 osm_seq_session(osm_u64 seq)
{
	return (osm_u32)(seq >> OSM_SESSION_SHIFT);
}

/* The first sequence number of session (or run) s. */
OSM_INLINE osm_u64 osm_session_seq(osm_u32 s)
{
	return (osm_u64)s << OSM_SESSION_SHIFT;
}

#ifndef __bpf__
#define OSM_REASON_CASE(suffix, name)	case OSM_DROP_##suffix: return #name;

/* Lower-case name of a reason, as counters and JSON show it. */
OSM_INLINE const char *osm_reason_name(int r)
{
	switch (r) {
	case OSM_OK: return "forwarded";
	OSM_REASONS(OSM_REASON_CASE)
	default: return "invalid";
	}
}
#endif

#endif /* OSM_PROTO_H */
