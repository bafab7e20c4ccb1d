#!/usr/bin/env bash
# `make demo`: a small building in network namespaces (two rooms with
# their switches, a core switch, seven host devices (osm-endpoint join), a
# door sensor that is firmware in QEMU, the daemon as controller; every
# device on the control protocol, every key delivered by it) and a
# scripted morning after the OSMOSE scenario: people arrive, meet in a
# room, one leaves, the rest continue, everyone leaves. Prints each event
# with the circuits and keys it changed and the microseconds it took,
# shows the leaver's frames dropped, prints the switches' counters, and
# checks itself: it exits 1 if the maps ever differ from the store, a
# leaver's frame passes, a frame of a surviving circuit is lost, or a
# KEY_UPDATE is not ACKed.
# --short: the same checks, less talk (make check). Cleans up; can run
# twice in a row.
set -u
cd "$(dirname "$0")/.." || exit 1
SHORT=0
[ "${1:-}" = --short ] && SHORT=1

P=oen$$
D=/tmp/$P-demo
BLD_FW=door
. tools/building-lib.sh
FAILED=0
trap bld_teardown EXIT

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
talk() { [ $SHORT = 1 ] || "$@"; }
fail() { echo "DEMO CHECK FAILED: $*"; FAILED=$((FAILED + 1)); }
verify() {
	bld_osm engine verify --netns-prefix "$BLD_NETNS_PREFIX" >/tmp/$P.v ||
		{ fail "maps differ from the store after $1"; cat /tmp/$P.v; }
}
stat() {	# stat ROOM REASON
	"$F" -j stats -n "$(bld_swns "$1")" "$(bld_sw "$1")" |
		jq ".drops.$2"
}
# at TIME WHAT -- person ARGS: one event, printed with its changes.
at() {
	local when=$1 what=$2
	shift 2
	say "$when  $what"
	bld_person "$@" | tee -a /tmp/$P.events | sed 's/^/  /' ||
		fail "event $* refused"
	verify "$*"
}

cat <<'EOF'
osm-fabric building demo: people move, circuits and keys follow.

                   controller (osm-fabric daemon --ctl)
                        |
                 core switch
                /           \
   room r101 switch          room r102 switch
   mic display speaker       sensor lamp ana.laptop
   bob.phone door (firmware)

Devices are namespaces with `osm-endpoint join` on eth0, but the door: a
Cortex-M3 image in QEMU; all are provisioned from the building's store,
join the controller and take their keys from it (no key by hand). The
door reports badges to the controller. A device named PERSON.THING is that
person's. A room has circuits between its devices
while someone is in it (its "room group", rekeyed whenever its people
change); a person has circuits between their devices and the devices of
the room they are in, keyed by their session key (docs/engine.md).
EOF
say "building the building (namespaces, switches: $P-*, ns-$P-*)"
bld_up || { echo "demo: cannot build the namespaces"; exit 1; }
talk bld_osm topology show | sed 's/^/  /'
say "the controller starts; the door's firmware boots and joins"
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	{ echo "demo: the daemon does not start"; exit 1; }
head -1 /tmp/$P.log | sed 's/^/  /'
bld_fw_boot door door || { echo "demo: cannot boot the door"; exit 1; }
HOSTS="mic display speaker bob.phone sensor lamp ana.laptop"
for dev in $HOSTS; do
	bld_ep_join "$dev" || { echo "demo: cannot start $dev"; exit 1; }
done
bld_fw_wait door '^ack seq=' 15 || fail "the door did not join"
sed -n '1,/^ack seq=/p' /tmp/$P.fw/door.log | sed 's/^/  door: /'
for dev in $HOSTS; do
	bld_ep_wait "$dev" '^joined' 500 || fail "$dev did not join"
done
echo "  host devices joined: $(for dev in $HOSTS; do
	printf '%s (session %s) ' "$dev" "$(sed -n 's/^joined //p' \
		/tmp/$P.ep/$dev.log | tail -1)"; done)"
