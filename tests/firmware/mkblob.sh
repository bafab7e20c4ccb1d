#!/usr/bin/env bash
# osm-mkblob: a good blob is 180 bytes, mode 0600, and what the firmware's
# layout says; each bad argument gets one "osm-mkblob: ..." line, exit 1,
# and no file.
. "$(dirname "$0")/../lib.sh"
set -u
B=${B:-build}
osm_fixture_init ofw
osm_tmpdir T
M=$B/osm-mkblob
umask 077		# key files: the caller's, closed to everyone else
head -c 32 /dev/urandom >"$T/dev.key"
printf '%064x\n' 7 >"$T/hex.key"
head -c 31 /dev/urandom >"$T/short.key"
ok_args=(--id 7 --role lamp --mac 52:54:00:00:00:07 --ctrl-mac 02:00:00:00:0f:01)

tap_ok "good blob written" "$M" "${ok_args[@]}" --device-key-file "$T/dev.key" -o "$T/a.blob"
tap_is "blob is 180 bytes" "$(stat -c %s "$T/a.blob")" 180
tap_is "blob is mode 0600" "$(stat -c %a "$T/a.blob")" 600
tap_is "blob magic, version, role" "$(head -c 6 "$T/a.blob" | od -An -tx1 | tr -d ' ')" 4f534d420105
tap_ok "hex key file and root key derivation" "$M" "${ok_args[@]}" --root-key-file "$T/hex.key" -o "$T/b.blob"

bad() {	# bad DESCRIPTION EXPECTED-MESSAGE ARGS...
	local desc=$1 want=$2; shift 2
	"$M" "$@" -o "$T/bad.blob" 2>"$T/err"
	local rc=$?
	tap_is "$desc: exit 1" "$rc" 1
	tap_ok "$desc: one line '$want'" grep -qx "osm-mkblob: $want.*" "$T/err"
	tap_ok "$desc: no file" test ! -e "$T/bad.blob"
}
bad "bad id" "bad device id" --id 2x --role lamp --mac 52:54:00:00:00:07 --ctrl-mac 02:00:00:00:0f:01 --device-key-file "$T/dev.key"
bad "id too large" "bad device id" --id 1073741824 --role lamp --mac 52:54:00:00:00:07 --ctrl-mac 02:00:00:00:0f:01 --device-key-file "$T/dev.key"
bad "unknown role" "unknown role" --id 7 --role toaster --mac 52:54:00:00:00:07 --ctrl-mac 02:00:00:00:0f:01 --device-key-file "$T/dev.key"
bad "bad MAC" "bad MAC address" --id 7 --role lamp --mac 52:54:00:00:07 --ctrl-mac 02:00:00:00:0f:01 --device-key-file "$T/dev.key"
bad "short key file" "key file" "${ok_args[@]}" --device-key-file "$T/short.key"
bad "two keys" "need one of" "${ok_args[@]}" --device-key-file "$T/dev.key" --root-key-file "$T/dev.key"
bad "no key" "need one of" "${ok_args[@]}"
tap_done
