"""linux.sysctl (config-linux.md, Sysctl): written in the container's namespaces, never the
host's; keys that are not namespaced are refused before anything is made."""

import os

import pytest

import oci
from oci import sh


def host(path):
    return open(path).read().strip()


def test_namespaced_sysctls_apply_inside_only(runtime, bundle):
    host_forward = host("/proc/sys/net/ipv4/ip_forward")
    host_shmmni = host("/proc/sys/kernel/shmmni")
    host_msg = host("/proc/sys/fs/mqueue/msg_max")
    want_forward = "0" if host_forward == "1" else "1"
    bundle.linux["sysctl"] = {
        "net.ipv4.ip_forward": want_forward,
        "net/ipv4/conf/lo/forwarding": want_forward,
        "kernel.shmmni": "1234",
        "fs.mqueue.msg_max": "17",
        "kernel.domainname": "example.org",
    }
    bundle.set_args(sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/lo/forwarding"
                       " /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max"
                       " /proc/sys/kernel/domainname; echo 1 > /proc/sys/kernel/shmmni 2>/dev/null"
                       " || echo proc-sys-ro"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == [want_forward, want_forward, "1234", "17", "example.org",
                             "proc-sys-ro"]
    assert host("/proc/sys/net/ipv4/ip_forward") == host_forward
    assert host("/proc/sys/kernel/shmmni") == host_shmmni
    assert host("/proc/sys/fs/mqueue/msg_max") == host_msg


def test_net_sysctl_in_a_joined_netns(runtime, bundle, netns):
    bundle.set_namespace_path("network", "/run/netns/" + netns)
    bundle.linux["sysctl"] = {"net.ipv4.ping_group_range": "0 0"}
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    import subprocess
    seen = subprocess.run(["ip", "netns", "exec", netns, "cat",
                           "/proc/sys/net/ipv4/ping_group_range"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert seen == ["0", "0"]


def assert_refused(runtime, bundle, needle=None):
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth" and needle:
        assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    return r


@pytest.mark.parametrize("key,value", [
    ("vm.swappiness", "10"),
    ("kernel.pid_max", "4194304"),
    ("fs.file-max", "100"),
    ("kernel.printk", "1"),
])
def test_host_wide_sysctl_is_refused(runtime, bundle, key, value):
    before = host("/proc/sys/" + key.replace(".", "/"))
    bundle.linux["sysctl"] = {key: value}
    assert_refused(runtime, bundle, 'linux.sysctl["%s"]' % key)
    assert host("/proc/sys/" + key.replace(".", "/")) == before


def test_net_sysctl_without_netns_is_refused(runtime, bundle):
    bundle.remove_namespace("network")
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1"}
    assert_refused(runtime, bundle, 'linux.sysctl["net.ipv4.ip_forward"]')


def test_net_sysctl_in_the_runtimes_netns_is_refused(runtime, bundle):
    bundle.set_namespace_path("network", "/proc/self/ns/net")
    bundle.linux["sysctl"] = {"net.core.somaxconn": "1024"}
    assert_refused(runtime, bundle, "linux.sysctl")


def test_ipc_sysctl_without_ipc_namespace_is_refused(runtime, bundle):
    bundle.remove_namespace("ipc")
    bundle.linux["sysctl"] = {"kernel.shmmax": "1000"}
    assert_refused(runtime, bundle, 'linux.sysctl["kernel.shmmax"]')


def test_uts_sysctl_without_uts_namespace_is_refused(runtime, bundle):
    bundle.remove_namespace("uts")
    del bundle.config["hostname"]
    bundle.linux["sysctl"] = {"kernel.domainname": "x"}
    assert_refused(runtime, bundle, 'linux.sysctl["kernel.domainname"]')


def test_kernel_hostname_sysctl_is_refused_without_hostname_too(runtime, bundle):
    """The config's hostname field is how to set it: the sysctl is refused even when the
    field is unset, as runc and crun refuse it (crun's uts-sysctl test)."""
    del bundle.config["hostname"]
    bundle.linux["sysctl"] = {"kernel.hostname": "via-sysctl"}
    assert_refused(runtime, bundle, "hostname")


@pytest.mark.berth_only("checks berth's messages")
@pytest.mark.parametrize("sysctl,needle", [
    ({"kernel.hostname": "x"}, "conflicts with the config's hostname"),
    ({"net/../../kernel/pid_max": "1"}, "not a valid sysctl name"),
    ({"net..ipv4": "1"}, "not a valid sysctl name"),
    ({"net.ipv4.ip_forward": "1\n2"}, "newline"),
    ({"net.ipv4.no_such_key": "1"}, 'linux.sysctl["net.ipv4.no_such_key"]'),
])
def test_bad_sysctls(runtime, bundle, sysctl, needle):
    bundle.linux["sysctl"] = sysctl
    assert_refused(runtime, bundle, needle)


def test_sysctl_must_be_strings(runtime, bundle):
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": 1}
    assert_refused(runtime, bundle, 'linux.sysctl["net.ipv4.ip_forward"]')
