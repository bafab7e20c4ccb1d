#!/usr/bin/env bash
# Replay the committed seed corpora of the store's libFuzzer harnesses
# (tests/corpus/<harness>/): each input runs once under ASan+UBSan and the
# harness's own checks. One TAP line per harness.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
for h in fuzz-topology fuzz-store-records; do
	files=(tests/corpus/$h/*)
	log=$(build/fuzz/$h "${files[@]}" 2>&1)
	rc=$?
	ran=$(grep -c '^Running: ' <<<"$log")
	tap_is "$h: replays ${#files[@]} seeds, exit status" \
		"$rc:$ran" "0:${#files[@]}"
	[ "$rc" -eq 0 ] || tail -20 <<<"$log" | sed 's/^/# /'
done
tap_done
