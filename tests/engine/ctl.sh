#!/usr/bin/env bash
# Devices and the controller (daemon --ctl), with sessions
# (docs/protocol.md 8.1): every device's control circuits are installed
# to the management port; a device joins with a HELLO of a new session,
# ACKed; a frame of a session not accepted gets a REJOIN and does
# nothing; the door reports a badge (PRESENCE) and the person is in its
# room, ACKed; the joined devices at the ends of the new circuits get
# KEY_UPDATEs with the right keys, sent again every 100 ms 10 times, then
# every second until ACKed, and verify names a device that has not ACKed
# them; after the controller is killed and started again, it asks every
# device to start a new session, and a recorded frame of the old session
# replayed on its link is refused. Control keys are derived here (Python
# BLAKE2b, docs/protocol.md 7) from the device keys.
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
ctl() { ask controller | cut -d' ' -f2- | jq -r "$1"; }

# Control circuits: every device's two, on every switch of their paths.
nctl() {
	"$F" -j circuit list -n "$(bld_swns "$1")" "$(bld_sw "$1")" |
		jq '[.[] | select(.flags | index("ctrl"))] | length'
}
tap_is "control circuits: r101 10, r102 6, core 16" \
	"$(nctl r101) $(nctl r102) $(nctl core)" "10 6 16"
tap_is "the daemon's verify counts them: no difference" "$(ask verify)" \
	'ok {"differences":0,"lines":[]}'

# Control keys of a device at an epoch (1, the join's, if not given):
# "UPCIRCUIT DOWNCIRCUIT ID UPHOP UPE2E DOWNHOP DOWNE2E", derived once (jq
# and python take a while on a busy machine).
devkeys=$(bld_osm --show-keys -j topology show)
declare -A ctl_cache
ctl_keys() {
	local k="$1 ${2:-1}"
	[ -n "${ctl_cache[$k]:-}" ] ||
		ctl_cache[$k]=$(ctl_keys_derive "$1" "${2:-1}")
	echo "${ctl_cache[$k]}"
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
        bytes(8), salt=($2 * 2 + d).to_bytes(8, 'little') + bytes(8)).digest()
    out += [o[32:48].hex(), o[:32].hex()]
print(0x80000000 | i << 1, 0x80000000 | i << 1 | 1, i, *out)"
}
S1=$((1 << 32)) S2=$((2 << 32))
# The epoch each device seals its up frames under, and the controller its
# down frames: the join's (1) until the device takes its session's.
declare -A uep dep
# up DEVICE PAYLOADHEX SEQ: a control message on the device's up circuit;
# the frame sent goes to /tmp/$P.sent.DEVICE
up() {
	local u d i uh ue dh de e=${uep[$1]:-1}
	read -r u d i uh ue dh de <<<"$(ctl_keys "$1" "$e")"
	bld_ep send "$1" "$u $e $uh $ue" --ctrl --seq "$3" --payload-hex "$2" |
		awk '{print $3}' >"/tmp/$P.sent.$1"
}
# hello DEVICE ROLE SEQ
hello() {
	local u d i rest
	read -r u d i rest <<<"$(ctl_keys "$1")"
	up "$1" "01000008$(printf '%08x%02x' "$i" "$2")010000" "$3"
}
# ackhex SEQ STATUS: an ACK message
ackhex() { printf '0400000c%016x%02x000000' "$1" "$2"; }
# keyhex CIRCUIT EPOCH OP HOP E2E: a KEY_UPDATE message
# (02 00 003c circuit(4) epoch(4) op 00 0000 hop(16) e2e(32))
keyhex() { printf '0200003c%08x%08x%02x000000%s%s' "$@"; }
# down DEVICE N TIMEOUT: the first N control messages it gets, as
# "SEQ PAYLOADHEX" lines
down() {
	local u d i uh ue dh de e=${dep[$1]:-1}
	read -r u d i uh ue dh de <<<"$(ctl_keys "$1" "$e")"
	bld_recv "$1" "$d $e $dh $de" --count "$2" --timeout "$3" |
		awk '/^ok/ {print $2, $4}'
}

