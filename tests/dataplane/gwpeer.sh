#!/usr/bin/env bash
# Two buildings' gateways started without their link's options, the
# link set only by the controller's peer requests on the control sockets
# (the pair secret P made by osm-gw --pair-secret from each end's key
# file: the same at both). Before: no peer, nothing sent, UDP counted
# unknown_peer, remote circuits' frames egress_down; then frames cross
# on a remote circuit; the same peer again keeps the session; bad peer
# requests change nothing; another epoch rotates the pair key (the
# sessions kept until the new one), another next hop replaces the link,
# the counters kept; hello's boot changes across a restart, and a link
# from the command line is the same as the request's; list gives the
# circuits; a partial set of link options is refused at start.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
GW_TAG=ogp
. tests/dataplane/gw-lib.sh
hop=$(cat "$T/hop")

PCAM=$("$G" --pair-secret "$T/cam.key" "$KPAR")
PPAR=$("$G" --pair-secret "$T/par.key" "$KCAM")
tap_ok "--pair-secret: the same P from either end's key file" eval \
	'[ ${#PCAM} = 64 ] && [ "$PCAM" = "$PPAR" ]'
# peer_req NAME [EPOCH [NEXT-HOP-MAC]]: NAME's peer request
peer_req() {
	if [ "$1" = cam ]; then
		echo "peer $ADDR_PAR ${3:-02:00:00:00:ff:02} $KCAM $KPAR $PCAM ${2:-1}"
	else
		echo "peer $ADDR_CAM ${3:-02:00:00:00:ff:01} $KPAR $KCAM $PPAR ${2:-1}"
	fi
}
json() { ask "$1" "$2" | cut -d' ' -f2- | jq -c "$3"; }

out=$("$G" --no-huge --no-pci -l 0 --no-shconf --file-prefix "$OSM_P-x" \
	--log-level '*:error' -- --address "$ADDR_CAM" --key-file \
	"$T/cam.key" --peer "$ADDR_PAR" --control "$T/x.sock" 2>&1)
rc=$?
rm -rf "/run/dpdk/$OSM_P-x"
tap_is "a partial set of link options: exit status 1, one line" \
	"$rc $(wc -l <<<"$out") $(grep -c 'give all of' <<<"$out")" "1 1 1"

GW_LINK=0 gw cam 0
GW_LINK=0 gw par 1
tap_ok "both gateways start without a link" osm_until 500 eval \
	'ask cam ping 2>/dev/null | grep -q "^ok" &&
	 ask par ping 2>/dev/null | grep -q "^ok"'
tap_is "hello: a boot id of 16 hex digits, no peer, no circuits" \
	"$(json cam hello '[(.boot | test("^[0-9a-f]{16}$")), .peer, .circuits]')" \
	"[true,false,0]"
tap_is "stats and telemetry /osm/stats: no peer, no session" \
	"$(json cam stats '[.peer, .session]') $(tel cam /osm/stats |
	jq -c '[.peer, .session]')" "[false,false] [0,0]"
tap_is "epoch without a link: an error" "$(ask cam "epoch 2" | cut -d' ' -f1-2)" \
	"error no-peer"
tap_ok "the circuits go in through the control sockets" eval \
	'circuits >/dev/null'
tap_is "list: every circuit at each gateway, ascending" \
	"$(ask cam list) $(ask par list)" \
	'ok {"circuits":[500,501,600]} ok {"circuits":[500,600]}'
tap_is "hello: 3 circuits at cam" "$(json cam hello .circuits)" 3
# many (a reply past the 2048 bytes of the others): 600 more at par, on
# one connection, then gone again
many() {	# many VERB: VERB circuits 1000..1599 at par; the ok count
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile('rwb')
ok = 0
for i in range(1000, 1600):
    f.write((sys.argv[2] % i).encode() + b'\\n')
    f.flush()
    ok += f.readline().startswith(b'ok ')
print(ok)" "$T/par.sock" "$1"
}
many "circuit %d outer inner $MCA $MPA remote 0 0 1 $hop" >/dev/null
ask par list >"$T/list"
tap_is "list of 602 circuits: all of them, ascending, in one line" \
	"$(wc -lc <"$T/list" | tr -s ' ') $(cut -d' ' -f2- "$T/list" |
	jq -c '.circuits | [length, . == sort, .[0], .[1], .[601]]')" \
	" 1 3026 [602,true,500,600,1599]"
tap_is "... and del each: 600 ok, 2 left" \
	"$(many "del %d") $(json par hello .circuits)" "600 2"
ip netns exec "$CA" "$E" send eth0 --circuit 500 --epoch 1 --hop-key-file \
	"$T/hop" --e2e-key-file "$T/e2e" --count 3 --dst $MPA -q
osm_until 250 eval '[ "$(stat cam .inner_drops.egress_down)" = 3 ]'
tap_is "no link: remote circuit 500's frames egress_down, none sent" \
	"$(stat cam .inner_drops.egress_down) $(stat cam .tx_outer)" "3 0"

tap_is "cam's link from a peer request" "$(ask cam "$(peer_req cam)")" \
	'ok {"changed":true}'
tap_ok "... its handshake reaches par, which has no peer: unknown_peer" \
	osm_until 500 eval '[ "$(stat par .unknown_peer)" -gt 0 ]'
tap_is "... and par sent nothing, holds no session" \
	"$(json par stats '[.tx_outer, .peer, .session]')" "[0,false,false]"
tap_is "par's link from a peer request" "$(ask par "$(peer_req par)")" \
	'ok {"changed":true}'
