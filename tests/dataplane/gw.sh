#!/usr/bin/env bash
# Two buildings' gateways (osm-gw on DPDK, --no-huge --no-pci, net_af_packet
# vdevs) in network namespaces, joined by a veth 'WAN'. In cam an endpoint
# sits behind the building's core switch (the XDP program), whose port
# 'gw' is the gateway's inner port; in par an endpoint is on the
# gateway's inner port itself. They handshake; a remote circuit
# carries frames from cam to par and back byte for byte; a circuit not
# marked remote never crosses; forged WAN packets (a flipped bit, a
# replay, another source, a short one, an unknown index) are dropped and
# counted by reason; a pair-key rotation under traffic loses no frame; a
# gateway killed and restarted is back once the controller's circuits
# are installed again, and DATA of before its restart is refused; the
# gateway answers ARP (neighbour solicitations) for its address. Over
# IPv4, or IPv6 with GW_FAMILY=6 (tests/dataplane/gw6.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/dataplane/gw-lib.sh

gw cam 0
gw par 1
tap_ok "both gateways start and handshake (a session at each end)" \
	osm_until 500 up
tap_is "cam's gateway answers for its address ($ACAM): its MAC" \
	"$(ip netns exec "$PAR" python3 $WAN nd wan0 $ACAM)" 02:00:00:00:ff:01
tap_ok "the circuits go in through the control sockets" eval \
	'circuits >/dev/null'
# Requests osm-gw must refuse, on one connection: each gets its error
# line, the next request is served, and nothing was installed.
hop=$(cat "$T/hop")
bad=$(python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile('rwb')
reqs = sys.argv[2:] + ['x' * 600, 'ping']
for r in reqs:
    f.write(r.encode() + b'\\n')
f.flush()
for r in reqs:
    print(f.readline().decode().strip().split(' ')[0:2])" "$T/cam.sock" \
	"circuit 0 inner outer $MCA $MPA - 0 0 1 $hop" \
	"circuit 7 inner inner $MCA $MPA - 0 0 1 $hop" \
	"circuit 7 inner outer $MCA $MPA - 0 0 1 zz" \
	"circuit 7 inner outer $MCA $MPA - 0 0 1 $hop 3 $hop" \
	"circuit 7 inner outer $MCA $MPA - 5 5 1 $hop" \
	"frobnicate" | tr -d "[]',\n")
tap_is "bad requests: an error each, an overlong line one, then ping" \
	"$bad" "$(printf 'error bad-request%.0s' 1 2 3 4 5 6 7)ok {}"
tap_is "... and none of them installed a circuit" \
	"$(ask cam "circuit-stats 7")" "error not-found no circuit 7"
tap_is "remote circuit 500: 5 frames cam -> par, the same bytes" \
	"$(xfer "$CA" "$PA" 500 5 --dst $MPA)" "5/5"
tap_is "remote circuit 600: 5 frames par -> cam, the same bytes" \
	"$(xfer "$PA" "$CA" 600 5 --dst $MCA)" "5/5"
tap_is "... through cam's core switch, its gateway and par's: 5 5 5" \
	"$("$F" -j stats -n "$SW" "$SW" --circuit 500 | jq '.circuits[0].frames') \
$(ask cam "circuit-stats 500" | cut -d' ' -f2- | jq .frames) $(ask par \
	"circuit-stats 500" | cut -d' ' -f2- | jq .frames)" "5 5 5"

tap_is "telemetry /osm/circuit,500 at par: what circuit-stats says" \
	"$(tel par /osm/circuit,500)" "$(ask par "circuit-stats 500" |
	cut -d' ' -f2- | jq -c .)"
tap_is "telemetry /osm/stats and /osm/outer_drops at cam" \
	"$(tel cam /osm/stats | jq -c '[.session, .epoch]') $(tel cam \
	/osm/outer_drops | jq -c '[.[]] | add')" "[1,1] 0"
before=$(stat cam .tx_outer)
ip netns exec "$CA" "$E" send eth0 --circuit 501 --epoch 1 --hop-key-file \
	"$T/hop" --e2e-key-file "$T/e2e" --count 4 --dst $MPA -q
osm_until 100 eval '[ "$(stat cam .local_only)" = 4 ]'
tap_is "circuit 501, not remote: 4 frames counted local_only, 0 on the WAN" \
	"$(stat cam .local_only) $(( $(stat cam .tx_outer) - before ))" "4 0"

