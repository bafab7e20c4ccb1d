# A small building in network namespaces, for `make demo` and the engine
# tests. Source it from the top of the tree; it sets P (a unique prefix,
# oen$$) and D (the store directory) unless they are set, F and E (the
# tools). Call bld_up, and bld_down on exit.
P=${P:-oen$$}
D=${D:-/tmp/$P-store}
F=$PWD/build/osm-fabric
E=$PWD/build/osm-endpoint
#
#          controller (netns $P-ctl, eth0 02:00:00:00:00:fe)
#                          | port ctl (mgmt)
#               core switch ($P-core, netns ns-$P-core)
#              port r101          port r102
#                 |                   |
#   room r101: switch $P-r101    room r102: switch $P-r102
#     up p1  p2      p3      p4        p5   up p1     p2    p3
#        mic display speaker bob.phone door    sensor lamp  ana.laptop
#
# Every device is a namespace $P-d-<device> with eth0 on its switch port;
# a device named PERSON.THING is that person's (docs/engine.md). The
# controller's namespace is for `daemon --ctl eth0 --ctl-netns $P-ctl`.
# Devices named in BLD_FW are firmware in QEMU instead: their port is a
# tap in the switch's namespace, for `qemu-system-arm -nic tap,ifname=PORT`.

# name role room port mac
BLD_DEVICES="
mic        microphone r101 p1 02:00:00:00:01:01
display    display    r101 p2 02:00:00:00:01:02
speaker    speaker    r101 p3 02:00:00:00:01:03
bob.phone  display    r101 p4 02:00:00:00:01:04
door       door       r101 p5 02:00:00:00:01:05
sensor     sensor     r102 p1 02:00:00:00:02:01
lamp       lamp       r102 p2 02:00:00:00:02:02
ana.laptop display    r102 p3 02:00:00:00:02:03"

BLD_NETNS_PREFIX=ns-
BLD_CTL_MAC=02:00:00:00:00:fe
bld_sw() { echo "$P-$1"; }			# switch of room/core
bld_swns() { echo "$BLD_NETNS_PREFIX$P-$1"; }	# its namespace
bld_devns() { echo "$P-d-$1"; }
bld_ctlns() { echo "$P-ctl"; }

# The topology file of this building, on stdout.
bld_topology() {
	cat <<EOF
building: ${BLD_NAME:-demo}
floors:
  - name: ground
    rooms:
      - { name: r101, switch: $P-r101 }
      - { name: r102, switch: $P-r102 }
switches:
  - name: $P-core
    kind: core
    ports:
      - { name: r101, kind: uplink, ifname: r101, link: $P-r101/up }
      - { name: r102, kind: uplink, ifname: r102, link: $P-r102/up }
      - { name: ctl, kind: mgmt }
  - name: $P-r101
    kind: room
    ports:
      - { name: up, kind: uplink }
      - { name: p1 }
      - { name: p2 }
      - { name: p3 }
      - { name: p4 }
      - { name: p5 }
  - name: $P-r102
    kind: room
    ports:
      - { name: up, kind: uplink }
      - { name: p1 }
      - { name: p2 }
      - { name: p3 }
devices:
EOF
	local id=0 name role room port mac
	while read -r name role room port mac; do
		[ -n "$name" ] || continue
		id=$((id + 1))
		echo "  - { id: $id, name: $name, role: $role, room: $room," \
			"port: $P-$room/$port, mac: \"$mac\" }"
	done <<<"$BLD_DEVICES"
}

