#!/usr/bin/env bash
# Torture: devices rebooted and restarted at random under traffic, their
# links flapped during presence events (docs/protocol.md 8.1). The demo
# building (tools/building-lib.sh) under its daemon: the door and the
# lamp are firmware in QEMU, the six other devices host endpoints
# (osm-endpoint join). zoe stays in r101 and yan in r102 (their rooms'
# circuits live all along); ana, bob, cem and dan enter, move and leave.
# Each round, at once: one such event through the daemon, one device's
# link (its switch's side) down and up again, one device (picked at
# random) powered off and on (QEMU killed) or killed (SIGKILL or TERM)
# and started again; meanwhile the sensor talks to the lamp and the mic
# to the display. Every frame anyone sends is captured: on each host
# endpoint's eth0, on the controller's, and by QEMU (filter-dump, one
# pcap a boot). Figures:
#   devices.reboots            rounds run (a device restarted each)
#   devices.rejoin_ms_max      restart -> its new session's HELLO ACKed
#   devices.rejoin_ms_median
#   devices.keyed_ms_max       restart -> the controller's verify clean
#                              (every device holds the keys it should)
#   devices.nonce_reuse        (circuit, epoch, seq) seen with different
#                              bytes across every capture: must be 0
#   devices.replay_accepted    captured frames that arrived where they
#                              went, sent again after the last round
#                              (each host's own into its switch
#                              port, every frame to a device straight to
#                              it, every frame to the controller on its
#                              link): forwarded by a switch as data, or
#                              taken by an endpoint or the controller:
#                              must be 0
#   devices.without_keys       devices that, recovered, cannot use their
#                              circuits (a probe on each circuit a host
#                              sends on, a badge at the door): must be 0
# OSM_TORTURE=full: 36 rounds; otherwise 3 (a firmware and two hosts).
# OSM_TORTURE_SEED picks the same random rounds again.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
P=otd$$
D=/tmp/$P-store
S=/tmp/$P.sock
if [ "${OSM_TORTURE:-}" = full ]; then
	ROUNDS=36 BLD_FW_TIMEOUT=1500
else
	ROUNDS=3 BLD_FW_TIMEOUT=400
