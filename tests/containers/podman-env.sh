#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# podman-env.sh DIR [IMAGE]: a private podman for tests, all of whose state lives in DIR,
# and a local busybox image in it built on the spot (images cannot be pulled here).
#
# Writes DIR/storage.conf (graphroot, runroot, the vfs driver: no overlay mounts to leave
# behind) and DIR/containers.conf (cgroupfs manager, no network, events to a file, its
# tmp and volume directories under DIR; ulimits a process without CAP_SYS_RESOURCE can
# set, AGENTCG_PODMAN_ULIMITS to change them), then imports IMAGE (default
# localhost/agentcg-busybox:latest) from a root filesystem of /bin/busybox (Debian's
# busybox-static) and its applet links, plus any static binaries named in
# AGENTCG_IMAGE_BINS (copied to /bin in the image). Prints the two environment lines
# podman needs to use it:
#   CONTAINERS_STORAGE_CONF=DIR/storage.conf
#   CONTAINERS_CONF=DIR/containers.conf
# Nothing is written outside DIR (the containers run from it leave their runtime's state
# in /run/runc or /run/crun while they run). Remove with: podman-env.sh --remove DIR
# Exit status: 0 done, 1 failed, 2 bad usage, 3 podman or busybox-static missing.
set -euo pipefail

die() {
	echo "podman-env.sh: $*" >&2
	exit 1
}

if [ "${1:-}" = --remove ]; then
	[ $# -eq 2 ] || { echo "usage: podman-env.sh --remove DIR" >&2; exit 2; }
	dir=$2
	[ -f "$dir/storage.conf" ] || { echo "podman-env.sh: $dir: not a podman-env directory (no storage.conf)" >&2; exit 2; }
	dir=$(cd "$dir" && pwd)
	# vfs layers and the runroot hold no mounts; containers were started with --rm
	CONTAINERS_STORAGE_CONF=$dir/storage.conf CONTAINERS_CONF=$dir/containers.conf \
		podman rm --all --force >/dev/null 2>&1 || true
	# a container killed behind podman's back (a test that failed half-way) leaves its
	# runtime's state in /run/<runtime>/<id>: only those whose bundle is in DIR go
	for rt in runc crun; do
		command -v "$rt" >/dev/null 2>&1 && [ -d "/run/$rt" ] || continue
		"$rt" --root "/run/$rt" list 2>/dev/null |
			awk -v d="$dir/" 'NR > 1 && index($4, d) == 1 { print $1 }' |
			while read -r id; do
				"$rt" --root "/run/$rt" delete --force "$id" >/dev/null 2>&1 || true
			done
	done
	rm -rf --one-file-system "$dir"
	exit 0
fi
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: podman-env.sh DIR [IMAGE]" >&2; exit 2; }
dir=$1
image=${2:-localhost/agentcg-busybox:latest}
command -v podman >/dev/null || { echo "podman-env.sh: podman is not installed (scripts/setup.sh installs it)" >&2; exit 3; }
[ -x /bin/busybox ] || { echo "podman-env.sh: /bin/busybox missing (Debian's busybox-static)" >&2; exit 3; }
# the image holds busybox alone: it must need no shared library
if ldd /bin/busybox >/dev/null 2>&1; then
	echo "podman-env.sh: /bin/busybox is not static (install busybox-static)" >&2
	exit 3
fi

mkdir -p "$dir"/{graph,run,tmp,volumes,rootfs/bin,rootfs/tmp,rootfs/dev/shm}
dir=$(cd "$dir" && pwd)
ulimits=
for u in ${AGENTCG_PODMAN_ULIMITS:-nofile=1024:1024 nproc=4096:4096}; do
	ulimits="${ulimits:+$ulimits, }\"$u\""
done
cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/graph"
runroot = "$dir/run"
CONF
cat >"$dir/containers.conf" <<CONF
[containers]
# podman's defaults (nofile 1048576, nproc the host's maximum) need CAP_SYS_RESOURCE
# to be set where the hard limits are lower, as in a sandbox without that capability
default_ulimits = [$ulimits]
netns = "none"
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
volume_path = "$dir/volumes"
[network]
network_config_dir = "$dir/networks"
CONF
export CONTAINERS_STORAGE_CONF=$dir/storage.conf CONTAINERS_CONF=$dir/containers.conf

cp /bin/busybox "$dir/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$dir/rootfs/bin/$a"
done
for b in ${AGENTCG_IMAGE_BINS:-}; do
	cp "$b" "$dir/rootfs/bin/" || die "cannot copy $b into the image"
done
chmod 1777 "$dir/rootfs/tmp"
tar -C "$dir/rootfs" -cf "$dir/rootfs.tar" . || die "cannot make the root filesystem tar"
# containers/image keeps a blob cache in /var/lib/containers/cache whatever the storage
# says: the import runs in a mount namespace of its own with a tmpfs over /var/lib, so the
# host's /var/lib is left as it was
unshare --mount --propagation private sh -c 'mount -t tmpfs agentcg-podman /var/lib &&
	exec podman import --quiet "$1" "$2"' sh "$dir/rootfs.tar" "$image" >/dev/null ||
	die "podman import of $image failed"
rm -rf "$dir/rootfs" "$dir/rootfs.tar"
echo "CONTAINERS_STORAGE_CONF=$dir/storage.conf"
echo "CONTAINERS_CONF=$dir/containers.conf"
