#!/bin/sh
# Install what the VM lane needs on a Debian 12 host, by package name.
# Safe to run again: apt-get skips what is already installed.
#
#   qemu-system-x86   the emulator (TCG; KVM is used by nobody here)
#   busybox-static    the guest's initramfs userland and modprobe
#   xz-utils, zstd    unpack the kernel's bzImage / compressed modules
#   cpio, gzip        pack the initramfs (cpio also comes from busybox, gzip is essential)
#   apparmor          apparmor_parser, aa-exec, aa-enabled for apparmor mode
#   runc              the reference runtime the self-tests drive
#   python3-pytest    the guest runs the project's pytest suites from the shared /usr
#   iproute2          ip(8) in the guest (lo, netns tests)
#   e2fsprogs, mount  mkfs.ext4 and `mount -o loop` for suite.sh's ext4 (the userns group:
#                     6.1 idmaps no tmpfs)
#   passwd            useradd, for the user whose subordinate ids --userns=auto takes
set -eu

PKGS="qemu-system-x86 busybox-static xz-utils zstd cpio gzip apparmor runc python3 python3-pytest iproute2
e2fsprogs mount passwd"

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: must run as root (apt-get install)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# dpkg may be held by another apt run on a shared machine: wait for it.
apt_retry() {
	n=0
	until "$@"; do
		n=$((n + 1))
		if [ "$n" -ge 30 ]; then
			echo "deps.sh: '$*' kept failing, giving up" >&2
			return 1
		fi
		echo "deps.sh: '$1' failed (dpkg lock?), retry $n in 10 s" >&2
		sleep 10
	done
}

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps.sh: all present"
	exit 0
fi
echo "deps.sh: installing:$missing"
apt_retry apt-get update -qq
# shellcheck disable=SC2086
apt_retry apt-get install -y -qq --no-install-recommends $missing
