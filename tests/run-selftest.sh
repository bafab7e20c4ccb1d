#!/usr/bin/env bash
# tests/run on tiny fake tests written to a temporary folder: what it
# counts as passed, failed and skipped, its exit status and what it says,
# for a pass, a failure, skips (a line, exit 77, OSM_TEST_NO_SKIP=1), plan
# problems, a crash with no output, a timeout, -k, and bad options.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
osm_fixture_init ors
osm_tmpdir T
RUN=$PWD/tests/run

# fake NAME SCRIPT: the executable $T/NAME.sh running SCRIPT with sh.
fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1.sh"
	chmod +x "$T/$1.sh"
}
# run ARG...: tests/run, its logs in $T/logs, skips allowed unless
# NO_SKIP=1 (never the caller's setting); its output in $out (stdout and
# stderr), its exit status in $rc.
run() {
	out=$(OSM_TEST_LOGS=$T/logs OSM_TEST_NO_SKIP=${NO_SKIP:-0} \
		OSM_TEST_TIMEOUT=${TMO:-60} "$RUN" "$@" 2>&1)
	rc=$?
}
# counts NAME: "STATUS OK FAILED SKIPPED" of test $T/NAME.sh in $out
counts() {
	awk -v t="$T/$1.sh" '$2 == t { print $1, $3, $5, $7 }' <<<"$out"
}
last() { tail -1 <<<"$out"; }
# says TEXT: a line of $out is TEXT (under a test line: indented by 5)
says() { grep -qxF -- "$1" <<<"$out"; }
# one_line: $out is one line
one_line() { [ "$(wc -l <<<"$out")" -eq 1 ] && [ -n "$out" ]; }

fake pass 'echo 1..2; echo "ok 1 - a"; echo "ok 2 - b"'
fake pass_plan_end 'echo "ok 1 - a"; echo "# a comment"; echo 1..1'
fake fail 'echo 1..2; echo "ok 1 - a"; echo "not ok 2 - b"
echo "#   got: x"; exit 1'
fake skip 'echo 1..2; echo "ok 1 - a"; echo "ok 2 # SKIP no frobnicator"'
fake skip77 'echo "1..0 # SKIP no QEMU here"; exit 77'
fake skip77_comment 'echo "# SKIP needs root"; exit 77'
fake skip_plan0 'echo "1..0 # Skip: no tshark"'
fake fail77 'echo 1..1; echo "not ok 1 - a"; exit 77'
fake plan_mismatch 'echo 1..3; echo "ok 1 - a"; echo "ok 2 - b"'
fake plan_missing 'echo "ok 1 - a"; echo "ok 2 - b"'
fake plan_middle 'echo "ok 1 - a"; echo 1..2; echo "ok 2 - b"'
fake crash 'kill -SEGV $$'
fake status 'echo 1..1; echo "ok 1 - a"; exit 3'
fake none 'echo 1..0'
fake slow 'echo 1..1; sleep 30; echo "ok 1 - a"'

# --- one test each ----------------------------------------------------------
run "$T/pass.sh"
tap_is "pass: PASS, 2 ok" "$(counts pass)" "PASS 2 0 0"
tap_is "pass: the last line" "$(last)" "2 passed, 0 failed"
tap_is "pass: exit 0" "$rc" 0
run "$T/pass_plan_end.sh"
tap_is "a plan at the end, after a comment: PASS" "$(counts pass_plan_end)" \
	"PASS 1 0 0"

run "$T/fail.sh"
tap_is "fail: FAIL, 1 ok 1 failed" "$(counts fail)" "FAIL 1 1 0"
tap_ok "fail: its not ok line and comment under the test line" \
	eval 'says "     not ok 2 - b" && says "     #   got: x"'
tap_ok "fail: no more failures for its exit status" \
	eval '! grep -q "exited with status" <<<"$out"'
tap_is "fail: the last line" "$(last)" "1 passed, 1 failed"
tap_is "fail: exit 1" "$rc" 1

run "$T/skip.sh"
tap_is "skip line: PASS, 1 ok 1 skipped" "$(counts skip)" "PASS 1 0 1"
tap_ok "skip line: the skip, with its reason, under the test line" \
	says "     ok 2 # SKIP no frobnicator"
tap_is "skip line: the last line" "$(last)" "1 passed, 0 failed, 1 skipped"
tap_is "skip line: exit 0" "$rc" 0
NO_SKIP=1 run "$T/skip.sh"
tap_is "skip line, OSM_TEST_NO_SKIP=1: FAIL, the skip a failure too" \
	"$(counts skip)" "FAIL 1 1 1"
tap_ok "skip line, OSM_TEST_NO_SKIP=1: says why, with the reason" \
	says "     not ok - $T/skip.sh: skipped (OSM_TEST_NO_SKIP=1): ok 2 # SKIP no frobnicator"
tap_is "skip line, OSM_TEST_NO_SKIP=1: the last line" "$(last)" \
	"1 passed, 1 failed, 1 skipped"
tap_is "skip line, OSM_TEST_NO_SKIP=1: exit 1" "$rc" 1

run "$T/skip77.sh"
tap_is "exit 77 after a SKIP plan 1..0: SKIP, one skip" "$(counts skip77)" \
	"SKIP 0 0 1"
tap_ok "exit 77: its reason under the test line" \
	says "     skipped: no QEMU here"
tap_is "exit 77: the last line" "$(last)" "0 passed, 0 failed, 1 skipped"
tap_is "exit 77: exit 0" "$rc" 0
run "$T/skip77_comment.sh"
tap_is "exit 77 after a SKIP comment: one skip" "$(counts skip77_comment)" \
	"SKIP 0 0 1"
