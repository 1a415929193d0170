#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A re-creation of the original prototype's replay method, for comparison only.

This is not the original code (it is not available here); it follows the method the
seeds describe: memory held as 64 MiB bytearrays, each page touched in a Python loop,
shrinking by dropping whole bytearrays, time.sleep() between samples, decimal units read
as binary. Usage: python_replay.py TRACE SPEED BASE_MB -> one JSON line on stdout.
"""
import json
import os
import re
import sys
import time

CHUNK = 64 << 20
PAGE = os.sysconf("SC_PAGE_SIZE")
UNITS = {"B": 1, "kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def load(path):
    samples = []
    for s in json.load(open(path))["samples"]:
        used = s["mem_usage"].split("/")[0].strip()
        m = re.match(r"([0-9.]+)([A-Za-z]+)", used)
        if s["mem_usage"].strip().endswith("0B") and used == "0B":
            continue
        samples.append((s["epoch"], int(float(m.group(1)) * UNITS[m.group(2)])))
    t0 = samples[0][0]
    return [(e - t0, b) for e, b in samples]


def main():
    samples = load(sys.argv[1])
    speed, base = float(sys.argv[2]), int(float(sys.argv[3])) << 20
    chunks, held = [], 0
    grow_s, grown, late, errs = 0.0, 0, [], []
    rss0 = rss()
    start = time.monotonic()
    for t, b in samples:
        due = start + t / speed
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        late.append(max(0.0, time.monotonic() - due))
        target = base + b
        g0 = time.monotonic()
        while held < target:
            n = min(CHUNK, target - held)
            buf = bytearray(n)
            for off in range(0, n, PAGE):
                buf[off] = 1
            chunks.append(buf)
            held += n
            grown += n
        grow_s += time.monotonic() - g0
        while chunks and held - len(chunks[-1]) >= target:
            held -= len(chunks.pop())
        errs.append(abs((rss() - rss0) - target))
    late.sort()
    peak = base + max(b for _, b in samples)
    print(json.dumps({
        "completion_s": time.monotonic() - start,
        "throughput_mib_s": grown / (1 << 20) / grow_s if grow_s else 0,
        "behind_p99_us": late[int(0.99 * (len(late) - 1))] * 1e6,
        "max_abs_error_bytes": max(errs),
        "max_error_pct_of_peak": 100.0 * max(errs) / peak,
    }))


if __name__ == "__main__":
    main()
