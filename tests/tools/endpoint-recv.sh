#!/usr/bin/env bash
# osm-endpoint's receiver keeps a burst while it is not scheduled (issue
# 15, point 8: the demo once lost 1 frame of 2,000): a receiver stopped
# for 150 ms while 10,000 frames a second arrive loses none, because its
# socket asks for a 4 MiB buffer (the default holds ~700 small frames: 70
# ms of them). And --raw --json prints every frame as an object.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
E=$PWD/build/osm-endpoint
osm_fixture_init oer
osm_netns_new -a && osm_netns_new -b &&
	osm_veth "$OSM_P-a" e0 "$OSM_P-b" e0 && osm_tmpdir dir || exit 1
frame=ffffffffffff02000000000188b5$(printf '%0120d' 0)
out=$dir/recv

ip netns exec "$OSM_P-b" "$E" recv e0 --raw --count 2000 --timeout 10000 \
	--json >"$out" 2>&1 &
rx=$!
osm_listening "$OSM_P-b"
ip netns exec "$OSM_P-a" "$E" send e0 --frame "$frame" --count 2000 \
	--interval-us 100 -q &
tx=$!
sleep 0.05
kill -STOP $rx; sleep 0.15; kill -CONT $rx
wait $tx
wait $rx
tap_is "a receiver stopped 150 ms into a 10 kframe/s burst: none lost" \
	"$?:$(grep -c '^{"frame":"' "$out")" "0:2000"
tap_is "--raw --json: each frame as sent" "$(sort -u "$out")" \
	"{\"frame\":\"$frame\"}"
tap_done
