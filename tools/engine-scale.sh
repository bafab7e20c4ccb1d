#!/usr/bin/env bash
# Does the cost of one event grow with the building? Builds a store for a
# building of ROOMS rooms (20 floors under a core switch, 5 room devices
# and 2 personal device ports per person a room can hold), brings PEOPLE
# people in through the daemon (each with a phone and a laptop: 10
# circuits each), then times M random enters, moves and leaves, and
# prints p50/p99/max per event. Run it small and large and compare:
#   tools/engine-scale.sh 10 100 500
#   tools/engine-scale.sh 1000 10000 1000
# The switches are not loaded here (no namespaces for a thousand rooms):
# they are offline, so "maps" is the engine's work and the store's (the
# diff, keys, records) without the map writes, which cost the same in
# any building (tools/engine-timing.sh measures them in the demo one).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOMS=${1:-1000}
PEOPLE=${2:-10000}
M=${3:-1000}
P=oen$$
F=$PWD/build/osm-fabric
D=/tmp/$P-scale
S=/tmp/$P.sock
dpid=
trap '[ -n "$dpid" ] && kill $dpid 2>/dev/null; wait 2>/dev/null;
	rm -rf "$D" "$D.yaml" /tmp/$P.*' EXIT

python3 - "$ROOMS" "$PEOPLE" >"$D.yaml" <<'EOF'
import sys
rooms, people = int(sys.argv[1]), int(sys.argv[2])
floors = min(20, rooms)
per_room = -(-people // rooms)           # people a room's desks hold
print("building: scale\nfloors:")
for f in range(floors):
    print("  - name: f%d\n    rooms:" % f)
    for r in range(f, rooms, floors):
        print("      - { name: r%d, switch: sw%d }" % (r, r))
print("switches:\n  - name: core\n    kind: core\n    ports:")
for f in range(floors):
    print("      - { name: f%d, kind: uplink, ifname: c%d, link: fl%d/up }"
          % (f, f, f))
for f in range(floors):
    print("  - name: fl%d\n    kind: core\n    ports:\n"
          "      - { name: up, kind: uplink, ifname: up }" % f)
    for r in range(f, rooms, floors):
        print("      - { name: r%d, kind: uplink, ifname: r%d, link: sw%d/up }"
              % (r, r, r))
roles = ["microphone", "display", "speaker", "lamp", "sensor"]
for r in range(rooms):
    print("  - name: sw%d\n    kind: room\n    ports:\n"
          "      - { name: up, kind: uplink }" % r)
    for p in range(5 + 2 * per_room):
        print("      - { name: p%d }" % p)
print("devices:")
did = 0
def dev(name, role, r, port):
    global did
    did += 1
    print("  - { id: %d, name: %s, role: %s, room: r%d, port: sw%d/p%d, "
          "mac: \"02:%02x:%02x:%02x:%02x:%02x\" }" % (did, name, role, r, r,
          port, (did >> 24) & 255, (did >> 16) & 255, (did >> 8) & 255,
          did & 255, 1))
for r in range(rooms):
    for i, role in enumerate(roles):
        dev("%s%d" % (role[:3], r), role, r, i)
for n in range(people):
    r, k = n % rooms, n // rooms
    dev("u%d.phone" % n, "display", r, 5 + 2 * k)
    dev("u%d.laptop" % n, "display", r, 6 + 2 * k)
EOF
t0=$(date +%s.%N)
"$F" --store "$D" topology apply "$D.yaml" >/dev/null || exit 1
"$F" --store "$D" daemon --socket "$S" >/dev/null 2>&1 &
dpid=$!
for _ in $(seq 500); do [ -S "$S" ] && break; sleep 0.02; done
python3 - "$S" "$ROOMS" "$PEOPLE" "$M" "$t0" <<'EOF'
import json, random, socket, sys, time
sock, rooms, people, m, t0 = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
s = socket.socket(socket.AF_UNIX); s.connect(sock)
f = s.makefile("rwb")
def ask(line):
    f.write(line.encode() + b"\n"); f.flush()
    r = f.readline().decode()
    assert r.startswith("ok "), (line, r)
    return json.loads(r[3:])
where = {}
for n in range(people):                  # everyone comes in
    room = "r%d" % random.randrange(rooms)
    ask("enter u%d %s" % (n, room)); where["u%d" % n] = room
t1 = time.time()
t = {"kill_us": [], "maps_us": [], "total_us": []}
kinds = {"enter": [], "move": [], "leave": []}
for _ in range(m):                       # then the timed stream
    who = "u%d" % random.randrange(people)
    if who not in where:
        room = "r%d" % random.randrange(rooms); line = "enter %s %s" % (who, room)
    elif random.random() < 0.3:
        room = None; line = "leave " + who
    else:
        room = "r%d" % random.randrange(rooms)
        while room == where[who]: room = "r%d" % random.randrange(rooms)
        line = "move %s %s" % (who, room)
    ev = ask(line)
    if room: where[who] = room
    else: where.pop(who)
    for k in t:
        if k != "kill_us" or ev["event"] != "enter":
            t[k].append(ev[k])
    kinds[ev["event"]].append(ev["maps_us"])
print("building: %d rooms, %d people present, %d switches offline; "
      "store built in %.0f s" % (rooms, len(where), rooms + min(20, rooms) + 1, t1 - t0))
print("%d timed events through the daemon" % m)
print("%-36s %8s %8s %8s" % ("arrival ->", "p50 us", "p99 us", "max us"))
names = {"kill_us": "leaver's circuits gone (move/leave)",
         "maps_us": "new state ready (no map writes)",
         "total_us": "store committed (reply)"}
for k, v in t.items():
    v.sort()
    print("%-36s %8.0f %8.0f %8.0f" % (names[k], v[len(v) // 2],
          v[int(len(v) * 0.99)], v[-1]))
for k, v in kinds.items():
    v.sort()
    if v:
        print("%-36s %8.0f %8.0f %8.0f" % ("  new state ready, %ss (%d)" %
              (k, len(v)), v[len(v) // 2], v[int(len(v) * 0.99)], v[-1]))
EOF
echo "circuits in the store: $("$F" --store "$D" -j engine circuits | jq length)"
