#!/usr/bin/env bash
# One writer (docs/architecture.md, "One writer"): while a daemon runs,
# nothing else writes the store or the maps. A second daemon and
# `engine reconcile`, started 30 times each beside a daemon busy with
# events, never leave the maps different from the store nor a leaver's
# circuit alive; a direct writer is refused; topology apply, verify,
# reconcile and forget go through the daemon, whatever its socket; forget
# of a person present removes their circuits from every switch and their
# name from the store and the daemon's log; --socket replaces no file.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-writer
S=/tmp/$P-elsewhere.sock	# not the store's: clients find it anyway
RUNS=30
. tools/building-lib.sh
dpid=
trap '[ -n "$dpid" ] && kill $dpid 2>/dev/null; kill $(jobs -p) 2>/dev/null;
	wait 2>/dev/null; bld_down; rm -f /tmp/$P.*' EXIT

bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon || { echo "not ok 1 - daemon starts"; exit 1; }

# The driver: visitors enter and leave r101 and r102 through the
# daemon's socket, one request at a time, until /tmp/$P.stop appears.
cat >/tmp/$P.drv <<'EOF'
import os, socket, sys
sock, stop = sys.argv[1:3]
s = socket.socket(socket.AF_UNIX); s.connect(sock)
f = s.makefile("rwb", buffering=0)
n = 0
while not os.path.exists(stop):
    who, room = "v%d" % (n % 4), ("r101", "r102")[n // 4 % 2]
    for line in ("enter %s %s" % (who, room), "leave %s" % who):
        f.write(line.encode() + b"\n")
        if not f.readline().startswith(b"ok "):
            sys.exit(1)
    n += 1
print(n)
EOF
python3 /tmp/$P.drv "$S" /tmp/$P.stop >/tmp/$P.drv.out &
drv=$!

second=0 refused=0 recon=0
for i in $(seq "$RUNS"); do
	# a second daemon, on its own socket: refused before any map
	out=$(timeout 20 "$F" --store "$D" daemon --socket /tmp/$P.second \
		--netns-prefix "$BLD_NETNS_PREFIX" 2>&1)
	rc=$?
	second=$((second + 1))
	[ "$rc" = 1 ] && grep -q "written by its daemon (pid $dpid, socket $S)" \
		<<<"$out" && [ "$(wc -l <<<"$out")" = 1 ] &&
		refused=$((refused + 1))
	# reconcile from the CLI: done by the daemon, between its events
	bld_osm engine reconcile --netns-prefix "$BLD_NETNS_PREFIX" \
		>/dev/null 2>&1 && recon=$((recon + 1))
done
touch /tmp/$P.stop
wait $drv
tap_is "the event driver ran without an error" "$?" 0
tap_ok "... and made events all along ($(cat /tmp/$P.drv.out) rounds)" \
	[ "$(cat /tmp/$P.drv.out)" -gt 0 ]
tap_is "a second daemon refused $RUNS times, one line naming the first" \
	"$refused" "$RUNS"
tap_is "engine reconcile done by the daemon $RUNS times" "$recon" "$RUNS"
tap_is "the maps equal the store (verify through the daemon)" \
	"$(bld_osm engine verify)" "maps equal the store"
tap_is "nobody is present, and no circuit of a visitor is left" \
	"$(bld_osm -j person list | jq length) $(bld_osm -j engine circuits |
		jq '[.[] | select(.owner | test("^v"))] | length')" "0 0"
tap_ok "the store's socket file was never made" [ ! -e "$D/engine.sock" ]

# A direct writer of the store is refused while the daemon runs.
tap_ok "a direct store writer is refused" \
	bash -c "! timeout 10 build/tests/store/crash_writer write '$D' 1 >/dev/null 2>&1"
out=$(bld_person enter --socket /tmp/$P.none ana r101 2>&1)
tap_is "person enter on a socket nobody serves: one line, nothing written" \
	"$? $(wc -l <<<"$out") $(bld_osm -j person list | jq length)" "1 1 0"

# topology apply through the daemon: a device's MAC changes, and the
# daemon's maps follow (its verify and the CLI's are one).
bld_topology | sed 's/02:00:00:00:02:02/02:00:00:00:02:42/' >/tmp/$P.topo.yaml
tap_ok "topology apply goes through the daemon" \
	bash -c "'$F' --store '$D' -j topology apply /tmp/$P.topo.yaml |
		jq -e '.fixed >= 0' >/dev/null"
tap_is "the daemon's verify after the change" \
	"$(bld_osm engine verify)" "maps equal the store"
