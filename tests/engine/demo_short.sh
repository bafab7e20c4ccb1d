#!/usr/bin/env bash
# `make demo` in its short form: the building demo checks itself (maps
# equal the store after every event, the leaver's frames are dropped, no
# frame of a surviving circuit is lost, the audit chain verifies) and
# exits 1 otherwise. Run twice: it must clean up after itself. During the
# first run, every process's command line is read every 20 ms: none may
# hold a key (a word of 32 or more hex digits).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
prefixes=
scan=/tmp/oscan$$
cat >$scan.py <<'EOF'
import os, re, sys, time
stop, hexword = sys.argv[1], re.compile(rb"(^|=)[0-9a-fA-F]{32,}$")
seen, found = 0, set()
while not os.path.exists(stop):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            args = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
        except OSError:
            continue
        seen += 1
        for a in args:
            if hexword.search(a):
                found.add(os.path.basename(args[0]).decode(errors="replace"))
    time.sleep(0.02)
print(seen, " ".join(sorted(found)) or "-")
EOF
for run in 1 2; do
	[ $run = 1 ] && { python3 $scan.py $scan.stop >$scan.out & spid=$!; }
	out=$(tools/building-demo.sh --short 2>&1)
	rc=$?
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
read -r seen found <$scan.out
tap_is "no key on any command line during the demo ($seen reads)" "$found" -
tap_ok "... and the command lines were read" [ "$seen" -gt 1000 ]
rm -f $scan.py $scan.stop $scan.out
tap_done
