#!/usr/bin/env bash
# Firmware devices rebooted under traffic (docs/protocol.md 8.1), every
# frame captured on the lamp's and the door's switch ports and on the
# controller's link:
#   - the lamp is powered off and on 20 times (the door 5), with the
#     sensor's frames and the door's badges going on; each time it is back
#     (joined, its keys installed, obeying the sensor) within the bound;
#   - no (circuit, epoch, sequence number) appears twice with different
#     bytes in anything captured: no (key, nonce) pair was used twice;
#   - the devices' control frames are under the join epoch only until
#     they take their session's keys (epoch 2S), under those after;
#   - after a last reboot, every captured frame addressed to the lamp is
#     replayed to it straight on its port (no switch between) and every
#     one is refused and counted, none obeyed; every captured frame from
#     the devices is replayed on the controller's link, and again after
#     the controller is killed and started: every one refused, nothing
#     applied.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-rb
S=/tmp/$P.sock
REBOOTS=20
BOUND_MS=3000	# power on -> joined, keyed, obeying (QEMU boot included)
BLD_FW_TIMEOUT=600
BLD_FW="door lamp"
. tools/building-lib.sh
caps=
cap_stop() {
	[ -n "$caps" ] && kill $caps 2>/dev/null && wait $caps 2>/dev/null
	caps=
}
trap 'cap_stop; bld_teardown; rm -f /tmp/$P.*.cap* /tmp/$P.replay.*' EXIT
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	{ echo "not ok 1 - daemon starts"; exit 1; }
ctl() { bld_ask controller | cut -d' ' -f2- | jq -r "$1"; }
DIR=/tmp/$P.fw
log() { cat "$DIR/$1.log" 2>/dev/null; }
count() { log "$1" | grep -cE "$2"; }
# until_count NAME REGEX N [TICKS]: the log has N matches, within TICKS
# of 20 ms (default 250: 5 s)
count_ge() { [ "$(count "$1" "$2")" -ge "$3" ]; }
until_count() { osm_until "${4:-250}" count_ge "$1" "$2" "$3"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# joined NAME: its last session's HELLO has been ACKed (in this boot: a
# command written before the firmware is up may be lost)
joined() {
	log "$1" | awk '/^(session |# reboot)/{j = 0} /^ack seq=/{j = 1}
		END{exit !j}'
}

FR=$PWD/tests/engine/frames.py
py() { python3 "$FR" "$@"; }
cap() {
	ip netns exec "$1" python3 "$FR" cap "$2" "$3" &
	caps="$caps $!"
}
# XDP redirects bypass packet sockets on the switches' ports: every frame
# is caught where it is sent or received by the stack, at the controller
# (both ways) and at the sensor (what it sends)
cap "$(bld_ctlns)" eth0 /tmp/$P.ctl.cap
cap "$(bld_devns sensor)" eth0 /tmp/$P.sensor.cap
sleep 0.5	# listening

bld_fw_boot door door && bld_fw_boot lamp lamp ||
	{ echo "not ok 1 - firmware boots"; exit 1; }
tap_ok "door and lamp join" until_count door '^ack seq=' 1 500
until_count lamp '^ack seq=' 1 500
tap_ok "bob enters r102: the lamp gets its keys" \
	bash -c "'$F' --store '$D' person enter --socket '$S' bob r102 \
		>/dev/null"
until_count lamp 'op=1 status=0' 2 500

# the sensor (a host endpoint, keyed by hand from the store) says "level
# N" to the lamp; its numbers never repeat
sseq=100
say() {
	sseq=$((sseq + 1))
	bld_send sensor "$(bld_circuit sensor lamp)" --payload "level $1" \
		--seq "$sseq"
}
say 1
tap_ok "the lamp obeys the sensor" until_count lamp '^lamp level 1$' 1 250

worst=0 late=0 badge=0
for i in $(seq 2 $((REBOOTS + 1))); do
	t0=$(now_ms)
	nkeys=$(count lamp 'op=1 status=0')
	bld_fw_reboot lamp lamp
	# back: its session's HELLO ACKed, its control keys and both data
	# RX keys (of the new epochs) installed, and the sensor, keyed anew,
	# obeyed
	until_count lamp 'op=1 status=0' $((nkeys + 3)) 500
	for _ in $(seq 20); do
		say "$i"
		until_count lamp "^lamp level $i\$" 1 10 && break
	done
	ms=$(( $(now_ms) - t0 ))
	[ "$ms" -gt "$worst" ] && worst=$ms
	[ "$ms" -gt "$BOUND_MS" ] && late=$((late + 1))
	if [ $((i % 4)) = 0 ]; then
		bld_fw_reboot door door
		for _ in $(seq 250); do joined door && break; sleep 0.02; done
		badge=$((badge + 1))
		ev=$([ $((badge % 2)) = 1 ] && echo enter || echo leave)
		bld_fw_cmd door "badge $ev ana"
		for _ in $(seq 500); do
			[ "$(bld_osm person list | grep -c '^ana ')" = \
			  $((badge % 2)) ] && break
			sleep 0.02
		done
	fi
done
tap_is "the lamp rebooted $REBOOTS times; each time back within $BOUND_MS ms (worst $worst ms)" \
	"$late" 0
tap_is "the lamp obeyed the sensor after every reboot" \
	"$(count lamp '^lamp level [0-9]+$')" $((REBOOTS + 1))
tap_is "the lamp ran $((REBOOTS + 1)) sessions, 1 to $((REBOOTS + 1))" \
	"$(log lamp | sed -n 's/^session //p' | tr '\n' ' ')" \
	"$(seq -s ' ' 1 $((REBOOTS + 1))) "
ana=$(bld_osm person list | grep -c '^ana ')
tap_is "the door's badges went through its reboots: ana is $([ $((badge % 2)) = 1 ] && echo in || echo out)" \
	"$ana" $((badge % 2))
if [ "$ana" != $((badge % 2)) ]; then	# what the door and daemon saw
	log door | grep -E '^(session|presence|ack|# reboot|\?)' |
		tail -12 | sed 's/^/# door: /'
	grep -E 'enter|leave' /tmp/$P.log | tail -6 | sed 's/^/# daemon: /'
fi
cap_stop

# ---- every frame captured ----------------------------------------------
read -r nf ntriples reused <<<"$(py reuse /tmp/$P.ctl.cap \
	/tmp/$P.sensor.cap)"
# per boot at least a HELLO, its ACK, two KEY_UPDATEs, their ACKs and a
# sensor frame
tap_ok "captured: $nf circuit frames, $ntriples (circuit, seq, epoch)" \
	[ "$nf" -ge $((7 * REBOOTS)) ]
tap_is "no (circuit, epoch, seq) sent twice with different bytes" \
	"$reused" 0
ctl_mac=02:00:00:00:00:fe
read -r njoin nsess nbad <<<"$(py epochs /tmp/$P.ctl.cap $ctl_mac)"
tap_is "the devices' control frames: $njoin under the join epoch, then $nsess under their sessions' (2S), none else" \
	"$nbad" 0
tap_ok "... most under their sessions'" [ "$nsess" -gt "$njoin" ]

# ---- replays to the lamp, after one more reboot ------------------------
lamp_mac=02:00:00:00:02:02 sensor_mac=02:00:00:00:02:01
{ py list /tmp/$P.ctl.cap dst $lamp_mac
  py list /tmp/$P.sensor.cap src $sensor_mac $lamp_mac; } |
	sort -u >/tmp/$P.replay.lamp
nkeys=$(count lamp 'op=1 status=0')
bld_fw_reboot lamp lamp
until_count lamp 'op=1 status=0' $((nkeys + 3)) 500
n=$(wc -l </tmp/$P.replay.lamp)
d0=$(count lamp '^drop ')
k0=$(count lamp '^key |^lamp |^rejoin')
ip netns exec "$(bld_swns r102)" python3 "$FR" send p2 \
	/tmp/$P.replay.lamp
until_count lamp '^drop ' $((d0 + n)) 500
tap_is "all $n frames ever sent to the lamp, replayed to it after a reboot: refused" \
	"$(( $(count lamp '^drop ') - d0 ))" "$n"
# at least an ACK, two KEY_UPDATEs and the sensor's frame a boot
tap_ok "... at least 4 a boot ($n)" [ "$n" -ge $((4 * REBOOTS)) ]
tap_is "... none obeyed, no key taken" \
	"$(( $(count lamp '^key |^lamp |^rejoin') - k0 ))" 0
tap_is "... counted by reason: replay (control) or stale_epoch (data: \
its circuits were rekeyed) ($(log lamp | sed -n 's/^drop \([a-z_]*\) .*/\1/p' |
	sort | uniq -c | tr -s ' ' | tr '\n' ','))" \
	"$(log lamp | grep -c '^drop \(replay\|stale_epoch\) ')" "$n"

