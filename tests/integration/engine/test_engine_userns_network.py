"""User namespaces on bridge networks (issues 14 and 18): the engine makes the container's
network namespace in a user namespace of the container's maps (so that the container's root
mounts its own /sys), moves the veth in, and the runtime joins both. Root in the container
stays an unprivileged host uid; the network works as without a user namespace: addresses,
names, published ports, restarts.

Every test runs the engine in a network namespace of its own (fixture `nb` of
test_engine_network.py, which also checks that the host's network is unchanged).
"""

import ipaddress
import os

from test_engine_default_bridge import bridge_subnet, default_network
from test_engine_network import BUSYBOX, crash_at, crash_points, nb, ns_ip  # noqa: F401
from test_engine_ports import ENGINE_ADDR, fetch, pn, wait_listening  # noqa: F401
from test_engine_userns import subids, run_dir_released, uid_line, uid_map  # noqa: F401
from test_userns import userns_owner

def sys_mount_type(pid):
    """The filesystem type of the container's /sys, from its mountinfo."""
    with open("/proc/%d/mountinfo" % pid) as f:
        for line in f:
            fields = line.split()
            if fields[4] == "/sys":
                return fields[fields.index("-") + 1]
    raise AssertionError("no /sys in the container")


def start(b, name, *flags):
    b("run", "-d", "--name", name, *flags, BUSYBOX, "sleep", "1000")
    b.wait_status(name, "running")
    return b.pid(name)


def test_default_network_with_userns_auto(nb, subids):
    b = default_network(nb)
    pid = start(b, "u1", "--userns", "auto")
    start(b, "u2", "--userns", "auto")
    # root inside is an unprivileged host uid of user berth's range
    uids = uid_line(pid)
    assert uids[0] != 0 and subids[0] <= uids[0] < subids[0] + subids[1], uids
    assert uid_map(pid)[0][:2] == (0, uids[0])
    # the network namespace is the container's user namespace's, so /sys is its own sysfs
    # showing its own eth0 (docker would bind the host's /sys)
    user_ino = os.stat("/proc/%d/ns/user" % pid).st_ino
    assert userns_owner(pid, "net") == user_ino
    assert sys_mount_type(pid) == "sysfs"
    assert "eth0" in b("exec", "u1", "ls", "/sys/class/net").out.split()
    # an address on the default network, a route out, and the other container reachable
    subnet, gateway = bridge_subnet(b)
    ip = b.inspect("u1")["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    assert ipaddress.ip_address(ip) in subnet
    assert "default via %s dev eth0" % gateway in b("exec", "u1", "ip", "route").out
    b("exec", "u2", "ping", "-c1", "-W2", ip)
    # stop and start: a new pair of namespaces, the same mapping
    b("stop", "-t", "0", "u1")
    pid = start_again(b, "u1")
    assert userns_owner(pid, "net") == os.stat("/proc/%d/ns/user" % pid).st_ino
    assert uid_line(pid)[0] == uids[0]
    b("exec", "u2", "ping", "-c1", "-W2",
      b.inspect("u1")["NetworkSettings"]["Networks"]["bridge"]["IPAddress"])
    b("rm", "-f", "u1", "u2")


def start_again(b, name):
    b("start", name)
    b.wait_status(name, "running")
    return b.pid(name)


def test_user_network_names_and_explicit_maps(nb, subids):
    base = subids[0]
    nb("network", "create", "--subnet", "10.67.0.0/24", "un")
    pid = start(nb, "m1", "--network", "un", "--uidmap", "0:%d:65536" % (base + 300000))
    start(nb, "m2", "--network", "un", "--userns", "auto")
    assert uid_line(pid)[0] == base + 300000
    assert userns_owner(pid, "net") == os.stat("/proc/%d/ns/user" % pid).st_ino
    # the network's name server answers for the other container, as without a user namespace
    nb("exec", "m2", "ping", "-c1", "-W2", "m1")
    # with NET_ADMIN, root in its user namespace changes its own devices, not the host's
    pid = start(nb, "m3", "--network", "un", "--userns", "auto", "--cap-add", "NET_ADMIN")
    nb("exec", "m3", "ip", "link", "set", "eth0", "down")
    nb("exec", "m3", "ip", "link", "set", "eth0", "name", "x0")
    assert "x0" in nb("exec", "m3", "ls", "/sys/class/net").out.split()
    assert "x0" not in ns_ip(nb.netns, "-o", "link").stdout
    nb("rm", "-f", "m1", "m2", "m3")
    nb("network", "rm", "un")


def test_published_port_with_userns(pn, subids):
    cid = wait_listening(pn, pn("run", "-d", "--network", "pn", "--userns", "auto", "-p",
                                "8090:80", BUSYBOX, "httpd", "-f", "-p", "80", "-h",
                                "/etc").out.strip())
    assert fetch(pn.netns, "127.0.0.1", 8090) == cid[:12]
    assert fetch(pn.outside, ENGINE_ADDR, 8090) == cid[:12]
    pn("rm", "-f", cid)


def test_failed_start_leaves_no_namespace(nb, subids):
    """A start that fails after the namespaces were made leaves neither bound."""
    nb("network", "create", "--subnet", "10.68.0.0/24", "fn")
    r = nb("run", "-d", "--name", "f1", "--network", "fn", "--userns", "auto", BUSYBOX,
           "/no/such/program", check=False)
    assert r.rc != 0
    d = os.path.join(nb.root, "containers", nb.inspect("f1")["Id"])
    assert not os.path.exists(os.path.join(d, "userns"))
    assert not os.path.exists(os.path.join(d, "netns"))
    with open("/proc/self/mountinfo") as f:
        assert d not in f.read()
    nb("rm", "-f", "f1")
    nb("network", "rm", "fn")




def test_killed_at_each_step_of_a_userns_run(nb, subids, tmp_path):
    """berth killed at each crash point of `run --userns auto --network NAME`: the next
    commands remove the container and nothing of its namespaces stays mounted."""
    nb("network", "create", "--subnet", "10.69.0.0/24", "kn")
    args = ("run", "-d", "--network", "kn", "--userns", "auto", BUSYBOX, "sleep", "600")
    cid, points = crash_points(nb, tmp_path, *args)
    assert "start-netns" in points and "start-network" in points, points
    nb("rm", "-f", cid)
    for point in points:
        crash_at(nb, point, *args)
        for c in nb("ps", "-aq", "--no-trunc").out.split():
            nb("rm", "-f", c)
        with open("/proc/self/mountinfo") as f:
            left = [ln.split()[4] for ln in f if nb.root in ln.split()[4]]
        assert not [m for m in left if m.endswith(("/netns", "/userns"))], (point, left)
    nb("network", "rm", "kn")
