#!/usr/bin/env bash
# `make bench` in its short mode, so that it cannot rot: it must run, and
# produce numbers, the table and the plots. Targets are the bench's to
# report, not this test's to assert.
. tests/lib.sh
set -u
osm_fixture_init opg
osm_tmpdir out
ns=opgb$$ ctl=osc$$
# bench.sh tears its namespaces and switches down itself (checked at the
# end); should it be killed first, this does.
osm_defer osm_sweep "$ns" "ns-$ctl" "$ctl"
BENCH_SHORT=1 BENCH_OUT=$out BENCH_NS_PREFIX=$ns BENCH_CTL_PREFIX=$ctl \
	tools/bench/bench.sh >"$out/stdout" 2>"$out/stderr"
rc=$?
tap_is "bench.sh exits 0" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$out/stderr" | tail -5
for size in 64 1500; do
	for c in drop redirect osm_forward osm_forward_rated fresh_overhead \
		osm_replay_drop hop_tag_only rung_parse rung_circuit rung_tag \
		rung_state rung_window rung_counters rung_redirect \
		ratio_osm_redirect ratio_rated_redirect; do
		v=$(awk -F, -v s=$size -v c=$c '$1 == s && $2 == c && $3 <= $5 &&
			$4 <= $3 && $6 <= $4 && $5 <= $7 { print $3 }' \
			"$out/testrun.csv" 2>/dev/null)
		tap_ok "test run $c, $size bytes: median '$v' within its spread" \
			awk -v v="$v" 'BEGIN { exit !(v > 0) }'
	done
done
# The ladder's top rung is the switch's forward, part for part.
v=$(awk -F, '$1 == 64 && $2 == "ratio_ladder_osm" { print $3 }' \
	"$out/testrun.csv" 2>/dev/null)
tap_ok "the ladder's top is the switch's forward within 25%: '$v'" \
	awk -v v="$v" 'BEGIN { exit !(v > 0.75 && v < 1.25) }'
tap_ok "table has the parts of the forward" grep -q "+ tag .* + window" \
	"$out/stdout"
for g in 1cpu split; do
	for c in bridge redirect osm; do
		v=$(awk -F, -v g=$g -v c=$c '$1 == g && $2 == 64 && $3 == c {
			print $4 }' "$out/fps.csv" 2>/dev/null)
		tap_ok "veth fps $g $c: '$v'" test -n "$v" -a "${v:-0}" -gt 0
	done
done
v=$(awk -F, '$1 == "1cpu" && $2 == 64 && $3 == "osm_installed" {
	print $4 "," $8 "," $9 }' "$out/fps.csv" 2>/dev/null)
tap_ok "veth fps 1cpu osm_installed (fps, sent over, installed): '$v'" \
	test -n "$v" -a "${v%%,*}" -gt 0 -a "${v#*,}" = "200,2000"
tap_ok "table has the many-circuit verdict" \
	grep -q "installed 2000, over 200 .* many/one >= 0.9x: \(met\|MISSED\)" \
	"$out/stdout"
tap_ok "the live generator made the frames" \
	grep -q "osm-pktgen -m live" "$out/stdout"
tap_ok "table has the test-run ratio" grep -q "osm/redir" "$out/stdout"
tap_ok "table has the veth ratios" grep -q "osm/brdg" "$out/stdout"
for rooms in 10 30; do
	for m in leave_kill enter_ready move_ready leave_commit; do
		v=$(awk -F, -v r=$rooms -v m=$m '$1 == r && $4 == m { print $6 }' \
			"$out/control.csv" 2>/dev/null)
		tap_ok "control plane $m p99, $rooms rooms: '$v' us" \
			test -n "$v" -a "${v:-0}" -gt 0
	done
done
tap_ok "table has the control plane's verdict and flatness" \
	grep -q "target p99 < 1 ms at 30 rooms: leave_kill" "$out/stdout"
for mode in kept archived; do
	v=$(awk -F, -v m=$mode '$1 == m && $2 == 4 { print $4 "," $7 }' \
		"$out/store.csv" 2>/dev/null)
	tap_ok "store, audit log $mode: block 4 p50 and file size: '$v'" \
		test -n "$v" -a "${v%,*}" != 0
done
tap_ok "table has the store's flatness and bound" \
	grep -q "archived store bounded:" "$out/stdout"
for d in testpmd osm-gw; do
	v=$(awk -F, -v d=$d '$1 == d && $2 == 64 { print $3 }' "$out/gw.csv" \
		2>/dev/null)
	tap_ok "gateway row: $d forwards 64-byte frames: '$v' frames/s" \
		test -n "$v" -a "${v:-0}" -gt 0
done
for c in gw_forward gw_forward_rated; do
	v=$(awk -F, -v c=$c '$1 == 64 && $2 == c { print $3 }' \
		"$out/gw-decide.csv" 2>/dev/null)
	tap_ok "gateway decision $c, 64 bytes: '$v' ns" \
		awk -v v="$v" 'BEGIN { exit !(v > 0) }'
done
tap_ok "table has the gateway's ratios" grep -q "gw/testpmd" "$out/stdout"
tap_ok "control plane left no switch pinned" \
	test -z "$(ls /sys/fs/bpf/osm 2>/dev/null | grep "^$ctl")"
for p in testrun fps control; do
	tap_is "$p.png is a PNG" \
		"$(head -c 4 "$out/$p.png" 2>/dev/null | od -An -c | tr -d ' ')" \
		"211PNG"
done
tap_ok "results.csv holds every number" test "$(wc -l <"$out/results.csv")" -ge 72
tap_is "no namespace left behind" \
	"$(ip netns list | grep -cE "^($ns|ns-$ctl|$ctl)")" 0
tap_is "no DPDK runtime folder left behind" \
	"$(ls /run/dpdk 2>/dev/null | grep -c "^$ns")" 0
tap_done
