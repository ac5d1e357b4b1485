"""Helpers for the integration tests: the runtime wrapper, bundles, and what the kernel shows.

The tests drive an OCI runtime binary (berth-runtime or runc) through its runc-compatible
command line and check namespaces, mounts, cgroups and processes in /proc and /sys.
Everything a test makes lives under its tmp_path, in /berth-test/<id> cgroups, or in
berth-test-* network namespaces, and is removed by the fixtures in conftest.py.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from typing import NamedTuple

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import mkbundle  # noqa: E402  (scripts/ is not a package)

CGROUP_PARENT = "/berth-test"
# BERTH_VALGRIND=1 (or the path of a valgrind): berth-runtime's commands run under
# valgrind memcheck, and any error or leak it reports fails the test (tests/README.md).
VALGRIND = os.environ.get("BERTH_VALGRIND")
# valgrind 3.19 (Debian 12) answers ENOSYS to open_tree, move_mount, fsopen, fsconfig,
# fsmount and mount_setattr, which container setup needs: these commands run without it.
VALGRIND_SKIP = ("create", "run", "exec")
TIMEOUT = 10          # seconds, for a runtime call that does not wait for the container
RUN_TIMEOUT = 30      # seconds, for create and run
NAMESPACES = ("pid", "mnt", "uts", "ipc", "net", "cgroup")


def skip(reason):
    """Skip the current test saying why; with BERTH_MUST_WORK=1 the skip is a failure."""
    if os.environ.get("BERTH_MUST_WORK") == "1":
        pytest.fail("would skip, but BERTH_MUST_WORK=1: " + reason)
    pytest.skip(reason)


def skip_on_host(reason, lane):
    """Skip for a kernel feature this host may lack (a fact of the machine, not a defect)
    that the VM lane `lane` covers (tests/vm, Debian's kernel with the feature loaded):
    a skip on the host even with BERTH_MUST_WORK=1, but in the VM lane itself (VMLANE_MODE
    set by tests/vm/guest) the usual rule holds and the skip is a failure."""
    if os.environ.get("VMLANE_MODE"):
        skip(reason)
    pytest.skip("%s (on this host only: the VM lane's %s mode runs this test)" % (reason, lane))


def skip_in_vm(reason, lane="host"):
    """Skip in the VM lane for a fact of the guest (not of the kernel berth supports) that
    the host lane covers: the guest keeps /tmp on a tmpfs, for one. A failure on the host."""
    if not os.environ.get("VMLANE_MODE"):
        skip(reason)
    pytest.skip("%s (in the VM lane only: the %s lane runs this test)" % (reason, lane))


TMPFS_MAGIC = 0x01021994


def idmap_unsupported(path):
    """Why an idmapped mount of path's filesystem cannot work on this kernel, or None.
    tmpfs takes idmapped mounts since Linux 6.3; the VM lane's guest has /tmp on a tmpfs
    and runs Debian 12's 6.1."""
    import ctypes
    release = tuple(int(x) for x in re.findall(r"\d+", os.uname().release)[:2])
    buf = ctypes.create_string_buffer(120)  # struct statfs; f_type is the first field
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.statfs(str(path).encode(), buf) != 0:
        return None
    ftype = ctypes.c_long.from_buffer(buf).value
    if ftype == TMPFS_MAGIC and release < (6, 3):
        return "Linux %d.%d cannot idmap a tmpfs (6.3 can), and '%s' is on one" % (
            release + (path,))
    return None


def sh(script):
    """process.args running script with busybox sh."""
    return ["sh", "-c", script]


def unique_id(name):
    """A container id unique on this host: bt-<random>-<name>, with only [A-Za-z0-9_.-]."""
    clean = "".join(c if c.isalnum() or c in "_.-" else "-" for c in name).strip("-")
    return "bt-%s-%s" % (secrets.token_hex(3), clean[:40])


class Result(NamedTuple):
    rc: int
    out: str
    err: str

    def __str__(self):
        return "rc=%d\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.out, self.err)


class Bundle:
    """A busybox bundle: edit .config (the config.json dict), then hand it to the runtime."""

    def __init__(self, path, cid):
        self.path = str(path)
        self.rootfs = os.path.join(self.path, "rootfs")
        self.id = cid
        self.cgroups_path = "%s/%s" % (CGROUP_PARENT, cid)
        self.rootless = False   # run by an unprivileged runtime: cgroupsPath may be left out
        os.makedirs(self.path, exist_ok=True)
        mkbundle.make_rootfs(self.rootfs)
        self.config = mkbundle.default_config(["true"], hostname="berth-test",
                                              cgroups_path=self.cgroups_path)

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config["linux"]

    def set_args(self, args):
        self.config["process"]["args"] = list(args)

    def add_mount(self, destination, type_, source, options=None):
        m = {"destination": destination, "type": type_, "source": source}
        if options is not None:
            m["options"] = list(options)
        self.config["mounts"].append(m)

    def remove_namespace(self, kind):
        self.linux["namespaces"] = [n for n in self.linux["namespaces"] if n["type"] != kind]

    def set_namespace_path(self, kind, path):
        self.remove_namespace(kind)
        self.linux["namespaces"].append({"type": kind, "path": path})

    def write(self):
        if self.rootless and "cgroupsPath" not in self.config.get("linux", {}):
            pass  # an unprivileged runtime cannot create cgroups, and must not need to
        elif not self.config.get("linux", {}).get("cgroupsPath", "").startswith(
                CGROUP_PARENT + "/"):
            raise AssertionError("test configs must keep linux.cgroupsPath under " + CGROUP_PARENT)
        mkbundle.write_config(self.path, self.config)


class Runtime:
    """Runs `<binary> --root <private state dir> COMMAND ...`, each call with a timeout.

    Output goes to files, not pipes: a created or detached container inherits the
    runtime's stdout and stderr, and a pipe would not see EOF until the container exits.
    Every id and bundle handed to create/run is remembered for the teardown checks.
    """

    def __init__(self, name, binary, root, logdir):
        self.name = name
        self.binary = binary
        self.root = str(root)
        self.logdir = str(logdir)
        self.ncalls = 0
        self.bundles = {}   # id -> Bundle, for every create and run
        self.pids = {}      # container pid -> start time, seen through state / pid files
        self.cleanup_dirs = []  # removed by the teardown once the containers are gone
        self.prefix = []        # run the binary through this (e.g. setpriv for rootless)
        self.env = None         # the environment of the calls (None: the test's)
        self.pass_root = True   # give --root (False: the runtime's default root)
        os.makedirs(self.logdir, exist_ok=True)

    def __call__(self, *args, timeout=TIMEOUT, cwd=None):
        """Run a command; return Result(rc, out, err) with the runtime's (and container's) output.

        self.last_out is the file the call's stdout went to: after create or run --detach,
        the container keeps writing there.
        """
        self.ncalls += 1
        base = os.path.join(self.logdir, "%03d-%s" % (self.ncalls, args[0] if args else "none"))
        self.last_out = base + ".out"
        vg = self.valgrind(args, base)
        argv = self.prefix + vg + [self.binary] + \
            (["--root", self.root] if self.pass_root else []) + [str(a) for a in args]
        with open(base + ".out", "w+") as out, open(base + ".err", "w+") as err:
            try:
                p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   timeout=timeout * (4 if vg else 1), cwd=cwd, env=self.env)
            except subprocess.TimeoutExpired:
                out.seek(0)
                err.seek(0)
                pytest.fail("%s timed out after %ds\n--- stdout\n%s--- stderr\n%s" % (
                    " ".join(argv), timeout, out.read(), err.read()))
            if vg:
                check_valgrind_log(base + ".valgrind", argv, p.returncode)
            out.seek(0)
            err.seek(0)
            return Result(p.returncode, out.read(), err.read())

    def valgrind(self, args, base):
        """The valgrind argv prefix for this call, or [] (BERTH_VALGRIND unset, not berth,
        or a command that sets a container up)."""
        if not VALGRIND or self.name != "berth" or not args or str(args[0]) in VALGRIND_SKIP \
                or str(args[0]).startswith("-"):
            return []
        return [VALGRIND if VALGRIND.startswith("/") else "valgrind", "-q",
                "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect", "--log-file=" + base + ".valgrind"]

    def popen(self, *args, bundle=None, stdin=subprocess.DEVNULL, stdout=None, stderr=None,
              wrapper=(), **kw):
        """Start `<binary> --root ROOT ARGS...` without waiting (a foreground run or exec).

        bundle (if given) is written and remembered for the teardown. Output goes to files
        in the log directory unless stdout/stderr are given; the returned Popen has them as
        .out_path and .err_path. wrapper is an argv prefix (a shell that sets something up
        and execs "$@"). Extra keywords go to subprocess.Popen (pass_fds, ...).
        """
        if bundle is not None:
            self._remember(bundle)
        self.ncalls += 1
        base = os.path.join(self.logdir, "%03d-%s" % (self.ncalls, args[0] if args else "none"))
        argv = list(wrapper) + [self.binary, "--root", self.root] + [str(a) for a in args]
        out = open(base + ".out", "w+") if stdout is None else None
        err = open(base + ".err", "w+") if stderr is None else None
        try:
            p = subprocess.Popen(argv, stdin=stdin, stdout=out if out else stdout,
                                 stderr=err if err else stderr, **kw)
        finally:
            for f in (out, err):
                if f:
                    f.close()
        p.out_path, p.err_path = base + ".out", base + ".err"
        return p

    # The commands of the runc command line.

    def _remember(self, bundle):
        self.bundles[bundle.id] = bundle
        bundle.write()

    def create(self, bundle, *extra, pid_file=None, bundle_arg=None, cwd=None):
        """create --bundle <bundle.path, or bundle_arg> [--pid-file F] EXTRA... ID"""
        self._remember(bundle)
        args = ["create", "--bundle", bundle_arg or bundle.path]
        if pid_file:
            args += ["--pid-file", pid_file]
        return self(*args, *extra, bundle.id, cwd=cwd, timeout=RUN_TIMEOUT)

    def run(self, bundle, *extra, detach=False, pid_file=None, timeout=RUN_TIMEOUT):
        self._remember(bundle)
        args = ["run", "--bundle", bundle.path]
        if detach:
            args.append("--detach")
        if pid_file:
            args += ["--pid-file", pid_file]
        return self(*args, *extra, bundle.id, timeout=timeout)

    def start(self, cid):
        return self("start", cid)

    def state_result(self, cid):
        return self("state", cid)

    def state(self, cid):
        """The parsed state JSON; fails the test if `state` fails."""
        r = self("state", cid)
        assert r.rc == 0, "state %s failed:\n%s" % (cid, r)
        try:
            st = json.loads(r.out)
        except ValueError as e:
            pytest.fail("state %s printed invalid JSON (%s):\n%s" % (cid, e, r))
        if st.get("pid") and st.get("status") in ("created", "running"):
            self.remember_pid(st["pid"])
        return st

    def remember_pid(self, pid):
        """Note a container process; the teardown fails if it is still alive."""
        t = proc_starttime(pid)
        if t is not None:
            self.pids[pid] = t

    def status(self, cid):
        return self.state(cid)["status"]

    def wait_status(self, cid, status, timeout=10):
        """Poll `state` until the container has status; fail with the last one seen."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.status(cid)
            if now == status or time.monotonic() > deadline:
                assert now == status, "%s is %s, expected %s after %ss" % (
                    cid, now, status, timeout)
                return
            time.sleep(0.05)

    def kill(self, cid, sig=None, all=False):
        args = ["kill"] + (["--all"] if all else []) + [cid]
        if sig is not None:
            args.append(str(sig))
        return self(*args)

    def delete(self, cid, force=False):
        return self("delete", *(["--force"] if force else []), cid)

    def list(self, fmt=None, quiet=False):
        args = ["list"]
        if fmt:
            args += ["--format", fmt]
        if quiet:
            args.append("--quiet")
        return self(*args)


def check_valgrind_log(log, argv, rc):
    """Fail the test when valgrind reported an error or a leak ("==PID== ..." lines; the
    "--PID-- WARNING: unhandled syscall" lines are not berth's)."""
    try:
        with open(log) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    if rc == 99 or re.search(r"^==\d+== ", text, re.M):
        pytest.fail("valgrind: %s\n%s" % (" ".join(argv), text), pytrace=False)


# What the kernel shows.

def ns_link(kind, pid="self"):
    """readlink /proc/PID/ns/KIND, e.g. 'net:[4026531840]'."""
    return os.readlink("/proc/%s/ns/%s" % (pid, kind))


def parse_mountinfo(text):
    """Rows of /proc/PID/mountinfo as dicts: mount_point, root, fstype, source, opts, super_opts,
    and optional: the propagation fields ("shared:N", "master:N", "unbindable", ...)."""
    rows = []
    for line in text.splitlines():
        pre, _, post = line.partition(" - ")
        f = pre.split()
        fstype, source, super_opts = (post.split() + ["", "", ""])[:3]
        rows.append({
            "id": int(f[0]), "parent": int(f[1]), "root": unescape(f[3]),
            "mount_point": unescape(f[4]), "opts": set(f[5].split(",")),
            "fstype": fstype, "source": source, "super_opts": set(super_opts.split(",")),
            "optional": f[6:],
        })
    return rows


def unescape(s):
    """mountinfo escapes space, tab, newline and backslash as \\ooo."""
    return s.encode().decode("unicode_escape") if "\\" in s else s


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return parse_mountinfo(f.read())


def mounts_under(path):
    """Host mount points at or below path."""
    path = os.path.realpath(path).rstrip("/")
    return [m["mount_point"] for m in host_mounts()
            if m["mount_point"] == path or m["mount_point"].startswith(path + "/")]


def cgroup_mountpoints():
    """Mount points of every cgroup v1 hierarchy and of cgroup2 on this host."""
    return sorted({m["mount_point"] for m in host_mounts()
                   if m["fstype"] in ("cgroup", "cgroup2")})


def cgroup_dirs(cgroups_path):
    """Existing directories of cgroups_path in all hierarchies."""
    return [d for d in (mp + cgroups_path for mp in cgroup_mountpoints()) if os.path.isdir(d)]


def proc_state(pid):
    """The state letter of a process (R, S, Z, ...) or None when it does not exist."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def proc_starttime(pid):
    """Start time of a process in clock ticks (tells a reused pid apart), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rpartition(")")[2].split()[19])
    except (FileNotFoundError, ProcessLookupError):
        return None


