#!/usr/bin/env bash
# osm-fabric switch commands on bad input: every error is one line
# "osm-fabric: ..." on stderr, nothing on stdout, exit status 1, and the
# switch's maps (and XDP attachments) are exactly as they were.
#
#   ns s: p1 p2 p3 (switch "$SW", at most 2 circuits)   p4 (no switch)
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

F=build/osm-fabric
osm_fixture_init osw
P=$OSM_P
S=${P}s
SW=${P}sw
D=/sys/fs/bpf/osm/$SW
KEY=000102030405060708090a0b0c0d0e0f
osm_tmpdir TMP
KF=$(osm_keyfile $TMP/k $KEY)		# key files: never a key in argv

osm_ensure_bpffs
osm_netns_new s
for i in 1 2 3 4; do
	osm_veth $S ${P}p$i $S ${P}q$i
done
# the one to load and the one whose load must be rolled back
osm_switch $S $SW
osm_switch $S ${P}sw2

# Everything an error must leave alone.
snap() {
	for m in circuits circuit_slots port_cfg tx_ports; do
		bpftool map dump pinned $D/$m 2>&1
	done
	for i in 1 2 3 4; do
		ip -n $S -d link show ${P}p$i | grep -o 'prog/xdp id [0-9]*'
	done
	# pin folders of this test only: other runs may come and go
	ls /sys/fs/bpf/osm 2>&1 | grep "^$P"
}

