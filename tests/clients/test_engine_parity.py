"""berth's command line against docker's, on the same scenario (berth issue 16): the
client harness's dockerd (docker.io 20.10, its own data-root and socket) and the engine
(build/berth with a private --root) each run it, and the outputs a script reads must
agree: exit codes, table headers, JSON fields, the words of the errors.

Only the commands issue 16 added are here (volume, rename, update, system df, health
checks, --pid, attach, log drivers); the older ones were checked the same way when they
landed (tests/integration/engine/test_engine_cli.py)."""

import json
import os
import re
import subprocess
import time

import pytest

import drivers
import harness
import image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINE = os.environ.get("BERTH_ENGINE", os.path.join(REPO, "build", "berth"))
RUNTIME = os.environ.get("BERTH_RUNTIME", os.path.join(REPO, "build", "berth-runtime"))


class Berth:
    """The engine with a private root in the session's folder and cgroup parent."""

    def __init__(self, world, image_tar):
        self.root = world.path("berth-parity")
        self.cgroup_parent = world.cgroup_parent + "/berth-parity"
        self.cli("load", "-i", image_tar)

    def cli(self, *args, timeout=drivers.TIMEOUT, input=None):
        args = list(args)
        if args and args[0] in ("run", "create"):
            args[1:1] = ["--runtime", RUNTIME, "--cgroup-parent", self.cgroup_parent]
        p = subprocess.run([ENGINE, "--root", self.root] + args, capture_output=True,
                           text=True, timeout=timeout, input=input,
                           stdin=None if input is not None else subprocess.DEVNULL)
        return drivers.Result(p.returncode, p.stdout, p.stderr)


@pytest.fixture(scope="module")
def pair(world, docker_daemon, image_tar):
    """(docker, berth): two callables running the same command line."""
    b = Berth(world, image_tar)
    yield docker_daemon.cli, b.cli
    for cli in (docker_daemon.cli, b.cli):
        ids = cli("ps", "-aq").out.split()
        if ids:
            cli("rm", "-f", *ids, timeout=120)
        vols = cli("volume", "ls", "-q").out.split()
        if vols:
            cli("volume", "rm", "-f", *vols)
    # the engine's cgroup parent (docker's is the session's, which the world removes)
    for mp in harness.cgroup_mountpoints():
        if os.path.isdir(mp + b.cgroup_parent):
            harness.remove_cgroup(mp + b.cgroup_parent)


def both(pair, *args, **kw):
    return [cli(*args, **kw) for cli in pair]


def run_d(cli, name, *args):
    r = cli("run", "-d", "--network", "none", "--name", name, *args)
    assert r.rc == 0, r
    return r


def header(r):
    return r.out.splitlines()[0].split() if r.out else []


