#!/usr/bin/env python3
"""Helpers of tests/torture/control.sh, the control-plane fault campaign.

  control.py drive OSM STORE NSPREFIX LOG STOP READY PEOPLE...
      random enter/move/leave of PEOPLE through `osm-fabric -j person`
      (the daemon when one serves, else the command itself) until the
      file STOP exists; one JSON line a finished event in LOG.
  control.py one OSM STORE NSPREFIX LOG OP WHO [ROOM]
      one event (enter, move, leave, forget) the same way.
  control.py stamp OUT
      reads `osm-endpoint recv` lines on stdin, writes "NS SEQ" (the
      realtime clock in ns when the frame was read) for each good frame,
      "drop NS REASON SEQ" for each refused one.
  control.py gaps STAMPS T0 T1 [RUNS]
      the longest time without a good frame in [T0, T1] (ns), the longest
      such time with frames lost, frames lost (sequence numbers skipped),
      frames received and refused; with RUNS (lines "N KIND START END")
      the run of each longest time.
  control.py init|dead|after STATE OSM STORE NSPREFIX SWITCHES [LOG...]
      the checks (see check()).

A LOG line: {"op":..,"who":..,"room":..,"res":"ok"|"no"|"unknown",
"reply":{..} (ok: the event's JSON) | "msg":".."}. "no" is an error
that says nothing was applied (not present, same room, refused: the
store is written by a daemon); "unknown" is any other (the daemon died
with the request: applied wholly or not at all, docs/engine.md).
"""
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time

ROOMS = ("r101", "r102")
# errors after which nothing was applied, said so by the command
DEFINITE = ("is not present", "already", "is written by its daemon",
            "no room", "store is in use", "not-found", "no record names")


