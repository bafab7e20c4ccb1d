// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Test oracle for osm-pktgen pcaps, built on libosm: prints each frame's
 * header fields as `tshark -T fields -E separator=,` prints them through
 * tools/osm.lua, and with a parent secret opens every frame as an endpoint
 * would (osm_open) and prints the count of each verdict.
 * usage: pcap-check FILE [SECRET-FILE FIRST_ID NCIRC EPOCH] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include <sodium.h>
#include "osm_arg.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_msg.h"

#define PG_FLAG_PLAINTEXT 0x80

static void hex(const uint8_t *p, size_t n)
{
	char s[2 * OSM_MAX_PAYLOAD + 1];

	osm_hex_format(s, p, n);
	fputs(s, stdout);
}

/* The columns of tests/pktgen-dissect.sh: header fields, then the
 * control message fields (empty unless the payload is in clear). */
static void fields(const uint8_t *fr, size_t len)
{
	const uint8_t *h = fr + OSM_ETH_HLEN, *p = h + OSM_HDR_LEN;
	size_t plen, avail = len - OSM_FRAME_HDR_LEN;
	struct osm_msg m;
	int ok;

	plen = osm_get_be16(h + OSM_OFF_LEN);
	if (plen > avail)
		plen = avail;
	printf("%u,%u,0x%02x,%u,%u,%llu,%u,", h[0] >> 4, h[0] & 15, h[1],
	       osm_get_be16(h + OSM_OFF_LEN), osm_get_be32(h + OSM_OFF_CIRCUIT),
	       (unsigned long long)osm_get_be64(h + OSM_OFF_SEQ),
	       osm_get_be32(h + OSM_OFF_EPOCH));
	hex(h + OSM_OFF_AEAD_TAG, OSM_AEAD_TAG_LEN);
	putchar(',');
	hex(h + OSM_OFF_HOP_TAG, OSM_HOP_TAG_LEN);
	putchar(',');
	hex(p, plen);
	ok = h[0] == (OSM_VERSION << 4 | OSM_T_CTRL) &&
	     h[1] == PG_FLAG_PLAINTEXT &&
	     osm_msg_decode(&m, p, plen) == 0;
	if (!ok) {
		printf(",,,,,,,,,\n");
		return;
	}
	printf(",%u,", m.type);
	if (m.type == OSM_MSG_HELLO)
		printf("%u,%u", m.u.hello.device_id, m.u.hello.role);
	else
		printf(",");
	putchar(',');
	if (m.type == OSM_MSG_PRESENCE) {
		printf("%u,", m.u.presence.event);
		hex(m.u.presence.badge, m.u.presence.badge_len);
	} else {
		putchar(',');
	}
	putchar(',');
	if (m.type == OSM_MSG_ACK)
		printf("%llu,%u", (unsigned long long)m.u.ack.seq,
		       m.u.ack.status);
	else
		putchar(',');
	putchar(',');
	if (m.type == OSM_MSG_KEY_UPDATE)
		printf("%u,%u", m.u.key.circuit, m.u.key.op);
	else
		putchar(',');
	putchar('\n');
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	uint64_t verdicts[OSM_REASON_MAX] = { 0 };
	uint8_t secret[32], out[OSM_MAX_PAYLOAD];
	struct pcap_pkthdr *ph;
	const u_char *fr;
	struct osm_rx *rx = NULL;
	struct osm_keys k;
	struct osm_frame f;
	uint32_t first = 0, n = 0, i, id;
	size_t olen;
	pcap_t *pc;
	int r;

	if (argc != 2 && argc != 6) {
		fprintf(stderr, "usage: pcap-check FILE [SECRET-FILE FIRST "
			"NCIRC EPOCH]\n");
		return 1;
	}
	if (sodium_init() < 0)
		return 1;
	pc = pcap_open_offline(argv[1], errbuf);
	if (!pc) {
		fprintf(stderr, "pcap-check: %s\n", errbuf);
		return 1;
	}
	if (argc == 6) {
		if (osm_arg_key_file(argv[2], secret, sizeof(secret)))
			return 1;
		first = (uint32_t)strtoul(argv[3], NULL, 0);
		n = (uint32_t)strtoul(argv[4], NULL, 0);
		rx = calloc(n, sizeof(*rx));
		if (!rx)
			return 1;
		for (i = 0; i < n; i++) {
			osm_kdf_circuit(&k, secret, first + i,
					(uint32_t)strtoul(argv[5], NULL, 0));
			rx[i].circuit = first + i;
			osm_rx_set_keys(&rx[i], &k);
		}
		osm_wipe(&k, sizeof(k));
		osm_wipe(secret, sizeof(secret));
	}
	while (pcap_next_ex(pc, &ph, &fr) == 1) {
		if (!rx) {
			if (ph->caplen >= OSM_FRAME_HDR_LEN)
				fields(fr, ph->caplen);
			continue;
		}
		/* The frame's circuit picks the receiver; others are
		 * "unknown", as they are to any endpoint of ours. */
		id = ph->caplen >= OSM_FRAME_HDR_LEN ?
		     osm_get_be32(fr + OSM_ETH_HLEN + OSM_OFF_CIRCUIT) : first;
		r = osm_open(&rx[id - first < n ? id - first : 0], fr,
			     ph->caplen, &f, out, sizeof(out), &olen);
		verdicts[r]++;
	}
	pcap_close(pc);
	if (rx) {
		for (r = 0; r < OSM_REASON_MAX; r++)
			if (verdicts[r])
				printf("%s %llu\n", osm_reason_name(r),
				       (unsigned long long)verdicts[r]);
		osm_wipe(rx, n * sizeof(*rx));
		free(rx);
	}
	return 0;
}
