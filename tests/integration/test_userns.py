"""User namespaces: uidMappings/gidMappings, what works inside one, joining one by `path`
(config-linux.md, Namespaces and User namespace mappings)."""

import os
import shutil
import subprocess

import pytest

import cgroupfs
import oci
from oci import sh

# Container root is host uid/gid 100000; 65536 ids mapped, as Docker's userns-remap does.
HOST_BASE = 100000
MAPPING = [{"containerID": 0, "hostID": HOST_BASE, "size": 65536}]


@pytest.fixture
def bundle(open_bundle):
    """Bundles here live where the container's mapped root can reach them."""
    return open_bundle()


def open_dir(bundle, name):
    """A directory beside the bundle (reachable from inside a user namespace)."""
    path = os.path.join(os.path.dirname(bundle.path), name)
    os.makedirs(path)
    return path


def use_userns(bundle, uid_map=MAPPING, gid_map=MAPPING):
    bundle.linux["namespaces"].append({"type": "user"})
    bundle.linux["uidMappings"] = [dict(m) for m in uid_map]
    bundle.linux["gidMappings"] = [dict(m) for m in gid_map]
    # The rootfs must be usable by the mapped root: as Docker's remap, chown it.
    chown_tree(bundle.rootfs, HOST_BASE)


def chown_tree(path, base):
    for dirpath, dirnames, filenames in os.walk(path):
        for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
            st = os.lstat(name)
            os.lchown(name, base + st.st_uid, base + st.st_gid)


