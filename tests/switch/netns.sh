#!/usr/bin/env bash
# The room switch on real veth ports, end to end:
#
#   ns e1            ns s (switch "$SW")           ns e2
#   eth0 ---------- p1  [ XDP switch_xdp ]  p2 ---------- eth0
#   02:..:01:01              p3                    02:..:01:02
#                             |
#                           eth0  ns e3  02:..:01:03
#
# osm-endpoint sends real frames; valid ones arrive at the right endpoint
# only, byte for byte (but the rewritten destination MAC); hostile ones
# never arrive and are counted by reason; bpftool shows field names.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

F=build/osm-fabric
E=build/osm-endpoint
osm_fixture_init osw
P=$OSM_P
S=${P}s
SW=${P}sw
HOP1=000102030405060708090a0b0c0d0e0f
HOP2=101112131415161718191a1b1c1d1e1f
E2E1=$(printf 'a1%.0s' $(seq 32))
E2E2=$(printf 'b2%.0s' $(seq 32))
osm_tmpdir TMP
# key files (keys never go on a command line)
HOP1F=$(osm_keyfile $TMP/k $HOP1) HOP2F=$(osm_keyfile $TMP/k $HOP2)
E2E1F=$(osm_keyfile $TMP/k $E2E1) E2E2F=$(osm_keyfile $TMP/k $E2E2)

osm_ensure_bpffs
# No IPv6 chatter (the fixture's namespaces have none): every frame the
# switch counts is one we sent.
osm_netns_new s
for i in 1 2 3; do
	osm_netns_new e$i
	osm_veth $S ${P}p$i ${P}e$i eth0
	ip -n ${P}e$i link set eth0 address 02:00:00:00:01:0$i
	# XDP_REDIRECT into a veth needs NAPI on the receiving peer: GRO.
	ip netns exec ${P}e$i ethtool -K eth0 gro on >/dev/null
done
osm_switch $S $SW

out=$($F load -n $S $SW ${P}p1 ${P}p2 ${P}p3 2>&1)
tap_ok "osm-fabric load attaches to three veth ports" test $? -eq 0
sed 's/^/# /' <<<"$out"
tap_is "load notes what a 1500-byte MTU lets through" \
	"$(grep -c 'MTU 1500: payloads of up to 1456 bytes' <<<"$out")" 3
insns=$($F -j status -n $S $SW | sed -n 's/.*"verified_insns": \([0-9]*\).*/\1/p')
echo "# verifier processed instructions of switch_xdp: $insns"
tap_ok "the verifier's processed-instruction count is recorded" \
	test "${insns:-0}" -gt 0
att=$($F -j status -n $S $SW | grep -c '"attached": true')
tap_is "the program is attached to all three ports" "$att" 3

add() {	# add ID IN OUT SRCN DSTN HOP
	$F circuit add -n $S $SW $1 --in ${P}p$2 --out ${P}p$3 \
		--src 02:00:00:00:01:0$4 --dst 02:00:00:00:01:0$5 \
		--epoch 1 --hop-key-file $6
}
tap_ok "circuit 100 e1 -> e2" add 100 1 2 1 2 $HOP1F
tap_ok "circuit 200 e2 -> e3" add 200 2 3 2 3 $HOP2F

# recv NS ARGS...: a receiver in the background, output in $TMP/NS.out
recv() {
	local ns=$1; shift
	ip netns exec ${P}$ns $E recv eth0 "$@" >"$TMP/$ns.out" 2>&1 &
}
k1="--circuit 100 --epoch 1 --hop-key-file $HOP1F --e2e-key-file $E2E1F"
k2="--circuit 200 --epoch 1 --hop-key-file $HOP2F --e2e-key-file $E2E2F"
send() {	# send NS ARGS...
	local ns=$1; shift
	ip netns exec ${P}$ns $E send eth0 "$@"
}

