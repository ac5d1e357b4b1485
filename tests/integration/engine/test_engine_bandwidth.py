"""--ingress-rate / --egress-rate and their bursts on a user-defined network (issue 14):
a TBF on the host end of the container's veth shapes what the container receives; what
it sends is redirected to an ifb device ("vbi" + 12 digits of the id) with a TBF.

Every test runs the engine in a network namespace of its own (the `nb` fixture of
test_engine_network.py, which also checks that nothing is left in that namespace or on
the host). Throughput is measured with Debian's iperf3 between a client in that
namespace and a server in the container (the host's /usr bound read-only into a busybox
container): the goodput must be within +-15% of the limit. Unshaped, the same pair
moves gigabits (the control in test_update_live), so the check fails without shaping.
"""

import json
import re
import shutil
import subprocess

import pytest

import oci
from test_engine_network import nb, ns_ip, ns_links  # noqa: F401 (the fixture)

RATE = 20_000_000
HOST_USR = ["-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro"]


@pytest.fixture
def net(nb):
    if not shutil.which("iperf3"):
        oci.skip("iperf3 is needed (apt-get install iperf3)")
    nb("network", "create", "--subnet", "10.88.0.0/24", "bw")
    yield nb
    for c in nb("ps", "-aq").out.split():
        nb("rm", "-f", c, check=False)


def server(b, *flags):
    """An iperf3 server in a container on network bw; returns (name, short id, address)."""
    cid = b("run", "-d", "--name", "ipf", "--network", "bw", *HOST_USR, *flags, "busybox",
            "/usr/bin/iperf3", "-s").out.strip()
    listening = lambda: ":5201 " in b("exec", "ipf", "netstat", "-ltn", check=False).out
    assert oci.wait_for(listening, 20), "iperf3 -s did not listen"
    ip = b.inspect("ipf")["NetworkSettings"]["Networks"]["bw"]["IPAddress"]
    return "ipf", cid[:12], ip


def iperf(b, ip, container_sends):
    argv = ["nsenter", "--net=/run/netns/" + b.netns, "iperf3", "-c", ip, "-J", "-t", "4",
            "-O", "1"] + (["-R"] if container_sends else [])
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {"error": "rc=%d %s %s" % (p.returncode, p.stdout[-1000:], p.stderr)}


def goodput(b, ip, container_sends):
    """Bits/s that arrived, over 3 s after a 1 s warm-up (TCP's slow start, the bucket).
    The server takes a moment after a test to accept the next one (iperf3 3.12 closes its
    listening socket between tests: busy, reset or refused meanwhile): wait for that."""
    doc = {}
    busy = lambda d: re.search("busy|reset by peer|refused", d.get("error", ""))
    for _ in range(50):
        doc = iperf(b, ip, container_sends)
        if not busy(doc):
            break
        oci.wait_for(lambda: False, 0.2)
    assert "sum_received" in doc.get("end", {}), json.dumps(doc)[-3000:]
    return doc["end"]["sum_received"]["bits_per_second"]


def assert_near(bits, rate, what):
    assert 0.85 * rate <= bits <= 1.15 * rate, "%s: %.2f Mbit/s, limit %.2f Mbit/s" % (
        what, bits / 1e6, rate / 1e6)


def qdiscs(b, dev):
    p = ns_ip(b.netns, "link", "show", dev, check=False)
    if p.returncode != 0:
        return None
    out = subprocess.run(["tc", "-n", b.netns, "qdisc", "show", "dev", dev],
                         capture_output=True, text=True, check=True).stdout
    return out


def tbf_rate(out):
    m = re.search(r"qdisc tbf 1: root .*rate (\S+) burst (\S+)", out or "")
    return m.groups() if m else None