# recvs ID NAME: the frames of circuit ID device NAME has received
recvs() { grep -c "^recv $1 " "/tmp/$P.ep/$2.log"; }
# ledger ID: "NAME COUNT" lines for each place a frame of circuit ID from
# ana's laptop (r102 p3) to the display (r101 p2) is counted or can be
# lost: each switch's forwards and drops of it, each port's redirects the
# kernel refused (tx_errors), each veth end's drops, and the frames the
# display's socket dropped for a full buffer. Taken before and after a
# stream, the changes say where a lost frame went.
ledger() {
	local s ns n=0
	for s in r102 core r101; do
		ns=$(bld_swns $s)
		"$F" -j stats -n "$ns" "$(bld_sw $s)" --circuit "$1" | jq -r \
			--arg s "$s" '.circuits[0] | "\($s).forwarded \(.frames)",
			"\($s).drops \(.drops)"'
		"$F" -j status -n "$ns" "$(bld_sw $s)" | jq -r --arg s "$s" \
			'.[0].ports[] | "\($s)/\(.name).tx_errors \(.tx_errors)"'
		ip -n "$ns" -s -j link show type veth | jq -r --arg s "$s" \
			'.[] | "\($s)/\(.ifname).rx_dropped \(.stats64.rx.dropped)",
			"\($s)/\(.ifname).tx_dropped \(.stats64.tx.dropped)"'
	done
	for s in ana.laptop display; do
		ip -n "$(bld_devns $s)" -s -j link show eth0 | jq -r --arg s "$s" \
			'.[] | "\($s).rx_dropped \(.stats64.rx.dropped)",
			"\($s).tx_dropped \(.stats64.tx.dropped)"'
	done
	n=$(grep -c '^stats socket_drops' /tmp/$P.ep/display.log)
	bld_ep_cmd display stats
	for _ in $(seq 250); do
		[ "$(grep -c '^stats socket_drops' /tmp/$P.ep/display.log)" \
			-gt "$n" ] && break
		sleep 0.02
	done
	grep '^stats socket_drops' /tmp/$P.ep/display.log | tail -1 |
		awk '{ print "display.socket_drops", $3 }'
}
# changes BEFORE AFTER: the ledger's lines that changed, "NAME +DELTA".
changes() {
	join <(sort "$1") <(sort "$2") | awk '$3 != $2 {
		printf "%s +%d\n", $1, $3 - $2 }'
}
# has_tx NAME ID: NAME holds the sending key of circuit ID
has_tx() { bld_ep_wait "$1" "^key $2 [0-9]+ tx 0\$" 250; }

at 08:00 "ana arrives and goes to her office, r102" enter ana r102
say "08:10  bob badges in at the meeting room's door (r101)"
n0=$(grep -c '^#' /tmp/$P.log)
bld_fw_cmd door "badge enter bob"
bld_fw_wait door 'presence enter bob seq=' 5 &&
	for _ in $(seq 100); do
		[ "$(grep -c '^#' /tmp/$P.log)" -gt "$n0" ] && break
		sleep 0.02
	done
grep -E '^(presence|ack)' /tmp/$P.fw/door.log | tail -2 | sed 's/^/  door: /'
"$F" --store "$D" events -n 1 | tee -a /tmp/$P.events | sed 's/^/  /'
grep -q '^#[0-9]* enter bob r101' /tmp/$P.events ||
	fail "the door's badge did not bring bob in"
verify "bob's badge"
at 08:20 "cem joins bob in r101 (the room's keys rotate)" enter cem r101
at 08:30 "ana walks to the meeting: her laptop's circuits follow her" \
	move ana r101

say "08:31  ana's laptop (r102) shows slides on r101's display: 3 hops"
slides=$(bld_id ana.laptop display)
has_tx ana.laptop "$slides" ||
	fail "ana's laptop did not get the key to send on circuit $slides"
grep -E "^key $slides " /tmp/$P.ep/display.log /tmp/$P.ep/ana.laptop.log |
	sed 's|^/tmp/[^/]*/\(.*\)\.log:|  \1: |'
n0=$(recvs "$slides" display)
for i in 1 2 3; do
	bld_ep_cmd ana.laptop "send $slides slide $i"
done
for _ in $(seq 150); do
	[ "$(recvs "$slides" display)" -ge $((n0 + 3)) ] && break
	sleep 0.02
done
[ "$(recvs "$slides" display)" = $((n0 + 3)) ] ||
	fail "the display did not get ana's slides"
grep "^recv $slides " /tmp/$P.ep/display.log | tail -n 3 |
	while read -r _ _ seq epoch hex; do
	printf '  display got seq %s epoch %s: "%b"\n' "$seq" "$epoch" \
		"$(sed 's/../\\x&/g' <<<"$hex")"
done

mkdir -p build/demo
bld_osm graph -o build/demo/circuits-0831.svg ||
	fail "cannot draw the circuit graph"
echo "  the circuit graph now: build/demo/circuits-0831.svg" \
	"(osm-fabric graph -o FILE)"

bob=$(bld_id bob.phone display)
# what a copy of bob's phone that kept its keys would hold (read from the
# store: an attacker's view, not how devices get keys)
bobkeys=$(bld_circuit bob.phone display)
N=2000
say "09:15  bob leaves while ana's laptop streams $N frames to the display"
ledger "$slides" >/tmp/$P.ledger0
n0=$(recvs "$slides" display)
s0=$(grep -c "^sent $slides " /tmp/$P.ep/ana.laptop.log)
bld_ep_cmd ana.laptop "burst $slides $N 100 frame"
sleep 0.05
bld_person leave bob | tee -a /tmp/$P.events | sed 's/^/  /' ||
	fail "bob's leave refused"
bld_ep_wait bob.phone "^key $bob 0 remove 0\$" 250 ||
	fail "bob's phone was not told to forget circuit $bob"
