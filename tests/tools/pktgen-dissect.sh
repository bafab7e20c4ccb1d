#!/usr/bin/env bash
# osm-pktgen writes pcaps whose frames open exactly as it says they must
# (checked by an endpoint built on libosm), and tools/osm.lua decodes every
# field of them as libosm does; option errors are one line and exit 1.
. tests/lib.sh
set -u
PG=build/osm-pktgen
CHECK=build/tests/tools/pcap-check
osm_fixture_init opg
osm_tmpdir dir
secret=$(printf '5a%.0s' $(seq 32))
sf=$(osm_keyfile "$dir/k" "$secret")	# keys never on a command line
mix=valid=60,bad_tag=7,replay=7,unknown=7,truncated=7,random=7,stale_epoch=5
FIELDS="osm.version osm.type osm.flags osm.length osm.circuit osm.seq
	osm.epoch osm.aead_tag osm.hop_tag osm.payload osm.msg.type
	osm.msg.device_id osm.msg.role osm.msg.event osm.msg.badge
	osm.msg.ack_seq osm.msg.status osm.msg.circuit osm.msg.op"

tshark_fields() {
	local args=() f
	for f in $FIELDS; do args+=(-e "$f"); done
	tshark -X lua_script:tools/osm.lua -r "$1" -Y osm.hop_tag -T fields \
		-E separator=, "${args[@]}" 2>/dev/null
}

# 1. Data frames, every kind, several circuits.
$PG -w "$dir/data.pcap" -n 700 -C 5 -c 40 -e 3 --seq 77 -s 120 \
	--secret-file "$sf" --mix "$mix" -j >"$dir/data.json"
tap_is "pktgen wrote 700 frames" "$(jq .frames "$dir/data.json")" 700
want=$(jq -r '.expect | to_entries[] | "\(.key) \(.value)"' "$dir/data.json" |
	sort)
got=$($CHECK "$dir/data.pcap" "$sf" 40 5 3 | sort)
tap_is "an endpoint opens the frames with the verdicts pktgen intended" \
	"$got" "$want"
tap_is "every kind of frame is in the mix" \
	"$(jq '[.kinds[]] | all(. > 0)' "$dir/data.json")" true
$CHECK "$dir/data.pcap" >"$dir/data.ref"
tshark_fields "$dir/data.pcap" >"$dir/data.ts"
tap_ok "dissector decoded the data frames" test -s "$dir/data.ts"
tap_is "dissector fields equal libosm's, data frames" \
	"$(diff "$dir/data.ref" "$dir/data.ts" | head -5)" ""
short=$(tshark -X lua_script:tools/osm.lua -r "$dir/data.pcap" \
	-Y 'osm.short || osm.len' 2>/dev/null | wc -l)
tap_ok "dissector flags truncated frames ($short)" test "$short" -gt 0

# 2. Control frames with the message in clear (test mode, pcap only).
$PG -w "$dir/ctrl.pcap" -n 40 -c 9 --seq 1 --type ctrl --plaintext-ctrl \
	--secret-file "$sf" --mix valid=3,bad_tag=1 --quiet >/dev/null
$CHECK "$dir/ctrl.pcap" >"$dir/ctrl.ref"
tshark_fields "$dir/ctrl.pcap" >"$dir/ctrl.ts"
tap_is "dissector fields equal libosm's, control messages" \
	"$(diff "$dir/ctrl.ref" "$dir/ctrl.ts" | head -5)" ""
tap_is "all four control message types decoded" \
	"$(cut -d, -f11 "$dir/ctrl.ts" | sort -u | tr '\n' ' ')" "1 2 3 4 "
tap_is "clear payloads are flagged 0x80" \
	"$(cut -d, -f3 "$dir/ctrl.ts" | sort -u)" "0x80"

# 3. Option errors: one line on stderr, status 1.
bad() {
	local out rc
	out=$($PG "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		[[ $out == osm-pktgen:* ]]
}
tap_ok "no keys" bad -w "$dir/x.pcap" -n 1
tap_ok "short secret" bad -w "$dir/x.pcap" -n 1 \
	--secret-file "$(osm_keyfile "$dir/k" 00)"
tap_ok "a secret on the command line" bad -w "$dir/x.pcap" -n 1 \
	--secret "$secret"
tap_ok "bad mix" bad -w "$dir/x.pcap" -n 1 --secret-file "$sf" --mix evil=1
tap_ok "size too small" bad -w "$dir/x.pcap" -n 1 --secret-file "$sf" -s 20
tap_ok "unknown option" bad --frobnicate
tap_ok "no such interface" bad -i opgnone$$ -n 1 --secret-file "$sf"
tap_ok "pcap only without count" bad -w "$dir/x.pcap" --secret-file "$sf"
tap_ok "plaintext-ctrl on data" bad -w "$dir/x.pcap" -n 1 \
	--secret-file "$sf" --plaintext-ctrl
tap_done