def test_limits_both_directions(net):
    _, short, ip = server(net, "--ingress-rate", "20m", "--egress-rate", "20mbit",
                          "--egress-burst", "64k")
    h = net.inspect("ipf")["HostConfig"]
    assert (h["IngressRate"], h["EgressRate"]) == (RATE, RATE)
    assert (h["IngressBurst"], h["EgressBurst"]) == (0, 65536)
    host = qdiscs(net, "vb" + short)
    assert tbf_rate(host) == ("20Mbit", "32Kb"), host
    assert "qdisc ingress ffff:" in host
    assert tbf_rate(qdiscs(net, "vbi" + short)) == ("20Mbit", "64Kb")
    filt = subprocess.run(["tc", "-n", net.netns, "filter", "show", "dev", "vb" + short,
                           "parent", "ffff:"], capture_output=True, text=True).stdout
    assert "Egress Redirect to device vbi" + short in filt, filt
    assert_near(goodput(net, ip, container_sends=False), RATE, "to the container")
    assert_near(goodput(net, ip, container_sends=True), RATE, "from the container")
    net("rm", "-f", "ipf")
    # the ifb is in the engine's namespace, not the container's: removed at the cleanup
    assert not [l for l in ns_links(net.netns) if "vbi" + short in l]


def test_update_live(net):
    _, short, ip = server(net, "--ingress-rate", "20m", "--egress-rate", "20m")
    net("update", "--ingress-rate", "10m", "--egress-rate", "10m", "ipf")
    h = net.inspect("ipf")["HostConfig"]
    assert (h["IngressRate"], h["EgressRate"]) == (10_000_000, 10_000_000)
    assert tbf_rate(qdiscs(net, "vb" + short))[0] == "10Mbit"
    assert tbf_rate(qdiscs(net, "vbi" + short))[0] == "10Mbit"
    assert_near(goodput(net, ip, container_sends=False), 10_000_000, "to the container")
    assert_near(goodput(net, ip, container_sends=True), 10_000_000, "from the container")
    # 0 lifts the limit: no qdisc, no ifb, and the same measurement is far off the limit
    net("update", "--ingress-rate", "0", "--egress-rate", "0", "ipf")
    assert tbf_rate(qdiscs(net, "vb" + short)) is None
    assert "ingress" not in qdiscs(net, "vb" + short)
    assert qdiscs(net, "vbi" + short) is None
    assert goodput(net, ip, container_sends=False) > 1.15 * RATE
    assert goodput(net, ip, container_sends=True) > 1.15 * RATE


def test_update_adds_and_restart_keeps(net):
    _, short, _ = server(net)
    assert tbf_rate(qdiscs(net, "vb" + short)) is None
    net("update", "--egress-rate", "5m", "--egress-burst", "128k", "ipf")
    assert tbf_rate(qdiscs(net, "vbi" + short)) == ("5Mbit", "128Kb")
    net("restart", "-t", "1", "ipf")
    oci.wait_for(lambda: net.status("ipf") == "running", 10)
    assert tbf_rate(qdiscs(net, "vbi" + short)) == ("5Mbit", "128Kb")
    assert tbf_rate(qdiscs(net, "vb" + short)) is None
    net("stop", "-t", "1", "ipf")
    assert qdiscs(net, "vbi" + short) is None


@pytest.mark.parametrize("mode", ["host", "none"])
def test_refused_without_a_network_of_its_own(nb, mode):
    net = ["--network", mode]
    r = nb("run", "--rm", *net, "--egress-rate", "1m", "busybox", "true", check=False)
    assert r.rc != 0
    assert "--egress-rate: bandwidth limits need a user-defined network" in r.err, r.err
    nb("create", "--name", "plain", *net, "busybox", "true")
    r = nb("update", "--ingress-rate", "1m", "plain", check=False)
    assert r.rc != 0 and "bandwidth limits need a user-defined network" in r.err, r.err
    assert nb.inspect("plain")["HostConfig"]["IngressRate"] == 0
    nb("rm", "plain")


def test_bad_values(net):
    for flag, value, why in [("--ingress-rate", "20mb", "invalid rate"),
                             ("--egress-rate", "-1", "invalid rate"),
                             ("--egress-rate", "5", "from 1k to 1000t"),
                             ("--ingress-burst", "1k", "from 16k to 1g")]:
        r = net("run", "--rm", "--network", "bw", flag, value, "busybox", "true", check=False)
        assert r.rc != 0
        assert 'invalid argument "%s" for "%s" flag' % (value, flag) in r.err, r.err
        assert why in r.err, r.err
