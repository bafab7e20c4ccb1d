#!/usr/bin/env bash
# The daemon's socket protocol: one request a line, one reply a line.
# Malformed, unknown, oversized and unfinished lines each get one error
# line (or a clean close) and the daemon keeps serving everyone else;
# the CLI goes through the daemon when one serves the store; SIGTERM
# stops it cleanly. (No switches here: the engine keeps the store, and
# the maps of switches that are not loaded are left to reconcile.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oen$$
D=/tmp/$P-daemon
S=$D/engine.sock
F=./build/osm-fabric
trap '[ -n "${dpid:-}" ] && kill $dpid 2>/dev/null; wait 2>/dev/null; rm -rf "$D" /tmp/$P.*' EXIT

"$F" --store "$D" topology apply docs/examples/building-cam.yaml >/dev/null
"$F" --store "$D" daemon >/tmp/$P.log 2>&1 &
dpid=$!
for _ in $(seq 100); do [ -S "$S" ] && break; sleep 0.05; done
tap_ok "daemon listens on STORE/engine.sock" [ -S "$S" ]

# client.py SOCKET: runs the scenario named in $1 and prints replies.
cat >/tmp/$P.py <<'EOF'
import socket, sys, time
path, what = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(5)
    return s
def lines(s, n):
    buf = b""
    while buf.count(b"\n") < n:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf.decode("ascii", "replace").splitlines()
def ask(s, data, n=1):
    s.sendall(data)
    for l in lines(s, n):
        print(l[:200])
if what == "one":            # each argument a line, one connection
    s = conn()
    for a in sys.argv[3:]:
        ask(s, a.encode().decode("unicode_escape").encode("latin-1") + b"\n")
elif what == "long":         # 10000 bytes, then a ping on the same line
    s = conn()
    ask(s, b"enter " + b"x" * 10000 + b"\nping\n", 2)
elif what == "midline":      # disconnect mid-line, then others are served
    s = conn(); s.sendall(b"enter ali"); s.close()
    s = conn(); ask(s, b"ping\n")
elif what == "halfclose":    # shut down writing mid-line: one error back
    s = conn(); s.sendall(b"enter ali"); s.shutdown(socket.SHUT_WR)
    for l in lines(s, 1): print(l)
    print("closed" if s.recv(10) == b"" else "open")
elif what == "interleave":   # two clients, lines in pieces
    a = conn(); b = conn()
    a.sendall(b"enter al")
    ask(b, b"ping\n")
    ask(a, b"ice r101\n")
elif what == "pipeline":     # 1000 requests in one write
    s = conn()
    s.sendall(b"ping\n" * 1000)
    r = lines(s, 1000)
    print(len(r), all(l == 'ok {"pong":true}' for l in r))
elif what == "crowd":        # 70 clients at once: 6 are told
    cs = [conn() for _ in range(70)]
    time.sleep(0.3)
    busy = 0
    for c in cs:
        c.settimeout(0.05)
        try:
            if lines(c, 1)[0].startswith("error busy "):
                busy += 1
        except (socket.timeout, IndexError):
            pass
    for c in cs: c.close()
    time.sleep(0.2)
    s = conn(); s.sendall(b"ping\n")
    print(busy, lines(s, 1)[0])
elif what == "idle64":       # 64 silent clients: a 65th is served anyway
    cs = [conn() for _ in range(64)]
    time.sleep(1.5)
    s = conn(); s.sendall(b"ping\n")
    print(lines(s, 1)[0])
    told = 0
    for c in cs:
        c.settimeout(0.05)
        try:
            if c.recv(100).startswith(b"error busy closed: idle"):
                told += 1
        except socket.timeout:
            pass
    print(told)
elif what == "storm":        # silent clients, opened again when closed
    import select, threading
    stop = threading.Event()
    def flood():
        cs = [conn() for _ in range(200)]
        while not stop.is_set():
            r, _, _ = select.select(cs, [], [], 0.05)
            for c in r:
                c.close(); cs.remove(c)
                try: cs.append(conn())
                except OSError: pass
        for c in cs: c.close()
    t = threading.Thread(target=flood); t.start()
    time.sleep(0.5)
    served = 0
    for _ in range(5):
        s = conn(); s.sendall(b"ping\n")
        served += lines(s, 1) == ['ok {"pong":true}']
        s.close()
        time.sleep(0.2)
    stop.set(); t.join()
    print(served)
