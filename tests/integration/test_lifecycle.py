"""create, start, state, kill, delete, list; their errors; --pid-file and run --detach.

runtime.md: the states created -> running -> stopped, and the errors each operation
must generate. The checks look at the process in /proc, not only at exit codes.
"""

import json
import os

import pytest

import cgroupfs
import oci
from oci import sh

# A shell that says when it runs and exits 0 on SIGTERM. As a pid-namespace init it
# gets SIGTERM from the host only because it has a handler.
WAITER = sh("trap 'echo got-term; exit 0' TERM; echo started; sleep 1000 & wait")


def created(runtime, bundle, args=WAITER):
    """create; return (state, the file the container's stdout goes to)."""
    bundle.set_args(args)
    r = runtime.create(bundle)
    assert r.rc == 0, str(r)
    out = runtime.last_out
    return runtime.state(bundle.id), out


def running(runtime, bundle, args=WAITER):
    """run --detach and wait for 'started'; return (state, the container's stdout file)."""
    bundle.set_args(args)
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    out = runtime.last_out
    assert oci.wait_for(lambda: "started" in oci.read_file(out)), "container never ran"
    return runtime.state(bundle.id), out


def assert_gone(runtime, bundle, pid=None):
    """After delete: state fails, the state dir, cgroups and process are gone."""
    r = runtime.state_result(bundle.id)
    assert r.rc != 0, "state of a deleted container succeeded:\n%s" % r
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    if pid:
        assert oci.wait_gone(pid), "process %d still alive" % pid


def test_create_does_not_run_the_process(runtime, bundle):
    st, out = created(runtime, bundle)
    assert st["status"] == "created"
    pid = st["pid"]
    assert pid > 0 and oci.pid_alive(pid)
    # Everything but the process is set up: the namespaces exist already ...
    for kind in oci.NAMESPACES:
        assert oci.ns_link(kind, pid) != oci.ns_link(kind), kind + " namespace is the host's"
    # ... but the user program has not run: no output, and the init is not busybox yet.
    assert not oci.wait_for(lambda: oci.read_file(out), timeout=0.3), oci.read_file(out)
    assert not os.readlink("/proc/%d/exe" % pid).endswith("/bin/busybox")
    assert oci.proc_state(pid) in ("S", "D"), "init of a created container is not blocked"
    assert runtime.status(bundle.id) == "created"


@pytest.mark.parametrize("signal", ["TERM", "SIGTERM", "15"])
def test_create_start_kill_delete(runtime, bundle, signal):
    st, out = created(runtime, bundle)
    pid = st["pid"]

    r = runtime.start(bundle.id)
    assert r.rc == 0, str(r)
    assert oci.wait_for(lambda: "started" in oci.read_file(out)), "the process did not start"
    st = runtime.state(bundle.id)
    assert st["status"] == "running"
    assert st["pid"] == pid
    assert os.readlink("/proc/%d/exe" % pid).endswith("/bin/busybox")

    r = runtime.kill(bundle.id, signal)
    assert r.rc == 0, str(r)
    runtime.wait_status(bundle.id, "stopped")
    assert "got-term" in oci.read_file(out)
    assert oci.wait_gone(pid)

    r = runtime.delete(bundle.id)
    assert r.rc == 0, str(r)
    assert_gone(runtime, bundle, pid)


def test_kill_default_signal_is_term(runtime, bundle):
    st, out = running(runtime, bundle)
    pid = st["pid"]
    r = runtime.kill(bundle.id)
    assert r.rc == 0, str(r)
    runtime.wait_status(bundle.id, "stopped")
    assert "got-term" in oci.read_file(out)
    assert oci.wait_gone(pid)


@pytest.mark.parametrize("signal", ["KILL", "9"])
def test_kill_sigkill_stops_init_without_handler(runtime, bundle, signal):
    pid = running(runtime, bundle, sh("echo started; exec sleep 1000"))[0]["pid"]
    r = runtime.kill(bundle.id, signal)
    assert r.rc == 0, str(r)
    runtime.wait_status(bundle.id, "stopped")
    assert oci.wait_gone(pid)


def test_kill_created_container(runtime, bundle):
    pid = created(runtime, bundle)[0]["pid"]
    r = runtime.kill(bundle.id, "KILL")
    assert r.rc == 0, str(r)
    runtime.wait_status(bundle.id, "stopped")
    assert oci.wait_gone(pid)


def test_start_of_finished_process_gives_stopped(runtime, bundle):
    created(runtime, bundle, ["true"])
    r = runtime.start(bundle.id)
    assert r.rc == 0, str(r)
    runtime.wait_status(bundle.id, "stopped")
    r = runtime.delete(bundle.id)
    assert r.rc == 0, str(r)
    assert_gone(runtime, bundle)


