"""run/create flags of issue 16, as docker 20.10 takes them: --cidfile, --label-file,
--group-add, --oom-kill-disable, --platform."""

import os
import platform

import pytest

import cgroupfs


def test_cidfile(berth, tmp_path):
    f = tmp_path / "cid"
    cid = berth("create", "--cidfile", str(f), "busybox", "true").out.strip()
    assert f.read_text() == cid
    r = berth("run", "-d", "--cidfile", str(f), "busybox", "true", check=False)
    assert r.rc == 125
    assert ("container ID file found, make sure the other container isn't running or "
            "delete %s" % f) in r.err
    assert berth.containers() == [cid] and f.read_text() == cid
    # a create that fails leaves no file behind
    g = tmp_path / "cid2"
    r = berth("run", "--cidfile", str(g), "--name", "x/y", "busybox", "true",
              check=False)
    assert r.rc == 125 and not g.exists()
    r = berth("run", "--cidfile", str(g), "nothing-here", "true", check=False)
    assert r.rc == 125 and not g.exists()
    berth("rm", cid)


def test_label_file(berth, tmp_path):
    f = tmp_path / "labels"
    f.write_text("# a comment\n\n  a=1\nb\nc=x=y\n")
    cid = berth("create", "--label-file", str(f), "--label", "a=2", "busybox",
                "true").out.strip()
    assert berth.inspect(cid)["Config"]["Labels"] == {"a": "2", "b": "", "c": "x=y"}
    f.write_text("bad key=1\n")
    r = berth("create", "--label-file", str(f), "busybox", "true", check=False)
    assert r.rc == 125 and "variable 'bad key' contains whitespaces" in r.err
    r = berth("create", "--label-file", str(tmp_path / "none"), "busybox", "true",
              check=False)
    assert r.rc == 125 and "open %s" % (tmp_path / "none") in r.err
    assert berth.containers() == [cid]
    berth("rm", cid)


def test_group_add(berth):
    r = berth("run", "--rm", "--group-add", "1234", "--group-add", "daemon", "busybox",
              "sh", "-c", "grep ^Groups: /proc/self/status")
    assert sorted(r.out.split()[1:]) == ["1", "1234"]
    # exec keeps them, with -u too
    cid = berth("run", "-d", "--group-add", "1234", "busybox", "sleep", "1000").out.strip()
    berth.wait_status(cid, "running")
    for user in ([], ["-u", "1:1"]):
        r = berth("exec", *user, cid, "sh", "-c", "grep ^Groups: /proc/self/status")
        assert "1234" in r.out.split()[1:], (user, r)
    berth("rm", "-f", cid)
    cid = berth("create", "--group-add", "nosuch", "busybox", "true").out.strip()
    assert berth.inspect(cid)["HostConfig"]["GroupAdd"] == ["nosuch"]
    r = berth("start", cid, check=False)
    assert r.rc != 0 and "Unable to find group nosuch" in r.err
    berth("rm", cid)


def test_oom_kill_disable(berth):
    if cgroupfs.is_v2("memory"):
        pytest.skip("cgroup v2 cannot disable the OOM killer")
    r = berth("run", "-d", "--memory", "64m", "--oom-kill-disable", "busybox", "sleep", "1000")
    cid = r.out.strip()
    assert "WARNING" not in r.err
    berth.wait_status(cid, "running")
    assert "oom_kill_disable 1" in berth.cgroup_file(cid, "memory", "memory.oom_control", None)
    assert berth.inspect(cid)["HostConfig"]["OomKillDisable"] is True
    berth("rm", "-f", cid)
    r = berth("create", "--oom-kill-disable", "busybox", "true")
    assert ("WARNING: OOM killer is disabled for the container, but no memory limit is set, "
            "this can result in the system running out of resources.") in r.err
    berth("rm", r.out.strip())


HOST = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
OTHER = "arm64" if HOST == "amd64" else "amd64"


@pytest.mark.parametrize("plat", ["linux", "linux/" + HOST, "LINUX/" + HOST] +
                         (["linux/amd64/v2", "linux/x86_64"] if HOST == "amd64" else []))
def test_platform_of_the_host(berth, plat):
    assert berth("run", "--rm", "--platform", plat, "busybox", "true").rc == 0


@pytest.mark.parametrize("plat, message", [
    ("linux/" + OTHER, "is not supported: berth runs containers of this host's platform "
                       "only (linux/%s)" % HOST),
    ("windows/" + HOST, "is not supported"),
    ("linux/%s/v9" % HOST, "is not supported"),
    ("linux/a/b/c", "unknown operating system or architecture: invalid argument"),
])
def test_platform_refused(berth, plat, message):
    r = berth("run", "--rm", "--platform", plat, "busybox", "true", check=False)
    assert r.rc == 125 and message in r.err, r
    assert berth.containers() == []
