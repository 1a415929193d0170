#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# summarize.sh LABEL LOG : sum the cmocka summaries in LOG into one closing line,
# "LABEL: N passed, N failed, N skipped", counting a binary that exited non-zero without
# reporting failures (a crash) as one failure. The exit lines are "VM-EXIT <bin> <status>"
# (written by the VM's init and by tests/run.sh). Exit status 1 when anything failed.
# With ACG_TEST_TALLY set, the line is also appended to that file; then
# "summarize.sh --total LABEL" sums that file's lines into one closing line.
set -u
if [ "$1" = "--total" ]; then
	awk -v label="$2" '{p += $2; f += $4; s += $6}
		END {printf "%s: %d passed, %d failed, %d skipped\n", label, p, f, s; exit (f > 0)}' \
		"$ACG_TEST_TALLY"
	exit
fi
label=$1 log=$2
sum() { sed -n "s/^\[  $1 *\] \([0-9]*\) test.*/\1/p" "$log" | awk '{s+=$1} END {print s+0}'; }
passed=$(sum PASSED)
failed=$(sum FAILED)
skipped=$(sum SKIPPED)
# a binary that died without its summary: count it as a failure
crashed=$(awk '/^\[  FAILED  \]/ {f=1} /^VM-EXIT/ {if ($3 != 0 && !f) c++; f=0} END {print c+0}' "$log")
failed=$((failed + crashed))
line="$label: $passed passed, $failed failed, $skipped skipped"
echo "$line"
[ -n "${ACG_TEST_TALLY:-}" ] && echo "$line" >>"$ACG_TEST_TALLY"
[ "$failed" -eq 0 ]
