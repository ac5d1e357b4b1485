"""Published ports (issue 14): -p/--publish, -P, --expose on user-defined networks, as
docker 20.10 behaves (IPv4).

Every test runs the engine in a network namespace of its own (fixture `nb` of
test_engine_network.py, which also checks that the host's routes, rules, ip_forward, nft
ruleset and links are unchanged); "outside" is a second namespace joined to the engine's
by a veth (10.251.0.1 on the engine's side, 10.251.0.2 outside). Nothing is sent
anywhere else.
"""

import json
import os
import shutil
import subprocess

import pytest

import oci
from test_engine_network import BUSYBOX, crash_at, crash_points, nb, run_d  # noqa: F401

ENGINE_ADDR = "10.251.0.1"


def in_ns(ns, *argv, check=False, timeout=30):
    return subprocess.run(["nsenter", "--net=/run/netns/" + ns] + list(argv),
                          capture_output=True, text=True, check=check, timeout=timeout)


def fetch(ns, host, port):
    """GET /hostname from busybox httpd at host:port, from namespace ns ('' if refused)."""
    p = in_ns(ns, "curl", "--noproxy", "*", "-sS", "-m", "3", "http://%s:%d/hostname" % (host, port))
    return p.stdout.strip() if p.returncode == 0 else ""


@pytest.fixture
def pn(nb):
    """nb with lo up, a network "pn", and the outside namespace (nb.outside)."""
    if not shutil.which("curl"):
        oci.skip("curl is needed")
    out = oci.netns_name("out")
    subprocess.run(["ip", "netns", "add", out], check=True)
    try:
        subprocess.run(["ip", "-n", nb.netns, "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "-n", nb.netns, "link", "add", "pt-in", "type", "veth",
                        "peer", "name", "pt-out", "netns", out], check=True)
        subprocess.run(["ip", "-n", nb.netns, "addr", "add", ENGINE_ADDR + "/24", "dev",
                        "pt-in"], check=True)
        subprocess.run(["ip", "-n", nb.netns, "link", "set", "pt-in", "up"], check=True)
        subprocess.run(["ip", "-n", out, "addr", "add", "10.251.0.2/24", "dev", "pt-out"],
                       check=True)
        subprocess.run(["ip", "-n", out, "link", "set", "pt-out", "up"], check=True)
        nb("network", "create", "--subnet", "10.66.0.0/24", "pn")
        nb.outside = out
        yield nb
        for c in nb("ps", "-aq").out.split():
            nb("rm", "-f", c)
        subprocess.run(["ip", "-n", nb.netns, "link", "del", "pt-in"], check=False)
    finally:
        subprocess.run(["ip", "netns", "delete", out], check=False)


def httpd(b, *args):
    """A busybox httpd on port 80 of a container on pn, returned once it listens."""
    return wait_listening(b, run_d(b, "--network", "pn", *args, BUSYBOX, "httpd", "-f", "-p",
                                   "80", "-h", "/etc"))


def wait_listening(b, cid):
    listening = lambda: ":80 " in b("exec", cid, "netstat", "-ltn", check=False).out
    assert oci.wait_for(listening, 20), "httpd in %s never listened" % cid[:12]
    return cid


def nft_table(b):
    return in_ns(b.netns, "nft", "list", "table", "inet", "berth").stdout


def test_publish_reachable_from_host_containers_and_outside(pn):
    cid = httpd(pn, "-p", "8080:80", "-p", "127.0.0.1:8081:80", "-p", ENGINE_ADDR + ":8082:80")
    short = cid[:12]
    # from the host: loopback and its addresses
    assert fetch(pn.netns, "127.0.0.1", 8080) == short
    assert fetch(pn.netns, ENGINE_ADDR, 8080) == short
    assert fetch(pn.netns, "127.0.0.1", 8081) == short
    assert fetch(pn.netns, ENGINE_ADDR, 8082) == short
    # from another container through the host's address (hairpin on the same network)
    # (busybox 1.35's wget -q crashes: nc with a request)
    out = pn("run", "--rm", "--network", "pn", BUSYBOX, "sh", "-c",
             "printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc %s 8080" % ENGINE_ADDR).out
    assert out.splitlines()[-1] == short
    # from outside: the host's address yes, a port bound to 127.0.0.1 never
    assert fetch(pn.outside, ENGINE_ADDR, 8080) == short
    assert fetch(pn.outside, ENGINE_ADDR, 8081) == ""


