#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh OUT_DIR: build the lab kernel's struct_ops smoke test (memcg_ops_smoke.c) into
# OUT_DIR/memcg_ops_smoke, against the lab kernel's own BTF (scripts/kernel-lab.sh builds
# the kernel first if it is not in its cache yet): vmlinux.h from that BTF, the BPF object
# with clang, its skeleton with bpftool, the test with cc, libbpf and cmocka.
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
kernel=$("$here/../../scripts/kernel-lab.sh" --path)
btf=$(dirname "$kernel")/vmlinux.btf
[ -r "$btf" ] || {
	echo "smoke: $btf missing (the lab kernel's BTF)" >&2
	exit 1
}
mkdir -p "$out"
if ! [ "$out/vmlinux.h" -nt "$btf" ]; then
	bpftool btf dump file "$btf" format c >"$out/vmlinux.h.tmp"
	mv "$out/vmlinux.h.tmp" "$out/vmlinux.h"
fi
clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$out" -Wall -Werror \
	-c "$here/memcg_ops_smoke.bpf.c" -o "$out/memcg_ops_smoke.bpf.o"
bpftool gen skeleton "$out/memcg_ops_smoke.bpf.o" name memcg_ops_smoke_bpf \
	>"$out/memcg_ops_smoke.skel.h"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I"$out" \
	"$here/memcg_ops_smoke.c" -o "$out/memcg_ops_smoke" -lbpf -lelf -lz -lcmocka
echo "smoke: $out/memcg_ops_smoke (against $btf)"
