#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh: install everything agentcg needs to build and test on Debian 12,
# from Debian's own package registry only (nothing vendored, nothing downloaded
# from elsewhere). Idempotent: packages already present are left alone.
#
# It also fetches (does not install) Debian's 6.12 kernel package and unpacks it
# under $AGENTCG_VM_DIR (default: /var/cache/agentcg/vm) so the cgroup v2 test
# tier can boot it under qemu. The host's own boot setup is never touched.
# linux-source-6.12 and the kernel build tools (dwarves for pahole/BTF, bc, flex, bison,
# libssl-dev; libelf-dev is above) are for the kernel lab: setup only installs them,
# `make kernel-lab` (scripts/kernel-lab.sh) builds the lab kernel from them.
set -euo pipefail

PKGS=(
	build-essential pkg-config make gcc clang llvm libclang-rt-14-dev
	libbpf-dev bpftool libelf-dev zlib1g-dev
	libjansson-dev libcmocka-dev
	clang-format cppcheck valgrind
	gnuplot-nox chromium
	qemu-system-x86 busybox-static cpio
	systemd python3-prometheus-client
	xz-utils
	podman runc crun conmon fuse-overlayfs slirp4netns uidmap
	linux-source-6.12 dwarves bc flex bison libssl-dev
)

VM_DIR=${AGENTCG_VM_DIR:-/var/cache/agentcg/vm}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: must run as root (apt-get install)" >&2
		exit 1
	fi
}

install_packages() {
	local missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "setup: all ${#PKGS[@]} packages present"
		return
	fi
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# The newest Debian 6.12 kernel image (cloud flavour: small, boots fast under TCG).
fetch_vm_kernel() {
	if ls "$VM_DIR"/boot/vmlinuz-6.12* >/dev/null 2>&1; then
		echo "setup: VM kernel present in $VM_DIR"
		return
	fi
	local pkg
	pkg=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9.]+\+deb12-cloud-amd64-unsigned$' |
		awk '{print $1}' | sort -V | tail -n 1)
	if [ -z "$pkg" ]; then
		apt-get update -qq
		pkg=$(apt-cache search --names-only \
			'^linux-image-6\.12\.[0-9.]+\+deb12-cloud-amd64-unsigned$' |
			awk '{print $1}' | sort -V | tail -n 1)
	fi
	if [ -z "$pkg" ]; then
		echo "setup: no linux-image-6.12 cloud package in the registry; v2 VM tier will skip" >&2
		return
	fi
	echo "setup: fetching $pkg into $VM_DIR"
	local tmp
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -qq "$pkg" >/dev/null)
	mkdir -p "$VM_DIR"
	dpkg-deb -x "$tmp"/*.deb "$VM_DIR"
	rm -rf "$tmp"
}

need_root
install_packages
fetch_vm_kernel
echo "setup: done"