def pid_alive(pid):
    """True when the process exists and is not a zombie."""
    return proc_state(pid) not in (None, "Z", "X")


def wait_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not pid_alive(pid)


def proc_cgroups(pid):
    """/proc/PID/cgroup as a dict: controller (or 'name=systemd', or '' for cgroup2) -> path."""
    out = {}
    with open("/proc/%s/cgroup" % pid) as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                out[c] = path
    return out


def read_file(path):
    with open(path) as f:
        return f.read()


# A namespace holder's process: busybox-static's sleep. Static, so once it has exec'd there is
# nothing left to load: a dynamic sleep once failed to find libc.so.6 right after
# `unshare --mount` in the VM lane's guest (its /usr is 9p under overlayfs), and died.
SLEEPER = ["/bin/busybox", "sleep", "1000"]


def sleeper_ready(pid):
    """True once pid has exec'd SLEEPER (and is still alive)."""
    try:
        return os.readlink("/proc/%d/exe" % pid) == os.path.realpath(SLEEPER[0])
    except OSError:
        return False


def wait_for(predicate, timeout=10, interval=0.02):
    """Poll predicate() until it is true or timeout; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def procs_holding(path):
    """Pids of processes with an fd, cwd or root under path (not this one): for leak checks.

    A container started by a test holds that test's files: its stdout is the file the
    create call wrote to, under tmp_path.
    """
    path = os.path.realpath(path).rstrip("/") + "/"
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        base = "/proc/" + entry
        try:
            links = [base + "/cwd", base + "/root"] + \
                [base + "/fd/" + fd for fd in os.listdir(base + "/fd")]
        except OSError:
            continue
        for link in links:
            try:
                target = os.readlink(link)
            except OSError:
                continue
            if (target + "/").startswith(path):
                found.add(int(entry))
                break
    return sorted(pid for pid in found if pid_alive(pid))


def proc_status(pid):
    """/proc/PID/status as a dict of field -> value string."""
    with open("/proc/%s/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def remove_cgroup_tree(path):
    """Kill the processes in a leftover cgroup dir under /berth-test and remove it, leaves first.

    The processes are the containers of our own tests. Returns what it could not remove.
    """
    if "/berth-test/" not in path:
        raise AssertionError("refusing to touch cgroup outside /berth-test: " + path)
    problems = []
    for dirpath, dirnames, _ in os.walk(path, topdown=False):
        try:
            with open(os.path.join(dirpath, "cgroup.procs")) as f:
                pids = [int(p) for p in f.read().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            wait_gone(pid, 5)
        for attempt in range(50):
            try:
                os.rmdir(dirpath)
                break
            except FileNotFoundError:
                break
            except OSError as e:
                if attempt == 49:
                    problems.append("%s: %s" % (dirpath, e))
                time.sleep(0.05)
    return problems


def netns_name(tag):
    return "berth-test-%s-%s" % (secrets.token_hex(3), tag)
