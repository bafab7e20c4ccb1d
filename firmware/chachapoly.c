// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* ChaCha20-Poly1305 IETF (RFC 8439) in portable C for Cortex-M3: ChaCha20
 * on 32-bit words, Poly1305 on five 26-bit limbs. No branch or index
 * depends on a secret. Host tests check it against libsodium. */
#include "chachapoly.h"

#define ROTL32(x, b) (((x) << (b)) | ((x) >> (32 - (b))))
#define QR(a, b, c, d)							\
	do {								\
		a += b; d ^= a; d = ROTL32(d, 16);			\
		c += d; b ^= c; b = ROTL32(b, 12);			\
		a += b; d ^= a; d = ROTL32(d, 8);			\
		c += d; b ^= c; b = ROTL32(b, 7);			\
	} while (0)

static osm_u32 get_le32(const osm_u8 *p)
{
	return (osm_u32)p[0] | (osm_u32)p[1] << 8 | (osm_u32)p[2] << 16 |
	       (osm_u32)p[3] << 24;
}

static void put_le32(osm_u8 *p, osm_u32 v)
{
	p[0] = (osm_u8)v;
	p[1] = (osm_u8)(v >> 8);
	p[2] = (osm_u8)(v >> 16);
	p[3] = (osm_u8)(v >> 24);
}

void fw_wipe(void *p, osm_u32 len)
{
	volatile osm_u8 *v = p;

	while (len--)
		*v++ = 0;
}

/* One 64-byte ChaCha20 block for (key, counter, nonce). */
static void chacha_block(osm_u8 out[64], const osm_u8 key[32],
			 osm_u32 counter, const osm_u8 nonce[12])
{
	osm_u32 in[16], x[16];
	int i;

	in[0] = 0x61707865;	/* "expand 32-byte k" */
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		in[4 + i] = get_le32(key + 4 * i);
	in[12] = counter;
	for (i = 0; i < 3; i++)
		in[13 + i] = get_le32(nonce + 4 * i);
	for (i = 0; i < 16; i++)
		x[i] = in[i];
	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		put_le32(out + 4 * i, x[i] + in[i]);
	fw_wipe(x, sizeof(x));
	fw_wipe(in, sizeof(in));
}

/* XOR buf with the key stream starting at block 1 (block 0 keys Poly1305). */
static void chacha_xor(osm_u8 *buf, osm_u32 len, const osm_u8 key[32],
		       const osm_u8 nonce[12])
{
	osm_u8 ks[64];
	osm_u32 i, ctr = 1;

	for (i = 0; i < len; i++) {
		if ((i & 63) == 0)
			chacha_block(ks, key, ctr++, nonce);
		buf[i] ^= ks[i & 63];
	}
	fw_wipe(ks, sizeof(ks));
}

struct poly {
	osm_u32 r[5], h[5], pad[4];
};

static void poly_init(struct poly *p, const osm_u8 key[32])
{
	int i;

	p->r[0] = get_le32(key) & 0x3ffffff;
	p->r[1] = (get_le32(key + 3) >> 2) & 0x3ffff03;
	p->r[2] = (get_le32(key + 6) >> 4) & 0x3ffc0ff;
	p->r[3] = (get_le32(key + 9) >> 6) & 0x3f03fff;
	p->r[4] = (get_le32(key + 12) >> 8) & 0x00fffff;
	for (i = 0; i < 5; i++)
		p->h[i] = 0;
	for (i = 0; i < 4; i++)
		p->pad[i] = get_le32(key + 16 + 4 * i);
}

/* Absorb m[0..len) zero-padded to whole 16-byte blocks: the AEAD only ever
 * MACs padded pieces, so every block is full and carries the 2^128 bit. */
static void poly_blocks(struct poly *p, const osm_u8 *m, osm_u32 len)
{
	const osm_u32 *r = p->r;
	osm_u32 *h = p->h;
	osm_u32 s1 = r[1] * 5, s2 = r[2] * 5, s3 = r[3] * 5, s4 = r[4] * 5;
	osm_u64 d0, d1, d2, d3, d4;
	osm_u8 blk[16];
	osm_u32 i, c;

	while (len) {
		for (i = 0; i < 16; i++)
			blk[i] = i < len ? m[i] : 0;
		len = len > 16 ? len - 16 : 0;
		m += 16;
		h[0] += get_le32(blk) & 0x3ffffff;
		h[1] += (get_le32(blk + 3) >> 2) & 0x3ffffff;
		h[2] += (get_le32(blk + 6) >> 4) & 0x3ffffff;
		h[3] += (get_le32(blk + 9) >> 6) & 0x3ffffff;
		h[4] += (get_le32(blk + 12) >> 8) | (1u << 24);
		d0 = (osm_u64)h[0] * r[0] + (osm_u64)h[1] * s4 +
		     (osm_u64)h[2] * s3 + (osm_u64)h[3] * s2 +
		     (osm_u64)h[4] * s1;
		d1 = (osm_u64)h[0] * r[1] + (osm_u64)h[1] * r[0] +
		     (osm_u64)h[2] * s4 + (osm_u64)h[3] * s3 +
		     (osm_u64)h[4] * s2;
		d2 = (osm_u64)h[0] * r[2] + (osm_u64)h[1] * r[1] +
		     (osm_u64)h[2] * r[0] + (osm_u64)h[3] * s4 +
		     (osm_u64)h[4] * s3;
		d3 = (osm_u64)h[0] * r[3] + (osm_u64)h[1] * r[2] +
		     (osm_u64)h[2] * r[1] + (osm_u64)h[3] * r[0] +
		     (osm_u64)h[4] * s4;
		d4 = (osm_u64)h[0] * r[4] + (osm_u64)h[1] * r[3] +
		     (osm_u64)h[2] * r[2] + (osm_u64)h[3] * r[1] +
		     (osm_u64)h[4] * r[0];
		c = (osm_u32)(d0 >> 26); h[0] = (osm_u32)d0 & 0x3ffffff;
		d1 += c; c = (osm_u32)(d1 >> 26); h[1] = (osm_u32)d1 & 0x3ffffff;
		d2 += c; c = (osm_u32)(d2 >> 26); h[2] = (osm_u32)d2 & 0x3ffffff;
		d3 += c; c = (osm_u32)(d3 >> 26); h[3] = (osm_u32)d3 & 0x3ffffff;
		d4 += c; c = (osm_u32)(d4 >> 26); h[4] = (osm_u32)d4 & 0x3ffffff;
		h[0] += c * 5; c = h[0] >> 26; h[0] &= 0x3ffffff;
		h[1] += c;
	}
	fw_wipe(blk, sizeof(blk));
}

