#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh OUT_DIR: build the memcg_bpf_ops RFC's own BPF selftests (RFC v7 patches 08, 09
# and 10, as the lab kernel's tree has them: tools/testing/selftests/bpf/prog_tests/ and
# progs/, compiled UNCHANGED) into OUT_DIR/memcg_ops_selftests, a standalone binary
# without test_progs: test_progs_shim.c here provides what the tests need of test_progs.c
# (README.md says what). Against the lab kernel (scripts/kernel-lab.sh --cached: builds
# nothing, the lab kernel must be built already):
#   1. the tree's libbpf (tools/lib/bpf, with the RFC's bpf_map__attach_struct_ops_opts()),
#      built static into OUT_DIR/libbpf, headers installed in OUT_DIR/libbpf-inst;
#   2. vmlinux.h from the lab kernel's BTF, plus vmlinux_compat.h where the BTF lacks a
#      type the RFC's programs use (6.12 has no memcg:count_memcg_events tracepoint);
#   3. the tree's bpftool (bootstrap), then each progs/*.c with clang -target bpf (the
#      selftests Makefile's flags), and its skeleton with that bpftool's gen skeleton;
#   4. prog_tests/*.c + cgroup_helpers.c + the shim (test_progs_shim.c, shim_env.c),
#      linked static with the libbpf above.
# A test file whose BPF program does not compile on this kernel (10, memcg_async_reclaim:
# kfuncs the lab kernel lacks) is left out and said so; its compiler errors are kept in
# OUT_DIR/<name>.bpf.log. Environment: CC (default cc), CLANG (default clang), BPFTOOL
# (default: the tree's, built into OUT_DIR/bpftool).
set -euo pipefail

out=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
kernel=$("$here/../../scripts/kernel-lab.sh" --cached) || {
	echo "selftests: the lab kernel is not built (make kernel-lab first)" >&2
	exit 1
}
klab=$(dirname "$kernel")
src=$klab/src
btf=$klab/vmlinux.btf
st=$src/tools/testing/selftests/bpf
CC=${CC:-cc}
CLANG=${CLANG:-clang}
[ -r "$btf" ] || {
	echo "selftests: $btf missing (the lab kernel's BTF)" >&2
	exit 1
}
[ -r "$st/prog_tests/memcg_ops.c" ] || {
	echo "selftests: $st/prog_tests/memcg_ops.c missing (RFC patch 08 not in the tree?)" >&2
	exit 1
}

# 1. The lab tree's libbpf, static (Debian's libbpf 1.1 lacks
#    bpf_map__attach_struct_ops_opts(), RFC patch 04).
mkdir -p "$out/libbpf"
make -s -C "$src/tools/lib/bpf" OUTPUT="$out/libbpf/" DESTDIR="$out/libbpf-inst" prefix= \
	BUILD_STATIC_ONLY=1 EXTRA_CFLAGS='-g -O2' -j"$(nproc)" install >"$out/libbpf.log" 2>&1 || {
	cat "$out/libbpf.log" >&2
	exit 1
}
libbpf_a=$(ls "$out"/libbpf-inst/lib*/libbpf.a | head -n1)
inc=$out/libbpf-inst/include

# ... and its bpftool (bootstrap build: gen object/skeleton only). Debian's bpftool 7.1
# (libbpf 1.1) skips ".struct_ops.link" sections, so its skeletons have no struct_ops maps.
if [ -z "${BPFTOOL:-}" ]; then
	mkdir -p "$out/bpftool"
	make -s -C "$src/tools/bpf/bpftool" OUTPUT="$out/bpftool/" -j"$(nproc)" bootstrap \
		>"$out/bpftool.log" 2>&1 || {
		cat "$out/bpftool.log" >&2
		exit 1
	}
	BPFTOOL=$out/bpftool/bootstrap/bpftool
fi