# listening DEVICE...: until each device's receiver (down) has its
# socket open: an answer sent once must not be missed
listening() {
	local ldev
	for ldev in "$@"; do
		osm_listening "$(bld_devns "$ldev")"
	done
}
# listen DEVICE N CMD...: run CMD while DEVICE takes its first N control
# messages into /tmp/$P.DEVICE (as down prints them)
listen() {
	local dev=$1 n=$2 rx
	shift 2
	down "$dev" "$n" 3000 >"/tmp/$P.$dev" &
	rx=$!
	listening "$dev"
	"$@"
	wait $rx
}

for dev in door display speaker lamp; do
	ctl_keys "$dev" >/dev/null
	ctl_keys "$dev" 2 >/dev/null
done
ctl_keys door 4 >/dev/null

# join DEVICE ROLE S: a HELLO of session S, and what a device does with
# the answer: the ACK, then its control keys of the session (epoch 2S:
# down RX, up TX), sealed under the join epoch's, which it ACKs (the TX's
# ACK under its new key), taking numbers S + 1 and S + 2. Returns once
# the controller has both ACKs: nothing of the join is still to come.
J=2
# join_msgs DEVICE: what it took, but REJOINs and copies of a message
join_msgs() {
	grep -v " $(ackhex 0 255)\$" "/tmp/$P.$1" | awk '!seen[$2]++'
}
join() {
	local dev=$1 s=$3 e=$(( ($3 >> 32) * 2 )) a0 u d i uh ue dh de
	uep[$dev]=1 dep[$dev]=1
	listen "$dev" 3 hello "$dev" "$2" "$s"
	# A restarted controller asks for a new session every 2 s: a REJOIN
	# may come in first; the keys, sent again every 100 ms, still come.
	local tries=0
	while [ "$(join_msgs "$dev" | wc -l)" -lt 3 ] && [ $tries -lt 5 ]; do
		down "$dev" 1 3000 >>"/tmp/$P.$dev"
		tries=$((tries + 1))
	done
	join_msgs "$dev" >"/tmp/$P.$dev.j"
	mv "/tmp/$P.$dev.j" "/tmp/$P.$dev"
	read -r u d i uh ue dh de <<<"$(ctl_keys "$dev" $e)"
	tap_is "$dev: HELLO of session $((s >> 32)) ACKed, then its control keys of epoch $e" \
		"$(cut -d' ' -f2 /tmp/$P.$dev | tr '\n' ' ')" \
		"$(ackhex "$s" 0) $(keyhex "$d" $e 1 "$dh" "$de") $(keyhex "$u" $e 2 "$uh" "$ue") "
	a0=$(ctl .acks)
	up "$dev" "$(ackhex "$(sed -n 2p /tmp/$P.$dev | cut -d' ' -f1)" 0)" \
		$((s + 1))
	uep[$dev]=$e
	up "$dev" "$(ackhex "$(sed -n 3p /tmp/$P.$dev | cut -d' ' -f1)" 0)" \
		$((s + 2))
	dep[$dev]=$e
	osm_until 250 eval '[ "$(ctl .acks)" -ge $((a0 + 2)) ]' ||
		echo "# $dev: the controller did not count both ACKs"
}

# ---- joining -----------------------------------------------------------
# A frame of a session the controller did not accept: a REJOIN, nothing
# else (the door's PRESENCE numbered before any session; first, or the
# switch would drop it as behind the HELLO's number).
listen door 1 up door 030000050103616e61 5
tap_is "a PRESENCE outside the session: answered by REJOIN (ACK 0, 255)" \
	"$(cut -d' ' -f2 /tmp/$P.door)" "$(ackhex 0 255)"
tap_is "... counted stale, and nobody entered" \
	"$(ctl .stale_session) $(bld_osm -j person list | jq length)" "1 0"
sleep 1	# past the REJOIN's rate limit

join door 6 $S1
run=$(( $(head -1 /tmp/$P.door | cut -d' ' -f1) >> 32 ))
tap_ok "... in frames numbered in the controller's run ($run)" \
	[ "$run" -ge 1 ]
# ctl_epochs DEVICE: the epochs r101 keys its two control circuits at
ctl_epochs() {
	local u d rest
	read -r u d rest <<<"$(ctl_keys "$1")"
	"$F" -j circuit list -n "$(bld_swns r101)" "$(bld_sw r101)" |
		jq -r --argjson u "$u" --argjson d "$d" '.[] |
		select(.id == $u or .id == $d) | [.keys[].epoch] | sort |
		map(tostring) | join(",")' | tr '\n' ' '
}
tap_is "r101 keys the door's control circuits at epochs 1 and 2" \
	"$(ctl_epochs door)" "1,2 1,2 "
