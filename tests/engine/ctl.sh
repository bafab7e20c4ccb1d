#!/usr/bin/env bash
# Devices and the controller (daemon --ctl): every device's control
# circuits are installed to the management port; the door reports a badge
# (PRESENCE) and the person is in its room, ACKed; the devices at the ends
# of the new circuits get KEY_UPDATEs with the right keys (receiver first),
# sent again every 100 ms until ACKed, 10 times at most; a HELLO is
# answered with an ACK and the device's keys; frames under wrong keys are
# counted and ignored. Control keys are derived here (Python BLAKE2b,
# docs/protocol.md 7) from the device keys.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-ctl
S=/tmp/$P.sock
. tools/building-lib.sh
trap bld_teardown EXIT
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	{ echo "not ok 1 - daemon starts"; exit 1; }
ask() { bld_ask "$@"; }

# Control circuits: every device's two, on every switch of their paths.
nctl() {
	"$F" -j circuit list -n "$(bld_swns "$1")" "$(bld_sw "$1")" |
		jq '[.[] | select(.flags | index("ctrl"))] | length'
}
tap_is "control circuits: r101 10, r102 6, core 16" \
	"$(nctl r101) $(nctl r102) $(nctl core)" "10 6 16"
tap_is "the daemon's verify counts them: no difference" "$(ask verify)" \
	'ok {"differences":0,"lines":[]}'

