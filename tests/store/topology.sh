#!/usr/bin/env bash
# Topology files through the CLI: the example building applies and shows;
# every file in tests/store/bad/ is refused with "FILE:LINE: problem" (its
# first line says which), exit 1, and the store is left as it was.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
OSM=./build/osm-fabric
D=/tmp/ost$$-topo
osm_fixture_init ost
osm_defer rm -rf "$D"

osm() { "$OSM" --store "$D" "$@"; }

out=$(osm topology apply docs/examples/building-cam.yaml)
tap_is "example applies" "$?:$out" \
	"0:building cam applied: 1 floor, 2 rooms, 4 switches, 13 ports, 5 devices"
show=$(osm topology show --json)
tap_ok "show --json lists the 5 devices" \
	[ "$(grep -c '"mac":' <<<"$show")" -eq 5 ]
tap_ok "show --json has the core uplink to r101" \
	grep -q '"peer": "sw-r101/up"' <<<"$show"
tap_ok "show prints the tree" \
	bash -c "$OSM --store $D topology show | grep -q 'device 4    speaker'"
tap_ok "device keys hidden by default" \
	bash -c "! $OSM --store $D topology show --json | grep -q '\"key\"'"
tap_is "--show-keys: each device's long-term key" \
	"$(osm --show-keys topology show --json | grep -Ec '"key": "[0-9a-f]{64}"')" 5
# applying the same file again is fine (replaces)
tap_is "re-apply" "$(osm topology apply docs/examples/building-cam.yaml \
	>/dev/null; echo $?)" 0
audit_before=$(osm audit show | wc -l)
show=$(osm topology show --json)

for f in tests/store/bad/*.yaml; do
	name=$(basename "$f" .yaml)
	want="osm-fabric: $f:$(sed -n '1s/^# expect: //p' "$f")"
	err=$(osm topology apply "$f" 2>&1 >/dev/null)
	rc=$?
	tap_is "$name: exit 1" "$rc" 1
	TAP_N=$((TAP_N + 1))
	if [ "${err#"$want"}" != "$err" ] && [ "$(wc -l <<<"$err")" -eq 1 ]; then
		echo "ok $TAP_N - $name: message"
	else
		echo "not ok $TAP_N - $name: message"
		echo "#   got:  $err"
		echo "#   want: $want..."
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
done
tap_is "nothing applied: topology unchanged" \
	"$(osm topology show --json)" "$show"
tap_is "nothing applied: no audit record" "$(osm audit show | wc -l)" \
	"$audit_before"

# other user errors: one line, exit 1
err=$(osm topology apply /nonexistent.yaml 2>&1); rc=$?
tap_is "missing file" "$rc:$err" \
	"1:osm-fabric: /nonexistent.yaml: No such file or directory"
err=$(osm topology frob 2>&1); rc=$?
tap_is "bad subcommand" "$rc:$(wc -l <<<"$err")" "1:1"
err=$("$OSM" --store "$D-none" topology show 2>&1); rc=$?
tap_is "show without a store" "$rc:${err%%:*}" "1:osm-fabric"
tap_done