def test_loopback_port_not_reachable_from_outside(pn):
    """moby#45610: a neighbour sends a packet for 127.0.0.1 to the host's interface."""
    cid = httpd(pn, "-p", "127.0.0.1:8081:80", "-p", "8080:80")
    out = pn.outside
    # the outside namespace routes 127.0.0.0/8 to the engine (its own loopback down)
    subprocess.run(["ip", "-n", out, "route", "add", "127.0.0.0/8", "via", ENGINE_ADDR],
                   check=True)
    in_ns(out, "sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1", check=True)
    in_ns(out, "sysctl", "-qw", "net.ipv4.conf.pt-out.route_localnet=1", check=True)
    # the route works: a 0.0.0.0 port through the host's address answers
    assert fetch(out, ENGINE_ADDR, 8080) == cid[:12]
    assert fetch(out, "127.0.0.1", 8081) == ""
    assert fetch(out, "127.0.0.1", 8080) == ""


def test_reserved_while_running(pn):
    c1 = httpd(pn, "-p", "8080:80", "-p", "5353:53/udp")
    p = pn("run", "-d", "--network", "pn", "-p", "8080:80", BUSYBOX, "true", check=False)
    assert p.rc != 0
    assert "Bind for 0.0.0.0:8080 failed: port is already allocated" in p.err
    # another program cannot take it either
    probe = ("import socket,sys\n"
             "for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):\n"
             "  s=socket.socket(socket.AF_INET, t)\n"
             "  try: s.bind(('0.0.0.0', 8080 if t==socket.SOCK_STREAM else 5353)); print('free')\n"
             "  except OSError as e: print(e.errno)\n")
    taken = in_ns(pn.netns, "/usr/bin/python3", "-c", probe).stdout.split()
    assert taken == ["98", "98"], taken
    pn("stop", "-t", "1", c1)
    # stopped: the port is free, the rules are gone
    assert in_ns(pn.netns, "/usr/bin/python3", "-c", probe).stdout.split() == ["free", "free"]
    assert "dnat" not in nft_table(pn)
    assert not os.listdir(os.path.join(pn.root, "networks", "ports"))
    pn("start", c1)
    wait_listening(pn, c1)
    assert fetch(pn.netns, "127.0.0.1", 8080) == c1[:12]
    pn("rm", "-f", c1)
    assert "dnat" not in nft_table(pn)


def test_random_range_and_publish_all(pn):
    cid = httpd(pn, "-p", "127.0.0.1::80", "-p", "9000-9001:80-81", "--expose", "90-91/udp",
                "-P")
    with open(os.path.join(pn.root, "networks", "ports", cid)) as f:
        lines = sorted(f.read().splitlines())
    by_ctr = {}
    for l in lines:
        proto, hip, hport, _, cport = l.split()
        by_ctr.setdefault("%s/%s" % (cport, proto), []).append((hip, int(hport)))
    assert by_ctr["81/tcp"] == [("0.0.0.0", 9001)]
    rnd = [hp for hp in by_ctr["80/tcp"] if hp[0] == "127.0.0.1"]
    lo, hi = map(int, oci.read_file("/proc/sys/net/ipv4/ip_local_port_range").split())
    assert len(rnd) == 1 and lo <= rnd[0][1] <= hi
    assert ("0.0.0.0", 9000) in by_ctr["80/tcp"]
    # -P: the exposed ports not published by -p, on random ports
    assert set(by_ctr) == {"80/tcp", "81/tcp", "90/udp", "91/udp"}
    assert fetch(pn.netns, "127.0.0.1", rnd[0][1]) == cid[:12]


