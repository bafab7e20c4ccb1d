#!/usr/bin/env bash
# (5) of `make bench`: the gateway (osm-gw) against DPDK's own forwarding.
#
# Throughput: frames of a remote circuit go into the gateway's inner port;
# osm-gw (one lcore, CPU 1) decides each, encapsulates it (UDP/IPv4) and
# seals it (ChaCha20-Poly1305) and sends it on its outer port. The
# baseline is dpdk-testpmd --forward-mode=io (one forwarding lcore, CPU 1)
# on the same two vdevs, the same veths, the same generator and frames:
#
#   netns G                   netns W                          netns F
#   osm-pktgen -> a ==veth== i [osm-gw | dpdk-testpmd io] o ==veth== r
#   (-m live, CPU 0)          (net_af_xdp vdevs, one lcore)       (counts)
#
# frames/s = growth of r's rx_packets over the generator's own elapsed
# time. osm-gw needs a session to seal under: a second osm-gw in F (on r,
# and x of a veth x-y inside F; net_af_packet) handshakes with it and is
# stopped before any frame is sent (a session serves 120 s). r then has no
# socket, program or address: the frames of both DUTs (their destination
# MAC not r's) end in its ip_rcv, as PACKET_OTHERHOST. The DUTs take turns
# (testpmd, then osm-gw, each started afresh), BENCH_ROUNDS times (default
# 3), BENCH_SECONDS (3) a size; the median of the rounds is kept.
#
# The vdevs are net_af_xdp (BENCH_GW_PMD=af_packet: net_af_packet): with
# net_af_packet every frame reaches the DUT as an skb copied into its ring
# on the generator's CPU, which then caps what the DUT is offered near
# what testpmd forwards (the baseline would measure the generator side);
# with net_af_xdp the generator's frames are redirected into the DUT's
# umem by XDP, and it offers both DUTs more than they take.
#
# Decision: ns/frame of osm-gw's per-frame decision (gw_frame over
# gw_table on host buffers, no I/O: osm-bench-gw) and of the XDP switch's
# under BPF_PROG_TEST_RUN (osm-bench testrun, as row (1) measures it), on
# the same frames, both pinned to CPU 1, taking turns.
#
# Writes $BENCH_OUT (default build/bench)/gw-runs.csv (dut,size,round,fps,
# gen_pps,lcore_cpu: each run; lcore_cpu: the share of CPU 1 the DUT's
# lcore had), gw.csv (dut,size,fps,gen_pps,lcore_cpu: the medians),
# gw-decide.csv (osm-bench-gw's size,case,ns), gw-xdp.csv (osm-bench
# testrun's), both the medians of the rounds, and gw-params.txt (the PMD,
# repeat and rounds). BENCH_SHORT=1: one round of 1 s, 64 bytes, and of
# the decisions on 100,000 frames.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=${BENCH_OUT:-build/bench}
PMD=${BENCH_GW_PMD:-af_xdp}
if [ "${BENCH_SHORT:-0}" = 1 ]; then
	ROUNDS=1 DUR=1 SIZES="64" REPEAT=100000
else
	ROUNDS=${BENCH_ROUNDS:-3} DUR=${BENCH_SECONDS:-3} SIZES="64 1500"
	REPEAT=${BENCH_REPEAT:-1000000}
fi
case $PMD in
af_packet | af_xdp) ;;
*) echo "bench: BENCH_GW_PMD: af_xdp or af_packet" >&2; exit 1 ;;
esac
P=${BENCH_NS_PREFIX:-ogb$$}w
G=${P}g W=${P}w F=${P}f
GW=$PWD/build/osm-gw PG=$PWD/build/osm-pktgen
MA=02:00:00:00:0a:01 MB=02:00:00:00:0b:01	# the circuit's ends
MO=02:00:00:00:ff:01 MR=02:00:00:00:ff:02	# o and r
NH=02:00:00:00:ff:03	# osm-gw's next hop: not r (the peer takes any MAC)
T=$(mktemp -d /tmp/osm-bench-gw.XXXXXX)
dut=
peer=

say() { echo "bench: $*" >&2; }

# stop PID: SIGTERM, and wait until it is gone.
stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

