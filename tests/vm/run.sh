#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh BUILD_DIR TEST_BIN... : the cgroup v2 tier. Boots Debian's 6.12 kernel (unpacked
# by scripts/setup.sh) under qemu (TCG: no KVM needed) with a busybox initramfs that
# carries agentcg, the live test binaries and their shared libraries, mounts cgroup2
# with the memory controller, adds a zram swap device (so anonymous memory can be
# reclaimed, as on real hosts; AGENTCG_VM_SWAP=0: none, the common production case), runs
# the tests and powers off. The console log is kept in
# BUILD_DIR/vm/console.log; the closing line sums the tests like tests/run.sh does.
#
# AGENTCG_VM_MEM_MB (default 1024) and AGENTCG_VM_TIMEOUT_S (default 1200) size the VM and
# bound its run. A TEST_BIN may be a script (#! line): it is copied without libraries.
#
# AGENTCG_VM_KERNEL=path/to/bzImage boots that kernel instead, e.g. the lab kernel
# (AGENTCG_VM_KERNEL=$(scripts/kernel-lab.sh --path)): its drivers (zram) are built in, so
# no modules are loaded, and bpftool comes along to show what the kernel's BTF has of
# struct memcg_bpf_ops.
set -euo pipefail

build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
vm_dir=${AGENTCG_VM_DIR:-/var/cache/agentcg/vm}
out=$build/vm
root=$out/initramfs

die() {
	echo "vm: $*" >&2
	exit 1
}

if [ -n "${AGENTCG_VM_KERNEL:-}" ]; then
	kernel=$AGENTCG_VM_KERNEL
	[ -r "$kernel" ] || die "AGENTCG_VM_KERNEL=$kernel: no such readable kernel image"
	kver="$(basename "$kernel") from $(dirname "$kernel")"
	moddir=
else
	kernel=$(ls "$vm_dir"/boot/vmlinuz-6.12* 2>/dev/null | sort -V | tail -n1 || true)
	[ -n "$kernel" ] || die "no Debian 6.12 kernel in $vm_dir/boot (run scripts/setup.sh)"
	kver=${kernel##*/vmlinuz-}
	moddir=$vm_dir/lib/modules/$kver/kernel
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run scripts/setup.sh)"
[ -x /bin/busybox ] || die "/bin/busybox missing (package busybox-static; run scripts/setup.sh)"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules,tests}
cp /bin/busybox "$root/bin/busybox"