# --- valid frames -----------------------------------------------------
recv e2 $k1 --count 3 --timeout 5000; r2=$!
recv e3 --raw --timeout 1500; r3=$!
recv e1 --raw --timeout 1500; r1=$!
sleep 0.3
send e1 $k1 --seq 1 --count 3 --payload "hello e2" >"$TMP/sent1"
tap_ok "e1 sent three frames on circuit 100" test $? -eq 0
wait $r2; rc2=$?; wait $r3; wait $r1
tap_is "e2 received all three" "$rc2" 0
tap_is "e2 opened them: payload and sequence numbers" \
	"$(grep '^ok' "$TMP/e2.out" | tr '\n' ' ')" \
	"ok 1 1 68656c6c6f206532 ok 2 1 68656c6c6f206532 ok 3 1 68656c6c6f206532 "
want=$(sed 's/^sent [0-9]* ............/frame 020000000102/' "$TMP/sent1")
tap_is "frames arrived byte for byte, destination MAC rewritten to e2" \
	"$(grep '^frame' "$TMP/e2.out")" "$want"
tap_is "e3 received nothing" "$(cat "$TMP/e3.out")" ""
tap_is "e1 received nothing back" "$(cat "$TMP/e1.out")" ""

recv e3 $k2 --count 1 --timeout 5000; r3=$!
recv e1 --raw --timeout 1500; r1=$!
sleep 0.3
send e2 $k2 --seq 7 --payload-hex 00ff00ff >/dev/null
wait $r3; rc3=$?; wait $r1
tap_is "circuit 200 delivers e2 -> e3" \
	"$rc3 $(grep '^ok' "$TMP/e3.out")" "0 ok 7 1 00ff00ff"
tap_is "and not to e1" "$(cat "$TMP/e1.out")" ""

# Without --seq every run numbers afresh (the realtime clock), so a
# second run is not dropped as a replay of the first.
recv e3 $k2 --count 2 --timeout 5000; r3=$!
sleep 0.3
send e2 $k2 --payload run1 >/dev/null
send e2 $k2 --payload run2 >/dev/null
wait $r3; rc3=$?
tap_is "two runs of send without --seq: both arrive" \
	"$rc3 $(grep -c '^ok' "$TMP/e3.out")" "0 2"

# --- hostile frames ---------------------------------------------------
# The text output of stats is stable: "  REASON N" and
# "circuit ID frames N bytes N drops N".
drops() { $F stats -n $S $SW | awk -v r=$1 '$1 == r { print $2 }'; }
cstat() { $F stats -n $S $SW --circuit $1 |
	awk -v f=$2 '{ for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'; }
REASONS="malformed version unknown_circuit wrong_port wrong_src expired
	stale_epoch bad_tag replay over_rate egress_down not_circuit"
declare -A before
for r in $REASONS; do before[$r]=$(drops $r); done

recv e2 --raw --timeout 2500; r2=$!
recv e3 --raw --timeout 2500; r3=$!
sleep 0.3
q=-q
send e1 $k1 --seq 2 $q						# replay
send e1 --circuit 100 --epoch 1 --hop-key-file $HOP2F --e2e-key-file $E2E1F --seq 10 $q	# bad tag
send e1 --circuit 100 --epoch 2 --hop-key-file $HOP1F --e2e-key-file $E2E1F --seq 11 $q	# stale epoch
send e1 --circuit 999 --epoch 1 --hop-key-file $HOP1F --e2e-key-file $E2E1F $q		# unknown
send e1 $k1 --seq 12 --src 02:00:00:00:01:09 $q				# wrong source
send e3 $k1 --seq 13 --src 02:00:00:00:01:01 $q				# wrong port
send e1 --frame 020000000102020000000101080045000014 $q			# IPv4
send e1 --frame 02000000010202000000010188b510 $q			# truncated
send e1 --frame 02000000010202000000010188b521$(printf '00%.0s' $(seq 43)) $q	# version 2
wait $r2; wait $r3
tap_is "no hostile frame reached e2" "$(cat "$TMP/e2.out")" ""
tap_is "no hostile frame reached e3" "$(cat "$TMP/e3.out")" ""
for r in replay bad_tag stale_epoch unknown_circuit wrong_src wrong_port \
	 not_circuit malformed version; do
	tap_is "counted as $r" "$(( $(drops $r) - ${before[$r]} ))" 1
