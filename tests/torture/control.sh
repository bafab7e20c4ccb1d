#!/usr/bin/env bash
# Control-plane faults (issue 17): the daemon SIGKILLed at random points of
# event streams, and a second daemon, `engine reconcile`, `forget` and
# `topology apply` racing a busy daemon (half of those races with a
# SIGKILL too), on real switches (XDP in the namespaces of
# tools/building-lib.sh) while a live 3-hop circuit (ana.laptop -> display)
# carries a steady stream, one frame a millisecond, time-stamped where it
# arrives.
#
# A kill run: visitors (bob, who has a personal device, and v1-v3) enter,
# move and leave through `osm-fabric person` (the daemon, or the command
# itself when no daemon serves); after a random delay the daemon is
# SIGKILLed. While it is dead, every circuit an acknowledged event deleted
# must be gone from every switch. Then it is restarted as an operator
# would: plainly (the driver stopped), while the driver's commands go on
# writing the store themselves, or as two daemons started at once (one
# must serve, the other be refused); before a plain restart, one
# command's event, after which the maps must equal the store (the
# command finds the killed daemon's mark and reconciles first). A race
# run: the driver goes on while
# a racer runs against the daemon; in half of them the daemon is killed in
# the middle and the operator redoes what the racer could not finish.
#
# After each run (tests/torture/control.py check): the store equals the
# acknowledged events, an event in doubt wholly or not at all ("events
# lost"); the audit chain verifies and holds a record of every
# acknowledged event and of each of its circuit changes, without holes
# ("audit lost"); the store's circuits are those its audit says, each in
# the maps of every switch of its path with its epoch ("circuits lost");
# the daemon's verify finds no difference and no map holds a data circuit
# the store does not put there ("maps disagree"); no deleted circuit of a
# person is in a map, after the kill or after recovery ("leavers alive").
#
# Figures: "# figure control.NAME VALUE what" (tests/torture/run). The
# short variant (make check) makes 7 runs; OSM_TORTURE=full 140: 100
# kills, 40 races.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=otc$$
D=/tmp/$P-store
S=/tmp/$P.sock
. tools/building-lib.sh
# the interpreter itself: a version manager's shim costs a second a start
PY=$(python3 -c 'import sys; print(sys.executable)')
H="$PY tests/torture/control.py"
NSP=$BLD_NETNS_PREFIX
SWS=$(bld_sw core),$(bld_sw r101),$(bld_sw r102)
if [ "${OSM_TORTURE:-}" = full ]; then
	KILLS=100 RACES=40 QUIET=3
else
	KILLS=3 RACES=4 QUIET=1
fi
RUNS=$((KILLS + RACES))

pid2= tx= rx= drv= rpid=
cleanup() {
	local p
	for p in $pid2 $drv $rpid $tx $rx; do kill "$p" 2>/dev/null; done
	bld_teardown
}
trap cleanup EXIT

now() { local t=${EPOCHREALTIME//[.,]/}; echo $((10#$t * 1000)); }	# ns

# ask LINE: one request to the daemon on $S, its reply line (5 s at most).
ask() {
	$PY -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5)
try:
    s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b'\n')
    print(s.makefile().readline().strip())
except OSError as e:
    print('error', e)" "$S" "$1"
}

