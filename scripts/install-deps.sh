#!/bin/sh
# Install what berth needs, from Debian's packages, by name:
#   scripts/install-deps.sh build   what building and running berth needs (make build, make run)
#   scripts/install-deps.sh check   that, plus what the tests need: the sanitizers, valgrind,
#                                   the peers and registry tools, the client tests' engines
#                                   (containerd, docker.io, podman) and the VM lane's qemu
# Only missing packages are installed, so a second run costs a dpkg query.
set -eu

mode=${1:-build}

# libraries berth links, the compiler and meson; busybox-static: the demo's root filesystem;
# uidmap: newuidmap/newgidmap for rootless berth
BUILD_PACKAGES="meson ninja-build pkg-config gcc libc6-dev libjson-c-dev libseccomp-dev
libarchive-dev libcurl4-openssl-dev libssl-dev zlib1g-dev libnftables-dev libmicrohttpd-dev
busybox-static procps aardvark-dns uidmap"

TEST_PACKAGES="python3 python3-pytest runc iproute2 util-linux nftables iperf3 clang-format clang
libclang-rt-14-dev passwd strace valgrind zstd docker-registry skopeo openssl zsh fish man-db
python3-docker docker-compose"

case "$mode" in
build) PACKAGES=$BUILD_PACKAGES ;;
check) PACKAGES="$BUILD_PACKAGES $TEST_PACKAGES" ;;
*)
	echo "usage: scripts/install-deps.sh build|check" >&2
	exit 2
	;;
esac

# What only the tests need beyond Debian's packages above: the VM lane's and the client
# tests' own lists.
test_deps() {
	[ "$mode" = check ] || return 0
	if [ "$(id -u)" = 0 ]; then
		"$(dirname "$0")/../tests/vm/deps.sh" >/dev/null
	else
		echo "install-deps: not root: not checking the VM lane's packages (tests/vm/deps.sh)" >&2
	fi
}

# The container engines the client tests drive (containerd, docker.io, podman).
if [ "$mode" = check ]; then
	"$(dirname "$0")/../tests/clients/deps.sh"
fi

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	test_deps
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
		test_deps
		exit 0
	fi
	echo "install-deps: apt-get failed (dpkg busy?), retrying in 10 s" >&2
	sleep 10
done
exit 1
