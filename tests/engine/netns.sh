#!/usr/bin/env bash
# The engine end to end in a two-room building (tools/building-lib.sh):
# a scripted morning of enters, moves and leaves; after every step the
# full map dump of every switch (read with `circuit list`, the switch
# library's view) equals a table written here by hand, and `engine
# verify` agrees. Hop keys in the maps equal keys derived independently
# (python hashlib BLAKE2b, docs/protocol.md 7) from the session and
# device keys. Frames: a 3-hop circuit delivers; the leaver's frames are
# dropped right after the leave is acknowledged; a room key's old epoch
# is stale after a rotation; traffic on a surviving circuit loses no frame
# across an event.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-store
. tools/building-lib.sh
trap 'bld_down; rm -f /tmp/$P.*' EXIT

bld_up || { echo "not ok 1 - building up"; exit 1; }

# MAC -> device name, for readable dumps.
macs=$(while read -r n _ _ _ m; do
	[ -n "$n" ] && printf 's/%s/%s/g;' "$m" "$n"; done <<<"$BLD_DEVICES")

# One line a circuit of switch $1: "SRC>DST IN OUT eEPOCHS", sorted.
dump() {
	"$F" -j circuit list -n "$(bld_swns "$1")" "$(bld_sw "$1")" |
		jq -r '.[] | "\(.src)>\(.dst) \(.in) \(.out) e\([.keys[].epoch] |
			map(tostring) | join(","))"' | sed "$macs" | sort
}

# check STEP SWITCH "expected lines" (sorted, ';'-separated)
check() {
	local want
	want=$(tr ';' '\n' <<<"$3" | sed 's/^[[:space:]]*//' | grep -v '^$' | sort)
	tap_is "$1: $2 maps" "$(dump "$2")" "$want"
}

verify() {
	bld_osm engine verify --netns-prefix "$BLD_NETNS_PREFIX" >/dev/null
}

ev() { bld_person "$@" >/dev/null; }

R101_ROOM="mic>display p1 p2 e%s; mic>speaker p1 p3 e%s"
room101() { printf "$R101_ROOM" "$1" "$1"; }
BOB="mic>bob.phone p1 p4 e1; bob.phone>display p4 p2 e1;
     bob.phone>speaker p4 p3 e1"
ANA101="mic>ana.laptop p1 up e1; ana.laptop>display up p2 e1;
        ana.laptop>speaker up p3 e1"
ANA102="mic>ana.laptop up p3 e1; ana.laptop>display p3 up e1;
        ana.laptop>speaker p3 up e1"
ANACORE="mic>ana.laptop r101 r102 e1; ana.laptop>display r102 r101 e1;
         ana.laptop>speaker r102 r101 e1"

tap_ok "ana enters r102" ev enter ana r102
check "step 1" r102 "sensor>ana.laptop p1 p3 e1; ana.laptop>lamp p3 p2 e1;
	sensor>lamp p1 p2 e1"
check "step 1" r101 ""
check "step 1" core ""

tap_ok "bob enters r101" ev enter bob r101
check "step 2" r101 "$BOB; $(room101 1)"
check "step 2" core ""

# A room key rotation: mic -> display's epoch 1 dies, epoch 2 works.
old=$(bld_circuit mic display)
tap_ok "cem enters r101" ev enter cem r101
check "step 3" r101 "$BOB; $(room101 2)"
new=$(bld_circuit mic display)
before=$("$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
	jq '.drops.stale_epoch')
bld_recv display "$new" --count 1 --timeout 2000 >/tmp/$P.rot &
rx=$!
sleep 0.2
bld_send mic "$old" --seq 100
bld_send mic "$new" --seq 101
wait $rx
tap_is "step 3: the rotated circuit delivers under epoch 2" \
	"$(awk '/^ok/ {print $2, $3}' /tmp/$P.rot)" "101 2"
after=$("$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
	jq '.drops.stale_epoch')
tap_is "step 3: epoch 1 is stale on the switch" "$((after - before))" 1

tap_ok "ana moves to r101" ev move ana r101
check "step 4" r101 "$BOB; $(room101 3); $ANA101"
check "step 4" r102 "$ANA102"
check "step 4" core "$ANACORE"
tap_ok "step 4: engine verify agrees" verify

# Hop keys, derived here from the session and device keys.
KDF_PY='
import hashlib, sys
for line in sys.stdin:
    cid, epoch, parent = line.split()
    salt = ((int(cid) << 32) + int(epoch)).to_bytes(8, "little") + bytes(8)
    out = hashlib.blake2b(b"", key=bytes.fromhex(parent), digest_size=48,
                          salt=salt, person=b"osm-cir1" + bytes(8)).digest()
    print(cid, epoch, out[32:48].hex())
