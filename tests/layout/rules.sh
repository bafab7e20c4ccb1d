#!/usr/bin/env bash
# The layout's rules, checked on the tree: private headers stay inside
# their part, each protocol rule is written once (include/osm_proto.h),
# and firmware/ and lib/ share only headers.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
set -u

# src FILES...: the C sources and headers of the tree (git's list).
srcs() { git ls-files -- '*.c' '*.h'; }

# only_in PATTERN DIRS...: files including PATTERN outside DIRS.
only_in() {
	local pat=$1 f d ok; shift
	for f in $(srcs | xargs grep -l "#include \"$pat\"" 2>/dev/null); do
		ok=
		for d in "$@"; do
			case $f in "$d"/*) ok=1;; esac
		done
		[ -z "$ok" ] && echo "$f"
	done
}
tap_is "engine_int.h is included only in ctrl/engine/ and its white-box fuzzing" \
	"$(only_in engine_int.h ctrl/engine tests/fuzz)" ""
tap_is "osmdb_int.h is included only in store/ and its white-box tests" \
	"$(only_in osmdb_int.h store tests/store tests/fuzz)" ""
tap_is "no firmware header outside firmware/ and its tests" \
	"$(for h in fw.h circuit.h chachapoly.h; do
		only_in $h firmware tests/firmware tests/fuzz; done)" ""
tap_is "firmware/build.mk compiles only firmware/ sources" \
	"$(sed -n '/^FW_SRCS/,/[^\\]$/p' firmware/build.mk |
		grep -o '[a-z_/]*\.c' | grep -v '^firmware/')" ""
tap_is "lib/ holds no firmware source" "$(ls lib | grep -E '^fw_|^app|^hw')" ""
# Protocol rules by hand outside the protocol headers: the control-circuit
# bit, the data-circuit maximum, a key slot as "& 1", the AEAD's sizes,
# the port tables' size (osm_proto.h names them all).
tap_is "no protocol constant written again outside include/" \
	"$(srcs | grep -v '^include/' | grep -v '^tests/unit/' |
		xargs grep -nE '0x80000000|0x7fffffff|key\[[^]]*& *1\]|FW_AEAD_|max_entries, *256')" ""
# The top level is what README's table of parts says: a row for every
# folder, and a folder for every row.
rows=$(sed -n '/^## How the parts fit/,/^Read first/p' README.md |
	grep -oE '^ [a-z]+/' | tr -d ' /' | sort)
dirs=$(git ls-tree -d --name-only HEAD | grep -vE '^(LICENSES|\.ci)$' | sort)
tap_is "the top-level folders are README's table of parts" \
	"$(echo $dirs)" "$(echo $rows)"
tap_done