fi
SEED=${OSM_TORTURE_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$SEED
echo "# seed $SEED (OSM_TORTURE_SEED=$SEED runs these rounds again)"
REJOIN_BOUND_MS=20000	# a round's device back (busy 2-CPU machine)
KEYED_BOUND_S=60	# every device keyed after a round
BLD_FW="door lamp"
BLD_FW_DUMP=1
. tools/building-lib.sh
FR=$PWD/tests/engine/frames.py
caps=
# (a bare "wait" would wait for the daemon and every device)
trap '[ -z "$caps" ] || { kill $caps; wait $caps; } 2>/dev/null; bld_teardown' EXIT
bld_up || { echo "not ok 1 - building up"; exit 1; }
bld_daemon --ctl eth0 --ctl-netns "$(bld_ctlns)" ||
	{ echo "not ok 1 - daemon starts"; exit 1; }
L=/tmp/$P.ep
FWL=/tmp/$P.fw
C=/tmp/$P.cap
mkdir -p "$C"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ctl() { bld_ask controller | cut -d' ' -f2- | jq -r "$1"; }

HOSTS="mic display speaker bob.phone sensor ana.laptop"
FWS="door lamp"
declare -A MAC ROOM PORT
while read -r name role room port mac; do
	[ -n "$name" ] || continue
	MAC[$name]=$mac ROOM[$name]=$room PORT[$name]=$port
done <<<"$BLD_DEVICES"

# ---- captures: every host endpoint's eth0, the controller's -------------
echo "# at $SECONDS s"
cap() {	# NETNS IF FILE
	ip netns exec "$1" python3 "$FR" cap "$2" "$3" &
	caps="$caps $!"
}
cap "$(bld_ctlns)" eth0 "$C/ctl"
for h in $HOSTS; do cap "$(bld_devns "$h")" eth0 "$C/$h"; done
for h in ctl $HOSTS; do osm_until 250 test -e "$C/$h.ready"; done

# ---- devices up ----------------------------------------------------------
echo "# at $SECONDS s"
for h in $HOSTS; do bld_ep_join "$h"; done
declare -A UP	# host endpoints running
for h in $HOSTS; do UP[$h]=1; done
bld_fw_boot door door && bld_fw_boot lamp lamp ||
	{ echo "not ok 1 - firmware boots"; exit 1; }
fwlog() { cat "$FWL/$1.log" 2>/dev/null; }
# fw_joined NAME: its last session's HELLO has been ACKed (in this boot)
fw_joined() {
	fwlog "$1" | awk '/^(session |# reboot)/{j = 0} /^ack seq=/{j = 1}
		END{exit !j}'
}
# host_joined NAME LINES: a "joined" line after the log's first LINES
host_joined() {
	tail -n +$(($2 + 1)) "$L/$1.log" 2>/dev/null | grep -q '^joined '
}
n=0
for h in $HOSTS; do bld_ep_wait "$h" '^joined 1$' 1000 && n=$((n + 1)); done
for f in $FWS; do osm_until 1000 fw_joined "$f" && n=$((n + 1)); done
tap_is "eight devices joined (six hosts, two firmware)" "$n" 8
echo "# at $SECONDS s"

ev() { bld_person "$1" --socket "$S" "${@:2}" >/dev/null; }
tap_ok "zoe enters r101, yan r102: both rooms' circuits live" \
	eval 'ev enter zoe r101 && ev enter yan r102'
verify_clean() {
	[ "$(bld_ask verify)" = 'ok {"differences":0,"lines":[]}' ]
}
tap_ok "every device keyed (the controller's verify is clean)" \
	osm_until 3000 verify_clean
SL=$(bld_id sensor lamp) MD=$(bld_id mic display)
tap_ok "circuits sensor -> lamp ($SL) and mic -> display ($MD)" \
	test -n "$SL" -a -n "$MD"

# ---- traffic, events, link flaps ------------------------------------------
echo "# at $SECONDS s"
lvl=0 last_tx=0 ntx_sl=0 ntx_md=0
# traffic: every 50 ms or so, the sensor says "level N" to the lamp and
# the mic hums to the display (each only while its endpoint runs)
traffic() {
	local t
	t=$(now_ms)
	[ $((t - last_tx)) -ge 50 ] || return 0
	last_tx=$t
	lvl=$(((lvl + 1) % 101))
	if [ -n "${UP[sensor]}" ]; then
		bld_ep_cmd sensor "send $SL level $lvl"
		ntx_sl=$((ntx_sl + 1))
	fi
	if [ -n "${UP[mic]}" ]; then
		bld_ep_cmd mic "send $MD hum"
		ntx_md=$((ntx_md + 1))
	fi
	return 0
}
# until_t TICKS CMD...: osm_until with traffic going on
until_t() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		traffic
		sleep 0.02
	done
	return 1
}

declare -A WHERE	# movers present: their room
MOVERS="ana bob cem dan"
evp= evfail=0 nev=0
# one random event, in the background (its status checked by ev_done)
ev_start() {
	local movers=($MOVERS) who room
	who=${movers[RANDOM % 4]}
	room=r10$((RANDOM % 2 + 1))
	if [ -z "${WHERE[$who]:-}" ]; then
		set -- enter "$who" "$room"
		WHERE[$who]=$room
	elif [ $((RANDOM % 2)) = 0 ]; then
		room=$([ "${WHERE[$who]}" = r101 ] && echo r102 || echo r101)
		set -- move "$who" "$room"
		WHERE[$who]=$room
	else
		set -- leave "$who"
		unset "WHERE[$who]"
	fi
	echo "# event: $*"
	ev "$@" 2>>"/tmp/$P.everr" &
	evp=$!
	nev=$((nev + 1))
}
ev_done() {
	[ -n "$evp" ] || return 0
	wait "$evp" || { evfail=$((evfail + 1)); echo "# event failed"; }
	evp=
}
# flap NAME: its switch's side of its link down, 100-600 ms, up again,
# in the background
flapp=
flap() {
	local ns
	ns=$(bld_swns "${ROOM[$1]}")
	(ip -n "$ns" link set "${PORT[$1]}" down
	 sleep "0.$((RANDOM % 5 + 1))"
	 ip -n "$ns" link set "${PORT[$1]}" up) &
	flapp=$!
}

