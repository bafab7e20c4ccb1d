#!/usr/bin/env bash
# Metrics (docs/engine.md, "Metrics"): `osm-fabric metrics` and the
# daemon's GET /metrics pass `promtool check metrics`; every switch's
# drops, circuit counters, ports, circuit table use and size equal what
# `stats`, `status` and bpftool say; the engine's event counts, map
# operations and latency histograms equal the daemon's events; the
# controller's counters equal its `controller` reply. The endpoint
# answers 404, 405, 400 and an oversized request (431), a silent client
# stalls neither events nor other scrapes and is closed, and the daemon
# serves events afterwards.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=oem$$
D=/tmp/$P-metrics
S=/tmp/$P.sock
. tools/building-lib.sh
trap bld_teardown EXIT
command -v promtool >/dev/null || { echo "1..0 # SKIP no promtool (make deps)"; exit 0; }
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" --metrics 127.0.0.1:0 ||
	{ echo "not ok 1 - daemon starts"; exit 1; }
PORT=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' \
	"/tmp/$P.log")
tap_ok "the daemon says where it serves metrics" [ -n "$PORT" ]
ev() { bld_person "$1" --socket "$S" "${@:2}" >/dev/null 2>&1; }
ctl() { bld_ask controller | cut -d' ' -f2-; }
M() { bld_osm metrics --netns-prefix "$BLD_NETNS_PREFIX"; }

# flat.py: exposition text on stdin -> one "NAME{k=v,...} VALUE" a
# sample, labels sorted, for grep and comparisons.
cat >/tmp/$P.flat.py <<'EOF'
import re, sys
for l in sys.stdin:
    if l.startswith("#") or not l.strip():
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', l.rstrip("\n"))
    if not m:
        print("UNPARSED " + l.rstrip()); continue
    labels = re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or "")
    print("%s{%s} %s" % (m.group(1), ",".join("%s=%s" % kv for kv in sorted(labels)), m.group(4)))
EOF
flat() { python3 /tmp/$P.flat.py; }

# families.py FILE: what promtool does not check: each family's HELP and
# TYPE once, before all its samples, which follow each other; names
# osm_*, counters *_total, histograms with _bucket, _sum and _count.
cat >/tmp/$P.families.py <<'EOF'
import re, sys
seen, cur, kind = set(), None, None
for l in open(sys.argv[1]):
    m = re.match(r'# (HELP|TYPE) (\S+) ?(\S*)', l)
    if m:
        if m.group(1) == 'HELP':
            if m.group(2) in seen: sys.exit('twice: ' + m.group(2))
            seen.add(m.group(2)); cur, kind = m.group(2), None
        elif m.group(2) != cur: sys.exit('TYPE without HELP: ' + l)
        else: kind = m.group(3)
        if not cur.startswith('osm_'): sys.exit('not osm_: ' + cur)
        if kind == 'counter' and not cur.endswith('_total'): sys.exit(cur)
        continue
    name = re.match(r'[^{ ]+', l).group(0)
    ok = [cur] if kind != 'histogram' else [cur + x for x in ('_bucket', '_sum', '_count')]
    if name not in ok: sys.exit('out of its family: ' + l)
if len(seen) < 10: sys.exit('only %d families' % len(seen))
EOF
# val FILE SERIES: the value of one series of a flat file ("" if none)
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# http.py PORT SCENARIO: raw requests to the metrics endpoint.
cat >/tmp/$P.http.py <<'EOF'
import socket, sys, time
port, what = int(sys.argv[1]), sys.argv[2]
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s
def ask(data):
    s = conn(); s.sendall(data)
    buf = b""
    while True:
        d = s.recv(65536)
        if not d: break
        buf += d
    s.close()
    return buf
def status(b):
    return b.split(b"\r\n", 1)[0].decode()