/* Reduce h fully mod 2^130 - 5, add the pad, write the tag. */
static void poly_finish(struct poly *p, osm_u8 tag[16])
{
	osm_u32 *h = p->h, g[5], c, mask;
	osm_u64 f;
	int i;

	c = h[1] >> 26; h[1] &= 0x3ffffff;
	h[2] += c; c = h[2] >> 26; h[2] &= 0x3ffffff;
	h[3] += c; c = h[3] >> 26; h[3] &= 0x3ffffff;
	h[4] += c; c = h[4] >> 26; h[4] &= 0x3ffffff;
	h[0] += c * 5; c = h[0] >> 26; h[0] &= 0x3ffffff;
	h[1] += c;

	/* g = h + 5 - 2^130; keep g if it did not borrow, in constant time */
	g[0] = h[0] + 5; c = g[0] >> 26; g[0] &= 0x3ffffff;
	for (i = 1; i < 4; i++) {
		g[i] = h[i] + c;
		c = g[i] >> 26;
		g[i] &= 0x3ffffff;
	}
	g[4] = h[4] + c - (1u << 26);
	mask = (g[4] >> 31) - 1;
	for (i = 0; i < 5; i++)
		h[i] = (h[i] & ~mask) | (g[i] & mask);

	h[0] = h[0] | h[1] << 26;
	h[1] = h[1] >> 6 | h[2] << 20;
	h[2] = h[2] >> 12 | h[3] << 14;
	h[3] = h[3] >> 18 | h[4] << 8;
	f = 0;
	for (i = 0; i < 4; i++) {
		f += (osm_u64)h[i] + p->pad[i];
		put_le32(tag + 4 * i, (osm_u32)f);
		f >>= 32;
	}
	fw_wipe(g, sizeof(g));
	fw_wipe(p, sizeof(*p));
}

/* Poly1305 tag of ad || pad16 || ct || pad16 || le64 adlen || le64 ctlen. */
static void aead_tag(osm_u8 tag[OSM_AEAD_TAG_LEN], const osm_u8 *ct,
		     osm_u32 len, const osm_u8 *ad, osm_u32 adlen,
		     const osm_u8 nonce[OSM_NONCE_LEN],
		     const osm_u8 key[OSM_E2E_KEY_LEN])
{
	struct poly p;
	osm_u8 blk[64];

	chacha_block(blk, key, 0, nonce);
	poly_init(&p, blk);
	poly_blocks(&p, ad, adlen);
	poly_blocks(&p, ct, len);
	osm_put_le64(blk, adlen);
	osm_put_le64(blk + 8, len);
	poly_blocks(&p, blk, 16);
	poly_finish(&p, tag);
	fw_wipe(blk, sizeof(blk));
}

void fw_aead_seal(osm_u8 *buf, osm_u32 len, osm_u8 tag[OSM_AEAD_TAG_LEN],
		  const osm_u8 *ad, osm_u32 adlen,
		  const osm_u8 nonce[OSM_NONCE_LEN],
		  const osm_u8 key[OSM_E2E_KEY_LEN])
{
	chacha_xor(buf, len, key, nonce);
	aead_tag(tag, buf, len, ad, adlen, nonce, key);
}

int fw_aead_open(osm_u8 *buf, osm_u32 len, const osm_u8 tag[OSM_AEAD_TAG_LEN],
		 const osm_u8 *ad, osm_u32 adlen,
		 const osm_u8 nonce[OSM_NONCE_LEN],
		 const osm_u8 key[OSM_E2E_KEY_LEN])
{
	osm_u8 want[OSM_AEAD_TAG_LEN], diff = 0;
	int i;

	aead_tag(want, buf, len, ad, adlen, nonce, key);
	for (i = 0; i < OSM_AEAD_TAG_LEN; i++)
		diff |= want[i] ^ tag[i];
	fw_wipe(want, sizeof(want));
	if (diff)
		return -1;
	chacha_xor(buf, len, key, nonce);
	return 0;
}
