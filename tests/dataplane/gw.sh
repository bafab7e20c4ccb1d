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
G=$PWD/build/osm-gw
E=$PWD/build/osm-endpoint
WAN=tests/dataplane/wan.py
osm_fixture_init ogw
if [ "${GW_FAMILY:-4}" = 6 ]; then
	ACAM=fd00:99::1 APAR=fd00:99::2 ADDR_CAM="[fd00:99::1]:5555" \
		ADDR_PAR="[fd00:99::2]:5555"
else
	ACAM=10.99.0.1 APAR=10.99.0.2 ADDR_CAM=10.99.0.1:5555 \
		ADDR_PAR=10.99.0.2:5555
fi
osm_tmpdir T || exit 1
CAM=$OSM_P-cam PAR=$OSM_P-par CA=$OSM_P-ca PA=$OSM_P-pa SW=$OSM_P-sw
for n in -cam -par -ca -pa -sw; do osm_netns_new $n || exit 1; done
osm_veth "$SW" p1 "$CA" eth0 && osm_veth "$SW" gw "$CAM" in0 &&
	osm_veth "$PAR" in0 "$PA" eth0 && osm_veth "$CAM" wan0 "$PAR" wan0 ||
	exit 1
# what the switch redirects into a veth needs GRO on the other end
ip netns exec "$CA" ethtool -K eth0 gro on >/dev/null
ip netns exec "$CAM" ethtool -K in0 gro on >/dev/null
ip -n "$CAM" link set wan0 address 02:00:00:00:ff:01
ip -n "$PAR" link set wan0 address 02:00:00:00:ff:02
ip -n "$CA" link set eth0 address 02:00:00:00:0a:01
ip -n "$PA" link set eth0 address 02:00:00:00:0b:01
MCA=02:00:00:00:0a:01 MPA=02:00:00:00:0b:01
(umask 077; head -c 32 /dev/urandom >"$T/cam.key"
 head -c 32 /dev/urandom >"$T/par.key"; printf '%s' \
 00112233445566778899aabbccddeeff >"$T/hop"
 head -c 32 /dev/urandom >"$T/e2e")
KCAM=$("$G" --public-key "$T/cam.key") KPAR=$("$G" --public-key "$T/par.key")

# gw NAME CPU: start that building's gateway (its log in $T/NAME.log).
gw() {
	local ns=$OSM_P-$1 me=$ADDR_CAM peer=$ADDR_PAR pk=$KPAR \
		nh=02:00:00:00:ff:02
	[ "$1" = par ] && { me=$ADDR_PAR; peer=$ADDR_CAM; pk=$KCAM
		nh=02:00:00:00:ff:01; }
	ip netns exec "$ns" "$G" --no-huge --no-pci -l "$2" --no-shconf \
		--file-prefix "$ns" --log-level '*:error' \
		--vdev net_af_packet0,iface=in0 --vdev net_af_packet1,iface=wan0 \
		-- --address "$me" --key-file "$T/$1.key" --peer "$peer" \
		--peer-key $pk --next-hop-mac $nh --control "$T/$1.sock" \
		--epoch "${EPOCH:-1}" \
		--idle-us 200 >>"$T/$1.log" 2>&1 &
	eval "pid_$1=$!"
	osm_defer kill $!
	osm_defer rm -rf "/run/dpdk/$ns"	# EAL's runtime folder
}
# ask NAME REQUEST: the gateway's reply line.
ask() {
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((sys.argv[2] + '\n').encode()); print(s.makefile().readline().strip())" \
		"$T/$1.sock" "$2"
}
stat() { ask "$1" stats | cut -d' ' -f2- | jq "$2"; }
up() {	# both ends hold a session
	[ "$(stat cam .session 2>/dev/null)" = true ] &&
		[ "$(stat par .session 2>/dev/null)" = true ]
}
F=$PWD/build/osm-fabric
osm_defer "$F" unload -n "$SW" "$SW"
"$F" load -n "$SW" "$SW" p1 gw >/dev/null || exit 1
# cam's core switch: 500 and 501 from the endpoint to the gateway, 600
# back (its port names in its namespace)
for c in "500 p1 gw $MCA $MPA" "501 p1 gw $MCA $MPA" "600 gw p1 $MPA $MCA"; do
	set -- $c
	"$F" circuit add -n "$SW" "$SW" $1 --in $2 --out $3 --src $4 --dst $5 \
		--epoch 1 --hop-key-file "$T/hop" >/dev/null || exit 1
done
circuits() {	# the controllers' part: remote 500 cam->par, 600 par->cam
	local hop
	hop=$(cat "$T/hop")
	ask cam "circuit 500 inner outer $MCA $MPA remote 0 0 1 $hop" &&
	ask par "circuit 500 outer inner $MCA $MPA remote 0 0 1 $hop" &&
	ask par "circuit 600 inner outer $MPA $MCA remote 0 0 1 $hop" &&
	ask cam "circuit 600 outer inner $MPA $MCA remote 0 0 1 $hop" &&
	ask cam "circuit 501 inner outer $MCA $MPA - 0 0 1 $hop"
}
# xfer FROM-NS TO-NS ID COUNT [send options]: COUNT frames of circuit
# ID; prints "received/sent", the frames compared byte for byte.
xfer() {
	local from=$1 to=$2 id=$3 n=$4 k
	shift 4
	k="--circuit $id --epoch 1 --hop-key-file $T/hop --e2e-key-file $T/e2e"
	ip netns exec "$to" "$E" recv eth0 $k --count "$n" --timeout 8000 \
		--json >"$T/rx" 2>/dev/null &
	local rx=$!
	osm_listening "$to" >/dev/null
	ip netns exec "$from" "$E" send eth0 $k --count "$n" --json \
		--payload "from $from" "$@" >"$T/tx"
	wait $rx
	echo "$(jq -r 'select(.result == "ok") | .frame' "$T/rx" |
		grep -cxFf <(jq -r .frame "$T/tx"))/$(wc -l <"$T/tx")"
}

# capture NS: the next DATA arriving on NS's WAN port into $T/cap, in
# the background (cap: its pid); returns once it listens.
capture() {
	: >"$T/cap.ready"
	ip netns exec "$1" python3 $WAN capture wan0 1 10 >"$T/cap" \
		2>"$T/cap.ready" &
	cap=$!
	osm_until 500 test -s "$T/cap.ready"
}

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

# DPDK telemetry: /osm/... with dpdk-telemetry.py
tel() {
	printf '%s\n' "$2" | ip netns exec "$OSM_P-$1" dpdk-telemetry.py \
		-f "$OSM_P-$1" 2>/dev/null | jq -c ".\"${2%%,*}\""
}
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
