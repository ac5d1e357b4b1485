"""Crash consistency (issue 20): `berth` killed at each step of create, run and rm, and
containers whose files are missing, empty, truncated or garbage; then every listed
container can be started or removed, `rm -f` and `container prune` leave an empty
containers/, and the fixture's teardown finds no mount, cgroup, monitor or runtime state.

The kills come from the engine's crash points (src/lib/crashpoint.h): BERTH_CRASH_TRACE
lists the points a command reaches, BERTH_CRASH_AT=NAME makes it SIGKILL itself there.
Names (issue 21): unnamed creates in parallel never fail for a name.
"""

import concurrent.futures
import json
import os
import re
import signal
import subprocess
import time

import pytest

import oci


def env_run(berth, env, *args, timeout=60):
    p = subprocess.run(berth.argv(args), capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, env=dict(os.environ, **env))
    return p


def points_of(berth, tmp_path, *args):
    trace = str(tmp_path / ("trace-%s" % args[0]))
    if os.path.exists(trace):
        os.unlink(trace)
    p = env_run(berth, {"BERTH_CRASH_TRACE": trace}, *args)
    assert p.returncode == 0, p.stderr
    with open(trace) as f:
        return p.stdout.strip(), [line.strip() for line in f if line.strip()]


def ps_rows(berth):
    out = berth("ps", "-a", "--no-trunc", "--format", "{{json .}}").out
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def assert_repairable(berth, where):
    """Each listed container starts (if created) and is removed by rm -f; prune empties
    containers/; no two rows share a name."""
    rows = ps_rows(berth)
    names = [r["Names"] for r in rows if r["Names"]]
    assert len(names) == len(set(names)), "%s: two rows with one name: %s" % (where, rows)
    for row in rows:
        if row["State"] == "created":
            r = berth("start", row["ID"], check=False)
            assert r.rc == 0, "%s: a created container cannot start:\n%s" % (where, r)
        r = berth("rm", "-f", row["ID"], check=False)
        assert r.rc == 0, "%s: a listed container cannot be removed:\n%s" % (where, r)
    r = berth("container", "prune", "-f", check=False)
    assert r.rc == 0, "%s: prune:\n%s" % (where, r)
    assert berth.leftovers() == [], where


def test_kill_at_each_step_of_run_and_rm(berth, tmp_path):
    cid, run_points = points_of(berth, tmp_path, "run", "-d", "busybox", "sleep", "1000")
    _, rm_points = points_of(berth, tmp_path, "rm", "-f", cid)
    assert "create-dir" in run_points and "start-intent" in run_points, run_points
    assert "rm-dir" in rm_points, rm_points
    print("run:", run_points, "rm:", rm_points)
    assert berth.leftovers() == []
    for i, point in enumerate(run_points):
        p = env_run(berth, {"BERTH_CRASH_AT": point},
                    "run", "-d", "--name", "k%d" % i, "busybox", "sleep", "1000")
        assert p.returncode == -signal.SIGKILL, "not killed at %s: %s" % (point, p.stderr)
        assert_repairable(berth, "run killed at " + point)
        # the name of a container killed at creation is free again once it is removed
        berth("create", "--name", "k%d" % i, "busybox", "true")
        berth("rm", "k%d" % i)
    for point in rm_points:
        cid = berth("run", "-d", "--name", "rr", "busybox", "sleep", "1000").out.strip()
        p = env_run(berth, {"BERTH_CRASH_AT": point}, "rm", "-f", cid)
        assert p.returncode == -signal.SIGKILL, "not killed at %s: %s" % (point, p.stderr)
        if point == "rm-dir":
            # out of its place: the name is free at once, and never on two rows
            berth("create", "--name", "rr", "busybox", "true")
        assert_repairable(berth, "rm killed at " + point)


