#!/usr/bin/env bash
# Link state: the daemon watches every switch's ports (libmnl). The
# display's link goes down: every circuit through its port is marked down
# on every switch of its path (ana's 3-hop circuit dies at r102, where it
# enters, as egress_down), circuits made while it is down are made down,
# the rest is untouched; it comes up: they are back and deliver.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-link
S=/tmp/$P.sock
. tools/building-lib.sh
trap bld_teardown EXIT
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon || { echo "not ok 1 - daemon starts"; exit 1; }
ev() { bld_person "$1" --socket "$S" "${@:2}" >/dev/null; }
tap_ok "ana enters r101" ev enter ana r101

macs=$(while read -r n _ _ _ m; do
	[ -n "$n" ] && printf 's/%s/%s/g;' "$m" "$n"; done <<<"$BLD_DEVICES")
# "SRC>DST" of the circuits marked down on switch $1, sorted.
downs() {
	"$F" -j circuit list -n "$(bld_swns "$1")" "$(bld_sw "$1")" |
		jq -r '.[] | select(.flags | index("down")) |
			"\(.src)>\(.dst)"' | sed "$macs" | sort | tr '\n' ' '
}
# wait_for SWITCH WANT: until downs SWITCH is WANT (3 s at most).
wait_for() {
	for _ in $(seq 60); do
		[ "$(downs "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

tap_is "all links up: nothing down" "$(downs r101)$(downs core)$(downs r102)" ""
ip -n "$(bld_devns display)" link set dev eth0 down
tap_ok "display's link down: r101 marks its two circuits down" \
	wait_for r101 "ana.laptop>display mic>display "
tap_is "the core too (ana's circuit crosses it)" "$(downs core)" \
	"ana.laptop>display "
tap_is "and r102, where ana's circuit enters" "$(downs r102)" \
	"ana.laptop>display "
tap_is "events: one link-down event for r101/p2, 2 circuits" \
	"$("$F" events --socket "$S" -n 1 --json |
	jq -r '.[0] | "\(.event) \(.from) \(.room) \(.removed)"')" \
	"link-down $(bld_sw r101) p2 2"
c=$(bld_circuit ana.laptop display)
e0=$("$F" -j stats -n "$(bld_swns r102)" "$(bld_sw r102)" |
	jq '.drops.egress_down')
bld_send ana.laptop "$c" --count 4
e1=$("$F" -j stats -n "$(bld_swns r102)" "$(bld_sw r102)" |
	jq '.drops.egress_down')
tap_is "ana's frames die at r102 as egress_down" "$((e1 - e0))" 4
tap_is "status counts them" "$("$F" -j status -n "$(bld_swns r101)" \
	"$(bld_sw r101)" | jq '.[0].circuits_down')" 2
tap_ok "bob enters r101 while it is down" ev enter bob r101
tap_is "bob's circuit to the display is made down" "$(downs r101)" \
	"ana.laptop>display bob.phone>display mic>display "
verify() {
	bld_osm engine verify --netns-prefix "$BLD_NETNS_PREFIX" >/dev/null
}
tap_ok "engine verify (another process) agrees" verify

ip -n "$(bld_devns display)" link set dev eth0 up
tap_ok "display's link up: nothing down on r101" wait_for r101 ""
tap_is "nor on the core and r102" "$(downs core)$(downs r102)" ""
bld_recv display "$c" --count 3 --timeout 3000 >/tmp/$P.rx &
rx=$!
sleep 0.2
bld_send ana.laptop "$c" --seq 10 --count 3
wait $rx
tap_is "ana's frames arrive again" "$(grep -c '^ok' /tmp/$P.rx)" 3
tap_is "events: link-up r101/p2, 3 circuits" \
	"$("$F" events --socket "$S" -n 1 --json |
	jq -r '.[0] | "\(.event) \(.room) \(.added)"')" "link-up p2 3"
tap_ok "the daemon logged both" \
	bash -c "grep -q 'link-down $(bld_sw r101)/p2: 2 circuits down' /tmp/$P.log &&
		 grep -q 'link-up $(bld_sw r101)/p2: 3 circuits up' /tmp/$P.log"
tap_done
