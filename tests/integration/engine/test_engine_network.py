"""berth network create/ls/inspect/rm/prune and run --network NAME / --ip (issue 14), as
docker 20.10 behaves.

Every test runs the engine in a network namespace of its own (fixture `nb`: `ip netns add`,
then every berth command through `nsenter --net`, not `ip netns exec`, which remounts /sys).
The bridges, veths and routes berth makes are in it; nothing is sent outside it. After each
test the host's routes, rules, ip_forward, nft ruleset (when nft is installed) must be
unchanged, and no link of berth's names (br-*, vb*) may have appeared on the host.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

import oci

BUSYBOX = "busybox"


def host_net_state():
    def out(*argv):
        p = subprocess.run(argv, capture_output=True, text=True)
        return p.stdout if p.returncode == 0 else "rc=%d" % p.returncode

    state = {
        "route": out("ip", "route", "show", "table", "all"),
        "rule": out("ip", "rule"),
        "ip_forward": oci.read_file("/proc/sys/net/ipv4/ip_forward"),
    }
    if shutil.which("nft"):
        state["nft"] = out("nft", "list", "ruleset")
    return state


def host_links():
    p = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    return {l.split(":")[1].strip().split("@")[0] for l in p.stdout.splitlines()}


def ns_ip(ns, *args, check=True):
    return subprocess.run(["ip", "-n", ns] + list(args), capture_output=True, text=True,
                          check=check)


def ns_links(ns):
    """The links of namespace ns but lo, one line each."""
    return [l for l in ns_ip(ns, "-o", "link").stdout.splitlines() if ": lo:" not in l]


def wait_no_veth(ns, prefix="vb"):
    """The kernel destroys a network namespace (and so the veth pairs in it) in a work
    queue after its last reference goes: wait for the host ends to go."""
    gone = lambda: not [l for l in ns_links(ns) if (": %s" % prefix) in l]
    oci.wait_for(gone, 10)
    return gone()


@pytest.fixture
def nb(berth):
    """The berth fixture, its commands run in a new network namespace (berth.netns)."""
    if not shutil.which("ip") or not shutil.which("nsenter"):
        oci.skip("ip (iproute2) and nsenter (util-linux) are needed")
    before, links = host_net_state(), host_links()
    name = oci.netns_name("net")
    subprocess.run(["ip", "netns", "add", name], check=True)
    argv = berth.argv
    berth.argv = lambda args: ["nsenter", "--net=/run/netns/" + name] + argv(args)
    berth.netns = name
    try:
        yield berth
        problems = berth.teardown()
        for n in berth("network", "ls", "-q", "--no-trunc").out.split():
            berth("network", "rm", n, check=False)
        # docker's default network's bridge stays, as docker0 does (the namespace goes)
        left = lambda: [l for l in ns_links(name) if ": berth0:" not in l]
        oci.wait_for(lambda: not left(), 10)
        problems += ["link left in the engine's namespace: " + l for l in left()]
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)
    after = host_net_state()
    for k in before:
        if before[k] != after[k]:
            problems.append("host %s changed:\n%s\n---\n%s" % (k, before[k], after[k]))
    new = {l for l in host_links() - links if l.startswith(("br-", "vb", "berth0"))}
    problems += ["berth's link %s on the host" % l for l in new]
    assert not problems, "\n".join(problems)


def run_d(b, *args):
    return b("run", "-d", *args).out.strip()


def addr(b, ctr, net):
    return b.inspect(ctr)["NetworkSettings"]["Networks"][net]["IPAddress"]


def ipam_lines(b, net):
    try:
        with open("%s/networks/%s.ipam" % (b.root, net)) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def test_create_ls_inspect_rm(nb):
    nid = nb("network", "create", "--subnet", "10.77.0.0/16", "--gateway", "10.77.0.254",
             "--ip-range", "10.77.5.0/24", "--label", "team=a", "-o",
             "com.docker.network.bridge.name=brtest0", "-o",
             "com.docker.network.driver.mtu=1400", "n1").out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", nid)
    out = nb("network", "ls").out.splitlines()
    assert re.match(r"NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$", out[0])
    rows = sorted((l.split() for l in out[1:]), key=lambda r: r[1])
    assert [r[1:] for r in rows] == [["bridge", "bridge", "local"], ["host", "host", "local"],
                                     ["n1", "bridge", "local"], ["none", "null", "local"]]
    assert [r[0] for r in rows if r[1] == "n1"] == [nid[:12]]
    doc = json.loads(nb("network", "inspect", "n1").out)
    assert len(doc) == 1
    n = doc[0]
    assert n["Name"] == "n1" and n["Id"] == nid and n["Driver"] == "bridge"
    assert n["Scope"] == "local" and n["Internal"] is False and n["Containers"] == {}
    assert n["IPAM"]["Config"] == [{"Subnet": "10.77.0.0/16", "IPRange": "10.77.5.0/24",
                                    "Gateway": "10.77.0.254"}]
    assert n["Labels"] == {"team": "a"}
    assert n["Options"] == {"com.docker.network.bridge.name": "brtest0",
                            "com.docker.network.driver.mtu": "1400"}
    # by id prefix, through docker's inspect, and with a format
    assert nb("network", "inspect", "-f", "{{.Name}}", nid[:10]).out == "n1\n"
    assert nb("inspect", "--type", "network", "-f", "{{.Driver}}", "n1").out == "bridge\n"
    r = nb("network", "create", "n1", check=False)
    assert r.rc != 0 and "network with name n1 already exists" in r.err
    r = nb("network", "rm", "none", check=False)
    assert r.rc != 0 and "none is a pre-defined network and cannot be removed" in r.err
    assert nb("network", "rm", "n1").out == "n1\n"
    assert "n1" not in nb("network", "ls").out
    r = nb("network", "inspect", "n1", check=False)
    assert r.rc != 0 and "network n1 not found" in r.err
    assert ipam_lines(nb, "n1") == []


def test_ls_filters(nb):
    nb("network", "create", "--subnet", "10.78.0.0/24", "--label", "team=a", "fa")
    nid = nb("network", "create", "--subnet", "10.79.0.0/24", "--label", "team=b",
             "fb").out.strip()

    def names(*flags):
        return sorted(nb("network", "ls", "--format", "{{.Name}}", *flags).out.split())

    assert names("--filter", "label=team=a") == ["fa"]
    assert names("--filter", "label=team") == ["fa", "fb"]
    assert names("--filter", "type=custom") == ["fa", "fb"]
    assert names("--filter", "type=builtin") == ["bridge", "host", "none"]
    assert names("--filter", "driver=bridge", "--filter", "name=b") == ["bridge", "fb"]
    # values of one key: any; different keys: all
    assert names("-f", "name=fa", "-f", "name=fb") == ["fa", "fb"]
    assert names("-f", "id=" + nid[:8]) == ["fb"]
    r = nb("network", "ls", "--filter", "color=red", check=False)
    assert r.rc == 1 and "Invalid filter 'color'" in r.err, r
    nb("network", "rm", "fa", "fb")


def test_subnet_avoids_routes_and_networks(nb):
    # a route in the engine's namespace inside docker's first pool (172.17.0.0/16)
    ns_ip(nb.netns, "link", "add", "d0", "type", "veth", "peer", "name", "d1")
    ns_ip(nb.netns, "addr", "add", "172.17.5.1/24", "dev", "d0")
    ns_ip(nb.netns, "link", "set", "d0", "up")
    ns_ip(nb.netns, "link", "set", "d1", "up")
    assert "172.17.5.0/24" in ns_ip(nb.netns, "route").stdout
    nb("network", "create", "a1")
    nb("network", "create", "a2")
    sub = lambda n: nb("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} "
                       "{{.Gateway}}{{end}}", n).out.strip()
    # the default network "bridge", made with the store's first network, took the next
    assert sub("bridge") == "172.18.0.0/16 172.18.0.1"
    assert sub("a1") == "172.19.0.0/16 172.19.0.1"
    assert sub("a2") == "172.20.0.0/16 172.20.0.1"
    # an explicit subnet may not overlap another network's (docker's words)
    r = nb("network", "create", "--subnet", "172.20.128.0/24", "a3", check=False)
    assert r.rc != 0 and "Pool overlaps with other one on this address space" in r.err
    assert sorted(nb("network", "ls", "--format", "{{.Name}}").out.split()) == \
        ["a1", "a2", "bridge", "host", "none"]
    ns_ip(nb.netns, "link", "del", "d0")


def test_two_containers_reach_each_other(nb):
    nb("network", "create", "--subnet", "10.88.0.0/24", "-o",
       "com.docker.network.driver.mtu=1400", "pingnet")
    a = run_d(nb, "--name", "pa", "--network", "pingnet", BUSYBOX, "sleep", "600")
    b = run_d(nb, "--name", "pb", "--network", "pingnet", BUSYBOX, "sleep", "600")
    ep = nb.inspect("pa")["NetworkSettings"]["Networks"]["pingnet"]
    assert ep["IPAddress"] == "10.88.0.2" and ep["IPPrefixLen"] == 24
    assert ep["Gateway"] == "10.88.0.1" and ep["MacAddress"] == "02:42:0a:58:00:02"
    assert ep["NetworkID"] == nb("network", "inspect", "-f", "{{.Id}}", "pingnet").out.strip()
    assert nb.inspect("pa")["HostConfig"]["NetworkMode"] == "pingnet"
    assert addr(nb, "pb", "pingnet") == "10.88.0.3"
    link = nb("exec", "pa", "ip", "-o", "link", "show", "eth0").out
    assert "mtu 1400" in link and "02:42:0a:58:00:02" in link
    assert "default via 10.88.0.1 dev eth0" in nb("exec", "pa", "ip", "route").out
    # docker's /etc/hosts line: the address and the hostname
    assert "10.88.0.2\t%s\n" % a[:12] in nb("exec", "pa", "cat", "/etc/hosts").out
    nb("exec", "pa", "ping", "-c1", "-W2", "10.88.0.3")
    nb("exec", "pb", "ping", "-c1", "-W2", "10.88.0.2")
    # the bridge and the host ends are in the engine's namespace
    assert "master br-" in ns_ip(nb.netns, "-o", "link", "show", "vb" + a[:12]).stdout
    cont = json.loads(nb("network", "inspect", "pingnet").out)[0]["Containers"]
    assert cont[a]["Name"] == "pa" and cont[a]["IPv4Address"] == "10.88.0.2/24"
    assert cont[b]["IPv4Address"] == "10.88.0.3/24"
    # the gateway's MAC is fixed (02:43: and the network id's first bytes): a bridge left
    # to take its ports' lowest one would change it when a container restarts, and the
    # others' ARP caches would point at a MAC that is gone
    nid = nb("network", "inspect", "-f", "{{.Id}}", "pingnet").out.strip()
    mac = "02:43:" + ":".join(nid[i:i + 2] for i in range(0, 8, 2))
    bridge = "br-" + nid[:12]
    assert "link/ether " + mac in ns_ip(nb.netns, "-o", "link", "show", bridge).stdout
    nb("exec", "pb", "ping", "-c1", "-W2", "10.88.0.1")
    # stop: the veth goes with the namespace; start: back, with the same address
    nb("stop", "-t", "0", "pa")
    assert wait_no_veth(nb.netns, "vb" + a[:12])
    nb("start", "pa")
    nb("exec", "pb", "ping", "-c1", "-W2", "10.88.0.2")
    assert "link/ether " + mac in ns_ip(nb.netns, "-o", "link", "show", bridge).stdout
    nb("exec", "pb", "ping", "-c1", "-W2", "10.88.0.1")
    nb("rm", "-f", "pa", "pb")


def test_other_network_unreachable_and_internal(nb):
    nb("network", "create", "--subnet", "10.91.0.0/24", "na")
    nb("network", "create", "--subnet", "10.93.0.0/24", "nb")
    nb("network", "create", "--subnet", "10.92.0.0/24", "--internal", "nint")
    run_d(nb, "--name", "ia", "--network", "na", BUSYBOX, "sleep", "600")
    run_d(nb, "--name", "ib", "--network", "nb", BUSYBOX, "sleep", "600")
    run_d(nb, "--name", "ic", "--network", "nint", BUSYBOX, "sleep", "600")
    # the gateway answers on its own network; the other networks are not reached,
    # though the engine's namespace forwards (berth's nftables table drops it)
    nb("exec", "ia", "ping", "-c1", "-W2", "10.91.0.1")
    for ctr, ip in (("ia", "10.93.0.2"), ("ib", "10.91.0.2"), ("ia", "10.92.0.2"),
                    ("ic", "10.91.0.2")):
        r = nb("exec", ctr, "ping", "-c1", "-W2", ip, check=False)
        assert r.rc != 0, (ctr, ip, r)
    # --internal: no default route (docker gives no gateway there)
    assert "default" not in nb("exec", "ic", "ip", "route").out
    assert nb.inspect("ic")["NetworkSettings"]["Networks"]["nint"]["Gateway"] == ""
    nb("rm", "-f", "ia", "ib", "ic")


@pytest.fixture
def outside(nb):
    """A second namespace joined to the engine's by a veth (e0 10.200.0.1 in the engine's,
    e1 10.200.0.2 in it): a test host with no route back to any container subnet."""
    name = oci.netns_name("out")
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        ns_ip(nb.netns, "link", "add", "e0", "type", "veth", "peer", "name", "e1", "netns", name)
        ns_ip(nb.netns, "addr", "add", "10.200.0.1/24", "dev", "e0")
        ns_ip(nb.netns, "link", "set", "e0", "up")
        ns_ip(name, "addr", "add", "10.200.0.2/24", "dev", "e1")
        ns_ip(name, "link", "set", "e1", "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)
        # e0 dies with its peer; wait for it, for nb's check of what is left
        oci.wait_for(lambda: ns_ip(nb.netns, "link", "show", "e0", check=False).returncode != 0,
                     5)


def test_nat_to_a_test_host(nb, outside):
    nb("network", "create", "--subnet", "10.87.0.0/24", "natnet")
    nb("network", "create", "--subnet", "10.86.0.0/24", "--internal", "intnet")
    run_d(nb, "--name", "out1", "--network", "natnet", BUSYBOX, "sleep", "600")
    run_d(nb, "--name", "in1", "--network", "intnet", BUSYBOX, "sleep", "600")
    # the test host cannot answer 10.87.0.2 itself: only a masqueraded ping comes back
    assert "10.87." not in ns_ip(outside, "route").stdout
    nb("exec", "out1", "ping", "-c1", "-W2", "10.200.0.2")
    r = nb("exec", "in1", "ping", "-c1", "-W2", "10.200.0.2", check=False)
    assert r.rc != 0, r
    # forwarding was turned on in the engine's namespace only (nb checks the host's)
    p = subprocess.run(["nsenter", "--net=/run/netns/" + nb.netns, "cat",
                        "/proc/sys/net/ipv4/ip_forward"], capture_output=True, text=True)
    assert p.stdout.strip() == "1"
    # the test host cannot open a connection to a container (only replies go in)
    ns_ip(outside, "route", "add", "10.87.0.0/24", "via", "10.200.0.1")
    r = subprocess.run(["ip", "netns", "exec", outside, "ping", "-c1", "-W2", "10.87.0.2"],
                       capture_output=True, text=True)
    assert r.returncode != 0, r.stdout
    nb("rm", "-f", "out1", "in1")


def test_ip_and_freed_addresses(nb):
    nb("network", "create", "--subnet", "10.66.0.0/24", "fixed")
    nb("create", "--name", "f50", "--network", "fixed", "--ip", "10.66.0.50", BUSYBOX, "true")
    assert addr(nb, "f50", "fixed") == "10.66.0.50"
    assert nb.inspect("f50")["NetworkSettings"]["Networks"]["fixed"]["IPAMConfig"] == \
        {"IPv4Address": "10.66.0.50"}
    nb("create", "--name", "f1", "--network", "fixed", BUSYBOX, "true")
    nb("create", "--name", "f2", "--network", "fixed", BUSYBOX, "true")
    assert (addr(nb, "f1", "fixed"), addr(nb, "f2", "fixed")) == ("10.66.0.2", "10.66.0.3")
    r = nb("create", "--network", "fixed", "--ip", "10.66.0.50", BUSYBOX, "true", check=False)
    assert r.rc != 0 and "Address already in use" in r.err
    nb("rm", "f1")
    nb("create", "--name", "f3", "--network", "fixed", BUSYBOX, "true")
    assert addr(nb, "f3", "fixed") == "10.66.0.2"
    # a started container has the address it was given
    nb("start", "f50")
    # run --rm: the monitor's rm frees the address
    assert nb("run", "--rm", "--network", "fixed", BUSYBOX, "hostname", "-i").out == \
        "10.66.0.4\n"
    assert oci.wait_for(lambda: len(ipam_lines(nb, "fixed")) == 3, 10), ipam_lines(nb, "fixed")
    nb("rm", "-f", "f50", "f2", "f3")
    assert ipam_lines(nb, "fixed") == []


def test_bad_input_leaves_nothing(nb):
    nb("network", "create", "--subnet", "10.55.0.0/24", "bad")
    before = nb("network", "ls", "-q").out
    for args, msg in [
            (["--subnet", "10.55.0.128/25", "b2"],
             "Pool overlaps with other one on this address space"),
            (["--subnet", "10.56.0.1/24", "b2"], "it should be 10.56.0.0/24"),
            (["--subnet", "10.56.0.0/24", "--gateway", "10.57.0.1", "b2"],
             "no matching subnet for gateway 10.57.0.1"),
            (["--subnet", "10.56.0.0/24", "--ip-range", "10.56.1.0/25", "b2"],
             "no matching subnet for range 10.56.1.0/25"),
            (["--gateway", "10.56.0.1", "b2"], "must have a corresponding subnet"),
            (["-o", "com.docker.network.driver.mtu=12", "b2"], "invalid MTU number: 12"),
            (["--driver", "overlay", "b2"], 'plugin "overlay" not found'),
            (["bad name"], "invalid network name"),
    ]:
        r = nb("network", "create", *args, check=False)
        assert r.rc != 0 and msg in r.err, (args, r)
    assert nb("network", "ls", "-q").out == before
    for args, msg in [
            (["--network", "bad", "--ip", "10.56.0.9"],
             "Invalid address 10.56.0.9: It does not belong to any of this network's "
             "subnets"),
            (["--network", "bad", "--ip", "10.55.0.255"], "Invalid address 10.55.0.255"),
            (["--network", "bad", "--ip", "10.55.0.1"], "Invalid address 10.55.0.1"),
            (["--network", "bad", "--ip", "nope"], "invalid IPv4 address: nope"),
            (["--ip", "10.55.0.9"], "user specified IP address is supported on user "
                                    "defined networks only"),
            (["--network", "nope"], "network nope not found"),
    ]:
        r = nb("run", "--rm", *args, BUSYBOX, "true", check=False)
        assert r.rc == 125 and msg in r.err, (args, r)
    assert nb("ps", "-aq").out == ""
    assert nb.containers() == []
    assert ipam_lines(nb, "bad") == []


def test_network_in_use_cannot_be_removed(nb):
    nid = nb("network", "create", "--subnet", "10.44.0.0/24", "busy").out.strip()
    run_d(nb, "--name", "user1", "--network", "busy", BUSYBOX, "sleep", "600")
    r = nb("network", "rm", "busy", check=False)
    assert r.rc != 0
    assert ("error while removing network: network busy id %s has active endpoints" % nid) \
        in r.err
    assert nb("network", "prune", "-f").out == ""
    assert "busy" in nb("network", "ls").out
    bridge = "br-" + nid[:12]
    assert ns_ip(nb.netns, "link", "show", bridge).returncode == 0
    # docker's system prune removes the unused networks too
    nb("network", "create", "--subnet", "10.45.0.0/24", "idle")
    r = nb("system", "prune", "-f")
    assert "Deleted Networks:\nidle\n\n" in r.out and "busy" not in r.out, r
    nb("rm", "-f", "user1")
    assert nb("network", "prune", "-f").out == "Deleted Networks:\nbusy\n"
    assert ns_ip(nb.netns, "link", "show", bridge, check=False).returncode != 0


def test_stale_allocation_is_dropped(nb):
    """An address whose container directory is gone (a berth killed between the two) is
    freed by the next allocation, and does not keep the network from being removed."""
    nb("network", "create", "--subnet", "10.33.0.0/24", "stale")
    with open("%s/networks/stale.ipam" % nb.root, "w") as f:
        f.write("10.33.0.2 %s\n" % ("ab" * 32))
    nb("create", "--name", "s1", "--network", "stale", BUSYBOX, "true")
    assert addr(nb, "s1", "stale") == "10.33.0.2"
    nb("rm", "s1")
    with open("%s/networks/stale.ipam" % nb.root, "w") as f:
        f.write("10.33.0.7 %s\n" % ("cd" * 32))
    assert nb("network", "rm", "stale").out == "stale\n"


def crash_points(nb, tmp_path, *args):
    trace = str(tmp_path / "trace")
    p = subprocess.run(nb.argv(args), capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=dict(os.environ, BERTH_CRASH_TRACE=trace))
    assert p.returncode == 0, p.stderr
    with open(trace) as f:
        points = [l.strip() for l in f if l.strip()]
    os.unlink(trace)
    return p.stdout.strip(), points


def crash_at(nb, point, *args):
    p = subprocess.run(nb.argv(args), capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=dict(os.environ, BERTH_CRASH_AT=point))
    assert p.returncode == -9, (point, p.returncode, p.stderr)


def test_killed_during_run_and_network_commands(nb, tmp_path):
    """berth killed at each crash point of `run --network`, `network create` and `network
    rm`: the next commands repair it (the container can be removed, its address is freed,
    no veth is left, the network can be removed)."""
    nb("network", "create", "--subnet", "10.22.0.0/24", "kn")
    cid, points = crash_points(nb, tmp_path, "run", "-d", "--network", "kn", BUSYBOX,
                               "sleep", "600")
    assert "create-address" in points and "start-network" in points, points
    nb("rm", "-f", cid)
    for point in points:
        crash_at(nb, point, "run", "-d", "--network", "kn", BUSYBOX, "sleep", "600")
        for c in nb("ps", "-aq", "--no-trunc").out.split():
            nb("rm", "-f", c)
        nb("container", "prune", "-f")
        # the next container gets the first address: nothing stale kept it
        c = run_d(nb, "--network", "kn", BUSYBOX, "sleep", "600")
        assert addr(nb, c, "kn") == "10.22.0.2", point
        nb("rm", "-f", c)
        assert wait_no_veth(nb.netns), (point, ns_links(nb.netns))
    nb("network", "rm", "kn")
    _, points = crash_points(nb, tmp_path, "network", "create", "kn2")
    nb("network", "rm", "kn2")
    _, rm_points = crash_points(nb, tmp_path, "network", "rm",
                                nb("network", "create", "kn3").out.strip())
    assert "network-create-saved" in points and "network-rm-bridge" in rm_points
    for point in points:
        crash_at(nb, point, "network", "create", "kn4")
        nb("network", "rm", "kn4")
    for point in rm_points:
        nb("network", "create", "--subnet", "10.23.0.0/24", "kn5")
        c = run_d(nb, "--network", "kn5", BUSYBOX, "sleep", "600")
        nb("rm", "-f", c)
        crash_at(nb, point, "network", "rm", "kn5")
        nb("network", "rm", "-f", "kn5")
        assert "kn5" not in nb("network", "ls").out
    assert ns_ip(nb.netns, "-o", "link").stdout.count("br-") == 0


ICMP_SINK = """
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(30)
print("ready", flush=True)
while True:
    pkt, _ = s.recvfrom(2048)
    ihl = (pkt[0] & 15) * 4
    size = len(pkt) - ihl - 8
    if pkt[ihl] == 8 and size in (77, 88, 99):  # echo requests of the test's sizes
        print(socket.inet_ntoa(pkt[12:16]), size, flush=True)
        if size == 99:
            break
