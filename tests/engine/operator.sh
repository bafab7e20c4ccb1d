#!/usr/bin/env bash
# What an operator types, on a live two-room building (issue 15, points
# 4, 6, 7 and 9): a port of another switch named; the global options before or after the command; JSON that
# jq parses from every command that prints (stats, verify, reconcile,
# events with integer timings, osm-endpoint send and recv); options after
# the operands; listings in id order that say when they are empty; the
# hint that finds switches in other namespaces; `reload` through the
# daemon, and its one error line without one; the graph's title and
# labels.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oop$$
D=/tmp/$P-store
. tools/building-lib.sh
trap 'bld_teardown' EXIT
jqe() { jq -e "$@" >/dev/null; }	# a test of JSON, quietly

bld_up || { echo "not ok 1 - building up"; exit 1; }
NS101=$(bld_swns r101)
SW101=$(bld_sw r101)

# ---- no daemon -------------------------------------------------------------
out=$("$F" --store "$D" reload 2>&1); rc=$?
tap_is "reload without a daemon: one line, exit 1" "$rc:$(wc -l <<<"$out")" \
	"1:1"
tap_ok "... which says what to do instead" grep -q "engine reconcile" <<<"$out"

err=$("$F" load -n "$NS101" "$P-x" p2 2>&1); rc=$?
"$F" unload -n "$NS101" "$P-x" >/dev/null 2>&1	# had it loaded after all
tap_is "load of another switch's port names that switch" "$rc:$err" \
	"1:osm-fabric: cannot attach to 'p2': it is a port of switch '$SW101' (unload it, or give it other ports)"
tap_ok "... and leaves no switch behind" test ! -e "/sys/fs/bpf/osm/$P-x"

out=$("$F" stats -n "$NS101" "$SW101")
tap_is "stats of a switch without circuits says so" "$(tail -1 <<<"$out")" \
	"no circuits"
tap_is "person list of nobody says so" "$(bld_osm person list)" \
	"nobody is present"

# Options after the operands, as getopt allows everywhere.
tap_ok "person enter ana r102 --netns-prefix P (options last)" eval \
	'"$F" person enter ana r102 --netns-prefix "$BLD_NETNS_PREFIX" \
	--store "$D" >/dev/null'
tap_ok "person enter bob r101, --store after the command" eval \
	'"$F" person --store "$D" enter bob r101 --netns-prefix \
	"$BLD_NETNS_PREFIX" >/dev/null'

a=$("$F" -j stats -n "$NS101" "$SW101")
b=$("$F" stats -n "$NS101" "$SW101" -j)
c=$("$F" stats --json -n "$NS101" "$SW101")
tap_ok "stats -j before the command: JSON" jqe '.circuits | length > 0' \
	<<<"$a"
tap_is "stats -j after the command: the same" "$(jq -S 'del(.circuits[])' \
	<<<"$b")" "$(jq -S 'del(.circuits[])' <<<"$a")"
tap_is "stats --json among the options: the same circuits" \
	"$(jq -c '[.circuits[].id]' <<<"$c")" "$(jq -c '[.circuits[].id]' <<<"$a")"
tap_ok "stats lists circuits by id" jqe \
	'[.circuits[].id] as $i | $i == ($i | sort)' <<<"$a"
ids=$("$F" circuit list -n "$NS101" "$SW101" | awk '{print $2}' | tr -d :)
tap_is "circuit list lists circuits by id" "$ids" "$(sort -n <<<"$ids")"
tap_is "circuit list: the ids in one column" \
	"$("$F" circuit list -n "$NS101" "$SW101" | cut -c20 | sort -u)" " "

out=$(bld_osm engine verify --netns-prefix "$BLD_NETNS_PREFIX" -j); rc=$?
tap_is "engine verify -j: no difference, exit 0" \
	"$rc:$(jq -c . <<<"$out")" '0:{"differences":0,"lines":[]}'
out=$(bld_osm -j engine reconcile --netns-prefix "$BLD_NETNS_PREFIX")
tap_is "engine reconcile -j: {\"fixed\":0}" "$(jq -c . <<<"$out")" \
	'{"fixed":0}'
# Without the prefix the engine looks for the switches here, and tells
# the operator where they are.
err=$(bld_osm engine verify 2>&1 >/dev/null); rc=$?
tap_is "engine verify without the prefix: differences, exit 1" "$rc" 1
tap_ok "... and a hint naming --netns-prefix" grep -q \
	"hint: .*--netns-prefix" <<<"$err"