# fails DESC FRAGMENT CMD...: one error line containing FRAGMENT, exit 1,
# no output, state unchanged.
fails() {
	local desc=$1 frag=$2 rc out err; shift 2
	snap >"$TMP/before"
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	snap >"$TMP/after"
	out=$(cat "$TMP/out") err=$(cat "$TMP/err")
	TAP_N=$((TAP_N + 1))
	if [ $rc -eq 1 ] && [ -z "$out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	   [[ "$err" == "osm-fabric: "*"$frag"* ]] &&
	   cmp -s "$TMP/before" "$TMP/after"; then
		echo "ok $TAP_N - $desc"
	else
		echo "not ok $TAP_N - $desc"
		echo "#   rc $rc, stdout '$out', stderr '$err'"
		diff "$TMP/before" "$TMP/after" | sed 's/^/#   /' | head -10
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

cadd() {	# cadd ID [options...]: a valid circuit p1 -> p2 unless overridden
	local id=$1; shift
	$F circuit add -n $S $SW $id --in ${P}p1 --out ${P}p2 \
		--src 02:00:00:00:00:01 --dst 02:00:00:00:00:02 --epoch 1 "$@"
}

# --- load and unload ---------------------------------------------------
fails "load: no such interface" "no such interface 'nope'" \
	$F load -n $S $SW ${P}p1 nope
fails "load: bad switch name" "bad switch name" $F load -n $S a/b ${P}p1
fails "load: no interfaces" "need a switch name" $F load -n $S $SW
ip -n $S link set ${P}p3 mtu 1400
fails "load: a port of MTU below 1500" "MTU 1400 is below 1500" \
	$F load -n $S $SW ${P}p1 ${P}p3
ip -n $S link set ${P}p3 mtu 1500
fails "load: circuit table size 0" "circuit table size" \
	$F load -n $S --max-circuits 0 $SW ${P}p1
fails "load: same interface twice" "given twice" \
	$F load -n $S $SW ${P}p1 ${P}p1
fails "load: no such network namespace" "no such network namespace" \
	$F load -n ${P}none $SW ${P}p1
tap_ok "load $SW on p1 p2 p3 with room for 2 circuits" \
	$F load -n $S --max-circuits 2 $SW ${P}p1 ${P}p2 ${P}p3
fails "load: switch already loaded" "already loaded" \
	$F load -n $S $SW ${P}p4
fails "load: port busy; p4 attached first is rolled back" \
	"cannot attach to '${P}p3': it is a port of switch '$SW'" \
	$F load -n $S ${P}sw2 ${P}p4 ${P}p3
fails "unload: unknown switch" "switch '${P}nope' is not loaded" \
	$F unload -n $S ${P}nope
fails "status: unknown switch" "not loaded" $F status -n $S ${P}nope

# --- circuits ----------------------------------------------------------
tap_ok "circuit add 1" cadd 1 --hop-key-file $KF
fails "circuit add: duplicate" "circuit 1 already exists" cadd 1 --hop-key-file $KF
tap_ok "circuit add 2 (table now full)" cadd 2 --hop-key-file $KF
fails "circuit add: table full" "is full" cadd 3 --hop-key-file $KF
fails "circuit add: unknown switch" "not loaded" \
	$F circuit add -n $S ${P}nope 3 --in ${P}p1 --out ${P}p2 \
	--src 02:00:00:00:00:01 --dst 02:00:00:00:00:02 --epoch 1 --hop-key-file $KF
fails "circuit add: no such interface" "no such interface 'nope'" \
	cadd 3 --hop-key-file $KF --in nope
fails "circuit add: interface not a port of the switch" "must both be ports" \
	cadd 3 --hop-key-file $KF --out ${P}p4
fails "circuit add: in and out the same" "same port" \
	cadd 3 --hop-key-file $KF --out ${P}p1
fails "circuit add: bad MAC" "bad MAC address '02:00'" \
	cadd 3 --hop-key-file $KF --src 02:00
fails "circuit add: short key" "need 16 bytes" \
	cadd 3 --hop-key-file "$(osm_keyfile $TMP/k 0011)"
fails "circuit add: key not hex" "not hex" \
	cadd 3 --hop-key-file "$(osm_keyfile $TMP/k ${KEY%??}zz)"
fails "circuit add: missing key file" "hop key file '$TMP/none': No such file" \
	cadd 3 --hop-key-file $TMP/none
fails "circuit add: a key on the command line" "no key is taken on the command line" \
	cadd 3 --hop-key $KEY
kf=$(osm_keyfile $TMP/k $KEY); chmod 640 "$kf"
fails "circuit add: a key file open to the group" "group or others may access it" \
	cadd 3 --hop-key-file "$kf"
kf=$(osm_keyfile $TMP/k $KEY); chown nobody "$kf"
fails "circuit add: another user's key file" "another user's file" \
	cadd 3 --hop-key-file "$kf"
fails "circuit add: a key file that is a folder" "not a regular file" \
	cadd 3 --hop-key-file $TMP
fails "circuit add: no key" "--hop-key-file" cadd 3
fails "circuit add: missing --epoch" "required" \
	$F circuit add -n $S $SW 3 --in ${P}p1 --out ${P}p2 \
	--src 02:00:00:00:00:01 --dst 02:00:00:00:00:02 --hop-key-file $KF
fails "circuit add: rate without burst" "go together" \
	cadd 3 --hop-key-file $KF --rate 1000
fails "circuit add: burst under a frame and a tick of rate" \
	"--burst must be 11558 to 18446744073 bytes" \
	cadd 3 --hop-key-file $KF --rate 1000000 --burst 11557
fails "circuit add: burst under the largest frame" "must be 1558 to" \
	cadd 3 --hop-key-file $KF --rate 1 --burst 1557
fails "circuit add: burst over the largest" "to 18446744073 bytes" \
	cadd 3 --hop-key-file $KF --rate 1000000 --burst 18446744074
fails "circuit add: bad circuit id" "bad circuit id 'abc'" \
	cadd abc --hop-key-file $KF
fails "circuit add: negative circuit id" "bad option" cadd -1 --hop-key-file $KF
fails "circuit add: unknown option" "bad option" cadd 3 --hop-key-file $KF --colour
fails "circuit add: circuit id over 32 bits" "over 32 bits" \
	cadd 4294967296 --hop-key-file $KF
fails "circuit add: bad lease" "bad lease" cadd 3 --hop-key-file $KF --lease 0
fails "circuit del: unknown circuit" "no circuit 7" $F circuit del -n $S $SW 7
fails "circuit key: unknown circuit" "no circuit 7" \
	$F circuit key -n $S $SW 7 --epoch 2 --hop-key-file $KF
fails "circuit key: remove an epoch it lacks" "no key of epoch 3" \
	$F circuit key -n $S $SW 1 --epoch 3 --remove
fails "circuit key: remove the last key" "last key" \
	$F circuit key -n $S $SW 1 --epoch 1 --remove
# Without -n (or with another), a command would find other interfaces
# under the port names: it is refused.
fails "circuit add without -n: the switch's namespace named" \
	"switch '$SW' is in network namespace '$S': give -n $S" \
	$F circuit add $SW 9 --in ${P}p1 --out ${P}p2 \
	--src 02:00:00:00:00:01 --dst 02:00:00:00:00:02 --epoch 1 \
	--hop-key-file $KF
fails "stats without -n: refused" "give -n $S" $F stats $SW
tap_ok "status without -n: names where the switch is" \
	eval '$F status | grep -q "^switch $SW: in network namespace $S "'
fails "circuit: no subcommand" "need a subcommand" $F circuit
fails "circuit: unknown subcommand" "unknown subcommand 'frob'" \
	$F circuit frob
tap_ok "circuit del 2 frees a slot" $F circuit del -n $S $SW 2
tap_ok "circuit add 3 fits now" cadd 3 --hop-key-file $KF
# ids and epochs are unsigned 32-bit numbers, in JSON too (a control
# circuit's id has the top bit set)
$F circuit del -n $S $SW 3
cadd 2147483659 --ctrl --epoch 4000000000 --hop-key-file $KF
tap_is "circuit list -j: a control circuit's id and epoch, unsigned" \
	"$($F -j circuit list -n $S $SW | jq -c '[.[] | select(.id > 2147483647) |
		[.id, .keys[].epoch]]')" '[[2147483659,4000000000]]'
tap_is "stats -j: the same id" \
	"$($F -j stats -n $S $SW --circuit 2147483659 | jq -c '[.. | .id? // empty]')" \
	'[2147483659]'
$F circuit del -n $S $SW 2147483659
cadd 3 --hop-key-file $KF

# Input a switch would take but no building means.
fails "circuit add: a broadcast --src" "multicast or broadcast" \
	cadd 5 --hop-key-file $KF --src ff:ff:ff:ff:ff:ff
fails "circuit add: a multicast --dst" "multicast or broadcast" \
	cadd 5 --hop-key-file $KF --dst 01:00:5e:00:00:01
fails "circuit add: id 0" "circuit id 0 is never used" cadd 0 --hop-key-file $KF
fails "circuit add: epoch 0" "epoch 0 is never used" \
	cadd 5 --hop-key-file $KF --epoch 0
fails "circuit add: a control id without --ctrl" "give --ctrl" \
	cadd 2147483660 --hop-key-file $KF
fails "circuit add: --ctrl with a data id" "--ctrl needs a control" \
	cadd 5 --ctrl --hop-key-file $KF
# Keys: epochs go forward; taking the current epoch's slot needs --replace.
fails "circuit key: epoch 3 would replace epoch 1, the only key" \
	"would replace epoch 1" \
	$F circuit key -n $S $SW 3 --epoch 3 --hop-key-file $KF
tap_ok "circuit key: epoch 2 next to 1" \
	$F circuit key -n $S $SW 3 --epoch 2 --hop-key-file $KF
fails "circuit key: back to epoch 1 (older than 2)" "older than" \
	$F circuit key -n $S $SW 3 --epoch 1 --hop-key-file $KF
tap_ok "circuit key: epoch 4 over 2 with --replace" \
	$F circuit key -n $S $SW 3 --epoch 4 --hop-key-file $KF --replace
tap_is "... leaves epochs 1 and 4" \
	"$($F -j circuit list -n $S $SW | jq -c '[.[] | select(.id == 3) |
		.keys[].epoch] | sort')" "[1,4]"
