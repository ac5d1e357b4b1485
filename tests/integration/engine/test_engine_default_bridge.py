"""The default network "bridge" (issue 14): a container made without --network gets a veth
into the Linux bridge berth0, an address of the network's subnet, a default route, NAT to
the outside, the host's resolvers but its loopback ones, and no name server, as on docker's
default network.

The test suites set BERTH_DEFAULT_NETWORK=none (conftest.py), so that no engine test makes
berth0 in the host's network namespace; these tests run the engine in a namespace of their
own (test_engine_network's `nb`) without it, as users run berth.
"""

import ipaddress

import oci
from test_engine_network import BUSYBOX, nb, ns_ip, outside, wait_no_veth  # noqa: F401


def default_network(nb):
    """nb's commands with the engine's own default: the default network."""
    argv = nb.argv
    nb.argv = lambda args: ["env", "-u", "BERTH_DEFAULT_NETWORK"] + argv(args)
    return nb


def bridge_subnet(nb):
    out = nb("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}",
             "bridge").out.split()
    return ipaddress.ip_network(out[0]), out[1]


def test_run_without_network_joins_bridge(nb):
    b = default_network(nb)
    cid = b("run", "-d", "--name", "d1", BUSYBOX, "sleep", "600").out.strip()
    b("run", "-d", "--name", "d2", BUSYBOX, "sleep", "600")
    subnet, gateway = bridge_subnet(b)
    ep = b.inspect("d1")["NetworkSettings"]["Networks"]["bridge"]
    ip = ep["IPAddress"]
    assert ipaddress.ip_address(ip) in subnet and ep["Gateway"] == gateway
    # the kernel's view: berth0 with the gateway in the engine's namespace, eth0 in the
    # container's, a default route through the gateway
    assert "inet %s/%d" % (gateway, subnet.prefixlen) in \
        ns_ip(b.netns, "addr", "show", "berth0").stdout
    assert "inet %s/%d" % (ip, subnet.prefixlen) in b("exec", "d1", "ip", "addr", "show",
                                                     "eth0").out
    assert "default via %s dev eth0" % gateway in b("exec", "d1", "ip", "route").out
    # the containers reach each other by address
    b("exec", "d2", "ping", "-c1", "-W2", ip)
    # /etc/hosts names the container; resolv.conf has the host's resolvers but loopback
    # ones (no name server of berth's on this network: the gateway is not one)
    assert "%s\t%s\n" % (ip, cid[:12]) in b("exec", "d1", "cat", "/etc/hosts").out
    servers = [ln.split()[1] for ln in b("exec", "d1", "cat", "/etc/resolv.conf").out
               .splitlines() if ln.startswith("nameserver")]
    host = [ln.split()[1] for ln in oci.read_file("/etc/resolv.conf").splitlines()
            if ln.startswith("nameserver") and not ipaddress.ip_address(
                ln.split()[1].split("%")[0]).is_loopback]
    assert servers == (host or ["8.8.8.8", "8.8.4.4"]) and gateway not in servers
    # docker's network: builtin, with both containers, not removable
    assert b("network", "ls", "--filter", "type=builtin", "--format", "{{.Name}}").out.split() \
        == ["bridge", "host", "none"]
    names = b("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}",
              "bridge").out.split()
    assert sorted(names) == ["d1", "d2"]
    r = b("network", "rm", "bridge", check=False)
    assert r.rc != 0 and "bridge is a pre-defined network and cannot be removed" in r.err, r
    b("rm", "-f", "d1", "d2")
    assert b("network", "inspect", "-f", "{{len .Containers}}", "bridge").out.strip() == "0"
    assert wait_no_veth(b.netns), "a veth of a removed container stayed on berth0"


def test_default_network_refuses_what_docker_refuses(nb):
    b = default_network(nb)
    r = b("run", "--network-alias", "x", BUSYBOX, "true", check=False)
    assert r.rc != 0 and "network-scoped aliases are only supported for user-defined" in r.err
    r = b("run", "--network", "bridge", "--ip", "172.30.0.9", BUSYBOX, "true", check=False)
    assert r.rc != 0 and "user specified IP address is supported on user defined networks" \
        in r.err
    r = b("network", "create", "bridge", check=False)
    assert r.rc != 0 and "pre-defined" in r.err
    assert b.containers() == []


def test_default_network_routes_out_with_nat(nb, outside):
    b = default_network(nb)
    b("run", "-d", "--name", "n1", BUSYBOX, "sleep", "600")
    subnet, _ = bridge_subnet(b)
    # the test host has no route to the subnet: only a masqueraded ping comes back
    assert str(subnet) not in ns_ip(outside, "route").stdout
    b("exec", "n1", "ping", "-c1", "-W2", "10.200.0.2")
    b("rm", "-f", "n1")


def test_env_none_and_explicit_network(nb):
    # BERTH_DEFAULT_NETWORK=none (as the test suites run): only lo
    nb("run", "--name", "lo1", BUSYBOX, "true")
    assert not nb.inspect("lo1")["NetworkSettings"].get("Networks")
    # --network bridge asks for the default network whatever the engine's default
    out = nb("run", "--rm", "--network", "bridge", BUSYBOX, "ip", "-o", "-4", "addr").out
    assert "eth0" in out, out
    nb("rm", "lo1")
