#!/bin/sh
# `make run`: the busybox image in berth's store (/var/lib/berth), and a busybox container
# in new namespaces that shows it is isolated.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runtime="$top/build/berth-runtime"
bundle="$top/build/demo-bundle"
id="berth-demo-$$"

rm -rf "$bundle"
/usr/bin/python3 "$top/scripts/mkbundle.py" "$bundle" --hostname berth-demo \
	--cgroups-path "/berth/$id" -- sh -c '
echo "hostname:  $(hostname)"
echo "id:        $(id)"
echo "pid:       $$"
echo "namespaces inside the container:"
for ns in cgroup ipc mnt net pid uts user; do
	printf "  %-7s %s\n" $ns "$(readlink /proc/self/ns/$ns)"
done'

echo "namespaces of the host (the caller):"
for ns in cgroup ipc mnt net pid uts user; do
	printf "  %-7s %s\n" $ns "$(readlink /proc/self/ns/$ns)"
done
echo "--- berth image create-busybox: the engine's default image, from Debian's busybox-static"
"$top/build/berth" image create-busybox
"$top/build/berth" images busybox
echo "--- berth-runtime run $id"
exec "$runtime" --root "$top/build/demo-state" run --bundle "$bundle" "$id"
