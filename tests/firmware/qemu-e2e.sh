#!/usr/bin/env bash
# QEMU end to end: each role's firmware image, provisioned with osm-mkblob,
# boots on lm3s6965evb with its Stellaris NIC on a tap; fw-ctl plays the
# controller and a host endpoint, over the network and the UART. Each role
# runs twice:
#
# 1. on the tap: fw-ctl sends straight into the tap (the firmware's own
#    checks: HELLO, KEY_UPDATE/ACK, rotation, lamp commands, door PRESENCE,
#    every class of hostile frame, stack high-water mark);
#
# 2. through a room switch: the tap is a port of an XDP switch, the
#    controller and the host endpoint sit behind two more ports, and fw-ctl
#    (the controller) programs the switch with osm-fabric as it goes:
#
#   ns of2<pid>c (controller)    ns of2<pid>s: switch of2<pid>sw
#   eth0 02:00:00:00:0f:01 ------ of2<pid>c
#                                        [switch_xdp] of2<pid>t --- QEMU
#   eth0 02:00:00:00:0f:02 ------ of2<pid>e           (tap)        (device)
#   ns of2<pid>e (host endpoint)
#
# The script installs the control circuits of the blob's epoch (up: in the
# tap from the device's MAC; down: in the controller's port from the
# controller's MAC); fw-ctl rotates them, opens and closes a person's circuit
# on a door's PRESENCE, provisions the lamp's data circuit, and checks the
# switch's drop counters by reason next to the device's log.
. "$(dirname "$0")/../lib.sh"
set -u
B=${B:-build}
F=$B/osm-fabric
FWCTL=$B/tests/firmware/fw-ctl
osm_fixture_init of2
P=$OSM_P
SW=${P}sw
CTRL_MAC=02:00:00:00:0f:01
EP_MAC=02:00:00:00:0f:02
osm_tmpdir DIR

# ctrl_circuit ID DIR HOP_DIR IN OUT SRC DST: a control circuit of the
# blob's epoch on the switch, its hop key piped from fw-ctl.
ctrl_circuit() {
	"$FWCTL" -b "$DIR/$role.blob" -k "$3" |
	$F circuit add -n ${P}s $SW $(( 0x80000000 | $1 << 1 | $2 )) \
		--in "$4" --out "$5" --src "$6" --dst "$7" --epoch 1 --ctrl \
		--hop-key-file - >/dev/null
}

# switch_up DEVICE_ID DEVICE_MAC: the switch on the tap and two veth ports.
switch_up() {
	local n
	for n in c e; do
		osm_netns_new $n && osm_veth ${P}s $P$n $P$n eth0 || return 1
		# XDP_REDIRECT into a veth needs NAPI on the receiving peer
		# (GRO); into a tap it needs nothing: tun queues the frame
		# for its reader, QEMU.
		ip netns exec $P$n ethtool -K eth0 gro on >/dev/null
	done
	ip -n ${P}c link set eth0 address $CTRL_MAC
	ip -n ${P}e link set eth0 address $EP_MAC
	osm_switch ${P}s $SW
	tap_ok "$role: osm-fabric load on the tap and two veth ports" \
		$F load -n ${P}s $SW ${P}t ${P}c ${P}e
	tap_ok "$role: control up circuit (tap -> controller), blob's epoch" \
		ctrl_circuit "$1" 0 up ${P}t ${P}c "$2" $CTRL_MAC
	tap_ok "$role: control down circuit (controller -> tap)" \
		ctrl_circuit "$1" 1 down ${P}c ${P}t $CTRL_MAC "$2"
}

# run_role ROLE DEVICE_ID DEVICE_MAC tap|switch: role's namespaces, switch,
# QEMU and FIFOs are gone when it returns, the next role makes them anew.
run_role() {
	local mark=${#OSM_UNDO[@]} rc
	one_role "$@"
	rc=$?
	osm_cleanup "$mark"
	return $rc
}
one_role() {
	local role=$1 id=$2 mac=$3 mode=$4 tap=${P}t rc used nic qpid
	(umask 077 && head -c 32 /dev/urandom >"$DIR/$role.key")
	"$B/osm-mkblob" --id "$id" --role "$role" --mac "$mac" \
		--ctrl-mac $CTRL_MAC --peer-mac $EP_MAC \
		--device-key-file "$DIR/$role.key" -o "$DIR/$role.blob" ||
		return 1
	arm-none-eabi-objcopy --update-section .provision="$DIR/$role.blob" \
		"$B/firmware/$role.elf" "$DIR/$role.elf" || return 1
	# No IPv6 chatter in the fixture's namespaces: every frame the
	# device and the switch see is one the test sent.
	osm_netns_new s || return 1
	ip -n ${P}s tuntap add dev $tap mode tap
	ip -n ${P}s link set $tap address $CTRL_MAC up
	if [ "$mode" = switch ]; then
		switch_up "$id" "$mac" || return 1
	fi
	osm_defer rm -f "$DIR/uart.in" "$DIR/uart.out"
	mkfifo "$DIR/uart.in" "$DIR/uart.out"
	nic="tap,ifname=$tap,model=stellaris,script=no,downscript=no,mac=$mac"
	# semihosting: the device's session counter is a file in $DIR
	(cd "$DIR" && exec ip netns exec ${P}s timeout 60 qemu-system-arm \
		-M lm3s6965evb -display none -monitor none \
		-semihosting-config enable=on,target=native \
		-serial "pipe:$DIR/uart" -kernel "$DIR/$role.elf" -nic "$nic" \
		2>"$DIR/qemu-$role.err") &
	qpid=$!
	osm_proc $qpid
	if [ "$mode" = switch ]; then
		# Not under ip netns exec: fw-ctl runs osm-fabric, which
		# needs the host's bpffs; it opens its sockets in the
		# namespaces itself.
		"$FWCTL" -i ${P}c:eth0 -e ${P}e:eth0 -s ${P}s:$SW -t $tap \
			-c ${P}c -p ${P}e -F $F -u "$DIR/uart" \
			-b "$DIR/$role.blob" -n "$TAP_N" >"$DIR/out"
	else
		ip netns exec ${P}s "$FWCTL" -i $tap -u "$DIR/uart" \
			-b "$DIR/$role.blob" -n "$TAP_N" >"$DIR/out"
	fi
	rc=$?
	cat "$DIR/out"
	# the measured stack high-water mark (the larger of both runs), for
	# tests/firmware/size.sh
	used=$(sed -n 's/^# FW_STACK_USED //p' "$DIR/out")
	[ "$mode" = switch ] &&
		[ "${used:-0}" -lt "$(cat "$B/firmware/$role.stack")" ] ||
		echo "$used" >"$B/firmware/$role.stack"
	TAP_N=$((TAP_N + $(grep -cE '^(not )?ok ' "$DIR/out")))
	TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok ' "$DIR/out")))
	kill -0 $qpid 2>/dev/null
	tap_is "$role ($mode): QEMU still running after the scenario" $? 0
	if [ "$mode" = switch ]; then
		tap_ok "$role: osm-fabric unload" $F unload -n ${P}s $SW
		tap_ok "$role: no pins left" test ! -e /sys/fs/bpf/osm/$SW
	fi
	return $rc
}

osm_ensure_bpffs
rc=0
run_role door 11 52:54:00:0f:00:0b tap || rc=1
run_role door 11 52:54:00:0f:00:0b switch || rc=1
run_role lamp 12 52:54:00:0f:00:0c tap || rc=1
run_role lamp 12 52:54:00:0f:00:0c switch || rc=1
tap_done || rc=1
exit $rc