# 2. vmlinux.h: the lab kernel's, plus the compat types its BTF lacks.
mkdir -p "$out/bpf-include"
bpftool btf dump file "$btf" format c >"$out/bpf-include/vmlinux-lab.h"
{
	echo '#include "vmlinux-lab.h"'
	if ! grep -q '^struct trace_event_raw_memcg_rstat_events {' "$out/bpf-include/vmlinux-lab.h"; then
		echo '/* kernel/selftests/vmlinux_compat.h: not in the lab kernel BTF */'
		cat "$here/vmlinux_compat.h"
	fi
} >"$out/bpf-include/vmlinux.h"

# 3. BPF objects and skeletons (flags of the selftests Makefile's BPF_CFLAGS/CLANG_CFLAGS).
sys_includes=$($CLANG -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
bpf_cflags=(-g -O2 -Wall -Werror -D__TARGET_ARCH_x86 -mlittle-endian --target=bpf -mcpu=v3
	-I"$out/bpf-include" -I"$inc" -I"$st" -I"$src/tools/include/uapi"
	-Wno-compare-distinct-pointer-types)
# shellcheck disable=SC2206 # one -idirafter DIR pair per word
bpf_cflags+=($sys_includes)
tests=(memcg_ops memcg_async_reclaim)
built=()
for t in "${tests[@]}"; do
	[ -r "$st/progs/$t.c" ] || continue
	# shellcheck disable=SC2086
	if $CLANG "${bpf_cflags[@]}" -c "$st/progs/$t.c" -o "$out/$t.bpf.o" >"$out/$t.bpf.log" 2>&1; then
		"$BPFTOOL" gen object "$out/$t.linked.o" "$out/$t.bpf.o"
		"$BPFTOOL" gen skeleton "$out/$t.linked.o" name "$t" >"$out/$t.skel.h"
		built+=("$t")
	else
		echo "selftests: progs/$t.c does not compile against the lab kernel; left out:" >&2
		grep -E 'error:' "$out/$t.bpf.log" | sed 's/^/selftests:   /' >&2 || true
	fi
done
[[ " ${built[*]} " == *" memcg_ops "* ]] || {
	echo "selftests: progs/memcg_ops.c did not compile (see $out/memcg_ops.bpf.log)" >&2
	exit 1
}

# 4. The tests (unchanged), the tree's cgroup_helpers.c, the shim; tests.h lists the
#    test_*() functions of the test files built.
srcs=()
: >"$out/tests.h.tmp"
for t in "${built[@]}"; do
	srcs+=("$st/prog_tests/$t.c")
	sed -n 's/^void test_\([a-z0-9_]*\)(void)$/DEFINE_TEST(\1)/p' "$st/prog_tests/$t.c" \
		>>"$out/tests.h.tmp"
done
mv "$out/tests.h.tmp" "$out/tests.h"
cflags=(-g -O2 -Wall -fno-omit-frame-pointer
	-I"$out" -I"$st" -I"$inc" -I"$src/tools/include" -I"$src/tools/arch/x86/include"
	-I"$src/tools/include/uapi")
objs=()
for f in "${srcs[@]}" "$st/cgroup_helpers.c" "$here/test_progs_shim.c" "$here/shim_env.c"; do
	o=$out/obj-$(basename "$f" .c).o
	$CC "${cflags[@]}" -c "$f" -o "$o"
	objs+=("$o")
done
# shim_env.c's stand-ins (README.md): get_cgroup_id() without CONFIG_FHANDLE, and the
# opt-in emulation of the memcg:count_memcg_events tracepoint 6.12 lacks.
wraps=-Wl,--wrap=get_cgroup_id,--wrap=bpf_program__attach,--wrap=bpf_link__destroy
wraps+=,--wrap=bpf_object__find_program_by_name
if ! $CC -static -o "$out/memcg_ops_selftests" "${objs[@]}" $wraps "$libbpf_a" -lelf -lz -lpthread \
	2>"$out/link.log"; then
	echo "selftests: static link failed ($(head -n1 "$out/link.log")); linking dynamically" >&2
	$CC -o "$out/memcg_ops_selftests" "${objs[@]}" $wraps "$libbpf_a" -lelf -lz -lpthread
fi
echo "selftests: $out/memcg_ops_selftests (tests: $(sed 's/DEFINE_TEST(\(.*\))/\1/' "$out/tests.h" |
	tr '\n' ' '); against $btf)"
