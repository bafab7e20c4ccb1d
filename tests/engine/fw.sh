#!/usr/bin/env bash
# Firmware devices under the daemon: the door (r101) and the lamp (r102)
# are Cortex-M3 images in QEMU on taps of their room switches, provisioned
# from the building's store (osm-mkblob with its root key). The daemon,
# as the controller, answers their HELLOs; the door's badge reader
# (UART "badge enter ana") brings ana into r101; when bob comes into r102
# the lamp receives its keys (KEY_UPDATE RX, ACKed), and the sensor's
# "on" over the new circuit lights it; when bob leaves the lamp forgets
# them (REMOVE) and the sensor's frames are dropped.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-fw
S=/tmp/$P.sock
BLD_FW="door lamp"
. tools/building-lib.sh
trap bld_teardown EXIT
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	{ echo "not ok 1 - daemon starts"; exit 1; }
ask() { bld_ask "$@"; }

DIR=/tmp/$P.fw
wait_log() { bld_fw_wait "$@"; }
bld_fw_boot door door || { echo "not ok 1 - door boots"; exit 1; }
bld_fw_boot lamp lamp || { echo "not ok 1 - lamp boots"; exit 1; }
tap_ok "the door joins: its HELLO is ACKed by the daemon" \
	wait_log door '^ack seq=' 10
tap_ok "the lamp joins too" wait_log lamp '^ack seq=' 10

bld_fw_cmd door "badge enter ana"
tap_ok "door: badge enter ana -> PRESENCE, ACKed" \
	wait_log door 'presence enter ana seq=[0-9]+' 5
seq=$(sed -n 's/^presence enter ana seq=\([0-9]*\).*/\1/p' "$DIR/door.log")
tap_ok "... the ACK names its sequence number ($seq)" \
	wait_log door "^ack seq=$seq status=0\$" 5
tap_is "ana is in r101" "$(bld_osm person list | awk '{print $1, $2}')" \
	"ana r101"
tap_ok "the daemon logged the event, naming nobody" grep -q "^#[0-9]* enter someone r101: +5" /tmp/$P.log

tap_ok "bob enters r102" \
	bash -c "$F --store $D person enter --socket $S bob r102 >/dev/null"
tap_ok "the lamp gets two RX keys and applies them" \
	bash -c "for i in \$(seq 100); do [ \$(grep -c 'op=1 status=0' \
		$DIR/lamp.log) -ge 2 ] && exit 0; sleep 0.05; done; exit 1"
sl=$(bld_circuit sensor lamp)
tap_ok "... one is sensor -> lamp, at its epoch" \
	grep -q "^key circuit=${sl%% *} epoch=1 op=1 status=0" "$DIR/lamp.log"
sleep 0.3
tap_is "the lamp ACKed both: none of its messages given up" \
	"$(ask controller | cut -d' ' -f2- | jq '.acks >= 2')" true
bld_send sensor "$sl" --payload on --seq 1
tap_ok "the sensor says 'on' over the new circuit: the lamp is on" \
	wait_log lamp '^lamp on$' 5

bld_fw_cmd door "badge leave ana"
tap_ok "door: badge leave ana" wait_log door 'presence leave ana' 5
for _ in $(seq 40); do
	[ -z "$(bld_osm person list | grep ana)" ] && break; sleep 0.05
done
tap_is "ana has left" "$(bld_osm person list | awk '{print $1}')" "bob"

tap_ok "bob leaves" \
	bash -c "$F --store $D person leave --socket $S bob >/dev/null"
tap_ok "the lamp forgets both circuits (REMOVE)" \
	bash -c "for i in \$(seq 100); do [ \$(grep -c 'op=3 status=0' \
		$DIR/lamp.log) -ge 2 ] && exit 0; sleep 0.05; done; exit 1"
u0=$("$F" -j stats -n "$(bld_swns r102)" "$(bld_sw r102)" |
	jq .drops.unknown_circuit)
bld_send sensor "$sl" --payload off --seq 2
u1=$("$F" -j stats -n "$(bld_swns r102)" "$(bld_sw r102)" |
	jq .drops.unknown_circuit)
sleep 0.3
tap_is "'off' on the old circuit: dropped by r102" "$((u1 - u0))" 1
tap_ok "... and the lamp stays on" bash -c "! grep -q '^lamp off' $DIR/lamp.log"
alive=0
for q in $BLD_QEMU; do kill -0 $q 2>/dev/null && alive=$((alive + 1)); done
tap_is "both QEMUs still running" "$alive" 2
tap_done