$F circuit del -n $S $SW 3
cadd 3 --hop-key-file $KF

# --- ports and stats -----------------------------------------------------
fails "port set: not a port of the switch" "is not a port" \
	$F port set -n $S $SW ${P}p4 --mgmt
fails "port set: no such interface" "no such interface" \
	$F port set -n $S $SW nope --mgmt
fails "port set: no role" "--mgmt or --fabric" $F port set -n $S $SW ${P}p1
fails "port watch: no switch" "need SWITCH" $F port watch -n $S
fails "port watch: unknown switch" "not loaded" $F port watch -n $S ${P}nope
fails "port: unknown subcommand" "unknown subcommand 'frob'" $F port frob
fails "stats: unknown circuit" "no circuit 9" $F stats -n $S $SW --circuit 9
fails "stats: unknown switch" "not loaded" $F stats -n $S ${P}nope

# Every program says its release and protocol; a bad global option is
# one line.
for p in osm-fabric osm-endpoint osm-pktgen osm-mkblob; do
	tap_ok "$p --version" eval "build/$p --version |
		grep -qx '$p [0-9][0-9.]* (protocol [0-9]*)'"
done
tap_ok "version --help exits 0" sh -c "$F version --help >/dev/null"
fails "a bad global option" "bad option '--bogus'" $F --bogus status
for c in load unload status circuit port stats; do
	tap_ok "$c --help exits 0" sh -c "$F $c --help >/dev/null"
done
# A switch whose pinned values have another layout (loaded by another
# build) is refused, not misread.
mv $D/circuit_state $D/${P}keep
bpftool map create $D/circuit_state type hash key 4 value 8 entries 1 \
	name circuit_state flags 1
fails "a switch of another layout is refused" \
	"loaded by another osm-fabric version" $F status -n $S $SW
rm $D/circuit_state
mv $D/${P}keep $D/circuit_state
tap_ok "unload $SW" $F unload -n $S $SW
tap_done
