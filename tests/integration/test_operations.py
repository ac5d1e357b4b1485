"""kill --all, delete --force of a running container, state annotations.

kill --all signals every process of the container's cgroup, not only the init; delete
--force kills whatever runs and removes the cgroup and the state.
"""

import os

import oci
from oci import sh

# The init handles TERM (so it lives on); its children are plain sleeps.
FAMILY = sh("trap 'echo init-got-term' TERM; sleep 1000 & sleep 1000 & echo started; "
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
    assert oci.wait_for(lambda: "started" in oci.read_file(out))
    init = runtime.state(bundle.id)["pid"]
    assert oci.wait_for(lambda: len(cgroup_pids(bundle)) >= 3), cgroup_pids(bundle)
    children = [p for p in cgroup_pids(bundle) if p != init]
    return init, children, out


def test_kill_signals_the_init_only(runtime, bundle):
    init, children, out = start_family(runtime, bundle)
    assert runtime.kill(bundle.id, "TERM").rc == 0
    assert oci.wait_for(lambda: "init-got-term" in oci.read_file(out))
    assert all(oci.pid_alive(p) for p in children)


def test_kill_all_signals_every_process(runtime, bundle):
    init, children, out = start_family(runtime, bundle)
    assert runtime.kill(bundle.id, "TERM", all=True).rc == 0
    for p in children:
        assert oci.wait_gone(p), "child %d survived kill --all" % p
    assert oci.wait_for(lambda: "init-got-term" in oci.read_file(out))
    assert oci.pid_alive(init)
    assert not set(children) & set(cgroup_pids(bundle))


def test_kill_all_kill_stops_the_container(runtime, bundle):
    init, children, _ = start_family(runtime, bundle)
    assert runtime.kill(bundle.id, "KILL", all=True).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert oci.wait_for(lambda: cgroup_pids(bundle) == [])


def test_delete_force_kills_every_process_and_removes_it(runtime, bundle):
    init, children, _ = start_family(runtime, bundle)
    r = runtime.delete(bundle.id, force=True)
    assert r.rc == 0, str(r)
    for p in [init] + children:
        assert oci.wait_gone(p), "process %d survived delete --force" % p
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
