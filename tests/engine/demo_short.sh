#!/usr/bin/env bash
# `make demo` in its short form: the building demo checks itself (maps
# equal the store after every event, the leaver's frames are dropped, no
# frame of a surviving circuit is lost, the audit chain verifies) and
# exits 1 otherwise. Run twice: it must clean up after itself. During the
# first run, the command line of every process the demo starts (its
# process tree; the machine's other processes are not the demo's) is read
# every 20 ms: none may hold a key (a word of 32 or more hex digits).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
prefixes=
scan=/tmp/oscan$$
cat >$scan.py <<'EOF'
import os, re, sys, time
stop, root = sys.argv[1], sys.argv[2]
hexword = re.compile(rb"(^|=)[0-9a-fA-F]{32,}$")
seen, osm, sweeps, found = 0, 0, 0, set()

def parent(pid):
    try:
        stat = open("/proc/%s/stat" % pid, "rb").read()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2:].split()[1].decode()

def in_demo(pid, ppid):
    while pid not in (None, "0", "1"):
        if pid == root:
            return True
        pid = ppid.get(pid)
    return False

while not os.path.exists(stop):
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    ppid = {p: parent(p) for p in pids}
    for pid in pids:
        if not in_demo(pid, ppid):
            continue
        try:
            args = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
        except OSError:
            continue
        seen += 1
        osm += os.path.basename(args[0]) == b"osm-fabric"
        for i, a in enumerate(args):
            if hexword.search(a):
                name = os.path.basename(args[0]).decode(errors="replace")
                found.add("%s(arg%d)" % (name, i))
    sweeps += 1
    if sweeps == 2:		# the tree has been read whole, twice
        open(stop + ".swept", "w").close()
    time.sleep(0.02)
print(seen, osm, " ".join(sorted(found)) or "-")
EOF
# The scan itself: a hex word in a child of the watched process is found,
# one in a process outside its tree is not.
# Both live until the scan has read the tree twice (however busy the
# machine).
wait_swept='while [ ! -e "$1" ]; do sleep 0.05; done'
sh -c "$wait_swept" sh $scan.stop.swept 0123456789abcdef0123456789abcdef &
out=$!
bash -c "sh -c '$wait_swept' sh $scan.stop.swept \
	key=00112233445566778899aabbccddeeff" &
python3 $scan.py $scan.stop $! >$scan.out & spid=$!
wait $out
touch $scan.stop; wait $spid; wait; rm -f $scan.stop $scan.stop.swept
read -r seen osm found <$scan.out
tap_is "the key scan finds a key in the demo's tree, only there" "$found" \
	"sh(arg5)"
for run in 1 2; do
	tools/building-demo.sh --short >$scan.demo 2>&1 &
	demo=$!
	[ $run = 1 ] && { python3 $scan.py $scan.stop $demo >$scan.out & spid=$!; }
	wait $demo
	rc=$?
	out=$(cat $scan.demo)
	[ $run = 1 ] && { touch $scan.stop; wait $spid; }
	prefixes="$prefixes $(sed -n 's/.*switches: \(oen[0-9]*\)-\*.*/\1/p' <<<"$out")"
	tap_is "demo run $run exits 0" "$rc" 0
	tap_ok "demo run $run: every check held" \
		grep -q '^== demo ok: every check held' <<<"$out"
	[ $rc = 0 ] || sed 's/^/# /' <<<"$out"
done
left=0
for p in $prefixes; do
	left=$((left + $(ip netns list | grep -c "^\(ns-\)\?$p-")))
	left=$((left + $(ls /sys/fs/bpf/osm 2>/dev/null | grep -c "^$p-")))
done
tap_is "no namespace or pinned switch of the demo runs ($prefixes ) left" \
	"$left" 0
read -r seen osm found <$scan.out
tap_is "no key on any command line during the demo ($seen reads)" "$found" -
tap_ok "... and osm-fabric's command lines were among them ($osm)" \
	[ "$osm" -gt 20 ]
rm -f $scan.py $scan.stop $scan.stop.swept $scan.out $scan.demo
tap_done
