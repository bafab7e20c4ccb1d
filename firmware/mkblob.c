// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-mkblob: write a firmware provisioning blob (include/osm_blob.h)
 * from a device's id, role, key and addresses. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_arg.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_provision.h"
#include "osm_version.h"

static const char usage[] =
"usage: osm-mkblob --id N --role door|lamp\n"
"                  (--device-key-file F | --root-key-file F)\n"
"                  --mac MAC --ctrl-mac MAC [--peer-mac MAC] [--epoch E]\n"
"                  -o OUT\n"
"Write the provisioning blob of a firmware endpoint. Key files hold 32\n"
"raw bytes or 64 hex digits, are the caller's and closed to group and\n"
"others (- reads stdin); with a root key the device key is derived\n"
"for --id (osm_kdf_device). --epoch is the control keys' epoch (1).\n";

static int err(const char *fmt, const char *arg)
{
	fprintf(stderr, "osm-mkblob: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

/* Read a 32-byte key from path (raw or hex; the caller's, closed to group
 * and others). 0 or -1 (reported). */
static int read_key(const char *path, uint8_t key[32])
{
	int e = osm_arg_key_file(path, key, 32);

	if (e == -EMSGSIZE)
		err("key file %s: want 32 bytes or 64 hex digits", path);
	else if (e)
		fprintf(stderr, "osm-mkblob: key file %s: %s\n", path,
			osm_arg_strerror(e));
	return e ? -1 : 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || end == s || *end || x > 0xffffffffUL || *s == '-')
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, 0, 'i' },
		{ "role", required_argument, 0, 'r' },
		{ "device-key-file", required_argument, 0, 'd' },
		{ "root-key-file", required_argument, 0, 'R' },
		{ "mac", required_argument, 0, 'm' },
		{ "ctrl-mac", required_argument, 0, 'c' },
		{ "peer-mac", required_argument, 0, 'p' },
		{ "epoch", required_argument, 0, 'e' },
		{ "output", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	struct osm_fw_params p = { .ctrl_epoch = 1 };
	const char *devkey = NULL, *rootkey = NULL, *out = NULL;
	uint8_t root[32];
	int have_id = 0, have_mac = 0, have_ctrl = 0, c, r;

	if (osm_keys_nodump())
		return err("%s", "cannot keep keys out of core dumps");
	memset(p.peer_mac, 0xff, 6);
	opterr = 0;	/* one line of ours */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_u32(optarg, &p.device_id) ||
			    p.device_id > OSM_DEVICE_ID_MAX)
				return err("bad device id '%s'", optarg);
			have_id = 1;
			break;
		case 'r':
			p.role = (uint8_t)osm_fw_role_parse(optarg);
			if (!p.role)
				return err("unknown role '%s' (door, lamp)",
					   optarg);
			break;
		case 'd': devkey = optarg; break;
		case 'R': rootkey = optarg; break;
		case 'm':
			if (osm_mac_parse(optarg, p.mac))
				return err("bad MAC address '%s'", optarg);
			have_mac = 1;
			break;
		case 'c':
			if (osm_mac_parse(optarg, p.ctrl_mac))
				return err("bad controller MAC '%s'", optarg);
			have_ctrl = 1;
			break;
		case 'p':
			if (osm_mac_parse(optarg, p.peer_mac))
				return err("bad peer MAC '%s'", optarg);
			break;
		case 'e':
			if (parse_u32(optarg, &p.ctrl_epoch))
				return err("bad epoch '%s'", optarg);
			break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V':
			printf(OSM_VERSION_LINE("osm-mkblob"), OSM_VERSION);
			return 0;
		default:
			return err("bad option '%s' (try 'osm-mkblob --help')",
				   argv[optind - 1]);
		}
	}
	if (optind != argc)
		return err("unexpected argument '%s'", argv[optind]);
	if (!have_id || !p.role || !have_mac || !have_ctrl || !out)
		return err("%s", "need --id, --role, --mac, --ctrl-mac and -o");
	if (!devkey == !rootkey)
		return err("%s", "need one of --device-key-file, --root-key-file");
	if (sodium_init() < 0)
		return err("%s", "libsodium failed to initialise");
	if (devkey && read_key(devkey, p.device_key))
		return 1;
	if (rootkey) {
		if (read_key(rootkey, root))
			return 1;
		osm_kdf_device(p.device_key, root, p.device_id);
		sodium_memzero(root, sizeof(root));
	}
	r = osm_fw_blob_write(out, &p, 1);
	sodium_memzero(&p, sizeof(p));
	if (r)
		return err("cannot write %s", out);
	return 0;
}