def test_run_foreground_deletes_the_container(runtime, bundle):
    bundle.set_args(["true"])
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert_gone(runtime, bundle)


def test_init_is_in_cgroups_path(runtime, bundle):
    """linux.cgroupsPath: the init sits in /berth-test/<id> in every v1 hierarchy, or in the
    cgroup2 tree on a pure v2 host; delete removes the directories."""
    pid = running(runtime, bundle)[0]["pid"]
    cgroups = oci.proc_cgroups(pid)
    if cgroupfs.layout() == "v2":
        assert cgroups == {"": bundle.cgroups_path}, cgroups     # the one "0::PATH" line
    else:
        v1 = {c: p for c, p in cgroups.items() if c}     # '' is the cgroup2 line
        assert v1, cgroups
        for controller, path in sorted(v1.items()):
            assert path == bundle.cgroups_path, (controller, cgroups)
    dirs = oci.cgroup_dirs(bundle.cgroups_path)
    for d in dirs:
        if os.path.exists(d + "/cgroup.procs"):
            assert str(pid) in oci.read_file(d + "/cgroup.procs").split(), d
    assert runtime.delete(bundle.id, force=True).rc == 0
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_run_detach_leaves_it_running(runtime, bundle):
    st, _ = running(runtime, bundle)
    assert st["status"] == "running"
    assert oci.pid_alive(st["pid"])
    assert os.readlink("/proc/%d/exe" % st["pid"]).endswith("/bin/busybox")


# The errors of runtime.md.

def test_create_with_existing_id_fails(runtime, bundle, make_bundle):
    pid = created(runtime, bundle)[0]["pid"]
    other = make_bundle("other")
    other.id = bundle.id
    other.cgroups_path = other.config["linux"]["cgroupsPath"] = bundle.cgroups_path + "-other"
    r = runtime.create(other)
    runtime.bundles[bundle.id] = bundle       # teardown: the id belongs to the first
    runtime.bundles[bundle.id + "~other"] = other
    assert r.rc != 0, "second create with the same id succeeded"
    assert r.err.strip()
    st = runtime.state(bundle.id)
    assert (st["status"], st["pid"], st["bundle"]) == ("created", pid, bundle.path)
    assert oci.pid_alive(pid)
    assert oci.cgroup_dirs(other.cgroups_path) == []


def test_start_of_running_container_fails(runtime, bundle):
    pid = running(runtime, bundle)[0]["pid"]
    r = runtime.start(bundle.id)
    assert r.rc != 0, "start of a running container succeeded"
    assert r.err.strip()
    st = runtime.state(bundle.id)
    assert (st["status"], st["pid"]) == ("running", pid)


def test_start_of_stopped_container_fails(runtime, bundle):
    created(runtime, bundle, ["true"])
    assert runtime.start(bundle.id).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    r = runtime.start(bundle.id)
    assert r.rc != 0, "start of a stopped container succeeded"
    assert r.err.strip()
    assert runtime.status(bundle.id) == "stopped"


def test_delete_running_container_needs_force(runtime, bundle):
    pid = running(runtime, bundle)[0]["pid"]
    r = runtime.delete(bundle.id)
    assert r.rc != 0, "delete of a running container succeeded without --force"
    assert r.err.strip()
    assert runtime.status(bundle.id) == "running"
    assert oci.pid_alive(pid)

    r = runtime.delete(bundle.id, force=True)
    assert r.rc == 0, str(r)
    assert_gone(runtime, bundle, pid)


def test_delete_created_container_kills_it(runtime, bundle):
    """runc deletes a created container without --force (containerd relies on it)."""
    pid = created(runtime, bundle)[0]["pid"]
    r = runtime.delete(bundle.id)
    assert r.rc == 0, str(r)
    assert_gone(runtime, bundle, pid)


def test_kill_of_stopped_container_fails(runtime, bundle):
    created(runtime, bundle, ["true"])
    assert runtime.start(bundle.id).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    r = runtime.kill(bundle.id, "KILL")
    assert r.rc != 0, "kill of a stopped container succeeded"
    assert r.err.strip()
    assert runtime.status(bundle.id) == "stopped"


@pytest.mark.parametrize("command", ["state", "start", "kill", "kill KILL", "delete"])
def test_unknown_id_fails(runtime, command):
    cid = oci.unique_id("no-such-container")
    words = command.split()
    r = runtime(words[0], cid, *words[1:])
    assert r.rc != 0, "%s of an unknown id succeeded" % command
    assert r.err.strip()
    assert not os.path.exists(os.path.join(runtime.root, cid))


