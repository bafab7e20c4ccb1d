#!/usr/bin/env bash
# Model-check the lock-free replay window (tools/model/window.pml) with
# spin, every configuration (`make model`) or the quick ones (--quick, as
# tests/model/window.sh does): a line for each run, its states, depth,
# time and errors. Broken variants must fail. Exit status 1 if a run ends
# otherwise than it must.
set -u

usage() {
	cat <<'EOF'
usage: tools/model/check.sh [--quick] [--tap] [--keep]
Run spin on tools/model/window.pml in each configuration: an exhaustive
search for assertion violations and invalid end states (pan built with
-DSAFETY -DCOLLAPSE). Sound configurations must end with "errors: 0",
broken ones with the error named.

  --quick     only the configurations tests/model/window.sh runs
  --tap       print TAP (for tests/run) instead of lines
  --keep      keep each run's folder (pan's output, any trail)
  -h, --help  this help
EOF
}

quick=0 tap=0 keep=0
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	--tap)	tap=1 ;;
	--keep)	keep=1 ;;
	-h | --help) usage; exit 0 ;;
	*)	echo "tools/model/check.sh: unknown option '$a' (--help)" >&2
		exit 1 ;;
	esac
done

# pan's hash table and optimisation: the quick runs are short, their
# time mostly gcc's
HASH=-w25 OPT=-O2
[ $quick = 1 ] && HASH=-w22 OPT=-O0
PML=$(cd "$(dirname "$0")" && pwd)/window.pml
for tool in spin gcc; do
	command -v $tool >/dev/null || {
		echo "tools/model/check.sh: $tool not found (make deps installs it)" >&2
		exit 1
	}
done

# The runs: where (q: --quick too), spin's -D flags, what it must end
# with ("ok" or the assertion that must fail), and what it shows.
ONCE='acc[n]==1'
JUST='(acc[n]>0)'
RUNS=(
"q|-DCPUS=1 -DSCEN=1 -DONE_K=4|ok|1 CPU, 4 numbers of 17..49 chosen: the rule's verdicts"
"-|-DCPUS=1 -DSCEN=1|ok|1 CPU, 5 numbers of 17..49 chosen: the rule's verdicts"
"-|-DCPUS=1 -DSCEN=5|ok|1 CPU, empty window, 5 numbers of 1..31: the rule's verdicts"
"q|-DCPUS=2 -DSCEN=1|ok|2 CPUs, the same numbers in order"
"q|-DCPUS=2 -DSCEN=2|ok|2 CPUs, jumps of laps (the slide)"
"q|-DCPUS=2 -DSCEN=3|ok|2 CPUs, far behind, replays, rated"
"q|-DCPUS=2 -DSCEN=4|ok|2 CPUs, one slot's generations"
"q|-DCPUS=2 -DSCEN=5|ok|2 CPUs, empty window"
"q|-DCPUS=2 -DSCEN=6|ok|2 CPUs, 3 numbers each chosen"
"-|-DCPUS=3 -DSCEN=1|ok|3 CPUs, the same numbers in order"
"-|-DCPUS=3 -DSCEN=2|ok|3 CPUs, jumps of laps (the slide)"
"-|-DCPUS=3 -DSCEN=3|ok|3 CPUs, far behind, replays, rated"
"q|-DCPUS=3 -DSCEN=4|ok|3 CPUs, one slot's generations"
"-|-DCPUS=3 -DSCEN=5|ok|3 CPUs, empty window"
"-|-DCPUS=3 -DSCEN=6|ok|3 CPUs, 2 numbers each chosen"
"q|-DCPUS=2 -DSCEN=2 -DTRIES=1 -DLOSSY|ok|2 CPUs, 1 try: losses, no number twice"
"-|-DCPUS=3 -DSCEN=2 -DTRIES=1 -DLOSSY|ok|3 CPUs, 1 try: losses, no number twice"
"q|-DCPUS=2 -DSCEN=4 -DBROKEN=1|$ONCE|broken: slot written before top"
"q|-DCPUS=2 -DSCEN=1 -DBROKEN=2|$ONCE|broken: a plain store, no exchange"
"q|-DCPUS=2 -DSCEN=4 -DBROKEN=3|$ONCE|broken: top read before the slot"
"-|-DCPUS=3 -DSCEN=3 -DWINDOW=8 -DLOSSY|ok|3 CPUs, window past ring - slot bits: losses, no number twice"
"q|-DCPUS=1 -DSCEN=1 -DWINDOW=7|$JUST|broken: window past ring - slot bits, a number lost"
)

# run FLAGS: spin and pan in a folder of their own; sets out (pan's
# output), dir and rc.
run() {
	dir=$(mktemp -d /tmp/osm-model.XXXXXX) || exit 1
	cp "$PML" "$dir/window.pml"
	(
		cd "$dir" &&
		spin $1 -a window.pml >spin.log 2>&1 &&
		gcc $OPT -w -DSAFETY -DNOFAIR -DCOLLAPSE -DMEMLIM=4096 \
			-o pan pan.c >gcc.log 2>&1 &&
		./pan -m10000 $HASH >pan.log 2>&1
	)
	rc=$?
	out=$(cat "$dir/spin.log" "$dir/pan.log" 2>/dev/null)
}

# field PATTERN: the number pan's output has before or after PATTERN.
num() { grep -o "$1" <<<"$out" | grep -o '[0-9.]*' | head -1; }

n=0 bad=0
[ $tap = 1 ] && echo "# spin $(spin -V | grep -o 'Version [0-9.]*')"
for r in "${RUNS[@]}"; do
	IFS='|' read -r where flags must what <<<"$r"
	[ $quick = 1 ] && [ "$where" != q ] && continue
	n=$((n + 1))
	run "$flags"
	states=$(num '[0-9]* states, stored')
	depth=$(num 'depth reached [0-9]*')
	secs=$(num 'elapsed time [0-9.]*')
	errors=$(num 'errors: [0-9]*')
	violated=$(grep -o 'assertion violated .*(at depth' <<<"$out" |
		sed 's/^assertion violated //; s/ (at depth$//' | head -1)
	fig="${states:-?} states, depth ${depth:-?}, ${secs:-?} s, errors: ${errors:-?}"
	why=
	if grep -q 'max search depth too small\|out of memory' <<<"$out"; then
		why="search incomplete"
	elif [ -z "$errors" ]; then
		why="spin or pan failed (status $rc)"
	elif [ "$must" = ok ]; then
		[ "$errors" = 0 ] || why="violated: $violated"
	elif [ "$errors" = 0 ]; then
		why="spin found no error"
	elif [[ $violated != *"$must"* ]]; then
		why="another error: $violated"
	else
		fig="$fig, as it must: $violated"
	fi
	if [ $tap = 1 ]; then
		echo "${why:+not }ok $n - $what ($flags): $fig"
	else
		printf '  %-6s %s: %s\n' MODEL "$what" "$fig"
	fi
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		echo "# $why; in $dir (spin -t -p $flags window.pml replays a trail)"
		grep -h -m3 '^pan\|rror' "$dir/pan.log" "$dir/spin.log" \
			"$dir/gcc.log" 2>/dev/null | sed 's/^/#   /'
	elif [ $keep = 1 ]; then
		echo "# kept: $dir"
	else
		rm -rf "$dir"
	fi
done

if [ $tap = 1 ]; then
	echo "1..$n"
else
	echo "model: $((n - bad)) of $n runs as they must"
fi
[ $bad = 0 ]
