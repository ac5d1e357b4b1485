"""The same scenarios through Docker, Podman and containerd (ctr), with berth-runtime and
with runc as the OCI runtime: each test runs once per (client, runtime).

A scenario passes with runc, so it shows what a correct runtime does under that client;
the berth instance then shows whether berth-runtime is a drop-in for it. The known berth
gaps are listed in gaps.py (strict xfails).
"""

import os
import time

import pytest

from drivers import Opts

MiB = 1024 * 1024
SLEEPER = ["sleep", "1000"]


def only_clients(*names):
    """Run the test for these clients only (the others cannot express the scenario)."""
    return pytest.mark.only_clients(names)


def read(path):
    with open(path) as f:
        return f.read().strip()


def wait_until(pred, timeout=15, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def cgroup_v2(path):
    return os.path.exists(os.path.join(path, "cgroup.controllers"))


# --------------------------------------------------------------------------- run

def test_run_output(client):
    r = client.run(["echo", "hello from a container"])
    assert r.rc == 0, r
    assert r.out.strip() == "hello from a container", r


def test_exit_code(client):
    r = client.run(["sh", "-c", "echo failing; exit 42"])
    assert r.rc == 42, r
    assert "failing" in r.out, r


# The exit code each client gives when the command does not exist in the image (what it
# makes of the runtime's error: Docker and Podman look for "no such file or directory" /
# "executable file not found" in it).
MISSING_COMMAND_RC = {"docker": 127, "podman": 127, "containerd": 1}


def test_missing_command(client):
    r = client.run(["/no/such/command"])
    assert r.rc == MISSING_COMMAND_RC[client.name], r
    assert "no such file or directory" in (r.out + r.err).lower(), r


def test_runtime_error_reaches_client(client):
    """The runtime's own reason for a failed create reaches the user (--log-format json
    logs, read back by the shim or conmon): here the working directory is a file."""
    r = client.run(["true"], Opts(workdir="/etc/passwd"))
    assert r.rc != 0, r
    assert "not a directory" in (r.out + r.err).lower(), r


def test_env_workdir_user(client):
    opts = Opts(env={"GREETING": "hi there"}, workdir="/tmp", user="1000:1000")
    r = client.run(["sh", "-c", 'echo "$GREETING|$(pwd)|$(id -u):$(id -g)"'], opts)
    assert r.rc == 0, r
    assert r.out.strip().splitlines()[-1] == "hi there|/tmp|1000:1000", r


def test_tty(client):
    # The pause at the end: ctr 1.6 can lose the last output of a task on a terminal that
    # exits at once (with runc too).
    r = client.run(["sh", "-c", "test -t 0 && test -t 1 && echo on-a-tty; tty; sleep 0.3"],
                   Opts(tty=True))
    assert r.rc == 0, r
    assert "on-a-tty" in r.out, r
    assert "/dev/pts/" in r.out, r


def test_read_only_root(client):
    r = client.run(["sh", "-c", "touch /newfile 2>&1; echo rc=$?"], Opts(read_only=True))
    assert r.rc == 0, r
    assert "rc=1" in r.out and "read-only file system" in r.out.lower(), r


def test_cap_drop(client):
    r = client.run(["grep", "-E", "^Cap(Eff|Bnd)", "/proc/self/status"],
                   Opts(cap_drop=["CHOWN"]))
    assert r.rc == 0, r
    caps = dict(line.split(":\t") for line in r.out.strip().splitlines())
    for kind in ("CapEff", "CapBnd"):
        mask = int(caps[kind], 16)
        assert not mask & (1 << 0), "%s %s still has CAP_CHOWN" % (kind, caps[kind])
        assert mask & (1 << 1), "%s %s lost CAP_DAC_OVERRIDE too" % (kind, caps[kind])


def test_loopback_up(client):
    """A new network namespace gets lo up (runc and crun do it; Docker's libnetwork hook
    does it too): programs expect 127.0.0.1 to work."""
    r = client.run(["sh", "-c", "ip -o link show lo; ping -c1 -W2 127.0.0.1 >/dev/null && "
                    "echo ping-ok"])
    assert r.rc == 0, r
    assert ",UP" in r.out and "ping-ok" in r.out, r


@only_clients("docker")
def test_bridge_network(client):
    """Docker attaches a container to a bridge network from its libnetwork-setkey prestart
    hook (the runtime must run hooks). Only addresses are looked at: no traffic."""
    r = client.run(["ip", "-o", "-4", "addr", "show", "eth0"],
                   Opts(network=client.d.BRIDGE_NET))
    assert r.rc == 0, r
    assert "inet 10.213.7." in r.out, r


# --------------------------------------------------------------------------- detached

def test_detached_exec_logs_stop_rm(client):
    name = client.start(["sh", "-c", 'echo started; trap "echo got-term; exit 3" TERM; '
                         "while :; do sleep 0.1; done"])
    assert wait_until(lambda: "started" in client.logs(name)), client.logs(name)
    st = client.inspect(name)
    assert st.status == "running" and st.pid > 0, st

    r = client.exec(name, ["sh", "-c", "echo from-exec; cat /proc/1/comm"])
    assert r.rc == 0, r
    assert r.out.split() == ["from-exec", "sh"], r

    r = client.exec(name, ["sh", "-c", "exit 7"])
    assert r.rc == 7, r

    t0 = time.monotonic()
    client.stop(name, timeout=20)
    assert time.monotonic() - t0 < 15, "stop took %.1fs: SIGTERM not delivered?" % (
        time.monotonic() - t0)
    st = client.wait_status(name, ("exited",))
    if st.exit_code is not None:
        assert st.exit_code == 3, st
    assert "got-term" in client.logs(name)
    client.rm(name)
    client.created.remove(name)


def test_exec_user(client):
    name = client.start(SLEEPER)
    client.wait_status(name, ("running",))
    r = client.exec(name, ["id", "-u"], user="1000")
    assert r.rc == 0 and r.out.strip() == "1000", r
    r = client.exec(name, ["id", "-u"])
    assert r.rc == 0 and r.out.strip() == "0", r


def test_kill(client):
    name = client.start(SLEEPER)
    client.wait_status(name, ("running",))
    client.kill(name, "KILL")
    st = client.wait_status(name, ("exited",))
    if st.exit_code is not None:
        assert st.exit_code == 137, st
    client.rm(name)
    client.created.remove(name)


def test_pause_unpause(client):
    name = client.start(SLEEPER)
    st = client.wait_status(name, ("running",))
    freezer = client.host_cgroup(name, "freezer")
    r = client.pause(name)
    assert r.rc == 0, r
    client.wait_status(name, ("paused",))
    if cgroup_v2(freezer):
        assert read(os.path.join(freezer, "cgroup.freeze")) == "1"
    else:
        assert read(os.path.join(freezer, "freezer.state")) == "FROZEN"
    r = client.unpause(name)
    assert r.rc == 0, r
    client.wait_status(name, ("running",))
    if cgroup_v2(freezer):
        assert read(os.path.join(freezer, "cgroup.freeze")) == "0"
    else:
        assert read(os.path.join(freezer, "freezer.state")) == "THAWED"
    assert client.inspect(name).pid == st.pid


def test_top(client):
    name = client.start(SLEEPER)
    st = client.wait_status(name, ("running",))
    r = client.top(name)
    assert r.rc == 0, r
    if client.name == "containerd":
        assert str(st.pid) in r.out.split(), r   # ctr task ps lists host pids
    else:
        assert "sleep 1000" in r.out, r


# --------------------------------------------------------------------------- cgroups

def test_cgroups_under_parent(client):
    """Every hierarchy places the container under the absolute parent we configured:
    nothing under the caller's own cgroup (on this host, the machine's /process_api)."""
    name = client.start(SLEEPER)
    st = client.wait_status(name, ("running",))
    with open("/proc/%d/cgroup" % st.pid) as f:
        lines = f.read().splitlines()
    parent = client.world.cgroup_parent + "/"
    wrong = [line for line in lines if not line.split(":", 2)[2].startswith(parent)]
    assert not wrong, "cgroups outside %s: %s" % (parent, wrong)


def test_limits(client):
    opts = Opts(memory=64 * MiB, pids=77, cpus=0.5)
    name = client.start(SLEEPER, opts)
    client.wait_status(name, ("running",))
    mem = client.host_cgroup(name, "memory")
    pids = client.host_cgroup(name, "pids")
    cpu = client.host_cgroup(name, "cpu")
    for d in (mem, pids, cpu):
        assert d and client.world.cgroup_parent in d, d
    if cgroup_v2(mem):
        assert read(os.path.join(mem, "memory.max")) == str(64 * MiB)
        assert read(os.path.join(cpu, "cpu.max")) == "50000 100000"
    else:
        assert read(os.path.join(mem, "memory.limit_in_bytes")) == str(64 * MiB)
        assert read(os.path.join(cpu, "cpu.cfs_quota_us")) == "50000"
        assert read(os.path.join(cpu, "cpu.cfs_period_us")) == "100000"
    assert read(os.path.join(pids, "pids.max")) == "77"


@only_clients("docker", "podman")
def test_limits_seen_inside(client):
    """Inside, /sys/fs/cgroup shows the container's own cgroup (ctr's default spec
    mounts no cgroupfs, so containerd is not asked)."""
    opts = Opts(memory=64 * MiB, pids=77)
    script = ("for f in memory/memory.limit_in_bytes memory.max pids/pids.max pids.max; do "
              "test -f /sys/fs/cgroup/$f && echo $f=$(cat /sys/fs/cgroup/$f); done; true")
    r = client.run(["sh", "-c", script], opts)
    assert r.rc == 0, r
    seen = dict(line.split("=", 1) for line in r.out.split())
    mem = seen.get("memory/memory.limit_in_bytes") or seen.get("memory.max")
    pids = seen.get("pids/pids.max") or seen.get("pids.max")
    assert mem == str(64 * MiB) and pids == "77", r


def test_oom_reported(client):
    client.begin_events()
    name = client.start(["sh", "-c", "sleep 1; dd if=/dev/zero of=/dev/null bs=256M count=1"],
                        Opts(memory=32 * MiB))
    st = client.wait_status(name, ("exited",), timeout=60)
    if st.exit_code is not None:
        assert st.exit_code == 137, st
    assert wait_until(lambda: client.oom_reported(name), timeout=10), \
        "%s did not report the OOM kill" % client.name


@only_clients("containerd")
def test_systemd_cgroup_driver_refused(client):
    """With the systemd cgroup driver (--systemd-cgroup) and no systemd on the host, the
    runtime refuses, the client shows why, and nothing is left behind. (Docker with
    native.cgroupdriver=systemd passes the same flag through the same shim; Podman with
    cgroup_manager=systemd fails in Podman itself without systemd.)"""
    before = settled_snapshot(client)
    r = client.run_systemd_cgroup(["true"])
    assert r.rc != 0, r
    assert "systemd" in r.err.lower(), r
    assert wait_until(lambda: not added_since(before, snapshot(client)), timeout=10), \
        "left behind: %s" % added_since(before, snapshot(client))


# --------------------------------------------------------------------------- leaks

def test_many_containers_no_leaks(client):
    """Containers in a row leave nothing behind: mounts, cgroups, runtime state dirs,
    processes (shims, conmon, container inits)."""
    r = client.run(["true"])  # warm-up: the client's own one-time dirs (podman's conmon cgroup)
    assert r.rc == 0, r
    before = settled_snapshot(client)
    for i in range(8):
        r = client.run(["sh", "-c", "echo run-%d" % i])
        assert r.rc == 0 and r.out.strip() == "run-%d" % i, r
    for _ in range(2):
        name = client.start(SLEEPER)
        client.wait_status(name, ("running",))
        client.kill(name, "KILL")
        client.wait_status(name, ("exited",))
        client.rm(name)
        client.created.remove(name)
    added = wait_until(lambda: not added_since(before, snapshot(client)), timeout=20) or \
        added_since(before, snapshot(client))
    assert added is True, "left behind: %s" % added


def added_since(before, after):
    """What after has that before had not, per kind; {} when nothing was added."""
    out = {k: sorted(set(after[k]) - set(before[k])) for k in after}
    return {k: v for k, v in out.items() if v}


def settled_snapshot(client, timeout=10):
    """A snapshot taken once the client's leftovers of earlier commands are gone (the
    conmon or shim of a container that just exited): two in a row, 0.3 s apart, agree."""
    deadline = time.monotonic() + timeout
    prev = snapshot(client)
    while True:
        time.sleep(0.3)
        cur = snapshot(client)
        if cur == prev or time.monotonic() > deadline:
            return cur
        prev = cur


def snapshot(client):
    w = client.world
    return {
        "mounts": sorted(w.mounts()),
        "cgroups": w.cgroup_dirs(),
        "state_dirs": client.state_dirs(),
        "processes": sorted(harness_cmd(p) for p in w.our_processes()),
    }


def harness_cmd(pid):
    import harness
    return harness.cmdline(pid)[:200]
