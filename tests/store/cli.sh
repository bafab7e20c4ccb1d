#!/usr/bin/env bash
# The store commands end to end: person enter/leave, audit show/verify
# (and a record changed in the data file caught by verify), forget, and
# the refusals (unknown room, root key readable by others).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
D=/tmp/ost$$-cli
osm_fixture_init ost
osm_defer rm -rf "$D"
osm() { ./build/osm-fabric --store "$D" "$@"; }
hexdump_dir() { cat "$D"/* | od -An -tx1 -v | tr -d ' \n'; }
# rewrite a string in data.mdb (all copies), same length
patch_data() { perl -0777 -pi -e "s/\Q$1\E/$2/g" "$D/data.mdb"; }

osm topology apply docs/examples/building-cam.yaml >/dev/null
tap_ok "alice enters r101" osm person enter alice r101
tap_ok "bob enters r102" osm person enter bob r102
tap_ok "alice moves to r102" osm person enter alice r102
err=$(osm person enter carol r999 2>&1); rc=$?
tap_is "unknown room refused" "$rc:$err" \
	"1:osm-fabric: person enter: no room r999"
err=$(osm person leave dave 2>&1); rc=$?
tap_is "leave of someone absent refused" "$rc:$err" \
	"1:osm-fabric: person leave: dave is not present"
tap_ok "keys hidden by default" \
	bash -c "./build/osm-fabric --store $D person list | grep -q '^alice .*key (hidden)$'"
akey=$(osm --show-keys person list | awk '$1 == "alice" {print $NF}')
bkey=$(osm --show-keys person list | awk '$1 == "bob" {print $NF}')
tap_ok "--show-keys shows 32-byte session keys" \
	[ "${#akey}" -eq 64 -a "${#bkey}" -eq 64 -a "$akey" != "$bkey" ]
tap_is "audit show --person alice" "$(osm audit show --person alice |
	awk '{print $3}' | tr '\n' ' ')" "enter move "
tap_ok "audit show --json" \
	bash -c "./build/osm-fabric --store $D audit show --json | grep -q '\"kind\": \"topology\"'"
# 1 topology, 2 enter alice, 3 circuit-add (the engine opens r101's room
# group: mic -> display), 4 enter bob, 5 circuit-del (r101 empties),
# 6 move alice.
tap_is "audit verify" "$(osm audit verify)" "audit chain ok: 6 records"

patch_data "room r102 session 2" "room r103 session 2"
err=$(osm audit verify 2>&1); rc=$?
tap_is "a changed record is caught" "$rc:$err" \
	"1:osm-fabric: audit chain broken at record 4"
patch_data "room r103 session 2" "room r102 session 2"
verify() { osm audit verify >/dev/null; }
tap_ok "restored, verifies" verify

out=$(osm forget alice); rc=$?
tap_is "forget alice" "$rc:$out" \
	"0:erased 3 records; audit chain re-sealed; store rewritten"
tap_is "no 'alice' in any store file" "$(cat "$D"/* | grep -ac alice)" 0
tap_ok "no byte of her session key in any store file" \
	bash -c "! grep -q $akey <<<\"$(hexdump_dir)\""
tap_ok "the search works: bob's name is found" \
	bash -c "grep -q $(printf bob | od -An -tx1 | tr -d ' \n') <<<\"$(hexdump_dir)\""
tap_is "bob intact, same key" \
	"$(osm --show-keys person list | awk '{print $1, $2, $NF}')" \
	"bob r102 $bkey"
# alice was present: she left first (her leave, erased with the rest)
tap_is "audit verifies after forget" "$(osm audit verify)" \
	"audit chain ok: 8 records"
tap_is "erasure marker names nobody" \
	"$(osm audit show | awk '{print $3, $4}' | tr '\n' ' ')" \
	"topology - erased - circuit-add - enter bob circuit-del - erased - erased - erasure - "
err=$(osm forget alice 2>&1); rc=$?
tap_is "forget again: nothing" "$rc:$err" \
	"1:osm-fabric: forget: no record names alice"
tap_ok "bob leaves" osm person leave bob

chmod 644 "$D/root.key"
err=$(osm audit verify 2>&1); rc=$?
tap_is "root.key readable by others: refused" "$rc:$err" \
	"1:osm-fabric: store $D: root.key is another user's, or group or others may access it (chown it; chmod 600 it)"
chmod 600 "$D/root.key"
tap_ok "chmod 600: accepted again" verify
chown nobody "$D/root.key"
err=$(osm audit verify 2>&1); rc=$?
tap_is "root.key of another user: refused" "$rc:$err" \
	"1:osm-fabric: store $D: root.key is another user's, or group or others may access it (chown it; chmod 600 it)"
chown root "$D/root.key"
tap_ok "chown back: accepted again" verify
tap_ok "status shows the store's size and headroom" \
	bash -c "./build/osm-fabric --store $D status | grep -q '^store $D: [0-9]* of 1073741824 bytes used ([0-9]*% free'"
tap_done