bld_up() {
	local name role room port mac ns
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	for s in core r101 r102; do
		ip netns add "$(bld_swns $s)"
	done
	for r in r101 r102; do
		ip link add "$r" netns "$(bld_swns core)" type veth \
			peer name up netns "$(bld_swns $r)"
		ip -n "$(bld_swns core)" link set dev "$r" up
		ip -n "$(bld_swns $r)" link set dev up up
	done
	ip netns add "$(bld_ctlns)"
	ip link add ctl netns "$(bld_swns core)" type veth peer name eth0 \
		netns "$(bld_ctlns)"
	ip -n "$(bld_ctlns)" link set eth0 address $BLD_CTL_MAC
	ip netns exec "$(bld_ctlns)" ethtool -K eth0 gro on >/dev/null
	ip -n "$(bld_ctlns)" link set dev eth0 up
	ip -n "$(bld_swns core)" link set dev ctl up
	while read -r name role room port mac; do
		[ -n "$name" ] || continue
		if [[ " ${BLD_FW:-} " == *" $name "* ]]; then
			# A firmware device: QEMU's tap, on the switch.
			ip -n "$(bld_swns $room)" tuntap add dev "$port" mode tap
			ip netns exec "$(bld_swns $room)" sysctl -qw \
				"net.ipv6.conf.$port.disable_ipv6=1"
			ip -n "$(bld_swns $room)" link set dev "$port" up
			continue
		fi
		ns=$(bld_devns "$name")
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw \
			net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip link add "$port" netns "$(bld_swns $room)" type veth \
			peer name eth0 netns "$ns"
		ip -n "$ns" link set eth0 address "$mac"
		# Frames redirected by XDP into a veth need GRO (or XDP) on
		# the receiving end.
		ip netns exec "$ns" ethtool -K eth0 gro on >/dev/null
		ip -n "$ns" link set dev eth0 up
		ip -n "$(bld_swns $room)" link set dev "$port" up
	done <<<"$BLD_DEVICES"
	"$F" load -n "$(bld_swns core)" "$(bld_sw core)" r101 r102 ctl \
		>/dev/null &&
	"$F" load -n "$(bld_swns r101)" "$(bld_sw r101)" up p1 p2 p3 p4 p5 \
		>/dev/null &&
	"$F" load -n "$(bld_swns r102)" "$(bld_sw r102)" up p1 p2 p3 \
		>/dev/null || return 1
	# The kernel marks a link running a moment after it is set up; the
	# engine takes a port that is not running as down.
	local n
	for n in $(seq 100); do
		# (a firmware device's tap is down until QEMU opens it)
		! { ip -n "$(bld_swns core)" -d -o link
		    ip -n "$(bld_swns r101)" -d -o link
		    ip -n "$(bld_swns r102)" -d -o link; } |
			grep -v ': lo:' | grep -v 'tun type tap' |
			grep -qv 'state UP' && break
		sleep 0.05
	done
	bld_topology >"$D.yaml"
	"$F" --store "$D" topology apply "$D.yaml" >/dev/null
}

bld_down() {
	local name rest q
	bld_fw_down
	for q in ${BLD_EPS:-}; do kill "$q" 2>/dev/null; wait "$q" 2>/dev/null
	done
	BLD_EPS=
	rm -rf "/tmp/$P.ep"
	for s in core r101 r102; do
		"$F" unload -n "$(bld_swns $s)" "$(bld_sw $s)" >/dev/null 2>&1
		ip netns del "$(bld_swns $s)" 2>/dev/null
	done
	while read -r name rest; do
		[ -n "$name" ] && ip netns del "$(bld_devns "$name")" 2>/dev/null
	done <<<"$BLD_DEVICES"
	ip netns del "$(bld_ctlns)" 2>/dev/null
	rm -rf "$D" "$D.yaml"
	return 0
}

# bld_teardown: the EXIT trap of a script on this building: stops the
# daemon bld_daemon started and any QEMU, removes the namespaces, the
# store and /tmp/$P.*. bld_down comes before wait: it stops the QEMU
# children that wait would otherwise wait for.
dpid=
bld_teardown() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null
	bld_down
	wait 2>/dev/null
	rm -rf /tmp/$P.*
}

# bld_daemon [daemon options]: start the daemon on this building's store,
# socket $S (default: the store's own, which person commands find), pid
# in dpid, log in /tmp/$P.log; returns once it accepts connections.
bld_daemon() {
	S=${S:-$D/engine.sock}
	"$F" --store "$D" daemon --socket "$S" \
		--netns-prefix "$BLD_NETNS_PREFIX" "$@" >>"/tmp/$P.log" 2>&1 &
	dpid=$!
	python3 -c "
import socket, sys, time
for _ in range(200):
    try:
        socket.socket(socket.AF_UNIX).connect('$S'); sys.exit(0)
    except OSError: time.sleep(0.01)
sys.exit(1)"
}

# bld_ask REQUEST: one request line to the daemon, its reply on stdout.
bld_ask() {
	python3 -c "
import socket; s = socket.socket(socket.AF_UNIX); s.connect('$S')
s.sendall(b'$1\n'); print(s.makefile().readline().strip())"
}

# osm-fabric on this building's store and namespaces.
bld_osm() { "$F" --store "$D" "$@"; }
bld_person() {
	local op=$1; shift
	"$F" --store "$D" person "$op" --netns-prefix "$BLD_NETNS_PREFIX" "$@"
}