done
tap_is "circuit 100 forwarded 3 frames" "$(cstat 100 frames)" 3
tap_is "circuit 100 counted its 5 drops (replay, tag, epoch, src, port)" \
	"$(cstat 100 drops)" 5

# A management port passes frames that are not circuit frames up.
tap_ok "port set p3 --mgmt" $F port set -n $S $SW ${P}p3 --mgmt
nc=$(drops not_circuit)
send e3 --frame 020000000102020000000103080045000014 -q
sleep 0.2
tap_is "IPv4 on the management port is not dropped" "$(drops not_circuit)" "$nc"

# --- a port's link down, no daemon: port watch ----------------------------
# e2's side of the link goes down: frames towards p2 are dropped as
# egress_down and record nothing; status says so; once it is up, the same
# numbers forward.
$F port watch -n $S $SW >"$TMP/watch" 2>&1 &
wpid=$!
osm_proc $wpid
# watch_says STATE N: the watcher has said "port p2 STATE" N times
watch_says() { [ "$(grep -c "^port ${P}p2 $1\$" "$TMP/watch")" -ge "$2" ]; }
# listening NS: its receiver has its socket open
listening() { osm_listening "${P}$1"; }
tap_ok "port watch: every port's state at the start" \
	osm_until 250 eval '[ "$(grep -c "^port ${P}p[123] up$" "$TMP/watch")" = 3 ]'
ip -n ${P}e2 link set eth0 down
tap_ok "port watch: p2 down" osm_until 250 watch_says down 1
tap_is "status: p2 link down, no egress" \
	"$($F -j status -n $S $SW | jq -r '.[0].ports[] |
		select(.name == "'${P}p2'") | "\(.link) \(.egress)"')" \
	"down false"
eg=$(drops egress_down)
send e1 $k1 --seq 500 --count 3 -q
sleep 0.2
tap_is "frames towards the down port: egress_down" \
	"$(( $(drops egress_down) - eg ))" 3
ip -n ${P}e2 link set eth0 up
ip netns exec ${P}e2 ethtool -K eth0 gro on >/dev/null
tap_ok "port watch: p2 up" osm_until 250 watch_says up 2
recv e2 $k1 --count 3 --timeout 5000; r2=$!
listening e2
send e1 $k1 --seq 500 --count 3 -q
wait $r2
tap_is "the same numbers forward now: nothing was recorded" \
	"$(grep -c '^ok 50[012] ' "$TMP/e2.out")" 3
kill $wpid
wait $wpid 2>/dev/null
tap_is "port watch stops on SIGTERM, status 0" "$?" 0

# --- MTU: a frame longer than its egress link carries is egress_down ----
# p1 and e1 carry the largest frames (MTU 1544), p2 and e2 1500: a payload
# of 1456 bytes (1500 bytes from the circuit header on) crosses, 1457 is
# egress_down; with p2 and e2 at 1544 the same number and 1500 cross.
pay() { head -c "$1" /dev/zero | tr '\0' m; }
ip -n $S link set ${P}p1 mtu 1544
ip -n ${P}e1 link set eth0 mtu 1544
recv e2 $k1 --count 1 --timeout 5000; r2=$!
listening e2
send e1 $k1 --seq 600 --payload "$(pay 1456)" -q
wait $r2
tap_is "payload 1456, the most a 1500-byte MTU carries: crosses" \
	"$(grep -c '^ok 600 ' "$TMP/e2.out")" 1
eg=$(drops egress_down)
send e1 $k1 --seq 601 --payload "$(pay 1457)" -q
sleep 0.2
tap_is "payload 1457 towards p2 (MTU 1500): egress_down" \
	"$(( $(drops egress_down) - eg ))" 1
