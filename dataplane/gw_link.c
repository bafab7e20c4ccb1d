// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The gateway link's keys and messages (gw_link.h; docs/protocol.md,
 * section 11), with libsodium: X25519, BLAKE2b, ChaCha20-Poly1305. */
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "gw_link.h"
#include "osm_keys.h"

static const char *const reasons[GW_REASON_MAX] = {
	"ok", "malformed", "epoch", "bad_mac", "old_init", "no_session",
	"bad_auth", "replay", "too_big",
};

const char *gw_reason_name(int r)
{
	return r >= 0 && r < GW_REASON_MAX ? reasons[r] : "?";
}

int gw_pair_secret(uint8_t P[GW_KEY_LEN], const uint8_t s[GW_KEY_LEN],
		   const uint8_t peer[GW_KEY_LEN])
{
	return osm_building_shared(P, s, peer, NULL);
}

void gw_pair_key(uint8_t K[GW_KEY_LEN], const uint8_t P[GW_KEY_LEN],
		 uint32_t epoch)
{
	crypto_kdf_derive_from_key(K, GW_KEY_LEN, epoch, "osm-gwp1", P);
}

int gw_initiator(const uint8_t S[GW_KEY_LEN], const uint8_t peer[GW_KEY_LEN])
{
	return memcmp(S, peer, GW_KEY_LEN) < 0;
}

/* BLAKE2b-128 keyed with K over a || b (b may be NULL). */
static void mac(uint8_t out[GW_MAC_LEN], const uint8_t K[GW_KEY_LEN],
		const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, K, GW_KEY_LEN, GW_MAC_LEN);
	crypto_generichash_update(&h, a, alen);
	if (b)
		crypto_generichash_update(&h, b, blen);
	crypto_generichash_final(&h, out, GW_MAC_LEN);
	sodium_memzero(&h, sizeof(h));
}

static int mac_ok(const uint8_t *p, size_t n, const uint8_t *extra,
		  const uint8_t K[GW_KEY_LEN])
{
	uint8_t m[GW_MAC_LEN];

	mac(m, K, p, n, extra, extra ? GW_KEY_LEN : 0);
	return sodium_memcmp(m, p + n, GW_MAC_LEN) == 0;
}

/* The session's keys (section 11.3): T = BLAKE2b-512 keyed with K over
 * "osm-gws1" || X25519(e, Epeer) || E_I || E_R; I->R is T[0..31]. */
static void session_keys(struct gw_session *s, const uint8_t K[GW_KEY_LEN],
			 const uint8_t e[GW_KEY_LEN],
			 const uint8_t Epeer[GW_KEY_LEN],
			 const uint8_t EI[GW_KEY_LEN],
			 const uint8_t ER[GW_KEY_LEN], int initiator)
{
	crypto_generichash_state h;
	uint8_t z[GW_KEY_LEN], t[2 * GW_KEY_LEN];

	if (crypto_scalarmult(z, e, Epeer))	/* a low-order point: keys */
		randombytes_buf(z, sizeof(z));	/* nobody else can have */
	crypto_generichash_init(&h, K, GW_KEY_LEN, sizeof(t));
	crypto_generichash_update(&h, (const uint8_t *)"osm-gws1", 8);
	crypto_generichash_update(&h, z, sizeof(z));
	crypto_generichash_update(&h, EI, GW_KEY_LEN);
	crypto_generichash_update(&h, ER, GW_KEY_LEN);
	crypto_generichash_final(&h, t, sizeof(t));
	memcpy(s->tx, t + (initiator ? 0 : GW_KEY_LEN), GW_KEY_LEN);
	memcpy(s->rx, t + (initiator ? GW_KEY_LEN : 0), GW_KEY_LEN);
	sodium_memzero(z, sizeof(z));
	sodium_memzero(t, sizeof(t));
	sodium_memzero(&h, sizeof(h));
}

static void ephemeral(uint8_t e[GW_KEY_LEN], uint8_t E[GW_KEY_LEN],
		      const uint8_t *given)
{
	if (given)
		memcpy(e, given, GW_KEY_LEN);
	else
		randombytes_buf(e, GW_KEY_LEN);
	crypto_scalarmult_base(E, e);
}