elif what == "fair":         # a's 300 requests, b's one, both waiting
    import os, signal, json
    pid = int(sys.argv[3])
    b = conn(); ask(b, b"ping\n")  # both accepted, a the newer: the
    a = conn(); ask(a, b"ping\n")  # one the daemon looks at first
    os.kill(pid, signal.SIGSTOP)
    a.sendall(b"enter fa r101\n" + b"verify\n" * 300 + b"leave fa\n")
    b.sendall(b"enter fb r102\n")
    time.sleep(0.1)
    os.kill(pid, signal.SIGCONT)
    lines(a, 302); lines(b, 1)
    c = conn(); c.sendall(b"events 3\n")
    ev = json.loads(lines(c, 1)[0][3:])
    print(" ".join(e["event"] + " " + e["person"] for e in ev))
    b.sendall(b"leave fb\n"); lines(b, 1)
elif what == "closeafter":   # three requests, then gone before replies
    import os, signal
    pid = int(sys.argv[3])
    s = conn(); ask(s, b"ping\n")
    os.kill(pid, signal.SIGSTOP)
    s.sendall(b"enter ca1 r101\nenter ca2 r102\nenter ca3 r101\n")
    s.close()
    os.kill(pid, signal.SIGCONT)
    time.sleep(0.3)
    import json
    c = conn(); c.sendall(b"events 3\n")
    print(" ".join(e["person"] for e in json.loads(lines(c, 1)[0][3:])))
elif what == "silent":       # a client silent past --client-timeout
    s = conn(); s.settimeout(10)
    t = time.time()
    print("closed" if s.recv(10) == b"" else "open", round(time.time() - t))
EOF
py() { python3 /tmp/$P.py "$S" "$@"; }

tap_is "ping" "$(py one ping)" 'ok {"pong":true}'
tap_is "malformed lines: one error each" "$(py one hello enter 'enter a' \
	'leave a b' '' 'enter \xe4 r101' 'enter a\x00b r101' \
	'events 0' 'events 65' 'events x' 'enter a/b r101')" \
"error bad-request unknown request (enter, move, leave, events, verify, reconcile, reload, ping, controller, apply, forget, prune, metrics, peer-add, peer-epoch, peer-del, remote-add, remote-close)
error bad-request wrong number of words for 'enter'
error bad-request wrong number of words for 'enter'
error bad-request wrong number of words for 'leave'
error bad-request empty line
error bad-request not printable ASCII
error bad-request not printable ASCII
error bad-request events: N is 1..64
error bad-request events: N is 1..64
error bad-request events: N is 1..64
error bad-request bad person name (1-63 of A-Z a-z 0-9 . _ -)"
tap_is "unknown person and room" "$(py one 'leave nobody' \
	'enter ana r999' 'move nobody r101')" \
"error not-present person is not present
error no-room no such room
error not-present person is not present"
tap_is "an oversized line: one error, then the next line is served" \
	"$(py long)" 'error too-long line longer than 511 bytes
ok {"pong":true}'
tap_is "a client gone mid-line; the next is served" "$(py midline)" \
	'ok {"pong":true}'
tap_is "a client that half-closes mid-line: one error, clean close" \
	"$(py halfclose)" 'error bad-request incomplete line
closed'
r=$(py interleave)
tap_ok "two clients, lines in pieces: each served in turn" \
	bash -c "head -1 <<<'$r' | grep -qx 'ok {\"pong\":true}' &&
		 tail -1 <<<'$r' | grep -q '^ok {\"seq\":[0-9]*,.*\"event\":\"enter\",.*\"person\":\"alice\"'"
tap_is "1000 pipelined requests, 1000 replies" "$(py pipeline)" "1000 True"
tap_is "70 clients at once: 6 told busy, then served again" "$(py crowd)" \
	'6 ok {"pong":true}'
tap_is "CR LF line ends" "$(py one 'ping\r')" 'ok {"pong":true}'
tap_is "300 verifies pipelined by one client delay another's event by one" \
	"$(py fair $dpid | tail -1)" "enter fa enter fb leave fa"
tap_is "a client gone after three requests: all three served" \
	"$(py closeafter $dpid | tail -1)" "ca1 ca2 ca3"
for p in ca1 ca2 ca3; do "$F" --store "$D" person leave $p >/dev/null; done
tap_is "64 silent clients: a 65th is served, one of them told why it goes" \
	"$(py idle64)" 'ok {"pong":true}