tap_ok "a session at each end" osm_until 500 up
tap_is "hello and /osm/stats: a peer" \
	"$(json par hello .peer) $(tel par /osm/stats | jq -c .peer)" "true 1"
tap_is "remote circuit 500: 5 frames cam -> par, the same bytes" \
	"$(xfer "$CA" "$PA" 500 5 --dst $MPA)" "5/5"
tap_is "remote circuit 600: 5 frames par -> cam, the same bytes" \
	"$(xfer "$PA" "$CA" 600 5 --dst $MCA)" "5/5"

# The same link again, and bad peer requests: the session stays (a DATA
# after carries the index of one before; that one replayed is a replay).
capture "$PAR"
xfer "$CA" "$PA" 500 1 --dst $MPA >/dev/null
wait $cap
before=$(head -1 "$T/cap")
tap_is "the same peer request again, at both: nothing changed" \
	"$(ask cam "$(peer_req cam)") $(ask par "$(peer_req par)")" \
	'ok {"changed":false} ok {"changed":false}'
req=$(peer_req cam)
set -- $req
zero=$(printf '0%.0s' $(seq 64))
bad=$(python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile('rwb')
reqs = sys.argv[2:]
for r in reqs:
    f.write(r.encode() + b'\\n')
f.flush()
for r in reqs:
    print(' '.join(f.readline().decode().split(' ')[0:2]))" "$T/cam.sock" \
	"peer [fd00:99::2]:5555 $3 $4 $5 $6 1" \
	"peer $2 $3 $4 $5 ${6%?}x 1" \
	"peer $2 $3 $4 $5 $6" \
	"peer $2 $3 $4 $5 $6 0" \
	"peer $2 $3 $4 $4 $6 1" \
	"peer $2 $3 $4 $zero $6 1" \
	"peer $2 zz:00:00:00:ff:02 $4 $5 $6 1" \
	"peer 10.99.0.2 $3 $4 $5 $6 1" | sort | uniq -c | tr -s ' ')
tap_is "bad peer requests (family, hex, words, epoch 0, equal keys, a \
low-order key, MAC, port): an error each" "$bad" " 8 error bad-request"
capture "$PAR"
xfer "$CA" "$PA" 500 1 --dst $MPA >/dev/null
wait $cap
tap_is "... and the session is the one before: the same receiver index" \
	"$(python3 $WAN index "$(head -1 "$T/cap")")" \
	"$(python3 $WAN index "$before")"
was=$(stat par .outer_drops.replay)
ip netns exec "$CAM" python3 $WAN send wan0 "$before"
osm_until 250 eval '[ "$(stat par .outer_drops.replay)" != "$was" ]'
tap_is "... a DATA of before, replayed: replay (its window holds it)" \
	"$(( $(stat par .outer_drops.replay) - was ))" 1

# Another epoch of the same pair rotates the pair key, as the epoch
# request does: a new session of epoch 2, the one before kept meanwhile.
replays=$(stat par .outer_drops.replay)
tap_is "peer requests of epoch 2 at both: changed" \
	"$(ask cam "$(peer_req cam 2)") $(ask par "$(peer_req par 2)")" \
	'ok {"changed":true} ok {"changed":true}'
tap_ok "a new session at each end, of epoch 2" osm_until 500 eval \
	'up && [ "$(stat cam .session_epoch) $(stat par .session_epoch)" = "2 2" ]'
ip netns exec "$CAM" python3 $WAN send wan0 "$before"
osm_until 250 eval '[ "$(stat par .outer_drops.replay)" != "$replays" ]'
tap_is "... a DATA of the session before, replayed: replay (still held)" \
	"$(( $(stat par .outer_drops.replay) - replays ))" 1
tap_is "remote circuit 500 carries under the new link: 5 frames" \
	"$(xfer "$CA" "$PA" 500 5 --dst $MPA)" "5/5"
tap_is "another next hop: changed; and back" \
	"$(ask cam "$(peer_req cam 2 02:00:00:00:ff:99)") $(ask cam \
	"$(peer_req cam 2)")" 'ok {"changed":true} ok {"changed":true}'
tap_ok "... a session again" osm_until 500 up
tap_is "an epoch request, then the peer request of that epoch: no change" \
	"$(ask cam "epoch 3") $(ask par "epoch 3") $(ask cam \
	"$(peer_req cam 3)")" 'ok {} ok {} ok {"changed":false}'
tap_ok "... both ends at epoch 3" osm_until 500 eval \
	'up && [ "$(stat cam .session_epoch) $(stat par .session_epoch)" = "3 3" ]'

# cam restarted, its link from the command line this time: a new boot
# id; the session with par (set by a request) is made, so both ways of
# setting the link give the same pair.
boot=$(json cam hello .boot)
kill "$pid_cam"
wait "$pid_cam" 2>/dev/null
EPOCH=3 gw cam 0
tap_ok "cam restarted with its link's options: a session again" \
	osm_until 500 up
tap_is "hello: another boot id, a peer, no circuits" \
	"$(json cam hello '[.boot != '"$boot"', .peer, .circuits]')" \
	"[true,true,0]"
tap_is "the peer request of the same link: no change" \
	"$(ask cam "$(peer_req cam 3)")" 'ok {"changed":false}'
tap_ok "its circuits installed again" eval 'circuits >/dev/null'
tap_is "remote circuit 600 carries again: 5 frames par -> cam" \
	"$(xfer "$PA" "$CA" 600 5 --dst $MCA)" "5/5"
tap_done
