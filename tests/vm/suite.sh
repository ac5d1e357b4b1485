#!/bin/sh
# The VM lane's test batch, on a pure cgroup v2 or v1 guest running Debian 12's own kernel.
# Build on the host first; the guest runs the binaries from the shared repository. One boot
# runs up to six groups, each with its own JUnit file:
#
#   cgroup   tests/integration/test_cgroup_*.py, against berth-runtime and runc
#   engine   a subset of tests/integration/engine/ (run, resources, live update, --pid/--ipc/
#            --uts, boot after a reboot, OOMKilled, stats, top,
#            pause, exec, restart policies, logs, rm, images, pull from a docker-registry
#            on the guest's loopback), with berth-runtime
#   net      user-defined networks, published ports, aardvark-dns and the tc side of the
#            bandwidth limits (tests/integration/engine/test_engine_{network,dns,ports,
#            bandwidth}.py, a subset), with berth-runtime only
#   userns   the engine's user namespaces: --userns=auto and --uidmap/--gidmap on idmapped
#            layers, and on bridge networks (tests/integration/engine/test_engine_userns
#            {,_network}.py but the crash-point test), split between the v2 and v1 guests,
#            with berth-runtime only. Its temporary folders are on an ext4 the guest
#            makes (ext4_group): Debian 12's 6.1 kernel cannot idmap the tmpfs /tmp
#   runtime  the runtime's integration suite (tests/integration/test_*.py but the image and
#            cgroup ones; the files that do not depend on the cgroup mode are split
#            between the v1 and v2 guests), against berth-runtime only (the whole suite,
#            and runc's run, is the manual `full` group)
#   unit     the unit tests that mount overlays (the mount(2) path, 150 layers named by
#            /proc/self/fd/N), their TAP turned into JUnit
#
#   VMLANE_MEM=2048 VMLANE_MODULES=bfq tests/vm/run v2 "$PWD" tests/vm/suite.sh [XML_PREFIX]
#
# XML_PREFIX (default build/pytest-vm-$VMLANE_MODE) gets -GROUP.xml appended, for
# scripts/check.py. SUITE_GROUPS (default "unit cgroup engine net userns runtime") picks
# groups. BERTH_RUNTIME, BERTH_ENGINE and BERTH_TEST_RUNTIMES may be passed in with
# VMLANE_PASSENV. pytest's temporary folders live on the guest's /tmp (tmpfs): the engine's
# overlay upper dirs cannot be on the 9p share; the userns group's are on an ext4 on that
# /tmp. The exit code is 0 when every group passed, else the first failing group's pytest
# code (3 when the userns group's ext4 could not be made or stayed busy). Skips fail
# (BERTH_MUST_WORK=1).
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${VMLANE_MODE:-host}
prefix=${1:-build/pytest-vm-$mode}
BERTH_RUNTIME=${BERTH_RUNTIME:-$PWD/build/berth-runtime}
BERTH_ENGINE=${BERTH_ENGINE:-$PWD/build/berth}
runtimes=${BERTH_TEST_RUNTIMES:-berth,runc}
BERTH_MUST_WORK=1
PYTHONDONTWRITEBYTECODE=1
export BERTH_RUNTIME BERTH_ENGINE BERTH_MUST_WORK PYTHONDONTWRITEBYTECODE

I=tests/integration
E=$I/engine
rc=0
basetemp=

group() { # name, runtimes, pytest arguments...
	name=$1 rts=$2
	shift 2
	start=$(date +%s)
	echo "vm-suite: $name: mode $mode, runtimes $rts, kernel $(uname -r)"
	BERTH_TEST_RUNTIMES=$rts /usr/bin/python3 -m pytest -q -p no:cacheprovider --color=no \
		-o cache_dir=/tmp/pytest-cache --basetemp "${basetemp:-/tmp/pytest-$name}" \
		--junitxml "$prefix-$name.xml" "$@"
	r=$?
	echo "vm-suite: $name: exit $r after $(($(date +%s) - start)) s"
	[ "$rc" = 0 ] && rc=$r
}

