# TAP helpers for shell tests: source this, call tap_ok/tap_is/tap_skip,
# end with tap_done (the plan, which tests/run checks). The runner counts
# the "ok"/"not ok" lines. Below them, the fixture of the tests that make
# namespaces, veth pairs and switches.
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

# ---- the fixture: namespaces, veth pairs, switches, processes, files -------
# After xdp-tools' lib/testing/test_runner.sh and WireGuard's netns.sh. A
# test calls osm_fixture_init TAG once; whatever it then makes through
# these functions (or names to osm_defer) is undone by osm_cleanup, newest
# first, on exit however the test ends, so that no namespace, pin, process
# or file outlives it:
#
#	osm_fixture_init osw; P=$OSM_P		# P: osw<pid>
#	osm_netns_new s; osm_netns_new e1	# namespaces ${P}s, ${P}e1
#	osm_veth ${P}s ${P}p1 ${P}e1 eth0	# a veth pair between them
#	osm_switch ${P}s ${P}sw			# unloaded and unpinned at exit
#	osm_tmpdir TMP				# /tmp/osw<pid>.XXXXXX
OSM_P=
OSM_UNDO=()	# teardown commands, %q-quoted, run last first
OSM_OWNER=	# the shell that tears down

# osm_fixture_init TAG: OSM_P=TAG<pid>, the prefix of every name this run
# makes (namespaces, interfaces, switches): unique among the tests running.
# Keep TAG short: an interface name has 15 characters at most.
osm_fixture_init() {
	OSM_P=$1$$
	OSM_UNDO=()
	OSM_OWNER=$BASHPID
	# EXIT alone: bash runs it at once on SIGTERM or SIGINT too (the
	# runner's timeout); a TERM trap would wait for the running command.
	trap osm_exit EXIT
}

# osm_listening NETNS: until a packet socket of the circuit EtherType is
# open in NETNS (a receiver started in the background is ready: a frame
# sent once must not be missed); at most 5 s, then a comment and status 1.
osm_listening() {
	local ns=$1
	osm_until 250 eval 'ip netns exec "$ns" grep -q " 88b5 " /proc/net/packet' &&
		return 0
	echo "# $ns: no receiver listening"
	return 1
}

# osm_until TICKS CMD [ARG...]: run CMD every 20 ms until it succeeds, at
# most TICKS times; its status.
osm_until() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

# osm_defer CMD [ARG...]: run CMD at teardown (output and errors dropped:
# what it undoes may be gone already).
osm_defer() {
	local q
	printf -v q '%q ' "$@"
	OSM_UNDO+=("$q")
}

# osm_cleanup [DEPTH]: undo, newest first, what was registered after the
# first DEPTH entries (default: all of it). DEPTH=${#OSM_UNDO[@]} taken
# before a part of a test lets it tear that part down alone. Returns 0.
osm_cleanup() {
	local keep=${1:-0} i
	for ((i = ${#OSM_UNDO[@]} - 1; i >= keep; i--)); do
		# "|| :": under set -e a failing undo would end the teardown
		eval "${OSM_UNDO[i]}" >/dev/null 2>&1 || :
		unset 'OSM_UNDO[i]'
	done
	return 0
}

# The EXIT trap: background jobs left running (receivers of a test that
# failed half way) go first, then everything registered. The exit status
# stays the test's.
osm_exit() {
	local jobs
	# Not in a child: one killed between fork and exec runs the trap too.
	[ "$BASHPID" = "$OSM_OWNER" ] || return 0
	jobs=$(jobs -rp)
	if [ -n "$jobs" ]; then
		kill $jobs 2>/dev/null || :
		wait 2>/dev/null || :
	fi
	osm_cleanup
}

# osm_netns_new NAME: namespace $OSM_P$NAME (also left in OSM_NS), with
# IPv6 off for every interface it will hold: no router solicitations or
# DAD, so every frame a test counts is one it sent. Deleted at teardown;
# an existing one is not taken over.
osm_netns_new() {
	[ -n "$OSM_P" ] || { echo "# osm_netns_new: no osm_fixture_init" >&2; return 1; }
	OSM_NS=$OSM_P$1
	ip netns add "$OSM_NS" || return 1
	osm_defer ip netns del "$OSM_NS"
	ip netns exec "$OSM_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# osm_veth NS1 IF1 NS2 IF2: a veth pair, IF1 in namespace NS1 and IF2 in
# NS2 (full names, as ip -n takes them; NS1 may be NS2), IPv6 off, both
# up. Deleted at teardown, before the namespaces it is in.
osm_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		return 1
	osm_defer ip -n "$1" link del "$2"
	# slashes: an interface name may hold a dot
	ip netns exec "$1" sysctl -qw "net/ipv6/conf/$2/disable_ipv6=1" &&
	ip netns exec "$3" sysctl -qw "net/ipv6/conf/$4/disable_ipv6=1" &&
	ip -n "$1" link set "$2" up &&
	ip -n "$3" link set "$4" up
}

# osm_switch NS SW: switch SW of namespace NS is unloaded (with $F, the
# test's osm-fabric, default build/osm-fabric) and its pins removed at
# teardown. Loading it is the test's to check.
osm_switch() {
	osm_defer rm -rf "/sys/fs/bpf/osm/$2"
	osm_defer "${F:-build/osm-fabric}" unload -n "$1" "$2"
}

# osm_proc PID: background process PID, a job of the test, is killed and
# waited for at teardown (if still a job: its PID is not someone else's).
osm_proc() {
	osm_defer osm_kill "$1"
}
osm_kill() {
	if [[ " $(jobs -rp | tr '\n' ' ') " == *" $1 "* ]]; then
		kill "$1" 2>/dev/null || :
		wait "$1" 2>/dev/null || :
	fi
}

# osm_tmpdir VAR: a new directory /tmp/$OSM_P.XXXXXX in VAR, removed with
# all it holds at teardown.
osm_tmpdir() {
	local d
	d=$(mktemp -d "/tmp/${OSM_P:-osm$$}.XXXXXX") || return 1
	osm_defer rm -rf "$d"
	printf -v "$1" %s "$d"
}

# osm_sweep PREFIX...: delete the namespaces and switch pins named PREFIX
# and a non-digit, then anything (tag<pid>: not those of tag<pid>7): what
# a program the test runs makes, should it be killed before its own
# teardown. For osm_defer.
osm_sweep() {
	local pre name pin
	for pre in "$@"; do
		[ -n "$pre" ] || continue	# not everything
		for name in $(ip netns list | awk '{ print $1 }'); do
			if osm_prefixed "$name" "$pre"; then
				ip netns del "$name" || :
			fi
		done
		for pin in /sys/fs/bpf/osm/"$pre"*; do
			if osm_prefixed "${pin##*/}" "$pre"; then
				rm -rf "$pin"
			fi
		done
	done
	return 0
}
osm_prefixed() {
	[[ $1 == "$2"* && ${1#"$2"} != [0-9]* ]]
}

# osm_keyfile PREFIX HEX: the key in a new file PREFIX.key.XXXXXX (mode
# 0600), its path on stdout. Keys never go on a command line, where any
# user can read them (printf is a builtin: no process shows HEX).
osm_keyfile() {
	local f
	f=$(mktemp "$1.key.XXXXXX") && printf '%s\n' "$2" >"$f" && echo "$f"
}

# osm_gw_ask SOCKET REQUEST: one request line to an osm-gw control socket
# (osm-gw(8)), its reply line on stdout.
osm_gw_ask() {
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((sys.argv[2] + '\\n').encode()); print(s.makefile().readline().strip())" \
		"$1" "$2"
}
