// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The frame generator of osm-pktgen: valid circuit frames and hostile ones
 * in an exact, deterministic mix, each with the verdict a switch must reach
 * (computed with the same osm_parse the switch runs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "osm_keys.h"
#include "osm_msg.h"
#include "pktgen.h"

static const char *const kind_names[PG_KIND_MAX] = {
	[PG_VALID] = "valid",
	[PG_BAD_TAG] = "bad_tag",
	[PG_REPLAY] = "replay",
	[PG_UNKNOWN] = "unknown",
	[PG_TRUNCATED] = "truncated",
	[PG_RANDOM] = "random",
	[PG_STALE_EPOCH] = "stale_epoch",
};

const char *pg_kind_name(int kind)
{
	return kind >= 0 && kind < PG_KIND_MAX ? kind_names[kind] : "invalid";
}

static int kind_lookup(const char *s, size_t n)
{
	int k;

	for (k = 0; k < PG_KIND_MAX; k++)
		if (strlen(kind_names[k]) == n && !strncmp(s, kind_names[k], n))
			return k;
	return -1;
}

int pg_mix_parse(const char *s, unsigned int weights[PG_KIND_MAX])
{
	unsigned int w[PG_KIND_MAX] = { 0 };
	unsigned long long sum = 0;
	const char *p = s, *end, *eq;
	unsigned long v;
	char *e;
	int k;

	for (;;) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		k = kind_lookup(p, (size_t)((eq ? eq : end) - p));
		if (k < 0)
			return -EINVAL;
		v = 1;
		if (eq) {
			if (eq + 1 == end || eq[1] < '0' || eq[1] > '9')
				return -EINVAL;
			errno = 0;
			v = strtoul(eq + 1, &e, 10);
			if (errno || e != end || v > 1000000)
				return -EINVAL;
		}
		w[k] = (unsigned int)v;
		if (!*end)
			break;
		p = end + 1;
	}
	for (k = 0; k < PG_KIND_MAX; k++)
		sum += w[k];
	if (sum == 0)
		return -EINVAL;
	memcpy(weights, w, sizeof(w));
	return 0;
}

int pg_gen_init(struct pg_gen *g, uint32_t first_id, uint32_t ncirc,
		const uint8_t src[6], const uint8_t dst[6], uint8_t type,
		size_t size, uint64_t seq0, const unsigned int *weights,
		void (*keys_of)(struct osm_keys *k, uint32_t id, void *arg),
		void *arg, uint64_t seed)
{
	uint32_t i;

	memset(g, 0, sizeof(*g));
	/* The id just past the range is the "unknown" circuit. */
	if (ncirc == 0 || (uint64_t)first_id + ncirc > UINT32_MAX ||
	    size < PG_FRAME_MIN || size > PG_FRAME_MAX ||
	    seq0 >= OSM_SEQ_INVALID - 1)
		return -EINVAL;
	g->circ = calloc(ncirc, sizeof(*g->circ));
	if (!g->circ)
		return -ENOMEM;
	for (i = 0; i < ncirc; i++) {
		struct osm_tx *tx = &g->circ[i].tx;

		tx->circuit = first_id + i;
		tx->type = type;
		memcpy(tx->src, src, 6);
		memcpy(tx->dst, dst, 6);
		tx->next_seq = seq0;
		keys_of(&tx->keys, tx->circuit, arg);
	}
	g->ncirc = ncirc;
	g->first_id = first_id;
	g->size = size;
	g->type = type;
	memcpy(g->weight, weights, sizeof(g->weight));
	g->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	return 0;
}

void pg_gen_free(struct pg_gen *g)
{
	if (g->circ) {
		osm_wipe(g->circ, g->ncirc * sizeof(*g->circ));
		free(g->circ);
	}
	memset(g, 0, sizeof(*g));
}

