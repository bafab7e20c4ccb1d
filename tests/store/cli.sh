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

# Archives: the older records leave the store for a file; the chain
# verifies across them.
A=$D.archive
osm_defer rm -f "$A"-*
n=$(osm audit show | wc -l)
cut=$((n - 2))
out=$(osm audit archive --keep 2 "$A-1"); rc=$?
tap_is "audit archive --keep 2" "$rc:$out" \
	"0:audit: records 1-$cut archived to $A-1 and pruned from the store"
tap_is "the archive is the caller's alone (0600)" "$(stat -c %a "$A-1")" 600
tap_is "the store keeps 2, and says where its chain starts" \
	"$(osm audit verify)" "audit chain ok: 2 records, from record \
$((cut + 1)) (records 1-$cut are in earlier archives, not checked here)"
tap_is "verify --archive: archive and store, linked" \
	"$(osm audit verify --archive "$A-1")" \
	"audit chain ok: 2 records and $cut archived in 1 file"
tap_is "show --archive: the archived records" \
	"$(osm audit show --archive "$A-1" | awk '{print $1}' | tr '\n' ' ')" \
	"$(seq -s ' ' 1 $cut) "
err=$(osm audit archive --keep 0 "$A-1" 2>&1); rc=$?
tap_is "an archive is never overwritten" "$rc:$err" \
	"1:osm-fabric: audit archive: $A-1: exists (an archive is never overwritten)"
err=$(osm audit archive --keep 0 /nonexistent/dir/a 2>&1); rc=$?
tap_is "an archive where none can be written: one line" "$rc:$err" \
	"1:osm-fabric: audit archive: /nonexistent/dir/a: No such file or directory"
tap_is "... and the store kept its records" "$(osm audit show | wc -l)" 2
out=$(osm audit archive "$A-2"); rc=$?
tap_is "nothing to archive (--keep 1000 by default): no file, rc 0" \
	"$rc:$out:$(ls "$A-2" 2>&1 >/dev/null | wc -l)" \
	"0:audit: nothing to archive (the store keeps the last 1000 records):1"
err=$(osm audit archive --keep -1 "$A-2" 2>&1); rc=$?
tap_is "--keep -1 refused" "$rc:$err" \
	"1:osm-fabric: audit archive: --keep takes a number of records (0 or more)"
tap_ok "the rest, --keep 0, into a second archive" \
	osm audit archive --keep 0 "$A-2"
tap_is "two archives and an empty store verify" \
	"$(osm -j audit verify --archive "$A-1" --archive "$A-2" |
	   tr -d ' \n')" '{"ok":true,"records":0,"archived":'$n',"from":1}'
err=$(osm audit verify --archive "$A-2" --archive "$A-1" 2>&1); rc=$?
tap_is "archives out of order: refused" "$rc:$err" \
	"1:osm-fabric: archive $A-1 does not go on where $A-2 ends (record $n)"
err=$(osm audit verify --archive "$A-1" 2>&1); rc=$?
tap_is "an archive missing between: refused" "$rc:$err" \
	"1:osm-fabric: the store's audit chain does not go on where $A-1 ends (record $cut; the store's starts after $n)"
sed -i '3s/^record 0801/record 0802/' "$A-1"
err=$(osm audit verify --archive "$A-1" --archive "$A-2" 2>&1); rc=$?
tap_is "a record changed in an archive is caught" "$rc:$err" \
	"1:osm-fabric: archive $A-1: chain broken at record 1"
head -n -2 "$A-2" >"$A-3"
err=$(osm audit show --archive "$A-3" 2>&1); rc=$?
tap_is "an archive cut short is refused" "$rc:$err" \
	"1:osm-fabric: archive $A-3: line $((n - cut + 1)): not an audit archive line"
tap_ok "the store goes on after the archive (2 records)" \
	osm person enter bob r101
tap_is "... and its chain from there" "$(osm audit verify --archive "$A-2")" \
	"audit chain ok: 2 records and $((n - cut)) archived in 1 file, from \
record $((cut + 1)) (records 1-$cut are in earlier archives, not checked here)"
tap_ok "bob leaves again" osm person leave bob

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
