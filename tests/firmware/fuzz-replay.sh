#!/usr/bin/env bash
# Replay the committed corpus of the firmware harness (fuzz-fw-rx): every
# input must run clean under ASan and UBSan.
. "$(dirname "$0")/../lib.sh"
B=${B:-build}
name=fuzz-fw-rx
n=$(ls tests/corpus/$name | wc -l)
tap_ok "$name: corpus replays clean ($n inputs)" \
	"$B/fuzz/$name" -runs=0 tests/corpus/$name
tap_done
