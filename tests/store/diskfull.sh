#!/usr/bin/env bash
# A store whose file system fills up: the event that does not fit fails
# with one line naming the cause (not "Input/output error"), changes
# nothing, and once there is room again events go on and the audit chain
# verifies. Also topology apply and audit archive on a full file system.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
osm_fixture_init osf
M=/tmp/osf$$-fs
mkdir -p "$M"
mount -t tmpfs -o size=2m tmpfs "$M" || { echo "Bail out! tmpfs"; exit 1; }
osm_defer rmdir "$M"
osm_defer umount "$M"
D=$M/store
osm() { ./build/osm-fabric --store "$D" "$@"; }

osm topology apply docs/examples/building-cam.yaml >/dev/null
tap_ok "alice enters r101" osm person enter alice r101
# fill the file system, then move bob in and out until an event needs a
# page the store does not have free
dd if=/dev/zero of="$M/fill" bs=4k 2>/dev/null
err= i=0
while [ $i -lt 3000 ]; do
	room=r10$((i % 2 + 1))
	if ! err=$(osm person enter bob $room 2>&1 >/dev/null); then
		break
	fi
	where=$room i=$((i + 1))
done
tap_is "an event on a full file system: one line naming it" \
	"$(sed 's/([0-9]* bytes free)/(N bytes free)/' <<<"$err")" \
	"osm-fabric: person enter: no space left on the file system of store $D (N bytes free)"
tap_is "... and nothing of it applied: bob is where he was" \
	"$(osm person list | awk '$1 == "bob" { print $2 }')" "${where:-}"
tap_is "the audit chain verifies" "$(osm audit verify | cut -d: -f1)" \
	"audit chain ok"
sed 's/^building: .*/building: elsewhere/' docs/examples/building-cam.yaml \
	>/tmp/osf$$.yaml
osm_defer rm -f /tmp/osf$$.yaml
out=$(osm topology apply /tmp/osf$$.yaml 2>&1); rc=$?
tap_is "topology apply on a full file system: one line naming it" \
	"$rc:$(sed 's/([0-9]* bytes free)/(N bytes free)/' <<<"$out")" \
	"1:osm-fabric: /tmp/osf$$.yaml: not applied: no space left on the file system of store $D (N bytes free)"
rm -f "$M/fill"
tap_ok "room again: bob moves" osm person enter bob r102
tap_ok "alice leaves" osm person leave alice
tap_is "the chain verifies after it all" "$(osm audit verify | cut -d: -f1)" \
	"audit chain ok"
tap_done
