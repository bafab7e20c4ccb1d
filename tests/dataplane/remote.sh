#!/usr/bin/env bash
# Two buildings, cam and par, each with its own store and controller
# (osm-fabric: par's a daemon, cam's the commands alone), a room switch
# (XDP) and a gateway (osm-gw, DPDK), joined by a veth 'WAN'. The operators exchange public keys (peer key), add
# each other (peer add: the controller configures its gateway's link),
# and open the remote circuits 'door' on both sides (remote add): both
# controllers compute the same ids and keys, and frames cross byte for
# byte both ways. Nothing crosses before both sides opened it, or after
# either closed it; a circuit not marked remote never leaves; engine
# verify sees the gateway's state and reconcile restores a restarted
# osm-gw, and par's daemon does it by itself; the pair key rotates under
# traffic without a loss; every
# operator error is one line, exit 1, and changes nothing. The audit
# chain of each building records what its operator did.
set -u
umask 077	# key files: closed to group and others
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
F=$PWD/build/osm-fabric
G=$PWD/build/osm-gw
E=$PWD/build/osm-endpoint
osm_fixture_init orm
osm_ensure_bpffs
osm_tmpdir T || exit 1
declare -A ADDR=([cam]=10.98.0.1:5555 [par]=10.98.0.2:5555)
declare -A WMAC=([cam]=02:00:00:00:fe:01 [par]=02:00:00:00:fe:02)
declare -A DMAC=([cam]=02:00:00:00:0c:01 [par]=02:00:00:00:0d:01)
declare -A LMAC=([cam]=02:00:00:00:0c:02 [par]=02:00:00:00:0d:02)
other() { [ "$1" = cam ] && echo par || echo cam; }
sw() { echo "$OSM_P-$1sw"; }			# a building's switch
swns() { echo "n-$OSM_P-$1sw"; }		# its namespace
fab() { local b=$1; shift; "$F" --store "$T/$b" "$@"; }
fabn() { local b=$1 c=$2; shift 2; fab "$b" "$c" "$@" --netns-prefix n-; }

