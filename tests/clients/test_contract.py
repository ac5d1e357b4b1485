"""What Docker, containerd and Podman read from the runtime, checked on the runtime alone:
the outputs they parse and the error words they look for. Each test names the client code
that depends on it. The runtime is a parameter (berth and runc), as in tests/integration.

The clients: containerd's runc v2 shim (which Docker uses too) drives the runtime through
go-runc; Podman through conmon and its own calls.
"""

import json
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import oci  # noqa: E402

import drivers  # noqa: E402

# Go's time.RFC3339Nano, which go-runc's State.Created and Podman's parse.
RFC3339NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(params=list(drivers.runtime_binaries()))
def rt(request, tmp_path):
    """oci.Runtime with a private --root; every container is deleted and its cgroup
    removed afterwards."""
    name = request.param
    binary = drivers.runtime_binaries()[name]
    r = oci.Runtime(name, binary, tmp_path / "state", tmp_path / "calls")
    yield r
    for cid, bundle in r.bundles.items():
        r.delete(cid, force=True)
        for d in oci.cgroup_dirs(bundle.cgroups_path):
            oci.remove_cgroup_tree(d)


@pytest.fixture
def bundle(request, tmp_path):
    return oci.Bundle(tmp_path / "bundle", oci.unique_id(request.node.name))


def created(rt, bundle, args=("sleep", "100")):
    bundle.set_args(list(args))
    r = rt.create(bundle)
    assert r.rc == 0, r
    return rt.state(bundle.id)


def test_state_fields(rt, bundle):
    """go-runc State {id, pid, status, bundle, rootfs, created (time.Time), annotations};
    Podman's UpdateContainerStatus reads status and pid."""
    st = created(rt, bundle)
    assert st["id"] == bundle.id
    assert isinstance(st["pid"], int) and st["pid"] > 0
    assert st["status"] == "created"
    assert st["bundle"] == bundle.path
    assert st["rootfs"] == os.path.join(bundle.path, "rootfs")
    assert RFC3339NANO.match(st["created"]), st["created"]
    assert isinstance(st.get("ociVersion"), str)
    assert rt.start(bundle.id).rc == 0
    assert rt.status(bundle.id) == "running"
    assert rt.kill(bundle.id, "9").rc == 0
    rt.wait_status(bundle.id, "stopped")


def test_list_json(rt, bundle):
    """go-runc List: a JSON array (or null) of the state objects."""
    r = rt.list("json")
    assert r.rc == 0 and json.loads(r.out) in ([], None), r
    st = created(rt, bundle)
    rows = json.loads(rt.list("json").out)
    assert [(c["id"], c["pid"], c["status"]) for c in rows] == [(bundle.id, st["pid"],
                                                                 "created")]
    assert RFC3339NANO.match(rows[0]["created"])


def test_ps_json(rt, bundle):
    """`ps --format json ID`: a JSON array of host pids. The containerd shim's Pids calls
    it for `docker top` and `ctr task ps`."""
    st = created(rt, bundle)
    assert rt.start(bundle.id).rc == 0
    r = rt("ps", "--format", "json", bundle.id)
    assert r.rc == 0, r
    pids = json.loads(r.out)
    assert isinstance(pids, list) and st["pid"] in pids, r


def test_features(rt):
    """`features` (runtime-spec features.md): containerd 1.7+ and Podman 5 read it; the
    Debian 12 versions do not ask yet."""
    r = rt("features")
    assert r.rc == 0, r
    f = json.loads(r.out)
    assert f["ociVersionMin"] and f["ociVersionMax"]
    assert "prestart" in f.get("hooks", []) or "createRuntime" in f.get("hooks", [])
    assert "bind" in f.get("mountOptions", []) or "rbind" in f.get("mountOptions", [])
    assert "network" in f["linux"]["namespaces"]


@pytest.mark.parametrize("command", [("state",), ("delete",), ("kill", "9")])
def test_unknown_container_does_not_exist(rt, command):
    """"does not exist": the containerd shim ignores a delete that fails so (its Init.delete),
    and Podman's UpdateContainerStatus takes it for "the container exited"."""
    r = rt(command[0], "bc-no-such-container", *command[1:])
    assert r.rc == 1, r
    assert "does not exist" in r.err, r


def test_kill_stopped_says_not_running(rt, bundle):
    """"container not running": containerd's checkKillError turns it into NotFound ("process
    already finished"), so `docker stop` of a container that just exited succeeds."""
    created(rt, bundle, ["true"])
    assert rt.start(bundle.id).rc == 0
    rt.wait_status(bundle.id, "stopped")
    r = rt.kill(bundle.id, "9")
    assert r.rc != 0 and "container not running" in r.err, r


