#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm_bench.sh [--lab] [--no-swap] [--mem-mb N] --out DIR SCENARIO... [-- BENCH_ARGS...]
#
# `agentcg bench` inside the cgroup v2 VM of tests/vm/run.sh, on shipped scenarios
# (bench/scenarios/NAME.json, given by name or path) or files of one's own (carried in;
# their traces named as from bench/scenarios/: ../../traces/NAME.json). The VM boots
# Debian's 6.12 kernel, or with --lab the lab
# kernel (make kernel-lab: the memcg_bpf_ops RFC, so `bpf` and `bpf+dynamic` can run).
# The VM has 4096 MiB (--mem-mb) so the scenarios run at their own budgets, unscaled, and
# 512 MiB of zram swap (--no-swap: none). BENCH_ARGS go to every bench (--runs 5
# --strategies none,static,high,dynamic,bpf,bpf+dynamic). Each scenario's results (the
# bench's DIR as on the host: summary.md, summary.json, runs/) land in DIR/NAME/, with the
# VM's console log in DIR/console.log. The VM emulates its CPUs (TCG): times inside it are
# slower than the host's, so compare strategies within one VM run (the bench's ratios to
# solo), not against host figures.
#
#   bench/vm_bench.sh --lab --out bench/results/lab pressure burst latency -- --runs 5
#   bench/vm_bench.sh --out /tmp/swap my-scenarios/pressure-swap.json -- --runs 5
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${AGENTCG_BUILD:-$here/build}
lab=0 swap=1 mem=4096 out=
names=() args=() own=()

die() {
	echo "vm_bench: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--lab) lab=1 ;;
	--no-swap) swap=0 ;;
	--mem-mb)
		[ $# -ge 2 ] || die "--mem-mb needs a number"
		mem=$2
		shift
		;;
	--out)
		[ $# -ge 2 ] || die "--out needs a directory"
		out=$2
		shift
		;;
	--)
		shift
		args=("$@")
		break
		;;
	-h | --help)
		sed -n '4,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option '$1' (see --help)" ;;
	*)
		name=$(basename "$1" .json)
		case "$name" in '' | *[!A-Za-z0-9_.-]*) die "scenario '$1': its name may have only letters, digits and _.-" ;; esac
		for n in "${names[@]}"; do
			[ "$n" != "$name" ] || die "scenario '$name' given twice"
		done
		if [ -f "$1" ] && ! cmp -s "$1" "$here/bench/scenarios/$name.json"; then
			# a scenario of one's own: carried into the VM beside the shipped ones (its
			# traces named as from bench/scenarios/: ../../traces/NAME.json)
			[ ! -e "$here/bench/scenarios/$name.json" ] ||
				die "$1: a shipped scenario is called '$name' too; rename the file"
			own+=("$1")
		elif [ ! -r "$here/bench/scenarios/$name.json" ]; then
			die "no scenario '$1' (neither a file nor bench/scenarios/$name.json)"
		fi
		names+=("$name")
		;;
	esac
	shift
done
[ -n "$out" ] || die "--out DIR is required"
[ ${#names[@]} -gt 0 ] || die "no scenario given"
case "$mem" in '' | *[!0-9]*) die "--mem-mb '$mem': expected a number of MiB" ;; esac
for a in "${args[@]}"; do
	case "$a" in *[!A-Za-z0-9_.,+=-]*) die "bench argument '$a': only letters, digits and _.,+=- are passed into the VM" ;; esac
done
[ -x "$build/agentcg" ] || die "$build/agentcg missing (run make)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runner=$work/vm-bench
{
	echo '#!/bin/busybox sh'
	echo 'mkdir -p /tmp/res'
	# carried as base64: no line of the file can end the here-document or run as shell
	for f in "${own[@]}"; do
		echo "base64 -d >/bench/scenarios/$(basename "$f" .json).json <<'VM_BENCH_SCENARIO'"
		base64 "$f"
		echo 'VM_BENCH_SCENARIO'
	done
	for n in "${names[@]}"; do
		echo "/bin/agentcg bench /bench/scenarios/$n.json --out /tmp/res/$n ${args[*]} 2>&1"
		echo "echo \"VM-BENCH $n exit \$?\""
	done
	echo 'echo VM-RESULTS-BEGIN'
	echo 'tar -C /tmp/res -czf - . | base64'
	echo 'echo VM-RESULTS-END'
} >"$runner"
chmod +x "$runner"

env_vm=(AGENTCG_VM_MEM_MB="$mem" AGENTCG_VM_TIMEOUT_S="${AGENTCG_VM_TIMEOUT_S:-5400}")
[ "$swap" = 1 ] || env_vm+=(AGENTCG_VM_SWAP=0)
if [ "$lab" = 1 ]; then
	kernel=$("$here/scripts/kernel-lab.sh" --cached) ||
		die "the lab kernel is not built (make kernel-lab)"
	env_vm+=(AGENTCG_VM_KERNEL="$kernel")
fi
mkdir -p "$out"
echo "vm_bench: ${names[*]} in the VM (${mem} MiB, swap $([ "$swap" = 1 ] && echo 512 MiB zram || echo none), $([ "$lab" = 1 ] && echo lab kernel || echo "Debian's 6.12")), bench ${args[*]}"
log=$build/vm/console.log
rm -f "$log" # an earlier run's log is never taken for this one's
rc=0
env "${env_vm[@]}" "$here/tests/vm/run.sh" "$build" "$runner" >"$work/run.log" 2>&1 || rc=$?
if [ ! -e "$log" ]; then
	cp "$work/run.log" "$out/run.log"
	die "the VM did not start (run.sh exit $rc; see $out/run.log)"
fi
cp "$log" "$out/console.log"
grep -q '^VM-RESULTS-END' "$log" || die "the VM did not finish (run.sh exit $rc; see $out/console.log)"
sed -n '/^VM-RESULTS-BEGIN$/,/^VM-RESULTS-END$/p' "$log" | sed '1d;$d' | base64 -d | tar -xzf - -C "$out"
grep '^VM-BENCH' "$log"
! grep '^VM-BENCH' "$log" | grep -qv ' exit 0$'