def corrupt(path, how):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        if how == "truncated":
            f.write(data[:len(data) // 2])
        elif how == "garbage":
            f.write(b"\x00\xff not json at all {{{")


@pytest.mark.parametrize("how", ["empty", "truncated", "garbage"])
@pytest.mark.parametrize("name", ["state.json", "config.json"])
@pytest.mark.parametrize("running", [True, False], ids=["running", "exited"])
def test_corrupt_files(berth, name, how, running):
    cid = berth("run", "-d", "--name", "cc", "busybox", "sleep" if running else "true",
                "1000").out.strip()
    if running:
        pid = berth.pid(cid)
    else:
        berth.wait_status(cid, "exited")
    corrupt(os.path.join(berth.root, "containers", cid, name), how)
    rows = [r for r in ps_rows(berth) if r["ID"] == cid]
    assert rows and rows[0]["State"] == "dead", ps_rows(berth)
    r = berth("start", cid, check=False)
    assert r.rc != 0 and "is dead" in r.err and "rm -f" in r.err, r
    berth("rm", "-f", "cc" if name == "state.json" else cid)
    if running:
        assert oci.wait_for(lambda: oci.proc_state(pid) in (None, "Z"), 10), \
            "the container's process survived rm -f"
    assert ps_rows(berth) == []
    berth("create", "--name", "cc", "busybox", "true")  # the name was freed
    berth("rm", "cc")
    assert berth.leftovers() == []


def test_leftover_directories_with_mounts_are_removed(berth):
    """What a killed create or rm leaves (a nameless directory, a .removing-<id>), with a
    mount inside, is removed with its mount by rm -f / prune / the next command."""
    cdir = os.path.join(berth.root, "containers")
    nameless = "ab" * 32
    for d in (nameless, ".removing-" + "cd" * 32):
        os.makedirs(os.path.join(cdir, d, "bundle", "rootfs"))
        subprocess.run(["mount", "-t", "tmpfs", "leftover",
                        os.path.join(cdir, d, "bundle", "rootfs")], check=True)
    rows = ps_rows(berth)
    assert [r["State"] for r in rows] == ["dead"] and rows[0]["ID"] == nameless, rows
    berth("rm", "-f", nameless[:12])
    assert berth.containers() == [] and oci.mounts_under(berth.root) == []
    os.makedirs(os.path.join(cdir, nameless, "bundle", "rootfs"))
    subprocess.run(["mount", "-t", "tmpfs", "leftover",
                    os.path.join(cdir, nameless, "bundle", "rootfs")], check=True)
    berth("container", "prune", "-f")
    assert berth.leftovers() == []


def test_state_and_config_are_fsynced(berth, tmp_path):
    """state.json and config.json are fsync'd before the rename, the directory after."""
    log = str(tmp_path / "strace")
    args = ["strace", "-f", "-qq", "-y", "-e", "trace=fsync", "-o", log]
    # LeakSanitizer cannot run under ptrace: off for the traced command (ASan lane)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    p = subprocess.run(args + berth.argv(["create", "busybox", "true"]), capture_output=True,
                       text=True, timeout=60, env=env)
    try:
        assert p.returncode == 0, p.stderr
    finally:
        for cid in berth("ps", "-aq", "--no-trunc").out.split():
            if p.returncode != 0:
                berth("rm", "-f", cid)
    cid = p.stdout.strip()
    with open(log) as f:
        text = f.read()
    cdir = os.path.join(os.path.realpath(berth.root), "containers", cid)
    for f in (".config.json.tmp", ".state.json.tmp"):
        assert re.search(r"fsync\(\d+<%s/%s>\) = 0" % (re.escape(cdir), re.escape(f)), text), \
            "%s not fsync'd:\n%s" % (f, text)
    assert re.search(r"fsync\(\d+<%s>\) = 0" % re.escape(cdir), text), text
    berth("rm", cid)


def test_generated_names_never_collide(berth):
    """1000 unnamed creates, 10 at a time: none fails, every name differs (issue 21)."""
    if berth.runtime_name != "berth":
        pytest.skip("create runs no runtime: once is enough")
    n = int(os.environ.get("BERTH_NAME_CREATES", "1000"))
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: berth("create", "busybox", "true", check=False),
                                range(n)))
    failed = [r for r in results if r.rc != 0]
    assert not failed, "%d of %d creates failed, first:\n%s" % (len(failed), n, failed[0])
    names = [r["Names"] for r in ps_rows(berth)]
    assert len(names) == n and len(set(names)) == n
    ids = [r.out.strip() for r in results]
    for i in range(0, n, 500):
        berth("rm", *ids[i:i + 500], timeout=300)
    print("%d creates and removals in %.1f s" % (n, time.monotonic() - t0))



def test_stop_and_rm_on_a_full_disk(full_disk_berth):
    """The container that filled the disk is stopped and removed all the same."""
    b = full_disk_berth
    b("run", "-d", "--name", "full2", "busybox", "sleep", "1000")
    # the filling waits for /go: run must first record the start (state.json) with room left
    b("run", "-d", "--name", "full1", "busybox", "sh", "-c",
      "until test -e /go; do sleep 0.05; done; dd if=/dev/zero of=/fill bs=1M; sleep 1000")
    b("exec", "full1", "touch", "/go")
    assert oci.wait_for(lambda: os.statvfs(b.root).f_bavail == 0, 30), "the disk never filled"
    pids = [b.pid("full1"), b.pid("full2")]
    r = b("stop", "-t", "1", "full2", check=False)
    assert oci.wait_for(lambda: oci.proc_state(pids[1]) in (None, "Z"), 10), \
        "stop on a full disk did not stop it:\n%s" % r
    r = b("rm", "-f", "full1", check=False)
    assert r.rc == 0, "rm -f on a full disk:\n%s" % r
    assert oci.proc_state(pids[0]) in (None, "Z")
    b("rm", "-f", "full2")
    assert b.leftovers() == []