# Circuit id, epoch, hop key and e2e key of the circuit SRC -> DST, as
# "ID EPOCH HOP E2E", or nothing.
bld_circuit() {
	"$F" --store "$D" --show-keys -j engine circuits |
		jq -r --arg s "$1" --arg d "$2" '.[] |
			select(.src == $s and .dst == $d) |
			"\(.id) \(.epoch) \(.hop_key) \(.e2e_key)"'
}

# bld_ep send|recv DEVICE "ID EPOCH HOP E2E" [osm-endpoint options]:
# osm-endpoint on the device's eth0 with that circuit's keys; recv prints
# what arrives ("ok SEQ EPOCH HEX" lines).
bld_ep() {
	local op=$1 dev=$2 id epoch hop e2e hf ef rc
	read -r id epoch hop e2e <<<"$3"
	shift 3
	hf=$(bld_keyfile "$hop") && ef=$(bld_keyfile "$e2e") || return 1
	ip netns exec "$(bld_devns "$dev")" "$E" "$op" eth0 --circuit "$id" \
		--epoch "$epoch" --hop-key-file "$hf" --e2e-key-file "$ef" "$@"
	rc=$?
	rm -f "$hf" "$ef"
	return $rc
}
# bld_keyfile HEX: a key in a new file (mode 0600) under /tmp/$P.*, its
# path on stdout: keys never go on a command line (printf is a builtin).
bld_keyfile() {
	local f
	f=$(mktemp "/tmp/$P.key.XXXXXX") && printf '%s\n' "$1" >"$f" &&
		echo "$f"
}
bld_send() { bld_ep send "$@" -q; }
bld_recv() { bld_ep recv "$@"; }

