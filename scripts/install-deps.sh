#!/bin/sh
# Install what building and testing berth needs, from Debian's packages, by name.
# Only missing packages are installed, so a second run costs a dpkg query.
set -eu

PACKAGES="meson ninja-build pkg-config gcc libc6-dev libjson-c-dev libseccomp-dev
busybox-static procps python3 python3-pytest runc iproute2 util-linux clang-format clang libclang-rt-14-dev
uidmap strace valgrind zsh fish man-db
libarchive-dev libcurl4-openssl-dev libssl-dev zlib1g-dev zstd docker-registry skopeo openssl"

# The VM lane (make check runs the cgroup tests on pure v2 and v1 guests) has its own list.
vm_deps() {
	if [ "$(id -u)" = 0 ]; then
		"$(dirname "$0")/../tests/vm/deps.sh" >/dev/null
	else
		echo "install-deps: not root: not checking the VM lane's packages (tests/vm/deps.sh)" >&2
	fi
}

# The container engines the client tests drive (containerd, docker.io, podman).
"$(dirname "$0")/../tests/clients/deps.sh"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	vm_deps
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6; do
	if apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		vm_deps
		exit 0
	fi
	echo "install-deps: apt-get failed (dpkg busy?), retrying in 10 s" >&2
	sleep 10
done
exit 1
