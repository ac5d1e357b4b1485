"""Masked paths are really masked, read-only paths really read-only, /proc/sys and /sys
not writable: with runc's default config (scripts/mkbundle.py), the container's root
cannot reach kernel interfaces that would let it look at or change the host.
"""

import errno
import os

import pytest

from oci import sh

EROFS = os.strerror(errno.EROFS)


def present(paths):
    """The paths this kernel has (kcore, sysrq-trigger ... depend on its config)."""
    return [p for p in paths if os.path.exists(p)]


def run(runtime, bundle, script):
    bundle.set_args(sh(script))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    return r


@pytest.mark.parametrize("path", present(["/proc/kcore", "/proc/keys", "/proc/timer_list",
                                          "/proc/sched_debug", "/proc/latency_stats"]))
def test_masked_files_read_empty(runtime, bundle, path):
    r = run(runtime, bundle, "wc -c < %s; stat -c %%t:%%T %s" % (path, path))
    size, dev = r.out.split()
    assert size == "0", r
    assert dev == "1:3", "%s is not /dev/null: %s" % (path, r)   # major 1, minor 3


@pytest.mark.parametrize("path", present(["/sys/firmware", "/proc/scsi", "/proc/acpi"]))
def test_masked_directories_are_empty(runtime, bundle, path):
    r = run(runtime, bundle, "ls -A %s | wc -l; touch %s/x 2>&1; true" % (path, path))
    assert r.out.split()[0] == "0", r
    assert EROFS in r.out, r


@pytest.mark.parametrize("path", present(["/proc/sys/kernel/hostname", "/proc/sysrq-trigger",
                                          "/proc/sys/vm/drop_caches",
                                          "/proc/irq/default_smp_affinity"]))
def test_readonly_paths_refuse_writes(runtime, bundle, path):
    r = run(runtime, bundle, "echo 1 > %s; echo rc=$?" % path)
    assert "rc=1" in r.out and EROFS in r.err, r


@pytest.mark.parametrize("path", present(["/sys/kernel/uevent_helper", "/sys/kernel/mm/ksm/run",
                                          "/sys/fs/cgroup/memory/memory.limit_in_bytes"]))
def test_sys_is_read_only(runtime, bundle, path):
    r = run(runtime, bundle, "echo 1 > %s; echo rc=$?" % path)
    assert "rc=1" in r.out and EROFS in r.err, r


def test_proc_and_sys_are_the_real_filesystems(runtime, bundle):
    r = run(runtime, bundle, "stat -f -c %T /proc /sys")
    assert r.out.split() == ["proc", "sysfs"], r
