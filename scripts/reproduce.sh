#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# reproduce.sh: regenerate every figure README.md quotes, with README's own commands, into
# bench/results/ (tracked: commit what it writes together with README's new numbers).
# Needs root, a built build/agentcg (make), and about 35 minutes; nothing else should run.
#
#   bench/results/check.txt                      agentcg check
#   bench/results/<scenario>/                    agentcg bench bench/scenarios/<scenario>.json
#   bench/results/pressure-no-warm/              the same for pressure with --no-warm
#   bench/results/pressure/report/               agentcg report bench/results/pressure
#   bench/results/{replay,bpf,reaction,scale}.json  make bench BENCH_OUT=bench/results
#   bench/results/evaluate-tune.txt              agentcg evaluate (the tune split)
#   bench/results/real/                          agentcg bench bench/scenarios/real.json
#   bench/results/real-replayed-scenario/        bench/real_vs_replay.py scenario (real's
#                                                solo runs as traces)
#   bench/results/real-replayed/                 agentcg bench of that scenario; then
#                                                real_vs_replay.py compare prints the table
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "reproduce.sh: run as root (the bench makes cgroups)" >&2; exit 2; }
[ -x build/agentcg ] || { echo "reproduce.sh: build first (make)" >&2; exit 2; }
out=bench/results
mkdir -p "$out"
echo "== agentcg check"
build/agentcg check | tee "$out/check.txt"
for s in pressure burst latency real; do
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
# the real-software scenario against replays of its own sessions' solo memory curves
echo "== bench/real_vs_replay.py"
rm -rf "${out:?}/real-replayed-scenario" "${out:?}/real-replayed.new"
python3 bench/real_vs_replay.py scenario "$out/real" "$out/real-replayed-scenario"
build/agentcg bench "$out/real-replayed-scenario/replay.json" --out "$out/real-replayed.new"
rm -rf "${out:?}/real-replayed"
mv "$out/real-replayed.new" "$out/real-replayed"
python3 bench/real_vs_replay.py compare "$out/real" "$out/real-replayed"
echo "reproduce: done; figures in $out (date: $(date -u +%F))"
