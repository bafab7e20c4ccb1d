#!/usr/bin/env python3
# The control-plane bench's building and event driver (tools/bench/control.sh
# runs it; standard library only).
#
#   control.py topology PREFIX ROOMS PEOPLE DIR
#       writes DIR/topology.yaml, the building: floors of rooms under a
#       core switch, one switch per room and per floor; each room has 5
#       devices (microphone, display, speaker, lamp, sensor) and desks
#       (2 ports each) for its share of PEOPLE, whose phone and laptop
#       (PERSON.phone, PERSON.laptop: theirs, docs/engine.md) sit there.
#       And the part that runs for real: DIR/online.batch (`ip -batch`:
#       veth pairs), DIR/up-NETNS.batch (links up, one per
#       namespace), DIR/load.txt (one "NETNS SWITCH IFNAME..." a line),
#       DIR/online.txt (the online rooms). Online: the core, floors 0
#       and 1, and 4 rooms, 2 on each (DIR/netns.txt: the namespaces to
#       make first); every port of an online switch has
#       its interface, the ones to offline switches and devices a veth
#       whose other end sits in namespace PREFIX-j.
#   control.py drive SOCKET ROOMS PEOPLE M DIR
#       through the daemon: everyone enters a random room; the people
#       whose desks are in online rooms move into online rooms; then M
#       timed random enters, moves and leaves of those people between
#       online rooms, so every map write of a timed event is real. Writes
#       DIR/events.csv (event,kill_us,maps_us,total_us,map_ops).
#   control.py summary ROOMS PEOPLE CIRCUITS DIR
#       prints CSV lines rooms,people,circuits,metric,p50,p99,max (us).
import json
import os
import random
import socket
import sys

ROLES = ["microphone", "display", "speaker", "lamp", "sensor"]


