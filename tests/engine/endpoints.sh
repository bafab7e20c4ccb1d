#!/usr/bin/env bash
# Host devices on the control protocol (osm-endpoint join), people moving:
#   - every host device joins; the keys of every change reach both ends,
#     the sender's only after the receiver ACKed its RX key;
#   - a room circuit rotates while its sender streams to a receiver that
#     is slow to take keys (--ack-delay-ms): the old epoch stays on the
#     switches until the sender has its new key, and no frame is lost;
#   - a person moves: their old circuits' keys are forgotten (REMOVE),
#     the new ones arrive; a leaver's device cannot send;
#   - an endpoint killed and started again runs a new session (its state
#     file), is rekeyed, and frames recorded before its restart, replayed
#     straight to it, are refused;
#   - keys arrive after a link was down during an event, and after the
#     controller was killed right after one;
#   - every KEY_UPDATE is ACKed; verify is clean;
#   - a receiver that holds its ACKs back keeps no sender waiting;
#   - a device whose HELLO's ACK was lost before the controller restarted
#     takes the REJOIN of the restarted one and joins.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-ep
S=/tmp/$P.sock
. tools/building-lib.sh
trap 'kill $capp 2>/dev/null; "$F" unload -n "$(bld_devns mic)" "$P-deaf" \
	>/dev/null 2>&1; bld_teardown; rm -f /tmp/$P.cap*' EXIT
capp=
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	{ echo "not ok 1 - daemon starts"; exit 1; }
L=/tmp/$P.ep
ctl() { bld_ask controller | cut -d' ' -f2- | jq -r "$1"; }
ev() { bld_person "$1" --socket "$S" "${@:2}" >/dev/null; }
recvs() { grep -c "^recv $1 " "$L/$2.log"; }
# until N frames of circuit ID reached NAME (TICKS of 20 ms)
recvs_ge() { [ "$(recvs "$1" "$2")" -ge "$3" ]; }
until_recvs() { osm_until "${4:-500}" recvs_ge "$1" "$2" "$3"; }

HOSTS="mic display speaker bob.phone sensor lamp ana.laptop"
for dev in $HOSTS; do
	case $dev in
	display) bld_ep_join "$dev" --ack-delay-ms 400 ;;	# slow
	*) bld_ep_join "$dev" ;;
	esac
done
n=0
for dev in $HOSTS; do
	bld_ep_wait "$dev" '^joined 1$' 500 && n=$((n + 1))
done
tap_is "seven host devices joined, each in its session 1" "$n" 7
tap_is "the controller accepted seven sessions" "$(ctl .sessions)" 7

# ---- keys follow people ------------------------------------------------
tap_ok "ana enters r102" ev enter ana r102
lap_lamp=$(bld_id ana.laptop lamp)
tap_ok "the lamp ACKed RX of ana.laptop -> lamp, then the laptop got TX" \
	bld_ep_wait ana.laptop "^key $lap_lamp 1 tx 0\$"
tap_ok "... in that order (RX ACKed before TX sent)" \
	bash -c "grep -q '^key $lap_lamp 1 rx 0\$' $L/lamp.log"
bld_ep_cmd ana.laptop "send $lap_lamp on"
tap_ok "the laptop's 'on' reaches the lamp" \
	bld_ep_wait lamp "^recv $lap_lamp [0-9]+ 1 6f6e\$"
tap_ok "bob and cem enter r101" bash -c "
	'$F' --store '$D' person enter --socket '$S' bob r101 >/dev/null &&
	'$F' --store '$D' person enter --socket '$S' cem r101 >/dev/null"
mic_disp=$(bld_id mic display)
tap_ok "the mic holds the room circuit to the display" \
	bld_ep_wait mic "^key $mic_disp [0-9]+ tx 0\$"
sleep 1

# ---- a rotation under a stream, to a receiver slow to take keys -------------
N=3000
e0=$(bld_circuit mic display | cut -d' ' -f2)
n0=$(recvs "$mic_disp" display)
d0=$("$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" | jq .drops.stale_epoch)
bld_ep_cmd mic "burst $mic_disp $N 300 hum"
sleep 0.1
tap_ok "cem leaves r101 mid-stream: the room's circuits rotate" ev leave cem
until_recvs "$mic_disp" display $((n0 + N)) 750
got=$(( $(recvs "$mic_disp" display) - n0 ))
tap_is "all $N frames of the mic's stream reached the display" "$got" $N
epochs=$(grep "^recv $mic_disp " "$L/display.log" | tail -n $N |
	awk '{print $4}' | uniq | tr '\n' ' ')
tap_is "... under the old epoch, then the new one ($epochs)" \
	"$epochs" "$e0 $((e0 + 1)) "
tap_is "r101 dropped none as stale_epoch" \
	"$(( $("$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
	       jq .drops.stale_epoch) - d0 ))" 0
sleep 0.5
tap_is "once the mic has its new key the old epoch is gone: verify is clean" \
	"$(bld_ask verify)" 'ok {"differences":0,"lines":[]}'

