#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-lab.sh [--path|--cached]: build the lab kernel, Debian's linux-source-6.12 with the
# memcg_bpf_ops RFC (v7) ported to it, for the VM tier (tests/vm/run.sh with
# AGENTCG_VM_KERNEL). Installs nothing (scripts/setup.sh does).
#
#   1. The RFC patches listed in kernel/series-v7 are applied as they are (they apply to
#      6.12), then the project's own kernel/port-v7-6.12.patch: the rest of the RFC,
#      adapted to 6.12 (kernel/PORT.md says what changed and why).
#   2. `make tinyconfig`, kernel/lab.config merged over it (scripts/kconfig/merge_config.sh),
#      olddefconfig; every line of the fragment must survive.
#   3. bzImage, built at the lowest CPU priority (other work shares the machine).
#
# Everything lands in $AGENTCG_KLAB_DIR/<key>/ (default /var/cache/agentcg/kernel-lab),
# key = hash of the source package's version, the RFC patches applied, the port patch and
# the config fragment: bzImage, config, vmlinux.btf (raw BTF, for bpftool), build.log,
# build-seconds, and the tree itself (src/, obj/) for building against it. A second run with
# nothing changed builds nothing and prints where the kernel is. --path prints only the
# bzImage's path (building it first if needed), for AGENTCG_VM_KERNEL=$(...); --cached
# prints it only if it is built already, else exits 3 (building nothing).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
klab=${AGENTCG_KLAB_DIR:-/var/cache/agentcg/kernel-lab}
tarball=${AGENTCG_KLAB_SRC:-/usr/src/linux-source-6.12.tar.xz}
rfc=${AGENTCG_RFC_DIR:-$here/kernel/rfc/memcg_bpf_ops-v7}
jobs=${AGENTCG_KLAB_JOBS:-2}
series=$here/kernel/series-v7
port=$here/kernel/port-v7-6.12.patch
fragment=$here/kernel/lab.config
# Bump when the recipe below changes what it produces.
recipe=1

path_only=0 cached_only=0
case "${1:-}" in
--path) path_only=1 ;;
--cached) path_only=1 cached_only=1 ;;
"") ;;
*)
	echo "kernel-lab: unknown argument '$1' (usage: kernel-lab.sh [--path|--cached])" >&2
	exit 2
	;;
esac

die() {
	echo "kernel-lab: $*" >&2
	exit 1
}
say() {
	[ "$path_only" = 1 ] || echo "kernel-lab: $*"
}

# Inputs.
[ -r "$tarball" ] || die "$tarball missing (package linux-source-6.12; run scripts/setup.sh)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	die "package linux-source-6.12 not installed (run scripts/setup.sh)"
for t in make gcc flex bison bc pahole patch xz perl; do
	command -v "$t" >/dev/null || die "$t missing (run scripts/setup.sh)"
done
[ -d "$rfc" ] || die "RFC patches not found in $rfc (set AGENTCG_RFC_DIR)"
for f in "$series" "$port" "$fragment"; do
	[ -r "$f" ] || die "$f missing"
done
patches=()
while read -r name; do
	case "$name" in '' | '#'*) continue ;; esac
	[ -r "$rfc/$name" ] || die "$series names $name, not found in $rfc"
	patches+=("$rfc/$name")
done <"$series"

key=$({
	echo "recipe $recipe"
	echo "linux-source-6.12 $srcver"
	for p in "${patches[@]}"; do
		echo "rfc $(basename "$p") $(sha256sum <"$p" | cut -d' ' -f1)"
	done
	echo "port $(sha256sum <"$port" | cut -d' ' -f1)"
	echo "config $(sha256sum <"$fragment" | cut -d' ' -f1)"
} | sha256sum | cut -c1-16)
dir=$klab/$key

if [ -e "$dir/.complete" ]; then
	if [ "$path_only" = 1 ]; then
		echo "$dir/bzImage"
	else
		say "up to date: $dir/bzImage (key $key, built in $(cat "$dir/build-seconds") s)"
	fi
	exit 0
fi
[ "$cached_only" = 0 ] || exit 3

mkdir -p "$klab"
exec 9>"$klab/.lock"
flock -n 9 || die "another kernel-lab build holds $klab/.lock"

say "building key $key (linux-source-6.12 $srcver, ${#patches[@]} RFC patches, port, lab.config) in $dir"
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/obj"
tar -xf "$tarball" -C "$dir/src" --strip-components=1

cd "$dir/src"
for p in "${patches[@]}"; do
	patch -p1 -s -N --no-backup-if-mismatch <"$p" >"$dir/patch.log" 2>&1 ||
		die "RFC patch $(basename "$p") does not apply to $srcver (see $dir/patch.log)"
done
patch -p1 -s -N -F0 --no-backup-if-mismatch <"$port" >"$dir/patch.log" 2>&1 ||
	die "kernel/port-v7-6.12.patch does not apply after the series (see $dir/patch.log)"
rm -f "$dir/patch.log"

make -s O="$dir/obj" ARCH=x86_64 tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m -O "$dir/obj" "$dir/obj/.config" "$fragment" >/dev/null
make -s O="$dir/obj" ARCH=x86_64 olddefconfig >&2
while read -r line; do
	case "$line" in
	CONFIG_*)
		grep -qxF "$line" "$dir/obj/.config" ||
			die "$line (kernel/lab.config) did not survive olddefconfig: a dependency is off"
		;;
	'# CONFIG_'*' is not set')
		name=${line#\# }
		name=${name%% *}
		! grep -q "^$name=" "$dir/obj/.config" ||
			die "'$line' (kernel/lab.config) did not survive olddefconfig: something selects it"
		;;
	esac
done <"$fragment"

say "make bzImage (nice 19, SCHED_IDLE, -j$jobs); log in $dir/build.log"
start=$(date +%s)
if ! nice -n 19 chrt --idle 0 make -C "$dir/obj" ARCH=x86_64 -j"$jobs" bzImage >"$dir/build.log" 2>&1; then
	tail -n 20 "$dir/build.log" >&2
	die "build failed (see $dir/build.log)"
fi
end=$(date +%s)

cp "$dir/obj/arch/x86/boot/bzImage" "$dir/bzImage"
cp "$dir/obj/.config" "$dir/config"
objcopy -O binary --only-section=.BTF "$dir/obj/vmlinux" "$dir/vmlinux.btf"
chmod 644 "$dir/vmlinux.btf"
echo $((end - start)) >"$dir/build-seconds"
touch "$dir/.complete"
if [ "$path_only" = 1 ]; then
	echo "$dir/bzImage"
else
	say "built in $((end - start)) s: $dir/bzImage"
fi
