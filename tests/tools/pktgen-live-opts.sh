#!/usr/bin/env bash
# osm-pktgen -m live refuses what it cannot do, with one line naming it and
# exit status 1, before it sends anything (-i lo: nothing can leave).
. tests/lib.sh
set -u
PG=build/osm-pktgen
key=$(printf '%064d' 7)
osm_fixture_init olv
osm_tmpdir dir
kf=$(osm_keyfile "$dir/k" "$key")
err=$dir/err
# where a pcap would be, were one wrongly written (gone at teardown)
pcap=$dir/out.pcap

# refuse DESCRIPTION WORD ARGS...: exit 1, one line on stderr naming WORD.
refuse() {
	local desc=$1 word=$2 rc
	shift 2
	# -n 1 and a timeout: an option wrongly accepted must not run on
	timeout 20 $PG -i lo --secret-file "$kf" -n 1 "$@" >/dev/null 2>"$err"
	rc=$?
	tap_ok "$desc: exit 1, one line naming '$word'" \
		test "$rc" -eq 1 -a "$(wc -l <"$err")" -eq 1 -a \
		-n "$(grep "^osm-pktgen: .*$word" "$err")"
	[ "$rc" -eq 1 ] || echo "#   exit status $rc"
	sed 's/^/#   /' "$err"
}

refuse "hostile kinds" "bad_tag" -m live --mix valid=9,bad_tag=1
refuse "replays" "replay" -m live --mix replay=1
refuse "control frames" "ctrl" -m live -t ctrl
refuse "a pcap" "pcap" -m live -w "$pcap" -n 5
refuse "a rate" "rate" -m live -r 1000
refuse "no circuits" "circuit count '0'" -m live -C 0
refuse "more circuits than a switch holds" "circuit count '131073'" \
	-m live -C 131073
refuse "--spread, fewer circuits than CPUs" "too few" -m live --spread \
	--cpus 0,1 -C 1
refuse "--spread, a CPU twice" "twice" -m live --spread --cpus 0,0 -C 2
refuse "--spread in packet mode" "need -m live" -m packet --spread
refuse "more threads than CPUs" "CPUs here" -m live -T $(($(nproc) + 1))
refuse "zero threads" "threads" -m live -T 0
refuse "a CPU that is not there" "not available" -m live --cpus 1000
refuse "a bad CPU list" "CPU list" -m live --cpus 0-
refuse "a bad CPU list" "CPU list" -m live --cpus 0,x
refuse "threads and cpus" "not both" -m live -T 1 --cpus 0
refuse "batch 0" "batch" -m live --batch 0
refuse "batch 257" "batch" -m live --batch 257
refuse "live options in packet mode" "need -m live" -m packet -T 2
refuse "live options in xdp mode" "need -m live" --cpus 0
refuse "an unknown mode" "mode" -m lively
$PG -h | grep -q "stale" 
tap_ok "--help says live frames carry stale AEAD tags" test $? -eq 0
tap_ok "no pcap was written" test ! -e "$pcap"
tap_done
