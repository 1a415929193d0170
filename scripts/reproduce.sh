#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# reproduce.sh: regenerate every figure README.md quotes, with README's own commands, into
# bench/results/ (tracked: commit what it writes together with README's new numbers).
# Needs root, a built build/agentcg (make), and about 15 minutes; nothing else should run.
#
#   bench/results/check.txt                      agentcg check
#   bench/results/<scenario>/                    agentcg bench bench/scenarios/<scenario>.json
#   bench/results/pressure-no-warm/              the same for pressure with --no-warm
#   bench/results/pressure/report/               agentcg report bench/results/pressure
#   bench/results/{replay,bpf,reaction,scale}.json  make bench BENCH_OUT=bench/results
#   bench/results/evaluate-tune.txt              agentcg evaluate (the tune split)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "reproduce.sh: run as root (the bench makes cgroups)" >&2; exit 2; }
[ -x build/agentcg ] || { echo "reproduce.sh: build first (make)" >&2; exit 2; }
out=bench/results
mkdir -p "$out"
echo "== agentcg check"
build/agentcg check | tee "$out/check.txt"
for s in pressure burst latency; do
	echo "== agentcg bench bench/scenarios/$s.json --out $out/$s"
	# into a fresh directory first: a failed bench leaves the committed results as they were
	rm -rf "${out:?}/$s.new"
	build/agentcg bench "bench/scenarios/$s.json" --out "$out/$s.new"
	rm -rf "${out:?}/$s"
	mv "$out/$s.new" "$out/$s"
done
# the warm-up's effect: the main scenario again without it
echo "== agentcg bench bench/scenarios/pressure.json --no-warm --out $out/pressure-no-warm"
rm -rf "${out:?}/pressure-no-warm.new"
build/agentcg bench bench/scenarios/pressure.json --no-warm --out "$out/pressure-no-warm.new"
rm -rf "${out:?}/pressure-no-warm"
mv "$out/pressure-no-warm.new" "$out/pressure-no-warm"
echo "== agentcg report $out/pressure"
build/agentcg report "$out/pressure"
echo "== make bench BENCH_OUT=$out"
make --no-print-directory bench BENCH_OUT="$out"
echo "== agentcg evaluate"
build/agentcg evaluate | tee "$out/evaluate-tune.txt"
echo "reproduce: done; figures in $out (date: $(date -u +%F))"