def run_one(osm, store, nsp, op, who, room=None):
    if op == "forget":
        cmd = [osm, "-j", "--store", store, "forget", "--netns-prefix", nsp,
               who]
    else:
        cmd = [osm, "-j", "--store", store, "person", op, "--netns-prefix",
               nsp, who] + ([room] if room else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    rec = {"op": op, "who": who, "room": room}
    if p.returncode == 0:
        rec["res"] = "ok"
        try:
            rec["reply"] = json.loads(p.stdout)
        except ValueError:
            rec["reply"] = {"text": p.stdout.strip()}
    else:
        msg = p.stderr.strip()
        rec["res"] = "no" if any(d in msg for d in DEFINITE) else "unknown"
        rec["msg"] = msg
    return rec


def drive(osm, store, nsp, log, stop, ready, people):
    state = {p["name"]: p["room"] for p in json.loads(subprocess.check_output(
        [osm, "-j", "--store", store, "person", "list"]))}
    open(ready, "w").close()
    f = open(log, "a", buffering=1)
    while not os.path.exists(stop):
        who = random.choice(people)
        if who not in state:
            op, room = "enter", random.choice(ROOMS)
        elif random.random() < 0.35:
            op, room = "leave", None
        else:
            op = random.choice(("move", "enter"))   # enter of one present moves
            room = ROOMS[1] if state[who] == ROOMS[0] else ROOMS[0]
        rec = run_one(osm, store, nsp, op, who, room)
        f.write(json.dumps(rec) + "\n")
        if rec["res"] == "ok":
            if room:
                state[who] = room
            else:
                state.pop(who, None)
        elif "is not present" in rec.get("msg", ""):
            state.pop(who, None)
        elif rec["res"] == "unknown":
            # ask again before going on (docs/engine.md): the store says
            try:
                state = {p["name"]: p["room"] for p in json.loads(
                    subprocess.check_output([osm, "-j", "--store", store,
                                             "person", "list"]))}
            except (subprocess.CalledProcessError, ValueError):
                pass


def stamp(out):
    try:    # a pipe of a megabyte: recv never waits for us
        import fcntl
        fcntl.fcntl(0, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass
    f = open(out, "w", buffering=1)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "ok":
            f.write("%d %s\n" % (time.time_ns(), w[1]))
        elif w[0] == "drop":
            f.write("drop %d %s %s\n" % (time.time_ns(), w[1], w[2]))


def gaps(stamps, t0, t1, runs=None):
    """In [T0, T1]: the longest time without a good frame (a stall: the
    sender, the receiver or the fabric), the longest such time over which
    frames were lost (an interruption: the fabric), frames lost, good
    frames, refused frames, and with RUNS the run of each of the two."""
    t0, t1 = int(t0), int(t1)
    last_t, last_s = None, None
    stall, stall_at, cut, cut_at = 0, t0, 0, t0
    lost, got, refused = 0, 0, 0
    for line in open(stamps):
        w = line.split()
        if w[0] == "drop":
            if t0 <= int(w[1]) <= t1:
                refused += 1
            continue
        t, s = int(w[0]), int(w[1])
        if t < t0:
            last_t, last_s = t, s
            continue
        if t > t1:
            break
        got += 1
        prev = max(last_t, t0) if last_t is not None else t0
        if t - prev > stall:
            stall, stall_at = t - prev, prev
        if last_s is not None and s > last_s + 1:
            lost += s - last_s - 1
            if t - prev > cut:
                cut, cut_at = t - prev, prev
        last_t, last_s = t, s
    end = last_t if last_t is not None and last_t > t0 else t0
    if t1 - end > stall:        # nothing since: the gap lasts to the end
        stall, stall_at = t1 - end, end

    def where(at, length):
        if not runs or not length:
            return "-"
        for line in open(runs):
            n, kind, a, b = line.split()
            if int(a) <= at + length and at <= int(b):
                return "%s:%s" % (n, kind)
        return "-"
    print("%.1f %.1f %d %d %d %s %s" % (stall / 1e6, cut / 1e6, lost, got,
                                        refused, where(stall_at, stall),
                                        where(cut_at, cut)))


# ---- the checks -----------------------------------------------------------

def osmj(osm, store, *a):
    return json.loads(subprocess.check_output([osm, "-j", "--store", store]
                                              + list(a)))


def dumps(osm, nsp, switches):
    """{circuit id: {switch: [epochs of its key slots]}} of every switch."""
    m = {}
    for sw in switches:
        for c in json.loads(subprocess.check_output(
                [osm, "-j", "circuit", "list", "-n", nsp + sw, sw])):
            m.setdefault(c["id"], {})[sw] = [k["epoch"]
                                             for k in c.get("keys", [])]
    return m


def cid(detail):
    m = re.match(r"circuit (\d+)", detail)
    return int(m.group(1)) if m else None


def cepoch(detail):
    m = re.search(r"epoch (\d+)", detail)
    return int(m.group(1)) if m else None


def read_logs(logs):
    evs = []
    for lf in logs:
        try:
            for line in open(lf):
                try:
                    evs.append(json.loads(line))
                except ValueError:
                    pass    # a line being written (the driver goes on)
        except FileNotFoundError:
            pass
    return evs


def check(mode, statef, osm, store, nsp, switches, logs):
    """init: the state file from the store (after a verified start).
    dead (the daemon killed, not restarted): every circuit an acknowledged
    event deleted is gone from every switch. after (recovered): the store
    equals the acknowledged events (those in doubt wholly or not at all),
    the audit holds a record of each and its chain is whole, the store's
    circuits are what its audit says and each is in the maps of every
    switch of its path with its epoch, no deleted circuit is in a map.
    Prints "NAME VALUE" lines, and "# ..." lines naming what differs."""
    switches = switches.split(",")
    out = {"events_lost": 0, "circuits_lost": 0, "audit_lost": 0,
           "maps_extra": 0, "leaver_alive": 0, "acked": 0, "unknown": 0}
    notes = []
    if mode == "init":
        st = {"persons": {}, "circuits": {}, "audit_last": 0,
              "deleted": {}, "owners": {}}
    else:
        st = json.load(open(statef))
    deleted = {int(k): v for k, v in st["deleted"].items()}
    owners = {int(k): v for k, v in st["owners"].items()}
    evs = read_logs(logs)
    for ev in evs:
        if ev["res"] == "ok" and ev["op"] != "forget":
            out["acked"] += 1
            for c in ev["reply"].get("changes", []):
                owners.setdefault(c["circuit"], c["owner"])
                if c["op"] == "del":
                    deleted[c["circuit"]] = c["owner"]
        elif ev["res"] == "unknown":
            out["unknown"] += 1

    def stray(maps, circs):
        """Map entries of data circuits the store does not put there."""
        for i, where in sorted(maps.items()):
            if i >= 1 << 31:
                continue        # control circuits: the controller's
            for sw in where:
                if circs is None:
                    if i not in deleted:
                        continue
                elif i in circs and sw in circs[i]["path"]:
                    continue
                if i in deleted and deleted[i]:
                    out["leaver_alive"] += 1
                    notes.append("circuit %d of %s (deleted) on %s"
                                 % (i, deleted[i], sw))
                else:
                    out["maps_extra"] += 1
                    notes.append("circuit %d on %s: not the store's" % (i, sw))

    if mode == "dead":
        # only what acknowledged events deleted: the rest may be the
        # event in flight, which the restart settles
        stray(dumps(osm, nsp, switches), None)
        for k in ("leaver_alive", "maps_extra"):
            print(k, out[k])
        for n in notes:
            print("#", n)
        return

    persons = {p["name"]: p["room"] for p in osmj(osm, store, "person",
                                                  "list")}
    circs = {c["id"]: c for c in osmj(osm, store, "engine", "circuits")}
    audit = osmj(osm, store, "audit", "show")
    seqs = [r["seq"] for r in audit]
    if seqs:
        holes = seqs[-1] - seqs[0] + 1 - len(seqs)
        if holes:
            out["audit_lost"] += holes
            notes.append("audit: %d sequence numbers missing" % holes)
    last = seqs[-1] if seqs else 0
    if last < st["audit_last"]:
        out["audit_lost"] += st["audit_last"] - last
        notes.append("audit: last record %d, was %d" % (last, st["audit_last"]))
    new = [r for r in audit if r["seq"] > st["audit_last"]]
    if mode == "init":
        st["persons"] = persons

    # People: each one's events, in their writer's order (one writer a
    # person); those in doubt applied or not, as the store says.
    expect_presence = {}     # (kind, person) -> count
    forgotten = set()
    names = set(st["persons"]) | set(persons) | {e["who"] for e in evs}
    for p in sorted(names):
        mine = [e for e in evs if e["who"] == p]
        doubt = [i for i, e in enumerate(mine) if e["res"] == "unknown"]
        found = None
        for pick in itertools.product((0, 1), repeat=min(len(doubt), 6)):
            applied = {d for d, b in zip(doubt, pick) if b}
            room, kinds, gone = st["persons"].get(p), [], False
            for i, e in enumerate(mine):
                if not (e["res"] == "ok" or i in applied):
                    continue
                if e["op"] == "forget":
                    if room:
                        kinds.append("leave")
                    room, gone = None, True
                elif e["op"] == "leave":
                    if room is None:
                        break   # cannot be: it would have failed
                    room = None
                    kinds.append("leave")
                else:
                    if e["op"] == "move" and room is None:
                        break
                    if e["room"] == room:
                        break
                    kind = "enter" if room is None else "move"
                    if e["res"] == "ok" and \
                            e["reply"].get("event", kind) != kind:
                        break   # the daemon said otherwise
                    kinds.append(kind)
                    room = e["room"]
            else:
                if room == persons.get(p):
                    found = (kinds, gone)
                    break
        if found is None:
            out["events_lost"] += 1
            notes.append("%s: store says %s; events %s" % (
                p, persons.get(p), [(e["op"], e.get("room"), e["res"])
                                    for e in mine]))
            continue
        kinds, gone = found
        if gone:
            forgotten.add(p)
        for k in kinds:
            expect_presence[k, p] = expect_presence.get((k, p), 0) + 1

    # The audit: a record for every acknowledged event and each change.
    have = {}
    for r in new:
        if r["kind"] in ("circuit-add", "circuit-del", "key-rotate"):
            key = (r["kind"], cid(r["detail"]), cepoch(r["detail"])
                   if r["kind"] == "key-rotate" else None)
        else:
            key = (r["kind"], r["person"])
        have[key] = have.get(key, 0) + 1
    erased = have.get(("erased", ""), 0)
    for (k, p), n in expect_presence.items():
        if p in forgotten:
            erased -= n         # its records are erased markers now
            continue
        got = have.get((k, p), 0)
        if got < n:
            out["audit_lost"] += n - got
            notes.append("audit: %d %s record(s) of %s missing" % (n - got,
                                                                  k, p))
    if erased < 0:
        out["audit_lost"] += -erased
        notes.append("audit: %d erased records missing" % -erased)
    for ev in evs:
        if ev["res"] != "ok" or ev["op"] == "forget":
            continue
        for c in ev["reply"].get("changes", []):
            if c["owner"] in forgotten:
                continue
            kind = {"add": "circuit-add", "del": "circuit-del",
                    "rotate": "key-rotate"}[c["op"]]
            key = (kind, c["circuit"], c["epoch"] if c["op"] == "rotate"
                   else None)
            if have.get(key, 0) > 0:
                have[key] -= 1
            else:
                out["audit_lost"] += 1
                notes.append("audit: no %s record of circuit %d (%s)"
                             % (kind, c["circuit"], ev["op"]))

    # The store's circuits are what the audit says, from the last run's.
    want = {int(i): c["epoch"] for i, c in st["circuits"].items()}
    for r in new:
        i = cid(r["detail"])
        if r["kind"] == "circuit-add":
            want[i] = cepoch(r["detail"])
            owners.setdefault(i, r["person"])
        elif r["kind"] == "key-rotate":
            want[i] = cepoch(r["detail"])
        elif r["kind"] == "circuit-del":
            want.pop(i, None)
            deleted[i] = owners.get(i, r["person"])
    lost = set()
    for i, e in want.items():
        if i not in circs or circs[i]["epoch"] != e:
            lost.add(i)
            notes.append("circuit %d epoch %s: store has %s" % (
                i, e, circs[i]["epoch"] if i in circs else "none"))
    for i in circs:
        if i not in want:
            out["audit_lost"] += 1
            notes.append("circuit %d in the store without its record" % i)
    # ... and each in the maps of every switch of its path, its epoch in
    # a key slot
    maps = dumps(osm, nsp, switches)
    for i, c in circs.items():
        for sw in c["path"]:
            if c["epoch"] not in maps.get(i, {}).get(sw, []):
                lost.add(i)
                notes.append("circuit %d epoch %d: not so on %s (%s)" % (
                    i, c["epoch"], sw, maps.get(i, {}).get(sw)))
    out["circuits_lost"] = len(lost)
    stray(maps, circs)

    for k in ("events_lost", "circuits_lost", "audit_lost", "maps_extra",
              "leaver_alive", "acked", "unknown"):
        print(k, out[k])
    for n in notes:
        print("#", n)
    json.dump({"persons": persons,
               "circuits": {i: {"epoch": c["epoch"], "owner": c["owner"]}
                            for i, c in circs.items()},
               "audit_last": last, "deleted": deleted, "owners": owners},
              open(statef, "w"))


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "drive":
        drive(a[0], a[1], a[2], a[3], a[4], a[5], a[6:])
    elif cmd == "one":
        rec = run_one(a[0], a[1], a[2], a[4], a[5], a[6] if len(a) > 6
                      else None)
        open(a[3], "a").write(json.dumps(rec) + "\n")
        print(rec["res"], rec.get("msg", ""))
    elif cmd == "stamp":
        stamp(a[0])
    elif cmd == "gaps":
        gaps(*a)
    elif cmd in ("init", "dead", "after"):
        check(cmd, a[0], a[1], a[2], a[3], a[4], a[5:])
    else:
        sys.exit("control.py: unknown command " + cmd)
