# shellcheck shell=sh
# Helpers for the guest-side self-tests (sourced by v2.sh, v1.sh, ...; POSIX sh).
#
# Each check prints "ok - what" or "not ok - what" (with what was seen), and finish() prints
# "N passed, N failed" and sets the exit code.

SELFTEST_DIR=$(cd "$(dirname "$0")" && pwd)
PASSED=0
FAILED=0

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND [ARGS...]: passes when COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESCRIPTION GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}

# expect_in DESCRIPTION TEXT NEEDLE: TEXT has a line equal to NEEDLE.
expect_line() {
	if printf '%s\n' "$2" | grep -qxF -- "$3"; then
		ok "$1"
	else
		not_ok "$1: no line '$3' in:"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

expect_no_line() {
	if printf '%s\n' "$2" | grep -qxF -- "$3"; then
		not_ok "$1: unexpected line '$3'"
	else
		ok "$1"
	fi
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}

require_mode() {
	if [ "${VMLANE_MODE:-}" != "$1" ]; then
		echo "not ok - must run in the VM lane's $1 mode (tests/vm/run $1 ...), VMLANE_MODE='${VMLANE_MODE:-}'"
		exit 1
	fi
}

# fstype MOUNTPOINT: the filesystem type mounted there (last mount wins).
fstype() {
	awk -v m="$1" '$2 == m { t = $3 } END { print t }' /proc/mounts
}

# make_bundle DIR: a busybox-static rootfs and runc's default config.json in DIR.
make_bundle() {
	rm -rf "$1"
	mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/sys" "$1/rootfs/dev" \
		"$1/rootfs/tmp" "$1/rootfs/etc"
	cp /bin/busybox "$1/rootfs/bin/busybox"
	# One busybox exec, not 400 dynamic ln(1) execs (30 ms each under emulation).
	chroot "$1/rootfs" /bin/busybox --install -s /bin || return 1
	(cd "$1" && runc spec) || return 1
}

# set_config DIR KEY=VALUE...: edit DIR/config.json. Keys:
#   args=JSON-list  memory=BYTES  pids=N  cgroups_path=PATH  cgroupns=1  apparmor=PROFILE
set_config() {
	/usr/bin/python3 - "$@" <<'EOF'
import json, sys
path = sys.argv[1] + "/config.json"
with open(path) as f:
    c = json.load(f)
c["process"]["terminal"] = False
res = c["linux"].setdefault("resources", {})
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    if k == "args":
        c["process"]["args"] = json.loads(v)
    elif k == "memory":
        res["memory"] = {"limit": int(v)}
    elif k == "pids":
        res["pids"] = {"limit": int(v)}
    elif k == "cgroups_path":
        c["linux"]["cgroupsPath"] = v
    elif k == "cgroupns":
        # runc spec already adds it on a cgroup v2 host
        if not any(ns["type"] == "cgroup" for ns in c["linux"]["namespaces"]):
            c["linux"]["namespaces"].append({"type": "cgroup"})
    elif k == "apparmor":
        c["process"]["apparmorProfile"] = v
    else:
        sys.exit("set_config: unknown key " + k)
with open(path, "w") as f:
    json.dump(c, f, indent=1)
EOF
}

# run_container DIR ID: runc run, stdout+stderr in $OUT, exit code in $RC.
run_container() {
	OUT=$(runc run -b "$1" "$2" 2>&1)
	RC=$?
	runc delete -f "$2" >/dev/null 2>&1
	return 0
}

# The pytest smoke test: the project's pytest suites run in the guest from the shared /usr.
run_pytest() {
	if PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		"$SELFTEST_DIR/pytest" >/tmp/pytest.out 2>&1; then
		ok "pytest in the guest: $(tail -n1 /tmp/pytest.out)"
	else
		not_ok "pytest in the guest:"
		sed 's/^/#   /' /tmp/pytest.out
	fi
}