def test_delete_force_of_unknown_id_succeeds(runtime):
    """runc: `delete --force` is idempotent (engines use it to clean up after a failed create)."""
    cid = oci.unique_id("no-such-container")
    r = runtime.delete(cid, force=True)
    assert r.rc == 0, str(r)
    assert not os.path.exists(os.path.join(runtime.root, cid))


# state, list, --pid-file.

def test_state_json(runtime, bundle, tmp_path):
    bundle.config["annotations"] = {"org.berth.test": "yes", "empty": ""}
    bundle.set_args(WAITER)
    # A relative --bundle: the state must still name it by its absolute path.
    r = runtime.create(bundle, bundle_arg=os.path.basename(bundle.path), cwd=bundle.path + "/..")
    assert r.rc == 0, str(r)
    st = runtime.state(bundle.id)
    assert isinstance(st["ociVersion"], str) and st["ociVersion"].startswith("1.")
    assert st["id"] == bundle.id
    assert st["status"] == "created"
    assert isinstance(st["pid"], int) and st["pid"] > 0
    assert os.path.isabs(st["bundle"])
    assert os.path.realpath(st["bundle"]) == os.path.realpath(bundle.path)
    assert st.get("annotations") == bundle.config["annotations"]


def test_state_of_stopped_container(runtime, bundle):
    created(runtime, bundle, ["true"])
    assert runtime.start(bundle.id).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    st = runtime.state(bundle.id)
    assert (st["id"], st["status"]) == (bundle.id, "stopped")


def test_list(runtime, bundle, make_bundle):
    r = runtime.list(fmt="json")
    assert r.rc == 0, str(r)
    assert json.loads(r.out) in (None, []), "list of an empty root: %r" % r.out  # runc: null

    c_pid = created(runtime, bundle)[0]["pid"]
    second = make_bundle("second")
    r_pid = running(runtime, second)[0]["pid"]
    want = {bundle.id: ("created", c_pid, bundle.path), second.id: ("running", r_pid, second.path)}

    r = runtime.list()
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0].split()[:3] == ["ID", "PID", "STATUS"]
    rows = {line.split()[0]: line.split()[1:4] for line in lines[1:]}
    assert rows == {cid: [str(pid), status, path] for cid, (status, pid, path) in want.items()}

    r = runtime.list(fmt="json")
    assert r.rc == 0, str(r)
    got = {c["id"]: (c["status"], c["pid"], c["bundle"]) for c in json.loads(r.out)}
    assert got == want

    r = runtime.list(quiet=True)
    assert r.rc == 0, str(r)
    assert sorted(r.out.split()) == sorted(want)
    r = runtime("list", "-q")
    assert sorted(r.out.split()) == sorted(want)


def test_pid_file_of_create(runtime, bundle, tmp_path):
    pid_file = str(tmp_path / "init.pid")
    bundle.set_args(WAITER)
    r = runtime.create(bundle, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file).strip())
    runtime.remember_pid(pid)
    assert pid == runtime.state(bundle.id)["pid"]
    assert oci.pid_alive(pid)
    assert oci.ns_link("pid", pid) != oci.ns_link("pid")


def test_pid_file_of_run_detach(runtime, bundle, tmp_path):
    pid_file = str(tmp_path / "init.pid")
    bundle.set_args(WAITER)
    r = runtime.run(bundle, detach=True, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file).strip())
    runtime.remember_pid(pid)
    assert pid == runtime.state(bundle.id)["pid"]
    assert oci.pid_alive(pid)


def test_log_file_is_made_up_front_and_a_bad_one_is_refused(runtime, bundle, tmp_path):
    """--log FILE exists after a quiet command (runc opens it at start), a --log in a
    missing directory fails the command, and --debug writes debug lines there."""
    log = tmp_path / "runtime.log"
    r = runtime("--log", log, "list")
    assert r.rc == 0, str(r)
    assert log.exists()
    r = runtime("--log", tmp_path / "missing" / "x.log", "list")
    assert r.rc != 0
    debug_log = tmp_path / "debug.log"
    bundle.set_args(oci.sh("true"))
    bundle.write()
    runtime._remember(bundle)   # for the teardown, should the run fail
    r = runtime("--debug", "--log", debug_log, "run", "--bundle", bundle.path, bundle.id,
                timeout=oci.RUN_TIMEOUT)
    assert r.rc == 0, str(r)
    assert "debug" in debug_log.read_text()
