#!/bin/sh
# The clients the tests in tests/clients drive, from Debian's packages: containerd (and
# ctr), docker.io (dockerd, the docker CLI), podman (with conmon). scripts/install-deps.sh
# calls this.
#
# Debian's packages start their services when installed (invoke-rc.d): dockerd and
# containerd would come up on the host's network with the default folders. The tests start
# their own daemons, so installing must start nothing: a policy-rc.d that denies every
# start is put in place for the install when none exists, and removed afterwards.
set -eu

PACKAGES="containerd docker.io podman conmon"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "clients/deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi

policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# berth tests/clients/deps.sh: start no service while installing\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	ours=1
fi
cleanup() { if [ -n "$ours" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "clients/deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5 6; do
	if apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		exit 0
	fi
	echo "clients/deps.sh: apt-get failed (dpkg busy?), retrying in 10 s" >&2
	sleep 10
done
exit 1