# group() with pytest's temporary folders, and so the engine's --root, on an ext4 file
# system: Debian 12's 6.1 kernel idmaps no tmpfs (6.3 does), 9p cannot be an overlay upper
# dir, and ext4 idmaps since 5.12. The file system is a sparse file beside it on the guest's
# /tmp (9/10 of /tmp's free space; under 1 MiB in use after mkfs), loop-mounted with
# discard so that what the tests remove goes back to the guest's memory; it is unmounted
# and deleted after the group. Both modules are in the lane's initramfs (Debian builds
# them as modules) and load on demand.
ext4_group() { # name, runtimes, pytest arguments...
	dir=/tmp/ext4-$1
	free=$(df -Pk /tmp | awk 'NR == 2 { print $4 }')
	if ! { rm -f "$dir.img" && truncate -s "$((free * 9 / 10))K" "$dir.img" &&
		mkfs.ext4 -q -F -m 0 -L "vm-$1" "$dir.img" && mkdir -p "$dir" &&
		mount -o loop,discard "$dir.img" "$dir"; }; then
		echo "vm-suite: $1: cannot make an ext4 file system at $dir (mkfs.ext4, loop)" >&2
		[ "$rc" = 0 ] && rc=3
		rm -f "$dir.img"
		return
	fi
	echo "vm-suite: $1: pytest's folders on ext4 at $dir ($((free * 9 / 10 / 1024)) MiB," \
		"$(du -k "$dir.img" | cut -f1) KiB in use)"
	basetemp=$dir/pytest
	group "$@"
	basetemp=
	if ! umount "$dir"; then
		echo "vm-suite: $1: $dir still busy after the tests: detached" >&2
		umount -l "$dir"
		[ "$rc" = 0 ] && rc=3
	fi
	rm -f "$dir.img"
	rmdir "$dir"
}

# TAP from the unit binaries ($@) as JUnit in $prefix-unit.xml; exit 1 on a "not ok".
unit_group() {
	start=$(date +%s)
	echo "vm-suite: unit: mode $mode, kernel $(uname -r)"
	/usr/bin/python3 - "$prefix-unit.xml" "$@" <<'PY'
import subprocess, sys
from xml.sax.saxutils import quoteattr
cases, bad = [], 0
for exe in sys.argv[2:]:
    out = subprocess.run([exe], capture_output=True, text=True).stdout
    sys.stdout.write(out)
    for line in out.splitlines():
        ok = line.startswith("ok ")
        if ok or line.startswith("not ok "):
            name = line.split(" - ", 1)[-1].split(" # ")[0]
            bad += not ok or "# SKIP" in line
            fail = "" if ok and "# SKIP" not in line else "<failure message=%s/>" % quoteattr(line)
            cases.append("<testcase classname=%s name=%s>%s</testcase>"
                         % (quoteattr(exe.rsplit("/", 1)[-1]), quoteattr(name), fail))
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0"?><testsuites><testsuite name="unit" tests="%d" '
            'failures="%d" errors="0" skipped="0">%s</testsuite></testsuites>\n'
            % (len(cases), bad, "".join(cases)))
sys.exit(1 if bad or not cases else 0)
PY
	r=$?
	echo "vm-suite: unit: exit $r after $(($(date +%s) - start)) s"
	[ "$rc" = 0 ] && rc=$r
}

