#!/usr/bin/env bash
# QEMU end to end: each role's firmware image, provisioned with osm-mkblob,
# boots on lm3s6965evb with its Stellaris NIC on a tap inside a network
# namespace; fw-ctl plays the controller and a host endpoint on that tap
# and the UART (HELLO, KEY_UPDATE/ACK, rotation, lamp commands, door
# PRESENCE, hostile frames, stack high-water mark).
#
#   netns ofw<pid>-<role>                      (a room switch namespace
#   +------------------------------------+      later: fw-ctl moves to the
#   | fw-ctl (AF_PACKET) -- tap ofwt<pid>|      controller's namespace and
#   |                          |         |      the switch's XDP program
#   |          qemu-system-arm -nic tap  |      joins tap and uplink veth)
#   +------------------------------------+
. "$(dirname "$0")/../lib.sh"
set -u
B=${B:-build}
ID=$$
DIR=$(mktemp -d /tmp/ofw$ID.XXXX)
QPID=
NS=

cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	QPID=
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	NS=
}
trap 'cleanup; rm -rf "$DIR"' EXIT

# run_role ROLE DEVICE_ID DEVICE_MAC
run_role() {
	local role=$1 id=$2 mac=$3 tap=ofwt$ID ctrl_mac=02:00:00:00:0f:01
	NS=ofw$ID-$role
	head -c 32 /dev/urandom >"$DIR/$role.key"
	"$B/osm-mkblob" --id "$id" --role "$role" --mac "$mac" \
		--ctrl-mac "$ctrl_mac" --peer-mac 02:00:00:00:0f:02 \
		--device-key-file "$DIR/$role.key" -o "$DIR/$role.blob" ||
		return 1
	arm-none-eabi-objcopy --update-section .provision="$DIR/$role.blob" \
		"$B/firmware/$role.elf" "$DIR/$role.elf" || return 1
	ip netns add "$NS" || return 1
	ip -n "$NS" link set lo up
	ip -n "$NS" tuntap add dev "$tap" mode tap
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"
	ip -n "$NS" link set "$tap" address "$ctrl_mac" up
	mkfifo "$DIR/uart.in" "$DIR/uart.out"
	ip netns exec "$NS" timeout 60 qemu-system-arm -M lm3s6965evb \
		-display none -monitor none -serial "pipe:$DIR/uart" \
		-kernel "$DIR/$role.elf" \
		-nic "tap,ifname=$tap,model=stellaris,script=no,downscript=no,mac=$mac" \
		2>"$DIR/qemu-$role.err" &
	QPID=$!
	ip netns exec "$NS" "$B/tests/firmware/fw-ctl" -i "$tap" \
		-u "$DIR/uart" -b "$DIR/$role.blob" -n "$TAP_N" >"$DIR/out"
	local rc=$?
	cat "$DIR/out"
	# the measured stack high-water mark, for tests/firmware/size.sh
	sed -n 's/^# FW_STACK_USED //p' "$DIR/out" >"$B/firmware/$role.stack"
	TAP_N=$((TAP_N + $(grep -cE '^(not )?ok ' "$DIR/out")))
	TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok ' "$DIR/out")))
	kill -0 "$QPID" 2>/dev/null
	tap_is "$role: QEMU still running after the scenario" $? 0
	cleanup
	rm -f "$DIR/uart.in" "$DIR/uart.out"
	return $rc
}

rc=0
run_role door 11 52:54:00:0f:00:0b || rc=1
run_role lamp 12 52:54:00:0f:00:0c || rc=1
tap_done || rc=1
exit $rc