# building B: switch namespace with ports p1 (device d1), p2 (d2) and gw
# (to the gateway's in0); the gateway's namespace; a topology. par has
# also p3 (d3, a device on the control protocol) and its controller's
# port ctl.
CTLMAC=02:00:00:00:0d:fe D3MAC=02:00:00:00:0d:03
building() {
	local b=$1 ns extra_ports='' extra_devs=''
	ns=$(swns "$b")
	ip netns add "$ns" && osm_defer ip netns del "$ns" || return 1
	osm_netns_new "-$b-d1" && osm_netns_new "-$b-d2" &&
		osm_netns_new "-$b-gw" || return 1
	osm_veth "$ns" p1 "$OSM_P-$b-d1" eth0 &&
		osm_veth "$ns" p2 "$OSM_P-$b-d2" eth0 &&
		osm_veth "$ns" gw "$OSM_P-$b-gw" in0 || return 1
	ip -n "$OSM_P-$b-d1" link set eth0 address "${DMAC[$b]}"
	ip -n "$OSM_P-$b-d2" link set eth0 address "${LMAC[$b]}"
	ip netns exec "$OSM_P-$b-d1" ethtool -K eth0 gro on >/dev/null
	ip netns exec "$OSM_P-$b-gw" ethtool -K in0 gro on >/dev/null
	if [ "$b" = par ]; then
		osm_netns_new -par-d3 && osm_netns_new -par-ctl &&
			osm_veth "$ns" p3 "$OSM_P-par-d3" eth0 &&
			osm_veth "$ns" ctl "$OSM_P-par-ctl" eth0 || return 1
		ip -n "$OSM_P-par-d3" link set eth0 address $D3MAC
		ip -n "$OSM_P-par-ctl" link set eth0 address $CTLMAC
		ip netns exec "$OSM_P-par-d3" ethtool -K eth0 gro on >/dev/null
		ip netns exec "$OSM_P-par-ctl" ethtool -K eth0 gro on >/dev/null
		extra_ports='
      - { name: p3 }
      - { name: ctl, kind: mgmt }'
		extra_devs="
  - { id: 3, name: d3, role: display, room: r1, port: $(sw "$b")/p3,
      mac: \"$D3MAC\" }"
	fi
	osm_switch "$ns" "$(sw "$b")"
	"$F" load -n "$ns" "$(sw "$b")" p1 p2 gw $([ "$b" = par ] && echo p3 ctl) \
		>/dev/null || return 1
	cat >"$T/$b.yaml" <<EOF
building: $b
floors:
  - name: ground
    rooms:
      - { name: r1, switch: $(sw "$b") }
switches:
  - name: $(sw "$b")
    kind: room
    ports:
      - { name: p1 }
      - { name: p2 }
      - { name: gw, kind: uplink, link: $OSM_P-$b-gw/in }$extra_ports
  - name: $OSM_P-$b-gw
    kind: gateway
    ports:
      - { name: in, kind: uplink }
      - { name: wan, kind: wan }
devices:
  - { id: 1, name: d1, role: display, room: r1, port: $(sw "$b")/p1,
      mac: "${DMAC[$b]}" }
  - { id: 2, name: d2, role: display, room: r1, port: $(sw "$b")/p2,
      mac: "${LMAC[$b]}" }$extra_devs
EOF
	fab "$b" topology apply "$T/$b.yaml" >/dev/null
}
building cam && building par || exit 1
# par's controller is a daemon (with the devices' controller on its
# port ctl): its commands go through it.
# ("$F" itself in the background: $! is then its pid, killed at the end)
"$F" --store "$T/par" daemon --netns-prefix n- --ctl eth0 \
	--ctl-netns "$OSM_P-par-ctl" >"$T/par.daemon" 2>&1 &
dpid=$!
osm_proc $dpid
osm_until 500 test -S "$T/par/engine.sock" || exit 1
osm_veth "$OSM_P-cam-gw" wan0 "$OSM_P-par-gw" wan0 || exit 1
for b in cam par; do
	ip -n "$OSM_P-$b-gw" link set wan0 address "${WMAC[$b]}"
done

# gw B CPU: start B's gateway, with no link: its controller gives it one.
gw() {
	local ns=$OSM_P-$1-gw
	ip netns exec "$ns" "$G" --no-huge --no-pci -l "$2" --no-shconf \
		--file-prefix "$ns" --log-level '*:error' \
		--vdev net_af_packet0,iface=in0 --vdev net_af_packet1,iface=wan0 \
		-- --address "${ADDR[$1]}" --control "$T/$1.sock" \
		--idle-us 200 >>"$T/$1.log" 2>&1 &
	eval "pid_$1=$!"
	osm_proc $!
	osm_defer rm -rf "/run/dpdk/$ns"
	osm_until 500 test -S "$T/$1.sock"
}
ask() { osm_gw_ask "$T/$1.sock" "$2"; }
stat() { ask "$1" stats | cut -d' ' -f2- | jq "$2"; }
up() { [ "$(stat cam .session)" = true ] && [ "$(stat par .session)" = true ]; }
audits() { fab "$1" -j audit show | jq length; }
# keys B NAME DIR: B's key files $T/B.NAME.DIR.{hop,e2e} of remote NAME's
# direction DIR (send, receive), from remote list --show-keys; the
# circuit id on stdout.
keys() {
	fab "$1" -j --show-keys remote list >"$T/rl" || return 1
	jq -r ".[] | select(.name == \"$2\") | .$3.hop_key" "$T/rl" \
		>"$T/$1.$2.$3.hop"
	jq -r ".[] | select(.name == \"$2\") | .$3.e2e_key" "$T/rl" \
		>"$T/$1.$2.$3.e2e"
	jq -r ".[] | select(.name == \"$2\") | .$3.circuit" "$T/rl"
}
# xfer FROM TO ID COUNT: COUNT frames of circuit ID from FROM's d1 to
# TO's d1, keys from FROM's send direction; "received/sent", compared
# byte for byte.
xfer() {
	local from=$1 to=$2 id=$3 n=$4 k
	k="--circuit $id --epoch 1 --hop-key-file $T/$from.door.send.hop
	   --e2e-key-file $T/$from.door.send.e2e"
	ip netns exec "$OSM_P-$to-d1" "$E" recv eth0 $k --count "$n" \
		--timeout "${XFER_MS:-8000}" --json >"$T/rx" 2>/dev/null &
	local rx=$!
	osm_listening "$OSM_P-$to-d1" >/dev/null
	ip netns exec "$OSM_P-$from-d1" "$E" send eth0 $k --count "$n" \
		--json --dst "${DMAC[$to]}" --payload "from $from" >"$T/tx"
	wait $rx
	echo "$(jq -r 'select(.result == "ok") | .frame' "$T/rx" |
		grep -cxFf <(jq -r .frame "$T/tx"))/$(wc -l <"$T/tx")"
}