def test_kill_all_stopped_succeeds(rt, bundle):
    """`kill --all ID 9` after the init exited: the containerd shim sends it to reap what
    is left in the cgroup (runc: success, nothing to signal)."""
    created(rt, bundle, ["true"])
    assert rt.start(bundle.id).rc == 0
    rt.wait_status(bundle.id, "stopped")
    r = rt.kill(bundle.id, "9", all=True)
    assert r.rc == 0, r


@pytest.mark.parametrize("style", ["separate", "equals"])
def test_log_json(rt, bundle, tmp_path, style):
    """--log FILE --log-format json (the shim's form) and --log-format=json --log=FILE
    (conmon's): one JSON object per line with level, msg and time; the shim reports the
    msg of the last "error" line (go-runc / shim getLastRuntimeError), conmon the last
    line's msg."""
    log = str(tmp_path / "runtime-log.json")
    bundle.set_args(["/no/such/command"])
    bundle.write()
    rt.bundles[bundle.id] = bundle
    glob = (["--log", log, "--log-format", "json"] if style == "separate" else
            ["--log-format=json", "--log=" + log])
    r = rt(*glob, "create", "--bundle", bundle.path, bundle.id, timeout=oci.RUN_TIMEOUT)
    assert r.rc != 0, r
    with open(log) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    assert lines, "nothing logged to %s" % log
    for line in lines:
        assert {"level", "msg", "time"} <= set(line), line
    errors = [line for line in lines if line["level"] == "error"]
    assert errors and "no such file or directory" in errors[-1]["msg"], lines


def test_missing_root_is_created(rt, bundle, tmp_path):
    """Clients pass a --root that may not exist yet (<exec-root>/runtime-runc/moby,
    <state>/runtime-<name>/<namespace>): the runtime creates it."""
    root = str(tmp_path / "a" / "b" / "root")
    bundle.set_args(["true"])
    bundle.write()
    r = oci.Runtime(rt.name, rt.binary, root, str(tmp_path / "calls2"))
    r.bundles[bundle.id] = bundle
    try:
        res = r.create(bundle)
        assert res.rc == 0, res
        assert os.path.isdir(os.path.join(root, bundle.id))
    finally:
        r.delete(bundle.id, force=True)


def test_systemd_cgroup_refused_cleanly(rt, bundle):
    """--systemd-cgroup (Docker's native.cgroupdriver=systemd, ctr --runc-systemd-cgroup,
    Podman's cgroup_manager=systemd) without systemd: refused with a message naming
    systemd, and nothing left behind."""
    bundle.set_args(["true"])
    bundle.linux["cgroupsPath"] = "/berth-test/%s" % bundle.id
    bundle.write()
    rt.bundles[bundle.id] = bundle
    r = rt("--systemd-cgroup", "create", "--bundle", bundle.path, bundle.id,
           timeout=oci.RUN_TIMEOUT)
    assert r.rc != 0, r
    assert "systemd" in r.err, r
    assert not os.path.exists(os.path.join(rt.root, bundle.id))
    assert not oci.cgroup_dirs(bundle.cgroups_path)


def test_version_first_line(rt):
    """Podman (`podman info`) and Docker (`docker info`) show the first line of
    `--version`: "<name> version <version>"."""
    r = rt("--version")
    assert r.rc == 0, r
    assert re.match(r"^\S+ version \S+", r.out), r


# linux.resources as Docker 20.10 writes it for `docker run --memory 64m` (captured from its
# bundle): zeros mean "not set" (cpu.shares, blockIO.weight), as runc reads them.
DOCKER_RESOURCES = {
    "devices": [{"allow": False, "access": "rwm"},
                {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
    "memory": {"limit": 64 * 1024 * 1024, "swap": 128 * 1024 * 1024,
               "disableOOMKiller": False},
    "cpu": {"shares": 0},
    "blockIO": {"weight": 0},
}


def test_docker_resources_zero_is_unset(rt, bundle):
    """Every Docker container carries cpu.shares 0 and blockIO.weight 0: a runtime that
    rejects them (the range is 10-1000 for a weight that is set) runs no Docker container."""
    bundle.linux["resources"] = json.loads(json.dumps(DOCKER_RESOURCES))
    st = created(rt, bundle, ["true"])
    assert st["status"] == "created"