static uint64_t rng_next(struct pg_gen *g)
{
	uint64_t x = g->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Smooth weighted round robin: exact proportions, no clumping. */
static int next_kind(struct pg_gen *g)
{
	long long total = 0;
	int k, best = -1;

	for (k = 0; k < PG_KIND_MAX; k++) {
		g->credit[k] += g->weight[k];
		total += g->weight[k];
		if (g->weight[k] && (best < 0 || g->credit[k] > g->credit[best]))
			best = k;
	}
	g->credit[best] -= total;
	return best;
}

/* The plaintext payload of frame number n: a control message rotating
 * through the types, or a counter and a fill pattern for data. */
static size_t make_payload(struct pg_gen *g, const struct osm_tx *tx,
			   uint8_t *p)
{
	struct osm_msg m = { 0 };
	size_t len, i;
	int n;

	if (g->type == OSM_T_CTRL) {
		switch (g->frames % 4) {
		case 0:
			m.type = OSM_MSG_HELLO;
			m.u.hello.device_id = tx->circuit & OSM_DEVICE_ID_MAX;
			m.u.hello.role = OSM_ROLE_SENSOR;
			m.u.hello.fw_version = 1;
			break;
		case 1:
			m.type = OSM_MSG_PRESENCE;
			m.u.presence.event = OSM_PRESENCE_ENTER;
			m.u.presence.badge_len = 8;
			memcpy(m.u.presence.badge, "opgbadge", 8);
			break;
		case 2:
			m.type = OSM_MSG_ACK;
			m.u.ack.seq = tx->next_seq;
			break;
		default:
			/* REMOVE carries no key: nothing secret in a pcap. */
			m.type = OSM_MSG_KEY_UPDATE;
			m.u.key.circuit = tx->circuit;
			m.u.key.epoch = tx->keys.epoch;
			m.u.key.op = OSM_KEY_REMOVE;
			break;
		}
		n = osm_msg_encode(&m, p, OSM_MAX_PAYLOAD);
		return n > 0 ? (size_t)n : 0;
	}
	len = g->size - OSM_FRAME_HDR_LEN;
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(0xa5 ^ i);
	if (len >= 8)
		osm_put_be64(p, g->frames);
	return len;
}

static int seal(struct osm_tx *tx, uint64_t seq, const uint8_t *pl,
		size_t len, uint8_t *buf)
{
	return osm_seal_seq(tx, seq, pl, len, buf, PG_FRAME_MAX);
}

/* A fresh sequence number of circuit c. */
static uint64_t take_seq(struct pg_circuit *c)
{
	return c->tx.next_seq++;
}

static int make_random(struct pg_gen *g, const struct osm_tx *tx,
		       uint8_t *buf, int *reason)
{
	struct osm_frame f;
	int len, i, r;
	uint32_t id;

	len = OSM_ETH_HLEN + (int)(rng_next(g) % (g->size - OSM_ETH_HLEN + 1));
	memcpy(buf, tx->dst, 6);
	memcpy(buf + 6, tx->src, 6);
	osm_put_be16(buf + 12, OSM_ETH_P_CIRCUIT);
	for (i = OSM_ETH_HLEN; i < len; i++)
		buf[i] = (uint8_t)rng_next(g);
	r = osm_parse(buf, (uint32_t)len, &f);
	if (r == OSM_OK) {
		/* A parseable header: steer its id off our circuits, so
		 * that the switch must say "unknown circuit". */
		id = f.circuit;
		if (id - g->first_id < g->ncirc)
			osm_put_be32(buf + OSM_ETH_HLEN + OSM_OFF_CIRCUIT,
				     g->first_id + g->ncirc);
		r = OSM_DROP_UNKNOWN;
	}
	*reason = r;
	return len;
}

int pg_gen_next(struct pg_gen *g, uint8_t *buf, int *reason,
		uint8_t *clear, int *clear_len)
{
	uint8_t pl[OSM_MAX_PAYLOAD];
	struct pg_circuit *c = &g->circ[g->next_circ];
	struct osm_tx tx;
	uint64_t seq;
	size_t plen;
	int kind = next_kind(g), len = 0;

	if (++g->next_circ == g->ncirc)
		g->next_circ = 0;
	if (kind == PG_REPLAY && !c->last_len)
		kind = PG_VALID;	/* nothing to replay yet */
	plen = make_payload(g, &c->tx, pl);
	if (clear_len)
		*clear_len = 0;

	switch (kind) {
	case PG_VALID:
		seq = take_seq(c);
		len = seal(&c->tx, seq, pl, plen, buf);
		memcpy(c->last, buf, (size_t)len);
		c->last_len = len;
		*reason = OSM_OK;
		break;
	case PG_BAD_TAG:
		seq = take_seq(c);
		len = seal(&c->tx, seq, pl, plen, buf);
		buf[OSM_ETH_HLEN + OSM_OFF_HOP_TAG +
		    rng_next(g) % OSM_HOP_TAG_LEN] ^=
			(uint8_t)(1u << (rng_next(g) & 7));
		*reason = OSM_DROP_BAD_TAG;
		break;
	case PG_REPLAY:
		len = c->last_len;
		memcpy(buf, c->last, (size_t)len);
		*reason = OSM_DROP_REPLAY;
		break;
	case PG_UNKNOWN:
		tx = c->tx;
		tx.circuit = g->first_id + g->ncirc;
		len = seal(&tx, take_seq(c), pl, plen, buf);
		osm_wipe(&tx, sizeof(tx));
		*reason = OSM_DROP_UNKNOWN;
		break;
	case PG_TRUNCATED:
		seq = take_seq(c);
		len = seal(&c->tx, seq, pl, plen, buf);
		/* Keep the Ethernet header: no NIC sends less. */
		len = OSM_ETH_HLEN +
		      (int)(rng_next(g) % (uint64_t)(len - OSM_ETH_HLEN));
		*reason = OSM_DROP_MALFORMED;
		break;
	case PG_RANDOM:
		len = make_random(g, &c->tx, buf, reason);
		break;
	case PG_STALE_EPOCH:
		tx = c->tx;
		tx.keys.epoch += 2;	/* same key slot, other epoch */
		len = seal(&tx, take_seq(c), pl, plen, buf);
		osm_wipe(&tx, sizeof(tx));
		*reason = OSM_DROP_STALE_EPOCH;
		break;
	}
	/* Replays, cut and random frames go to the pcap as sent. */
	if (clear && g->type == OSM_T_CTRL && (kind == PG_VALID ||
	    kind == PG_BAD_TAG || kind == PG_UNKNOWN ||
	    kind == PG_STALE_EPOCH)) {
		memcpy(clear, buf, (size_t)len);
		clear[OSM_ETH_HLEN + OSM_OFF_FLAGS] = PG_FLAG_PLAINTEXT;
		memcpy(clear + OSM_FRAME_HDR_LEN, pl, plen);
		*clear_len = len;
	}
	osm_wipe(pl, sizeof(pl));
	g->frames++;
	g->kinds[kind]++;
	g->expect[*reason]++;
	return len;
}