tap_ok "exit 77 after a SKIP comment: its reason" says "     skipped: needs root"
NO_SKIP=1 run "$T/skip77.sh"
tap_is "exit 77, OSM_TEST_NO_SKIP=1: FAIL" "$(counts skip77)" "FAIL 0 1 1"
tap_ok "exit 77, OSM_TEST_NO_SKIP=1: says why" \
	says "     not ok - $T/skip77.sh: skipped (OSM_TEST_NO_SKIP=1): no QEMU here"
tap_is "exit 77, OSM_TEST_NO_SKIP=1: exit 1" "$rc" 1
run "$T/skip_plan0.sh"
tap_is "a SKIP plan 1..0 and exit 0 (TAP's way): one skip" \
	"$(counts skip_plan0) $rc" "SKIP 0 0 1 0"
tap_ok "a SKIP plan 1..0 and exit 0: its reason" says "     skipped: no tshark"
run "$T/fail77.sh"
tap_is "exit 77 after a not ok: a failure, no skip" "$(counts fail77)" \
	"FAIL 0 1 0"

run "$T/plan_mismatch.sh"
tap_is "plan 1..3, 2 run: FAIL" "$(counts plan_mismatch)" "FAIL 2 1 0"
tap_ok "plan 1..3, 2 run: planned 3, ran 2" \
	says "     not ok - $T/plan_mismatch.sh: planned 3, ran 2"
tap_is "plan 1..3, 2 run: exit 1" "$rc" 1
run "$T/plan_missing.sh"
tap_is "no plan: FAIL" "$(counts plan_missing)" "FAIL 2 1 0"
tap_ok "no plan: says so" says "     not ok - $T/plan_missing.sh: no plan"
tap_is "no plan: exit 1" "$rc" 1
run "$T/plan_middle.sh"
tap_ok "a plan between tests: a failure" \
	says "     not ok - $T/plan_middle.sh: plan neither at the start nor at the end"

run "$T/crash.sh"
tap_is "crash, no output: FAIL, its signal and no plan" "$(counts crash)" \
	"FAIL 0 2 0"
tap_ok "crash: says the signal" \
	says "     not ok - $T/crash.sh: killed by signal 11 (exit status 139)"
tap_ok "crash: says there is no plan" says "     not ok - $T/crash.sh: no plan"
tap_ok "crash: the failures are in its log too" \
	grep -q "^not ok - $T/crash.sh: no plan" "$T/logs/$(tr / _ <<<"$T")_crash.sh.log"
tap_is "crash: exit 1" "$rc" 1
run "$T/status.sh"
tap_ok "exit 3 after all ok: a failure naming the status" \
	says "     not ok - $T/status.sh: exited with status 3"
run "$T/none.sh"
tap_ok "1..0 and no test: a failure" says "     not ok - $T/none.sh: ran no test"
TMO=1 run "$T/slow.sh"
tap_ok "past OSM_TEST_TIMEOUT: a failure, timed out" \
	says "     not ok - $T/slow.sh: timed out after 1 s"

# --- several tests --------------------------------------------------------
run "$T/pass.sh" "$T/fail.sh" "$T/skip.sh"
tap_is "three tests: one line each, then the sums" "$(awk '{ print $1 }' <<<"$out" |
	grep -cE '^(PASS|FAIL|SKIP)$') $(last)" "3 4 passed, 1 failed, 1 skipped"
tap_is "three tests, one failed: exit 1" "$rc" 1

# --- -k ---------------------------------------------------------------------
run -k skip7 "$T/pass.sh" "$T/skip77.sh" "$T/fail.sh" "$T/skip77_comment.sh"
tap_is "-k skip7: the two tests whose path holds it" \
	"$(grep -oE '(pass|skip77|fail|skip77_comment)\.sh' <<<"$out" | sort -u |
	tr '\n' ' ')" "skip77.sh skip77_comment.sh "
tap_is "-k skip7: exit 0 (the failing test not run)" "$rc" 0
run -k pass -kfail "$T/pass.sh" "$T/skip.sh" "$T/fail.sh"
tap_is "-k pass -kfail: the tests matching either, in order" \
	"$(awk '$2 ~ /\.sh$/ { print $2 }' <<<"$out" | sed 's|.*/||' | tr '\n' ' ')" \
	"pass.sh fail.sh "
run "$T/pass.sh" -k pass_plan "$T/pass_plan_end.sh"
tap_is "-k after test names too" "$(last)" "1 passed, 0 failed"
run -k nothing "$T/pass.sh" "$T/fail.sh"
tap_is "-k with no match: exit 1" "$rc" 1
tap_ok "-k with no match: one line saying so" one_line
tap_ok "-k with no match: names the NAME" \
	grep -qF "no test matches -k 'nothing'" <<<"$out"

# --- options ------------------------------------------------------------------
run --frob "$T/pass.sh"
tap_is "unknown option: exit 1" "$rc" 1
tap_ok "unknown option: one line" one_line
tap_ok "unknown option: names it and the usage" \
	grep -qF "unknown option '--frob'; usage: tests/run [-k NAME]..." <<<"$out"
run "$T/pass.sh" -k
tap_ok "-k without NAME: exit 1, one line" \
	eval '[ "$rc" -eq 1 ] && one_line && grep -q "needs a NAME" <<<"$out"'
run --help
tap_is "--help: exit 0" "$rc" 0
tap_ok "--help: usage, -k and OSM_TEST_NO_SKIP" \
	eval 'grep -q "^usage: tests/run" <<<"$out" &&
	grep -q -- "-k NAME" <<<"$out" && grep -q OSM_TEST_NO_SKIP <<<"$out"'
tap_done