# ---- a move; a leaver's device ------------------------------------------------
tap_ok "ana moves to r101" ev move ana r101
tap_ok "her laptop forgets ana.laptop -> lamp (REMOVE)" \
	bld_ep_wait ana.laptop "^key $lap_lamp 0 remove 0\$"
bld_ep_cmd ana.laptop "send $lap_lamp on"
tap_ok "... and cannot send on it" \
	bld_ep_wait ana.laptop "^error no key to send on circuit $lap_lamp\$"
lap_disp=$(bld_id ana.laptop display)
tap_ok "it holds ana.laptop -> display" \
	bld_ep_wait ana.laptop "^key $lap_disp 1 tx 0\$"
bob_disp=$(bld_id bob.phone display)
tap_ok "bob leaves" ev leave bob
tap_ok "bob's phone forgets bob.phone -> display" \
	bld_ep_wait bob.phone "^key $bob_disp 0 remove 0\$"

# ---- an endpoint restarted ------------------------------------------------------
# frames reaching the display, captured on its side of the wire
FR=$PWD/tests/engine/frames.py
ip netns exec "$(bld_devns display)" python3 "$FR" cap eth0 \
	/tmp/$P.cap data &
capp=$!
for _ in $(seq 250); do [ -e /tmp/$P.cap.ready ] && break; sleep 0.02; done
n0=$(recvs "$lap_disp" display)
bld_ep_cmd ana.laptop "burst $lap_disp 20 0 slide"
until_recvs "$lap_disp" display $((n0 + 20))
sleep 0.2
kill $capp; capp=
nrec=$(wc -l </tmp/$P.cap)
bld_ep_stop display KILL
bld_ep_join display
tap_ok "the display, killed and started again, joins in session 2" \
	bld_ep_wait display '^joined 2$'
tap_ok "... and is given its keys again" \
	bld_ep_wait display "^key $lap_disp 2 rx 0\$"
tap_ok "... the laptop its new key (the display's circuits were rekeyed)" \
	bld_ep_wait ana.laptop "^key $lap_disp 2 tx 0\$"
d0=$(grep -c '^drop ' "$L/display.log")
r0=$(grep -c "^recv " "$L/display.log")
ip netns exec "$(bld_swns r101)" python3 "$FR" send p2 /tmp/$P.cap
sleep 0.5
tap_is "the $nrec data frames it received before, replayed to it: refused" \
	"$(( $(grep -c '^drop ' "$L/display.log") - d0 ))" "$nrec"
tap_is "... none of them taken" "$(( $(grep -c '^recv ' "$L/display.log") - r0 ))" 0
tap_ok "... they were the slides ($nrec)" [ "$nrec" -ge 20 ]
n0=$(recvs "$lap_disp" display)
bld_ep_cmd ana.laptop "send $lap_disp after"
tap_ok "the laptop's new frame reaches it" \
	until_recvs "$lap_disp" display $((n0 + 1))

# The sender restarted: its key is the same (a sender is not rekeyed),
# its numbers are of its new session, so no (key, nonce) pair repeats.
rm -f /tmp/$P.cap /tmp/$P.cap.ready
ip netns exec "$(bld_devns display)" python3 "$FR" cap eth0 \
	/tmp/$P.cap data &
capp=$!
osm_until 250 test -e /tmp/$P.cap.ready
bld_ep_cmd ana.laptop "burst $lap_disp 10 0 before"
until_recvs "$lap_disp" display $((n0 + 11))
# (its log holds both runs: count its key lines)
keys_ge() { [ "$(grep -cE "^key $lap_disp [0-9]+ tx 0\$" "$L/ana.laptop.log")" \
	-gt "$1" ]; }
k0=$(grep -cE "^key $lap_disp [0-9]+ tx 0\$" "$L/ana.laptop.log")
bld_ep_stop ana.laptop KILL
bld_ep_join ana.laptop
tap_ok "the laptop, killed and started again, joins in session 2" \
	bld_ep_wait ana.laptop '^joined 2$'
tap_ok "... and has its key again" osm_until 250 keys_ge "$k0"
bld_ep_cmd ana.laptop "burst $lap_disp 10 0 after"
tap_ok "its frames reach the display" \
	until_recvs "$lap_disp" display $((n0 + 21))
sleep 0.2
kill $capp; capp=
tap_is "no (circuit, epoch, seq) of the laptop sent twice with different bytes" \
	"$(python3 "$FR" reuse /tmp/$P.cap | cut -d' ' -f3)" 0
tap_is "... its numbers before and after: sessions 1 and 2" \
	"$(python3 "$FR" sessions /tmp/$P.cap)" "1 2"