join display 2 $S1
join speaker 4 $S1
tap_is "three sessions accepted" "$(ctl .sessions)" 3

# ---- the door reads ana's badge --------------------------------------------
down door 1 3000 >/tmp/$P.door &
rxd=$!
down display 2 3000 >/tmp/$P.display &
rxs=$!
down speaker 2 3000 >/tmp/$P.speaker &
rxk=$!
listening door display speaker
up door 030000050103616e61 $((S1 + J + 1))
cp /tmp/$P.sent.door /tmp/$P.presence
# The speaker ACKs its first KEY_UPDATE at once; the display none.
wait $rxk
seq=$(head -1 /tmp/$P.speaker | cut -d' ' -f1)
up speaker "$(ackhex "$seq" 0)" $((S1 + J + 1))
wait $rxd
tap_is "the door's PRESENCE is ACKed (status 0)" \
	"$(cut -d' ' -f2 /tmp/$P.door)" "$(ackhex $((S1 + J + 1)) 0)"
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
tap_ok "the display's two are past their quick retries ($(ctl .slow))" \
	[ "$(ctl .slow)" -ge 2 ]
r0=$(ctl .resent)
v=$(ask verify)
tap_is "verify names the display and the speaker, which lack keys" \
	"$(jq -r '.lines[]' <<<"${v#ok }" | sed 's/ (sent up.*//; s/id [0-9]*/id N/')" \
	"device display (id N) has not acknowledged 2 key updates
device speaker (id N) has not acknowledged 1 key update"
sleep 1.2
tap_ok "... and they are still sent, once a second ($r0 -> $(ctl .resent))" \
	[ "$(ctl .resent)" -ge $((r0 + 2)) ]
# They ACK the copies they get now (the controller knows the numbers of
# a message's last 16 copies only; on a busy machine the first may be
# older than that).
down display 2 3000 >/tmp/$P.display &
rxs=$!
down speaker 1 3000 >/tmp/$P.speaker &
rxk=$!
wait $rxs $rxk
n=$((J + 1))
for seq in $(cut -d' ' -f1 /tmp/$P.display); do
	up display "$(ackhex "$seq" 0)" $((S1 + n))
	n=$((n + 1))
done
seq=$(cut -d' ' -f1 /tmp/$P.speaker)
up speaker "$(ackhex "$seq" 0)" $((S1 + J + 2))
clean() { [ "$(ask verify)" = 'ok {"differences":0,"lines":[]}' ]; }
tap_ok "once the display and the speaker ACK theirs, verify is clean" \
	osm_until 250 clean

# ---- the lamp: joined, it gets the keys of a change at once ---------------
join lamp 5 $S1	# nobody in r102: no other keys
ev() { bld_person "$1" --socket "$S" "${@:2}" >/dev/null; }
listen lamp 2 tap_ok "bob enters r102" ev enter bob r102
# type and op (KEY_UPDATE) of each message
tap_is "the lamp gets RX for sensor>lamp and bob.phone>lamp" \
	"$(cut -d' ' -f2 /tmp/$P.lamp | cut -c1-2,25-26 | sort | tr '\n' ' ')" \
	"0201 0201 "

# Forged, replayed, and sealed under a wrong end-to-end key: the switch
# drops the first two; the controller the third; nothing happens.
drops() {
	"$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
		jq -r '"\(.drops.bad_tag) \(.drops.replay)"'
}
d0=$(drops)
bad0=$(ctl .rx_bad)
read -r u d i uh ue dh de <<<"$(ctl_keys door)"
bld_send door "$u 1 00000000000000000000000000000000 $ue" --ctrl \
	--seq $((S1 + J + 2)) --payload-hex 030000050203616e61
up door 030000050103616e61 $((S1 + J + 1))
bld_send door "$u 1 $uh $dh$dh" --ctrl --seq $((S1 + J + 5)) \
	--payload-hex 030000050203616e61
sleep 0.3
read -r bt0 rp0 <<<"$d0"
read -r bt1 rp1 <<<"$(drops)"
tap_is "r101 drops the forgery (bad_tag) and the replay" \
	"$((bt1 - bt0)) $((rp1 - rp0))" "1 1"
tap_is "the controller drops the wrong end-to-end key" \
	"$(( $(ctl .rx_bad) - bad0 ))" 1
tap_is "nobody came or went" \
	"$(bld_osm person list | awk '{print $1}' | sort | tr '\n' ' ')" "ana bob "

# The door reports ana leaving; and someone who is not there.
leaves() {
	up door 030000050203616e61 $((S1 + J + 6))
	cp /tmp/$P.sent.door /tmp/$P.leave
	up door 0300000502037a6564 $((S1 + J + 7))
}
listen door 2 leaves
tap_is "leave ana: ACK status 0" "$(sed -n 1p /tmp/$P.door | cut -d' ' -f2)" \
	"$(ackhex $((S1 + J + 6)) 0)"
tap_is "leave zed (not present): ACK status 3 (unknown)" \
	"$(sed -n 2p /tmp/$P.door | cut -d' ' -f2)" "$(ackhex $((S1 + J + 7)) 3)"
tap_is "ana is gone" "$(bld_osm person list | awk '{print $1}')" "bob"

# ---- the controller killed and started again ------------------------------
nev=$(grep -c '^#[0-9]* \(enter\|leave\) someone' /tmp/$P.log)
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
dep[door]=1 dep[lamp]=1	# a new run: the join epoch until they join again
for dev in door lamp; do
	down $dev 1 5000 >/tmp/$P.$dev &
	eval "rx_$dev=\$!"
done
listening door lamp
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	echo "not ok - the daemon starts again"
wait "$rx_door" "$rx_lamp"
tap_is "started again, it asks the devices that had joined for a new session" \
	"$(cut -d' ' -f2 /tmp/$P.door /tmp/$P.lamp | tr '\n' ' ')" \
	"$(ackhex 0 255) $(ackhex 0 255) "
run2=$(( $(cut -d' ' -f1 /tmp/$P.door) >> 32 ))
tap_is "... in frames of its next run" "$run2" $((run + 1))
# Recorded frames of session 1, replayed on the controller's own link
# (past the switches, whose windows would drop them): the PRESENCE of
# ana's entry, and her leave.
sleep 1.1	# past the REJOIN's rate limit
for f in presence leave; do
	ip netns exec "$(bld_swns core)" "$E" send ctl \
		--frame "$(cat /tmp/$P.$f)" -q
done
sleep 0.3
tap_is "the replayed frames are refused as of a stale session" \
	"$(ctl .stale_session)" 2
tap_is "... and change nothing" \
	"$(bld_osm person list | awk '{print $1, $2}')" "bob r102"
tap_is "... the log shows no event since the restart" \
	"$(grep -c '^#[0-9]* \(enter\|leave\) someone' /tmp/$P.log)" "$nev"
join door 6 $S2
listen door 1 up door 030000050103616e61 $((S2 + J + 1))
tap_is "the door joins with session 2, and its PRESENCE is applied" \
	"$(cut -d' ' -f2 /tmp/$P.door)" "$(ackhex $((S2 + J + 1)) 0)"
stale() {
	"$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
		jq -r .drops.stale_epoch
}
tap_is "r101 keys the door's control circuits at epochs 1 and 4 now" \
	"$(ctl_epochs door)" "1,4 1,4 "
s0=$(stale)
ip netns exec "$(bld_devns door)" "$E" send eth0 \
	--frame "$(cat /tmp/$P.presence)" -q
osm_until 50 eval '[ "$(stale)" -gt "$s0" ]'
tap_is "session 1's PRESENCE (epoch 2) replayed at the door's port: r101 drops it, stale_epoch" \
	"$(( $(stale) - s0 ))" 1
tap_is "ana is in r101 again" \
	"$(bld_osm person list | awk '{print $1, $2}' | sort | tr '\n' ' ')" \
	"ana r101 bob r102 "
# A HELLO, sealed under the door's keys, that names another device (the
# lamp) is malformed: it starts no session.
read -r u d lamp_id rest <<<"$(ctl_keys lamp)"
uep[door]=1
s0=$(ctl .sessions) b0=$(ctl .rx_bad)
up door "01000008$(printf '%08x' "$lamp_id")06010000" $((3 << 32))
osm_until 50 eval '[ "$(ctl .rx_bad)" -gt "$b0" ]'
tap_is "a HELLO naming another device: rx_bad, no session started" \
	"$(( $(ctl .rx_bad) - b0 )) $(( $(ctl .sessions) - s0 ))" "1 0"
tap_is "the daemon still serves" "$(ask ping)" 'ok {"pong":true}'
tap_done
