#!/usr/bin/env bash
# `make demo` in its short form: the building demo checks itself (maps
# equal the store after every event, the leaver's frames are dropped, no
# frame of a surviving circuit is lost, the audit chain verifies) and
# exits 1 otherwise. Run twice: it must clean up after itself.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
prefixes=
for run in 1 2; do
	out=$(tools/building-demo.sh --short 2>&1)
	rc=$?
	prefixes="$prefixes $(sed -n 's/.*switches: \(oen[0-9]*\)-\*.*/\1/p' <<<"$out")"
	tap_is "demo run $run exits 0" "$rc" 0
	tap_ok "demo run $run: every check held" \
		grep -q '^== demo ok: every check held' <<<"$out"
	[ $rc = 0 ] || sed 's/^/# /' <<<"$out"
done
left=0
for p in $prefixes; do
	left=$((left + $(ip netns list | grep -c "^\(ns-\)\?$p-")))
	left=$((left + $(ls /sys/fs/bpf/osm 2>/dev/null | grep -c "^$p-")))
done
tap_is "no namespace or pinned switch of the demo runs ($prefixes ) left" \
	"$left" 0
tap_done