bld_ep_cmd bob.phone "send $bob still here?"
bld_ep_wait bob.phone "^error no key to send on circuit $bob" 250 ||
	fail "bob's phone could still send"
u0=$(stat r101 unknown_circuit)
bld_send bob.phone "$bobkeys" --seq $((1 << 40)) --count 3 \
	--payload "still here?"
u1=$(stat r101 unknown_circuit)
for _ in $(seq 400); do
	[ "$(recvs "$slides" display)" -ge $((n0 + N)) ] && break
	sleep 0.02
done
got=$(( $(recvs "$slides" display) - n0 ))
for _ in $(seq 250); do	# the burst's "sent ID FIRST COUNT" line
	[ "$(grep -c "^sent $slides " /tmp/$P.ep/ana.laptop.log)" -gt "$s0" ] &&
		break
	sleep 0.02
done
sent=$(grep "^sent $slides " /tmp/$P.ep/ana.laptop.log | tail -n +$((s0 + 1)) |
	awk '{ n += $4 } END { print n + 0 }')
ledger "$slides" >/tmp/$P.ledger1
changes /tmp/$P.ledger0 /tmp/$P.ledger1 >/tmp/$P.changes
fwd() { sed -n "s/^$1.forwarded +//p" /tmp/$P.changes; }
echo "  ana's stream across bob's leave: the laptop sent $sent of $N," \
	"r102 forwarded $(fwd r102), core $(fwd core), r101 $(fwd r101);" \
	"$got arrived"
if [ "$got" != $N ] || [ "$sent" != $N ]; then
	fail "ana's stream lost $((N - got)) frames; where they went:"
	grep -v '\.forwarded ' /tmp/$P.changes | sed 's/^/    /'
fi
echo "  bob's phone was told to forget its circuits (REMOVE) and refuses to"
echo "  send; a copy of it that kept the old keys sends 3 frames right after:"
echo "  r101 dropped $((u1 - u0)) as unknown_circuit"
[ $((u1 - u0)) = 3 ] || fail "bob's frames were not all dropped"
verify "bob's leave"
if [ $SHORT = 0 ]; then
	for s in r101 core r102; do
		say "09:16  counters of switch $(bld_sw $s) (zero lines left out)"
		# control circuits as "ctl DEVICE-ID up|down"
		"$F" stats -n "$(bld_swns $s)" "$(bld_sw $s)" | awk '
			/^  [a-z_]+ +0$/ { next }
			$1 == "circuit" && $4 == 0 { next }
			$1 == "circuit" && $2 >= 2147483648 {
				d = $2 - 2147483648
				printf "circuit %-10s frames %-8s bytes %-9s drops %s\n",
					sprintf("ctl %d %s", int(d / 2),
					d % 2 ? "down" : "up"), $4, $6, $8
				next }
			{ print }' | sed 's/^/  /'
	done
fi

at 10:00 "cem leaves (r101's keys rotate for ana)" leave cem
at 10:05 "ana leaves: the building is empty, no circuit is left" leave ana
[ "$(bld_osm -j engine circuits | jq length)" = 0 ] ||
	fail "circuits left after everyone left"

say "timings (microseconds, this run)"
printf '  %-6s %-14s %9s %9s %9s\n' event person "dead(us)" "maps(us)" \
	"commit(us)"
grep '^#' /tmp/$P.events | sed 's/[:,;]//g' | awk '{
	dead = "-"; for (i = 1; i <= NF; i++) {
		if ($i == "dead") dead = $(i + 1)
		if ($i == "maps") maps = $(i + 1)
		if ($i == "committed") com = $(i + 1) }
	printf "  %-6s %-14s %9s %9s %9s\n", $2, $3, dead, maps, com }'

if [ $SHORT = 0 ]; then
	say "the controller's counters (frames with the devices)"
	bld_ask controller | sed 's/^ok /  /'
	bld_ask controller | cut -d' ' -f2- | jq -r '"  \(.hello) HELLOs" +
		" gave \(.sessions) device sessions; the devices ACKed" +
		" \(.acks) of its messages; \(.resent) resent, \(.slow)" +
		" past their quick retries"'
	say "audit"
	bld_osm audit verify | sed 's/^/  /'
fi
bld_osm audit verify >/dev/null || fail "audit chain does not verify"
ctl=$(bld_ask controller | cut -d' ' -f2-)
[ "$(jq .slow <<<"$ctl")" = 0 ] ||
	fail "a KEY_UPDATE went unacknowledged past its quick retries"
# every device (7 hosts and the door) joined, and ACKed its keys
[ "$(jq .sessions <<<"$ctl")" -ge 8 ] ||
	fail "$(jq .sessions <<<"$ctl") device sessions, not 8"
[ "$(jq .acks <<<"$ctl")" -gt 0 ] || fail "no device ACKed a message"

if [ $FAILED = 0 ]; then
	say "demo ok: every check held"
	exit 0
fi
say "demo: $FAILED checks failed"
exit 1
