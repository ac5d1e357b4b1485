"""Stress (issue 10, short profile by default): many cycles leave nothing behind, and
commands racing on the same containers neither corrupt state nor deadlock.

BERTH_STRESS=long runs the long profile (1000 cycles, documented in tests/README.md).
"""

import json
import os
import subprocess
import tempfile
import threading
import time

import oci

LONG = os.environ.get("BERTH_STRESS") == "long"
CYCLES = 1000 if LONG else 60
PARALLEL = 50 if LONG else 20


def call(runtime, *args, timeout=30):
    """One runtime call with its output (thread-safe, unlike Runtime.__call__). Files, not
    pipes: a created container keeps the runtime's stdout open."""
    argv = [runtime.binary, "--root", runtime.root] + [str(a) for a in args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                           timeout=timeout)
        out.seek(0)
        err.seek(0)
        return oci.Result(p.returncode, out.read(), err.read())


def run_threads(targets):
    """Run (fn, args) pairs in threads; re-raise the first exception any of them raised."""
    errors = []

    def wrap(fn, args):
        try:
            fn(*args)
        except BaseException as e:  # noqa: B036 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a command hung"
    if errors:
        raise errors[0]


def host_snapshot(root, prefix, tmp):
    """What a leak would change: mounts under the test's tmp dir (the host's other mounts
    move with other users' work), our fds, state dirs, our /berth-test cgroups."""
    mounts = len(oci.mounts_under(tmp))
    fds = len(os.listdir("/proc/self/fd"))
    states = sorted(os.listdir(root)) if os.path.isdir(root) else []
    cgroups = []
    for mp in oci.cgroup_mountpoints():
        parent = mp + oci.CGROUP_PARENT
        if os.path.isdir(parent):
            cgroups += [os.path.join(parent, d) for d in os.listdir(parent)
                        if d.startswith(prefix) and os.path.isdir(os.path.join(parent, d))]
    return mounts, fds, states, sorted(cgroups)


def bundle_for(make_bundle, args):
    b = make_bundle("s")
    b.set_args(args)
    b.write()
    return b


def wait_stopped(runtime, cid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = call(runtime, "state", cid)
        if r.rc == 0 and json.loads(r.out)["status"] == "stopped":
            return
        time.sleep(0.01)
    raise AssertionError("%s did not stop" % cid)


def test_create_start_delete_cycles_leave_nothing(runtime, make_bundle):
    b = bundle_for(make_bundle, ["true"])
    config = dict(b.config)
    before = host_snapshot(runtime.root, b.id, os.path.dirname(b.path))
    for i in range(CYCLES):
        cid = "%s-%d" % (b.id, i)
        b.config = dict(config, linux=dict(config["linux"],
                                           cgroupsPath="%s/%s" % (oci.CGROUP_PARENT, cid)))
        b.write()
        r = call(runtime, "create", "--bundle", b.path, cid)
        assert r.rc == 0, r
        assert call(runtime, "start", cid).rc == 0
        wait_stopped(runtime, cid)
        r = call(runtime, "delete", cid)
        assert r.rc == 0, r
    after = host_snapshot(runtime.root, b.id, os.path.dirname(b.path))
    assert after == before, "before %s, after %s" % (before, after)


def test_parallel_containers_and_racing_commands(runtime, make_bundle):
    """PARALLEL containers created and started at once, while state/kill/delete race on
    the same ids: every command either does its job or fails with a message, state is
    never corrupt, nothing hangs, nothing is left."""
    b = bundle_for(make_bundle, ["sleep", "100"])
    ids = ["%s-p%d" % (b.id, i) for i in range(PARALLEL)]
    bundles = {}
    for cid in ids:
        nb = oci.Bundle(os.path.join(os.path.dirname(b.path), cid), cid)
        nb.set_args(["sleep", "100"])
        nb.write()
        runtime.bundles[cid] = nb
        bundles[cid] = nb
    failures = []

    def lifecycle(cid):
        for args in (("create", "--bundle", bundles[cid].path, cid), ("start", cid)):
            r = call(runtime, *args)
            if r.rc != 0:
                failures.append((args, r))
                return

    def racer(cid):
        for args in (("state", cid), ("kill", cid, "KILL"), ("state", cid),
                     ("delete", "--force", cid)):
            r = call(runtime, *args)
            if r.rc == 0 and args[0] == "state":
                st = json.loads(r.out)   # never half-written
                assert st["id"] == cid
            elif r.rc != 0:
                assert r.err.strip(), "%s failed without a message" % (args,)

    start = time.monotonic()
    run_threads([(lifecycle, (cid,)) for cid in ids] + [(racer, (cid,)) for cid in ids[::2]])
    # Every container that was not deleted by a racer is still whole and can be deleted.
    for cid in ids:
        if os.path.isdir(os.path.join(runtime.root, cid)):
            r = call(runtime, "state", cid)
            assert r.rc == 0 or r.err.strip(), r
            r = call(runtime, "delete", "--force", cid)
            assert r.rc == 0, r
    for args, r in failures:
        # create/start may only fail because a racer deleted or killed the container first
        assert r.err.strip(), "%s failed without a message" % (args,)
    assert time.monotonic() - start < 120
    assert not [d for d in os.listdir(runtime.root)], os.listdir(runtime.root)


def test_kill_racing_delete(runtime, make_bundle):
    """kill and delete --force on a running container at the same time: delete wins
    or waits; kill succeeds or says the container is gone; nothing is left."""
    b = bundle_for(make_bundle, ["sleep", "100"])
    for round_ in range(5):
        cid = "%s-r%d" % (b.id, round_)
        assert call(runtime, "run", "--detach", "--bundle", b.path, cid).rc == 0
        results = {}

        def do(name, *args):
            results[name] = call(runtime, *args)

        run_threads([(do, ("kill", "kill", cid, "KILL")),
                     (do, ("delete", "delete", "--force", cid))])
        assert results["delete"].rc == 0, results["delete"]
        k = results["kill"]
        assert k.rc == 0 or k.err.strip(), k
        assert not os.path.exists(os.path.join(runtime.root, cid))
