#!/usr/bin/env bash
# `make demo` in its short form: the building demo checks itself (maps
# equal the store after every event, the leaver's frames are dropped, no
# frame of a surviving circuit is lost, the audit chain verifies) and
# exits 1 otherwise. Run twice: it must clean up after itself.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
for run in 1 2; do
	out=$(tools/building-demo.sh --short 2>&1)
	rc=$?
	tap_is "demo run $run exits 0" "$rc" 0
	tap_ok "demo run $run: every check held" \
		grep -q '^== demo ok: every check held' <<<"$out"
	[ $rc = 0 ] || sed 's/^/# /' <<<"$out"
done
tap_is "no namespace of the demo left" \
	"$(ip netns list | grep -c '^\(ns-\)\?oen[0-9]*-')" 0
tap_done
