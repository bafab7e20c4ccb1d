#!/usr/bin/env bash
# Replay the committed seed corpus of the perf tools' fuzz harnesses.
. tests/lib.sh
replay() {
	"build/fuzz/$1" -runs=0 "tests/corpus/$1" >/dev/null 2>&1
}
for name in fuzz-pktgen-mix; do
	tap_ok "$name replays tests/corpus/$name" replay "$name"
done
tap_done
