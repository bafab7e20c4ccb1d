#!/usr/bin/env bash
# (4) of `make bench`: the store over a long life. The engine in-process
# (osm-bench-events: store without fsync, switches offline, so what is
# measured is the engine's and the store's own cost) takes N random
# enters, moves and leaves of 40 people in the example building, twice:
# "kept" never archives the audit log (the baseline), "archived" archives
# and prunes it after every block as `osm-fabric audit archive --keep K`
# would. Per block: event latency p50/p99/max (arrival -> committed), the
# store file's size, audit records in the store, the archive step's time.
#
# Writes $BENCH_OUT (default build/bench)/store.csv. BENCH_SHORT=1: 20,000
# events in blocks of 5,000, --keep 1000; else 1,000,000 in blocks of
# 100,000, --keep 10000.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=${BENCH_OUT:-build/bench}
if [ "${BENCH_SHORT:-0}" = 1 ]; then
	N=20000 BLOCK=5000 KEEP=1000
else
	N=1000000 BLOCK=100000 KEEP=10000
fi
W=$(mktemp -d /tmp/osm-bench-store.XXXXXX)
trap 'rm -rf "$W"' EXIT
say() { echo "bench: $*" >&2; }

mkdir -p "$OUT"
echo "mode,block,events,p50_us,p99_us,max_us,file_bytes,used_bytes,records,archive_ms" \
	>"$OUT/store.csv"
for mode in kept archived; do
	rm -rf "$W/store" "$W/archives"
	mkdir -p "$W/archives"
	build/osm-fabric --store "$W/store" topology apply \
		docs/examples/building-cam.yaml >/dev/null || exit 1
	args=()
	[ $mode = archived ] && args=(--keep "$KEEP" --archive-dir "$W/archives")
	say "store: $N events, blocks of $BLOCK, audit log $mode"
	build/osm-bench-events --store "$W/store" --events "$N" \
		--block "$BLOCK" --netns-prefix "osm-bench-none-" "${args[@]}" |
		awk -v m=$mode 'NR > 1 { $1 = m "," $1; gsub(/ +/, ","); print }' \
		>>"$OUT/store.csv" || exit 1
done
