#!/usr/bin/env bash
# README's "Using it" runs as written, with the installed names (issue 15):
# `make install` into a fresh DESTDIR, its programs first on PATH, the
# namespaces of docs/switch.md step 1 made by that step's own block, then
# every `sh` block of "Using it", in order, under `bash -e`, in an empty
# directory (docs/ linked there; `make` runs in the tree). The store is a
# temporary one ($OSM_FABRIC_STORE) and $HOME an empty one, with the
# installed dissector in its personal plugin folder. The names the README
# uses (namespaces r101, mic, display; switch r101; /tmp/fw-store) must
# be free.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
REPO=$PWD
osm_fixture_init ord
osm_tmpdir T || exit 1

for ns in r101 mic display; do
	if ip netns list | grep -q "^$ns\( \|$\)"; then
		echo "not ok 1 - namespace $ns, which README uses, is free"
		echo "1..1"
		exit 1
	fi
done
osm_defer ip netns del display
osm_defer ip netns del mic
osm_defer ip netns del r101
osm_defer "$REPO/build/osm-fabric" unload -n r101 r101
osm_defer rm -rf /tmp/fw-store "$REPO/build/firmware/devices/door1.blob" \
	"$REPO/build/firmware/devices/door1.elf"

# the sh blocks of the sections of FILE whose heading starts with HEAD
blocks() {
	awk -v head="$2" '
		/^## / { in_sec = index($0, head) == 1 }
		in_sec && /^```sh$/ { in_block = 1; next }
		in_block && /^```$/ { in_block = 0; print ""; next }
		in_block { print }' "$1"
}

env -u MAKEFLAGS -u MAKELEVEL make -s install DESTDIR="$T/root" >/dev/null
root=$T/root/usr/local
plugin=$(find "$T/root" -name osm.lua)
mkdir -p "$T/home/.local/lib/wireshark/plugins" "$T/work"
ln -s "$plugin" "$T/home/.local/lib/wireshark/plugins/osm.lua"
ln -s "$REPO/docs" "$T/work/docs"
{
	echo "make() { env -u MAKEFLAGS -u MAKELEVEL make -s -C '$REPO' \"\$@\"; }"
	blocks docs/switch.md "## 1. Ports"
	blocks README.md "## Using it"
} >"$T/run.sh"
tap_ok "README's Using it has its blocks" \
	test "$(blocks README.md "## Using it" | grep -c .)" -gt 20

# A session of its own (the subshell execs setsid, which keeps its pid):
# what the blocks leave running (port watch, the daemon) is stopped with
# it, whatever happens.
(cd "$T/work" && PATH="$root/sbin:$root/bin:$PATH" HOME="$T/home" \
	OSM_FABRIC_STORE="$T/store" exec setsid bash -e "$T/run.sh") \
	>"$T/log" 2>&1 &
runner=$!
osm_defer kill -- -$runner
wait $runner
rc=$?
kill -- -$runner 2>/dev/null
tap_is "every command of Using it runs, in order, with status 0" "$rc" 0
[ "$rc" = 0 ] || tail -20 "$T/log" | sed 's/^/# /'
tap_ok "osm-fabric, osm-endpoint and osm-pktgen were the installed ones" \
	test "$(grep -c "$T/root" "$T/run.sh")" = 0 -a -x "$root/sbin/osm-fabric"
tap_is "the switch forwarded the 3 frames mic sent" \
	"$(grep -cE '^sent [0-9]+ [0-9a-f]+$' "$T/log") $(grep -E '^circuit 101 +frames' "$T/log" |
	awk '{ print $4 }')" "3 3"
tap_ok "the daemon ran every event (--detach: it served the first)" \
	grep -q '^#3 leave ana' "$T/log"
tap_ok "metrics printed Prometheus text" \
	grep -q '^osm_engine_events_total{event="enter",result="ok"} 1$' "$T/log"
tap_ok "tshark decoded the pcap with the installed dissector" \
	grep -q 'osm-fabric circuit' "$T/log"
tap_ok "firmware image of door1 built from the store" \
	test -s "$REPO/build/firmware/devices/door1.elf"
tap_done