def layer_dirs(berth):
    return sorted(os.listdir(os.path.join(berth.root, "image", "layers")))


@pytest.mark.parametrize("how", ["killed-rmi", "half-deleted"])
def test_load_after_an_interrupted_layer_deletion(berth, tmp_path, how):
    """rmi killed during gc leaves no half layer in place; load repairs one that is."""
    if berth.runtime_name != "berth":
        pytest.skip("images need no runtime: once is enough")
    archive = str(tmp_path / "bb.tar")
    berth("save", "-o", archive, "busybox")
    layers = layer_dirs(berth)
    assert layers
    if how == "killed-rmi":
        p = env_run(berth, {"BERTH_CRASH_AT": "gc-layer-renamed"}, "rmi", "busybox")
        assert p.returncode == -signal.SIGKILL, p.stderr
        assert layer_dirs(berth) == [], "a half-deleted layer is in place"
    else:
        berth("rmi", "busybox")
        # what a deletion killed in the middle used to leave: layer.json gone, diff partial
        os.makedirs(os.path.join(berth.root, "image", "layers", layers[0], "diff", "bin"))
    assert "Loaded image" in berth("load", "-i", archive).out
    r = berth("run", "--rm", "busybox", "ls", "/bin/busybox", check=False)
    assert r.rc == 0 and "/bin/busybox" in r.out, r
    assert berth.leftovers() == []


def exec_files(berth, cid):
    d = os.path.join(berth.root, "containers", cid)
    return sorted(n for n in os.listdir(d) if n.startswith("exec-"))


def test_killed_exec_leaves_nothing_the_next_exec_keeps(berth):
    """A `berth exec` killed while its process runs leaves exec-*.json/.pid/.log; the next
    exec removes them, but never the files of an exec that is still running."""
    cid = berth("run", "-d", "busybox", "sleep", "1000").out.strip()
    killed = berth.popen("exec", cid, "sleep", "1001", stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    assert oci.wait_for(lambda: any(n.endswith(".pid") for n in exec_files(berth, cid)), 20), \
        exec_files(berth, cid)
    killed.kill()
    killed.wait()
    left = exec_files(berth, cid)
    assert any(n.endswith(".json") for n in left), left
    live = berth.popen("exec", cid, "sleep", "1002", stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    try:
        # the live exec's start swept the killed one's files
        assert oci.wait_for(lambda: any(n.endswith(".pid") and n not in left
                                        for n in exec_files(berth, cid)), 20), \
            exec_files(berth, cid)
        live_files = exec_files(berth, cid)
        assert not set(live_files) & set(left), (live_files, left)
        assert len(live_files) == 3, live_files
        berth("exec", cid, "true")  # sweeps too: the running exec's files stay
        assert exec_files(berth, cid) == live_files
    finally:
        live.kill()
        live.wait()
    berth("rm", "-f", cid)


@pytest.mark.parametrize("point", ["run-created", "start-unlocked"])
def test_stop_while_run_creates_it_leaves_it_not_running(berth, point):
    """A `stop` that returns while `run -d` is still between create and the container's
    start is not undone by the start: the container never runs (run-created), or is killed
    as soon as the monitor records it (start-unlocked). docker has this window; berth not."""
    p = subprocess.Popen(berth.argv(["run", "-d", "--name", "sw", "busybox", "sleep", "1000"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, BERTH_PAUSE_AT=point))
    try:
        assert oci.wait_for(lambda: oci.proc_state(p.pid) == "T", 30), "never paused"
        berth("stop", "sw")
    finally:
        os.kill(p.pid, signal.SIGCONT)
        out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    berth.wait_status("sw", "created" if point == "run-created" else "exited")
    info = berth.inspect("sw")
    assert not info["State"]["Running"], info["State"]
    berth("rm", "-f", "sw")


def test_rm_while_run_starts_it_says_so(berth):
    """`rm -f` of a container that `run` is starting: run fails saying the container was
    removed (exit 125), not with whatever the runtime tripped over (once "executable file
    not found", 127), and nothing is left."""
    p = subprocess.Popen(berth.argv(["run", "-d", "--name", "rmr", "busybox", "sleep", "1000"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, BERTH_PAUSE_AT="start-unlocked"))
    try:
        assert oci.wait_for(lambda: oci.proc_state(p.pid) == "T", 30), "never paused"
        berth("rm", "-f", "rmr")
    finally:
        os.kill(p.pid, signal.SIGCONT)
        out, err = p.communicate(timeout=60)
    assert p.returncode == 125 and "was removed while it was starting" in err, (out, err)
    assert ps_rows(berth) == [] and berth.leftovers() == []