static int zeros(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int gw_parse_hello(const uint8_t *p, size_t len, struct gw_hello *h)
{
	memset(h, 0, sizeof(*h));
	if (len < 4 || !zeros(p + 1, 3))
		return GW_DROP_MALFORMED;
	h->type = p[0];
	if (p[0] == GW_T_INIT && len == GW_INIT_LEN) {
		h->sender = osm_get_be32(p + 4);
		h->epoch = osm_get_be32(p + 8);
		memcpy(h->E, p + 12, GW_KEY_LEN);
		h->time = osm_get_be64(p + 44);
		return GW_OK;
	}
	if (p[0] == GW_T_RESP && len == GW_RESP_LEN) {
		h->sender = osm_get_be32(p + 4);
		h->receiver = osm_get_be32(p + 8);
		h->epoch = osm_get_be32(p + 12);
		memcpy(h->E, p + 16, GW_KEY_LEN);
		return GW_OK;
	}
	return GW_DROP_MALFORMED;
}

void gw_init_make(uint8_t out[GW_INIT_LEN], struct gw_pending *pw,
		  const uint8_t K[GW_KEY_LEN], uint32_t epoch,
		  uint32_t local, uint64_t time, const uint8_t *e)
{
	memset(out, 0, GW_INIT_LEN);
	pw->local = local;
	pw->epoch = epoch;
	ephemeral(pw->e, pw->E, e);
	out[0] = GW_T_INIT;
	osm_put_be32(out + 4, local);
	osm_put_be32(out + 8, epoch);
	memcpy(out + 12, pw->E, GW_KEY_LEN);
	osm_put_be64(out + 44, time);
	mac(out + 52, K, out, 52, NULL, 0);
}

int gw_init_check(const uint8_t *p, const uint8_t K[GW_KEY_LEN])
{
	return mac_ok(p, 52, NULL, K) ? GW_OK : GW_DROP_BAD_MAC;
}

void gw_resp_make(uint8_t out[GW_RESP_LEN], struct gw_session *s,
		  const struct gw_hello *h, const uint8_t K[GW_KEY_LEN],
		  uint32_t local, const uint8_t *e, uint64_t now_ns)
{
	uint8_t er[GW_KEY_LEN], ER[GW_KEY_LEN];

	memset(out, 0, GW_RESP_LEN);
	memset(s, 0, sizeof(*s));
	ephemeral(er, ER, e);
	out[0] = GW_T_RESP;
	osm_put_be32(out + 4, local);
	osm_put_be32(out + 8, h->sender);
	osm_put_be32(out + 12, h->epoch);
	memcpy(out + 16, ER, GW_KEY_LEN);
	mac(out + 48, K, out, 48, h->E, GW_KEY_LEN);
	s->local = local;
	s->remote = h->sender;
	s->epoch = h->epoch;
	s->born_ns = now_ns;
	session_keys(s, K, er, h->E, h->E, ER, 0);
	sodium_memzero(er, sizeof(er));
}

int gw_resp_take(const uint8_t *p, const struct gw_hello *h,
		 struct gw_pending *pw, const uint8_t K[GW_KEY_LEN],
		 struct gw_session *s, uint64_t now_ns)
{
	if (h->receiver != pw->local || h->epoch != pw->epoch)
		return GW_DROP_NO_SESSION;
	if (!mac_ok(p, 48, pw->E, K))
		return GW_DROP_BAD_MAC;
	memset(s, 0, sizeof(*s));
	s->local = pw->local;
	s->remote = h->sender;
	s->epoch = h->epoch;
	s->born_ns = now_ns;
	session_keys(s, K, pw->e, h->E, pw->E, h->E, 1);
	sodium_memzero(pw, sizeof(*pw));
	return GW_OK;
}

void gw_wake_make(uint8_t out[GW_WAKE_LEN], const uint8_t K[GW_KEY_LEN],
		  uint32_t epoch, uint64_t time)
{
	memset(out, 0, GW_WAKE_LEN);
	out[0] = GW_T_WAKE;
	osm_put_be32(out + 4, epoch);
	osm_put_be64(out + 8, time);
	mac(out + 16, K, out, 16, NULL, 0);
}

int gw_wake_parse(const uint8_t *p, size_t len, uint32_t *epoch,
		  uint64_t *time)
{
	if (len != GW_WAKE_LEN || p[0] != GW_T_WAKE || !zeros(p + 1, 3))
		return GW_DROP_MALFORMED;
	*epoch = osm_get_be32(p + 4);
	*time = osm_get_be64(p + 8);
	return GW_OK;
}

int gw_wake_check(const uint8_t *p, const uint8_t K[GW_KEY_LEN])
{
	return mac_ok(p, 16, NULL, K) ? GW_OK : GW_DROP_BAD_MAC;
}

int gw_data_index(const uint8_t *p, size_t len, uint32_t *index)
{
	if (len < GW_DATA_OVERHEAD || p[0] != GW_T_DATA || !zeros(p + 1, 3))
		return GW_DROP_MALFORMED;
	*index = osm_get_be32(p + 4);
	return GW_OK;
}

/* The nonce of counter n: be32(0) || be64(n). */
static void nonce(uint8_t out[12], uint64_t n)
{
	memset(out, 0, 4);
	osm_put_be64(out + 4, n);
}

int gw_data_seal(struct gw_session *s, const uint8_t *inner, size_t len,
		 uint8_t *out, size_t cap)
{
	uint8_t iv[12];

	if (len + GW_DATA_OVERHEAD > cap || s->next == OSM_SEQ_INVALID)
		return -EMSGSIZE;
	memset(out, 0, GW_DATA_HDR);
	out[0] = GW_T_DATA;
	osm_put_be32(out + 4, s->remote);
	osm_put_be64(out + 8, s->next);
	nonce(iv, s->next++);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		out + GW_DATA_HDR, out + GW_DATA_HDR + len, NULL, inner, len,
		out, GW_DATA_HDR, NULL, iv, s->tx);
	return (int)(len + GW_DATA_OVERHEAD);
}

int gw_data_open(struct gw_session *s, const uint8_t *p, size_t len,
		 uint8_t *out, size_t cap, size_t *out_len)
{
	uint64_t n;
	size_t clen;
	uint8_t iv[12];

	if (len < GW_DATA_OVERHEAD || p[0] != GW_T_DATA || !zeros(p + 1, 3))
		return GW_DROP_MALFORMED;
	clen = len - GW_DATA_OVERHEAD;
	if (clen > cap)
		return GW_DROP_MALFORMED;
	n = osm_get_be64(p + 8);
	if (!osm_replay_check(&s->win, n))
		return GW_DROP_REPLAY;
	nonce(iv, n);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		    out, NULL, p + GW_DATA_HDR, clen, p + GW_DATA_HDR + clen,
		    p, GW_DATA_HDR, iv, s->rx))
		return GW_DROP_BAD_AUTH;
	osm_replay_mark(&s->win, n);
	*out_len = clen;
	return GW_OK;
}
