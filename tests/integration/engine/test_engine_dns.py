"""Name resolution on user-defined networks (issue 14): aardvark-dns serving a container's
name, --network-alias and short id to the others on its network, a late joiner, a stopped
container's name gone, two networks apart; --dns, --dns-search, --dns-option, --add-host
and /etc/hosts as docker writes them.

Every test runs the engine in a network namespace of its own (test_engine_network's `nb`
fixture); aardvark-dns listens on the bridges' gateways there, and the only upstream
resolvers named are addresses of that namespace (nothing is sent outside it). After each
test no aardvark-dns of the engine's root may be left.
"""

import os
import re

import pytest

import oci
from enginehelp import live_pids
from test_engine_network import nb, run_d  # noqa: F401 (the fixture)

BUSYBOX = "busybox"
AARDVARK = "/usr/lib/podman/aardvark-dns"


def aardvark_pids(root):
    """Live (not zombie) aardvark-dns processes serving root/dns."""
    return live_pids(b"aardvark-dns", (root + "/dns").encode())


@pytest.fixture
def dn(nb):
    if not os.access(AARDVARK, os.X_OK):
        oci.skip("aardvark-dns is needed (%s)" % AARDVARK)
    yield nb
    for cid in nb("ps", "-aq", "--no-trunc", check=False).out.split():
        nb("rm", "-f", cid, check=False)
    oci.wait_for(lambda: not aardvark_pids(nb.root), 10)
    left = aardvark_pids(nb.root)
    for pid in left:
        os.kill(pid, 9)
    assert not left, "aardvark-dns left running: %s" % left


def lookup(b, ctr, name, *server):
    """The addresses `nslookup name [server]` gives inside ctr (busybox), [] when none."""
    r = b("exec", ctr, "nslookup", name, *server, check=False)
    if r.rc != 0:
        return []
    answer = r.out.split("Name:", 1)
    return re.findall(r"Address: ([0-9.]+)", answer[1]) if len(answer) > 1 else []


def addr(b, ctr, net):
    return b.inspect(ctr)["NetworkSettings"]["Networks"][net]["IPAddress"]


def resolves(b, ctr, name, ip):
    return oci.wait_for(lambda: lookup(b, ctr, name) == [ip], 10)


def gone(b, ctr, name):
    return oci.wait_for(lambda: lookup(b, ctr, name) == [], 10)


def test_name_alias_short_id_late_joiner_and_stop(dn):
    dn("network", "create", "--subnet", "10.93.0.0/24", "dnet")
    a = run_d(dn, "--name", "da", "--network", "dnet", "--network-alias", "web",
              "--network-alias", "www.example", BUSYBOX, "sleep", "600")
    assert len(aardvark_pids(dn.root)) == 1
    ip_a = addr(dn, "da", "dnet")
    assert dn.inspect("da")["NetworkSettings"]["Networks"]["dnet"]["Aliases"] == \
        ["web", "www.example", a[:12]]
    # the container's resolver is the network's gateway, where aardvark-dns listens
    resolv = dn("exec", "da", "cat", "/etc/resolv.conf").out
    assert resolv.splitlines()[0] == "nameserver 10.93.0.1", resolv
    # a late joiner resolves the first and is resolved by it
    run_d(dn, "--name", "db", "--network", "dnet", BUSYBOX, "sleep", "600")
    ip_b = addr(dn, "db", "dnet")
    for name in ("da", "web", "www.example", a[:12]):
        assert resolves(dn, "db", name, ip_a), name
    assert resolves(dn, "da", "db", ip_b)
    assert lookup(dn, "da", "nosuchname") == []
    # a stopped container's name goes, and comes back with it
    dn("stop", "-t", "0", "db")
    assert gone(dn, "da", "db")
    dn("start", "db")
    assert resolves(dn, "da", "db", addr(dn, "db", "dnet"))
    assert len(aardvark_pids(dn.root)) == 1
    # one aardvark per root, stopped when no network has a running container
    dn("rm", "-f", "da", "db")
    assert oci.wait_for(lambda: not aardvark_pids(dn.root), 10)
    assert sorted(os.listdir(os.path.join(dn.root, "dns"))) == []


def test_two_networks_do_not_see_each_other(dn):
    dn("network", "create", "--subnet", "10.94.0.0/24", "n1")
    dn("network", "create", "--subnet", "10.95.0.0/24", "n2")
    run_d(dn, "--name", "x1", "--network", "n1", BUSYBOX, "sleep", "600")
    run_d(dn, "--name", "y1", "--network", "n1", BUSYBOX, "sleep", "600")
    run_d(dn, "--name", "x2", "--network", "n2", BUSYBOX, "sleep", "600")
    assert resolves(dn, "y1", "x1", addr(dn, "x1", "n1"))
    assert lookup(dn, "x2", "x1") == [] and lookup(dn, "x2", "y1") == []
    assert lookup(dn, "x1", "x2") == []
    # nor by asking the other network's gateway directly (aardvark-dns listens on every
    # gateway; berth's nftables input chain drops DNS to a gateway from another bridge),
    # while that gateway still answers its own network (Debian's aardvark-dns 1.4 serves
    # udp only; the rule's tcp half is checked in tests/unit/net/test_nat.c)
    ip_x2 = addr(dn, "x2", "n2")
    assert lookup(dn, "x2", "x2", "10.95.0.1") == [ip_x2]
    assert lookup(dn, "x1", "x2", "10.95.0.1") == []
    assert lookup(dn, "x2", "x1", "10.94.0.1") == []
    # other input from a container to the host stays open (as docker's): the gateway of
    # the other network answers a ping
    dn("exec", "x1", "ping", "-c1", "-W2", "10.95.0.1")
    dn("rm", "-f", "x1", "y1", "x2")