for g in ${SUITE_GROUPS:-unit cgroup engine net userns runtime}; do
	case $g in
	unit)
		unit_group build/tests/unit/image_test_overlay build/tests/unit/image_test_snapshot
		;;
	cgroup)
		group cgroup "$runtimes" $I/test_cgroup_limits.py $I/test_cgroup_cmds.py \
			$I/test_cgroup_setup.py
		;;
	engine)
		# Against berth-runtime only: the engine drives runc as it drives berth-runtime,
		# and the host's integration lane runs these tests with both.
		group engine berth $E/test_engine_resources.py $E/test_engine_seed.py \
			"$E/test_engine_extra.py::test_stats_no_stream" \
			"$E/test_engine_extra.py::test_more_resources" \
			"$E/test_engine_extra.py::test_blkio_and_devices" \
			"$E/test_engine_lifecycle.py::test_restart_on_failure" \
			"$E/test_engine_lifecycle.py::test_restart_always_until_stopped" \
			"$E/test_engine_lifecycle.py::test_pause_unpause" \
			"$E/test_engine_lifecycle.py::test_logs_options" \
			"$E/test_engine_lifecycle.py::test_exec" \
			"$E/test_engine_lifecycle.py::test_wait_prints_exit_codes" \
			"$E/test_engine_run.py::test_foreground_run_streams_and_exit_code" \
			"$E/test_engine_run.py::test_create_then_start" \
			"$E/test_engine_mounts.py::test_overlay_rootfs_with_a_private_upper_layer" \
			"$E/test_engine_errors.py::test_rm_running_needs_force" \
			"$E/test_engine_update.py::test_update_running" \
			"$E/test_engine_update.py::test_update_cpuset" \
			"$E/test_engine_update.py::test_update_survives_a_policy_restart" \
			"$E/test_engine_nsmodes.py::test_host_modes_share_the_hosts_namespaces" \
			"$E/test_engine_nsmodes.py::test_container_modes_join_the_donors_namespaces" \
			"$E/test_engine_nsmodes.py::test_shareable_dev_shm_is_sized_and_released" \
			"$E/test_engine_boot.py::test_boot_starts_what_the_restart_policies_say" \
			$E/test_engine_kernels.py \
			$I/test_image_cli.py \
			"$I/test_image_pull.py::test_pull_single" \
			"$I/test_image_pull.py::test_pull_zstd_and_plain" \
			"$I/test_image_pull.py::test_whiteouts_through_overlay"
		;;
	net)
		# Issue 14's networks on the guest's kernel, berth-runtime only (the runtime plays
		# no part in them): bridges and veths, the nftables tables inet and bridge berth
		# (NAT, isolation, DNAT with fib and route_localnet, anti-spoofing), aardvark-dns,
		# and the tc side of the bandwidth limits (ifb, ingress + u32/mirred, tbf). Left
		# to the host, to keep the group under 4 minutes: the crash-point tests (the
		# engine's recovery, 60-80 s each here, no kernel path of their own), the iperf3
		# measurements (the guest's emulated throughput; they passed here) and the
		# ports/bandwidth tests that only parse flags or keep a port file. The network
		# code uses no cgroup, so the two guests (one kernel) split the group between
		# them, each lane growing by half: the networks in v2, the rest in v1.
		if [ "$mode" = v2 ]; then
			group net berth $E/test_engine_network.py \
				--deselect "$E/test_engine_network.py::test_killed_during_run_and_network_commands"
		else
			group net berth $E/test_engine_dns.py \
				"$E/test_engine_ports.py::test_publish_reachable_from_host_containers_and_outside" \
				"$E/test_engine_ports.py::test_loopback_port_not_reachable_from_outside" \
				"$E/test_engine_bandwidth.py::test_update_adds_and_restart_keeps"
		fi
		;;
	userns)
		# The engine's user namespaces (--userns=auto, --uidmap/--gidmap) on the guest's
		# kernel: the image's layers idmapped under an overlay (mount_setattr with
		# MOUNT_ATTR_IDMAP; overlayfs stacks on idmapped layers since 5.19) and, on bridge
		# networks, a network namespace owned by a user namespace of the container's maps.
		# On ext4 (ext4_group). Neither uses a cgroup, and one kernel runs both guests, so
		# they split the files: the user namespaces in v2, the ones on bridge networks in
		# v1 (in a guest of another mode, both). The crash-point test (the engine's
		# recovery, no kernel path of its own) stays on the host, as for the net group.
		# Rootless berth (an unprivileged user's overlays in a user namespace, with
		# userxattr, which tmpfs lacks before 6.6) goes with v1; its home is on the ext4.
		files=""
		[ "$mode" = v1 ] || files="$E/test_engine_userns.py"
		[ "$mode" = v2 ] || files="$files $E/test_engine_userns_network.py $E/test_engine_rootless.py"
		export BERTH_ROOTLESS_TMPDIR=/tmp/ext4-userns
		# shellcheck disable=SC2086 # word splitting wanted: the list of files
		ext4_group userns berth $files --deselect \
			"$E/test_engine_userns_network.py::test_killed_at_each_step_of_a_userns_run"
		unset BERTH_ROOTLESS_TMPDIR
		;;
	runtime)
		# The runtime's integration suite against berth-runtime (runc's own failures on
		# this guest are in tests/vm/README.md). The image and cgroup tests are their
		# groups'; the mount-target race is the host's to show: under TCG the swapper's
		# timing leaves no container reaching its hook. The files whose runs differ
		# between cgroup v1 and v2 (exec and the lifecycle join or read the container's
		# cgroups, the devices, the crash and failure cleanups, the stress leak checks,
		# user namespaces and rootless delegation) run in both guests; the others touch
		# no cgroup, and one kernel runs them, so they alternate between the guests (in
		# a guest of another mode, all of them).
		both=" exec lifecycle process_attrs operations security_exec security_fds stress "
		both="$both userns rootless fault_injection devices failure_cleanup "
		case $mode in v1) mine=0 ;; v2) mine=1 ;; *) mine=any ;; esac
		files="" n=0
		for f in "$I"/test_*.py; do
			b=${f##*/test_}
			b=${b%.py}
			case $f in */test_image_* | */test_cgroup_*) continue ;; esac
			case $both in *" $b "*)
				files="$files $f"
				continue
				;;
			esac
			if [ "$mine" = any ] || [ $((n % 2)) = "$mine" ]; then
				files="$files $f"
			fi
			n=$((n + 1))
		done
		# shellcheck disable=SC2086 # word splitting wanted: the list of files
		group runtime berth $files \
			--deselect "$I/test_security_mounts.py::test_mount_target_swapped_for_a_symlink_during_setup"
		;;
	full)
		# Not a default group: the whole runtime suite, as on the host, for a manual check
		# on the guest's kernel: SUITE_GROUPS=full with VMLANE_MEM=8192 (2 GiB fill /tmp);
		# 9 min for berth alone here. Skips are allowed (BERTH_MUST_WORK=0): some tests
		# need kernels newer than 6.1 (listmount, statmount) and say so.
		BERTH_MUST_WORK=0 group full "$runtimes" $I/test_*.py \
			--deselect "$I/test_security_mounts.py::test_mount_target_swapped_for_a_symlink_during_setup" \
			-rs
		;;
	*)
		echo "vm-suite: unknown group '$g'" >&2
		exit 2
		;;
	esac
done
exit "$rc"
