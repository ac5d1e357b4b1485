"""The seed's example: a detached, named container running ping, seen with ps, logs, ns and
top, then stopped and removed with nothing left (mounts, cgroups, processes, state)."""

import os
import re

import oci


def test_detached_named_ping(berth):
    cid = berth("run", "-d", "--name", "pinger", "busybox", "ping", "127.0.0.1").out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid)
    berth.wait_log("pinger", r"64 bytes from 127\.0\.0\.1")

    ps = berth("ps").out.splitlines()
    assert re.match(r"CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$", ps[0])
    assert len(ps) == 2
    assert ps[1].startswith(cid[:12])
    assert '"ping 127.0.0.1"' in ps[1] and re.search(r"\bUp ", ps[1])
    assert ps[1].split()[-1] == "pinger"

    pid = berth.pid("pinger")
    with open("/proc/%d/cmdline" % pid) as f:
        assert f.read().split("\0")[:2] == ["ping", "127.0.0.1"]
    ns = {line.split()[0]: line.split() for line in berth("ns", "pinger").out.splitlines()[1:]}
    for kind in ("pid", "mnt", "uts", "ipc", "net", "cgroup"):
        assert ns[kind][1] == str(os.stat("/proc/%d/ns/%s" % (pid, kind)).st_ino)
        assert ns[kind][1] != str(os.stat("/proc/self/ns/%s" % kind).st_ino)
        assert ns[kind][2] == str(pid) and ns[kind][3] == "no"
    assert ns["user"][3] == "yes"

    top = berth("top", "pinger").out.splitlines()
    assert "PID" in top[0].split() and "CMD" in top[0].split()
    assert any(line.split()[1] == str(pid) and line.endswith("ping 127.0.0.1")
               for line in top[1:])

    # the container is in its cgroup under the parent given
    assert any(berth.cgroup_parent + "/" + cid in line for line in oci.proc_cgroups(pid).values())

    assert berth("stop", "-t", "1", "pinger").out == "pinger\n"
    assert oci.proc_state(pid) is None
    ps = berth("ps", "-a").out.splitlines()
    assert re.search(r"Exited \(137\)", ps[1])
    assert berth("ps", "-q").out == ""
    assert berth("rm", "pinger").out == "pinger\n"
    assert berth("ps", "-aq").out == ""
    assert berth.leftovers() == []