cleanup() {
	stop "$dut"
	stop "$peer"
	for ns in "$G" "$W" "$F"; do
		ip netns del "$ns" 2>/dev/null
		rm -rf "/run/dpdk/$ns"	# EAL's runtime folder
	done
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$OUT"
for t in dpdk-testpmd jq python3; do
	command -v $t >/dev/null || { say "gw: $t not found"; exit 1; }
done

# ---- the decisions: one frame in memory, no I/O ------------------------------
# Both on CPU 1, taking turns ROUNDS times (3 trials or rounds each), the median of
# the rounds kept: this VM's vCPUs change speed, by a third, over seconds
# to minutes, and the two must be timed at the same speed.
say "gw: the decisions on CPU 1, repeat $REPEAT, $ROUNDS x 3 trials:" \
	"the XDP switch's (BPF_PROG_TEST_RUN), osm-gw's"
: >"$T/xdp" && : >"$T/decide" || exit 1
for round in $(seq "$ROUNDS"); do
	taskset -c 1 build/osm-bench testrun --repeat "$REPEAT" --rounds 3 \
		>"$T/out" && sed 1d "$T/out" >>"$T/xdp" &&
	taskset -c 1 build/osm-bench-gw --repeat "$REPEAT" --trials 3 \
		>"$T/out" && sed 1d "$T/out" >>"$T/decide" || exit 1
done
# median NAME: the median of each size and case of $T/NAME, as size,case,ns
median() {
	echo "size,case,ns"
	sort -t, -k1,1n -k2,2 -k3,3g "$T/$1" | awk -F, '
		$1 "," $2 != k { out(); k = $1 "," $2; n = 0 }
		{ x[++n] = $3 }
		END { out() }
		function out() { if (n) print k "," x[int((n + 1) / 2)] }'
}
median xdp >"$OUT/gw-xdp.csv"
median decide >"$OUT/gw-decide.csv"

# ---- throughput ----------------------------------------------------------------
for ns in "$G" "$W" "$F"; do
	ip netns add "$ns" &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || exit 1
done
ip link add "${P}a" netns "$G" type veth peer name "${P}i" netns "$W" &&
	ip link add "${P}o" netns "$W" type veth peer name "${P}r" netns "$F" &&
	ip link add "${P}x" netns "$F" type veth peer name "${P}y" netns "$F" ||
	exit 1
ip -n "$G" link set "${P}a" address $MA
ip -n "$W" link set "${P}o" address $MO
ip -n "$F" link set "${P}r" address $MR
# 1500-byte frames leave osm-gw 74 bytes longer (Ethernet, IPv4 and UDP
# headers, the DATA header and tag): the outer link's MTU and osm-gw's
# --path-mtu take them
ip -n "$W" link set "${P}o" mtu 1600
ip -n "$F" link set "${P}r" mtu 1600
for l in "$G a" "$W i" "$W o" "$F r" "$F x" "$F y"; do
	read -r ns ifc <<<"$l"
	ip -n "$ns" link set "$P$ifc" up || exit 1
done
# the generator's frames enter i through ndo_xdp_xmit, which needs NAPI
# on i: XDP (net_af_xdp's program) or, for net_af_packet, GRO
ip netns exec "$W" ethtool -K "${P}i" gro on >/dev/null
(umask 077
 head -c 32 /dev/urandom >"$T/w.key"
 head -c 32 /dev/urandom >"$T/f.key"
 head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/hop"
 head -c 32 /dev/urandom >"$T/e2e")
KW=$("$GW" --public-key "$T/w.key") && KF=$("$GW" --public-key "$T/f.key") ||
	exit 1

# dpdk NS IF0 IF1 [PMD]: into E, EAL's options for a DPDK process in NS
# on the ports IF0 and IF1.
dpdk() {
	local pmd=${4:-$PMD}
	E=(--no-huge --no-pci --no-shconf --file-prefix "$1" --log-level error
	   --vdev "net_${pmd}0,iface=$P$2" --vdev "net_${pmd}1,iface=$P$3")
}

# ask NAME REQUEST: osm-gw NAME's reply to one control request (the
# request on stdin, from a builtin: the circuit's hop key is in it).
ask() {
	printf '%s\n' "$2" | python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.stdin.readline().encode()); print(s.makefile().readline().strip())" \
		"$T/$1.sock" 2>/dev/null
}
session() { [ "$(ask "$1" stats | cut -d' ' -f2- | jq .session)" = true ]; }

