"""linux.netDevices (config-linux.md, Network Devices): a device of the runtime's network
namespace moved into the container's, renamed, with its addresses, and up.

The host's network is never touched: the runtime itself runs inside a network namespace
the test makes (`nsenter --net`), and the devices are a veth pair made there."""

import os
import shutil
import subprocess

import pytest

import oci
from oci import sh

pytestmark = pytest.mark.berth_only("runc 1.1.5 has no linux.netDevices (runtime-spec 1.3)")


def ip(netns, *args, check=True):
    return subprocess.run(["ip", "-n", netns, *args], capture_output=True, text=True,
                          check=check)


@pytest.fixture
def veth(runtime, netns):
    """bt-veth0 (10.231.0.1/24, fd00:231::1/64) and its peer bt-veth1 in the test netns; the
    runtime runs in that namespace."""
    ip(netns, "link", "add", "bt-veth0", "type", "veth", "peer", "name", "bt-veth1")
    ip(netns, "addr", "add", "10.231.0.1/24", "dev", "bt-veth0")
    ip(netns, "addr", "add", "fd00:231::1/64", "dev", "bt-veth0", "nodad")
    # nsenter --net only: `ip netns exec` would also remount /sys (and hide the cgroups).
    runtime.prefix = ["nsenter", "--net=/run/netns/" + netns]
    yield netns
    runtime.prefix = []  # the namespace goes before the runtime's teardown runs


def links(netns):
    return ip(netns, "-o", "link", "show").stdout


def test_device_moves_renamed_with_addresses_and_up(runtime, bundle, veth):
    bundle.linux["netDevices"] = {"bt-veth0": {"name": "eth0"}}
    bundle.set_args(sh("ip -o link show eth0; ip -o addr show dev eth0"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    link = r.out.splitlines()[0]
    assert ": eth0@" in link and ",UP" in link, link
    assert "inet 10.231.0.1/24" in r.out and "inet6 fd00:231::1/64" in r.out, r.out
    # Not moved back (config-linux.md: the runtime MUST NOT); the veth pair goes with the
    # container's namespace (the kernel tears a namespace down asynchronously).
    assert "bt-veth0" not in links(veth)
    assert oci.wait_for(lambda: "bt-veth1" not in links(veth), timeout=10), links(veth)


def test_device_keeps_its_name_without_one(runtime, bundle, veth, tmp_path):
    bundle.linux["netDevices"] = {"bt-veth0": {}}
    bundle.set_args(["sleep", "1000"])
    pid_file = str(tmp_path / "pid")
    r = runtime.create(bundle, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(open(pid_file).read())
    runtime.remember_pid(pid)
    inside = subprocess.run(["nsenter", "-t", str(pid), "-n", "ip", "-o", "link", "show",
                             "bt-veth0"], capture_output=True, text=True)
    assert inside.returncode == 0 and "bt-veth0@" in inside.stdout, inside
    assert "bt-veth0" not in links(veth)
    # The peer stays in the runtime's namespace while the container lives.
    assert "bt-veth1" in links(veth)


def test_name_template(runtime, bundle, veth):
    bundle.linux["netDevices"] = {"bt-veth0": {"name": "ctr%d"}}
    bundle.set_args(sh("ip -o link show | grep -o 'ctr[0-9]*'"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["ctr0"]


def test_name_taken_in_the_container_is_an_error(runtime, bundle, veth):
    bundle.linux["netDevices"] = {"bt-veth0": {"name": "lo"}}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert 'linux.netDevices["bt-veth0"]' in r.err and "'lo'" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_missing_device_is_refused_before_anything(runtime, bundle, veth):
    bundle.linux["netDevices"] = {"bt-nosuch": {}}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert 'linux.netDevices["bt-nosuch"]' in r.err and "no such device" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    assert "bt-veth0" in links(veth)


@pytest.mark.parametrize("devices,namespaces,needle", [
    ({"bt-veth0": {"name": "a/b"}}, None, "is not a valid interface name"),
    ({"bt-veth0": {"name": "x" * 16}}, None, "is not a valid interface name"),
    ({"bt-veth0": {}}, "none", "linux.netDevices: need a new network namespace"),
    ({"bt-veth0": {}}, "path", "linux.netDevices: need a new network namespace"),
    ({"bt-veth0": {"name": 3}}, None, 'linux.netDevices["bt-veth0"].name'),
])
def test_bad_net_devices(runtime, bundle, veth, devices, namespaces, needle):
    bundle.linux["netDevices"] = devices
    if namespaces == "none":
        bundle.remove_namespace("network")
    elif namespaces == "path":
        bundle.set_namespace_path("network", "/run/netns/" + veth)
    r = runtime.create(bundle)
    assert r.rc != 0
    assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert "bt-veth0" in links(veth)