"""


def test_no_spoofing_of_another_containers_ip_mac_or_arp(nb):
    # a container with CAP_NET_ADMIN can change eth0's addresses; what it sends as another
    # container (its IP, its MAC, an ARP claim) is dropped where it enters the bridge
    nb("network", "create", "--subnet", "10.85.0.0/24", "spoof")
    run_d(nb, "--name", "sa", "--network", "spoof", "--cap-add", "NET_ADMIN", BUSYBOX,
          "sleep", "600")
    run_d(nb, "--name", "sb", "--network", "spoof", BUSYBOX, "sleep", "600")
    assert addr(nb, "sb", "spoof") == "10.85.0.3"
    nb("exec", "sb", "ping", "-c1", "-W2", "10.85.0.1")
    neigh = lambda: ns_ip(nb.netns, "neigh", "show", "10.85.0.3").stdout
    assert "02:42:0a:55:00:03" in neigh()
    sink = subprocess.Popen(["nsenter", "--net=/run/netns/" + nb.netns, "/usr/bin/python3",
                             "-c", ICMP_SINK], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout.readline() == "ready\n"
        sh = lambda cmd: nb("exec", "sa", "sh", "-c", cmd, check=False)
        # sb's address as the source (sa's own MAC)
        sh("ip addr add 10.85.0.3/32 dev eth0 && "
           "ping -c1 -W1 -s 77 -I 10.85.0.3 10.85.0.1; ip addr del 10.85.0.3/32 dev eth0")
        # an ARP claim of sb's address
        sh("arping -U -c1 -s 10.85.0.3 -I eth0 10.85.0.1")
        # sb's MAC as the source (sa's own address)
        sh("ip link set eth0 address 02:42:0a:55:00:03 && ping -c1 -W1 -s 88 10.85.0.1; "
           "ip link set eth0 address 02:42:0a:55:00:02")
        # what sa sends as itself arrives
        sh("ping -c1 -W2 -s 99 10.85.0.1")
        out, _ = sink.communicate(timeout=60)
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait()
    assert out == "10.85.0.2 99\n", out
    assert "02:42:0a:55:00:03" in neigh(), neigh()
    nb("rm", "-f", "sa", "sb")