1'
tap_is "silent clients opened again as soon as closed: another is served all the same" \
	"$(py storm)" 5

# The CLI through the daemon: same messages, the daemon's sequence.
out=$("$F" --store "$D" person enter bea r102)
tap_ok "person enter goes through the daemon" \
	grep -q '^#[0-9]* enter bea r102: ' <<<"$out"
tap_ok "the daemon logged it, naming nobody" grep -q '^#[0-9]* enter someone r102' /tmp/$P.log
err=$("$F" --store "$D" person enter bea r999 2>&1); rc=$?
tap_is "unknown room through the daemon" "$rc:$err" \
	"1:osm-fabric: person enter: no room r999"
err=$("$F" --store "$D" person leave zed 2>&1); rc=$?
tap_is "absent person through the daemon" "$rc:$err" \
	"1:osm-fabric: person leave: zed is not present"
tap_ok "bea moves, alice leaves" bash -c "$F --store $D person move bea r101 \
	>/dev/null && $F --store $D person leave alice >/dev/null"
tap_is "events -n 3 --json: the last three" \
	"$("$F" --store "$D" events -n 3 --json | jq -r '.[] | "\(.event) \(.person)"' |
	tr '\n' ' ')" "leave zed move bea leave alice "
tap_ok "events (text) shows timings" \
	bash -c "$F --store $D events | grep -q 'maps [0-9]* us, committed'"
tap_is "the store agrees" "$("$F" --store "$D" person list | awk '{print $1, $2}')" \
	"bea r101"
tap_ok "the daemon is still serving" kill -0 $dpid
kill -TERM $dpid
wait $dpid
rc=$?
dpid=
tap_is "SIGTERM: exit 0" "$rc" 0
tap_ok "SIGTERM: socket removed" [ ! -e "$S" ]
err=$("$F" --store "$D" events 2>&1); rc=$?
tap_ok "events without a daemon: one error line" \
	bash -c "[ $rc = 1 ] && [ \$(wc -l <<<'$err') = 1 ] &&
		 grep -q '^osm-fabric: events: no daemon at' <<<'$err'"
tap_ok "person enter without a daemon: applied here" \
	bash -c "$F --store $D person enter cyd r102 | grep -q '^#1 enter cyd'"
tap_ok "audit chain verifies" bash -c "$F --store $D audit verify >/dev/null"

# A client silent for --client-timeout is closed.
"$F" --store "$D" daemon --client-timeout 1 >>/tmp/$P.log 2>&1 &
dpid=$!
for _ in $(seq 100); do [ -S "$S" ] && break; sleep 0.05; done
r=$(py silent)
tap_ok "a client silent 1 s (--client-timeout 1) is closed ($r)" \
	bash -c "[ '${r% *}' = closed ] && [ ${r#* } -ge 1 ] && [ ${r#* } -le 5 ]"
kill $dpid; wait $dpid 2>/dev/null
dpid=

# No core dump holds its keys: with cores allowed (core_pattern "core"
# here: a file in the cwd), a crashed daemon leaves none, where a plain
# process does.
core_of() {	# core_of CMD...: the core files CMD leaves when it crashes
	local dir pid
	dir=$(mktemp -d /tmp/$P.core.XXXX)
	(cd "$dir" && ulimit -c unlimited && exec "$@" >/dev/null 2>&1) &
	pid=$!
	for _ in $(seq 100); do [ -S "$S" ] || [ "$1" = sleep ] && break
		sleep 0.05; done
	sleep 0.2
	kill -SEGV $pid; wait $pid 2>/dev/null
	ls "$dir" | grep -c '^core'
	rm -rf "$dir"
}
if [ "$(cat /proc/sys/kernel/core_pattern)" = core ]; then
	tap_is "a plain process that crashes leaves a core here" \
		"$(core_of sleep 30)" 1
	tap_is "the daemon, crashed, leaves none" \
		"$(core_of "$PWD/$F" --store "$D" daemon)" 0
else
	tap_skip "core_pattern is not 'core': cannot watch for core files"
	tap_skip "core_pattern is not 'core'"
fi
rm -f "$S"
err=$("$F" --store /tmp/$P-none daemon --client-timeout 0 2>&1); rc=$?
tap_is "--client-timeout 0: one line, exit 1" "$rc:$err" \
	"1:osm-fabric: daemon: --client-timeout is 1..86400 seconds, not '0'"
tap_done