def wait_for(pred, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def test_volume_commands(pair):
    d, b = both(pair, "volume", "create", "--label", "k=v", "pv")
    assert d.rc == b.rc == 0 and d.out == b.out == "pv\n", (d, b)
    d, b = both(pair, "volume", "ls")
    assert header(d) == header(b) == ["DRIVER", "VOLUME", "NAME"], (d, b)
    d, b = both(pair, "volume", "inspect", "pv")
    dj, bj = json.loads(d.out)[0], json.loads(b.out)[0]
    assert set(dj) == set(bj), (dj, bj)
    assert (dj["Driver"], dj["Labels"], dj["Scope"]) == (bj["Driver"], bj["Labels"],
                                                         bj["Scope"])
    d, b = both(pair, "volume", "rm", "nosuch-vol")
    assert d.rc == b.rc == 1 and "No such volume: nosuch-vol" in d.err and \
        "No such volume: nosuch-vol" in b.err, (d, b)
    for cli in pair:
        run_d(cli, "pvuser", "-v", "pv:/data", image.IMAGE, "sleep", "1000")
    d, b = both(pair, "volume", "rm", "pv")
    assert d.rc == b.rc == 1 and "volume is in use" in d.err and "volume is in use" in b.err, \
        (d, b)
    both(pair, "rm", "-f", "pvuser")
    d, b = both(pair, "volume", "prune", "-f")
    assert d.rc == b.rc == 0 and "Total reclaimed space:" in d.out and \
        "Total reclaimed space:" in b.out, (d, b)


def test_rename(pair):
    for cli in pair:
        run_d(cli, "ren1", image.IMAGE, "sleep", "1000")
    d, b = both(pair, "rename", "ren1", "ren2")
    assert d.rc == b.rc == 0 and d.out == b.out == "", (d, b)
    d, b = both(pair, "inspect", "-f", "{{.Name}}", "ren2")
    assert d.out == b.out == "/ren2\n", (d, b)
    d, b = both(pair, "rename", "nosuch-ctr", "x2")
    assert d.rc == b.rc == 1 and "No such container" in d.err and "No such container" in b.err
    d, b = both(pair, "rename", "ren2", "ren2")
    assert d.rc == b.rc == 1, (d, b)
    both(pair, "rm", "-f", "ren2")


def test_update(pair):
    for cli in pair:
        run_d(cli, "upd", image.IMAGE, "sleep", "1000")
    d, b = both(pair, "update", "--memory", "20m", "--memory-swap", "40m", "--cpus", "0.5",
                "upd")
    assert d.rc == b.rc == 0 and d.out == b.out == "upd\n", (d, b)
    fmt = "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}}"
    d, b = both(pair, "inspect", "-f", fmt, "upd")
    assert d.out == b.out, (d, b)
    both(pair, "rm", "-f", "upd")


@pytest.mark.parametrize("flags", [
    [], ["--memory", "1k"], ["--memory", "lots"], ["--blkio-weight", "5"],
    ["--restart", "sometimes"], ["--cpus", "4096"],
])
def test_update_refusals(pair, flags):
    for cli in pair:
        run_d(cli, "updr", "--cpus", "0.5", image.IMAGE, "sleep", "1000")
    d, b = both(pair, "update", *flags, "updr")
    both(pair, "rm", "-f", "updr")
    # (--blkio-weight 5: refused where the kernel can weigh, dropped with a warning where
    # it cannot; either way the same for both)
    assert d.rc == b.rc, (d, b)
    if d.rc:
        key = re.sub(r"\nSee .*", "", d.err.strip()).split(":")[-1].strip().rstrip(".")
        assert key in b.err, (key, d, b)


def test_system_df_columns(pair):
    d, b = both(pair, "system", "df")
    assert d.rc == b.rc == 0 and header(d) == header(b), (d, b)
    assert [l.split()[0] for l in d.out.splitlines()[1:]] == \
        [l.split()[0] for l in b.out.splitlines()[1:]], (d, b)


def test_system_df_verbose_sections(pair):
    d, b = both(pair, "system", "df", "-v")
    assert d.rc == b.rc == 0, (d, b)

    dl, bl = d.out.splitlines(), b.out.splitlines()
    titles = [l for l in dl if l.endswith("space usage:")]
    assert titles == [l for l in bl if l.endswith("space usage:")], (d.out, b.out)
    for t in titles:
        assert dl[dl.index(t) + 2].split() == bl[bl.index(t) + 2].split(), (t, d.out, b.out)


def test_health_status_in_ps_and_inspect(pair):
    for cli in pair:
        run_d(cli, "hp", "--health-cmd", "true", "--health-interval", "200ms", image.IMAGE,
              "sleep", "1000")
    for cli in pair:
        assert wait_for(lambda: "(healthy)" in cli("ps", "--filter", "name=hp").out), \
            cli("ps").out
    d, b = both(pair, "inspect", "-f", "{{json .State.Health}}", "hp")
    dj, bj = json.loads(d.out), json.loads(b.out)
    assert set(dj) == set(bj) and dj["Status"] == bj["Status"] == "healthy", (dj, bj)
    assert set(dj["Log"][0]) == set(bj["Log"][0])
    d, b = both(pair, "inspect", "-f", "{{json .Config.Healthcheck}}", "hp")
    assert json.loads(d.out) == json.loads(b.out), (d, b)
    both(pair, "rm", "-f", "hp")


def test_pid_host_and_attach_refusals(pair):
    host_pidns = os.readlink("/proc/self/ns/pid")
    d, b = both(pair, "run", "--rm", "--network", "none", "--pid", "host", image.IMAGE,
                "readlink", "/proc/self/ns/pid")
    assert d.rc == b.rc == 0 and d.out.strip() == b.out.strip() == host_pidns, (d, b)
    for cli in pair:
        assert cli("create", "--network", "none", "--name", "att", image.IMAGE,
                   "true").rc == 0
    d, b = both(pair, "attach", "att")
    assert d.rc == b.rc == 1, (d, b)
    assert "You cannot attach to a stopped container, start it first" in d.err
    assert "You cannot attach to a stopped container, start it first" in b.err
    both(pair, "rm", "-f", "att")


@pytest.mark.parametrize("flags", [
    ["--log-driver", "nosuchdriver"],
    ["--pid", "bogus"],
    ["--health-interval", "-1s"],
    ["--no-healthcheck", "--health-cmd", "true"],
])
def test_refused_flags(pair, flags):
    d, b = both(pair, "run", "--rm", "--network", "none", *flags, image.IMAGE, "true")
    assert d.rc == b.rc == 125, (d, b)
    # the same words where docker has words for it (its error text is the reference)
    text = re.sub(r"\nSee .*", "", d.err.strip())
    key = text.split(":")[-1].strip().rstrip(".")
    assert key and key in b.err, (key, b.err)