def test_dead_aardvark_restarted_by_next_command(dn):
    dn("network", "create", "--subnet", "10.96.0.0/24", "rnet")
    run_d(dn, "--name", "ra", "--network", "rnet", BUSYBOX, "sleep", "600")
    [pid] = aardvark_pids(dn.root)
    os.kill(pid, 9)
    assert oci.wait_for(lambda: not aardvark_pids(dn.root), 10)
    run_d(dn, "--name", "rb", "--network", "rnet", BUSYBOX, "sleep", "600")
    assert len(aardvark_pids(dn.root)) == 1
    assert resolves(dn, "rb", "ra", addr(dn, "ra", "rnet"))
    assert resolves(dn, "ra", "rb", addr(dn, "rb", "rnet"))
    dn("rm", "-f", "ra", "rb")


def test_dns_flags_and_hosts(dn):
    dn("network", "create", "--subnet", "10.97.0.0/24", "fnet")
    cid = run_d(dn, "--name", "fa", "--network", "fnet", "--dns", "10.97.0.250",
                "--dns-search", "example.test", "--dns-search", "corp.test",
                "--dns-option", "ndots:3", "--dns-option", "timeout:2",
                "--add-host", "db.local:10.1.2.3", "--add-host", "gw:host-gateway",
                BUSYBOX, "sleep", "600")
    # on a network: the gateway serves names; --dns is its upstream for this container
    assert dn("exec", "fa", "cat", "/etc/resolv.conf").out == \
        "nameserver 10.97.0.1\nsearch example.test corp.test\noptions ndots:3 timeout:2\n"
    with open(os.path.join(dn.root, "dns", dn("network", "inspect", "-f", "{{.Id}}",
                                            "fnet").out.strip())) as f:
        assert f.read().splitlines()[1].endswith(" 10.97.0.250")
    hosts = dn("exec", "fa", "cat", "/etc/hosts").out
    assert hosts.startswith("127.0.0.1\tlocalhost\n")
    assert "10.1.2.3\tdb.local\n" in hosts and "10.97.0.1\tgw\n" in hosts
    assert hosts.endswith("10.97.0.2\t%s\n" % cid[:12]), hosts
    hc = dn.inspect("fa")["HostConfig"]
    assert hc["Dns"] == ["10.97.0.250"]
    assert hc["DnsSearch"] == ["example.test", "corp.test"]
    assert hc["DnsOptions"] == ["ndots:3", "timeout:2"]
    assert hc["ExtraHosts"] == ["db.local:10.1.2.3", "gw:host-gateway"]
    # off a network: the servers as given, as docker writes them
    out = dn("run", "--rm", "--dns", "10.97.0.250", "--dns-search", ".", BUSYBOX, "cat",
             "/etc/resolv.conf").out
    assert out.splitlines()[0] == "nameserver 10.97.0.250" and "search" not in out, out
    dn("rm", "-f", "fa")


def test_flag_errors(dn):
    r = dn("run", "--rm", "--network-alias", "x", BUSYBOX, "true", check=False)
    assert r.rc == 125 and "network-scoped aliases are only supported for user-defined " \
        "networks" in r.err, r
    r = dn("run", "--rm", "--dns", "nope", BUSYBOX, "true", check=False)
    assert r.rc == 125 and "nope is not an ip address" in r.err, r
    r = dn("run", "--rm", "--add-host", "justaname", BUSYBOX, "true", check=False)
    assert r.rc == 125 and 'bad format for add-host: "justaname"' in r.err, r
    r = dn("run", "--rm", "--add-host", "h:1.2.3", BUSYBOX, "true", check=False)
    assert r.rc == 125 and 'invalid IP address in add-host: "1.2.3"' in r.err, r
    assert dn("ps", "-aq").out == ""


def test_rename_running_container(dn):
    dn("network", "create", "--subnet", "10.97.0.0/24", "mvnet")
    a = run_d(dn, "--name", "old", "--network", "mvnet", "--network-alias", "al", BUSYBOX,
              "sleep", "600")
    run_d(dn, "--name", "peer", "--network", "mvnet", BUSYBOX, "sleep", "600")
    ip = addr(dn, "old", "mvnet")
    assert resolves(dn, "peer", "old", ip)
    dn("rename", "old", "new")
    # the new name resolves, the old one no longer; the alias and short id stay
    assert resolves(dn, "peer", "new", ip)
    assert lookup(dn, "peer", "old") == []
    assert lookup(dn, "peer", "al") == [ip] and lookup(dn, "peer", a[:12]) == [ip]
    dn("rm", "-f", "new", "peer")