gw cam 0 && gw par 1 || exit 1
tap_is "a gateway started without a link has none" "$(ask cam hello |
	cut -d' ' -f2- | jq .peer)" false
KCAM=$(fab cam peer key) KPAR=$(fab par peer key)
tap_ok "each building has a public key (peer key): 64 hex digits, apart" \
	eval '[[ $KCAM =~ ^[0-9a-f]{64}$ && $KPAR =~ ^[0-9a-f]{64}$ &&
		$KCAM != "$KPAR" ]]'

# ---- operator errors: one line, exit 1, nothing changed ----------------
n0=$(audits cam)
err() {	# err DESCRIPTION ARGS...: one line on stderr, status 1
	local what=$1 out rc
	shift
	out=$(fab cam "$@" 2>&1 >/dev/null)
	rc=$?
	tap_ok "$what: exit 1, one line ($out)" \
		eval '[ $rc = 1 ] && [ "$(printf "%s\n" "$out" | wc -l)" = 1 ]'
}
err "peer add with a short key" peer add par --public-key abcd \
	--endpoint "${ADDR[par]}" --next-hop-mac "${WMAC[par]}"
err "peer add with our own key" peer add par --public-key "$KCAM" \
	--endpoint "${ADDR[par]}" --next-hop-mac "${WMAC[par]}"
err "peer add with a low-order key (all zeros)" peer add par --public-key \
	"$(printf '0%.0s' {1..64})" --endpoint "${ADDR[par]}" \
	--next-hop-mac "${WMAC[par]}"
err "peer add with a bad endpoint" peer add par --public-key "$KPAR" \
	--endpoint 10.98.0.2 --next-hop-mac "${WMAC[par]}"
err "peer add with a gateway that is no gateway" peer add par \
	--public-key "$KPAR" --endpoint "${ADDR[par]}" \
	--next-hop-mac "${WMAC[par]}" --gateway "$(sw cam)"
err "remote add with no such peer" remote add door --peer par --device d1 \
	--peer-mac "${DMAC[par]}"
tap_is "... and nothing of them is in the store or its audit" \
	"$(fab cam -j peer list | jq length) $(audits cam)" "0 $n0"

# ---- the link: each operator adds the other ----------------------------
for b in cam par; do
	o=$(other $b)
	k=$KPAR; [ $b = par ] && k=$KCAM
	fab $b peer add $o --public-key "$k" --endpoint "${ADDR[$o]}" \
		--next-hop-mac "${WMAC[$o]}" --socket "$T/$b.sock" \
		>/dev/null || exit 1
done
tap_ok "peer add on both sides: the gateways handshake" osm_until 500 up
tap_is "peer list: the link is up, from the gateway" \
	"$(fab cam -j peer list | jq -c '[.[0].name, .[0].gateway_state.stats.session]')" \
	'["par",true]'
err "peer add of a peer present" peer add par --public-key "$KPAR" \
	--endpoint "${ADDR[par]}" --next-hop-mac "${WMAC[par]}"
err "peer add of another name with par's key" peer add par2 --public-key \
	"$KPAR" --endpoint "${ADDR[par]}" --next-hop-mac "${WMAC[par]}" \
	--socket "$T/other.sock"
