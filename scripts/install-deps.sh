#!/bin/sh
# Install what building and testing berth needs, from Debian's packages, by name.
# Only missing packages are installed, so a second run costs a dpkg query.
set -eu

PACKAGES="meson ninja-build pkg-config gcc libc6-dev libjson-c-dev libseccomp-dev
busybox-static python3 python3-pytest runc iproute2 util-linux clang-format clang libclang-rt-14-dev"

# The container engines the client tests drive (containerd, docker.io, podman).
"$(dirname "$0")/../tests/clients/deps.sh"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6; do
	if apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		exit 0
	fi
	echo "install-deps: apt-get failed (dpkg busy?), retrying in 10 s" >&2
	sleep 10
done
exit 1
