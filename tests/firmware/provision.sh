#!/usr/bin/env bash
# osm-fabric device provision: the blob of a firmware device from the store
# equals the one osm-mkblob writes from the same inputs (the store's root
# key, the topology's id, role, MACs); its error paths (one line, exit 1, no
# file); and `make firmware DEVICE=` building a bootable image from it.
. "$(dirname "$0")/../lib.sh"
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
osm_fixture_init of2
P=$OSM_P
osm_tmpdir DIR
ST=$DIR/store
DEVS=$B/firmware/devices
# what make firmware DEVICE=$P-... writes there (a QEMU left running is
# stopped at exit with the test's other jobs)
rm_devices() { rm -f "$DEVS/$P-"*; }
osm_defer rm_devices

F() { $B/osm-fabric --store "$ST" "$@"; }
mkblob() { $B/osm-mkblob --root-key-file "$ST/root.key" "$@"; }

# topology FILE [CONTROLLERS]: door, lamp and microphone in r1; each
# CONTROLLERS entry "NAME:ROOM:MAC" adds a controller on its own port.
topology() {
	local file=$1 i=1 c n r rest
	cat >"$file" <<EOF
building: t
floors:
  - name: g
    rooms:
      - { name: r1, switch: sw1 }
      - { name: r2, switch: sw2 }
switches:
  - { name: sw1, kind: room, ports: [ {name: p1}, {name: p2}, {name: p3},
                                      {name: c1} ] }
  - { name: sw2, kind: room, ports: [ {name: c1} ] }
devices:
  - { id: 3, name: $P-door, role: door, room: r1, port: sw1/p1,
      mac: "52:54:00:00:00:03" }
  - { id: 4, name: $P-lamp, role: lamp, room: r1, port: sw1/p2,
      mac: "52:54:00:00:00:04" }
  - { id: 5, name: mic, role: microphone, room: r1, port: sw1/p3,
      mac: "52:54:00:00:00:05" }
EOF
	for c in "${@:2}"; do
		n=${c%%:*} rest=${c#*:}
		r=${rest%%:*}
		echo "  - { id: $((100 + i)), name: $n, role: controller," \
		     "room: $r, port: sw${r#r}/c1, mac: \"${rest#*:}\" }" \
			>>"$file"
		i=$((i + 1))
	done
	F topology apply "$file" >/dev/null
}

# fails DESC WANT_MSG ARGS...: exit 1, one line on stderr naming WANT_MSG,
# nothing on stdout.
fails() {
	local desc=$1 want=$2 out err rc
	shift 2
	out=$(F "$@" 2>"$DIR/err"); rc=$?
	err=$(cat "$DIR/err")
	tap_ok "$desc: exit 1, one line '$want'" \
		test "$rc" = 1 -a -z "$out" -a "$(wc -l <"$DIR/err")" = 1 \
		-a "${err#osm-fabric: *"$want"}" != "$err"
	[ "$rc" = 1 ] && [ "${err#*"$want"}" != "$err" ] ||
		echo "#   exit $rc, stderr: $err"
}

CTL=02:00:00:00:0f:01
tap_ok "topology with a controller in r1 applied" \
	topology "$DIR/t1.yaml" ctl:r1:$CTL

# --- the blob equals osm-mkblob's ------------------------------------------
out=$(F device provision $P-door -o "$DIR/door.blob")
tap_is "door: provisioned, one line" "$out" \
	"device $P-door: id 3 role door mac 52:54:00:00:00:03 controller $CTL epoch 1 -> $DIR/door.blob"
tap_is "door: blob is mode 0600" "$(stat -c %a "$DIR/door.blob")" 600
mkblob --id 3 --role door --mac 52:54:00:00:00:03 --ctrl-mac $CTL \
	-o "$DIR/door.mk"
tap_ok "door: blob equals osm-mkblob's (root key, id 3, epoch 1)" \
	cmp -s "$DIR/door.blob" "$DIR/door.mk"
F device provision $P-lamp -o "$DIR/lamp.blob" --epoch 7 \
	--peer-mac 02:00:00:00:0f:02 >/dev/null
mkblob --id 4 --role lamp --mac 52:54:00:00:00:04 --ctrl-mac $CTL \
	--peer-mac 02:00:00:00:0f:02 --epoch 7 -o "$DIR/lamp.mk"
tap_ok "lamp: blob equals osm-mkblob's (epoch 7, peer MAC)" \
	cmp -s "$DIR/lamp.blob" "$DIR/lamp.mk"
json=$(F -j device provision $P-lamp -o "$DIR/lamp.json.blob")
tap_ok "-j: JSON with the device's role and no key" \
	test "$(jq -r .role <<<"$json")" = lamp -a \
	"$(jq -r 'keys | join(",")' <<<"$json")" = \
	"blob,ctrl_epoch,ctrl_mac,device,id,mac,role"

# --- an existing blob -------------------------------------------------------
cp "$DIR/door.blob" "$DIR/door.keep"
fails "existing blob without --force" "exists (--force replaces it)" \
	device provision $P-door -o "$DIR/door.blob" --epoch 2
tap_ok "existing blob left as it was" cmp -s "$DIR/door.blob" "$DIR/door.keep"
F device provision $P-door -o "$DIR/door.blob" --epoch 2 --force >/dev/null
mkblob --id 3 --role door --mac 52:54:00:00:00:03 --ctrl-mac $CTL \
	--epoch 2 -o "$DIR/door2.mk"
tap_ok "--force replaces it (epoch 2, equals osm-mkblob's)" \
	cmp -s "$DIR/door.blob" "$DIR/door2.mk"
tap_is "no temporary file left" "$(ls "$DIR" | grep -c tmp)" 0

# --- errors: one line, exit 1, no file ------------------------------------
nofile() {	# nofile DESC WANT ARGS... (the blob is $DIR/no.blob)
	fails "$@"
	tap_ok "$1: no file written" test ! -e "$DIR/no.blob"
}
nofile "unknown device" "no device 'nobody'" \
	device provision nobody -o "$DIR/no.blob"
tap_ok "a microphone (no firmware: for osm-endpoint join) is provisioned" \
	F device provision mic -o "$DIR/mic.blob"
nofile "a controller" "a controller is not provisioned" \
	device provision ctl -o "$DIR/no.blob"
nofile "no -o" "need DEVICE and -o BLOB" device provision $P-door
nofile "no device" "need DEVICE and -o BLOB" \
	device provision -o "$DIR/no.blob"
nofile "two devices" "need DEVICE and -o BLOB" \
	device provision $P-door $P-lamp -o "$DIR/no.blob"
nofile "bad name" "bad device name 'a/b'" \
	device provision a/b -o "$DIR/no.blob"
nofile "bad epoch" "bad epoch 'x'" \
	device provision $P-door -o "$DIR/no.blob" --epoch x
nofile "epoch over 32 bits" "over 32 bits" \
	device provision $P-door -o "$DIR/no.blob" --epoch 4294967296
nofile "bad controller MAC" "bad MAC address '02:00'" \
	device provision $P-door -o "$DIR/no.blob" --ctrl-mac 02:00
nofile "bad peer MAC" "bad MAC address 'zz'" \
	device provision $P-door -o "$DIR/no.blob" --peer-mac zz
nofile "unknown option" "bad option" \
	device provision $P-door -o "$DIR/no.blob" --colour
nofile "unknown subcommand" "unknown subcommand" device flash $P-door
nofile "directory that does not exist" "cannot write" \
	device provision $P-door -o "$DIR/none/no.blob"
ST=$DIR/nostore nofile "no store" "no store there" \
	device provision $P-door -o "$DIR/no.blob"
tap_ok "no store created by a failed provision" test ! -e "$DIR/nostore"

# --- which controller --------------------------------------------------------
topology "$DIR/t2.yaml"
nofile "a topology without controller" "give --ctrl-mac" \
	device provision $P-door -o "$DIR/no.blob"
F device provision $P-door -o "$DIR/c.blob" --ctrl-mac 02:00:00:00:0f:09 \
	>/dev/null
mkblob --id 3 --role door --mac 52:54:00:00:00:03 \
	--ctrl-mac 02:00:00:00:0f:09 -o "$DIR/c.mk"
tap_ok "--ctrl-mac when the topology has none (equals osm-mkblob's)" \
	cmp -s "$DIR/c.blob" "$DIR/c.mk"
topology "$DIR/t3.yaml" ctl2:r2:02:00:00:00:0f:02
out=$(F device provision $P-door -o "$DIR/c2.blob")
tap_ok "the building's only controller, in another room" \
	grep -q "controller 02:00:00:00:0f:02 " <<<"$out"
topology "$DIR/t4.yaml" ctl2:r2:02:00:00:00:0f:02 ctl:r1:$CTL
out=$(F device provision $P-door -o "$DIR/c3.blob")
tap_ok "the controller of its own room first" \
	grep -q "controller $CTL " <<<"$out"

# --- make firmware DEVICE= from the store ----------------------------------
topology "$DIR/t5.yaml" ctl:r1:$CTL
make -s firmware DEVICE=$P-lamp STORE="$ST" EPOCH=3 >"$DIR/make.out" 2>&1
tap_ok "make firmware DEVICE=$P-lamp STORE=..." test $? = 0
cat "$DIR/make.out" | sed 's/^/# /'
mkblob --id 4 --role lamp --mac 52:54:00:00:00:04 --ctrl-mac $CTL \
	--epoch 3 -o "$DIR/lamp3.mk"
arm-none-eabi-objcopy -O binary --only-section=.provision \
	$DEVS/$P-lamp.elf "$DIR/section"
tap_ok "its .provision section is the store's blob (equals osm-mkblob's)" \
	cmp -s <(head -c 180 "$DIR/section") "$DIR/lamp3.mk"
tap_is "the image is mode 0600 or stricter for group and others" \
	"$(stat -c %a $DEVS/$P-lamp.elf | cut -c2-)" 00
img=$PWD/$DEVS/$P-lamp.elf
(cd "$DIR" && exec qemu-system-arm -M lm3s6965evb -display none \
	-monitor none -nic none -semihosting-config enable=on,target=native \
	-serial file:"$DIR/uart" -kernel "$img" 2>/dev/null) &
QPID=$!
for i in $(seq 50); do
	grep -q '^hello' "$DIR/uart" 2>/dev/null && break
	sleep 0.1
done
kill $QPID; wait $QPID 2>/dev/null; QPID=
tap_ok "the image boots in QEMU as the lamp of the store (id 4, epoch 3)" \
	grep -q "^id=4 mac=52:54:00:00:00:04 .* epoch=3" "$DIR/uart"
sed 's/^/# uart: /' "$DIR/uart" | head -3
make -s firmware DEVICE=nobody STORE="$ST" >"$DIR/make.out" 2>&1
tap_ok "make firmware DEVICE=nobody fails, naming the device" \
	test $? != 0 -a ! -e $DEVS/nobody.elf
grep -q "no device 'nobody'" "$DIR/make.out" || sed 's/^/# /' "$DIR/make.out"

# --- the example of docs/firmware.md -----------------------------------------
ST=$DIR/doc
F topology apply docs/examples/firmware-room.yaml >/dev/null
out=$(F device provision door1 -o "$DIR/door1.blob")
mkblob --id 7 --role door --mac 52:54:00:00:00:07 \
	--ctrl-mac 02:00:00:00:0f:01 -o "$DIR/door1.mk"
tap_ok "docs/examples/firmware-room.yaml: door1's blob is the documented one" \
	cmp -s "$DIR/door1.blob" "$DIR/door1.mk"
tap_is "and the line docs/firmware.md shows" "$out" \
	"device door1: id 7 role door mac 52:54:00:00:00:07 controller 02:00:00:00:0f:01 epoch 1 -> $DIR/door1.blob"
tap_done
