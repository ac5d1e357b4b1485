#!/bin/sh
# `make run`: the busybox image in berth's store (/var/lib/berth, from Debian's
# busybox-static), then the seed's example with the network (issue 14): a user-defined
# network, a web server published with -p, a detached named container pinging it by name,
# seen with ps, ns, logs and top, a container on the default network, then everything
# stopped and removed. The engine runs in a network namespace the demo makes (berth0,
# the bridges, veths and nftables rules live there, and go with it), not the host's.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
berth="$top/build/berth"
ns="berth-demo-$$"

b() { nsenter --net="/run/netns/$ns" "$berth" "$@"; }
step() {
	printf '\n$ berth %s\n' "$*"
	b "$@"
}
cleanup() {
	b rm -f pinger web >/dev/null 2>&1 || true
	b network rm demo >/dev/null 2>&1 || true
	ip netns delete "$ns" 2>/dev/null || true
}

if ! command -v nsenter >/dev/null || ! command -v ip >/dev/null; then
	echo "make run needs ip (iproute2) and nsenter (util-linux)" >&2
	exit 1
fi
"$berth" image inspect busybox >/dev/null 2>&1 || "$berth" image create-busybox
ip netns add "$ns"
trap cleanup EXIT INT TERM
ip -n "$ns" link set lo up
step network create demo
step run -d --name web --network demo -p 8080:80 busybox \
	sh -c 'mkdir -p /www && echo "hello from web" >/www/index.html && exec httpd -f -p 80 -h /www'
step run -d --name pinger --network demo busybox ping web
# the first replies, before looking (bounded: a few seconds at most)
i=0
while [ $i -lt 50 ] && ! b logs pinger 2>/dev/null | grep -q 'seq=1'; do
	sleep 0.1
	i=$((i + 1))
done
step ps
step ns pinger
step logs --tail 3 pinger
step exec pinger wget -qO- http://web/
printf '\n$ wget -qO- http://127.0.0.1:8080/   # the engine'"'"'s side, through -p\n'
nsenter --net="/run/netns/$ns" busybox wget -qO- http://127.0.0.1:8080/
step top pinger
step run --rm busybox ip -4 -o addr show eth0   # the default network, bridge (berth0)
step stop -t 1 pinger web
step rm pinger web
step network rm demo
step ps -a