def floors_of(rooms):
    # 2 floors at least (two online floors), 5 rooms a floor until 20
    return max(2, min(20, rooms // 5))


def online_rooms(rooms):
    f = floors_of(rooms)
    return [0, 1, f, f + 1]      # floors 0, 1, 0, 1


def topology(prefix, rooms, people, d):
    nf = floors_of(rooms)
    per_room = -(-people // rooms)
    sw = lambda r: "%ss%d" % (prefix, r)
    fl = lambda f: "%sf%d" % (prefix, f)
    core = prefix + "c"
    out = ["building: %s" % prefix, "floors:"]
    for f in range(nf):
        out.append("  - name: f%d\n    rooms:" % f)
        for r in range(f, rooms, nf):
            out.append("      - { name: r%d, switch: %s }" % (r, sw(r)))
    out.append("switches:\n  - name: %s\n    kind: core\n    ports:" % core)
    for f in range(nf):
        out.append("      - { name: f%d, kind: uplink, ifname: c%d, "
                   "link: %s/up }" % (f, f, fl(f)))
    for f in range(nf):
        out.append("  - name: %s\n    kind: core\n    ports:\n"
                   "      - { name: up, kind: uplink, ifname: up }" % fl(f))
        for r in range(f, rooms, nf):
            out.append("      - { name: r%d, kind: uplink, ifname: r%d, "
                       "link: %s/up }" % (r, r, sw(r)))
    nport = 5 + 2 * per_room
    for r in range(rooms):
        out.append("  - name: %s\n    kind: room\n    ports:\n"
                   "      - { name: up, kind: uplink }" % sw(r))
        for p in range(nport):
            out.append("      - { name: p%d }" % p)
    out.append("devices:")
    did = 0

    def dev(name, role, r, port):
        nonlocal did
        did += 1
        out.append("  - { id: %d, name: %s, role: %s, room: r%d, "
                   "port: %s/p%d, mac: \"02:%02x:%02x:%02x:%02x:01\" }" %
                   (did, name, role, r, sw(r), port, (did >> 24) & 255,
                    (did >> 16) & 255, (did >> 8) & 255, did & 255))
    for r in range(rooms):
        for i, role in enumerate(ROLES):
            dev("%s%d" % (role[:3], r), role, r, i)
    for n in range(people):
        r, k = n % rooms, n // rooms
        dev("u%d.phone" % n, "display", r, 5 + 2 * k)
        dev("u%d.laptop" % n, "display", r, 6 + 2 * k)
    with open(os.path.join(d, "topology.yaml"), "w") as f:
        f.write("\n".join(out) + "\n")

    # The online part: NETNS of a switch is "ns-" + its name (the
    # daemon's --netns-prefix ns-).
    on = online_rooms(rooms)
    ns = lambda s: "ns-" + s
    junk = prefix + "-j"
    batch = []
    ups = {junk: []}
    loads = []
    nj = [0]

    def port(s, ifname, peer=None):
        # a veth: to peer (netns, ifname), or to a junk end
        if peer is None:
            nj[0] += 1
            peer = (junk, "j%d" % nj[0])
        batch.append("link add name %s netns %s type veth peer name %s netns %s"
                     % (ifname, ns(s), peer[1], peer[0]))
        ups[ns(s)].append(ifname)
        ups[peer[0]].append(peer[1])

    sws = [core, fl(0), fl(1)] + [sw(r) for r in on]
    for s in sws:
        ups[ns(s)] = []
    ifs = {s: [] for s in sws}
    for f in range(nf):                 # core <-> floors, 0 and 1 real
        ifs[core].append("c%d" % f)
        if f < 2:
            ups[ns(fl(f))].append("up")
            ifs[fl(f)].append("up")
            batch.append("link add name c%d netns %s type veth peer name up "
                         "netns %s" % (f, ns(core), ns(fl(f))))
            ups[ns(core)].append("c%d" % f)
        else:
            port(core, "c%d" % f)
    for f in range(2):                  # floors <-> their rooms
        for r in range(f, rooms, nf):
            ifs[fl(f)].append("r%d" % r)
            if r in on:
                batch.append("link add name r%d netns %s type veth peer name up "
                             "netns %s" % (r, ns(fl(f)), ns(sw(r))))
                ups[ns(fl(f))].append("r%d" % r)
                ups[ns(sw(r))].append("up")
                ifs[sw(r)].append("up")
            else:
                port(fl(f), "r%d" % r)
    for r in on:                        # rooms' device ports
        for p in range(nport):
            port(sw(r), "p%d" % p)
            ifs[sw(r)].append("p%d" % p)
    with open(os.path.join(d, "netns.txt"), "w") as f:
        f.write("\n".join(ups) + "\n")
    with open(os.path.join(d, "online.batch"), "w") as f:
        f.write("\n".join(batch) + "\n")
    for n, l in ups.items():
        with open(os.path.join(d, "up-%s.batch" % n), "w") as f:
            f.write("".join("link set dev %s up\n" % i for i in l))
    with open(os.path.join(d, "load.txt"), "w") as f:
        for s in sws:
            f.write("%s %s %s\n" % (ns(s), s, " ".join(ifs[s])))
    with open(os.path.join(d, "online.txt"), "w") as f:
        f.write(" ".join("r%d" % r for r in on) + "\n")


def drive(sock, rooms, people, m, d):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    f = s.makefile("rwb")

    def ask(line):
        f.write(line.encode() + b"\n")
        f.flush()
        r = f.readline().decode()
        if not r.startswith("ok "):
            sys.exit("control.py: %s: %s" % (line, r.strip()))
        return json.loads(r[3:])
    rnd = random.Random(7)
    where = {}
    for n in range(people):             # everyone comes in
        room = "r%d" % rnd.randrange(rooms)
        ask("enter u%d %s" % (n, room))
        where["u%d" % n] = room
    on = ["r%d" % r for r in online_rooms(rooms)]
    mine = ["u%d" % n for n in range(people)
            if "r%d" % (n % rooms) in on]
    for who in mine:                    # untimed: into online rooms
        room = rnd.choice([r for r in on if r != where[who]])
        ask("move %s %s" % (who, room))
        where[who] = room
    rows = []
    for _ in range(m):                  # the timed stream
        who = rnd.choice(mine)
        if who not in where:
            room = rnd.choice(on)
            line = "enter %s %s" % (who, room)
        elif rnd.random() < 0.3:
            room = None
            line = "leave " + who
        else:
            room = rnd.choice([r for r in on if r != where[who]])
            line = "move %s %s" % (who, room)
        ev = ask(line)
        if room:
            where[who] = room
        else:
            where.pop(who)
        rows.append("%s,%d,%d,%d,%d" % (ev["event"], ev["kill_ns"] // 1000,
                    ev["maps_ns"] // 1000, ev["total_ns"] // 1000,
                    ev["map_ops"]))
    v = ask("verify")
    with open(os.path.join(d, "events.csv"), "w") as f:
        f.write("event,kill_us,maps_us,total_us,map_ops\n")
        f.write("\n".join(rows) + "\n")
    print("%d people present, %d timed events, %d map entries differ "
          "from the store" % (len(where), m, v["differences"]))
    if v["differences"]:
        sys.exit("control.py: the maps differ from the store")


# metric: (event kind, field); ready = maps hold the new state
METRICS = [("leave_kill", "leave", "kill_us"),
           ("enter_ready", "enter", "maps_us"),
           ("move_ready", "move", "maps_us"),
           ("leave_commit", "leave", "total_us")]


def summary(rooms, people, circuits, d):
    ev = []
    with open(os.path.join(d, "events.csv")) as f:
        head = f.readline().strip().split(",")
        for line in f:
            ev.append(dict(zip(head, line.strip().split(","))))
    for name, kind, field in METRICS:
        v = sorted(int(e[field]) for e in ev if e["event"] == kind)
        if not v:
            continue
        print("%d,%d,%d,%s,%d,%d,%d" % (rooms, people, circuits, name,
              v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.99))], v[-1]))
    ops = sorted(int(e["map_ops"]) for e in ev)
    print("# map entries written per event: p50 %d, max %d" %
          (ops[len(ops) // 2], ops[-1]), file=sys.stderr)


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 6 and a[1] == "topology":
        topology(a[2], int(a[3]), int(a[4]), a[5])
    elif len(a) == 7 and a[1] == "drive":
        drive(a[2], int(a[3]), int(a[4]), int(a[5]), a[6])
    elif len(a) == 6 and a[1] == "summary":
        summary(int(a[2]), int(a[3]), int(a[4]), a[5])
    else:
        sys.exit("usage: control.py topology|drive|summary ... "
                 "(see its head)")
