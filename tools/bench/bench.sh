#!/usr/bin/env bash
# `make bench`: every number side by side in one run, as ratios against
# baselines measured in the same run. Raw numbers (CSV), the table and PNG
# plots go to $BENCH_OUT (default build/bench).
#
#   (1) BPF_PROG_TEST_RUN ns/frame        osm-bench testrun
#   (2) frames/s across veth ports of a switch namespace:
#
#     netns G                 netns S (the switch)              netns K
#     osm-pktgen -> opgPa ==veth== opgPb [osm | redirect | bridge] opgPc
#                                         ==veth== opgPd (XDP_DROP sink,
#                                                  counts rx_packets)
#
#     with the generator (BENCH_GEN_MODE, default live) set up as each of
#     BENCH_GEN_CONFIGS: 1cpu (generator and the whole path on CPU 0),
#     2cpu (live generator on CPUs 0 and 1, each with its own rx queue:
#     one circuit fed from two CPUs), split (generator on CPU 0, the
#     switch port's NAPI thread on CPU 1), 1cpu-many and 2cpu-many (as
#     1cpu and 2cpu, traffic over BENCH_MANY circuits, each generating
#     CPU its own: osm-pktgen --spread). 1cpu also runs osm with
#     BENCH_INSTALLED circuits installed and traffic over
#     BENCH_INSTALLED_SENT of them (osm_installed), taking turns with the
#     one-circuit osm it is compared with.
#   (3) the control plane                 tools/bench/control.sh
#   (4) the store over a long life        tools/bench/store.sh
#   (5) osm-gw against dpdk-testpmd io    tools/bench/gw.sh
#       forwarding, and its per-frame decision against the switch's (1)
#
# BENCH_SHORT=1: a smoke run for `make check` (short durations, 64 B only).
# BENCH_ROWS="2 5": only those rows (default all: 1 2 3 4 5).
# BENCH_MANY, BENCH_INSTALLED, BENCH_INSTALLED_SENT: row (2)'s circuit
# counts (default 1000, 100000, 10000; short 100, 2000, 200).
set -euo pipefail
cd "$(dirname "$0")/../.."

SHORT=${BENCH_SHORT:-0}
OUT=${BENCH_OUT:-build/bench}
GEN_MODE=${BENCH_GEN_MODE:-live}
if [ "$SHORT" = 1 ]; then
	TR_ROUNDS=3 DUR=1 ROUNDS=1 SIZES="64" REPEAT=${BENCH_REPEAT:-100000}
	GEN_CONFIGS=${BENCH_GEN_CONFIGS:-1cpu split}
	MANY=${BENCH_MANY:-100} INSTALLED=${BENCH_INSTALLED:-2000}
	INST_SENT=${BENCH_INSTALLED_SENT:-200}
else
	TR_ROUNDS=${BENCH_TESTRUN_ROUNDS:-41} DUR=${BENCH_SECONDS:-3}
	REPEAT=${BENCH_REPEAT:-200000}
	ROUNDS=${BENCH_ROUNDS:-3} SIZES="64 1500"
	GEN_CONFIGS=${BENCH_GEN_CONFIGS:-1cpu 1cpu-many 2cpu 2cpu-many split}
	MANY=${BENCH_MANY:-1000} INSTALLED=${BENCH_INSTALLED:-100000}
	INST_SENT=${BENCH_INSTALLED_SENT:-10000}
fi
ROWS=${BENCH_ROWS:-1 2 3 4 5}
for r in $ROWS; do
	case $r in
	[1-5]) ;;
	*) echo "bench: BENCH_ROWS: numbers of rows, 1 to 5" >&2; exit 1 ;;
	esac
done
row() { [[ " $ROWS " == *" $1 "* ]]; }
for gc in $GEN_CONFIGS; do
	case $gc in
	1cpu | split | 1cpu-many) ;;
	2cpu | 2cpu-many) [ "$GEN_MODE" = live ] || {
		echo "bench: BENCH_GEN_CONFIGS $gc needs BENCH_GEN_MODE=live" >&2
		exit 1; } ;;
	*) echo "bench: unknown generator config '$gc'" \
		"(1cpu 1cpu-many 2cpu 2cpu-many split)" >&2
	   exit 1 ;;
	esac
