#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-in-vm.sh: the environment the RFC's selftests expect, then the selftests; run inside
# the VM tier's guest by tests/vm/run.sh, which is given this script first and the binary
# second:
#
#   AGENTCG_VM_KERNEL=$(scripts/kernel-lab.sh --cached) \
#     tests/vm/run.sh OUT_DIR kernel/selftests/run-in-vm.sh OUT_DIR/memcg_ops_selftests
#
# run.sh runs every binary it is given, so once this script has run the selftests it
# replaces /tests/memcg_ops_selftests with a script that only says so (run.sh then prints
# "VM-EXIT /tests/memcg_ops_selftests 0" for it).
#
# Environment set up (the RFC's tests assume a test_progs host, e.g. BPF CI's vmtest):
#   /mnt (cgroup_helpers.c mounts its own cgroup2 there), bpffs at /sys/fs/bpf, tracefs at
#   /sys/kernel/tracing (libbpf resolves "tp/CATEGORY/NAME" programs' tracepoint ids there)
#   and debugfs; /tmp on ext2 (a zram device) when the kernel has ext2 (the lab kernel
#   does, for these tests; Debian's has it as a module the VM does not load, so /tmp stays
#   the VM's tmpfs there). SHIM_TEST_TIMEOUT_S (default here 900) bounds each test.
#
# Two passes: 1. every test as it is; 2. the three timing tests of patch 08 again with
# SHIM_EMULATE_MEMCG_TP=1 (shim_env.c: the memcg:count_memcg_events tracepoint, absent on
# 6.12, emulated in user space); 3. pass 2's control (SHIM_EMULATE_CONTROL=1: the trigger
# is never written). The exit status is pass 1's.
bin=/tests/memcg_ops_selftests

mkdir -p /mnt /sys/fs/bpf /sys/kernel/tracing /sys/kernel/debug
grep -q ' /sys/fs/bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf || echo "SELFTESTS: no bpffs"
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
	echo "SELFTESTS: no debugfs (not configured)"
grep -q ' /sys/kernel/tracing ' /proc/mounts || mount -t tracefs tracefs /sys/kernel/tracing ||
	echo "SELFTESTS: no tracefs"

# A disk filesystem for /tmp when the kernel has one (the lab kernel: ext2): ext2 on a second
# zram device, so the tests' files in /tmp are reclaimable page cache as on a test_progs
# host, not shmem.
if grep -qw ext2 /proc/filesystems && [ -e /sys/class/zram-control/hot_add ]; then
	dev=$(cat /sys/class/zram-control/hot_add)
	if echo 384M >"/sys/block/zram$dev/disksize" && mke2fs -q -b 4096 "/dev/zram$dev" >/dev/null &&
		mount -t ext2 "/dev/zram$dev" /tmp; then
		echo "SELFTESTS: /tmp is ext2 on /dev/zram$dev (384M)"
	else
		echo "SELFTESTS: could not put ext2 on /dev/zram$dev; /tmp stays as it is"
	fi
fi

echo "SELFTESTS: kernel $(uname -r); /tmp is $(awk '$2 == "/tmp" { t = $3 } END { print t }' /proc/mounts);" \
	"filesystems: $(awk '{ print $NF }' /proc/filesystems | tr '\n' ' ')"
echo "SELFTESTS: $(grep -E 'MemTotal|MemFree|SwapTotal' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
if [ -d /sys/kernel/tracing/events ]; then
	echo "SELFTESTS: tracefs event categories: $(ls /sys/kernel/tracing/events | tr '\n' ' ')"
	echo "SELFTESTS: memcg:count_memcg_events tracepoint:" \
		"$([ -e /sys/kernel/tracing/events/memcg/count_memcg_events/id ] && echo present || echo absent)"
fi

export SHIM_TEST_TIMEOUT_S="${SHIM_TEST_TIMEOUT_S:-900}"
now() { cut -d' ' -f1 /proc/uptime; }
dmesg_tail() {
	dmesg | grep -iE 'oom|killed|memcg|bpf|BUG|WARNING|Call Trace' | tail -n 40 |
		sed "s/^/SELFTESTS: $1 dmesg: /"
	dmesg -c >/dev/null
}
dmesg -c >/dev/null

# Pass 1: the RFC's tests as they are (only shim_env.c's get_cgroup_id() fallback).
echo "SELFTESTS: pass 1 (as the RFC's tests are)"
start=$(now)
"$bin" -v
rc=$?
echo "SELFTESTS: pass 1 exit $rc, $(awk "BEGIN { print $(now) - $start }") s"
dmesg_tail "pass 1"

# Pass 2: the three timing tests with memcg:count_memcg_events emulated (shim_env.c);
# not the RFC's result, a diagnosis of the struct_ops half on this kernel.
echo "SELFTESTS: pass 2 (SHIM_EMULATE_MEMCG_TP=1: tracepoint emulated from memory.stat)"
start=$(now)
SHIM_EMULATE_MEMCG_TP=1 "$bin" -v memcg_ops_over_high memcg_ops_below_low_over_high \
	memcg_ops_below_min_over_high
rc2=$?
echo "SELFTESTS: pass 2 exit $rc2, $(awk "BEGIN { print $(now) - $start }") s"
dmesg_tail "pass 2"

# Pass 3, the control of pass 2: the same emulation, but the trigger is never written, so
# the RFC's callbacks never act; the tests should fail ("Low priority cgroup not slower").
echo "SELFTESTS: pass 3 (control: SHIM_EMULATE_MEMCG_TP=1 SHIM_EMULATE_CONTROL=1)"
start=$(now)
SHIM_EMULATE_MEMCG_TP=1 SHIM_EMULATE_CONTROL=1 "$bin" -v memcg_ops_over_high \
	memcg_ops_below_low_over_high memcg_ops_below_min_over_high
rc3=$?
echo "SELFTESTS: pass 3 exit $rc3, $(awk "BEGIN { print $(now) - $start }") s"
dmesg_tail "pass 3"

printf '#!/bin/sh\necho "memcg_ops_selftests: already run by run-in-vm.sh"\n' >"$bin"
exit $rc
