"""The kernels berth supports (README.md, "Supported kernels"), from the host's newer kernel:
BERTH_TEST_OVERLAY=legacy makes the engine mount a container's root as a kernel before 6.8
must (mount(2) with "lowerdir=a:b", not fsconfig's "lowerdir+"), BERTH_TEST_OVERLAY=fsconfig
tries "lowerdir+" whatever the kernel (the fallback after a failed create), and
BERTH_FAKE_KERNEL_MISSING makes berth-runtime refuse as it does on a kernel below 5.12.
The VM lane runs the engine on Debian 12's own 6.1 kernel, where the old path is the only
one."""

import os


def root_mount_options(berth, cid):
    with open("/proc/%d/mountinfo" % berth.pid(cid)) as f:
        root = [line for line in f if line.split()[4] == "/"][0]
    return root.split(" - ")[1].split()[2]


def kernel_at_least(major, minor):
    rel = os.uname().release.split(".")
    return (int(rel[0]), int(rel[1].split("-")[0])) >= (major, minor)


def test_overlay_old_kernel_path(berth, monkeypatch):
    """The fallback mounts the same layers: writes land in the private upper layer."""
    monkeypatch.setenv("BERTH_TEST_OVERLAY", "legacy")
    cid = berth("run", "-d", "busybox", "sh", "-c", "echo changed > /etc/motd; sleep 60").out.strip()
    opts = root_mount_options(berth, cid)
    assert "lowerdir=" in opts and "lowerdir+=" not in opts, opts
    assert berth("exec", cid, "cat", "/etc/motd").out == "changed\n"
    assert berth("run", "--rm", "busybox", "cat", "/etc/motd", check=False).out == ""
    berth("rm", "-f", cid)


def test_overlay_mount_follows_the_kernel(berth, monkeypatch):
    """Issue 22: a kernel without lowerdir+ (before 6.8; Debian 12's 6.1) gets mount(2)'s
    "lowerdir=", a newer one fsconfig's "lowerdir+=" per layer."""
    monkeypatch.delenv("BERTH_TEST_OVERLAY", raising=False)
    cid = berth("run", "-d", "busybox", "sleep", "60").out.strip()
    opts = root_mount_options(berth, cid)
    if kernel_at_least(6, 8):
        assert "lowerdir+=" in opts, opts
    else:
        assert "lowerdir=" in opts and "lowerdir+=" not in opts, opts
    berth("rm", "-f", cid)


def test_overlay_falls_back_when_the_create_fails(berth, monkeypatch):
    """Issue 22 itself: BERTH_TEST_OVERLAY=fsconfig tries "lowerdir+" on any kernel. Before
    6.5 each fsconfig call succeeds and only FSCONFIG_CMD_CREATE fails (EINVAL); the mount
    must then fall back to mount(2). On a 6.8+ kernel "lowerdir+" simply works."""
    monkeypatch.setenv("BERTH_TEST_OVERLAY", "fsconfig")
    cid = berth("run", "-d", "busybox", "sh", "-c", "echo changed > /etc/motd; sleep 60").out.strip()
    opts = root_mount_options(berth, cid)
    assert ("lowerdir+=" if kernel_at_least(6, 8) else "lowerdir=") in opts, opts
    assert berth("exec", cid, "cat", "/etc/motd").out == "changed\n"
    berth("rm", "-f", cid)


def test_old_kernel_is_refused_in_one_sentence(berth, monkeypatch):
    """berth-runtime's check; runc does not read the variable and runs."""
    monkeypatch.setenv("BERTH_FAKE_KERNEL_MISSING", "mount_setattr")
    r = berth("run", "--rm", "busybox", "true", check=False)
    if berth.runtime_name != "berth":
        assert r.rc == 0, r
        return
    assert r.rc != 0
    assert ("this kernel (%s) lacks mount_setattr (Linux 5.12): berth needs Linux 5.12 or "
            "later" % os.uname().release) in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1, r.err
