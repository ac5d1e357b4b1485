"""The host's cgroup layout for the cgroup tests: where a container's files are.

A controller lives in the v1 hierarchy that has it, else in the cgroup2 tree (pure v2, or
a hybrid host's cgroup2 for what v1 lacks, such as hugetlb here). Tests read the files
there to see a limit land, and the usage counters to see it enforced.
"""

import os
import shutil
import subprocess

import oci


def _mounts():
    return [m for m in oci.host_mounts() if m["fstype"] in ("cgroup", "cgroup2")]


def layout():
    """'v1', 'v2' or 'hybrid'."""
    kinds = {m["fstype"] for m in _mounts()}
    if kinds == {"cgroup2"}:
        return "v2"
    return "hybrid" if "cgroup2" in kinds else "v1"


def unified_mount():
    for m in _mounts():
        if m["fstype"] == "cgroup2":
            return m["mount_point"]
    return None


def v1_mount(controller):
    for m in _mounts():
        if m["fstype"] == "cgroup" and controller in m["super_opts"]:
            return m["mount_point"]
    return None


def v2_controllers():
    u = unified_mount()
    if not u:
        return set()
    return set(oci.read_file(os.path.join(u, "cgroup.controllers")).split())


def is_v2(controller):
    """Does the controller live in cgroup2 on this host?"""
    return v1_mount(controller) is None and unified_mount() is not None


def has(controller):
    return v1_mount(controller) is not None or controller in v2_controllers() or (
        controller in ("freezer", "devices") and unified_mount() is not None)


def cgdir(cgroups_path, controller):
    """The container's directory for controller ("memory", "cpu", "blkio", ...)."""
    mp = v1_mount(controller)
    if mp is None:
        mp = unified_mount()
    return mp + cgroups_path


def read(cgroups_path, controller, v1_file, v2_file):
    """The content of the controller's file (the v1 or the v2 name), stripped."""
    name = v2_file if is_v2(controller) else v1_file
    return oci.read_file(os.path.join(cgdir(cgroups_path, controller), name)).strip()


def keyed(text, key):
    """The value of key in a "key value" per line file (cpu.stat, memory.events)."""
    for line in text.splitlines():
        k, _, v = line.partition(" ")
        if k == key:
            return int(v.split()[0])
    return None


def cpu_usage_ns(cgroups_path):
    """CPU time used by the container so far, in ns (cpuacct.usage or cpu.stat usage_usec)."""
    if is_v2("cpuacct") and is_v2("cpu"):
        stat = oci.read_file(os.path.join(cgdir(cgroups_path, "cpu"), "cpu.stat"))
        return keyed(stat, "usage_usec") * 1000
    return int(read(cgroups_path, "cpuacct", "cpuacct.usage", "cpuacct.usage"))


def oom_kills(cgroups_path):
    if is_v2("memory"):
        return keyed(read(cgroups_path, "memory", "", "memory.events"), "oom_kill")
    return keyed(read(cgroups_path, "memory", "memory.oom_control", ""), "oom_kill")


class LoopDevice:
    """A loop block device over a file under tmp_path (for blkio/io rules); detached after."""

    def __init__(self, tmp_path):
        backing = tmp_path / "loop.img"
        with open(backing, "wb") as f:
            f.truncate(8 << 20)
        self.path = subprocess.run(["losetup", "-f", "--show", str(backing)], check=True,
                                   capture_output=True, text=True).stdout.strip()
        st = os.stat(self.path)
        self.major, self.minor = os.major(st.st_rdev), os.minor(st.st_rdev)
        self.name = os.path.basename(self.path)

    def use_bfq(self):
        """Switch the device's I/O scheduler to bfq; False when the kernel has none."""
        sched = "/sys/block/%s/queue/scheduler" % self.name
        if shutil.which("modprobe"):
            subprocess.run(["modprobe", "-q", "bfq"], check=False)
        try:
            with open(sched, "w") as f:
                f.write("bfq")
        except OSError:
            return False
        return "[bfq]" in oci.read_file(sched)

    def close(self):
        subprocess.run(["losetup", "-d", self.path], check=False)