tap_is "the lamp's circuits use its new MAC" \
	"$(bld_person enter ana r102 >/dev/null &&
	   "$F" -j circuit list -n "$(bld_swns r102)" "$(bld_sw r102)" |
	   jq -r 'any(.[]; .src == "02:00:00:00:02:42" or
			.dst == "02:00:00:00:02:42")')" "true"

# apply takes regular files only (a FIFO would stall the daemon), and its
# errors are one line, whatever the file holds.
mkfifo /tmp/$P.fifo
tap_is "apply of a FIFO: refused, the daemon goes on" \
	"$(bld_ask "apply /tmp/$P.fifo"; bld_ask ping)" \
	"error denied apply: /tmp/$P.fifo: not a regular file
ok {\"pong\":true}"
printf '"a\\nb": 1\n' >/tmp/$P.bad.yaml
tap_is "apply of a bad file: one error line, then the next reply" \
	"$(python3 -c "
import socket; s = socket.socket(socket.AF_UNIX); s.connect('$S')
s.sendall(b'apply /tmp/$P.bad.yaml\nping\n'); f = s.makefile()
print(f.readline().split()[0], f.readline().strip())")" 'error ok {"pong":true}'

# forget a person present: their circuits go from every switch first.
ids=$(bld_osm -j engine circuits | jq -r '.[] | select(.owner == "ana") | .id')
tap_ok "ana has circuits before ($(echo $ids))" [ -n "$ids" ]
tap_ok "forget ana, present, through the daemon" bld_osm forget ana
left=0
for sw in core r101 r102; do
	for id in $ids; do
		"$F" -j circuit list -n "$(bld_swns $sw)" "$(bld_sw $sw)" |
			jq -e --argjson id "$id" 'any(.[]; .id == $id)' \
			>/dev/null && left=$((left + 1))
	done
done
tap_is "no circuit of ana on any switch" "$left" 0
tap_is "the maps equal the store after it" \
	"$(bld_osm engine verify)" "maps equal the store"
# (her device ana.laptop is the building's, in its topology)
tap_is "no byte of 'ana' in the store's files but her device's name" \
	"$(cat "$D"/*.mdb | grep -ao 'ana' | wc -l)" \
	"$(cat "$D"/*.mdb | grep -ao 'ana\.laptop' | wc -l)"
tap_is "and none in the daemon's log" \
	"$(grep -c '\bana\b' /tmp/$P.log)" 0
tap_is "nor in its recent events" \
	"$(bld_ask 'events 64' | grep -c '"ana')" 0

# Audit archives through the daemon: the CLI writes the file, the daemon
# lets go of the records (it is the store's one writer).
n=$(bld_osm audit show | wc -l)
out=$(bld_osm audit archive --keep 5 /tmp/$P.archive); rc=$?
tap_is "audit archive through the daemon" "$rc:$out" \
	"0:audit: records 1-$((n - 5)) archived to /tmp/$P.archive and pruned from the store"
tap_ok "the daemon pruned them (its log says so)" \
	grep -q "^audit: records up to $((n - 5)) archived and pruned" /tmp/$P.log
tap_ok "events go on after it" bld_person enter bob r101
tap_ok "archive and store verify as one chain" \
	bld_osm audit verify --archive /tmp/$P.archive
tap_is "prune requests checked: bad words, a wrong hash, a gone record" \
	"$(bld_ask 'prune 0 x'; bld_ask "prune 1 $(printf '%064d' 0)"
	   bld_ask "prune $((n - 4)) $(printf '%064d' 0)")" \
	"error bad-request prune: SEQ is a record's sequence number (1 or more)
error stale prune: no such record in the store
error stale prune: the hash is not that record's"
rm -f /tmp/$P.archive
tap_ok "bob leaves" bld_person leave bob

# A full circuit table is named, with its size, and nothing is applied.
ns=$(bld_swns r102) sw=$(bld_sw r102)
"$F" unload -n "$ns" "$sw" >/dev/null &&
	"$F" load -n "$ns" --max-circuits 1 "$sw" up p1 p2 p3 >/dev/null &&
	bld_ask reload >/dev/null
out=$(bld_person enter bob r102 2>&1)
tap_is "an event that overfills a switch's table: one line naming it" \
	"$? $out" "1 osm-fabric: person enter: daemon: circuit table of switch $sw is full (1 circuit)"
tap_is "... nothing applied: bob is out, the maps equal the store" \
	"$(bld_osm person list | grep -c "^bob ") $(bld_osm engine verify)" \
	"0 maps equal the store"

# --socket never replaces a file that is not a stale socket of ours.
echo keep >/tmp/$P.file
out=$("$F" --store /tmp/$P-other daemon --socket /tmp/$P.file 2>&1)
tap_is "daemon --socket on a regular file: refused, the file kept" \
	"$? $(cat /tmp/$P.file)" "1 keep"
tap_done
