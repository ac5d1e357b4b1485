"""The world the client tests run in: a network namespace, private folders, a cgroup parent,
the daemons started in them, and the cleanup of everything afterwards.

Nothing here touches the host's network, /var/lib/{docker,containerd}, /etc/containers or
the host's own cgroups:
- every daemon runs in a network namespace `berth-clients-<sid>` made for the session
  (`nsenter --net`, not `ip netns exec`, which would remount /sys and hide the cgroup
  hierarchies), with only `lo` up;
- every folder, socket and config lives under one base folder /tmp/berth-clients-<sid>;
- every container cgroup is under the absolute parent /berth-clients/<sid> in each
  hierarchy (never a relative path: runc roots those in the caller's own cgroup, which on
  this host is the machine's /process_api);
- processes are found by their cgroup (under our parent) or by naming our base folder on
  their command line, and killed by PID.
"""

import os
import secrets
import signal
import subprocess
import time

CGROUP_ROOT_PARENT = "/berth-clients"
NETNS_DIR = "/run/netns"


def log(msg):
    print("[clients] " + msg, flush=True)


def cgroup_mountpoints():
    """Mount points of every cgroup v1 hierarchy and of cgroup2."""
    out = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            if post.split()[0] in ("cgroup", "cgroup2"):
                out.add(pre.split()[4])
    return sorted(out)


def cgroup_hierarchies():
    """[(mount point, set of v1 controllers or None for cgroup2)] of this host."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            fstype, _, opts = (post.split() + ["", "", ""])[:3]
            if fstype == "cgroup":
                ctrls = {o for o in opts.split(",") if o not in ("rw", "ro")}
                out.append((pre.split()[4], ctrls))
            elif fstype == "cgroup2":
                out.append((pre.split()[4], None))
    return out


def process_cgroup_dir(pid, controller):
    """The host directory of pid's cgroup that holds controller's files (v1 hierarchy with
    that controller, else cgroup2 if the controller is enabled there), or None."""
    paths = {}
    with open("/proc/%d/cgroup" % pid) as f:
        for line in f:
            hid, ctrls, path = line.rstrip("\n").split(":", 2)
            if hid == "0":
                paths[None] = path
            for c in ctrls.split(","):
                paths[c] = path
    for mp, ctrls in cgroup_hierarchies():
        if ctrls is not None and controller in ctrls and controller in paths:
            return mp + paths[controller]
    for mp, ctrls in cgroup_hierarchies():
        if ctrls is None and None in paths:
            try:
                with open(mp + "/cgroup.controllers") as f:
                    if controller in f.read().split():
                        return mp + paths[None]
            except OSError:
                pass
    return None


def mount_points():
    with open("/proc/self/mountinfo") as f:
        return [unescape(line.split()[4]) for line in f]


def unescape(s):
    return s.encode().decode("unicode_escape") if "\\" in s else s


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except OSError:
        return False


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def proc_cgroup_paths(pid):
    """The set of cgroup paths a process is in (one per hierarchy)."""
    try:
        with open("/proc/%d/cgroup" % pid) as f:
            return {line.rstrip("\n").split(":", 2)[2] for line in f}
    except OSError:
        return set()


class World:
    """The session's namespace, base folder and cgroup parent; cleanup() undoes all of it."""

    def __init__(self):
        self.sid = secrets.token_hex(3)
        self.base = "/tmp/berth-clients-" + self.sid
        self.netns = "berth-clients-" + self.sid
        self.cgroup_parent = "%s/%s" % (CGROUP_ROOT_PARENT, self.sid)
        self.daemons = []
        self.own_cgroup_dirs = own_cgroup_subtree()
        os.makedirs(self.base, mode=0o711)
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        subprocess.run(["ip", "-n", self.netns, "link", "set", "lo", "up"], check=True)

    @property
    def netns_path(self):
        return os.path.join(NETNS_DIR, self.netns)

    def in_netns(self, argv):
        """argv run in the session's network namespace (and nothing else changed)."""
        return ["nsenter", "--net=" + self.netns_path, "--"] + list(argv)

    def path(self, *parts):
        return os.path.join(self.base, *parts)

    # What belongs to us, for leak counts and for cleanup.

    def cgroup_dirs(self):
        """Every cgroup directory under our parent, in every hierarchy (parent included)."""
        found = []
        for mp in cgroup_mountpoints():
            top = mp + self.cgroup_parent
            for dirpath, _, _ in os.walk(top):
                found.append(dirpath)
        return sorted(found)

    def mounts(self):
        """Host mount points under the base folder."""
        return [m for m in mount_points() if m == self.base or m.startswith(self.base + "/")]

    def our_processes(self):
        """PIDs of processes we started, directly or through a daemon: their cgroup is under
        our parent, or their command line names our base folder or network namespace."""
        me = os.getpid()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            pid = int(entry)
            cmd = cmdline(pid)
            if self.base in cmd or self.netns_path in cmd or any(
                    p == self.cgroup_parent or p.startswith(self.cgroup_parent + "/")
                    for p in proc_cgroup_paths(pid)):
                if pid_alive(pid):
                    found.append(pid)
        return sorted(found)

    # Cleanup.

    def cleanup(self):
        """Stop the daemons, then kill, unmount and remove whatever is left; returns problems."""
        problems = []
        for d in reversed(self.daemons):
            try:
                d.stop()
            except Exception as e:  # keep cleaning up
                problems.append("stopping %s: %s" % (d.name, e))
        left = self.our_processes()
        for pid in left:
            problems.append("process %d still alive after the daemons stopped (killed now): %s"
                            % (pid, cmdline(pid)[:150]))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while any(pid_alive(p) for p in left) and time.monotonic() < deadline:
            time.sleep(0.05)
        for mp in sorted(self.mounts(), key=len, reverse=True):
            problems.append("mount %s left after the daemons stopped (unmounted now)" % mp)
            r = subprocess.run(["umount", "-l", mp], capture_output=True, text=True)
            if r.returncode != 0:
                problems.append("umount %s: %s" % (mp, r.stderr.strip()))
        for d in sorted(self.cgroup_dirs(), key=len, reverse=True):
            rel = d.split(self.cgroup_parent, 1)[1]
            if rel not in ("", "/conmon"):  # the parent, and podman's cgroup for conmon
                problems.append("cgroup %s left after the daemons stopped (removed now)" % d)
            if not remove_cgroup(d):
                problems.append("cannot remove cgroup %s" % d)
        for mp in cgroup_mountpoints():
            try:
                os.rmdir(mp + CGROUP_ROOT_PARENT)
            except OSError:
                pass  # absent, or another session's cgroups are still in it
        for d in sorted(set(own_cgroup_subtree()) - set(self.own_cgroup_dirs)):
            problems.append("cgroup %s appeared under this process's own cgroup (a relative "
                            "cgroup path?); left in place, it is not ours to remove" % d)
        subprocess.run(["ip", "netns", "delete", self.netns], capture_output=True)
        subprocess.run(["rm", "-rf", "--one-file-system", self.base], capture_output=True)
        if os.path.exists(self.base):
            problems.append("cannot remove %s" % self.base)
        return problems


