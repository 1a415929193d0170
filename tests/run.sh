#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh LABEL BIN... : run cmocka test binaries, show their output, and close with one
# line summing them up (tests/summarize.sh). Afterwards it removes any test cgroup left
# behind: only ones named agentcg-test-*, which the live tests create, never anything else,
# and only those whose creating test (the pid in the name) has ended.
set -u
here=$(cd "$(dirname "$0")" && pwd)
label=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
	"$bin" 2>&1 | tee -a "$log"
	echo "VM-EXIT $bin ${PIPESTATUS[0]}" >>"$log"
done

if [ "$(id -u)" -eq 0 ]; then
	# every hierarchy: a container runtime given a test session as its cgroup parent makes
	# its path in each (cpu, pids, devices, name=systemd, ...)
	for d in /sys/fs/cgroup/*/ /sys/fs/cgroup; do
		d=${d%/}
		for c in "$d"/agentcg-test-*; do
			[ -d "$c" ] || continue
			# Names carry the creating test's pid (agentcg-test-<pid>[-x], agentcg-test-x-<pid>):
			# a cgroup whose test is still running belongs to a concurrent run, not to us.
			pid=$(basename "$c" | grep -o '[0-9]\+' | head -n1)
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && continue
			echo "run.sh: removing leftover test cgroup $c" >&2
			find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
	done
fi
"$here/summarize.sh" "$label" "$log"
