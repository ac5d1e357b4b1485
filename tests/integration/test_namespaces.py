"""Joining existing namespaces by `path` (config-linux.md, Namespaces)."""

import os
import shutil
import subprocess

import oci
from oci import sh


def test_join_network_namespace_by_path(runtime, bundle, netns):
    path = "/run/netns/" + netns
    # A device that exists only in this namespace shows that the container is in it.
    dummy = subprocess.run(["ip", "-n", netns, "link", "add", "bt-dummy0", "type", "dummy"],
                           capture_output=True).returncode == 0
    bundle.set_namespace_path("network", path)
    bundle.set_args(sh("readlink /proc/self/ns/net; cat /proc/net/dev"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0] == "net:[%d]" % os.stat(path).st_ino
    assert lines[0] != oci.ns_link("net")
    devices = {line.split(":")[0].strip() for line in lines[3:]}
    assert devices == ({"lo", "bt-dummy0"} if dummy else {"lo"})


def test_join_uts_namespace_by_path(runtime, bundle, helper_process):
    if not shutil.which("unshare") or not shutil.which("nsenter"):
        oci.skip("unshare and nsenter (util-linux) are needed")
    helper = helper_process(["unshare", "--uts", *oci.SLEEPER])
    host_uts = oci.ns_link("uts")
    assert oci.wait_for(lambda: oci.sleeper_ready(helper.pid), timeout=5) and \
        oci.ns_link("uts", helper.pid) != host_uts, \
        "unshare --uts did not make a new namespace"
    path = "/proc/%d/ns/uts" % helper.pid
    bundle.set_namespace_path("uts", path)
    bundle.config["hostname"] = "joined-uts"
    bundle.set_args(sh("readlink /proc/self/ns/uts; hostname"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == [oci.ns_link("uts", helper.pid), "joined-uts"]
    # The hostname was set in the helper's namespace, and not on the host.
    seen = subprocess.run(["nsenter", "-t", str(helper.pid), "-u", "hostname"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert seen == "joined-uts"
    assert open("/proc/sys/kernel/hostname").read().strip() != "joined-uts"


def test_join_namespace_while_others_are_new(runtime, bundle, netns):
    """Joining net leaves the other namespaces new: pid, mnt, ipc, uts still differ."""
    bundle.set_namespace_path("network", "/run/netns/" + netns)
    kinds = ("pid", "mnt", "uts", "ipc")
    bundle.set_args(sh("; ".join("readlink /proc/self/ns/" + k for k in kinds)))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    for kind, link in zip(kinds, r.out.split()):
        assert link != oci.ns_link(kind), kind


# The loopback interface (netdev.c): up in a network namespace the runtime creates, as runc
# and crun leave it (Docker, Podman and containerd count on it); a joined one is left as it is.

IFF_UP = 0x1


def lo_flags(runtime, bundle):
    bundle.set_args(sh("cat /sys/class/net/lo/flags"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    return int(r.out.strip(), 16)


def test_loopback_is_up_in_a_new_network_namespace(runtime, bundle):
    assert lo_flags(runtime, bundle) & IFF_UP


def test_joined_network_namespace_is_left_as_it_is(runtime, bundle, netns):
    """`ip netns add` leaves lo down: joining the namespace does not bring it up."""
    bundle.set_namespace_path("network", "/run/netns/" + netns)
    assert not lo_flags(runtime, bundle) & IFF_UP
    assert "state DOWN" in subprocess.run(["ip", "-n", netns, "link", "show", "lo"],
                                          capture_output=True, text=True).stdout
