#!/usr/bin/env bash
# Interim `make demo`: one room switch and three endpoints in network
# namespaces. Loads the switch, provisions circuits, sends valid frames
# that arrive and hostile ones that are dropped by reason, prints the
# counters, cleans up. Safe to run twice in a row.
#
#   mic (ns)            room switch r101 (ns)            display (ns)
#   eth0 ------------ port1  [ XDP ]  port2 ------------ eth0
#                              port3
#                                |
#                              eth0  door (ns)
set -eu
cd "$(dirname "$0")/.."

F=$PWD/build/osm-fabric
E=$PWD/build/osm-endpoint
P=osw$$
S=${P}-r101
SW=r101-$P
HOP=5f1c2a9e0b7d4c3f8e6a1b2c3d4e5f60
E2E=8d1f6c0a9b2e7d3c5f4a1e0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d
K="--circuit 101 --epoch 1 --hop-key $HOP --e2e-key $E2E"

cleanup() {
	"$F" unload -n $S $SW >/dev/null 2>&1 || true
	for n in $S ${P}-mic ${P}-display ${P}-door; do
		ip netns del $n 2>/dev/null || true
	done
	rm -f /tmp/$P.recv
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
say "namespaces: room switch $S, endpoints mic, display, door"
ip netns add $S
i=0
for ep in mic display door; do
	i=$((i + 1))
	ip netns add ${P}-$ep
	ip netns exec ${P}-$ep sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add port$i netns $S type veth peer name eth0 netns ${P}-$ep
	ip -n ${P}-$ep link set eth0 address 02:00:00:00:01:0$i
	ip netns exec ${P}-$ep ethtool -K eth0 gro on >/dev/null
	ip -n ${P}-$ep link set eth0 up
	ip -n $S link set port$i up
	echo "  $ep eth0 02:00:00:00:01:0$i <-> switch port$i"
done

say "load the switch on its three ports"
run "$F" load -n $S $SW port1 port2 port3
run "$F" status -n $S $SW

say "provision circuit 101: mic -> display"
run "$F" circuit add -n $S $SW 101 --in port1 --out port2 \
	--src 02:00:00:00:01:01 --dst 02:00:00:00:01:02 --epoch 1 \
	--hop-key $HOP --rate 100000 --burst 10000 --lease 3600
run "$F" circuit list -n $S $SW

say "the display listens; the mic sends three frames"
ip netns exec ${P}-display "$E" recv eth0 $K --count 3 --timeout 3000 \
	>/tmp/$P.recv &
rx=$!
sleep 0.3
ip netns exec ${P}-mic "$E" send eth0 $K --count 3 --payload "turn it up" -q
wait $rx
echo "display received:"
sed 's/^/  /' /tmp/$P.recv | grep '^  ok' |
	while read -r _ seq epoch hex; do
		printf '  seq %s epoch %s: "%b"\n' "$seq" "$epoch" \
			"$(sed 's/../\\x&/g' <<<"$hex")"
	done

say "hostile frames: replay, forged tag, spoofed sender, door on the mic's circuit, unknown circuit, IPv4"
mic() { ip netns exec ${P}-mic "$E" send eth0 -q "$@"; }
mic $K --seq 2
mic --circuit 101 --epoch 1 --hop-key 00000000000000000000000000000000 \
	--e2e-key $E2E --seq 9
mic $K --seq 10 --src 02:00:00:00:01:99
ip netns exec ${P}-door "$E" send eth0 -q $K --seq 11 \
	--src 02:00:00:00:01:01
mic --circuit 7 --epoch 1 --hop-key $HOP --e2e-key $E2E
mic --frame 020000000102020000000101080045000014
sleep 0.2

say "what the switch saw"
run "$F" stats -n $S $SW
say "the circuit as the kernel holds it"
run bpftool map dump pinned /sys/fs/bpf/osm/$SW/circuits | head -12
echo "  ..."

say "unload"
run "$F" unload -n $S $SW
