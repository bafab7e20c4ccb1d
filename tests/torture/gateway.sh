#!/usr/bin/env bash
# Hostile frames at a gateway (tests/torture/frames.c --gateway): the
# frames campaign sent to osm-gw cam's inner port, its remote circuits
# carried over the veth WAN to osm-gw par, which delivers them:
#
#   src t0 == in0 [cam] wan0 ======= wan0 [par] in0 == eth0 dst
#
# cam's counters must equal the model's, par must deliver every frame
# cam forwarded. 50,000 frames in make check, 10,000,000 in make torture
# (OSM_TORTURE_GW_FRAMES to choose).
. tests/lib.sh
n=50000
[ "${OSM_TORTURE:-}" = full ] && n=10000000
G=$PWD/build/osm-gw
osm_fixture_init otg
osm_tmpdir T || exit 1
for x in -cam -par -src -dst; do osm_netns_new $x || exit 1; done
CAM=$OSM_P-cam PAR=$OSM_P-par SRC=$OSM_P-src DST=$OSM_P-dst
osm_veth "$SRC" t0 "$CAM" in0 && osm_veth "$CAM" wan0 "$PAR" wan0 &&
	osm_veth "$PAR" in0 "$DST" eth0 || exit 1
ip -n "$CAM" link set wan0 address 02:00:00:00:ff:01
ip -n "$PAR" link set wan0 address 02:00:00:00:ff:02
(umask 077; head -c 32 /dev/urandom >"$T/cam.key"
 head -c 32 /dev/urandom >"$T/par.key")
KCAM=$("$G" --public-key "$T/cam.key") KPAR=$("$G" --public-key "$T/par.key")

# gw NAME CPU ADDR PEER-ADDR PEER-KEY NEXT-HOP
gw() {
	ip netns exec "$OSM_P-$1" "$G" --no-huge --no-pci -l "$2" \
		--no-shconf --file-prefix "$OSM_P-$1" --log-level '*:error' \
		--vdev net_af_packet0,iface=in0 --vdev net_af_packet1,iface=wan0 \
		-- --address "$3" --key-file "$T/$1.key" --peer "$4" \
		--peer-key "$5" --next-hop-mac "$6" --epoch 1 \
		--control "$T/$1.sock" --idle-us 20 >>"$T/$1.log" 2>&1 &
	osm_defer kill $!
	osm_defer rm -rf "/run/dpdk/$OSM_P-$1"
}
gw cam 1 10.99.0.1:5555 10.99.0.2:5555 "$KPAR" 02:00:00:00:ff:02
gw par 0 10.99.0.2:5555 10.99.0.1:5555 "$KCAM" 02:00:00:00:ff:01
session() {
	osm_gw_ask "$T/$1.sock" stats 2>/dev/null | cut -d' ' -f2- |
		jq -e .session >/dev/null
}
if ! osm_until 1000 eval 'session cam && session par'; then
	echo "not ok 1 - the two gateways hold a session"
	sed 's/^/# /' "$T/cam.log" "$T/par.log"
	echo "1..1"
	exit 1
fi
dst=$(ip -n "$DST" -br link show eth0 | awk '{ print $3 }')
ip netns exec "$SRC" build/tests/torture/frames --gateway "$T/cam.sock" \
	"$T/par.sock" t0 "$dst" "${OSM_TORTURE_GW_FRAMES:-$n}" \
	"${OSM_TORTURE_SEED:-$(date +%s)}"
rc=$?
for g in cam par; do echo "# $g: $(osm_gw_ask "$T/$g.sock" stats)"; done
exit $rc
