"""berth system boot: after a reboot (simulated: every monitor and container process killed
with SIGKILL, every mount under the engine root gone), the containers whose restart policy
says so come back, as dockerd's restore brings them back when it starts (berth issue 16)."""

import os
import signal
import subprocess

import cgroupfs
import oci
from enginehelp import monitors_of


def container_pids(berth, ref):
    """Every process in the container's cgroup (pids controller, or the v2 one)."""
    path = cgroupfs.cgdir(berth.cgroup(ref), "pids")
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def reboot(berth, names):
    """What a power cut leaves: the monitors and every container process gone, at once
    (monitors first, so none of them can see its container exit and restart it), and
    no mount under the root; config.json, state.json and the runtime's state stay."""
    victims = [p for n in names for p in container_pids(berth, n)]
    monitors = monitors_of(berth.root)
    for pid in monitors:
        os.kill(pid, signal.SIGKILL)
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in monitors + victims:
        assert oci.wait_for(lambda: oci.proc_state(pid) in (None, "Z"), 10), pid
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split()[4] for line in f]
    for m in reversed(mounts):
        if m.startswith(berth.root + "/"):
            subprocess.run(["umount", "-l", m], check=True)


def status(berth, name):
    return berth.status(name)


def test_boot_starts_what_the_restart_policies_say(berth):
    run = ("run", "-d")
    berth(*run, "--name", "always", "--restart", "always", "busybox", "sleep", "1000")
    berth(*run, "--name", "always-stopped", "--restart", "always", "busybox", "sleep", "1000")
    berth(*run, "--name", "unless", "--restart", "unless-stopped", "busybox", "sleep", "1000")
    berth(*run, "--name", "unless-stopped", "--restart", "unless-stopped", "busybox", "sleep",
          "1000")
    berth(*run, "--name", "onfail", "--restart", "on-failure", "busybox", "sleep", "1000")
    berth(*run, "--name", "plain", "busybox", "sleep", "1000")
    berth(*run, "--name", "gone", "--rm", "busybox", "sleep", "1000")
    berth("create", "--name", "never", "--restart", "always", "busybox", "sleep", "1000")
    berth(*run, "--name", "joiner", "--restart", "always", "--pid", "container:always",
          "busybox", "sleep", "1000")
    berth(*run, "--name", "netjoiner", "--restart", "always", "--network", "container:always",
          "busybox", "sleep", "1000")
    running = ["always", "always-stopped", "unless", "unless-stopped", "onfail", "plain", "gone",
               "joiner", "netjoiner"]
    for n in running:
        berth.wait_status(n, "running")
    berth("stop", "-t", "0", "always-stopped", "unless-stopped")
    gone_id = berth.inspect("gone")["Id"]

    reboot(berth, running)
    r = berth("system", "boot")
    started = sorted(r.out.split())
    assert started == ["always", "always-stopped", "joiner", "netjoiner", "onfail", "unless"], r

    for n in started:
        assert status(berth, n) == "running", n
    assert status(berth, "unless-stopped") == "exited"
    assert status(berth, "plain") == "exited"
    assert berth.inspect("plain")["State"]["ExitCode"] == 137
    assert status(berth, "never") == "created"
    assert gone_id not in berth.containers()
    # the joiner came after its donor, into the donor's new PID namespace
    assert os.readlink("/proc/%d/ns/pid" % berth.pid("joiner")) == \
        os.readlink("/proc/%d/ns/pid" % berth.pid("always"))
    assert os.readlink("/proc/%d/ns/net" % berth.pid("netjoiner")) == \
        os.readlink("/proc/%d/ns/net" % berth.pid("always"))
    # a second boot finds everything as it should be: nothing to do
    again = berth("system", "boot")
    assert again.out == "" and again.rc == 0, again
    berth("rm", "-f", *reversed(berth.containers()))


def test_boot_with_nothing_to_do(berth):
    r = berth("system", "boot")
    assert r.rc == 0 and r.out == "", r
    r = berth("system", "boot", "extra", check=False)
    assert r.rc == 125, r
