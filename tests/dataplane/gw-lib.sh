# The fixture of the gateway tests (gw.sh, gw6.sh, gwpeer.sh), sourced
# after tests/lib.sh: two buildings' namespaces joined by a veth 'WAN',
# cam's core switch (the XDP program) and its circuits, key files, and
# the helpers below. GW_TAG names the run (default ogw), GW_FAMILY=6
# makes the WAN IPv6.
G=$PWD/build/osm-gw
E=$PWD/build/osm-endpoint
WAN=tests/dataplane/wan.py
osm_fixture_init "${GW_TAG:-ogw}"
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

# gw NAME CPU: start that building's gateway (its log in $T/NAME.log),
# its link to the other from the command line; with GW_LINK=0, without
# (a peer request sets it).
gw() {
	local ns=$OSM_P-$1 me=$ADDR_CAM peer=$ADDR_PAR pk=$KPAR \
		nh=02:00:00:00:ff:02 link=()
	[ "$1" = par ] && { me=$ADDR_PAR; peer=$ADDR_CAM; pk=$KCAM
		nh=02:00:00:00:ff:01; }
	[ "${GW_LINK:-1}" = 1 ] && link=(--key-file "$T/$1.key" \
		--peer "$peer" --peer-key "$pk" --next-hop-mac $nh \
		--epoch "${EPOCH:-1}")
	ip netns exec "$ns" "$G" --no-huge --no-pci -l "$2" --no-shconf \
		--file-prefix "$ns" --log-level '*:error' \
		--vdev net_af_packet0,iface=in0 --vdev net_af_packet1,iface=wan0 \
		-- --address "$me" "${link[@]}" --control "$T/$1.sock" \
		--idle-us 200 >>"$T/$1.log" 2>&1 &
	eval "pid_$1=$!"
	osm_defer kill $!
	osm_defer rm -rf "/run/dpdk/$ns"	# EAL's runtime folder
}
# ask NAME REQUEST: the gateway's reply line.
ask() { osm_gw_ask "$T/$1.sock" "$2"; }
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

# tel NAME COMMAND: DPDK telemetry of NAME's gateway (/osm/...), with
# dpdk-telemetry.py: the value, as one line of JSON.
tel() {
	printf '%s\n' "$2" | ip netns exec "$OSM_P-$1" dpdk-telemetry.py \
		-f "$OSM_P-$1" 2>/dev/null | jq -c ".\"${2%%,*}\""
}