# Forged WAN packets, into cam's WAN port from par's side of the link.
capture "$CAM"
xfer "$PA" "$CA" 600 1 --dst $MCA >/dev/null
wait $cap
data=$(head -1 "$T/cap")
tap_ok "a DATA captured on the WAN" test -n "$data"
inject() { ip netns exec "$PAR" python3 $WAN send wan0 "$@"; }
forged() { python3 $WAN forge "$data" "$1"; }
for k in replay:replay flip:bad_auth index:no_session short:malformed; do
	kind=${k%%:*} reason=${k#*:}
	was=$(stat cam ".outer_drops.$reason")
	if [ $kind = replay ]; then inject "$data"; else inject "$(forged $kind)"; fi
	osm_until 100 eval '[ "$(stat cam .outer_drops.$reason)" != "$was" ]'
	tap_is "a forged DATA ($kind): dropped, counted $reason" \
		"$(( $(stat cam ".outer_drops.$reason") - was ))" 1
done
was=$(stat cam .unknown_peer)
inject "$(forged src)"
osm_until 100 eval '[ "$(stat cam .unknown_peer)" != "$was" ]'
tap_is "a DATA from another address: unknown_peer" \
	"$(( $(stat cam .unknown_peer) - was ))" 1
tap_is "none of them reached the building" \
	"$(ask cam "circuit-stats 600" | cut -d' ' -f2- | jq .frames)" 6

# The pair key rotates under traffic, the initiator first (either end
# may: each takes the epoch after its own), while 300 frames flow and
# the controllers replace circuit 500 at both gateways 20 times (the
# lcore reads the table without locks; a replace keeps the window).
resp=cam init=par
grep -q "not the initiator" "$T/par.log" && { resp=par; init=cam; }
k="--circuit 500 --epoch 1 --hop-key-file $T/hop --e2e-key-file $T/e2e"
ip netns exec "$PA" "$E" recv eth0 $k --count 300 --timeout 15000 \
	>"$T/rx" 2>/dev/null &
rx=$!
osm_listening "$PA" >/dev/null
ip netns exec "$CA" "$E" send eth0 $k --count 300 --interval-us 5000 \
	--dst $MPA -q &
tx=$!
sleep 0.4
ask $init "epoch 2" >/dev/null
sleep 0.3
ask $resp "epoch 2" >/dev/null
replaced=0
for i in $(seq 20); do
	ask cam "circuit 500 inner outer $MCA $MPA remote 0 0 1 $hop" |
		grep -q '^ok' &&
	ask par "circuit 500 outer inner $MCA $MPA remote 0 0 1 $hop" |
		grep -q '^ok' && replaced=$((replaced + 1))
done
wait $tx
wait $rx
tap_is "a pair-key rotation under traffic: 300 of 300 frames" \
	"$(grep -c '^ok ' "$T/rx")" 300
tap_is "... with circuit 500 replaced 20 times at each gateway meanwhile" \
	"$replaced" 20
tap_is "... and both ends' sessions are of epoch 2" \
	"$(stat cam .epoch) $(stat par .epoch) $(stat cam .session_epoch) \
$(stat par .session_epoch)" "2 2 2 2"

# par's gateway killed and restarted (at epoch 2): the controller
# installs its circuits again; DATA recorded before is refused.
capture "$PAR"
xfer "$CA" "$PA" 500 1 --dst $MPA >/dev/null
wait $cap
old=$(head -1 "$T/cap")
kill "$pid_par"
wait "$pid_par" 2>/dev/null
EPOCH=2 gw par 1
tap_ok "par's gateway restarted: a new session" osm_until 500 up
tap_ok "its circuits installed again" eval 'circuits >/dev/null'
was=$(stat par .outer_drops.no_session)
ip netns exec "$CAM" python3 $WAN send wan0 "$old"
osm_until 100 eval '[ "$(stat par .outer_drops.no_session)" != "$was" ]'
tap_is "DATA of the session before the restart, replayed: no_session" \
	"$(( $(stat par .outer_drops.no_session) - was ))" 1
tap_is "remote circuit 500 carries again: 5 frames" \
	"$(xfer "$CA" "$PA" 500 5 --dst $MPA)" "5/5"
tap_done