# ---- host devices on the control protocol (osm-endpoint join) ------------
# bld_ep_join NAME [join options]: device NAME runs `osm-endpoint join` on
# its eth0, provisioned from the store (device provision), its session
# counter in /tmp/$P.ep/NAME.state; commands with bld_ep_cmd, its output
# in /tmp/$P.ep/NAME.log (every run of it, one after the other).
bld_ep_join() {
	local name=$1 dir=/tmp/$P.ep v
	shift
	v=${name//[^A-Za-z0-9]/_}
	mkdir -p -m 0700 "$dir"
	[ -s "$dir/$name.blob" ] ||
		"$F" --store "$D" device provision "$name" \
			--ctrl-mac "$BLD_CTL_MAC" -o "$dir/$name.blob" \
			>/dev/null || return 1
	[ -p "$dir/$name.in" ] || mkfifo "$dir/$name.in"
	ip netns exec "$(bld_devns "$name")" "$E" join eth0 \
		--blob "$dir/$name.blob" --state "$dir/$name.state" "$@" \
		<"$dir/$name.in" >>"$dir/$name.log" 2>&1 &
	eval "BLD_EP_$v=$!"
	BLD_EPS="${BLD_EPS:-} $!"
	eval "exec {BLD_EPFD_$v}>\"$dir/$name.in\""
}

# bld_ep_cmd NAME LINE: a command to its osm-endpoint join.
bld_ep_cmd() {
	local v="BLD_EPFD_${1//[^A-Za-z0-9]/_}"
	echo "$2" >&"${!v}"
}

# bld_ep_stop NAME [SIGNAL]: stop it (its state file stays).
bld_ep_stop() {
	local v="BLD_EP_${1//[^A-Za-z0-9]/_}" f="BLD_EPFD_${1//[^A-Za-z0-9]/_}"
	kill "-${2:-TERM}" "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
	eval "exec ${!f}>&-"
}

# bld_ep_wait NAME REGEX [TICKS]: until its log has a match (TICKS of
# 20 ms, default 250).
bld_ep_wait() {
	local i
	for i in $(seq "${3:-250}"); do
		grep -qE "$2" "/tmp/$P.ep/$1.log" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# bld_id SRC DST: the id of circuit SRC -> DST (no keys), or nothing.
bld_id() {
	"$F" --store "$D" -j engine circuits |
		jq -r --arg s "$1" --arg d "$2" \
			'.[] | select(.src == $s and .dst == $d) | .id'
}

# ---- firmware devices (BLD_FW) ------------------------------------------
# bld_fw_boot NAME ROLE: provision device NAME's image from the store
# (osm-mkblob with its root key, the controller's MAC), boot it in QEMU on
# its tap; UART log in /tmp/$P.fw/NAME.log, commands with bld_fw_cmd.
bld_fw_boot() {
	local name=$1 role=$2 dir=/tmp/$P.fw n r room port mac id
	while read -r n r room port mac; do
		[ "$n" = "$name" ] && break
	done <<<"$BLD_DEVICES"
	id=$("$F" --store "$D" -j topology show | jq -r --arg n "$name" \
		'.. | objects | select(.name? == $n and has("role")) | .id')
	# the blob and the image hold the device's key: the folder is ours
	mkdir -p -m 0700 "$dir"
	[ -s "$dir/$name.elf" ] ||	# made once: a reboot boots it again
	{ "$PWD/build/osm-mkblob" --id "$id" --role "$role" --mac "$mac" \
		--ctrl-mac "$BLD_CTL_MAC" --peer-mac "$mac" \
		--root-key-file "$D/root.key" -o "$dir/$name.blob" &&
	(umask 077 && arm-none-eabi-objcopy \
		--update-section .provision="$dir/$name.blob" \
		"build/firmware/$role.elf" "$dir/$name.elf"); } || return 1
	[ -p "$dir/$name.in" ] || mkfifo "$dir/$name.in" "$dir/$name.out"
	# BLD_FW_DUMP set: every frame the device sends or receives, in a
	# pcap file of each boot, $dir/$name.boot.NANOSECONDS.pcap (XDP
	# redirects pass no packet socket on the switch's side of its tap)
	local dump=()
	[ -z "${BLD_FW_DUMP:-}" ] || dump=(-object
		"filter-dump,id=dump,netdev=nic,file=$dir/$name.boot.$(date +%s%N).pcap")
	# semihosting: the device's session counter is a file in $dir
	(cd "$dir" && exec ip netns exec "$(bld_swns "$room")" \
		timeout "${BLD_FW_TIMEOUT:-120}" \
		qemu-system-arm -M lm3s6965evb -display none -monitor none \
		-semihosting-config enable=on,target=native \
		-serial "pipe:$dir/$name" -kernel "$dir/$name.elf" \
		-nic "tap,id=nic,ifname=$port,model=stellaris,script=no,downscript=no,mac=$mac" \
		"${dump[@]}" 2>"$dir/$name.err") &
	BLD_QEMU="${BLD_QEMU:-} $!"
	eval "BLD_QEMU_${name//[^A-Za-z0-9]/_}=$!"
	# the log of every boot, one after the other
	cat "$dir/$name.out" >>"$dir/$name.log" &
	eval "BLD_CAT_${name//[^A-Za-z0-9]/_}=$!"
	# Keep the UART's input open: QEMU would see its end otherwise.
	eval "exec {BLD_FD_${name//[^A-Za-z0-9]/_}}>\"$dir/$name.in\""
}

# bld_fw_cmd NAME LINE: a command on the device's UART.
bld_fw_cmd() {
	local v="BLD_FD_${1//[^A-Za-z0-9]/_}"
	echo "$2" >&"${!v}"
}

# bld_fw_wait NAME REGEX [SECONDS]: until its UART log has a match.
bld_fw_wait() {
	local i
	for i in $(seq $((${3:-5} * 20))); do
		grep -qE "$2" "/tmp/$P.fw/$1.log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# bld_fw_reboot NAME ROLE: power the device off (its QEMU killed) and on
# again; what it keeps is its storage (the session counter) and its log.
bld_fw_reboot() {
	local v="BLD_QEMU_${1//[^A-Za-z0-9]/_}" f="BLD_FD_${1//[^A-Za-z0-9]/_}"
	local c="BLD_CAT_${1//[^A-Za-z0-9]/_}"
	# SIGTERM: timeout passes it on to QEMU (a SIGKILL would leave QEMU
	# running without it); QEMU stops at once, as a power cut would
	kill "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
	wait "${!c}" 2>/dev/null	# its log read to the end
	eval "exec ${!f}>&-"
	# a mark between boots: what is logged before it is of the last one
	echo "# reboot" >>"/tmp/$P.fw/$1.log"
	bld_fw_boot "$1" "$2"
}

# bld_fw_down: stop the QEMUs (bld_down does it too).
bld_fw_down() {
	local q
	for q in ${BLD_QEMU:-}; do kill "$q" 2>/dev/null; wait "$q" 2>/dev/null
	done
	BLD_QEMU=
	rm -rf "/tmp/$P.fw"
}
