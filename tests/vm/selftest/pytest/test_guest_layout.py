"""The VM lane's guest looks like the host setup its mode promises.

Runs inside the guest only: tests/vm/selftest/*.sh call
/usr/bin/python3 -m pytest tests/vm/selftest/pytest
"""

import os

import pytest

MODE = os.environ.get("VMLANE_MODE")

pytestmark = pytest.mark.skipif(MODE is None, reason="runs inside the VM lane only")


def mounts():
    with open("/proc/mounts") as f:
        return [line.split()[:3] for line in f]


def fstype(path):
    types = [t for _, mnt, t in mounts() if mnt == path]
    return types[-1] if types else None


def test_cgroup_layout():
    want = {
        "v2": "cgroup2",
        "apparmor": "cgroup2",
        "v1": "tmpfs",
        "hybrid": "tmpfs",
        "none": None,
    }[MODE]
    assert fstype("/sys/fs/cgroup") == want
    if MODE in ("v1", "hybrid"):
        assert fstype("/sys/fs/cgroup/memory") == "cgroup"
    if MODE == "hybrid":
        assert fstype("/sys/fs/cgroup/unified") == "cgroup2"


def test_apparmor_only_in_apparmor_mode():
    with open("/sys/kernel/security/lsm") as f:
        lsms = f.read().strip().split(",")
    assert ("apparmor" in lsms) == (MODE == "apparmor")


def test_guest_identity():
    assert os.getuid() == 0
    assert os.uname().nodename == "vmlane-" + MODE


def test_shared_folder_is_writable():
    here = os.path.dirname(os.path.abspath(__file__))
    probe = os.path.join(here, ".vmlane-write-probe")
    with open(probe, "w") as f:
        f.write("x")
    os.unlink(probe)