ip -n $S link set ${P}p2 mtu 1544
ip -n ${P}e2 link set eth0 mtu 1544
recv e2 $k1 --count 2 --timeout 5000; r2=$!
listening e2
send e1 $k1 --seq 601 --payload "$(pay 1457)" -q
send e1 $k1 --seq 602 --payload "$(pay 1500)" -q
wait $r2
tap_is "p2 at 1544: 1457 (the same number: nothing recorded) and 1500 cross" \
	"$(grep -c '^ok 60[12] ' "$TMP/e2.out")" 2

# --- a port that cannot take XDP frames: counted, not lost unseen --------
# e3's side without GRO: a veth then takes no redirected frames; the
# kernel refuses them after the program counted them forwarded, and the
# switch's tracepoint programs count them for the port.
txerr() { $F -j status -n $S $SW |
	jq ".[0].ports[] | select(.name == \"${P}p3\") | .tx_errors"; }
t0=$(txerr)
ip netns exec ${P}e3 ethtool -K eth0 gro off >/dev/null
send e2 $k2 --count 3 -q
tap_ok "3 frames to p3, whose peer takes none: status counts 3 tx_errors" \
	osm_until 250 eval '[ "$(txerr)" = $((t0 + 3)) ]'
ip netns exec ${P}e3 ethtool -K eth0 gro on >/dev/null

# --- what an engineer sees ---------------------------------------------
dump=$(bpftool map dump pinned /sys/fs/bpf/osm/$SW/circuits)
for field in ingress_ifindex egress_ifindex src_mac dst_mac expires_ns \
	     hop_key epoch valid; do
	tap_ok "bpftool map dump shows field $field" \
		grep -q "\"$field\"" <<<"$dump"
done
# a circuit's state and counters: at its slot (circuits shows it)
slot=$(bpftool -j map dump pinned /sys/fs/bpf/osm/$SW/circuits |
	jq '.[0].formatted.value.slot')
key=$(printf '%d %d %d %d' $((slot & 255)) $((slot >> 8 & 255)) \
	$((slot >> 16 & 255)) $((slot >> 24)))
dump=$(bpftool map lookup pinned /sys/fs/bpf/osm/$SW/circuit_state key $key)
tap_ok "bpftool shows circuit_state at slot $slot with its replay window" \
	grep -q '"top"' <<<"$dump"
dump=$(bpftool map lookup pinned /sys/fs/bpf/osm/$SW/circuit_stats key $key)
tap_ok "bpftool shows circuit_stats at slot $slot, per CPU, by name" \
	grep -q '"frames"' <<<"$dump"
# drop_stats: one struct per CPU whose fields are the reasons' names
dump=$(bpftool map dump pinned /sys/fs/bpf/osm/$SW/drop_stats)
bt=$(jq '[.[0].values[].value[""][""].bad_tag] | add' <<<"$dump")
tap_is "bpftool dumps drop_stats by reason name (bad_tag summed over CPUs)" \
	"$bt" "$(drops bad_tag)"
list=$($F circuit list -n $S $SW)
hidden() { ! grep -q $HOP1 <<<"$list" && grep -q hidden <<<"$list"; }
tap_ok "circuit list hides hop keys" hidden
list=$($F --show-keys circuit list -n $S $SW)
tap_ok "circuit list --show-keys shows them" grep -q $HOP1 <<<"$list"

$F port watch -n $S $SW >"$TMP/watch2" 2>&1 &
wpid=$!
osm_proc $wpid
osm_until 250 eval '[ -s "$TMP/watch2" ]'
tap_ok "osm-fabric unload" $F unload -n $S $SW
wait $wpid
tap_is "a watcher ends when its switch is unloaded: status 0, said so" \
	"$? $(tail -1 "$TMP/watch2")" "0 switch $SW unloaded"
tap_ok "no pins left" test ! -e /sys/fs/bpf/osm/$SW
xdp=$(ip -n $S -d link show ${P}p1 | grep -c xdp)
tap_is "no XDP program left on the ports" "$xdp" 0
tap_done