head -c 32 /dev/urandom >"$T/other.key"
err "peer add of a second peer on cam's one gateway" peer add far \
	--public-key "$("$G" --public-key "$T/other.key")" \
	--endpoint 10.98.0.9:5555 --next-hop-mac "${WMAC[par]}" \
	--socket "$T/cam.sock"

# ---- a remote circuit, opened on both sides ----------------------------
fabn cam remote add door --peer par --device d1 --peer-mac "${DMAC[par]}" \
	--class video >"$T/out" || exit 1
tap_ok "remote add at cam: its circuits named" grep -q "send circuit" "$T/out"
ID_CP=$(keys cam door send) ID_PC=$(keys cam door receive)
tap_ok "the ids are remote ids (0x40000000 and up), one apart" \
	eval '[ $ID_CP -ge 1073741824 ] && [ $(( ID_CP ^ ID_PC )) = 1 ]'
tap_is "opened at cam alone, nothing crosses: 0 of 3 frames" \
	"$(XFER_MS=1500 xfer cam par "$ID_CP" 3)" "0/3"
tap_ok "... dropped at par's gateway, which knows no such circuit" \
	eval '[ "$(stat par .inner_drops.unknown_circuit)" -ge 3 ]'
fabn par remote add door --peer cam --device d1 --peer-mac "${DMAC[cam]}" \
	--class video >/dev/null || exit 1
tap_is "par's ids are cam's, each direction the other's" \
	"$(keys par door receive) $(keys par door send)" "$ID_CP $ID_PC"
tap_ok "... and its keys too: computed on each side, never carried" \
	cmp -s <(cat "$T/cam.door.send.hop" "$T/cam.door.send.e2e") \
	<(cat "$T/par.door.receive.hop" "$T/par.door.receive.e2e")
tap_is "remote door: 5 frames cam -> par, the same bytes" \
	"$(xfer cam par "$ID_CP" 5)" "5/5"
tap_is "remote door: 5 frames par -> cam, the same bytes" \
	"$(xfer par cam "$ID_PC" 5)" "5/5"
tap_is "... counted by cam's switch and gateway (3 before par opened it), par's" \
	"$("$F" -j stats -n "$(swns cam)" "$(sw cam)" --circuit "$ID_CP" |
	jq '.circuits[0].frames') $(ask cam "circuit-stats $ID_CP" |
	cut -d' ' -f2- | jq .frames) $(ask par "circuit-stats $ID_CP" |
	cut -d' ' -f2- | jq .frames)" "8 8 5"
err "remote add of a name open" remote add door --peer par --device d1 \
	--peer-mac "${DMAC[par]}"
err "peer del while a remote uses it" peer del par
for b in cam par; do
	tap_is "engine verify at $b: switch and gateway equal the store" \
		"$(fab $b engine verify --netns-prefix n- 2>&1)" \
		"maps equal the store"
done

# ---- a device on the control protocol gets a remote's keys ---------------
fab par device provision d3 --ctrl-mac $CTLMAC -o "$T/d3.blob" >/dev/null
mkfifo "$T/d3.in"
ip netns exec "$OSM_P-par-d3" "$E" join eth0 --blob "$T/d3.blob" \
	--state "$T/d3.state" <"$T/d3.in" >"$T/d3.log" 2>&1 &
osm_proc $!
exec {d3in}>"$T/d3.in"
tap_ok "par's d3 joins its controller (osm-endpoint join)" \
	osm_until 500 grep -q '^joined 1$' "$T/d3.log"
fabn cam remote add bell --peer par --device d2 --peer-mac $D3MAC \
	--send-only >/dev/null &&
fabn par remote add bell --peer cam --device d3 --peer-mac "${LMAC[cam]}" \
	--receive-only >/dev/null || exit 1
ID_BELL=$(keys cam bell send)
tap_ok "remote add at par: d3 gets the receiving key in a KEY_UPDATE" \
	osm_until 250 grep -q "^key $ID_BELL 1 rx 0\$" "$T/d3.log"
ip netns exec "$OSM_P-cam-d2" "$E" send eth0 --circuit "$ID_BELL" --epoch 1 \
	--hop-key-file "$T/cam.bell.send.hop" --e2e-key-file "$T/cam.bell.send.e2e" \
	--count 3 --dst $D3MAC --payload "ding" -q