def test_userns_maps_and_root_inside(runtime, bundle, tmp_path):
    use_userns(bundle)
    pid_file = str(tmp_path / "pid")
    bundle.set_args(["sleep", "1000"])
    r = runtime.create(bundle, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(open(pid_file).read())
    runtime.remember_pid(pid)
    assert open("/proc/%d/uid_map" % pid).read().split() == ["0", str(HOST_BASE), "65536"]
    assert open("/proc/%d/gid_map" % pid).read().split() == ["0", str(HOST_BASE), "65536"]
    assert oci.ns_link("user", pid) != oci.ns_link("user")
    # Root in the container is the unprivileged host uid 100000.
    status = oci.proc_status(pid)
    assert status["Uid"].split() == [str(HOST_BASE)] * 4
    assert status["Gid"].split() == [str(HOST_BASE)] * 4


def add_caps(bundle, *caps):
    for k, v in bundle.process["capabilities"].items():
        if k != "inheritable":
            v.extend(caps)


def sys_bind(bundle):
    """/sys from the host (rbind, ro), as `spec --rootless` has it: sysfs cannot be mounted
    in a user namespace that does not own the network namespace."""
    for m in bundle.config["mounts"]:
        if m["destination"] == "/sys":
            m.update({"type": "none", "source": "/sys",
                      "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})


def test_userns_id_and_file_ownership(runtime, bundle):
    use_userns(bundle)
    add_caps(bundle, "CAP_CHOWN")
    shared = open_dir(bundle, "shared")
    os.chown(shared, HOST_BASE, HOST_BASE)
    bundle.add_mount("/shared", "bind", str(shared), ["rbind", "rw"])
    bundle.set_args(sh("id -u; id -g; touch /shared/made; chown 1000:1000 /shared; "
                       "stat -c '%u %g' /shared/made; stat -c '%u' /proc"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split()[:4] == ["0", "0", "0", "0"]
    st = os.stat(os.path.join(shared, "made"))
    assert (st.st_uid, st.st_gid) == (HOST_BASE, HOST_BASE)
    st = os.stat(shared)
    assert (st.st_uid, st.st_gid) == (HOST_BASE + 1000, HOST_BASE + 1000)


def test_userns_unmapped_host_files_are_nobody(runtime, bundle):
    use_userns(bundle)
    shared = open_dir(bundle, "hostowned")
    with open(os.path.join(shared, "f"), "w") as f:
        f.write("x")
    bundle.add_mount("/hostowned", "bind", str(shared), ["rbind", "ro"])
    bundle.set_args(sh("stat -c '%u %g' /hostowned/f; touch /hostowned/g 2>/dev/null || "
                       "echo denied"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["65534", "65534", "denied"]


def test_userns_bind_source_only_host_root_reaches(runtime, bundle):
    """The runtime opens bind sources, not the container's mapped root: a source under a
    0700 directory of the host's root binds (runc and crun pass the fds in, too). Many
    mounts, so the fds cross in more than one batch."""
    use_userns(bundle)
    locked = open_dir(bundle, "locked")
    os.chmod(locked, 0o700)
    sources = []
    for i in range(260):
        d = os.path.join(locked, "d%d" % i)
        os.mkdir(d)
        with open(os.path.join(d, "f"), "w") as f:
            f.write("%d\n" % i)
        sources.append(d)
    for i, d in enumerate(sources):
        bundle.add_mount("/locked/d%d" % i, "bind", d, ["bind", "ro"])
    bundle.set_args(sh("cat /locked/d0/f /locked/d259/f; ls /locked | wc -l; "
                       "ls -l /proc/1/fd/ | grep -c /locked || true"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["0", "259", "260", "0"]  # and no source fd left open


def test_userns_created_init_holds_no_bind_source(runtime, bundle):
    """The sources passed in are closed with the rest of the setup's fds: a created init
    keeps no host directory (test_security_fds.py says why)."""
    from test_security_fds import created_init_fds
    use_userns(bundle)
    src = open_dir(bundle, "src")
    bundle.add_mount("/src", "bind", src, ["bind", "ro"])
    fds = created_init_fds(runtime, bundle)
    assert src not in fds.values(), fds


def test_userns_dev_proc_and_mounts_work(runtime, bundle):
    """In a user namespace mknod is refused: the default devices come from the host."""
    use_userns(bundle)
    bundle.set_args(sh(
        "echo hi > /dev/null && head -c 4 /dev/zero | wc -c && "
        "stat -c '%t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty && "
        "test -c /dev/null && ls /proc/self/ns/user >/dev/null && cat /proc/1/comm && "
        "grep -c ' /dev/shm ' /proc/self/mountinfo && grep -c ' /dev/pts ' /proc/self/mountinfo"
        " && touch /tmp/x && echo rootfs-writable"))
    bundle.config["root"]["readonly"] = False
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    out = r.out.split()
    assert out[0] == "4"
    assert out[1:7] == ["1:3", "1:5", "1:7", "1:8", "1:9", "5:0"]
    assert out[7] == "sh"
    assert out[8:] == ["1", "1", "rootfs-writable"]


def test_userns_partial_mapping_setgroups(runtime, bundle):
    """Several ranges, and additionalGids inside the mapped range."""
    uid_map = [{"containerID": 0, "hostID": HOST_BASE, "size": 1000},
               {"containerID": 1000, "hostID": HOST_BASE + 1000, "size": 64536}]
    use_userns(bundle, uid_map, uid_map)
    bundle.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [2000, 3000]}
    bundle.set_args(sh("id -u; id -g; cat /proc/self/uid_map | wc -l; "
                       "grep Groups /proc/self/status"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[:3] == ["1000", "1000", "2"]
    assert lines[3].split()[1:] == ["2000", "3000"]


def unshare_userns_holder(helper_process, extra=(), setgroups=None):
    """A process in a new user namespace (root mapped to HOST_BASE) to join by path."""
    if not shutil.which("unshare"):
        oci.skip("unshare (util-linux) is needed")
    p = helper_process(["unshare", "--user", *extra, *oci.SLEEPER])
    host = oci.ns_link("user")
    # unshare execs sleep in place: wait for the exec, then map its ids as root may.
    assert oci.wait_for(lambda: oci.ns_link("user", p.pid) != host and
                        oci.sleeper_ready(p.pid), timeout=5)
    if setgroups:
        with open("/proc/%d/setgroups" % p.pid, "w") as f:
            f.write(setgroups)
    for f in ("uid_map", "gid_map"):
        with open("/proc/%d/%s" % (p.pid, f), "w") as m:
            m.write("0 %d 65536\n" % HOST_BASE)
    return p


def join_userns(bundle, holder):
    """Join holder's user namespace; the mappings are repeated (runc 1.1.5 wants them)."""
    bundle.set_namespace_path("user", "/proc/%d/ns/user" % holder.pid)
    bundle.linux["uidMappings"] = list(MAPPING)
    bundle.linux["gidMappings"] = list(MAPPING)


def userns_owner(pid, kind):
    """The inode of the user namespace that owns pid's `kind` namespace (ioctl NS_GET_USERNS)."""
    import fcntl
    NS_GET_USERNS = 0xb701
    fd = os.open("/proc/%d/ns/%s" % (pid, kind), os.O_RDONLY)
    try:
        owner = fcntl.ioctl(fd, NS_GET_USERNS)
        try:
            return os.fstat(owner).st_ino
        finally:
            os.close(owner)
    finally:
        os.close(fd)


def test_join_userns_by_path_owns_new_namespaces(runtime, bundle, helper_process, tmp_path):
    holder = unshare_userns_holder(helper_process)
    join_userns(bundle, holder)
    chown_tree(bundle.rootfs, HOST_BASE)
    pid_file = str(tmp_path / "pid")
    bundle.set_args(["sleep", "1000"])
    r = runtime.create(bundle, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(open(pid_file).read())
    runtime.remember_pid(pid)
    assert oci.ns_link("user", pid) == oci.ns_link("user", holder.pid)
    assert oci.proc_status(pid)["Uid"].split() == [str(HOST_BASE)] * 4
    user_ino = os.stat("/proc/%d/ns/user" % holder.pid).st_ino
    for kind in ("mnt", "pid", "uts", "ipc", "net"):
        assert oci.ns_link(kind, pid) != oci.ns_link(kind), kind
        assert userns_owner(pid, kind) == user_ino, kind
    # A new pid namespace: the init is its pid 1 (NSpid: host pid, then 1).
    assert oci.proc_status(pid)["NSpid"].split() == [str(pid), "1"]


def test_join_userns_bind_source_only_host_root_reaches(runtime, bundle, helper_process):
    """A joined user namespace, as a new one: the runtime opens the bind sources (berth's
    engine joins one on a bridge network, and binds its /etc files from a 0700 directory)."""
    holder = unshare_userns_holder(helper_process)
    join_userns(bundle, holder)
    chown_tree(bundle.rootfs, HOST_BASE)
    locked = open_dir(bundle, "locked")
    os.chmod(locked, 0o700)
    os.mkdir(os.path.join(locked, "d"))
    with open(os.path.join(locked, "d", "f"), "w") as f:
        f.write("reached\n")
    bundle.add_mount("/locked", "bind", os.path.join(locked, "d"), ["bind", "ro"])
    bundle.set_args(sh("cat /locked/f; ls -l /proc/1/fd/ | grep -c /locked || true"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["reached", "0"]


def test_join_userns_and_netns_by_path(runtime, bundle, helper_process, tmp_path):
    """Both joined: user first, so the network namespace owned by it can be joined."""
    holder = unshare_userns_holder(helper_process, ["--net"])
    join_userns(bundle, holder)
    bundle.set_namespace_path("network", "/proc/%d/ns/net" % holder.pid)
    chown_tree(bundle.rootfs, HOST_BASE)
    bundle.set_args(sh("readlink /proc/self/ns/user; readlink /proc/self/ns/net; "
                       "cat /proc/self/uid_map"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0] == oci.ns_link("user", holder.pid)
    assert lines[1] == oci.ns_link("net", holder.pid)
    assert lines[2].split() == ["0", str(HOST_BASE), "65536"]


def test_join_userns_with_setgroups_denied(runtime, bundle, helper_process):
    holder = unshare_userns_holder(helper_process, setgroups="deny")
    join_userns(bundle, holder)
    chown_tree(bundle.rootfs, HOST_BASE)
    bundle.set_args(sh("cat /proc/self/setgroups; id -u"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["deny", "0"]


def test_new_userns_with_joined_netns(runtime, bundle, netns):
    """A new user namespace and a host-owned netns joined by path: joined before userns."""
    use_userns(bundle)
    sys_bind(bundle)
    bundle.set_namespace_path("network", "/run/netns/" + netns)
    bundle.set_args(sh("readlink /proc/self/ns/net; id -u; "
                       "ls /sys/fs/cgroup | grep -c '^berth-test' || true"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    out = r.out.split()
    assert out[:2] == ["net:[%d]" % os.stat("/run/netns/" + netns).st_ino, "0"], str(r)
    if cgroupfs.layout() == "v2":
        # cgroup2 cannot be mounted over the host's, which the bound /sys brings along
        # (EBUSY): the container's own cgroup is bound instead, not the host's whole tree
        assert out[2] == "0", str(r)


def test_join_pid_namespace_by_path(runtime, bundle, helper_process):
    """Joined pid namespace: the container sees the holder's pid 1 and itself inside it."""
    if not shutil.which("unshare"):
        oci.skip("unshare (util-linux) is needed")
    holder = helper_process(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                             *oci.SLEEPER])
    host = oci.ns_link("pid")
    # The namespace holder is unshare's child (sleep, pid 1 inside).
    child = oci.wait_for(lambda: children_of(holder.pid), timeout=5)
    assert child, "unshare --fork did not start its child"
    sleeper = child[0]
    assert oci.wait_for(lambda: oci.sleeper_ready(sleeper), timeout=5), "the holder did not start"
    assert oci.ns_link("pid", sleeper) != host
    bundle.set_namespace_path("pid", "/proc/%d/ns/pid" % sleeper)
    bundle.set_args(sh("readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr '\\0' ' '; echo"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0] == oci.ns_link("pid", sleeper)
    assert lines[1].split() == oci.SLEEPER
    # berth-runtime's own pid namespace for children is untouched (hooks run there).
    assert oci.ns_link("pid") == host


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


@pytest.mark.parametrize("field,value,needle", [
    ("uidMappings", [{"containerID": 0, "hostID": 1, "size": 0}], "uidMappings[0]"),
    ("gidMappings", [{"containerID": 0, "hostID": 1}], "gidMappings[0]"),
    ("uidMappings", "x", "uidMappings"),
])
def test_bad_mappings_are_refused(runtime, bundle, field, value, needle):
    use_userns(bundle)
    bundle.linux[field] = value
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.berth_only("runc 1.1.5 ignores mappings without a user namespace")
def test_mappings_without_userns_are_refused(runtime, bundle):
    bundle.linux["uidMappings"] = list(MAPPING)
    bundle.linux["gidMappings"] = list(MAPPING)
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "linux.uidMappings" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_loopback_is_up_in_a_new_user_and_network_namespace(runtime, bundle):
    """The init brings lo up with the capabilities of its own user namespace."""
    use_userns(bundle)
    bundle.set_args(sh("cat /sys/class/net/lo/flags"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert int(r.out.strip(), 16) & 0x1, r.out      # IFF_UP
