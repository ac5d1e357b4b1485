"""Issue 14: 50 containers started in parallel on one network get unique addresses (the
allocation under the network lock), each its own veth on the bridge, and `rm` of them all
leaves no allocation, veth or rule behind. In a network namespace of the test's own (`nb`)."""

import ipaddress
import subprocess

from test_engine_network import BUSYBOX, addr, ipam_lines, nb, ns_links, wait_no_veth  # noqa: F401

N = 50


def test_fifty_containers_in_parallel(nb):
    nb("network", "create", "--subnet", "10.91.0.0/24", "many")
    names = ["m%02d" % i for i in range(N)]
    procs = [nb.popen("run", "-d", "--name", n, "--network", "many", BUSYBOX, "sleep", "600",
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in names]
    results = [(n, p.communicate(timeout=600), p.returncode) for n, p in zip(names, procs)]
    failed = [(n, err) for n, (_, err), rc in results if rc != 0]
    assert not failed, failed
    addrs = [addr(nb, n, "many") for n in names]
    assert len(set(addrs)) == N, sorted(addrs)
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("10.91.0.0/24") for a in addrs)
    assert len(ipam_lines(nb, "many")) == N
    # the kernel's view: one veth a container on the bridge
    assert len([ln for ln in ns_links(nb.netns) if ": vb" in ln]) == N
    # the first and the last reach each other
    nb("exec", names[0], "ping", "-c1", "-W2", addrs[-1])
    nb("rm", "-f", *names)
    assert ipam_lines(nb, "many") == []
    assert wait_no_veth(nb.netns, "vb"), "veths left after rm"
    nb("network", "rm", "many")
