"""--pid, --ipc and --uts: the host's namespaces or another running container's, as
docker's (berth issue 16). What the kernel shows (/proc/PID/ns links) is the check."""

import json
import os
import socket

import pytest

import oci


@pytest.fixture(autouse=True)
def removed(berth):
    """Every container a test made is removed (rm -f, joiners first) before the berth
    fixture checks that nothing is left."""
    yield
    ids = berth.containers()
    if ids:
        berth("rm", "-f", *reversed(ids))


def ns_of(pid, kind):
    return os.readlink("/proc/%d/ns/%s" % (pid, kind))


def donor(berth, name="donor", *extra):
    berth("run", "-d", "--name", name, *extra, "busybox", "sleep", "1000")
    berth.wait_status(name, "running")
    return berth.pid(name)


def test_host_modes_share_the_hosts_namespaces(berth):
    berth("run", "-d", "--name", "hh", "--pid", "host", "--ipc", "host", "--uts", "host",
          "busybox", "sleep", "1000")
    pid = berth.pid("hh")
    for kind in ("pid", "ipc", "uts"):
        assert ns_of(pid, kind) == ns_of(os.getpid(), kind), kind
    # the container keeps its own mount and network namespaces
    assert ns_of(pid, "mnt") != ns_of(os.getpid(), "mnt")
    assert berth("exec", "hh", "hostname").out.strip() == socket.gethostname()
    # the host's processes are visible, our own among them
    assert str(os.getpid()) in berth("exec", "hh", "ps", "-o", "pid").out.split()
    host = berth.inspect("hh")["HostConfig"]
    assert (host["PidMode"], host["IpcMode"], host["UTSMode"]) == ("host", "host", "host")


def test_default_modes_are_private(berth):
    pid = donor(berth, "pp")
    for kind in ("pid", "ipc", "uts"):
        assert ns_of(pid, kind) != ns_of(os.getpid(), kind), kind
    host = berth.inspect("pp")["HostConfig"]
    assert (host["PidMode"], host["IpcMode"], host["UTSMode"]) == ("", "private", "")


def test_container_modes_join_the_donors_namespaces(berth):
    dpid = donor(berth, "donor", "--ipc", "shareable", "--hostname", "giver")
    berth("run", "-d", "--name", "jj", "--pid", "container:donor", "--ipc", "container:donor",
          "--uts", "container:donor", "busybox", "sleep", "1000")
    jpid = berth.pid("jj")
    for kind in ("pid", "ipc", "uts"):
        assert ns_of(jpid, kind) == ns_of(dpid, kind), kind
    assert ns_of(jpid, "mnt") != ns_of(dpid, "mnt")
    assert berth("exec", "jj", "hostname").out.strip() == "giver"
    # one PID namespace: the donor's sleep is PID 1 in the joiner too
    assert "sleep" in berth("exec", "jj", "cat", "/proc/1/cmdline").out
    # one /dev/shm: a file made by one is seen by the other
    berth("exec", "donor", "sh", "-c", "echo shared > /dev/shm/x")
    assert berth("exec", "jj", "cat", "/dev/shm/x").out == "shared\n"


def test_joining_follows_the_donor_by_id(berth):
    donor(berth, "d2", "--ipc", "shareable")
    berth("create", "--name", "j2", "--pid", "container:d2", "--ipc", "container:d2",
          "--uts", "container:d2", "busybox", "sleep", "1000")
    # recorded as dockerd records it: by id, so a renamed or restarted donor is followed
    did = berth.inspect("d2")["Id"]
    host = berth.inspect("j2")["HostConfig"]
    assert (host["PidMode"], host["IpcMode"], host["UTSMode"]) == \
        ("container:" + did,) * 3
    berth("restart", "-t", "0", "d2")
    berth("rename", "d2", "d2b")
    berth.wait_status("d2b", "running")
    berth("start", "j2")
    assert ns_of(berth.pid("j2"), "pid") == ns_of(berth.pid("d2b"), "pid")


def test_a_donor_that_does_not_run_is_refused(berth):
    idle = berth("create", "--name", "idle", "--ipc", "shareable", "busybox",
                 "true").out.strip()
    # dockerd names the donor by the id it recorded at create
    r = berth("run", "--rm", "--pid", "container:idle", "busybox", "true", check=False)
    assert r.rc != 0 and "cannot join PID of a non running container: " + idle in r.err, r
    r = berth("run", "--rm", "--ipc", "container:idle", "busybox", "true", check=False)
    assert r.rc != 0 and "can't join IPC of container " + idle in r.err \
        and "is not running" in r.err, r
    r = berth("run", "--rm", "--uts", "container:nosuch", "busybox", "true", check=False)
    assert r.rc != 0 and "No such container: nosuch" in r.err, r
    # nothing was left: only the idle donor exists
    assert berth.containers() == [berth.inspect("idle")["Id"]]


def test_a_private_ipc_cannot_be_joined(berth):
    donor(berth, "priv")
    r = berth("run", "--rm", "--ipc", "container:priv", "busybox", "true", check=False)
    assert r.rc != 0 and "non-shareable IPC" in r.err, r


def test_ipc_none_has_no_dev_shm(berth):
    r = berth("run", "--rm", "--ipc", "none", "busybox", "sh", "-c",
              "test -e /dev/shm && echo there || echo absent")
    assert r.out.strip() == "absent"


def test_shareable_dev_shm_is_sized_and_released(berth):
    donor(berth, "ss", "--ipc", "shareable", "--shm-size", "8m")
    out = berth("exec", "ss", "df", "-k", "/dev/shm").out.splitlines()[-1].split()
    assert out[1] == "8192", out
    cdir = os.path.join(berth.root, "containers", berth.inspect("ss")["Id"], "shm")
    with open("/proc/self/mountinfo") as f:
        assert any(line.split()[4] == cdir for line in f)
    berth("stop", "-t", "0", "ss")
    with open("/proc/self/mountinfo") as f:
        assert not any(line.split()[4] == cdir for line in f)


def test_bad_modes_are_refused_before_anything_is_made(berth):
    for flag, mode, msg in (("--pid", "bogus", "--pid: invalid PID mode"),
                            ("--ipc", "container:", "--ipc: invalid IPC mode"),
                            ("--uts", "private", "--uts: invalid UTS mode")):
        r = berth("run", "--rm", flag, mode, "busybox", "true", check=False)
        assert r.rc == 125 and msg in r.err, r
    r = berth("run", "--rm", "--uts", "host", "--hostname", "x", "busybox", "true", check=False)
    assert r.rc == 125 and "conflicting options: hostname and the UTS mode" in r.err, r
    r = berth("run", "--rm", "--pid", "host", "--userns", "auto", "busybox", "true",
              check=False)
    assert r.rc == 125 and "user namespace" in r.err, r
    assert berth.containers() == []


def test_oci_config_has_the_paths_and_no_hostname(berth):
    dpid = donor(berth, "cfgd")
    berth("create", "--name", "cj", "--uts", "container:cfgd", "--pid", "host", "busybox",
          "true")
    # config.json is written at start: start, then read the bundle's
    berth("start", "cj")
    cid = berth.inspect("cj")["Id"]
    with open(os.path.join(berth.root, "containers", cid, "bundle", "config.json")) as f:
        spec = json.load(f)
    nss = {n["type"]: n.get("path") for n in spec["linux"]["namespaces"]}
    assert "pid" not in nss
    assert nss["uts"] == "/proc/%d/ns/uts" % dpid
    assert "hostname" not in spec
    assert oci.wait_for(lambda: berth.status("cj") == "exited")