tap_is "cam's d2 rings: d3 opens 3 frames, 'ding' each" "$(osm_until 250 \
	eval '[ "$(grep -c "^recv $ID_BELL .* 64696e67\$" "$T/d3.log")" = 3 ]';
	grep -c "^recv $ID_BELL .* 64696e67\$" "$T/d3.log")" 3
fab par remote close bell >/dev/null
tap_ok "remote close at par: d3 is told to remove its key" \
	osm_until 250 grep -q "^key $ID_BELL [0-9]* remove" "$T/d3.log"
fab cam remote close bell >/dev/null

# ---- a circuit not marked remote never leaves ---------------------------
printf '%s' 00112233445566778899aabbccddeeff >"$T/lhop"
"$F" circuit add -n "$(swns cam)" "$(sw cam)" 77 --in p1 --out gw \
	--src "${DMAC[cam]}" --dst "${DMAC[par]}" --epoch 1 \
	--hop-key-file "$T/lhop" >/dev/null
ask cam "circuit 77 inner outer ${DMAC[cam]} ${DMAC[par]} - 0 0 1 $(cat "$T/lhop")" \
	>/dev/null
was=$(stat cam .tx_outer) lo=$(stat cam .local_only)
ip netns exec "$OSM_P-cam-d1" "$E" send eth0 --circuit 77 --epoch 1 \
	--hop-key-file "$T/lhop" --e2e-key-file "$T/cam.door.send.e2e" --count 4 \
	--dst "${DMAC[par]}" -q
osm_until 250 eval '[ $(( $(stat cam .local_only) - lo )) = 4 ]'
tap_is "a circuit not marked remote: 4 frames local_only, 0 on the WAN" \
	"$(( $(stat cam .local_only) - lo )) $(( $(stat cam .tx_outer) - was ))" \
	"4 0"
fab cam engine verify --netns-prefix n- >"$T/v" 2>&1
tap_ok "engine verify names it on the switch and the gateway" eval \
	"grep -q '$(sw cam): circuit 77 is not in the store' $T/v &&
	 grep -q 'circuit 77 is no open remote' $T/v"
fab cam engine reconcile --netns-prefix n- >/dev/null 2>&1
tap_is "reconcile takes it out of both" \
	"$(fab cam engine verify --netns-prefix n- 2>&1) $(ask cam 'circuit-stats 77')" \
	"maps equal the store error not-found no circuit 77"

# ---- the pair key rotates under traffic ---------------------------------
ip netns exec "$OSM_P-par-d1" "$E" recv eth0 --circuit "$ID_CP" --epoch 1 \
	--hop-key-file "$T/cam.door.send.hop" --e2e-key-file "$T/cam.door.send.e2e" \
	--count 300 --timeout 15000 --json >"$T/rx" 2>/dev/null &
rx=$!
osm_listening "$OSM_P-par-d1" >/dev/null
ip netns exec "$OSM_P-cam-d1" "$E" send eth0 --circuit "$ID_CP" --epoch 1 \
	--hop-key-file "$T/cam.door.send.hop" --e2e-key-file "$T/cam.door.send.e2e" \
	--count 300 --interval-us 10000 --dst "${DMAC[par]}" -q &
tx=$!
sleep 0.7
fab cam peer epoch par 2 >/dev/null
sleep 0.7
fab par peer epoch cam 2 >/dev/null
wait $tx
wait $rx
tap_is "peer epoch 2 on each side during 300 frames: all 300 arrive" \
	"$(jq -r 'select(.result == "ok")' "$T/rx" | jq -s length)" 300
tap_ok "... and the session is of epoch 2 at both ends" osm_until 500 eval \
	'[ "$(stat cam .session_epoch) $(stat par .session_epoch)" = "2 2" ]'
err "peer epoch backwards" peer epoch par 1

