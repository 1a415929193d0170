#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh LABEL BIN... : run cmocka test binaries, show their output, and close with one
# line summing them up ("LABEL: N passed, N failed, N skipped"). Exits non-zero when any
# test failed or a binary crashed. Afterwards it removes any test cgroup left behind (only
# ones named agentcg-test-*, which the live tests create; never anything else).
set -u
label=$1
shift
passed=0 failed=0 skipped=0 crashed=0

cleanup_test_cgroups() {
	local d
	for d in /sys/fs/cgroup/memory /sys/fs/cgroup/freezer /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -d "$d" ] || continue
		for c in "$d"/agentcg-test-*; do
			[ -d "$c" ] || continue
			echo "run.sh: removing leftover test cgroup $c" >&2
			find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
	done
}

for bin in "$@"; do
	[ "$bin" = "--" ] && continue
	out=$(mktemp)
	"$bin" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out" | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "run.sh: $bin exited with status $rc" >&2
		crashed=$((crashed + 1))
	fi
	rm -f "$out"
done
[ "$(id -u)" -eq 0 ] && cleanup_test_cgroups
failed=$((failed + crashed))
echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