# Control keys of a device: "UPCIRCUIT DOWNCIRCUIT UPHOP UPE2E DOWNHOP DOWNE2E",
# derived once (jq and python take a while on a busy machine, and an ACK
# must reach the controller before its 10 retries run out).
devkeys=$(bld_osm --show-keys -j topology show)
declare -A ctl_cache
ctl_keys() {
	[ -n "${ctl_cache[$1]:-}" ] || ctl_cache[$1]=$(ctl_keys_derive "$1")
	echo "${ctl_cache[$1]}"
}
ctl_keys_derive() {
	local id key
	read -r id key < <(jq -r --arg n "$1" '.. | objects |
		select(.name? == $n and has("key")) | "\(.id) \(.key)"' \
		<<<"$devkeys")
	python3 -c "
import hashlib
key, i = bytes.fromhex('$key'), $id
out = []
for d in (0, 1):
    o = hashlib.blake2b(b'', key=key, digest_size=48, person=b'osm-ctl1' +
        bytes(8), salt=(1 * 2 + d).to_bytes(8, 'little') + bytes(8)).digest()
    out += [o[32:48].hex(), o[:32].hex()]
print(0x80000000 | i << 1, 0x80000000 | i << 1 | 1, *out)"
}
# up DEVICE PAYLOADHEX: a control message on the device's up circuit
up() {
	local u d uh ue dh de
	read -r u d uh ue dh de <<<"$(ctl_keys "$1")"
	bld_send "$1" "$u 1 $uh $ue" --ctrl --seq "${3:-1}" --payload-hex "$2"
}
# down DEVICE N TIMEOUT: the first N control messages it gets, as
# "SEQ PAYLOADHEX" lines
down() {
	local u d uh ue dh de
	read -r u d uh ue dh de <<<"$(ctl_keys "$1")"
	bld_recv "$1" "$d 1 $dh $de" --count "$2" --timeout "$3" |
		awk '/^ok/ {print $2, $4}'
}

for dev in door display speaker lamp; do
	ctl_keys "$dev" >/dev/null
done
# The door reads ana's badge: PRESENCE enter "ana".
down door 1 3000 >/tmp/$P.door &
rxd=$!
down display 2 3000 >/tmp/$P.display &
rxs=$!
down speaker 2 3000 >/tmp/$P.speaker &
rxk=$!
sleep 0.3
up door 030000050103616e61 1
# The speaker ACKs its first KEY_UPDATE at once (before the controller's
# 10 retries, 100 ms apart, run out); no one else ACKs anything.
wait $rxk
seq=$(head -1 /tmp/$P.speaker | cut -d' ' -f1)
up speaker "0400000c$(printf '%016x' "$seq")00000000" 1
wait $rxd
tap_is "the door's PRESENCE is ACKed (its seq 1, status 0)" \
	"$(cut -d' ' -f2 /tmp/$P.door)" "0400000c000000000000000100000000"
tap_is "ana is in the door's room" \
	"$(bld_osm person list | awk '{print $1, $2}')" "ana r101"
tap_ok "the daemon logged the event" \
	grep -q '^#1 enter someone r101: +5 -0 circuits' /tmp/$P.log
wait $rxs
# KEY_UPDATE: 02 00 003c circuit(4) epoch(4) op 00 0000 hop(16) e2e(32)
want=$(for pair in "mic display" "ana.laptop display"; do
	read -r id epoch hop e2e <<<"$(bld_circuit $pair)"
	printf '0200003c%08x%08x01000000%s%s\n' "$id" "$epoch" "$hop" "$e2e"
done | sort)
tap_is "the display got RX KEY_UPDATEs for its two new circuits, with their keys" \
	"$(cut -d' ' -f2 /tmp/$P.display | sort)" "$want"

sleep 1.4
st=$(ask controller)
tap_is "10 KEY_UPDATEs, 1 ACKed: 9 given up after 10 retries each" \
	"$(jq -r '"\(.gave_up) \(.acks)"' <<<"${st#ok }")" "9 1"
tap_ok "retries: 90 at least ($(jq .resent <<<"${st#ok }"))" \
	[ "$(jq .resent <<<"${st#ok }")" -ge 90 ]

# A HELLO from the lamp (r102, nobody there): an ACK, no keys.
down lamp 1 3000 >/tmp/$P.lamp &
rx=$!
sleep 0.3
lamp_id=$(jq -r '.. | objects | select(.name? == "lamp" and has("key")) |
	.id' <<<"$devkeys")
up lamp "01000008$(printf '%08x' "$lamp_id")05010000" 7
wait $rx
tap_is "the lamp's HELLO is ACKed" "$(cut -d' ' -f2 /tmp/$P.lamp)" \
	"0400000c000000000000000700000000"
# Bob comes to r102: the lamp's HELLO now brings two RX KEY_UPDATEs
# (once the ones his entry sent have been given up).
ev() { bld_person "$1" --socket "$S" "${@:2}" >/dev/null; }
tap_ok "bob enters r102" ev enter bob r102
sleep 1.3
down lamp 3 3000 >/tmp/$P.lamp &
rx=$!
sleep 0.3
up lamp "01000008$(printf '%08x' "$lamp_id")05010000" 8
wait $rx
# type and op (KEY_UPDATE) or status (ACK) of each message
tap_is "a HELLO after that: an ACK, then RX for sensor>lamp and bob.phone>lamp" \
	"$(cut -d' ' -f2 /tmp/$P.lamp | cut -c1-2,25-26 | sort | tr '\n' ' ')" \
	"0201 0201 0400 "

# Forged, replayed, and sealed under a wrong end-to-end key: the switch
# drops the first two; the controller the third; nothing happens.
drops() {
	"$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
		jq -r '"\(.drops.bad_tag) \(.drops.replay)"'
}
d0=$(drops)
bad0=$(ask controller | cut -d' ' -f2- | jq .rx_bad)
read -r u d uh ue dh de <<<"$(ctl_keys door)"
bld_send door "$u 1 00000000000000000000000000000000 $ue" --ctrl --seq 2 \
	--payload-hex 030000050203616e61
up door 030000050103616e61 1
bld_send door "$u 1 $uh $dh$dh" --ctrl --seq 5 --payload-hex 030000050203616e61
sleep 0.3
bad1=$(ask controller | cut -d' ' -f2- | jq .rx_bad)
read -r bt0 rp0 <<<"$d0"
read -r bt1 rp1 <<<"$(drops)"
tap_is "r101 drops the forgery (bad_tag) and the replay" \
	"$((bt1 - bt0)) $((rp1 - rp0))" "1 1"
tap_is "the controller drops the wrong end-to-end key" "$((bad1 - bad0))" 1
tap_is "nobody came or went" \
	"$(bld_osm person list | awk '{print $1}' | sort | tr '\n' ' ')" "ana bob "

# The door reports ana leaving; and someone who is not there.
down door 2 3000 >/tmp/$P.door &
rx=$!
sleep 0.3
up door 030000050203616e61 3
up door 0300000502037a6564 4
wait $rx
tap_is "leave ana: ACK status 0" "$(sed -n 1p /tmp/$P.door | cut -d' ' -f2)" \
	"0400000c000000000000000300000000"
tap_is "leave zed (not present): ACK status 3 (unknown)" \
	"$(sed -n 2p /tmp/$P.door | cut -d' ' -f2)" \
	"0400000c000000000000000403000000"
tap_is "ana is gone" "$(bld_osm person list | awk '{print $1}')" "bob"
tap_is "the daemon still serves" "$(ask ping)" 'ok {"pong":true}'
tap_done