# ---- replays to the controller, before and after its restart ------------
py list /tmp/$P.ctl.cap dst $ctl_mac | sort -u >/tmp/$P.replay.ctl
n=$(wc -l </tmp/$P.replay.ctl)
people=$(bld_osm person list | awk '{print $1, $2}' | tr '\n' ' ')
refused() { echo $(( $(ctl .stale_session) + $(ctl .rx_bad) )); }
# replay_ctl: every frame the devices sent, on the controller's link; how
# many more it refused
replay_ctl() {
	local r0
	r0=$(refused)
	ip netns exec "$(bld_swns core)" python3 "$FR" send ctl \
		/tmp/$P.replay.ctl
	sleep 0.5
	echo $(( $(refused) - r0 ))
}
tap_is "all $n frames the devices sent, replayed on the controller's link: refused" \
	"$(replay_ctl)" "$n"
kill -9 "$dpid"; wait "$dpid" 2>/dev/null
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	echo "not ok - the daemon starts again"
# the devices rejoin at its REJOIN: their new sessions' frames
until_count lamp '^rejoin' 1 500
sleep 0.5
tap_is "... and again after the controller was killed and started: refused" \
	"$(replay_ctl)" "$n"
tap_is "nothing applied: the same people where they were" \
	"$(bld_osm person list | awk '{print $1, $2}' | tr '\n' ' ')" "$people"
for _ in $(seq 250); do joined lamp && break; sleep 0.02; done
sleep 0.3	# its keys, of the epochs its rejoin made
for _ in $(seq 20); do
	say 99
	until_count lamp '^lamp level 99$' 1 10 && break
done
tap_ok "the lamp joined the restarted controller and obeys the sensor" \
	until_count lamp '^lamp level 99$' 1 50
tap_done