# ---- osm-gw restarted: the controller restores it -------------------------
restart() {	# restart B CPU
	kill "$(eval echo "\$pid_$1")"
	wait "$(eval echo "\$pid_$1")" 2>/dev/null
	rm -rf "/run/dpdk/$OSM_P-$1-gw"
	gw "$1" "$2"
}
restart par 1 || exit 1
tap_ok "par's gateway restarted: its daemon gives it its link back" \
	osm_until 500 up
tap_ok "... and its circuits (the daemon says so in its log)" osm_until 250 \
	eval "ask par list | grep -q $ID_CP && grep -q 'gateway restored' $T/par.daemon"
tap_is "... so the remote carries frames again, both ways" \
	"$(xfer cam par "$ID_CP" 3) $(xfer par cam "$ID_PC" 3)" "3/3 3/3"
restart cam 0 || exit 1
fab cam engine verify --netns-prefix n- >"$T/v" 2>&1
tap_ok "cam's gateway restarted (no daemon): verify sees no link, no circuits" \
	eval "grep -q 'no link to par' $T/v && grep -q 'circuit $ID_CP missing' $T/v"
tap_ok "engine reconcile restores it" \
	eval 'fab cam engine reconcile --netns-prefix n- >/dev/null 2>&1'
tap_ok "... its link is up again" osm_until 500 up
tap_is "... and the remote carries frames again, both ways" \
	"$(xfer cam par "$ID_CP" 3) $(xfer par cam "$ID_PC" 3)" "3/3 3/3"
tap_is "status shows cam's gateway, its link up" \
	"$(fab cam status | grep -A1 "^gateway $OSM_P-cam-gw" | head -1 |
	sed 's/.*: //')" "link up, pair key epoch 2"

# ---- closed on one side: it stops on both --------------------------------
n0=$(audits par)
fab par remote close door >/dev/null
tap_is "remote close at par: audited there" \
	"$(fab par -j audit show | jq -r '.[-1].kind') $(( $(audits par) - n0 ))" \
	"remote-close 1"
was=$(stat par .tx_outer)
tap_is "cam -> par: 0 of 3 frames arrive" "$(XFER_MS=1500 xfer cam par "$ID_CP" 3)" \
	"0/3"
tap_is "par -> cam: 0 of 3, and none left par's switch for the WAN" \
	"$(XFER_MS=1500 xfer par cam "$ID_PC" 3) $(( $(stat par .tx_outer) - was ))" \
	"0/3 0"
tap_is "par's switch and gateway hold neither circuit" \
	"$(fab par engine verify --netns-prefix n- 2>&1) $(ask par list |
	cut -d' ' -f2- | jq -c .circuits)" "maps equal the store []"
fab cam remote close door >/dev/null
err "re-opening a closed remote's name (its keys were used)" remote add \
	door --peer par --device d1 --peer-mac "${DMAC[par]}"
fab cam peer del par >/dev/null
tap_is "cam closes too and removes the peer: its gateway holds nothing" \
	"$(ask cam list | cut -d' ' -f2- | jq -c .circuits) $(fab cam remote list)" \
	"[] no remote circuits"
tap_is "... and has no link any more (unpeer): no session at either end" \
	"$(ask cam hello | cut -d' ' -f2- | jq -c '[.peer]') $(stat cam .session)" \
	"[false] false"
tap_is "cam's audit: each step its operator took, in order" \
	"$(fab cam -j audit show | jq -r '.[] | select(.kind | test("peer|remote")) |
	.kind' | tr '\n' ' ')" \
	"peer-add remote-add remote-add remote-close peer-epoch remote-close peer-del "
for b in cam par; do
	tap_ok "audit verify at $b" eval "fab $b audit verify >/dev/null"
done
# The daemon's controller interface goes away: said once, and the daemon
# goes on (it does not spin on the socket's error).
ip -n "$(swns par)" link del ctl
tap_ok "par's controller interface deleted: the daemon says so" \
	osm_until 250 grep -q 'controller interface: Network is down' \
	"$T/par.daemon"
tap_is "... once, and it still serves (events)" "$(grep -c \
	'controller interface:' "$T/par.daemon") $(fab par events -n 1 \
	>/dev/null && echo served)" "1 served"
tap_done
