"""Errors as docker gives them, with nothing left behind: unknown image, name in use,
bad flag values."""

import subprocess

import pytest


def test_unknown_image(berth):
    r = berth("run", "--name", "x1", "nothing-here", "true", check=False)
    assert r.rc == 125 and "Unable to find image 'nothing-here" in r.err
    assert berth.leftovers() == []


def test_name_in_use(berth):
    cid = berth("create", "--name", "taken", "busybox", "true").out.strip()
    r = berth("run", "--name", "taken", "busybox", "true", check=False)
    assert r.rc == 125
    assert 'The container name "/taken" is already in use by container "%s"' % cid in r.err
    assert berth.containers() == [cid]
    berth("rm", "taken")
    assert berth.leftovers() == []


@pytest.mark.parametrize("flags, message", [
    (["--memory", "lots"], "invalid"),
    (["--memory", "1k"], "Minimum memory limit allowed is 6MB"),
    (["--cpus", "x"], "invalid"),
    (["--pids-limit", "many"], "pids-limit"),
    (["--restart", "sometimes"], "restart"),
    (["--cap-add", "NOT_A_CAP"], "NOT_A_CAP"),
    (["--stop-signal", "SIGNOPE"], "SIGNOPE"),
    (["--name", "bad/name"], "Invalid container name"),
    (["-v", "relative:/x:zz"], "invalid mode"),
    (["-v", "/host:relative"], "mount path must be absolute"),
    (["--network", "nosuchnet"], "network nosuchnet not found"),
    (["--ulimit", "nofile=x"], "ulimit"),
    (["--rm", "--restart", "always"], "Conflicting options"),
    (["--runtime", "no-such-runtime"], "unknown or invalid runtime name"),
    (["--frobnicate"], "unknown option"),
])
def test_bad_flag_values(berth, flags, message):
    r = berth("run", *flags, "busybox", "true", check=False)
    assert r.rc == 125, r
    assert message in r.err, r
    assert berth.leftovers() == []


def test_rm_running_needs_force(berth):
    berth("run", "-d", "--name", "busy", "busybox", "sleep", "60")
    r = berth("rm", "busy", check=False)
    assert r.rc == 1 and "stop the container before removing or force remove" in r.err
    berth("rm", "-f", "busy")
    assert berth.leftovers() == []


def test_no_such_container(berth):
    for cmd in (["stop"], ["rm"], ["logs"], ["kill"], ["inspect"], ["exec"]):
        args = cmd + ["ghost"] + (["true"] if cmd == ["exec"] else [])
        r = berth(*args, check=False)
        assert r.rc != 0 and "ghost" in r.err, (cmd, r)


def test_concurrent_commands(berth):
    """One store, many berth processes: a name is given once, every container is seen."""
    procs = [berth.popen("run", "-d", "--name", "race", "busybox", "sleep", "60",
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert sorted(r[2] for r in results) == [0, 125, 125, 125], results
    assert all("is already in use" in r[1] for r in results if r[2])
    procs = [berth.popen("run", "-d", "--name", "par%d" % i, "busybox", "sleep", "60",
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 4
    names = sorted(berth("ps", "--format", "{{.Names}}").out.split())
    assert names == ["par0", "par1", "par2", "par3", "race"]
    procs = [berth.popen("rm", "-f", n, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n in names + names]
    for p in procs:
        p.wait(timeout=60)
    assert berth("ps", "-aq").out == ""
    assert berth.leftovers() == []
