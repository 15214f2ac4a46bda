#!/bin/sh
# Make (once) a Debian 12 root file system that boots systemd 252 as PID 1
# under systemd-nspawn, for tests/integration/t_systemd_unit.sh.
#
#   scripts/nspawn-rootfs.sh [DIR]      default /var/cache/tattle-test/rootfs
#
# Needs root, debootstrap and the Debian mirror (about 60 s, 250 MB).  The
# tree lives outside the repository and is reused; tests boot it with
# --volatile=overlay, so it is never written to.  A half-made tree (an
# interrupted run) is thrown away and made again.  Prints DIR on success.
set -eu

dir=${1:-/var/cache/tattle-test/rootfs}
mirror=${TATTLE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# systemd as PID 1 and its bus; the firewall tools tattled runs; what the
# unit names (procps: ExecReload's /bin/kill; man-db: Documentation=, for
# systemd-analyze verify).  Libraries the project's binaries need are bound
# in from the host by the test.
include=systemd,dbus,systemd-sysv,iptables,nftables,procps,man-db
# Change this when the list changes: a tree made from another list is remade.
stamp="$dir/.tattle-rootfs-2"

if [ -f "$stamp" ]; then
	echo "$dir"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "nspawn-rootfs: needs root" >&2; exit 1; }
command -v debootstrap >/dev/null ||
	{ echo "nspawn-rootfs: debootstrap not installed (scripts/deps.sh)" >&2; exit 1; }

mkdir -p "$(dirname "$dir")"
# Two test runs at once must not build the tree twice.
exec 9>"$dir.lock"
flock 9
if [ ! -f "$dir/.tattle-rootfs-complete" ]; then
	tmp="$dir.tmp"
	rm -rf "$tmp"
	echo "nspawn-rootfs: debootstrap bookworm into $dir (once)" >&2
	debootstrap --variant=minbase --include="$include" \
		bookworm "$tmp" "$mirror" >"$dir.log" 2>&1 ||
		{ echo "nspawn-rootfs: debootstrap failed, see $dir.log" >&2
		  tail -5 "$dir.log" >&2; exit 1; }
	# No console login or getty to wait for; nothing else is changed.
	: >"$tmp/etc/machine-id"
	touch "$tmp/${stamp##*/}"
	rm -rf "$dir"
	mv "$tmp" "$dir"
fi
echo "$dir"
