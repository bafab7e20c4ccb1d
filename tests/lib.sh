# TAP helpers for shell tests: source this, call tap_ok/tap_is/tap_skip,
# end with tap_done. The runner (tests/run) counts the "ok"/"not ok" lines.
TAP_N=0
TAP_FAILED=0

# tap_ok DESCRIPTION COMMAND...: ok if the command succeeds.
tap_ok() {
	local desc=$1; shift
	TAP_N=$((TAP_N + 1))
	if "$@"; then
		echo "ok $TAP_N - $desc"
	else
		echo "not ok $TAP_N - $desc"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# tap_is DESCRIPTION GOT WANT: ok if the two strings are equal.
tap_is() {
	TAP_N=$((TAP_N + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $TAP_N - $1"
	else
		echo "not ok $TAP_N - $1"
		echo "#   got:  '$2'"
		echo "#   want: '$3'"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $1"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# Mount bpffs where it is missing (ip netns exec remounts /sys).
osm_ensure_bpffs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}