# serving LOG N0 PID...: until a daemon serves on $S (0): LOG has more
# than N0 of its "serving" lines (t_up: when seen) and it answers a ping;
# or each PID has exited (1); 60 s at most.
serving() {
	local log=$1 n0=$2 end=$((SECONDS + 60)) p alive
	shift 2
	t_up=
	while [ $SECONDS -lt $end ]; do
		if [ -z "$t_up" ] && [ "$(n_serving "$log")" -gt "$n0" ]; then
			t_up=$(now)
		fi
		[ -n "$t_up" ] && [ "$(ask ping)" = 'ok {"pong":true}' ] &&
			return 0
		alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 1 ] || return 1
		sleep 0.01
	done
	return 1
}
n_serving() {
	local n
	n=$(grep -c '^osm-fabric daemon: .*serving ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# daemon_bg [LOG]: a daemon in the background, its output added to LOG
daemon_bg() {
	"$F" --store "$D" daemon --socket "$S" --netns-prefix "$NSP" \
		>>"${1:-/tmp/$P.log}" 2>&1 &
}

# start: a daemon that serves, as an operator gets one: started again
# while a command writing the store itself makes it refuse.
start() {
	local i n0
	t_start=$(now)
	for i in $(seq 20); do
		n0=$(n_serving /tmp/$P.log)
		daemon_bg
		dpid=$!
		serving /tmp/$P.log "$n0" $dpid && return 0
		kill -9 $dpid 2>/dev/null
		wait $dpid 2>/dev/null
		dpid=
	done
	return 1
}

kill_daemon() {
	t_kill=$(now)
	kill -9 $dpid
	wait $dpid 2>/dev/null
	dpid=
}

# the driver of run $i, its log $L.drv
drive() {
	rm -f /tmp/$P.stop /tmp/$P.ready
	$H drive "$F" "$D" "$NSP" $L.drv /tmp/$P.stop /tmp/$P.ready \
		bob v1 v2 v3 &
	drv=$!
	osm_until 1000 test -e /tmp/$P.ready
}
stop_driver() {
	[ -n "$drv" ] || return 0
	touch /tmp/$P.stop
	wait $drv
	drv=
}

# random fraction of a second, 0.LO to 0.HI (milliseconds, < 1000)
rnd() { printf '0.%03d' $(($1 + RANDOM % ($2 - $1 + 1))); }

# fig NAME: the value of "NAME N" in $out
fig() { awk -v n="$1" '$1 == n { print $2 }' <<<"$out"; }

T_ACKED=0 T_UNKNOWN=0 T_EVLOST=0 T_CLOST=0 T_ALOST=0 T_MAPS=0 T_LEAVER=0
T_RACER=0 T_RECOV=0 T_TAKEOVER=0 T_STALE=0

# dead_check: the daemon is dead; what acknowledged events deleted is gone
dead_check() {
	local out
	out=$($H dead /tmp/$P.state "$F" "$D" "$NSP" "$SWS" $L.drv $L.race)
	r_leaver=$((r_leaver + $(fig leaver_alive)))
	r_maps=$((r_maps + $(fig maps_extra)))
	grep '^#' <<<"$out" | sed "s/^# /# run $i, daemon dead: /"
}

# recovered T0: the daemon serves again; the time from T0 (its start, or
# the kill when the second daemon took over) to t_up
recovered() {
	local ms=$(((${t_up:-$(now)} - $1) / 1000000))
	[ $ms -gt $T_RECOV ] && T_RECOV=$ms
	r_note="$r_note, serving again after $ms ms"
}

# after_check: the run's checks once recovered (the driver stopped)
after_check() {
	local out v
	v=$(ask verify)
	if [[ $v == 'ok {"differences":'* ]]; then
		v=$(jq -r '.differences' <<<"${v#ok }")
	else
		echo "# run $i: verify: $v"
		v=1
	fi
	r_maps=$((r_maps + v))
	if ! "$F" --store "$D" audit verify >/dev/null 2>&1; then
		echo "# run $i: audit verify fails"
		r_alost=$((r_alost + 1))
	fi
	out=$($H after /tmp/$P.state "$F" "$D" "$NSP" "$SWS" $L.drv $L.race) || {
		echo "# run $i: the check failed"
		r_evlost=$((r_evlost + 1))
	}
	r_evlost=$((r_evlost + $(fig events_lost)))
	r_clost=$((r_clost + $(fig circuits_lost)))
	r_alost=$((r_alost + $(fig audit_lost)))
	r_maps=$((r_maps + $(fig maps_extra)))
	r_leaver=$((r_leaver + $(fig leaver_alive)))
	r_acked=$(fig acked) r_unknown=$(fig unknown)
	grep '^#' <<<"$out" | sed "s/^# /# run $i: /"
	T_ACKED=$((T_ACKED + r_acked)) T_UNKNOWN=$((T_UNKNOWN + r_unknown))
	T_EVLOST=$((T_EVLOST + r_evlost)) T_CLOST=$((T_CLOST + r_clost))
	T_ALOST=$((T_ALOST + r_alost)) T_MAPS=$((T_MAPS + r_maps))
	T_LEAVER=$((T_LEAVER + r_leaver)) T_RACER=$((T_RACER + r_racer))
	local all=$((r_evlost + r_clost + r_alost + r_maps + r_leaver + r_racer))
	tap_is "run $i $r_kind$r_note: $r_acked events acked, $r_unknown in doubt; lost: events $r_evlost circuits $r_clost audit $r_alost; maps differ $r_maps; leavers' circuits alive $r_leaver; racer failures $r_racer" \
		"$all" 0
}

# ---- the building, ana's stream --------------------------------------
bld_up || { echo "not ok 1 - building up"; exit 1; }
start || { echo "not ok 1 - daemon starts"; exit 1; }
tap_ok "ana enters r101 through the daemon" \
	bash -c "'$F' --store '$D' person enter ana r101 >/dev/null"
read -r cid cep hop e2e <<<"$(bld_circuit ana.laptop display)"
hf=$(bld_keyfile "$hop") && ef=$(bld_keyfile "$e2e") || exit 1
ip netns exec "$(bld_devns display)" "$E" recv eth0 --circuit "$cid" \
	--epoch "$cep" --hop-key-file "$hf" --e2e-key-file "$ef" --count 0 \
	> >(exec $H stamp /tmp/$P.rx) 2>/tmp/$P.recv.err &
rx=$!
osm_listening "$(bld_devns display)"
ip netns exec "$(bld_devns ana.laptop)" "$E" send eth0 --circuit "$cid" \
	--epoch "$cep" --hop-key-file "$hf" --e2e-key-file "$ef" \
	--count 1000000000 --interval-us 1000 -q 2>/tmp/$P.send.err &
tx=$!
tap_ok "ana's stream (circuit $cid, 3 hops) arrives" \
	osm_until 500 test -s /tmp/$P.rx
q0=$(now)
sleep "$QUIET"
q1=$(now)

bld_topology >/tmp/$P.topo0.yaml
sed 's/02:00:00:00:02:02/02:00:00:00:02:42/' /tmp/$P.topo0.yaml \
	>/tmp/$P.topo1.yaml
out=$($H init /tmp/$P.state "$F" "$D" "$NSP" "$SWS")
tap_is "the campaign starts from a store and maps that agree" \
	"$(awk '$1 != "acked" && $1 != "unknown" { s += $2 } END { print s + 0 }' <<<"$out")" 0
: >/tmp/$P.runs

# ---- the runs ---------------------------------------------------------
c0=$(now)
races=0 kills=0
for i in $(seq $RUNS); do
	L=/tmp/$P.run$i
	r_evlost=0 r_clost=0 r_alost=0 r_maps=0 r_leaver=0 r_racer=0 r_note=
	t0=$(now)
	# races spread evenly among the kills
	if [ $((i * RACES / RUNS)) -gt $(((i - 1) * RACES / RUNS)) ]; then
		k=$((races % 4)) killed=$(((races + races / 4) % 2))
		races=$((races + 1))
		r_kind="race: $(echo "second-daemon reconcile forget apply" |
			cut -d' ' -f$((k + 1)))$([ $killed = 1 ] && echo ' + SIGKILL')"
		drive
		sleep "$(rnd 20 150)"
		guest=guest${i}x rc=0
		case $k in
		0)	: >/tmp/$P.second
			daemon_bg /tmp/$P.second; pid2=$! ;;
		1)	{ "$F" --store "$D" engine reconcile --netns-prefix "$NSP" \
				>/tmp/$P.racer 2>&1; echo $? >/tmp/$P.racer.rc; } &
			rpid=$! ;;
		2)	$H one "$F" "$D" "$NSP" $L.race enter $guest r102 >/dev/null
			{ $H one "$F" "$D" "$NSP" $L.race forget $guest \
				>/tmp/$P.racer; echo $? >/tmp/$P.racer.rc; } &
			rpid=$! ;;
		3)	{ "$F" --store "$D" topology apply /tmp/$P.topo$((races / 4 % 2)).yaml \
				>/tmp/$P.racer 2>&1; echo $? >/tmp/$P.racer.rc; } &
			rpid=$! ;;
		esac
		if [ $killed = 1 ]; then
			sleep "$(rnd 0 100)"
			kill_daemon
			dead_check
			if [ $k = 0 ] && serving /tmp/$P.second 0 $pid2 &&
				kill -0 $pid2 2>/dev/null; then
				dpid=$pid2 pid2= t_start=$t_kill
				r_note=", the second daemon took over"
				T_TAKEOVER=$((T_TAKEOVER + 1))
			else
				if [ $k = 0 ]; then wait $pid2 2>/dev/null; pid2=; fi
				start || { echo "# run $i: no daemon"; r_racer=$((r_racer + 1)); }
			fi
			recovered $t_start
		fi
		# the racer's end; what it left undone the operator redoes
		case $k in
		0)	if [ -n "$pid2" ]; then
				for _ in $(seq 1500); do
					kill -0 $pid2 2>/dev/null || break
					sleep 0.02
				done
				if kill -0 $pid2 2>/dev/null; then
					echo "# run $i: a second daemon runs beside the first"
					kill -9 $pid2
					r_racer=$((r_racer + 1))
				fi
				wait $pid2
				rc=$?
				pid2=
				# refused before any map, in one line naming the first
				grep -q "written by its daemon (pid $dpid, socket $S)" /tmp/$P.second &&
					[ "$rc $(wc -l </tmp/$P.second)" = "1 1" ] || {
					echo "# run $i: second daemon: status $rc: $(head -c 300 /tmp/$P.second)"
					r_racer=$((r_racer + 1))
				}
			fi ;;
		*)	wait $rpid
			rpid=
			rc=$(cat /tmp/$P.racer.rc)
			if [ "$rc" != 0 ] || { [ $k = 2 ] && ! grep -q '^ok' /tmp/$P.racer; }; then
				if [ $killed = 0 ]; then
					echo "# run $i: racer failed: $(cat /tmp/$P.racer)"
					r_racer=$((r_racer + 1))
				fi
				r_note="$r_note, redone"
				case $k in
				1)	"$F" --store "$D" engine reconcile >/dev/null ;;
				2)	$H one "$F" "$D" "$NSP" $L.race forget $guest |
						grep -qE '^(ok|no) ' ;;
				3)	"$F" --store "$D" topology apply \
						/tmp/$P.topo$((races / 4 % 2)).yaml >/dev/null ;;
				esac || {
					echo "# run $i: the operator's redo failed"
					r_racer=$((r_racer + 1))
				}
			fi ;;
		esac
		stop_driver
		if [ $k = 2 ]; then
			# erased: not in the audit, not a byte of the store
			n=$("$F" --store "$D" -j audit show --person $guest | jq length)
			b=$(cat "$D"/*.mdb | grep -ac $guest)
			[ "$n $b" = "0 0" ] || {
				echo "# run $i: $guest: $n audit records, $b store lines"
				"$F" --store "$D" audit show --person $guest | sed 's/^/#   /'
				r_racer=$((r_racer + 1))
			}
		fi
	else
		variant=$((kills % 3))
		kills=$((kills + 1))
		r_kind="kill: $(echo "plain commands-write two-daemons" | cut -d' ' -f$((variant + 1)))"
		drive
		sleep "$(rnd 50 450)"
		kill_daemon
		[ $variant = 1 ] || stop_driver
		dead_check
		if [ $variant = 0 ]; then
			# before the restart, an operator's command (the store's
			# writer now) must leave the maps as the store says,
			# whatever the killed daemon left in them
			$H one "$F" "$D" "$NSP" $L.drv enter v1 r10$((RANDOM % 2 + 1)) >/dev/null
			n=$("$F" --store "$D" engine verify --netns-prefix "$NSP" 2>&1 |
				grep -vc '^maps equal the store$')
			[ "$n" = 0 ] || echo "# run $i: $n map entries stale after a command"
			r_maps=$((r_maps + n)) T_STALE=$((T_STALE + n))
		fi
		if [ $variant = 2 ]; then
			n0=$(n_serving /tmp/$P.log)
			t_start=$(now)
			daemon_bg; a=$!
			daemon_bg; b=$!
			if serving /tmp/$P.log "$n0" $a $b; then
				for _ in $(seq 1500); do
					kill -0 $a 2>/dev/null && kill -0 $b 2>/dev/null || break
					sleep 0.02
				done
				if kill -0 $a 2>/dev/null && kill -0 $b 2>/dev/null; then
					echo "# run $i: two daemons run at once"
					r_racer=$((r_racer + 1))
					kill -9 $b
				fi
				if kill -0 $a 2>/dev/null; then dpid=$a; wait $b
				else dpid=$b; wait $a; fi
			else
				wait $a $b
				start || { echo "# run $i: no daemon"; r_racer=$((r_racer + 1)); }
			fi
		else
			start || { echo "# run $i: no daemon"; r_racer=$((r_racer + 1)); }
		fi
		recovered $t_start
		stop_driver
	fi
	echo "$i ${r_kind%%:*} $t0 $(now)" >>/tmp/$P.runs
	after_check
	[ -n "$dpid" ] || start || break
done
c1=$(now)

# ---- the stream's figures --------------------------------------------
kill $tx 2>/dev/null
wait $tx 2>/dev/null
tx=
n=-1
while [ "$n" != "$(wc -l </tmp/$P.rx)" ]; do n=$(wc -l </tmp/$P.rx); sleep 0.2; done
kill $rx 2>/dev/null
wait $rx 2>/dev/null
rx=
read -r stall cut lost got refused where_stall where_cut \
	<<<"$($H gaps /tmp/$P.rx $c0 $c1 /tmp/$P.runs)"
read -r qstall _ <<<"$($H gaps /tmp/$P.rx $q0 $q1)"
secs=$(((c1 - c0) / 1000000000))

tap_ok "audit chain verifies at the end" \
	bash -c "'$F' --store '$D' audit verify >/dev/null"
tap_ok "$T_ACKED events acknowledged in $RUNS runs" [ "$T_ACKED" -gt "$RUNS" ]
tap_is "circuits lost" "$T_CLOST" 0
tap_is "audit records lost or broken" "$T_ALOST" 0
tap_is "maps that disagree with the store after recovery" "$T_MAPS" 0
tap_is "... of which, after one command with no daemon" "$T_STALE" 0
tap_is "leavers' circuits alive" "$T_LEAVER" 0
tap_is "acknowledged events lost or half-applied" "$T_EVLOST" 0
tap_is "racers that went wrong (a second daemon served, a redo failed, a forget left a trace)" \
	"$T_RACER" 0
tap_ok "the live circuit carried the stream all along ($got frames in $secs s)" \
	[ "$got" -gt $((secs * 100)) ]
tap_is "frames of the live circuit lost or refused" "$lost $refused" "0 0"

echo "# figure control.runs $RUNS runs ($KILLS SIGKILLs of a busy daemon, $RACES races)"
echo "# figure control.events_acked $T_ACKED presence events acknowledged (by the daemon, or by commands while none served)"
echo "# figure control.events_in_doubt $T_UNKNOWN events the daemon died with (applied wholly or not at all)"
echo "# figure control.circuits_lost $T_CLOST committed circuits gone or not so in the maps after recovery"
echo "# figure control.audit_lost $T_ALOST audit records lost or broken"
echo "# figure control.maps_disagree $T_MAPS map entries that differ from the store after recovery (a restart, or one command)"
echo "# figure control.leaver_circuits_alive $T_LEAVER deleted circuits of people in a map (killed or recovered)"
echo "# figure control.events_lost $T_EVLOST acknowledged events lost or half-applied"
echo "# figure control.racer_failures $T_RACER racers gone wrong"
echo "# figure control.maps_stale_without_daemon $T_STALE of these: after a killed daemon and one command's event, before a restart"
echo "# figure control.second_daemon_takeover $T_TAKEOVER races where the second daemon served after the first was killed"
echo "# figure control.restart_max_ms $T_RECOV a daemon started after a SIGKILL to serving (reconciled), retries included, worst run (ms)"
echo "# figure control.interruption_max_ms $cut longest time the live circuit lost frames, $RUNS runs (ms; run $where_cut)"
echo "# figure control.stall_max_ms $stall longest time the receiver got no frame, $RUNS runs (ms; run $where_stall; sender and receiver scheduling included)"
echo "# figure control.stall_quiet_ms $qstall the same with no fault, ${QUIET} s (ms: the host's own jitter)"
echo "# figure control.frames_lost $lost frames of the live circuit lost ($got received at 1 a ms)"

# The mark of a writer of the maps (docs/engine.md, "Restart and
# reconcile"): gone after a clean exit; left behind (as by a writer
# killed mid-change, made here by hand with a map entry gone), the next
# command that changes the maps reconciles first, and removes it.
kill -TERM $dpid
wait $dpid
dpid=
tap_ok "a daemon's clean exit leaves no mark" [ ! -e "$D/maps.dirty" ]
"$F" circuit del -n "$(bld_swns r101)" "$(bld_sw r101)" "$cid" >/dev/null
touch "$D/maps.dirty"
bld_person enter mark1 r102 >/dev/null 2>&1
tap_is "a command finding a mark left behind reconciles first, and removes it" \
	"$(bld_osm engine verify --netns-prefix "$NSP" 2>&1) $([ -e "$D/maps.dirty" ] && echo marked)" \
	"maps equal the store "
"$F" circuit del -n "$(bld_swns r101)" "$(bld_sw r101)" "$cid" >/dev/null
touch "$D/maps.dirty"
tap_is "engine verify shows what it left, and keeps the mark" \
	"$(bld_osm engine verify --netns-prefix "$NSP" 2>&1 | grep -c "circuit $cid missing") $([ -e "$D/maps.dirty" ] && echo marked)" \
	"1 marked"
tap_is "engine reconcile repairs it and removes the mark" \
	"$(bld_osm engine reconcile --netns-prefix "$NSP" >/dev/null 2>&1; bld_osm engine verify --netns-prefix "$NSP" 2>&1) $([ -e "$D/maps.dirty" ] && echo marked)" \
	"maps equal the store "
tap_done
