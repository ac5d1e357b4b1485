"""CVE-2021-30465 and kin, CVE-2019-16884 and CVE-2023-27561: mounts cannot leave the
rootfs, and procfs and sysfs go only on real directories of it.

test_safety.py covers symlinks in the rootfs (absolute, and climbing with ".."); here:
".." in the destination itself, a directory swapped atomically with a symlink while the
runtime mounts (the CVE-2021-30465 race, run many times, watched from inside the container's
mount namespace), and proc/sysfs targets.
"""

import os
import subprocess

import pytest

import oci
from oci import sh


@pytest.fixture
def host_target(tmp_path):
    d = tmp_path / "host-target"
    d.mkdir()
    (d / "marker").write_text("untouched\n")
    return d


def test_dotdot_in_the_destination_stays_in_the_rootfs(runtime, bundle, host_target):
    dest = "/../../../../../.." + str(host_target)
    bundle.add_mount(dest, "tmpfs", "tmpfs", ["size=64k"])
    bundle.set_args(sh("touch %s/pwned; cat /proc/self/mountinfo" % dest))
    r = runtime.run(bundle)
    assert sorted(os.listdir(host_target)) == ["marker"]
    assert oci.mounts_under(host_target) == []
    assert r.rc == 0, str(r)
    points = {m["mount_point"] for m in oci.parse_mountinfo(r.out)}
    assert str(host_target) in points, sorted(points)


def helper_binary(name):
    """A static helper of tests/helpers: from the repo's build/, or from next to
    $BERTH_RUNTIME (a mutant's build, tests/security/mutants/run)."""
    places = [os.path.join(oci.REPO, "build", "tests", "helpers", name)]
    if os.environ.get("BERTH_RUNTIME"):
        places.append(os.path.join(os.path.dirname(os.environ["BERTH_RUNTIME"]), "tests",
                                   "helpers", name))
    for p in places:
        if os.access(p, os.X_OK):
            return p
    oci.skip("%s is not built (meson compile -C build)" % name)


RACE_ROUNDS = 20
RACE_MAX_ROUNDS = 80   # more, while fewer than RACE_HOOKS containers reached their hook
RACE_HOOKS = 3
RACE_MOUNTS = 40


def race_once(swapper, mnt, link, runtime, b):
    """runtime.run(b) while berth-swapper exchanges mnt and link (symlink held 200 us)."""
    p = subprocess.Popen([swapper, mnt, link, "120", "200"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, text=True, preexec_fn=lambda: os.nice(-10))
    try:
        assert p.stdout.readline() == "ready\n"
        runtime.run(b)       # may fail on a mount point that moved: that is fine
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_mount_target_swapped_for_a_symlink_during_setup(runtime, make_bundle, host_target,
                                                         tmp_path):
    """The race of CVE-2021-30465: while the runtime mounts 40 tmpfs on /mnt/N, berth-swapper
    exchanges /mnt, atomically, with a symlink to a host directory that has the same N
    subdirectories, over and over. A runtime that resolves the destination and then
    mounts by path puts some of those tmpfs on the host's directories. Seen from where it
    happens: a createContainer hook runs in the container's mount namespace before
    pivot_root and records its mountinfo (the host's own table shows nothing, as / is
    rslave there, and pivot_root drops the host's tree afterwards). Twenty containers or more (until three reached their hook); the
    mutant mount-by-fd.patch (resolve, then mount onto <rootfs><destination> by path) is
    caught in most rounds. A runtime that turns the resolved fd into a path string and
    mounts it a few microseconds later loses only when a swap falls into those
    microseconds while both run on separate CPUs: this test sees that only by chance."""
    swapper = helper_binary("berth-swapper")
    host = os.path.realpath(str(host_target))
    for n in range(RACE_MOUNTS):
        os.mkdir(os.path.join(host, str(n)))
    hooks_ran = 0
    for i in range(RACE_MAX_ROUNDS):
        if i >= RACE_ROUNDS and hooks_ran >= RACE_HOOKS:
            break
        b = make_bundle("race%d" % i)
        mnt, link = os.path.join(b.rootfs, "mnt"), os.path.join(b.rootfs, "mnt-link")
        for n in range(RACE_MOUNTS):
            os.makedirs(os.path.join(mnt, str(n)), exist_ok=True)
            b.add_mount("/mnt/%d" % n, "tmpfs", "tmpfs", ["size=16k"])
        os.symlink(host, link)
        out = tmp_path / ("mountinfo%d" % i)
        b.config["hooks"] = {"createContainer": [{
            "path": "/bin/sh",
            "args": ["sh", "-c", 'cat /proc/self/mountinfo > "$OUT"'],
            "env": ["OUT=%s" % out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}]}
        b.set_args(["true"])
        # /mnt is the symlink 200 us at a time, the directory briefly: on a loaded machine
        # the runtime often does all its mounts while the swapper is off the CPU, and
        # then it sees the state the swapper spends the most time in.
        # Every fourth round runs without the swapper: where every raced round lost to
        # the symlink (runc refuses each create), the hook is still shown to work.
        if i % 4 == 3:
            runtime.run(b)
        else:
            race_once(swapper, mnt, link, runtime, b)
        assert oci.mounts_under(host) == [], "a mount landed on the host"
        assert sorted(os.listdir(host)) == sorted(["marker"] + [str(n) for n in
                                                                 range(RACE_MOUNTS)])
        if out.exists():
            hooks_ran += 1
            seen = [m["mount_point"] for m in oci.parse_mountinfo(out.read_text())]
            astray = [m for m in seen if m == host or m.startswith(host + "/")]
            assert astray == [], "mounted on the host's directory in round %d: %s" % (
                i, astray)
        runtime.delete(b.id, force=True)
    # Without a hook that ran, nothing was looked at.
    assert hooks_ran > 0, "no container got as far as its createContainer hook in %d " \
        "rounds" % RACE_MAX_ROUNDS


@pytest.mark.parametrize("fs, dest", [("proc", "/proc"), ("sysfs", "/sys")])
@pytest.mark.parametrize("how", ["symlink-inside", "symlink-host", "file"])
def test_kernel_filesystem_target_must_be_a_directory(runtime, bundle, tmp_path, fs, dest,
                                                      how):
    """A fake /proc (a symlink to a directory the image controls) must not take the
    mount, or the runtime's writes to /proc could be redirected (CVE-2023-27561)."""
    target = os.path.join(bundle.rootfs, dest.lstrip("/"))
    os.rmdir(target)
    if how == "symlink-inside":
        os.makedirs(os.path.join(bundle.rootfs, "fake"))
        os.symlink("/fake", target)
    elif how == "symlink-host":
        os.symlink(str(tmp_path), target)
    else:
        with open(target, "w") as f:
            f.write("not a directory\n")
    if fs == "sysfs":
        bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                                   if not m["destination"].startswith("/sys/")]
    r = runtime.run(bundle)
    assert r.rc != 0, "%s was mounted on a %s:\n%s" % (fs, how, r)
    assert oci.mounts_under(tmp_path) == []