done
# circuit_count NAME VALUE MIN: circuits, MIN..131072 (a switch's most).
circuit_count() {
	[[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le 131072 ] || {
		echo "bench: $1 '$2' is not in $3..131072" >&2; exit 1; }
}
circuit_count BENCH_MANY "$MANY" 2
circuit_count BENCH_INSTALLED_SENT "$INST_SENT" 2
circuit_count BENCH_INSTALLED "$INSTALLED" "$INST_SENT"
PG=build/osm-pktgen
OB=build/osm-bench
P=${BENCH_NS_PREFIX:-opg$$}
G=${P}g S=${P}s K=${P}k

mkdir -p "$OUT"
cleanup() {
	for ns in "$G" "$S" "$K"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -f "${sf:-}"
}
trap cleanup EXIT

say() { echo "bench: $*" >&2; }

# ---- (1) BPF_PROG_TEST_RUN --------------------------------------------------
if row 1; then
	say "BPF_PROG_TEST_RUN, repeat $REPEAT, $TR_ROUNDS rounds"
	$OB testrun --repeat "$REPEAT" --rounds "$TR_ROUNDS" >"$OUT/testrun.csv"
fi

# ---- (2) frames per second across veth -------------------------------------
if row 2; then
	for ns in "$G" "$S" "$K"; do
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add "${P}a" netns "$G" type veth peer name "${P}b" netns "$S"
	ip link add "${P}c" netns "$S" type veth peer name "${P}d" netns "$K"
	# Two rx queues on the switch's port and the sink (set before any XDP):
	# frames sent on CPU n land in queue n, polled on CPU n, as with RSS; so
	# two generating CPUs never share a ring. GRO on the switch's port gives
	# it NAPI without XDP (the bridge), which XDP_TX frames need.
	ip netns exec "$S" ethtool -L "${P}b" rx 2
	ip netns exec "$K" ethtool -L "${P}d" rx 2
	ip netns exec "$S" ethtool -K "${P}b" gro on >/dev/null
	ip -n "$G" link set "${P}a" up
	ip -n "$S" link set "${P}b" up
	ip -n "$S" link set "${P}c" up
	ip -n "$K" link set "${P}d" up
	src=$(ip -n "$G" -j link show "${P}a" | jq -r '.[0].address')
	dst=$(ip -n "$K" -j link show "${P}d" | jq -r '.[0].address')
	# the circuits' parent secret, in a key file (mode 0600; never in argv)
	sf=$(mktemp /tmp/$P.secret.XXXXXX)
	head -c 32 /dev/urandom >"$sf"
	ip netns exec "$K" $OB attach sink --in "${P}d"

	rx() { ip -n "$K" -j -s link show "${P}d" | jq '.[0].stats64.rx.packets'; }

	# Mean ns per frame of the XDP program on the switch's ingress port, from
	# the kernel's own accounting (on while `osm-bench with-stats` runs the
	# generator).
	xdp_ns() {
		local id
		id=$(ip -n "$S" -j link show "${P}b" | jq '.[0].xdp.prog.id // empty')
		[ -n "$id" ] || { echo 0; return; }
		bpftool prog show id "$id" -j |
			jq 'if .run_cnt > 0 then .run_time_ns / .run_cnt else 0 end'
	}

	# The modes of a generator config, in the order they take turns.
	modes_of() {
		case $1 in
		1cpu) echo bridge redirect osm osm_installed ;;
		*-many) echo redirect osm ;;
		*) echo bridge redirect osm ;;
		esac
	}

	# circuits_of CONFIG MODE: circuits the generator sends over, and
	# circuits the switch holds.
	circuits_of() {
		case $1/$2 in
		*/osm_installed) echo "$INST_SENT $INSTALLED" ;;
		*-many/*) echo "$MANY $MANY" ;;
		*) echo "1 1" ;;
		esac
	}

	# setup MODE CONFIG
	setup() {
		local n m
		read -r n m <<<"$(circuits_of "$2" "$1")"
		case $1 in
		osm | osm_installed)
			ip netns exec "$S" $OB attach osm --in "${P}b" --out "${P}c" \
				--src "$src" --dst "$dst" --secret-file "$sf" \
				--circuit 1 --epoch 1 --circuits "$n" --installed "$m" ;;
		redirect)
			ip netns exec "$S" $OB attach redirect --in "${P}b" \
				--out "${P}c" --dst "$dst" ;;
		bridge)
			ip -n "$S" link add "${P}br" type bridge
			ip -n "$S" link set "${P}b" master "${P}br"
			ip -n "$S" link set "${P}c" master "${P}br"
			ip -n "$S" link set "${P}br" up
			bridge -n "$S" fdb add "$dst" dev "${P}c" master static ;;
		esac
	}

	# split: the switch port's NAPI runs in kernel threads pinned to CPU 1,
	# away from the generator on CPU 0 (NAPI instances exist once XDP or the
	# bridge is set up, so this comes after setup).
	napi_threads() {
		local pid on=0
		[ "$1" = split ] && on=1
		ip netns exec "$S" sh -c "echo $on >/sys/class/net/${P}b/threaded"
		[ "$on" = 1 ] || return 0
		for pid in $(pgrep "^napi/${P}b-"); do
			taskset -pc 1 "$pid" >/dev/null
		done
	}

	teardown() {
		ip -n "$S" link set "${P}b" xdp off
		ip -n "$S" link set "${P}c" xdp off
		ip -n "$S" link del "${P}br" 2>/dev/null || true
	}

	# The generator's command line for a config and mode. Over several
	# circuits each generating CPU sends its own (--spread), as a NIC's
	# RSS spreads flows over queues.
	gen_args() {
		local n cpus=0
		read -r n _ <<<"$(circuits_of "$1" "$2")"
		case $1 in 2cpu*) cpus=0,1 ;; esac
		if [ "$GEN_MODE" != live ]; then
			echo "-m $GEN_MODE -C $n"
		elif [ "$n" -gt 1 ]; then
			echo "-m live --cpus $cpus -C $n --spread"
		else
			echo "-m live --cpus $cpus -C 1"
		fi
	}

	# The modes take turns, ROUNDS times, and each keeps its median: this
	# machine's rate drifts by tens of percent over seconds (2 shared vCPUs).
	: >"$OUT/fps-runs.csv"
	for gc in $GEN_CONFIGS; do
		for size in $SIZES; do
			for round in $(seq "$ROUNDS"); do
				for mode in $(modes_of "$gc"); do
					read -r nc ni <<<"$(circuits_of "$gc" "$mode")"
					[[ $mode == osm* ]] || ni=0
					say "veth fps: $mode, $gc, $size-byte frames," \
						"$nc circuit(s), $DUR s (round $round/$ROUNDS)"
					setup "$mode" "$gc"
					napi_threads "$gc"
					before=$(rx)
					# shellcheck disable=SC2046
					json=$($OB with-stats ip netns exec "$G" \
						$PG -i "${P}a" $(gen_args "$gc" "$mode") \
						-d "$DUR" -s "$size" --secret-file "$sf" \
						-c 1 -e 1 --dst "$dst" --quiet -j)
					sleep 0.2
					after=$(rx)
					xns=$(xdp_ns)
					teardown
					awk -v gc="$gc" -v s="$size" -v m="$mode" \
						-v n=$((after - before)) \
						-v t="$(jq .seconds <<<"$json")" \
						-v g="$(jq .pps <<<"$json")" -v x="$xns" \
						-v e="$(jq .errors <<<"$json")" \
						-v nc="$nc" -v ni="$ni" 'BEGIN {
						printf "%s,%s,%s,%.0f,%.0f,%.1f,%d,%d,%d\n",
							gc, s, m, n / t, g, x, e, nc, ni }' \
						>>"$OUT/fps-runs.csv"
				done
			done
		done
	done
	napi_threads off
	hdr=gen,size,case,fps,gen_pps,xdp_ns,refused,circuits,installed
	echo "$hdr" >"$OUT/fps.csv"
	for gc in $GEN_CONFIGS; do
		for size in $SIZES; do
			for mode in $(modes_of "$gc"); do
				awk -F, -v gc="$gc" -v s="$size" -v m="$mode" \
					'$1 == gc && $2 == s && $3 == m' \
					"$OUT/fps-runs.csv" | sort -t, -k4,4n |
					awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'
			done
		done
	done >>"$OUT/fps.csv"
	sed -i "1i $hdr" "$OUT/fps-runs.csv"
fi

# ---- (3) the control plane (tools/bench/control.sh) --------------------------
if row 3; then
	BENCH_OUT=$OUT tools/bench/control.sh >/dev/null
fi

# ---- (4) the store over a long life (tools/bench/store.sh) -------------------
if row 4; then
	BENCH_OUT=$OUT tools/bench/store.sh
fi

# ---- (5) the gateway against dpdk-testpmd (tools/bench/gw.sh) ----------------
if row 5; then
	BENCH_OUT=$OUT BENCH_NS_PREFIX=$P tools/bench/gw.sh
fi

# ---- the table ---------------------------------------------------------------
{
	echo "bench,size,case,value,unit"
	if row 1; then
		awk -F, 'NR > 1 { u = $2 ~ /^ratio_/ ? "x" : "ns"
				  print "testrun," $1 "," $2 "," $3 "," u
				  if ($2 ~ /^ratio_/) {
					print "testrun," $1 "," $2 "_q1," $4 "," u
					print "testrun," $1 "," $2 "_q3," $5 "," u
					print "testrun," $1 "," $2 "_min," $6 "," u
					print "testrun," $1 "," $2 "_max," $7 "," u } }' \
			"$OUT/testrun.csv"
	fi
	if row 2; then
		awk -F, 'NR > 1 { b = "veth_" $1
				  print b "," $2 "," $3 "," $4 ",fps"
				  print b "," $2 ",generator_" $3 "," $5 ",pps"
				  print b "," $2 ",xdp_ns_" $3 "," $6 ",ns"
				  print b "," $2 ",refused_" $3 "," $7 ",frames" }' \
			"$OUT/fps.csv"
	fi
	if row 3; then
		awk -F, 'NR > 1 { print "control," $1 ",people," $2 ",count"
				  print "control," $1 ",circuits," $3 ",count"
				  print "control," $1 "," $4 "_p50," $5 ",us"
				  print "control," $1 "," $4 "_p99," $6 ",us"
				  print "control," $1 "," $4 "_max," $7 ",us" }' \
			"$OUT/control.csv"
	fi
	if row 4; then
		awk -F, 'NR > 1 { b = "store_" $1; k = "," $3 ","
				  print b k "p50," $4 ",us"; print b k "p99," $5 ",us"
				  print b k "max," $6 ",us"
				  print b k "file," $7 ",bytes"
				  print b k "records," $9 ",count"
				  print b k "archive," $10 ",ms" }' "$OUT/store.csv"
	fi
	if row 5; then
		awk -F, 'NR > 1 { print "gw," $2 "," $1 "," $3 ",fps"
				  print "gw," $2 ",generator_" $1 "," $4 ",pps"
				  print "gw," $2 ",lcore_cpu_" $1 "," $5 ",share" }' \
			"$OUT/gw.csv"
		awk -F, 'NR > 1 { print "gw_decide," $1 "," $2 "," $3 ",ns" }' \
			"$OUT/gw-decide.csv"
		awk -F, 'NR > 1 { print "gw_xdp," $1 "," $2 "," $3 ",ns" }' \
			"$OUT/gw-xdp.csv"
	fi
} >"$OUT/results.csv"

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, kernel $(uname -r)"
gwpmd='' gwrepeat='' gwrounds=''
row 5 && read -r gwpmd gwrepeat gwrounds <"$OUT/gw-params.txt"
awk -F, -v machine="$machine" -v dur="$DUR" -v gm="$GEN_MODE" -v gcs="$GEN_CONFIGS" \
	-v many="$MANY" -v inst="$INSTALLED" -v isent="$INST_SENT" \
	-v repeat="$REPEAT" -v trials="$TR_ROUNDS" -v sizes="64 1500" -v rounds="$ROUNDS" \
	-v rows="$ROWS" -v gwpmd="$gwpmd" -v gwrepeat="$gwrepeat" \
	-v gwrounds="$gwrounds" '
function ratio(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "n/a" }
function spread(k) { return sprintf("%.2fx [%.2f-%.2f, %.2f-%.2f]", v[k], v[k "_q1"],
	v[k "_q3"], v[k "_min"], v[k "_max"]) }
function sel(n) { return index(" " rows " ", " " n " ") > 0 }
function verdict(ok) { return ok ? "met" : "MISSED" }
function judge(stats, ok) { return stats == 1 ? "not judged (stats on)" : verdict(ok) }
NR > 1 { v[$1 "," $2 "," $3] = $4 }
$1 == "control" && !(("c," $2) in v) { v["c," $2]; cs[++ncs] = $2 }
END {
	ns = split(sizes, sz, " ")
	printf "osm-fabric bench, one run: %s\n", machine
	for (i = 1; i <= ns; i++)
		if (v["testrun," sz[i] ",stats_on"] == 1)
			stats_on = 1
	if (sel(1)) {
		printf "\n(1) BPF_PROG_TEST_RUN, ns/frame (repeat %d, %d rounds, every case once a round, in turn;\n", repeat, trials
		printf "    ns: medians over the rounds; ratios: the median of the rounds'"'"' own ratios [q1-q3, min-max])\n"
		printf "    %-12s %6s %8s %9s %6s %6s %24s %24s\n", "size",
			"drop", "hop tag", "redirect", "osm", "rated",
			"osm/redir", "rated/redir"
	}
	for (i = 1; i <= ns; i++) {
		s = sz[i]; t = "testrun," s ","
		if (!((t "drop") in v))
			continue
		st = v[t "stats_on"]
		o = v[t "ratio_osm_redirect"]; q = v[t "ratio_rated_redirect"]
		printf "    %-12s %6.0f %8.0f %9.0f %6.0f %6.0f %24s %24s  target <= 2x: %s, %s\n",
			s " bytes", v[t "drop"], v[t "hop_tag_only"],
			v[t "redirect"], v[t "osm_forward"],
			v[t "osm_forward_rated"], spread(t "ratio_osm_redirect"),
			spread(t "ratio_rated_redirect"), judge(st, o <= 2),
			judge(st, q <= 2)
		printf "    %-12s floor %.0f + parse %.0f + circuit %.0f + tag %.0f + state %.0f + window %.0f + counters %.0f + redirect %.0f = %.0f (the switch: %.0f)\n",
			"  where", v[t "drop"], v[t "parse"], v[t "circuit"],
			v[t "hop_tag_only"], v[t "state"], v[t "window"],
			v[t "counters"], v[t "redirect_part"], v[t "rung_redirect"],
			v[t "osm_forward"]
	}
	if (sel(1)) {
		printf "    (osm: an unlimited circuit without a lease; rated: with a rate and a lease, as the engine installs them;\n"
		printf "    where: the forward built up part by part (tools/bench/bench.bpf.c), each part a rung less the one below)\n"
		if (stats_on)
			printf "    NOTE: BPF run-time stats were on during (1) (another process), adding ~40 ns to every number: rerun on a quiet machine\n"
	}
	if (sel(2)) {
		printf "\n(2) veth frames/s through the switch netns (osm-pktgen -m %s, median of %d x %s s)\n", gm, rounds, dur
		printf "    generator: 1cpu = it and the whole path on CPU 0; 2cpu = on CPUs 0 and 1, a queue each (one circuit fed\n"
		printf "    from two CPUs: reported, no target); split = it on CPU 0, the switch port polled on CPU 1 (refused: frames\n"
		printf "    it out-ran the switch by); 1cpu-many, 2cpu-many = as 1cpu, 2cpu over %d circuits, each CPU its own\n", many
		printf "    (osm-pktgen --spread; redirect: the same frames, one MAC); installed: osm holding %d circuits, traffic\n", inst
		printf "    over %d, taking turns with 1cpu'"'"'s modes, against its one circuit (many/one)\n", isent
		printf "    %-34s %10s %10s %10s %8s %8s\n", "generator, size",
			"bridge", "redirect", "osm", "osm/redir", "osm/brdg"
	}
	ngc = split(gcs, gc, " ")
	for (j = 1; j <= ngc; j++) for (i = 1; i <= ns; i++) {
		s = sz[i]; k = "veth_" gc[j] "," s ","
		if (!((k "osm") in v))
			continue
		r = v[k "redirect"]; o = v[k "osm"]
		hb = (k "bridge") in v; b = v[k "bridge"]
		if (!hb)
			tg = sprintf("target >= 0.9x: %s", verdict(o >= 0.9 * r))
		else if (gc[j] == "2cpu")
			tg = sprintf("reported; >= 3x: %s", verdict(o >= 3 * b))
		else
			tg = sprintf("targets >= 0.9x: %s, >= 3x: %s",
				     verdict(o >= 0.9 * r), verdict(o >= 3 * b))
		printf "    %-34s %10s %10d %10d %8s %8s  %s\n",
			gc[j] ", " s " bytes", hb ? sprintf("%d", b) : "-", r, o,
			ratio(o, r), hb ? ratio(o, b) : "-", tg
		printf "    %-34s %10s %10.0f %10.0f %8s  (live, kernel bpf_stats)\n",
			"  XDP program ns/frame", "-", v[k "xdp_ns_redirect"],
			v[k "xdp_ns_osm"], ratio(v[k "xdp_ns_osm"], v[k "xdp_ns_redirect"])
		if (v[k "refused_bridge"] + v[k "refused_redirect"] + v[k "refused_osm"] > 0)
			printf "    %-34s %10s %10d %10d\n", "  refused at the switch port",
				hb ? sprintf("%d", v[k "refused_bridge"]) : "-",
				v[k "refused_redirect"], v[k "refused_osm"]
		if (!((k "osm_installed") in v))
			continue
		m = v[k "osm_installed"]
		printf "    %-34s %10s %10s %10d %8s %8s  many/one >= 0.9x: %s\n",
			sprintf("  installed %d, over %d", inst, isent), "-", "-",
			m, ratio(m, o), "", verdict(m >= 0.9 * o)
		printf "    %-34s %10s %10s %10.0f %8s  (many/one)\n",
			"    XDP program ns/frame", "-", "-", v[k "xdp_ns_osm_installed"],
			ratio(v[k "xdp_ns_osm_installed"], v[k "xdp_ns_osm"])
		if (v[k "refused_osm_installed"] > 0)
			printf "    %-34s %10s %10s %10d\n", "    refused at the switch port",
				"-", "-", v[k "refused_osm_installed"]
	}
	nm = split("leave_kill enter_ready move_ready leave_commit", cm, " ")
	if (sel(3)) {
		printf "\n(3) control plane, presence event -> maps (through the daemon, real map writes), p50/p99/max us\n"
		printf "    %-34s", "rooms, people, circuits"
		for (j = 1; j <= nm; j++)
			printf " %18s", cm[j]
		printf "\n"
	}
	for (i = 1; i <= ncs; i++) {
		c = "control," cs[i] ","
		printf "    %-34s", sprintf("%d, %d, %d", cs[i], v[c "people"],
			v[c "circuits"])
		for (j = 1; j <= nm; j++)
			printf " %18s", v[c cm[j] "_p50"] "/" v[c cm[j] "_p99"] "/" v[c cm[j] "_max"]
		printf "\n"
	}
	if (ncs) {
		lg = "control," cs[ncs] ","; sm = "control," cs[1] ","
		printf "    %-34s", "p99 at " cs[ncs] " / at " cs[1] " rooms"
		for (j = 1; j <= nm; j++)
			printf " %18s", ratio(v[lg cm[j] "_p99"], v[sm cm[j] "_p99"])
		printf "\n    target p99 < 1 ms at %d rooms:", cs[ncs]
		for (j = 1; j <= 3; j++)
			printf " %s %s%s", cm[j], verdict(v[lg cm[j] "_p99"] < 1000),
				j < 3 ? "," : "\n"
		printf "    (leave_commit waits for the store'"'"'s fsync: not under the target)\n"
	}
	if (sel(4)) {
		printf "\n(4) the store over a long life: presence events in-process (no fsync, switches offline), p50/p99 us and store file size\n"
		printf "    %-10s %22s %22s %10s %14s %14s %12s\n", "audit log",
			"first block p50/p99", "last block p50/p99",
			"p50 last/first", "file, first", "file, last",
			"records kept"
	}
	for (m = 1; m <= 2; m++) {
		mode = m == 1 ? "kept" : "archived"
		first = ""; second = ""; last = ""
		for (k in v) {
			split(k, f, ",")
			if (f[1] != "store_" mode || f[3] != "p50")
				continue
			if (first == "" || f[2] + 0 < first + 0) first = f[2]
			if (last == "" || f[2] + 0 > last + 0) last = f[2]
		}
		for (k in v) {
			split(k, f, ",")
			if (f[1] == "store_" mode && f[3] == "p50" &&
			    f[2] + 0 > first + 0 &&
			    (second == "" || f[2] + 0 < second + 0))
				second = f[2]
		}
		if (first == "")
			continue
		a = "store_" mode "," first ","; z = "store_" mode "," last ","
		printf "    %-10s %22s %22s %10s %14d %14d %12d\n", mode,
			v[a "p50"] "/" v[a "p99"] " (" first ")",
			v[z "p50"] "/" v[z "p99"] " (" last ")",
			ratio(v[z "p50"], v[a "p50"]), v[a "file"], v[z "file"],
			v[z "records"]
		if (mode == "archived" && second != "" && last > second) {
			b = "store_" mode "," second ","
			g = (v[z "file"] - v[b "file"]) / (last - second) * 100000
			printf "    targets: p50 flat (last/first <= 1.2x): %s; archived store bounded: %s (from the second block on, grows %.0f bytes per 100,000 events)\n",
				verdict(v[z "p50"] <= 1.2 * v[a "p50"]),
				verdict(g < 1e6), g
		}
	}
	if (!sel(5))
		exit
	printf "\n(5) osm-gw against dpdk-testpmd --forward-mode=io on the same vdevs (net_%s on veth), frames/s (median of %d x %s s)\n", gwpmd, rounds, dur
	printf "    osm-gw: a remote circuit, each frame decided, encapsulated (UDP/IPv4) and sealed (ChaCha20-Poly1305);\n"
	printf "    each one lcore on CPU 1, osm-pktgen -m live on CPU 0\n"
	printf "    %-34s %10s %10s %10s %20s %12s\n", "size", "testpmd",
		"osm-gw", "gw/testpmd", "offered testpmd/gw", "lcore CPU"
	for (i = 1; i <= ns; i++) {
		s = sz[i]; k = "gw," s ","
		if (!((k "osm-gw") in v))
			continue
		t = v[k "testpmd"]; o = v[k "osm-gw"]
		ct = v[k "lcore_cpu_testpmd"]; co = v[k "lcore_cpu_osm-gw"]
		# a lcore that had less than 90% of its CPU: the machine'"'"'s rate
		b = (ct > 0 && ct < 0.9) || (co > 0 && co < 0.9)
		busy += b
		printf "    %-34s %10d %10d %10s %20s %12s", s " bytes", t, o,
			ratio(o, t), sprintf("%d/%d", v[k "generator_testpmd"],
					     v[k "generator_osm-gw"]),
			sprintf("%.0f%%/%.0f%%", 100 * ct, 100 * co)
		if (s == 64)
			printf "  target >= 0.8x at 64 bytes: %s",
				b ? "not judged (CPU 1 busy)" : verdict(o >= 0.8 * t)
		printf "\n"
	}
	printf "    (offered: frames/s the generator sent each; lcore CPU: the share of CPU 1 each DUT'"'"'s lcore had)\n"
	if (busy)
		printf "    NOTE: a DUT'"'"'s lcore had less than 90%% of CPU 1 (other processes ran there): rerun on a quiet machine\n"
	printf "    per-frame decision, ns/frame (repeat %d, median of %d x 3 trials, the two taking turns on CPU 1):\n", gwrepeat, gwrounds
	printf "    the XDP switch under BPF_PROG_TEST_RUN (as in (1)), osm-gw'"'"'s gw_frame on frames in memory\n"
	printf "    %-34s %10s %10s %10s %10s %10s %10s\n", "size", "xdp",
		"osm-gw", "gw/xdp", "xdp rated", "gw rated", "gw/xdp"
	for (i = 1; i <= ns; i++) {
		s = sz[i]; k = "gw_decide," s ","
		if (!((k "gw_forward") in v))
			continue
		x = v["gw_xdp," s ",osm_forward"]; g = v[k "gw_forward"]
		xr = v["gw_xdp," s ",osm_forward_rated"]
		if (v["gw_xdp," s ",stats_on"] == 1)
			gw_stats_on = 1
		gr = v[k "gw_forward_rated"]
		printf "    %-34s %10d %10.1f %10s %10d %10.1f %10s\n",
			s " bytes", x, g, ratio(g, x), xr, gr, ratio(gr, xr)
	}
	if (gw_stats_on)
		printf "    NOTE: BPF run-time stats were on during the test run (another process): the xdp columns are ~40 ns high\n"
}' "$OUT/results.csv" | tee "$OUT/table.txt"

# ---- plots -----------------------------------------------------------------
# plot PNG TITLE YLABEL YFORMAT PREFIX SIZES [GNUPLOT]: bars from
# PREFIX-SIZE.dat; GNUPLOT: more settings.
plot() {
	gnuplot <<-EOF
	set terminal pngcairo size 800,480 noenhanced
	set key top left
	set output "$1"
	set title "$2"
	set style data histograms
	set style fill solid 0.8 border -1
	set boxwidth 0.8
	set ylabel "$3"
	set yrange [0:*]
	set grid ytics
	set format y "$4"
	${7:-}
	plot for [s in "$6"] "$5-".s.".dat" using 2:xtic(1) title s." bytes"
	EOF
}
wrote="$OUT/results.csv, $OUT/table.txt"
if row 1; then
	tsizes=$(cut -d, -f1 "$OUT/testrun.csv" | tail -n +2 | sort -un | tr '\n' ' ')
	for s in $tsizes; do
		awk -F, -v s="$s" '$1 == s && ($2 == "drop" || $2 == "hop_tag_only" ||
			$2 == "redirect" || $2 ~ /^osm_forward/) { print $2, $3 }' \
			"$OUT/testrun.csv" >"$OUT/testrun-$s.dat"
	done
	plot "$OUT/testrun.png" "ns/frame under BPF_PROG_TEST_RUN (lower is better)" \
		"ns per frame" "%g" "$OUT/testrun" "$tsizes"
	wrote="$wrote, $OUT/testrun.png"
fi
if row 2; then
	for s in $SIZES; do
		# Short labels (1c-osm: 1cpu, osm; 2cm: 2cpu-many; osm-i:
		# osm_installed) so that the bars fit.
		awk -F, -v s="$s" '$2 == s { g = $1; sub(/cpu/, "c", g)
			sub(/-many$/, "m", g); sub(/^split$/, "sp", g)
			c = $3; sub(/_installed$/, "-i", c); print g "-" c, $4 }' \
			"$OUT/fps.csv" >"$OUT/fps-$s.dat"
	done
	plot "$OUT/fps.png" \
		"frames/s across veth ports of the switch netns (higher is better)" \
		"frames per second" "%.1s%c" "$OUT/fps" "$SIZES" \
		"set xtics rotate by -40 scale 0"
	wrote="$wrote, $OUT/fps.png"
fi
rm -f "$OUT"/*.dat
say "wrote $wrote"
