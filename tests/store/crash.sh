#!/usr/bin/env bash
# Crash safety: a writer killed with SIGKILL at a random moment, 60 times;
# after each kill the store opens, the audit chain verifies and every id
# the writer printed (it prints after the commit returns) is in the store.
# Every 6th run kills an `osm-fabric forget` instead: the person is then
# wholly there, gone, or (forget makes one present leave first) left and
# not erased, and the chain verifies.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
W=./build/tests/store/crash_writer
OSM=./build/osm-fabric
D=/tmp/ost$$-crash
osm_fixture_init ost
osm_defer rm -rf "$D" "$D.ids" "$D.out"
: >"$D.ids"

"$OSM" --store "$D" topology apply docs/examples/building-cam.yaml >/dev/null
verify() { "$OSM" --store "$D" audit verify >/dev/null; }
for run in $(seq 1 60); do
	delay=$(printf '0.%03d' $((RANDOM % 100 + 30)))
	if [ $((run % 6)) -eq 0 ]; then
		who=visitor$run
		"$OSM" --store "$D" person enter "$who" r102 &&
		"$OSM" --store "$D" person enter "$who" r101 || exit 1
		"$OSM" --store "$D" forget "$who" >/dev/null 2>&1 &
		pid=$!
		delay=0.00$((RANDOM % 10))
		sleep "$delay"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		n=$(grep -ac "$who" "$D"/* | awk -F: '{s += $2} END {print s}')
		in_list=$("$OSM" --store "$D" person list | grep -c "^$who ")
		audit_n=$("$OSM" --store "$D" audit show --person "$who" | wc -l)
		whole=no
		{ [ "$in_list" = 1 ] && [ "$audit_n" = 2 ]; } && whole=there
		# forget makes a person present leave first: killed after
		# that leave committed, they are out and not yet erased
		{ [ "$in_list" = 0 ] && [ "$audit_n" = 3 ]; } && whole=left
		{ [ "$n" = 0 ] && [ "$in_list" = 0 ]; } && whole=gone
		tap_ok "run $run: forget killed after ${delay}s: $who $whole" \
			[ "$whole" != no ]
		tap_ok "run $run: audit verifies" verify
		continue
	fi
	# each run its own ids: one killed mid-commit may have committed
	# an id it did not live to print
	"$W" write "$D" $((run * 100000)) >"$D.out" 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -KILL $pid
	wait $pid 2>/dev/null
	cat "$D.out" >>"$D.ids"
	out=$("$W" check "$D" "$D.ids" 2>&1)
	tap_ok "run $run: killed after ${delay}s: $out" [ $? -eq 0 ]
done
n=$(wc -l <"$D.ids")
tap_ok "writers committed $n ids in all" [ "$n" -gt 100 ]
tap_done