@pytest.mark.parametrize("spec,msg", [
    ("abc", "invalid containerPort: abc"),
    ("99999:80", "invalid hostPort: 99999"),
    ("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and "
                        "8000-8002"),
    ("80/foo", "invalid proto: foo"),
    ("1.2.3:80:80", "invalid IP address: 1.2.3"),
])
def test_parse_errors(pn, spec, msg):
    for cmd in ("run", "create"):
        p = pn(cmd, "--network", "pn", "-p", spec, BUSYBOX, "true", check=False)
        assert p.rc != 0 and msg in p.err, (cmd, p.err)
    assert pn("ps", "-aq").out == ""


def test_host_and_none_networks(pn):
    p = pn("run", "--network", "host", "-p", "8080:80", BUSYBOX, "true")
    assert "WARNING: Published ports are discarded when using host network mode" in p.err
    pn("run", "--network", "none", "-p", "8080:80", BUSYBOX, "true")
    assert "dnat" not in nft_table(pn)


def test_killed_during_run_with_ports(pn, tmp_path):
    cid, points = crash_points(pn, tmp_path, "run", "-d", "--network", "pn", "-p", "8080:80",
                               BUSYBOX, "sleep", "600")
    assert "start-ports" in points, points
    pn("rm", "-f", cid)
    for point in points:
        crash_at(pn, point, "run", "-d", "--network", "pn", "-p", "8080:80", BUSYBOX, "sleep",
                 "600")
        # the next container gets the port: nothing stale holds it or forwards it elsewhere
        c = httpd(pn, "-p", "8080:80")
        assert fetch(pn.netns, "127.0.0.1", 8080) == c[:12], point
        assert nft_table(pn).count("dnat ip to") == 2, (point, nft_table(pn))
        for x in pn("ps", "-aq", "--no-trunc").out.split():
            pn("rm", "-f", x)
        assert "dnat" not in nft_table(pn), point


def test_port_ps_inspect(pn):
    cid = httpd(pn, "--name", "web", "-p", "8080:80", "-p", "127.0.0.1:9000-9001:90-91/udp",
                "--expose", "70")
    assert pn("port", "web").out.splitlines() == [
        "80/tcp -> 0.0.0.0:8080", "90/udp -> 127.0.0.1:9000", "91/udp -> 127.0.0.1:9001"]
    assert pn("port", "web", "80").out == "0.0.0.0:8080\n"
    assert pn("container", "port", "web", "91/udp").out == "127.0.0.1:9001\n"
    p = pn("port", "web", "81", check=False)
    assert p.rc != 0 and "No public port '81/tcp' published for web" in p.err
    ports = pn("ps", "--format", "{{.Ports}}").out.strip()
    assert ports == "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp, 70/tcp", ports
    doc = pn.inspect(cid)
    assert doc["NetworkSettings"]["Ports"] == {
        "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}],
        "90/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
        "91/udp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}],
        "70/tcp": None}
    assert doc["HostConfig"]["PortBindings"] == {
        "80/tcp": [{"HostIp": "", "HostPort": "8080"}],
        "90/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
        "91/udp": [{"HostIp": "127.0.0.1", "HostPort": "9001"}]}
    assert set(doc["Config"]["ExposedPorts"]) == {"80/tcp", "90/udp", "91/udp", "70/tcp"}
    pn("stop", "-t", "1", "web")
    assert pn("port", "web").out == ""
    assert pn("ps", "-a", "--format", "{{.Ports}}").out.strip() == ""
    assert pn.inspect(cid)["NetworkSettings"]["Ports"] == {}
    from enginehelp import ENGINE
    for cmd in ("run", "create"):
        out = subprocess.run([ENGINE, cmd, "--help"], capture_output=True, text=True).stdout
        assert "--publish" in out and "--publish-all" in out and "--expose" in out, out
    assert "PRIVATE_PORT" in pn("port", "--help").out