if what == "get":
    b = ask(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n")
    head, _, body = b.partition(b"\r\n\r\n")
    sys.stderr.write(head.decode() + "\n")
    sys.stdout.write(body.decode())
elif what == "codes":
    for req in [b"GET /nothing HTTP/1.1\r\n\r\n",
                b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
                b"GET /metrics HTTP/2.0\r\n\r\n",
                b"GET  /metrics HTTP/1.1\r\n\r\n",
                b"GET /metrics HTTP/1.0\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n"]:
        print(status(ask(req)))
    b = ask(b"HEAD /metrics?x=1 HTTP/1.0\r\n\r\n")
    head, _, body = b.partition(b"\r\n\r\n")
    print(status(b), "body", len(body))
elif what == "slow":
    # one client that sends half a request and goes silent
    s = conn(); s.sendall(b"GET /met")
    time.sleep(float(sys.argv[3]))
    s.settimeout(10)
    try:
        print("closed" if s.recv(100) == b"" else "answered")
    except OSError as e:
        print("error", e)
EOF

# ---- events, traffic, devices -------------------------------------------
bld_ep_join lamp
bld_ep_join ana.laptop
tap_ok "the lamp joins the controller" bld_ep_wait lamp '^joined 1$' 500
tap_ok "ana.laptop joins" bld_ep_wait ana.laptop '^joined 1$' 500
tap_ok "ana enters r102" ev enter ana r102
tap_ok "bob enters r101" ev enter bob r101
lap_lamp=$(bld_circuit ana.laptop lamp)
lap_id=${lap_lamp%% *}
bld_send ana.laptop "$lap_lamp" --count 5
sleep 0.2
M >/tmp/$P.m1 2>/tmp/$P.m1.err
flat </tmp/$P.m1 >/tmp/$P.f1
tap_is "ana.laptop -> lamp: 5 frames counted on r102" \
	"$(val /tmp/$P.f1 "osm_switch_circuit_frames_total{circuit=$lap_id,switch=$(bld_sw r102)}")" 5
tap_ok "ana moves to r101" ev move ana r101
bld_send ana.laptop "$lap_lamp" --seq 100 --count 3
tap_ok "bob leaves" ev leave bob
ev leave carl
tap_is "carl leaving: refused (not present)" "$?" 1
ev move bob r102	# not present
ev move ana r101	# same room
ev enter ana r999	# no such room
sleep 0.2

# ---- osm-fabric metrics ------------------------------------------------
# stats_flat: every switch's drops and circuit counters from stats, in
# the flat form. The counters move on their own (the controller's
# frames), so the metrics are read between two of these.
stats_flat() {
	local s sw
	for s in core r101 r102; do
		sw=$(bld_sw $s)
		"$F" -j stats -n "$(bld_swns $s)" "$sw" | jq -r --arg s "$sw" '
			(.drops | to_entries[] |
			 "osm_switch_drops_total{reason=\(.key),switch=\($s)} \(.value)"),
			(.circuits[] |
			 "osm_switch_circuit_frames_total{circuit=\(.id),switch=\($s)} \(.frames)",
			 "osm_switch_circuit_bytes_total{circuit=\(.id),switch=\($s)} \(.bytes)",
			 "osm_switch_circuit_drops_total{circuit=\(.id),switch=\($s)} \(.drops)")'
	done | sort
}
stats_flat >/tmp/$P.want1
M >/tmp/$P.m 2>/tmp/$P.merr
tap_is "osm-fabric metrics: status 0, nothing on stderr" "$?$(cat /tmp/$P.merr)" 0
tap_is "promtool check metrics: no complaint" \
	"$(promtool check metrics </tmp/$P.m 2>&1; echo "rc $?")" "rc 0"
tap_ok "each family once, HELP and TYPE first, samples together" \
	python3 /tmp/$P.families.py /tmp/$P.m
flat </tmp/$P.m >/tmp/$P.f
tap_is "every sample parses" "$(grep -c UNPARSED /tmp/$P.f)" 0
stats_flat >/tmp/$P.want2
# (other tests' switches may be loaded beside this building's: mine())
mine() { grep -E "[{,]switch=$P-(core|r101|r102)[,}]"; }
grep -E '^osm_switch_(drops|circuit_(frames|bytes|drops))_total' /tmp/$P.f |
	mine | sort >/tmp/$P.got
# every series in both, its value between the two readings of stats
tap_ok "drops by reason and circuit counters equal stats (all switches)" \
	python3 -c "
import sys
r = lambda f: dict(l.split() for l in open(f))
a, g, b = r('/tmp/$P.want1'), r('/tmp/$P.got'), r('/tmp/$P.want2')
if not (a.keys() == g.keys() == b.keys()) or not g: sys.exit('series differ')
for k in g:
    if not int(a[k]) <= int(g[k]) <= int(b[k]): sys.exit(k)
"
tap_ok "... and there are some: r102's unknown_circuit counts ana's 3" \
	[ "$(val /tmp/$P.f "osm_switch_drops_total{reason=unknown_circuit,switch=$(bld_sw r102)}")" -ge 3 ]
for s in core r101 r102; do
	sw=$(bld_sw $s)
	"$F" -j status -n "$(bld_swns $s)" "$sw" | jq -r '.[0] |
		"osm_switch_circuits{switch=\(.switch)} \(.circuits)",
		"osm_switch_circuits_down{switch=\(.switch)} \(.circuits_down)",
		"osm_switch_program_verified_insns{switch=\(.switch)} \(.verified_insns)",
		"osm_switch_program_info{prog_id=\(.prog_id),switch=\(.switch)} 1",
		(.switch as $s | .ports[] |
		 "osm_switch_port_tx_errors_total{ifindex=\(.ifindex),port=\(.name),switch=\($s)} \(.tx_errors)",
		 "osm_switch_port_egress{ifindex=\(.ifindex),port=\(.name),switch=\($s)} \(if .egress then 1 else 0 end)")'
	max=$(bpftool -j map show pinned "/sys/fs/bpf/osm/$sw/circuits" |
		jq .max_entries)
	echo "osm_switch_circuits_capacity{switch=$sw} $max"
	echo "osm_switch_up{switch=$sw} 1"
done | sort >/tmp/$P.want
grep -E '^osm_switch_(circuits|circuits_down|circuits_capacity|up|program_info|program_verified_insns|port_tx_errors_total|port_egress)\{' \
	/tmp/$P.f | mine | sort >/tmp/$P.got
tap_ok "circuits, capacity, program, ports (names, tx errors) equal status and bpftool" \
	diff /tmp/$P.want /tmp/$P.got
tap_is "r102's ports by name: up p1 p2 p3" "$(grep "^osm_switch_port_egress{.*switch=$(bld_sw r102)}" \
	/tmp/$P.f | sed 's/.*port=\([^,]*\),.*/\1/' | sort | tr '\n' ' ')" "p1 p2 p3 up "

# The engine's figures against the daemon's own events.
bld_osm -j events --socket "$S" -n 64 >/tmp/$P.ev
jq -r '
	def res: if .error_code == null then "ok"
		elif .error_code == -32000 then "not-present"
		elif .error_code == -32002 then "no-room"
		elif .error_code == -32003 then "same-room" else "failed" end;
	group_by(.event + " " + res)[] |
	"osm_engine_events_total{event=\(.[0].event),result=\(.[0] | res)} \(length)"' \
	/tmp/$P.ev | sort >/tmp/$P.want
grep '^osm_engine_events_total' /tmp/$P.f | grep -v ' 0$' | sort >/tmp/$P.got
tap_ok "events by kind and result equal the daemon's events" \
	diff /tmp/$P.want /tmp/$P.got
# (enter of a person present is a move: ana into r999 is a move)
tap_is "... which are 2 enter, 1 move, 1 leave ok; 1 no-room, 2 not-present, 1 same-room" \
	"$(cut -d'{' -f2 /tmp/$P.got | tr '\n' ' ')" \
	"event=enter,result=ok} 2 event=leave,result=not-present} 1 event=leave,result=ok} 1 event=move,result=no-room} 1 event=move,result=not-present} 1 event=move,result=ok} 1 event=move,result=same-room} 1 "
tap_is "map operations equal the events' map_ops" \
	"$(val /tmp/$P.f 'osm_engine_map_operations_total{}')" \
	"$(jq '[.[].map_ops] | add' /tmp/$P.ev)"
hcount() { val /tmp/$P.f "osm_engine_event_$1_seconds_count{event=$2}"; }
tap_is "histogram counts: commit enter 2, move 1, leave 1; kill move 1, leave 1; maps enter 2" \
	"$(hcount commit enter) $(hcount commit move) $(hcount commit leave) $(hcount kill move) $(hcount kill leave) $(hcount maps enter)" \
	"2 1 1 1 1 2"
tap_is "... each +Inf bucket is its count" \
	"$(grep -c '_bucket{.*le=+Inf' /tmp/$P.f) $(for h in kill maps commit; do
		grep "^osm_engine_event_${h}_seconds_bucket{.*le=+Inf" /tmp/$P.f |
		while read -r k v; do e=${k#*event=}; e=${e%%,*}
			[ "$v" = "$(hcount $h "$e")" ] && echo same; done
	done | wc -l)" "10 10"
# buckets never decrease, and the sums are the events' (within 1 us each)
tap_ok "buckets cumulative; sums equal the events' times" python3 -c "
import json, re, sys
f = open('/tmp/$P.f').read().splitlines()
ev = [e for e in json.load(open('/tmp/$P.ev')) if 'error_code' not in e]
prev = {}
for l in f:
    m = re.match(r'(osm_engine_event_\w+_seconds)_bucket\{event=([^,]*),le=(\S+)\} (\d+)', l)
    if m:
        k = (m.group(1), m.group(2))
        if int(m.group(4)) < prev.get(k, 0): sys.exit('decreasing ' + l)
        prev[k] = int(m.group(4))
for h, key in (('commit', 'total_ns'), ('maps', 'maps_ns')):
    got = sum(float(l.split()[1]) for l in f if l.startswith('osm_engine_event_%s_seconds_sum' % h))
    want = sum(e[key] for e in ev) / 1e9
    if abs(got - want) > 1e-6 * len(ev) or want <= 0: sys.exit('%s %f %f' % (h, got, want))
"
tap_is "people present and circuits equal the store's" \
	"$(val /tmp/$P.f 'osm_engine_people_present{}') $(val /tmp/$P.f 'osm_engine_circuits{}')" \
	"$(bld_osm -j person list | jq length) $(bld_osm -j engine circuits | jq length)"
ctl >/tmp/$P.ctl
tap_is "controller counters equal its controller reply" \
	"$(for k in rx:frames_received rx_bad:bad_frames sent:frames_sent \
		resent:frames_resent slow:slow_messages sessions:sessions \
		stale_session:stale_session_frames rejoin:rejoins \
		rekeyed:rekeyed_circuits rekey_failed:rekey_failures; do
		[ "$(jq ".${k%%:*}" /tmp/$P.ctl)" = \
		  "$(val /tmp/$P.f "osm_controller_${k#*:}_total{}")" ] || echo "$k"
	done; for k in hello:hello presence:presence acks:ack; do
		[ "$(jq ".${k%%:*}" /tmp/$P.ctl)" = \
		  "$(val /tmp/$P.f "osm_controller_messages_received_total{type=${k#*:}}")" ] || echo "$k"
	done)" ""
tap_is "... two sessions, two HELLOs" \
	"$(val /tmp/$P.f 'osm_controller_sessions_total{}') $(val /tmp/$P.f 'osm_controller_messages_received_total{type=hello}')" "2 2"

# ---- the daemon's HTTP endpoint ----------------------------------------
python3 /tmp/$P.http.py "$PORT" get >/tmp/$P.h 2>/tmp/$P.hh
tap_ok "GET /metrics: 200, Prometheus text 0.0.4" bash -c "
	grep -q '^HTTP/1.1 200 OK' /tmp/$P.hh &&
	grep -qi '^Content-Type: text/plain; version=0.0.4' /tmp/$P.hh"
tap_is "promtool check metrics on the scrape: no complaint" \
	"$(promtool check metrics </tmp/$P.h 2>&1; echo "rc $?")" "rc 0"
tap_ok "... each family once, samples together" \
	python3 /tmp/$P.families.py /tmp/$P.h
flat </tmp/$P.h >/tmp/$P.fh
tap_is "the scrape has the same families as the CLI" \
	"$(grep '^# TYPE' /tmp/$P.h | sort | md5sum)" \
	"$(grep '^# TYPE' /tmp/$P.m | sort | md5sum)"
tap_is "... and the same event counts" \
	"$(grep '^osm_engine_events_total' /tmp/$P.fh)" \
	"$(grep '^osm_engine_events_total' /tmp/$P.f)"
tap_is "404 other paths, 405 other methods, 505, 400, 431 oversized; HEAD" \
	"$(python3 /tmp/$P.http.py "$PORT" codes | tr '\n' '|')" \
	"HTTP/1.1 404 Not Found|HTTP/1.1 405 Method Not Allowed|HTTP/1.1 505 HTTP Version Not Supported|HTTP/1.1 400 Bad Request|HTTP/1.1 431 Request Header Fields Too Large|HTTP/1.1 200 OK body 0|"

# A silent client holds a connection: events and scrapes go on.
python3 /tmp/$P.http.py "$PORT" slow 7 >/tmp/$P.slow &
slow=$!
sleep 0.3
t0=$(date +%s%N)
tap_ok "with a silent HTTP client, the daemon takes an event" ev enter cem r101
t1=$(date +%s%N)
tap_ok "... at once (under 1 s)" [ $(( (t1 - t0) / 1000000 )) -lt 1000 ]
tap_ok "... and serves another scrape" bash -c "
	python3 /tmp/$P.http.py $PORT get 2>&1 >/dev/null | grep -q '200 OK'"
wait $slow
tap_is "the silent client is closed after 5 s" "$(cat /tmp/$P.slow)" closed

# Still serving events, and counting them.
tap_ok "afterwards, cem leaves" ev leave cem
python3 /tmp/$P.http.py "$PORT" get 2>/dev/null | flat >/tmp/$P.f2
tap_is "... counted: enter ok 3, leave ok 2, commit histogram 6" \
	"$(val /tmp/$P.f2 'osm_engine_events_total{event=enter,result=ok}') $(val /tmp/$P.f2 'osm_engine_events_total{event=leave,result=ok}') $(awk '/^osm_engine_event_commit_seconds_count/ { n += $2 } END { print n }' /tmp/$P.f2)" \
	"3 2 6"

# ---- errors --------------------------------------------------------------
tap_is "daemon --metrics with a bad address: one line, status 1" \
	"$(bld_osm daemon --metrics 1.2.3:80 2>&1; echo "rc $?")" \
	"osm-fabric: daemon: --metrics: bad address '1.2.3:80' (PORT, :PORT, A.B.C.D:PORT or [IPV6]:PORT)
rc 1"
tap_is "... and a port out of range" \
	"$(bld_osm daemon --metrics 65536 2>&1 | wc -l) $(bld_osm daemon --metrics 65536 >/dev/null 2>&1; echo $?)" "1 1"
"$F" --store /tmp/$P.s2 topology apply docs/examples/building-cam.yaml \
	>/dev/null
tap_is "... and a port in use (another store's daemon): one line, status 1" \
	"$(timeout -s KILL 20 "$F" --store /tmp/$P.s2 daemon \
		--socket /tmp/$P.s2.sock --metrics "127.0.0.1:$PORT" 2>&1
		echo "rc $?")" \
	"osm-fabric: daemon: --metrics: cannot listen on 127.0.0.1:$PORT: Address already in use
rc 1"
tap_is "metrics -j: one line, status 1" \
	"$(bld_osm -j metrics 2>&1 | wc -l) $(bld_osm -j metrics >/dev/null 2>&1; echo $?)" "1 1"
tap_is "metrics with an unknown option: one line, status 1" \
	"$(bld_osm metrics --bogus 2>&1; echo "rc $?")" \
	"osm-fabric: metrics: unknown option '--bogus'
rc 1"

# ---- without the daemon; IPv6 ------------------------------------------
kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=
M >/tmp/$P.m3 2>&1
tap_ok "no daemon: the switches' part, promtool-clean, no engine families" \
	bash -c "promtool check metrics </tmp/$P.m3 &&
		grep -q '^osm_switch_drops_total' /tmp/$P.m3 &&
		! grep -q '^osm_engine' /tmp/$P.m3"
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	bld_daemon --metrics '[::1]:0' || echo "# daemon on [::1] did not start"
	PORT6=$(sed -n 's|.*metrics on http://\[::1\]:\([0-9]*\)/metrics$|\1|p' \
		"/tmp/$P.log" | tail -1)
	tap_ok "--metrics [::1]:0: served over IPv6" python3 -c "
import socket; s = socket.create_connection(('::1', int('$PORT6' or 0)), timeout=5)
s.sendall(b'GET /metrics HTTP/1.0\r\n\r\n'); b = b''
while True:
    d = s.recv(65536)
    if not d: break
    b += d
assert b.startswith(b'HTTP/1.1 200 OK') and b'osm_engine_events_total' in b"
else
	tap_skip "no IPv6 loopback here"
fi
tap_done