# ---- keys that always arrive ------------------------------------------------
# The lamp's link down while cem enters r102: its KEY_UPDATEs go
# unanswered; when the link is back they arrive, no reboot needed.
ip -n "$(bld_swns r102)" link set p2 down
tap_ok "the lamp's link down; cem enters r102" ev enter cem r102
sens_lamp=$(bld_id sensor lamp)
sleep 1.5	# past the quick retries
v=$(bld_ask verify)
tap_is "verify names the lamp, which lacks its keys" \
	"$(jq -r '.lines[]' <<<"${v#ok }" | grep -c '^device lamp ')" 1
ip -n "$(bld_swns r102)" link set p2 up
tap_ok "the link back up: the lamp takes sensor -> lamp" \
	bld_ep_wait lamp "^key $sens_lamp [0-9]+ rx 0\$" 250
tap_ok "... the sensor its TX key" \
	bld_ep_wait sensor "^key $sens_lamp [0-9]+ tx 0\$" 250
n0=$(recvs "$sens_lamp" lamp)
bld_ep_cmd sensor "send $sens_lamp on"
tap_ok "... and the sensor's frame reaches the lamp" \
	until_recvs "$sens_lamp" lamp $((n0 + 1))

# The controller killed right after an event: started again, it asks the
# devices to rejoin, and they end up with the right keys.
ev leave cem && ev enter dan r102 && kill -9 "$dpid"
wait "$dpid" 2>/dev/null
tap_ok "cem leaves, dan enters r102, and the controller is killed at once" \
	true
sens_lamp=$(bld_id sensor lamp)
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	echo "not ok - the daemon starts again"
tap_ok "the lamp rejoins the restarted controller (session 2)" \
	bld_ep_wait lamp '^joined 2$' 250
tap_ok "... and the sensor" bld_ep_wait sensor '^joined 2$' 250
sleep 1
bld_ep_cmd lamp keys
bld_ep_cmd sensor keys
sleep 0.3
# what each holds (the last "keys" answer) and what the store says
held() {
	awk '/^keys end/ { blk = cur; cur = ""; next }
	     /^(rx|tx) / { cur = cur $0 "\n" } END { printf "%s", blk }' \
		"$L/$1.log" | sort
}
want_rx=$(bld_osm -j engine circuits | jq -r '.[] | select(.dst == "lamp") |
	"rx \(.id) \(.epoch)"' | sort)
want_tx=$(bld_osm -j engine circuits | jq -r '.[] | select(.src == "sensor") |
	"tx \(.id) \(.epoch)"' | sort)
tap_is "the lamp holds the keys the store says it should" \
	"$(held lamp | grep '^rx ')" "$want_rx"
tap_is "... and the sensor" "$(held sensor | grep '^tx ')" "$want_tx"
n0=$(recvs "$sens_lamp" lamp)
bld_ep_cmd sensor "send $sens_lamp off"
tap_ok "... and frames flow" until_recvs "$sens_lamp" lamp $((n0 + 1))

# ---- every KEY_UPDATE ACKed ---------------------------------------------------------
tap_is "no KEY_UPDATE went past its quick retries" "$(ctl .slow)" 0
tap_is "verify is clean" "$(bld_ask verify)" 'ok {"differences":0,"lines":[]}'

# A receiver that does not take its keys keeps no sender waiting: the
# lamp restarts and holds back its ACKs (20 s), its session's down key
# among them; the sensor still gets its new key of sensor -> lamp after
# the quick retries of the lamp's (about a second).
bld_ep_stop lamp KILL
bld_ep_join lamp --ack-delay-ms 20000
bld_ep_wait lamp '^joined 3$' 500
e=$(bld_osm -j engine circuits |
	jq -r --argjson c "$sens_lamp" '.[] | select(.id == $c) | .epoch')
tap_ok "a lamp that holds its ACKs back: the sensor gets TX of epoch $e all the same" \
	bld_ep_wait sensor "^key $sens_lamp $e tx 0\$" 500

# The ACK of a HELLO lost, then the controller restarted: it stored the
# session, so it refuses it (stale) and asks for a new one; the device,
# not joined, takes that REJOIN once 4 HELLOs went unanswered, and joins.
# (The ACK is lost at the mic's own port: a switch with no circuit
# loaded there drops every frame that comes in, as unknown_circuit.)
bld_ep_stop mic KILL
"$F" load -n "$(bld_devns mic)" "$P-deaf" eth0 ||
	echo "not ok - a switch that drops all loads on the mic's port"
s0=$(ctl .sessions)
bld_ep_join mic
osm_until 250 eval '[ "$(ctl .sessions)" -gt "$s0" ]'
ms=$(sed -n 's/^session //p' "$L/mic.log" | tail -1)
sleep 0.5
tap_ok "the mic's HELLO of session $ms is taken, its ACK lost" \
	eval '! grep -q "^joined $ms\$" "$L/mic.log"'
"$F" unload -n "$(bld_devns mic)" "$P-deaf"
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	echo "not ok - the daemon starts again"
tap_ok "the controller restarted: the mic takes its REJOIN, joins with session $((ms + 1))" \
	bld_ep_wait mic "^joined $((ms + 1))\$" 750
tap_done