# osm-endpoint --json: one object a frame, the payload byte for byte.
circ=$(bld_circuit sensor lamp)
bld_recv lamp "$circ" --count 2 --timeout 3000 --json >/tmp/$P.rx &
rx=$!
osm_listening "$(bld_devns lamp)"
bld_ep send sensor "$circ" --count 2 --payload hi --json >/tmp/$P.tx
wait $rx
tap_is "send --json: an object a frame" \
	"$(jq -c '[(.sent | type), (.frame | test("^[0-9a-f]+$"))]' /tmp/$P.tx |
	sort -u)" '["number",true]'
# (the switch writes the circuit's destination MAC: from byte 6 on)
tap_is "recv --json: ok, the payload 'hi' in hex, the frames as sent" \
	"$(jq -r '"\(.result) \(.payload) \(.frame[12:])"' /tmp/$P.rx)" \
	"$(jq -r '"ok 6869 \(.frame[12:])"' /tmp/$P.tx)"
tap_is "recv --json: sequence numbers as sent" \
	"$(jq .seq /tmp/$P.rx)" "$(jq .sent /tmp/$P.tx)"

# Every program: an unknown option is one line and exit 1; --help after
# a subcommand's operands or options is help.
for cmd in "$F stats x --bogus" "$E send e0 --bogus" "$E join e0 --bogus" \
	"build/osm-mkblob --bogus" "build/osm-pktgen --bogus" \
	"$F person enter --bogus"; do
	out=$($cmd 2>&1); rc=$?
	tap_is "${cmd##*/}: one line, exit 1" "$rc $(wc -l <<<"$out")" "1 1"
done
for cmd in "person enter ana --help" "person leave --help" \
	"engine verify --help" "reload --help" "person list --help" \
	"topology show --help" "engine circuits --help" "audit show --help"; do
	out=$("$F" $cmd); rc=$?
	tap_ok "osm-fabric $cmd: usage, exit 0" \
		test "$rc" = 0 -a "${out%% *}" = usage:
done

# ---- the daemon ------------------------------------------------------------
bld_daemon || { echo "not ok - daemon starts"; exit 1; }
err=$(bld_osm daemon --detach 2>&1); rc=$?
tap_is "a second daemon --detach: its error line, exit 1" \
	"$rc $(wc -l <<<"$err")" "1 1"
tap_ok "person move ana r101 through the daemon" eval \
	'bld_person move ana r101 >/dev/null'
out=$(bld_osm events --json)
tap_ok "events --json: integer nanoseconds" jqe 'length > 0 and all(.[];
	[.kill_ns, .maps_ns, .total_ns] | all(type == "number" and
	. == floor)) and all(.[]; .maps_ns > 0)' <<<"$out"
tap_is "events -j before the command: the same events" \
	"$(bld_osm -j events | jq -c '[.[].seq]')" "$(jq -c '[.[].seq]' <<<"$out")"
tap_is "engine verify -j through the daemon" \
	"$(bld_osm engine verify -j | jq -c .)" '{"differences":0,"lines":[]}'
tap_is "reload through the daemon" "$(bld_osm reload)" \
	"reloaded; 0 map changes"
tap_is "reload -j" "$(bld_osm reload -j | jq -c .)" '{"fixed":0}'
# A switch unloaded and loaded again is empty until the daemon reloads.
"$F" unload -n "$NS101" "$SW101" >/dev/null
"$F" load -n "$NS101" "$SW101" up p1 p2 p3 p4 p5 >/dev/null
n=$(bld_osm reload -j | jq .fixed)
tap_ok "reload after the switch came back: its circuits again ($n)" \
	test "$n" -gt 0
tap_is "... and the maps equal the store" "$(bld_osm engine verify)" \
	"maps equal the store"

# ---- the graph -------------------------------------------------------------
err=$(bld_osm graph -j 2>&1); rc=$?
tap_is "graph -j: no JSON form, one line, exit 1" "$rc $(wc -l <<<"$err")" "1 1"
dot=$(bld_osm graph)
tap_ok "graph title names the building, not the run's prefix" \
	grep -q 'label="building demo: ' <<<"$dot"
tap_ok "a device named as its role is labelled once" \
	grep -q 'label="lamp"' <<<"$dot"
tap_ok "a device named otherwise shows its role under the name" \
	grep -q 'label="ana.laptop\\ndisplay"' <<<"$dot"

tap_done