# until_ok N CMD...: CMD succeeds within N tenths of a second.
until_ok() {
	local n=$1
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# osm-gw as the DUT on lcore 1, with a session (its peer in F stopped
# after the handshake) and the remote circuit 500 from i out through o.
start_osm_gw() {
	local ok=1
	dpdk "$F" x r af_packet
	ip netns exec "$F" "$GW" "${E[@]}" -l 0 -- \
		--address 10.99.0.2:5555 --key-file "$T/f.key" \
		--peer 10.99.0.1:5555 --peer-key "$KW" --next-hop-mac $MO \
		--control "$T/f.sock" --idle-us 200 >"$T/f.log" 2>&1 &
	peer=$!
	dpdk "$W" i o
	ip netns exec "$W" "$GW" "${E[@]}" -l 1 -- \
		--address 10.99.0.1:5555 --key-file "$T/w.key" \
		--peer 10.99.0.2:5555 --peer-key "$KF" --next-hop-mac $NH \
		--path-mtu 1600 --control "$T/w.sock" >"$T/w.log" 2>&1 &
	dut=$!
	if until_ok 100 session w && until_ok 50 session f; then
		ask w "circuit 500 inner outer $MA $MB remote 0 0 1 $(cat "$T/hop")" |
			grep -q '^ok' && ok=0
	fi
	stop "$peer"
	peer=
	rm -rf "/run/dpdk/$F"
	ip -n "$F" link set "${P}r" promisc off
	[ $ok = 0 ] || say "gw: osm-gw did not start: $(tail -n 2 "$T/w.log" "$T/f.log")"
	return $ok
}

# dpdk-testpmd, io forwarding on lcore 1 (its main lcore, 0, sleeps).
start_testpmd() {
	dpdk "$W" i o
	ip netns exec "$W" dpdk-testpmd "${E[@]}" -l 0,1 --main-lcore 0 \
		-m 256 -- --forward-mode=io --auto-start --stats-period 1 \
		--total-num-mbufs 8192 --rxd 512 --txd 512 \
		>"$T/testpmd.log" 2>&1 &
	dut=$!
	until_ok 100 grep -q "start packet forwarding" "$T/testpmd.log" || {
		say "gw: dpdk-testpmd did not start: $(tail -n 2 "$T/testpmd.log")"
		return 1; }
}

rx() { ip -n "$F" -j -s link show "${P}r" | jq '.[0].stats64.rx.packets'; }

# The DUT's forwarding lcore, a thread of $dut: osm-gw's main thread,
# testpmd's worker on lcore 1. lcore_cpu: the time it has run (user and
# system), in clock ticks; with the wall time, its share of CPU 1, which
# another process on the machine would take from it.
lcore=
find_lcore() {
	local t
	lcore=
	if [ $d = osm-gw ]; then
		lcore=$dut
		return
	fi
	for t in /proc/"$dut"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in
		*worker*1) lcore=${t##*/} ;;
		esac
	done
}
lcore_cpu() {
	[ -n "$lcore" ] || { echo 0; return; }
	sed 's/.*) //' "/proc/$dut/task/$lcore/stat" | awk '{ print $12 + $13 }'
}
HZ=$(getconf CLK_TCK)

: >"$OUT/gw-runs.csv"
for round in $(seq "$ROUNDS"); do
	for d in testpmd osm-gw; do
		if [ $d = testpmd ]; then start_testpmd; else start_osm_gw; fi ||
			exit 1
		find_lcore
		for size in $SIZES; do
			say "gw: $d (net_$PMD), $size-byte frames, $DUR s" \
				"(round $round/$ROUNDS)"
			before=$(rx) c0=$(lcore_cpu) t0=$(date +%s.%N)
			json=$(ip netns exec "$G" "$PG" -i "${P}a" -m live \
				--cpus 0 -d "$DUR" -s "$size" --hop-key-file \
				"$T/hop" --e2e-key-file "$T/e2e" -c 500 -e 1 \
				--dst $MB --quiet -j) || exit 1
			sleep 0.2
			after=$(rx) c1=$(lcore_cpu) t1=$(date +%s.%N)
			awk -v d=$d -v s="$size" -v r="$round" \
				-v n=$((after - before)) \
				-v t="$(jq .seconds <<<"$json")" \
				-v g="$(jq .pps <<<"$json")" -v hz="$HZ" \
				-v c=$((c1 - c0)) -v w="$t0" -v x="$t1" \
				-v lc="$lcore" 'BEGIN {
				u = lc == "" ? 0 : c / hz / (x - w)
				printf "%s,%s,%s,%.0f,%.0f,%.2f\n", d, s, r, n / t,
					g, u }' >>"$OUT/gw-runs.csv"
		done
		stop "$dut"
		dut=
		rm -rf "/run/dpdk/$W"
	done
done
echo "dut,size,fps,gen_pps,lcore_cpu" >"$OUT/gw.csv"
for size in $SIZES; do
	for d in testpmd osm-gw; do
		awk -F, -v d=$d -v s="$size" '$1 == d && $2 == s' \
			"$OUT/gw-runs.csv" | sort -t, -k4,4n |
			awk -F, '{ l[NR] = $1 "," $2 "," $4 "," $5 "," $6 }
				 END { print l[int((NR + 1) / 2)] }'
	done
done >>"$OUT/gw.csv"
sed -i "1i dut,size,round,fps,gen_pps,lcore_cpu" "$OUT/gw-runs.csv"
echo "$PMD $REPEAT $ROUNDS" >"$OUT/gw-params.txt"