# Binaries and every shared library they load (with the loader) at the same paths.
copy_with_libs() {
	local bin=$1 dest=$2 lib
	cp "$bin" "$root/$dest"
	# a script (bench/vm_bench.sh's runner) has no libraries of its own
	[ "$(head -c2 "$bin")" != '#!' ] || return 0
	for lib in $(ldd "$bin" | grep -oE '/[^ ]+' | sort -u); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_with_libs "$build/agentcg" bin/agentcg
if [ -n "${AGENTCG_VM_KERNEL:-}" ]; then
	command -v bpftool >/dev/null || die "bpftool missing (run scripts/setup.sh)"
	copy_with_libs "$(command -v bpftool)" bin/bpftool
fi
tests=()
for t in "$@"; do
	copy_with_libs "$t" "tests/$(basename "$t")"
	tests+=("/tests/$(basename "$t")")
done

# The service unit and its config, for the daemon's service test.
mkdir -p "$root/dist"
cp "$here/../../dist/"* "$root/dist/"

# The shipped scenarios, at the same place relative to the traces (bench/vm_bench.sh).
mkdir -p "$root/bench/scenarios"
cp "$here/../../bench/scenarios/"*.json "$root/bench/scenarios/"

# The shared real traces, for the replay tests.
traces=${AGENTCG_TRACES:-$here/../../traces}
if [ -d "$traces" ]; then
	mkdir -p "$root/traces"
	cp "$traces"/*.json "$root/traces/"
	[ -f "$traces/heldout.txt" ] && cp "$traces/heldout.txt" "$root/traces/"
fi

# zram and its dependencies, decompressed (busybox insmod takes plain .ko), in load order.
declare -A loaded=()
load_order=()
add_module() {
	local name=$1 path dep
	[ -n "${loaded[$name]:-}" ] && return
	path=$(find "$moddir" -name "$name.ko.xz" -o -name "${name//_/-}.ko.xz" | head -n1)
	[ -n "$path" ] || die "module $name not found under $moddir"
	loaded[$name]=1
	for dep in $(xz -dc "$path" | strings | sed -n 's/^depends=//p' | tr ',' ' '); do
		add_module "$dep"
	done
	xz -dc "$path" >"$root/lib/modules/$name.ko"
	load_order+=("$name")
}
[ -z "$moddir" ] || add_module zram

# The users a host has (run --user nobody, tests that become nobody): root and nobody.
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t cgroup2 -o memory_recursiveprot cgroup2 /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
for m in ${load_order[*]}; do insmod /lib/modules/\$m.ko || echo "VM: insmod \$m failed"; done
if [ -e /sys/block/zram0/disksize ] && [ "${AGENTCG_VM_SWAP:-1}" != 0 ]; then
	echo 512M > /sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
fi
echo "VM: kernel \$(uname -r), swap \$(grep SwapTotal /proc/meminfo)"
if [ -x /bin/bpftool ]; then
	/bin/bpftool btf dump file /sys/kernel/btf/vmlinux >/tmp/btf.txt
	echo "VM: BTF lines naming memcg_bpf_ops: \$(grep -c memcg_bpf_ops /tmp/btf.txt)"
	grep memcg_bpf_ops /tmp/btf.txt | head -n 5 | sed 's/^/VM: BTF /'
	/bin/bpftool btf dump file /sys/kernel/btf/vmlinux format c |
		sed -n '/^struct memcg_bpf_ops {/,/^};/p' | sed 's/^/VM: BTF /'
	rm -f /tmp/btf.txt
fi
/bin/agentcg check
export AGENTCG_EXPECT_MEMCG=2 AGENTCG_EXPECT_MODE=unified AGENTCG_TRACES=/traces AGENTCG_BIN=/bin/agentcg AGENTCG_DIST=/dist
${AGENTCG_TEST_FILTER:+export AGENTCG_TEST_FILTER='$AGENTCG_TEST_FILTER'}
${AGENTCG_TEST_SKIP:+export AGENTCG_TEST_SKIP='$AGENTCG_TEST_SKIP'}
${AGENTCG_SOAK_SECONDS:+export AGENTCG_SOAK_SECONDS='$AGENTCG_SOAK_SECONDS'}
for t in ${tests[*]}; do
	\$t
	echo "VM-EXIT \$t \$?"
done
echo "VM-DONE"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"

log=$out/console.log
echo "vm: booting $kver under qemu (TCG), log in $log"
# Two vCPUs on one host thread (thread=single): with multi-threaded TCG, the guest's
# live patching of its own text (int3-based, as when a tracepoint the BPF signals use is
# switched on while another vCPU takes page faults) once oopsed the guest kernel in
# exc_page_fault ("Oops: int3"); one TCG thread serializes the vCPUs.
timeout "${AGENTCG_VM_TIMEOUT_S:-1200}" qemu-system-x86_64 -nographic -no-reboot -nodefaults \
	-serial stdio -accel tcg,thread=single -m "${AGENTCG_VM_MEM_MB:-1024}" -smp 2 \
	-kernel "$kernel" -initrd "$out/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1 psi=1" </dev/null | tr -d '\r' | tee "$log" ||
	die "qemu failed or timed out (see $log)"

grep -q '^VM-DONE' "$log" || die "the VM did not finish its tests (see $log)"
exec "$here/../summarize.sh" "vm-cgroup-v2${AGENTCG_VM_KERNEL:+-lab}${AGENTCG_VM_SWAP:+-swap$AGENTCG_VM_SWAP}" "$log"
