#!/usr/bin/env bash
# Per-event timings of the daemon in the demo building: N (default 1000)
# random enters, moves and leaves of ten people over the socket; prints
# the 50th, 99th percentile and maximum, in microseconds, of: arrival ->
# leaver's circuits dead (moves, leaves), arrival -> maps hold the new
# state, arrival -> store committed. Usage: tools/engine-timing.sh [N]
set -u
cd "$(dirname "$0")/.." || exit 1
N=${1:-1000}
P=oen$$
D=/tmp/$P-timing
S=/tmp/$P.sock
. tools/building-lib.sh
trap bld_teardown EXIT
bld_up || exit 1
bld_daemon || exit 1
python3 - "$S" "$N" <<'EOF'
import json, random, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile("rwb")
where, t = {}, {"kill_us": [], "maps_us": [], "total_us": []}
people = ["ana", "bob", "cem", "dan", "eve", "fay", "gus", "hal", "ivy", "jo"]
for _ in range(int(sys.argv[2])):
    who = random.choice(people)
    if who not in where:
        room = random.choice(["r101", "r102"]); line = "enter %s %s" % (who, room)
    elif random.random() < 0.3:
        room = None; line = "leave " + who
    else:
        room = "r102" if where[who] == "r101" else "r101"
        line = "move %s %s" % (who, room)
    f.write(line.encode() + b"\n"); f.flush()
    r = f.readline().decode()
    assert r.startswith("ok "), r
    ev = json.loads(r[3:])
    if room: where[who] = room
    else: where.pop(who)
    for k in t:
        if k != "kill_us" or ev["event"] != "enter":
            t[k].append(ev[k[:-2] + "ns"] / 1000)
print("%d events through the daemon (two rooms, core, 7 devices)" % int(sys.argv[2]))
print("%-34s %8s %8s %8s" % ("arrival ->", "p50 us", "p99 us", "max us"))
names = {"kill_us": "leaver's circuits dead (move/leave)",
         "maps_us": "maps hold the new state",
         "total_us": "store committed (reply)"}
for k, v in t.items():
    v.sort()
    print("%-34s %8.0f %8.0f %8.0f" % (names[k][:34], v[len(v) // 2],
          v[int(len(v) * 0.99)], v[-1]))
EOF
