#!/bin/sh
# `make run`: the busybox image in berth's store (/var/lib/berth, from Debian's
# busybox-static), then the seed's example on the engine: a detached, named container
# running ping, seen with ps, ns, logs and top, then stopped and removed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
berth="$top/build/berth"
name=pinger

step() { printf '\n$ berth %s\n' "$*"; "$berth" "$@"; }

"$berth" image inspect busybox >/dev/null 2>&1 || "$berth" image create-busybox
"$berth" rm -f "$name" >/dev/null 2>&1 || true
step run -d --name "$name" busybox ping 127.0.0.1
sleep 2
step ps
step ns "$name"
step logs --tail 3 "$name"
step top "$name"
step stop -t 1 "$name"
step rm "$name"
step ps -a
