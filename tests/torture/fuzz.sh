#!/usr/bin/env bash
# The fuzzing campaign (docs/reliability.md): every libFuzzer harness of
# tests/fuzz/ (built as build/fuzz/fuzz_NAME) runs for a set time over a
# scratch copy of its committed corpus (the tree is left as it is), one
# TAP line each. OSM_TORTURE=full: OSM_TORTURE_FUZZ_SECONDS (default 120)
# each; else 1 s each, the short variant of `make check`. Harnesses run
# OSM_TORTURE_FUZZ_JOBS at a time (default: one a CPU). A crash, a hang
# or a harness's own check failing leaves its input in
# build/torture/crashes/NAME/, and the TAP line says how to keep it as a
# regression input. Figures: executions, new corpus inputs, crashes (0).
set -u
. tests/lib.sh

if [ "${OSM_TORTURE:-}" = full ]; then
	secs=${OSM_TORTURE_FUZZ_SECONDS:-120}
else
	secs=1
fi
jobs=${OSM_TORTURE_FUZZ_JOBS:-$(nproc)}
crashes=build/torture/crashes
scratch=$(mktemp -d /tmp/osm-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$scratch"' EXIT
echo "# $secs s a harness, $jobs at a time; crash inputs to $crashes/NAME/"

# final_stat LOG NAME: libFuzzer's final figure NAME
# (-print_final_stats), or 0.
final_stat() {
	local v
	v=$(sed -n "s/^stat::$2: *//p" "$1" | tail -1)
	echo "${v:-0}"
}

# fuzz NAME: run harness NAME over a copy of its corpus; its log in
# $scratch/NAME.log, its exit status in $scratch/NAME.rc.
fuzz() {
	local name=$1 corpus=$scratch/$1 art=$crashes/$1
	mkdir -p "$corpus"
	rm -rf "$art"
	mkdir -p "$art"
	cp tests/corpus/"$name"/* "$corpus"/ 2>/dev/null
	# -timeout: an input that takes 25 s is a hang, kept as a crash
	build/fuzz/"$name" -max_total_time="$secs" -timeout=25 \
		-print_final_stats=1 -artifact_prefix="$art/" "$corpus" \
		>"$scratch/$name.log" 2>&1
	echo $? >"$scratch/$name.rc"
}

names=()
for src in tests/fuzz/fuzz_*.c; do
	names+=("$(basename "$src" .c)")
done
running=0
for name in "${names[@]}"; do
	[ -x "build/fuzz/$name" ] || continue
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	fuzz "$name" &
	running=$((running + 1))
done
wait

total_execs=0 total_new=0 total_crashes=0
for name in "${names[@]}"; do
	short=${name#fuzz_}
	log=$scratch/$name.log
	if [ ! -x "build/fuzz/$name" ]; then
		tap_ok "$name: not built (make build/fuzz/$name)" false
		continue
	fi
	rc=$(cat "$scratch/$name.rc" 2>/dev/null || echo 1)
	execs=$(final_stat "$log" number_of_executed_units)
	new=$(final_stat "$log" new_units_added)
	found=$(find "$crashes/$name" -type f | wc -l)
	# a run that failed and kept no input (a report at exit, a signal)
	# counts as one crash too
	[ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1
	echo "# figure fuzz.$short.execs $execs executions in $secs s"
	echo "# figure fuzz.$short.new $new new corpus inputs found"
	echo "# figure fuzz.$short.crashes $found crashes (must be 0)"
	total_execs=$((total_execs + execs))
	total_new=$((total_new + new))
	total_crashes=$((total_crashes + found))
	if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		tap_ok "$name: $execs executions, $new new inputs, no crash" true
		continue
	fi
	first=$(find "$crashes/$name" -type f | head -1)
	tap_ok "$name: crashed (exit $rc)${first:+: keep the input as a \
regression test: cp $first tests/corpus/$name/, then fix the code}" false
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz_[a-z_]+:)' \
		"$log" | head -5 | sed 's/^/#   /'
	if [ -z "$first" ]; then
		echo "#   no input kept; the end of its log:"
		tail -5 "$log" | sed 's/^/#   /'
	fi
done
echo "# figure fuzz.harnesses ${#names[@]} harnesses"
echo "# figure fuzz.execs $total_execs executions, all harnesses"
echo "# figure fuzz.new $total_new new corpus inputs, all harnesses"
echo "# figure fuzz.crashes $total_crashes crashes, all harnesses (must be 0)"
tap_done
