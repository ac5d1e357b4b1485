"""build/berth driven as a user drives docker, with what the engine tests check on the host."""

import json
import os
import re
import signal
import subprocess
import time
from typing import NamedTuple

import cgroupfs
import oci

ENGINE = os.environ.get("BERTH_ENGINE", os.path.join(oci.REPO, "build", "berth"))
CREATE_CMDS = ("run", "create", "build")


class Result(NamedTuple):
    rc: int
    out: str
    err: str

    def __str__(self):
        return "rc=%d\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.out, self.err)


def monitors_of(root):
    """PIDs of berth-monitor processes that serve the engine root."""
    return live_pids(b"berth-monitor", str(root).encode())


def live_pids(program, arg):
    """PIDs of live (not zombie) processes running program with arg among their argv."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(program) and arg in argv:
            if oci.proc_state(int(d)) not in (None, "Z"):
                pids.append(int(d))
    return pids


class Berth:
    """`berth --root ROOT ...`; run/create get --runtime and --cgroup-parent."""

    def __init__(self, root, runtime, runtime_name, cgroup_parent):
        self.root = str(root)
        self.runtime = runtime
        self.runtime_name = runtime_name
        self.cgroup_parent = cgroup_parent

    def argv(self, args):
        args = list(args)
        if args and args[0] in CREATE_CMDS:
            args[1:1] = ["--runtime", self.runtime, "--cgroup-parent", self.cgroup_parent]
        return [ENGINE, "--root", self.root] + args

    def __call__(self, *args, check=True, timeout=60, input=None):
        p = subprocess.run(self.argv(args), capture_output=True, text=True, timeout=timeout,
                           input=input, stdin=None if input is not None else subprocess.DEVNULL)
        r = Result(p.returncode, p.stdout, p.stderr)
        if check and r.rc != 0:
            raise AssertionError("berth %s failed:\n%s" % (" ".join(args), r))
        return r

    def popen(self, *args, **kw):
        return subprocess.Popen(self.argv(args), **kw)

    def inspect(self, ref):
        return json.loads(self("inspect", ref).out)[0]

    def pid(self, ref):
        return self.inspect(ref)["State"]["Pid"]

    def cgroup(self, ref):
        return self.cgroup_parent + "/" + self.inspect(ref)["Id"]

    def cgroup_file(self, ref, controller, v1_file, v2_file):
        return cgroupfs.read(self.cgroup(ref), controller, v1_file, v2_file)

    def status(self, ref):
        r = self("inspect", "--type", "container", ref, check=False)
        return json.loads(r.out)[0]["State"]["Status"] if r.rc == 0 else None

    def wait_status(self, ref, status, timeout=10):
        assert oci.wait_for(lambda: self.status(ref) == status, timeout), \
            "container %s never became %s: %s" % (ref, status, self.status(ref))

    def wait_log(self, ref, pattern, timeout=10):
        rx = re.compile(pattern)
        assert oci.wait_for(lambda: rx.search(self("logs", ref).out), timeout), \
            "no %r in the logs of %s: %r" % (pattern, ref, self("logs", ref).out)

    def containers(self):
        d = os.path.join(self.root, "containers")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def leftovers(self):
        """What a removed container may leave: the checks of 'nothing left'."""
        problems = []
        for name in ("containers", "names", "image/snapshots"):
            d = os.path.join(self.root, name)
            if os.path.isdir(d) and os.listdir(d):
                problems.append("%s: %s" % (d, os.listdir(d)))
        for mp in oci.mounts_under(self.root):
            problems.append("mount " + mp)
        # a monitor closes its last fd just before it exits
        oci.wait_for(lambda: not monitors_of(self.root), 2)
        for pid in monitors_of(self.root):
            problems.append("monitor pid %d" % pid)
        for d in oci.cgroup_dirs(self.cgroup_parent):
            subdirs = [e for e in os.listdir(d) if os.path.isdir(os.path.join(d, e))]
            if subdirs:
                problems.append("cgroup %s: %s" % (d, subdirs))
        rt = os.path.join(self.root, "runtime")
        for name in os.listdir(rt) if os.path.isdir(rt) else []:
            left = [e for e in os.listdir(os.path.join(rt, name)) if not e.startswith((".", "@"))]  # caches (seccomp)
            if left:
                problems.append("runtime state %s: %s" % (name, left))
        return problems

    def teardown(self):
        ids = self("ps", "-aq", "--no-trunc", check=False).out.split()
        for cid in ids:
            self("rm", "-f", "-v", cid, check=False)
        problems = ["container %s was not removed by the test" % c for c in ids]
        problems += self.leftovers()
        for pid in monitors_of(self.root):
            os.kill(pid, signal.SIGKILL)
        for mp in reversed(oci.mounts_under(self.root)):
            subprocess.run(["umount", "-l", mp], check=False)
        for d in oci.cgroup_dirs(self.cgroup_parent):
            problems += oci.remove_cgroup_tree(d)
        return problems


def wait_gone(pid, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if oci.proc_state(pid) in (None, "Z"):
            return True
        time.sleep(0.02)
    return False
