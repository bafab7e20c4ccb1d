// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The gateway link (docs/protocol.md, section 11): the worked example of
 * 11.8 checked byte for byte from the document (pair secret, pair key,
 * INIT, RESP, session keys, DATA, WAKE), then the rules: both ends agree,
 * a replay, a flipped bit, a wrong epoch, a RESP to another INIT, a
 * low-order key, an old counter, the window touched only by DATA that
 * opened. Usage: link DOC | link --emit (prints the example's block). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "tap.h"
#include "vector_doc.h"
#include "gw_link.h"

/* The example's inputs: fixed keys, so that the bytes can be printed. */
struct ex {
	uint8_t sI[32], SI[32], sR[32], SR[32];	/* long-term */
	uint8_t eI[32], eR[32];			/* ephemeral */
	uint32_t epoch, idxI, idxR;
	uint64_t time;
	uint8_t inner[128];
	size_t inner_len;
	/* what they give */
	uint8_t P[32], K[32], init[GW_INIT_LEN], resp[GW_RESP_LEN];
	uint8_t kIR[32], kRI[32], data[256], wake[GW_WAKE_LEN];
	size_t data_len;
};

static const uint8_t frame_10_2[] = {
	0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x01, 0x88, 0xb5, 0x11, 0x00, 0x00, 0x09, 0x00, 0x00, 0x01, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00,
	0x03, 0x16, 0xed, 0x87, 0x24, 0xa9, 0x47, 0xfa, 0x6c, 0x62, 0x10,
	0x67, 0xf2, 0x72, 0xfe, 0xa2, 0xe5, 0xdb, 0x9c, 0x2b, 0xc8, 0x31,
	0x7d, 0xb6, 0x3a, 0xfc, 0xc5, 0x12, 0xbc, 0xdb, 0x52, 0x97, 0x94,
	0x35,
};

static void fill(uint8_t *p, size_t n, uint8_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(first + i);
}

/* Compute the example from its inputs; 0 if both ends agree throughout. */
static int compute(struct ex *x)
{
	struct gw_session si, sr;
	struct gw_pending pw;
	struct gw_hello h;
	uint8_t PR[32];
	int ok = 1;

	fill(x->sI, 32, 0x10);
	fill(x->sR, 32, 0x30);
	fill(x->eI, 32, 0x50);
	fill(x->eR, 32, 0x70);
	crypto_scalarmult_base(x->SI, x->sI);
	crypto_scalarmult_base(x->SR, x->sR);
	if (!gw_initiator(x->SI, x->SR)) {	/* I: the smaller key */
		uint8_t t[32];

		memcpy(t, x->sI, 32);
		memcpy(x->sI, x->sR, 32);
		memcpy(x->sR, t, 32);
		crypto_scalarmult_base(x->SI, x->sI);
		crypto_scalarmult_base(x->SR, x->sR);
	}
	x->epoch = 1;
	x->idxI = 0x11223344;
	x->idxR = 0x55667788;
	x->time = 1764547200000000000ULL;	/* 2025-12-01T00:00:00Z */
	/* the inner frame: 10.2's data frame, "lights on" on circuit 0x101 */
	x->inner_len = sizeof(frame_10_2);
	memcpy(x->inner, frame_10_2, sizeof(frame_10_2));
	ok &= !gw_pair_secret(x->P, x->sI, x->SR);
	ok &= !gw_pair_secret(PR, x->sR, x->SI);
	ok &= !memcmp(x->P, PR, 32);
	gw_pair_key(x->K, x->P, x->epoch);
	gw_init_make(x->init, &pw, x->K, x->epoch, x->idxI, x->time, x->eI);
	ok &= gw_parse_hello(x->init, sizeof(x->init), &h) == GW_OK &&
	      gw_init_check(x->init, x->K) == GW_OK;
	gw_resp_make(x->resp, &sr, &h, x->K, x->idxR, x->eR, 0);
	ok &= gw_parse_hello(x->resp, sizeof(x->resp), &h) == GW_OK &&
	      gw_resp_take(x->resp, &h, &pw, x->K, &si, 0) == GW_OK;
	ok &= !memcmp(si.tx, sr.rx, 32) && !memcmp(si.rx, sr.tx, 32);
	memcpy(x->kIR, si.tx, 32);
	memcpy(x->kRI, si.rx, 32);
	x->data_len = (size_t)gw_data_seal(&si, x->inner, x->inner_len,
					   x->data, sizeof(x->data));
	gw_wake_make(x->wake, x->K, x->epoch, x->time);
	return ok ? 0 : -1;
}

static void hex(const char *name, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%s:", name);
	for (i = 0; i < n; i++)
		printf("%s%02x", i % 16 ? " " : "\n  ", p[i]);
	printf("\n");
}

static int emit(void)
{
	struct ex x;

	if (compute(&x))
		return 1;
	printf("```vector\nname: gw-link\n");
	hex("initiator_secret", x.sI, 32);
	hex("initiator_public", x.SI, 32);
	hex("responder_secret", x.sR, 32);
	hex("responder_public", x.SR, 32);
	hex("pair_secret", x.P, 32);
	printf("epoch: %u\n", x.epoch);
	hex("pair_key", x.K, 32);
	hex("initiator_ephemeral", x.eI, 32);
	printf("initiator_index: 0x%08x\ntime: %llu\n", x.idxI,
	       (unsigned long long)x.time);
	hex("init", x.init, sizeof(x.init));
	hex("responder_ephemeral", x.eR, 32);
	printf("responder_index: 0x%08x\n", x.idxR);
	hex("resp", x.resp, sizeof(x.resp));
	hex("key_i_to_r", x.kIR, 32);
	hex("key_r_to_i", x.kRI, 32);
	printf("counter: 0\n");
	hex("inner", x.inner, x.inner_len);
	hex("data", x.data, x.data_len);
	hex("wake", x.wake, sizeof(x.wake));
	printf("```\n");
	return 0;
}

/* The document's example against the code, field by field. */
static void check_doc(const struct vd_block *b, const struct ex *x)
{
	uint8_t v[256];
	size_t n;

#define SAME(field, buf, len)						\
	do {								\
		n = vd_hex(b, field, v, sizeof(v));			\
		tap(n == (len) && !memcmp(v, buf, len),			\
		    "11.8 %s: the document's bytes are the code's", field); \
	} while (0)
	SAME("initiator_secret", x->sI, 32);
	SAME("responder_secret", x->sR, 32);
	SAME("initiator_ephemeral", x->eI, 32);
	SAME("responder_ephemeral", x->eR, 32);
	SAME("initiator_public", x->SI, 32);
	SAME("responder_public", x->SR, 32);
	SAME("pair_secret", x->P, 32);
	SAME("pair_key", x->K, 32);
	SAME("init", x->init, GW_INIT_LEN);
	SAME("resp", x->resp, GW_RESP_LEN);
	SAME("key_i_to_r", x->kIR, 32);
	SAME("key_r_to_i", x->kRI, 32);
	SAME("inner", x->inner, x->inner_len);
	SAME("data", x->data, x->data_len);
	SAME("wake", x->wake, GW_WAKE_LEN);
#undef SAME
	tap(vd_num(b, "epoch") == x->epoch &&
	    vd_num(b, "initiator_index") == x->idxI &&
	    vd_num(b, "responder_index") == x->idxR &&
	    vd_num(b, "time") == x->time && vd_num(b, "counter") == 0,
	    "11.8: its numbers are the code's");
}

/* A handshake between fresh ends: the initiator's and responder's
 * sessions. */
static int handshake(const uint8_t K[32], uint32_t epoch,
		     struct gw_session *si, struct gw_session *sr)
{
	uint8_t init[GW_INIT_LEN], resp[GW_RESP_LEN];
	struct gw_pending pw;
	struct gw_hello h;

	gw_init_make(init, &pw, K, epoch, randombytes_random() | 1, 1, NULL);
	if (gw_parse_hello(init, sizeof(init), &h) ||
	    gw_init_check(init, K))
		return -1;
	gw_resp_make(resp, sr, &h, K, randombytes_random() | 1, NULL, 0);
	if (gw_parse_hello(resp, sizeof(resp), &h))
		return -1;
	return gw_resp_take(resp, &h, &pw, K, si, 0);
}

static void check_rules(const struct ex *x)
{
	uint8_t K2[32], pkt[256], bad[256], out[256], low[32] = { 0 };
	uint8_t resp[GW_RESP_LEN], init[GW_INIT_LEN];
	struct gw_session si, sr, si2, sr2;
	struct gw_pending pw, pw2;
	struct gw_hello h;
	size_t olen;
	uint32_t ep, idx;
	uint64_t t;
	int n, r;

	tap(handshake(x->K, 1, &si, &sr) == GW_OK,
	    "a handshake with random ephemerals: sessions at both ends");
	tap(handshake(x->K, 1, &si2, &sr2) == GW_OK &&
	    memcmp(si.tx, si2.tx, 32), "a second handshake: other keys");
	n = gw_data_seal(&si, x->inner, x->inner_len, pkt, sizeof(pkt));
	tap(n == (int)(x->inner_len + GW_DATA_OVERHEAD) &&
	    gw_data_index(pkt, (size_t)n, &idx) == GW_OK && idx == sr.local,
	    "DATA names the responder's index");
	memcpy(bad, pkt, (size_t)n);
	bad[GW_DATA_HDR + 3] ^= 1;
	tap(gw_data_open(&sr, bad, (size_t)n, out, sizeof(out), &olen) ==
	    GW_DROP_BAD_AUTH, "a flipped bit of the sealed frame: bad_auth");
	bad[GW_DATA_HDR + 3] ^= 1;
	bad[9] ^= 1;
	tap(gw_data_open(&sr, bad, (size_t)n, out, sizeof(out), &olen) ==
	    GW_DROP_BAD_AUTH, "a flipped bit of the counter: bad_auth");
	r = gw_data_open(&sr, pkt, (size_t)n, out, sizeof(out), &olen);
	tap(r == GW_OK && olen == x->inner_len &&
	    !memcmp(out, x->inner, olen),
	    "the DATA opens after them to the inner frame (the window did "
	    "not record the failures)");
	tap(gw_data_open(&sr, pkt, (size_t)n, out, sizeof(out), &olen) ==
	    GW_DROP_REPLAY, "the same DATA again: replay");
	tap(gw_data_open(&sr2, pkt, (size_t)n, out, sizeof(out), &olen) ==
	    GW_DROP_BAD_AUTH, "under another session's keys: bad_auth");
	si.next = 5000;
	n = gw_data_seal(&si, x->inner, x->inner_len, pkt, sizeof(pkt));
	gw_data_open(&sr, pkt, (size_t)n, out, sizeof(out), &olen);
	si.next = 1;
	n = gw_data_seal(&si, x->inner, x->inner_len, pkt, sizeof(pkt));
	tap(gw_data_open(&sr, pkt, (size_t)n, out, sizeof(out), &olen) ==
	    GW_DROP_REPLAY, "a counter 4999 behind the highest: replay");
	n = gw_data_seal(&sr, x->inner, x->inner_len, pkt, sizeof(pkt));
	tap(gw_data_open(&si, pkt, (size_t)n, out, sizeof(out), &olen) ==
	    GW_OK, "the responder's DATA opens at the initiator");
	tap(gw_data_open(&si, pkt, GW_DATA_OVERHEAD - 1, out, sizeof(out),
			 &olen) == GW_DROP_MALFORMED, "a DATA too short");

	gw_pair_key(K2, x->P, 2);
	gw_init_make(init, &pw, K2, 2, 9, 2, NULL);
	tap(gw_init_check(init, x->K) == GW_DROP_BAD_MAC &&
	    gw_init_check(init, K2) == GW_OK,
	    "an INIT of epoch 2 checks under epoch 2's pair key only");
	gw_parse_hello(init, sizeof(init), &h);
	gw_resp_make(resp, &sr, &h, K2, 10, NULL, 0);
	gw_parse_hello(resp, sizeof(resp), &h);
	gw_init_make(init, &pw2, K2, 2, 11, 3, NULL);
	tap(gw_resp_take(resp, &h, &pw2, K2, &si, 0) == GW_DROP_NO_SESSION,
	    "a RESP to another INIT: no_session");
	resp[20] ^= 1;
	gw_parse_hello(resp, sizeof(resp), &h);
	tap(gw_resp_take(resp, &h, &pw, K2, &si, 0) == GW_DROP_BAD_MAC,
	    "a RESP with a flipped bit of its ephemeral: bad_mac");
	init[0] = 9;
	tap(gw_parse_hello(init, sizeof(init), &h) == GW_DROP_MALFORMED &&
	    gw_parse_hello(init, 10, &h) == GW_DROP_MALFORMED,
	    "an unknown type, a short INIT: malformed");
	tap(gw_wake_parse(x->wake, GW_WAKE_LEN, &ep, &t) == GW_OK &&
	    ep == 1 && gw_wake_check(x->wake, x->K) == GW_OK &&
	    gw_wake_check(x->wake, K2) == GW_DROP_BAD_MAC,
	    "WAKE: its epoch, time and MAC");
	tap(gw_pair_secret(K2, x->sI, low) == -EINVAL,
	    "a peer key of low order is refused");
	tap(gw_initiator(x->SI, x->SR) != gw_initiator(x->SR, x->SI),
	    "exactly one end initiates");
}

int main(int argc, char **argv)
{
	static struct vd_block blocks[32];
	struct ex x;
	int i, nb, found = 0;

	if (sodium_init() < 0)
		return 2;
	if (argc == 2 && !strcmp(argv[1], "--emit"))
		return emit();
	if (argc != 2) {
		fprintf(stderr, "usage: link DOC | link --emit\n");
		return 2;
	}
	tap(compute(&x) == 0, "11.8's inputs: both ends compute the same "
	    "pair secret and session keys");
	nb = vd_parse(argv[1], blocks, 32);
	for (i = 0; i < nb; i++) {
		if (strcmp(vd_get(&blocks[i], "name"), "gw-link"))
			continue;
		check_doc(&blocks[i], &x);
		found++;
	}
	vd_free(blocks, nb);
	tap(found == 1, "%s has the gateway link's worked example", argv[1]);
	check_rules(&x);
	return tap_done();
}
