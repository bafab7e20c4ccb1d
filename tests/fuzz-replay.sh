#!/usr/bin/env bash
# Replay the committed corpus of every libFuzzer harness of tests/fuzz/
# (one TAP line each): every input runs once under ASan and UBSan, and
# the harness's own checks. (Binaries in build/fuzz/ of harnesses that
# are gone are not the tree's: left alone.)
set -u
n=0 failed=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	h=build/fuzz/$name
	corpus=tests/corpus/$name
	n=$((n + 1))
	count=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ "$count" -eq 0 ]; then
		echo "not ok $n - $name: no corpus in $corpus"
		failed=$((failed + 1))
		continue
	fi
	out=$(find "$corpus" -type f -print0 | xargs -0 "$h" 2>&1)
	rc=$?
	ran=$(grep -c '^Running: ' <<<"$out")
	if [ "$rc" -eq 0 ] && [ "$ran" -eq "$count" ]; then
		echo "ok $n - $name: $count corpus inputs replayed"
	else
		echo "# exit status $rc, $ran of $count inputs ran"
		echo "not ok $n - $name: a corpus input fails"
		echo "$out" | grep -E 'ERROR|SUMMARY|Running' | head -20 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ] && [ "$n" -gt 0 ]
