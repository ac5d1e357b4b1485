"""kill --all, delete --force of a running container, state annotations.

kill --all signals every process of the container's cgroup, not only the init; delete
--force kills whatever runs and removes the cgroup and the state.
"""

import json
import os

import oci
from oci import sh

# The init handles TERM (so it lives on); its children are plain sleeps, which say when
# TERM is back to its default for them (busybox may run `sleep` without an exec, with the
# shell's handler still installed).
FAMILY = sh("trap 'echo init-got-term' TERM; "
            "for i in 1 2; do (trap - TERM; echo child-ready; exec sleep 1000) & done; "
            "while :; do wait; sleep 0.05; done")


def cgroup_pids(bundle):
    for d in oci.cgroup_dirs(bundle.cgroups_path):
        if os.path.exists(d + "/cgroup.procs"):
            return sorted(int(p) for p in oci.read_file(d + "/cgroup.procs").split())
    return []


def start_family(runtime, bundle):
    bundle.set_args(FAMILY)
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    out = runtime.last_out
    assert oci.wait_for(lambda: oci.read_file(out).count("child-ready") == 2)
    init = runtime.state(bundle.id)["pid"]
    assert oci.wait_for(lambda: len(cgroup_pids(bundle)) >= 3), cgroup_pids(bundle)
    children = {p: oci.proc_starttime(p) for p in cgroup_pids(bundle) if p != init}
    return init, children, out


def gone(pid, start, timeout=10):
    """The process pid (started at start) has exited: its pid is free, a zombie, or reused."""
    return oci.wait_for(lambda: not oci.pid_alive(pid) or oci.proc_starttime(pid) != start,
                        timeout=timeout)


def test_kill_signals_the_init_only(runtime, bundle):
    init, children, out = start_family(runtime, bundle)
    assert runtime.kill(bundle.id, "TERM").rc == 0
    assert oci.wait_for(lambda: "init-got-term" in oci.read_file(out))
    assert all(oci.pid_alive(p) for p in children)


def test_kill_all_signals_every_process(runtime, bundle):
    init, children, out = start_family(runtime, bundle)
    assert runtime.kill(bundle.id, "TERM", all=True).rc == 0
    for p, start in children.items():
        assert gone(p, start), "child %d survived kill --all: %s, cgroup %s" % (
            p, oci.read_file("/proc/%d/cmdline" % p), cgroup_pids(bundle))
    assert oci.wait_for(lambda: "init-got-term" in oci.read_file(out))
    assert oci.pid_alive(init)



def test_kill_all_kill_stops_the_container(runtime, bundle):
    init, children, _ = start_family(runtime, bundle)
    assert runtime.kill(bundle.id, "KILL", all=True).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert oci.wait_for(lambda: cgroup_pids(bundle) == [])


def test_delete_force_kills_every_process_and_removes_it(runtime, bundle):
    init, children, _ = start_family(runtime, bundle)
    r = runtime.delete(bundle.id, force=True)
    assert r.rc == 0, str(r)
    children[init] = oci.proc_starttime(init)
    for p, start in children.items():
        assert gone(p, start), "process %d survived delete --force" % p
    assert runtime.state_result(bundle.id).rc != 0
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_state_shows_annotations_while_running_and_stopped(runtime, bundle):
    bundle.config["annotations"] = {"com.example.key": "value", "org.berth.other": "x y"}
    bundle.set_args(["sleep", "1000"])
    assert runtime.run(bundle, detach=True).rc == 0
    st = runtime.state(bundle.id)
    assert st["status"] == "running"
    assert st["annotations"] == bundle.config["annotations"]
    assert runtime.kill(bundle.id, "KILL").rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.state(bundle.id)["annotations"] == bundle.config["annotations"]


def test_kill_signal_zero_checks_that_the_container_lives(runtime, bundle):
    """`kill ID 0` (runc's liveness probe) succeeds on a live container without signalling
    it, and fails once it is stopped."""
    bundle.set_args(sh("trap 'exit 3' USR1 TERM INT HUP; while :; do sleep 0.05; done"))
    assert runtime.run(bundle, detach=True).rc == 0
    r = runtime.kill(bundle.id, 0)
    assert r.rc == 0, str(r)
    assert runtime.state(bundle.id)["status"] == "running"
    assert runtime.kill(bundle.id, "KILL").rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.kill(bundle.id, 0).rc != 0


def test_run_keep_leaves_the_stopped_container(runtime, bundle):
    """`run --keep`: after the process exits the container stays, stopped, until delete."""
    bundle.set_args(sh("exit 0"))
    r = runtime.run(bundle, "--keep")
    assert r.rc == 0, str(r)
    assert runtime.state(bundle.id)["status"] == "stopped"
    assert runtime.delete(bundle.id).rc == 0
    assert runtime.state_result(bundle.id).rc != 0


def test_list_is_sorted_by_id(runtime, make_bundle):
    """`list` orders containers by id (runc reads its state directory sorted)."""
    bundles = [make_bundle("c%d" % i) for i in range(4)]
    for b in bundles:
        b.set_args(sh("sleep 1000"))
        assert runtime.create(b).rc == 0
    mine = {b.id for b in bundles}
    r = runtime.list(quiet=True)
    assert r.rc == 0, str(r)
    ids = [i for i in r.out.split() if i in mine]
    assert ids == sorted(mine)
    r = runtime.list(fmt="json")
    ids = [c["id"] for c in json.loads(r.out) if c["id"] in mine]
    assert ids == sorted(mine)