def own_cgroup_subtree():
    """Every cgroup directory at or below this process's own cgroups (on this host, the
    machine's /process_api/<session>): a runtime given a relative path creates there."""
    found = []
    with open("/proc/self/cgroup") as f:
        mine = [line.rstrip("\n").split(":", 2) for line in f]
    for mp, ctrls in cgroup_hierarchies():
        for _, names, path in mine:
            if path == "/":
                continue
            if (ctrls is None and names == "") or (ctrls is not None and
                                                    ctrls == set(names.split(","))):
                for dirpath, _, _ in os.walk(mp + path):
                    found.append(dirpath)
    return sorted(found)


def remove_cgroup(path, tries=100):
    """Kill the processes left in one of our cgroup dirs (leaf first) and remove it."""
    if CGROUP_ROOT_PARENT + "/" not in path:
        raise AssertionError("refusing to touch a cgroup outside %s: %s" % (
            CGROUP_ROOT_PARENT, path))
    for _ in range(tries):
        try:
            with open(os.path.join(path, "cgroup.procs")) as f:
                pids = [int(p) for p in f.read().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            freeze = os.path.join(path, "freezer.state")
            if os.path.exists(freeze):
                with open(freeze, "w") as f:
                    f.write("THAWED")
        except OSError:
            pass
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Daemon:
    """A daemon process started in the session's network namespace, logging to a file."""

    def __init__(self, world, name, argv, env=None, ready=None, timeout=60):
        self.world = world
        self.name = name
        self.logfile = world.path(name + ".log")
        full_env = dict(os.environ)
        full_env.update(env or {})
        with open(self.logfile, "ab") as logf:
            self.proc = subprocess.Popen(world.in_netns(argv), stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=subprocess.STDOUT, env=full_env,
                                         start_new_session=True)
        world.daemons.append(self)
        if ready is not None:
            deadline = time.monotonic() + timeout
            while not ready():
                if self.proc.poll() is not None:
                    raise RuntimeError("%s exited with %s:\n%s" % (
                        name, self.proc.returncode, self.log_tail()))
                if time.monotonic() > deadline:
                    raise RuntimeError("%s not ready after %ds:\n%s" % (
                        name, timeout, self.log_tail()))
                time.sleep(0.1)

    def log_tail(self, n=30):
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout=30):
        """SIGTERM (nsenter passes it on by exec'ing), wait, then SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log("%s did not stop in %ds: killing it" % (self.name, timeout))
                self.proc.kill()
                self.proc.wait(timeout=10)
