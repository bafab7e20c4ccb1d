#!/usr/bin/env bash
# Restart: the daemon is killed with SIGKILL at a random moment of an
# event stream, 24 times, and started again. After each restart the maps
# equal the store (`verify` through the daemon, after its reconcile), the
# store holds exactly the events acknowledged (the one in flight, if any,
# wholly or not at all), the audit chain verifies and counts one record
# per applied event. All along, a circuit of a person who stays keeps
# forwarding: not one frame of its stream is lost, daemon dead or alive.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-restart
S=/tmp/$P.sock
RUNS=24
. tools/building-lib.sh
dpid=
trap '[ -n "$dpid" ] && kill -9 $dpid 2>/dev/null; kill $(jobs -p) 2>/dev/null;
	wait 2>/dev/null; bld_down; rm -f /tmp/$P.*' EXIT

bld_up || { echo "not ok 1 - building up"; exit 1; }

start() { bld_daemon; }

# The driver: random enters, moves and leaves of five visitors, one at a
# time; logs "sent ..." before and "ack ok|err" after each reply.
cat >/tmp/$P.drv <<'EOF'
import json, random, socket, subprocess, sys
sock, log, osm, store, ready = sys.argv[1:6]
s = socket.socket(socket.AF_UNIX); s.connect(sock)
state = {p["name"]: p["room"] for p in json.loads(subprocess.check_output(
    [osm, "--store", store, "person", "list", "--json"]))}
open(ready, "w").close()
f = open(log, "a", buffering=1)
buf = b""
while True:
    who = "v%d" % random.randint(1, 5)
    room = random.choice(["r101", "r102"])
    if who not in state:
        line = "enter %s %s" % (who, room)
    elif random.random() < 0.4:
        line, room = "leave %s" % who, None
    else:
        room = "r102" if state[who] == "r101" else "r101"
        line = "move %s %s" % (who, room)
    f.write("sent %s %s\n" % (who, room or "-"))
    try:
        s.sendall(line.encode() + b"\n")
        while b"\n" not in buf:
            d = s.recv(65536)
            if not d:
                sys.exit(0)
            buf += d
    except OSError:
        sys.exit(0)
    reply, buf = buf.split(b"\n", 1)
    ok = reply.startswith(b"ok ")
    f.write("ack %s\n" % ("ok" if ok else "err " + reply.decode()))
    if ok:
        if room: state[who] = room
        else: state.pop(who, None)
EOF

# The check after a restart: the store equals the acknowledged state, or
# that state plus the event in flight. Prints "ok N" (N: events applied
# in all runs so far) or what differs.
cat >/tmp/$P.chk <<'EOF'
import json, subprocess, sys
log, osm, store = sys.argv[1:4]
state, applied, inflight = {"ana": "r101"}, 1, None
for l in open(log):
    w = l.split()
    if w[0] == "sent":
        inflight = (w[1], None if w[2] == "-" else w[2])
    elif w[0] == "ack":
        if w[1] == "ok":
            who, room = inflight
            if room: state[who] = room
            else: state.pop(who, None)
            applied += 1
        inflight = None
    elif w[0] == "committed":   # an in-flight event found applied
        who, room = w[1], None if w[2] == "-" else w[2]
        if room: state[who] = room
        else: state.pop(who, None)
        applied += 1
store_now = {p["name"]: p["room"] for p in json.loads(subprocess.check_output(
    [osm, "--store", store, "person", "list", "--json"]))}
if store_now == state:
    print("ok", applied)
elif inflight:
    who, room = inflight
    after = dict(state)
    if room: after[who] = room
    else: after.pop(who, None)
    if store_now == after:
        # record it, so later runs count it
        open(log, "a").write("committed %s %s\n" % (who, room or "-"))
        print("ok", applied + 1)
    else:
        print("store", store_now, "acked", state, "in flight", inflight)
else:
    print("store", store_now, "acked", state)
EOF

start || { echo "not ok 1 - daemon starts"; exit 1; }
tap_ok "ana enters r101 through the daemon" \
	bash -c "$F --store $D person enter --socket $S ana r101 >/dev/null"

# Ana's laptop streams to the display over three hops for the whole test.
c=$(bld_circuit ana.laptop display)
N=12000
bld_recv display "$c" --count $N --timeout 40000 >/tmp/$P.stream &
rx=$!
sleep 0.2
bld_send ana.laptop "$c" --count $N --interval-us 500 &
tx=$!

: >/tmp/$P.events
fails=0
for run in $(seq $RUNS); do
	python3 /tmp/$P.drv "$S" /tmp/$P.events "$F" "$D" /tmp/$P.ready &
	drv=$!
	for _ in $(seq 200); do [ -e /tmp/$P.ready ] && break; sleep 0.01; done
	rm -f /tmp/$P.ready
	sleep "0.$(printf '%03d' $((RANDOM % 200 + 20)))"
	kill -9 $dpid
	wait $dpid 2>/dev/null
	wait $drv
	# dead: the stream goes on through the maps alone
	sleep 0.05
	start || { echo "not ok - run $run: daemon restarts"; fails=1; break; }
	res=$(python3 /tmp/$P.chk /tmp/$P.events "$F" "$D")
	diffs=$(bld_ask verify)
	audit=$("$F" --store "$D" audit show --json |
		jq '[.[] | select(.kind == "enter" or .kind == "move" or
			.kind == "leave")] | length')
	applied=${res#ok }
	agree() {
		[ "${res%% *}" = ok ] && [ "$diffs" = 'ok {"differences":0,"lines":[]}' ] &&
		[ "$audit" = "$applied" ]
	}
	tap_ok "run $run: killed, restarted: store = acked events ($res), maps = store ($diffs), $audit presence records in the audit" agree
done
tap_ok "audit chain verifies" bash -c "$F --store $D audit verify >/dev/null"
n_ev=$(grep -c '^ack ok' /tmp/$P.events)
tap_ok "$n_ev events acknowledged in $RUNS runs" [ "$n_ev" -gt $RUNS ]
wait $tx
wait $rx
tap_is "ana's stream across $RUNS kills and restarts: $N of $N frames" \
	"$(grep -c '^ok' /tmp/$P.stream)" $N
kill -TERM $dpid
wait $dpid
dpid=
tap_done