ALL="$HOSTS $FWS"
all=($ALL)
rejoin=() keyed_max=0 late=0 unkeyed=0 nrounds=0
for r in $(seq "$ROUNDS"); do
	# the short run: a firmware device, a host killed, a host stopped
	case "$ROUNDS:$r" in
	3:1) dev=lamp ;; 3:2) dev=sensor ;; 3:3) dev=display ;;
	*) dev=${all[RANDOM % ${#all[@]}]} ;;
	esac
	fl=${all[RANDOM % ${#all[@]}]}
	sig=$([ $((RANDOM % 2)) = 0 ] && echo KILL || echo TERM)
	echo "# round $r: $dev restarted ($sig), $fl's link flapped"
	ev_start
	flap "$fl"
	t0=$(now_ms)
	if [[ " $FWS " == *" $dev "* ]]; then
		bld_fw_reboot "$dev" "$dev"
		until_t 1000 fw_joined "$dev"
		ok=$?
	else
		UP[$dev]=
		bld_ep_stop "$dev" "$sig"
		lines=$(wc -l <"$L/$dev.log")
		bld_ep_join "$dev"
		UP[$dev]=1
		until_t 1000 host_joined "$dev" "$lines"
		ok=$?
	fi
	ms=$(( $(now_ms) - t0 ))
	[ "$ok" = 0 ] || { echo "# $dev did not rejoin"; ms=999999; }
	rejoin+=("$ms")
	[ "$ms" -gt "$REJOIN_BOUND_MS" ] && late=$((late + 1))
	wait "$flapp" 2>/dev/null
	ev_done
	if until_t $((KEYED_BOUND_S * 50)) verify_clean; then
		k=$(( $(now_ms) - t0 ))
		[ "$k" -gt "$keyed_max" ] && keyed_max=$k
	else
		unkeyed=$((unkeyed + 1))
		echo "# round $r: verify still not clean: $(bld_ask verify)"
	fi
	echo "# round $r: rejoined in $ms ms, keyed in ${k:-?} ms"
	nrounds=$r
	until_t 50 false	# a second of traffic between rounds
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
	END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
echo "# figure devices.reboots $nrounds devices restarted (firmware powered off and on, hosts killed)"
echo "# figure devices.events $nev presence events during them (failed: $evfail)"
echo "# figure devices.rejoin_ms_max $(max "${rejoin[@]}") restart -> new session joined, worst"
echo "# figure devices.rejoin_ms_median $(median "${rejoin[@]}") restart -> new session joined, median"
echo "# figure devices.keyed_ms_max $keyed_max restart -> every device keyed (verify clean), worst"
tap_is "$nrounds rounds: each device back (joined) within $REJOIN_BOUND_MS ms" \
	"$late" 0
tap_is "... and every device keyed again within $KEYED_BOUND_S s" "$unkeyed" 0
tap_is "$nev presence events through the daemon meanwhile, none failed" \
	"$evfail" 0
obeyed=$(fwlog lamp | grep -c '^lamp level')
heard=$(grep -c "^recv $MD " "$L/display.log")
echo "# figure devices.traffic_sensor_lamp $obeyed of $ntx_sl levels the sensor was told to send obeyed by the lamp ($(grep -c '^error no key' "$L/sensor.log") refused by the sensor: no key yet)"
echo "# figure devices.traffic_mic_display $heard of $ntx_md hums the mic was told to send heard by the display"
tap_ok "traffic went through it all: the lamp obeyed, the display heard" \
	test "$obeyed" -gt 0 -a "$heard" -gt 0

# ---- recovered: every device uses its circuits -------------------------------
echo "# at $SECONDS s"
# the door: a badge through its control circuits changes who is in
bad=()
fw_cmd_until() {	# NAME LINE CHECK...: say LINE until CHECK holds
	local i dev=$1 line=$2
	shift 2
	for i in $(seq 10); do
		bld_fw_cmd "$dev" "$line"
		osm_until 250 "$@" && return 0
	done
	return 1
}
pat_in() { bld_osm person list | grep -q '^pat '; }
pat_out() { ! pat_in; }
fw_cmd_until door "badge enter pat" pat_in &&
	fw_cmd_until door "badge leave pat" pat_out || bad+=(door)
osm_until 3000 verify_clean
# each data circuit a host sends on: a probe reaches its receiver
nprobe=0
more() { [ "$(grep -c "$2" "$1")" -gt "$3" ]; }	# FILE REGEX N
probe() {	# SRC DST ID
	local n0 want file say
	case $2 in
	lamp) want='^lamp level 77$' file=$FWL/lamp.log say="level 77" ;;
	door) return 0 ;;
	*) want="^recv $3 " file=$L/$2.log say=probe ;;
	esac
	n0=$(grep -c "$want" "$file")
	for _ in $(seq 10); do
		bld_ep_cmd "$1" "send $3 $say"
		osm_until 50 more "$file" "$want" "$n0" && return 0
	done
	return 1
}
while read -r id src dst; do
	[[ " $HOSTS " == *" $src "* ]] || continue
	nprobe=$((nprobe + 1))
	probe "$src" "$dst" "$id" || {
		echo "# circuit $id $src -> $dst: the probe did not pass"
		bad+=("$src" "$dst"); }
done < <(bld_osm -j engine circuits |
	jq -r '.[] | select(.id < 2147483648) | "\(.id) \(.src) \(.dst)"')
for f in $FWS; do fw_joined "$f" || bad+=("$f"); done
for h in $HOSTS; do
	[ "$(grep '^\(session\|joined\) ' "$L/$h.log" | tail -1 | cut -d' ' -f1)" = joined ] ||
		bad+=("$h")
done
without=$(printf '%s\n' "${bad[@]}" | sort -u | grep -c .)
echo "# figure devices.without_keys $without devices recovered but unable to use their circuits (must be 0)"
tap_is "every device uses its circuits after it all ($nprobe circuits probed, a badge at the door)" \
	"$without" 0
[ "$without" = 0 ] || echo "# without keys: $(printf '%s\n' "${bad[@]}" | sort -u | tr '\n' ' ')"

# ---- every frame sent: no (key, nonce) pair twice ---------------------------
echo "# at $SECONDS s"
sleep 0.5	# the captures have the last frames
kill $caps 2>/dev/null; wait $caps 2>/dev/null; caps=
python3 "$FR" pcap "$FWL"/*.pcap >"$C/fw"
read -r nf ntriples reused <<<"$(python3 "$FR" reuse "$C/ctl" "$C/fw" \
	$(for h in $HOSTS; do echo "$C/$h"; done))"
echo "# figure devices.frames $nf circuit frames captured ($ntriples (circuit, seq, epoch))"
echo "# figure devices.nonce_reuse $reused (circuit, epoch, seq) sent twice with different bytes (must be 0)"
tap_ok "captured $nf frames, $(ls "$FWL"/*.pcap | wc -l) firmware boots among them" \
	[ "$nf" -gt $((10 * nrounds)) ]
tap_is "no (circuit, epoch, seq) sent twice with different bytes: no (key, nonce) pair reused" \
	"$reused" 0

# ---- replays after the last round ------------------------------------------------
echo "# at $SECONDS s"
# quiet first: no frame forwarded by any switch for a second
# fwd_by: "SWITCH CIRCUIT FRAMES" a line; fwd: their sum
fwd_by() {
	local s
	for s in core r101 r102; do
		"$F" -j stats -n "$(bld_swns $s)" "$(bld_sw $s)" |
			jq -r --arg s "$s" '.circuits[] | "\($s) \(.id) \(.frames)"'
	done
}
fwd() { fwd_by | awk '{ t += $3 } END { print t + 0 }'; }
quiet() {
	local a b
	a=$(fwd_by); sleep 1; b=$(fwd_by)
	[ "$a" = "$b" ] && return 0
	diff <(echo "$a") <(echo "$b") | sed -n 's/^> /# not quiet yet: /p'
	return 1
}
osm_until 30 quiet
# what endpoints and the controller take: their logs' lines of frames
# opened and obeyed, the controller's messages accepted
taken() {
	local h t=0
	for h in $HOSTS; do
		t=$((t + $(grep -cE '^(recv|key|joined|session) ' "$L/$h.log")))
	done
	for h in $FWS; do
		t=$((t + $(fwlog "$h" | grep -cE '^(key |lamp |rejoin|session |ack |presence )')))
	done
	echo $((t + $(ctl '.hello + .presence + .acks')))
}
f0=$(fwd) k0=$(taken)
# hex lines of FILE from (src) or to (dst) MAC
pick() {
	awk -v at=$([ "$2" = dst ] && echo 1 || echo 13) \
		-v m="${3//:/}" 'substr($0, at, 12) == m' "$1"
}
# arrived H: of the frames on stdin, those some other capture than H's
# holds too (from the source MAC on: a switch writes the destination), so
# that reached where they went. A frame sent while its link was down
# never reached a switch: sending it now is its first time, no replay.
arrived() {
	awk 'NR == FNR { seen[substr($0, 13)] = 1; next }
	     seen[substr($0, 13)]' <(for f in "$C/ctl" "$C/fw" \
		$(for o in $HOSTS; do [ "$o" = "$1" ] || echo "$C/$o"; done); do
			cat "$f"; done) -
}
declare -A OUT	# namespace -> "IF FILE ..." to send there, all at once
for h in $HOSTS; do
	# its own frames that arrived, again into its switch port
	pick "$C/$h" src "${MAC[$h]}" | arrived "$h" >"$C/$h.own"
	OUT[$(bld_devns "$h")]="eth0 $C/$h.own"
	# every frame it was sent, straight to it
	pick "$C/$h" dst "${MAC[$h]}" >"$C/$h.to"
	OUT[$(bld_swns "${ROOM[$h]}")]+=" ${PORT[$h]} $C/$h.to"
done
for f in $FWS; do
	pick "$C/fw" dst "${MAC[$f]}" >"$C/$f.to"
	OUT[$(bld_swns "${ROOM[$f]}")]+=" ${PORT[$f]} $C/$f.to"
done
# everything the controller was sent (the firmware's own frames
# among them), straight to it
pick "$C/ctl" dst "$BLD_CTL_MAC" >"$C/ctl.to"
OUT[$(bld_swns core)]="ctl $C/ctl.to"
nrep=$(cat "$C"/*.own "$C"/*.to | wc -l)
sends=
for ns in "${!OUT[@]}"; do
	ip netns exec "$ns" python3 "$FR" send ${OUT[$ns]} &
	sends="$sends $!"
done
wait $sends
sleep 1
forwarded=$(( $(fwd) - f0 )) took=$(( $(taken) - k0 ))
echo "# figure devices.replayed $nrep captured frames sent again after the last round"
echo "# figure devices.replay_accepted $((forwarded + took)) of them forwarded by a switch ($forwarded) or taken by an endpoint or the controller ($took) (must be 0)"
tap_ok "... $nrep of them ($(wc -l <"$C/ctl.to") to the controller)" [ "$nrep" -gt $((10 * nrounds)) ]
tap_is "none forwarded by a switch" "$forwarded" 0
tap_is "none taken by an endpoint or the controller" "$took" 0
echo "# at $SECONDS s"
tap_done
