#!/usr/bin/env bash
# `make install` into a fresh DESTDIR, after `make check` built everything:
# it rebuilds nothing and installs every program and man page, the bash
# completion and the dissector; each program runs from there and says its
# version, each page passes `man --warnings`, the completion completes,
# the dissector decodes the installed osm-pktgen's frames, and `make
# uninstall` removes it all. The documents agree with the programs:
# osm-fabric(8) has a section and every option for each command, each
# other page every option of its program's --help, `make help` names
# every .PHONY target, and README's "Using it" runs installed programs
# and existing commands.
. "$(dirname "$0")/../lib.sh"
set -u
B=${B:-build}
osm_fixture_init oin
osm_tmpdir T
D=$T/root
P=/usr/local
FABRIC=$D$P/sbin/osm-fabric
BINS="osm-endpoint osm-pktgen osm-mkblob"
VERSION=$(sed -n 's/^#define OSM_FABRIC_VERSION\t"\(.*\)"/\1/p' \
	include/osm_version.h)

# make, called from make check's recipe: not with its flags or jobserver.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s --no-print-directory B="$B" "$@"
}

mk install DESTDIR="$D" PREFIX="$P" >"$T/install.out" 2>&1
tap_is "make install rebuilds nothing and says where it installs" \
	"$(cat "$T/install.out")" "  INSTALL $D$P"

# ---- what is installed, and that it works from there ----------------------
tap_ok "osm-fabric is in sbin" test -x "$FABRIC"
tap_ok "osm-gw is in sbin" test -x "$D$P/sbin/osm-gw"
for p in $BINS; do
	tap_ok "$p is in bin" test -x "$D$P/bin/$p"
done
pages=$(cd docs && ls -- *.[1-8])
for page in $pages; do
	tap_ok "man page $page is installed" \
		test -f "$D$P/share/man/man${page##*.}/$page"
done
for p in osm-fabric osm-gw $BINS; do
	tap_ok "$p has a man page" grep -qx "$p\.[18]" <<<"$pages"
done
for f in "$FABRIC" "$D$P/sbin/osm-gw" ${BINS//osm-/$D$P/bin/osm-}; do
	tap_is "installed $(basename "$f") --version, run from /" \
		"$(cd / && "$f" --version 2>&1 |
			sed -E 's/\(protocol [0-9]+\)$/(protocol N)/')" \
		"$(basename "$f") $VERSION (protocol N)"
done
for page in $(find "$D$P/share/man" -type f); do
	tap_is "man --warnings: ${page#"$D"}" \
		"$(man --warnings -l "$page" 2>&1 >/dev/null)" ""
done

# ---- bash completion --------------------------------------------------------
C=$D$P/share/bash-completion/completions/osm-fabric
tap_ok "bash completion is installed and valid bash" bash -n "$C"
# complete WORD...: what the completion offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _osm_fabric
		echo "${COMPREPLY[*]}"' _ "$C" "$@"
}
tap_is "completion: osm-fabric ci<TAB>" \
	"$(complete_words "$FABRIC" ci)" circuit
tap_is "completion: osm-fabric --store S circuit a<TAB>" \
	"$(complete_words "$FABRIC" --store "$T" circuit a)" add
tap_is "completion: osm-fabric circuit key S 1 --re<TAB>" \
	"$(complete_words "$FABRIC" circuit key s 1 --re)" "--replace --remove"

# ---- the dissector ------------------------------------------------------------
lua=$(find "$D" -path '*/wireshark/plugins/osm.lua')
tap_ok "the dissector is in a wireshark/plugins folder" test -f "$lua"
umask 077
key=$(osm_keyfile "$T/secret" "$(printf '%064x' 42)")
pcap3() {
	"$D$P/bin/osm-pktgen" -w "$T/f.pcap" -n 3 --secret-file "$key" \
		--quiet >/dev/null
}
tap_ok "installed osm-pktgen writes a pcap of 3 frames" pcap3
tap_is "installed dissector decodes its 3 frames" \
	"$(tshark -X lua_script:"$lua" -r "$T/f.pcap" -Y osm.hop_tag \
		2>/dev/null | wc -l)" 3

mk uninstall DESTDIR="$D" PREFIX="$P" >/dev/null 2>&1
tap_is "make uninstall leaves no file" "$(find "$D" -type f)" ""

# ---- the documents against the programs -------------------------------------
F=$B/osm-fabric
cmds=$("$F" --help | sed -n 's/^  \([a-z]\{1,\}\) .*/\1/p')
tap_ok "osm-fabric --help lists commands" test -n "$cmds"
man8=docs/osm-fabric.8
missing=
for c in $cmds; do
	grep -qE "^\.SS SUBCOMMAND $c( |\$)" "$man8" || missing+=" $c"
done
tap_is "osm-fabric.8: a .SS section for every command" "$missing" ""
# Every long option a command's --help names is in the page (as \-\-OPT).
missing=
for c in $cmds; do
	for o in $("$F" "$c" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' |
			sort -u); do
		grep -qF -- "${o//-/\\-}" "$man8" || missing+=" $c:$o"
	done
done
tap_is "osm-fabric.8: every option of every command's --help" "$missing" ""
missing=
for p in $BINS osm-gw; do
	page=docs/$p.1
	[ $p = osm-gw ] && page=docs/$p.8
	for o in $("$B/$p" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' |
			sort -u); do
		grep -qF -- "${o//-/\\-}" "$page" || missing+=" $p:$o"
	done
done
tap_is "each program's page names every option of its --help" "$missing" ""

phony=$(sed -n '/^\.PHONY:/,/[^\\]$/p' Makefile | tr -d '\\' |
	sed 's/^\.PHONY://' | tr -s ' \t' '\n' | grep .)
help=$(mk help)
missing=
for t in $phony; do
	grep -qE "^  $t( |\$)" <<<"$help" || missing+=" $t"
done
tap_ok "the Makefile has .PHONY targets" test -n "$phony"
tap_is "make help names every .PHONY target" "$missing" ""

# README's "Using it": the words of its ```sh blocks.
using=$(sed -n '/^## Using it/,/^## /p' README.md |
	sed -n '/^```sh$/,/^```$/p' | grep -v '^```')
tap_ok "README's Using it has code blocks" test -n "$using"
progs=$(grep -oE '[^[:space:]]*osm-[a-z]+' <<<"$using" | sort -u)
tap_is "README's Using it runs only installed programs, by name" \
	"$(grep -vxE "osm-fabric|${BINS// /|}" <<<"$progs")" ""
# Each "osm-fabric [global options] COMMAND": COMMAND exists.
used=$(grep -oE 'osm-fabric( --store [^ ]+| -[-a-z]+)* [a-z]+' <<<"$using" |
	awk '{print $NF}' | sort -u)
missing=
for c in $used; do
	grep -qx "$c" <<<"$cmds" || missing+=" $c"
done
tap_ok "README's Using it runs osm-fabric commands" test -n "$used"
tap_is "README's osm-fabric commands all exist" "$missing" ""
tap_done