'
python_keys() { python3 -c "$KDF_PY"; }
sessions=$(bld_osm --show-keys -j person list)
devkeys=$(bld_osm --show-keys -j topology show)
want=$(bld_osm -j engine circuits |
	jq -r '.[] | "\(.id) \(.epoch) \(.owner | if . == "" then "-"
		else . end) \(.src)"' |
	while read -r id epoch owner src; do
		if [ "$owner" != - ]; then
			k=$(jq -r --arg n "$owner" '.[] | select(.name == $n) |
				.session_key' <<<"$sessions")
		else
			k=$(jq -r --arg n "$src" '.. | objects |
				select(.name? == $n and has("key")) | .key' \
				<<<"$devkeys")
		fi
		echo "$id $epoch $k"
	done | python_keys | sort -n)
got=$(for s in r101 r102 core; do
	"$F" -j --show-keys circuit list -n "$(bld_swns $s)" "$(bld_sw $s)" |
		jq -r '.[] | "\(.id) \(.keys[0].epoch) \(.keys[0].hop_key)"'
	done | sort -n | uniq)
tap_is "step 4: hop keys in the maps = KDF(session or device key)" \
	"$got" "$want"

# The circuit graph: 8 edges now, two room clusters; drawn by graphviz.
tap_is "step 4: graph has 8 circuits in 2 rooms" \
	"$(bld_osm graph | grep -c ' -> ') $(bld_osm graph | grep -c cluster_)" \
	"8 2"
tap_is "step 4: graph --room r102: its 3 devices, ana's 3 circuits" \
	"$(bld_osm graph --room r102 | grep -c '^    d') $(bld_osm graph \
	--room r102 | grep -c ' -> ')" "3 3"
tap_ok "step 4: graph -o FILE.svg draws it" bash -c \
	"$F --store $D graph -o /tmp/$P.svg && grep -q '<svg' /tmp/$P.svg"
err=$(bld_osm graph -o /tmp/$P.txt 2>&1); rc=$?
tap_is "graph -o with an unknown format: one error" "$rc:$err" \
	"1:osm-fabric: graph: -o FILE must end in .svg, .png, .pdf or .dot"

# A three-hop circuit delivers: ana's laptop in r102 to r101's display.
c=$(bld_circuit ana.laptop display)
bld_recv display "$c" --count 3 --timeout 2000 >/tmp/$P.3hop &
rx=$!
sleep 0.2
bld_send ana.laptop "$c" --count 3 --payload "slides"
wait $rx
tap_is "step 4: 3 frames over r102 -> core -> r101" \
	"$(grep -c '^ok' /tmp/$P.3hop)" 3

# Bob leaves while ana's laptop streams to the display: not one of her
# frames is lost; bob's frames die at once.
bob=$(bld_circuit bob.phone display)
N=3000
bld_recv display "$c" --count $N --timeout 6000 >/tmp/$P.cont &
rx=$!
sleep 0.2
bld_send ana.laptop "$c" --count $N --interval-us 100 &
tx=$!
sleep 0.1
tap_ok "bob leaves (during ana's stream)" ev leave bob
unk0=$("$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
	jq '.drops.unknown_circuit')
bld_send bob.phone "$bob" --seq 50 --count 5
unk1=$("$F" -j stats -n "$(bld_swns r101)" "$(bld_sw r101)" |
	jq '.drops.unknown_circuit')
wait $tx
wait $rx
tap_is "step 5: bob's 5 frames right after the leave: unknown_circuit" \
	"$((unk1 - unk0))" 5
tap_is "step 5: ana's stream across the event: $N of $N frames" \
	"$(grep -c '^ok' /tmp/$P.cont)" $N
check "step 5" r101 "$(room101 4); $ANA101"
check "step 5" core "$ANACORE"

tap_ok "cem leaves" ev leave cem
check "step 6" r101 "$(room101 5); $ANA101"
tap_ok "ana leaves" ev leave ana
check "step 7" r101 ""
check "step 7" r102 ""
check "step 7" core ""
tap_is "step 7: the store holds no circuit" \
	"$(bld_osm -j engine circuits | jq length)" 0
tap_ok "step 7: engine verify agrees" verify
tap_is "audit chain verifies" "$(bld_osm audit verify | cut -d: -f1)" \
	"audit chain ok"
tap_done
