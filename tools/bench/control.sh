#!/usr/bin/env bash
# (3) of `make bench`: does the cost of one presence event grow with the
# building? For each size (rooms; 10 people a room, each with a phone and
# a laptop: 10 circuits a person), builds the store, brings the core, two
# floor switches and four rooms online (network namespaces, veth ports,
# the switch program loaded: tools/bench/control.py has the plan), starts
# the daemon, lets everyone in, then times events of the people whose
# desks are in the online rooms, moving between those rooms, so that every
# map write of a timed event is a real one on every switch of its path.
#
#   tools/bench/control.sh [ROOMS...]     default 10 100 1000
#
# Writes $BENCH_OUT (default build/bench)/control.csv
# (rooms,people,circuits,metric,p50,p99,max in us; metrics: leave_kill =
# leave -> the leaver's circuits gone from every switch, enter_ready and
# move_ready = event -> every map holds the new state, leave_commit =
# leave -> store committed) and control.png (p99 per metric against the
# building's size). BENCH_SHORT=1: 10 and 30 rooms, 200 events;
# BENCH_EVENTS=M: M timed events a size (default 2000).
set -u
cd "$(dirname "$0")/../.." || exit 1
SHORT=${BENCH_SHORT:-0}
OUT=${BENCH_OUT:-build/bench}
if [ "$SHORT" = 1 ]; then
	SIZES=${*:-10 30} M=${BENCH_EVENTS:-200}
else
	SIZES=${*:-10 100 1000} M=${BENCH_EVENTS:-2000}
fi
P=${BENCH_CTL_PREFIX:-osc$$}
F=$PWD/build/osm-fabric
W=/tmp/$P-control
dpid=

say() { echo "bench: $*" >&2; }

# The online part of one building: unload, namespaces gone, daemon stopped.
down() {
	local ns sw rest
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	dpid=
	# every switch unloaded before any namespace goes (a namespace
	# takes the far ends of its veths with it), then what is left
	if [ -f "$W/load.txt" ]; then
		while read -r ns sw rest; do
			"$F" unload -n "$ns" "$sw" >/dev/null 2>&1
		done <"$W/load.txt"
	fi
	for sw in /sys/fs/bpf/osm/"$P"[cfs]*; do
		[ -d "$sw" ] && "$F" unload "${sw##*/}" >/dev/null 2>&1
	done
	if [ -f "$W/netns.txt" ]; then
		while read -r ns; do
			ip netns del "$ns" 2>/dev/null
		done <"$W/netns.txt"
	fi
	[ -f "$W/daemon.log" ] && cp "$W/daemon.log" "$OUT/control-daemon.log"
	rm -rf "$W"
}
trap down EXIT

# one ROOMS: the building, the online part, the daemon, the events
one() {
	local rooms=$1 people=$(($1 * 10)) ns sw ifs n t0 t1 circuits
	down
	mkdir -p "$W"
	python3 tools/bench/control.py topology "$P" "$rooms" "$people" "$W" ||
		return 1
	t0=$(date +%s.%N)
	"$F" --store "$W/store" topology apply "$W/topology.yaml" >/dev/null ||
		return 1
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	# No IPv6: its address setup would change the links while the
	# daemon reads them.
	while read -r ns; do
		ip netns add "$ns" &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done <"$W/netns.txt"
	ip -batch "$W/online.batch" || return 1
	for f in "$W"/up-*.batch; do
		ns=${f##*/up-}
		ip -n "${ns%.batch}" -batch "$f" || return 1
	done
	while read -r ns sw ifs; do
		# shellcheck disable=SC2086
		"$F" load -n "$ns" "$sw" $ifs >/dev/null || return 1
	done <"$W/load.txt"
	# a veth runs a moment after it is up; the engine takes a port
	# that does not run as down
	for n in $(seq 100); do
		! while read -r ns sw ifs; do ip -n "$ns" -o link 2>/dev/null; done \
			<"$W/load.txt" | grep -v ': lo:' | grep -qv 'state UP' &&
			break
		sleep 0.05
	done
	"$F" --store "$W/store" daemon --socket "$W/sock" --netns-prefix ns- \
		>"$W/daemon.log" 2>&1 &
	dpid=$!
	for n in $(seq 500); do [ -S "$W/sock" ] && break; sleep 0.02; done
	say "control plane: $rooms rooms, $people people: $(wc -l <"$W/load.txt")" \
		"switches online ($(cat "$W/online.txt")), $M timed events"
	python3 tools/bench/control.py drive "$W/sock" "$rooms" "$people" \
		"$M" "$W" >&2 || return 1
	t1=$(date +%s.%N)
	circuits=$("$F" --store "$W/store" -j engine circuits | jq length)
	say "  $circuits circuits; built and ran in" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s"
	python3 tools/bench/control.py summary "$rooms" "$people" "$circuits" \
		"$W" >>"$OUT/control.csv"
}

mkdir -p "$OUT"
echo "rooms,people,circuits,metric,p50,p99,max" >"$OUT/control.csv"
for rooms in $SIZES; do
	one "$rooms" || { say "control plane: $rooms rooms failed" \
		"(daemon log: $(tail -3 "$W/daemon.log" 2>/dev/null))"; exit 1; }
done
down

# p99 of each metric against the building's size (log x)
for m in leave_kill enter_ready move_ready leave_commit; do
	awk -F, -v m="$m" '$4 == m { print $1, $6 }' "$OUT/control.csv" \
		>"$OUT/control-$m.dat"
done
gnuplot <<EOF
set terminal pngcairo size 800,480 noenhanced
set output "$OUT/control.png"
set title "control plane: p99 per event against the building (flat is good)"
set key top left
set logscale x
set xlabel "rooms (10 people and ~100 circuits a room)"
set ylabel "p99, microseconds"
set yrange [0:*]
set grid
set arrow from graph 0, first 1000 to graph 1, first 1000 nohead dt 2
plot for [m in "leave_kill enter_ready move_ready leave_commit"] \
	"$OUT/control-".m.".dat" using 1:2 with linespoints title m
EOF
rm -f "$OUT"/control-*.dat
cat "$OUT/control.csv"
