"""Fault injection (issue 10): a syscall of create fails, or berth-runtime is killed in the
middle of create, start, exec or delete; then `delete --force` and `list` recover, and no
mount, cgroup, state dir or process is left.

strace injects the faults, so berth needs no debug hooks in its code:
- `-e inject=SYSCALL:error=E:when=N` fails the Nth call of SYSCALL in each traced process
  (strace counts per process): with -f, in the runtime, its helpers and the container's init;
- `-e inject=SYSCALL:signal=KILL:when=N` without -f kills the runtime itself at its Nth
  call of SYSCALL, and nothing else.

The runtime is our own child, stopped before it executes, and strace attaches to it (-p):
its exit status then comes from waitpid, not from strace (which, with -f, would also wait
for the container's init that create leaves behind).

Short profile (make check): a sample of the calls of each syscall and of the kill points.
BERTH_STRESS=long (or BERTH_FAULTS=long): every call of every syscall listed, and a kill at
every syscall of each command (several minutes).
"""

import collections
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import oci

LONG = "long" in (os.environ.get("BERTH_STRESS"), os.environ.get("BERTH_FAULTS"))
SAMPLES = 3       # calls of each syscall failed in the short profile
KILL_SAMPLES = 8  # kill points of each command in the short profile

# The syscalls of container setup whose failure berth must report, with the errno injected.
FAULTS = {
    "mount": "EACCES", "umount2": "EBUSY", "mkdir": "ENOSPC", "mkdirat": "ENOSPC",
    "mknodat": "EPERM", "symlinkat": "ENOSPC", "openat": "EMFILE", "openat2": "EACCES",
    "write": "EIO", "read": "EIO", "renameat": "ENOSPC", "fchmodat": "EPERM",
    "clone3": "ENOMEM", "pivot_root": "EINVAL", "unshare": "EPERM", "sethostname": "EPERM",
    "move_mount": "EPERM", "open_tree": "EPERM", "mount_setattr": "EPERM",
    "fsopen": "ENODEV", "fsconfig": "EINVAL", "fsmount": "EPERM", "capset": "EPERM",
    "prctl": "EINVAL", "socketpair": "EMFILE", "sendmsg": "EPIPE", "recvmsg": "EIO",
    "flock": "ENOLCK", "setns": "EPERM", "keyctl": "EDQUOT", "prlimit64": "EPERM",
    "execve": "EACCES", "chdir": "ENOENT", "fchdir": "EACCES",
}

STRERROR = {"EACCES": "permission denied", "ENOSPC": "no space left on device",
            "EMFILE": "too many open files", "EIO": "input/output error",
            "EAGAIN": "resource temporarily unavailable", "EINVAL": "invalid argument",
            "EPERM": "operation not permitted", "EBUSY": "device or resource busy",
            "ENODEV": "no such device", "EPIPE": "broken pipe", "ENOLCK": "no locks available",
            "EDQUOT": "disk quota exceeded", "ENOENT": "no such file or directory",
            "ENOSYS": "function not implemented", "ENOMEM": "cannot allocate memory"}

pytestmark = pytest.mark.berth_only("checks berth's own error messages and recovery")


def need_strace():
    if not shutil.which("strace"):
        oci.skip("strace is not installed")


class Traced:
    """berth-runtime ARGS... under strace: `follow` traces its children too (-f), `inject`
    is an strace inject expression (or None for a dry run), `trace` the syscalls logged."""

    def __init__(self, runtime, args, inject=None, trace=None, follow=True):
        runtime.ncalls += 1
        base = os.path.join(runtime.logdir, "%03d-traced-%s" % (runtime.ncalls, args[0]))
        self.log, self.out, self.err = base + ".strace", base + ".out", base + ".err"
        argv = [runtime.binary, "--root", runtime.root, *args]
        self.pid = self._spawn_stopped(argv)
        cmd = ["strace", "-q", "-o", self.log] + (["-f"] if follow else [])
        if trace:
            cmd += ["-e", "trace=" + trace]
        if inject:
            cmd += ["-e", "inject=" + inject]
        self.strace = subprocess.Popen(cmd + ["-p", str(self.pid)], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Let the runtime go once strace holds it: nothing it does escapes the trace.
        if not oci.wait_for(lambda: tracer_of(self.pid) == self.strace.pid, timeout=10,
                            interval=0.001):
            self._kill()
            pytest.fail("strace did not attach to %d" % self.pid)
        os.kill(self.pid, signal.SIGCONT)
        self.argv = cmd + ["--"] + argv

    def _spawn_stopped(self, argv):
        out = os.open(self.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        err = os.open(self.err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        pid = os.fork()
        if pid == 0:
            try:
                null = os.open("/dev/null", os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(out, 1)
                os.dup2(err, 2)
                os.kill(os.getpid(), signal.SIGSTOP)
                os.execve(argv[0], argv, traced_env())
            finally:
                os._exit(127)
        os.close(out)
        os.close(err)
        _, status = os.waitpid(pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status), "the runtime did not stop before exec: %#x" % status
        return pid

    def result(self, timeout=30):
        """Wait for the runtime, detach strace, and return Result(rc, stdout, stderr); rc is
        128+N when signal N killed it."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self._kill()
                pytest.fail("%s: timed out after %ds" % (" ".join(self.argv), timeout))
            time.sleep(0.002)
        rc = os.waitstatus_to_exitcode(status)
        self.pid = None
        self._stop_strace()
        with open(self.out) as o, open(self.err) as e:
            return oci.Result(rc if rc >= 0 else 128 - rc, o.read(), e.read())

    def _stop_strace(self):
        """strace detaches from what it still traces (the container's init) on SIGTERM."""
        if self.strace.poll() is None:
            self.strace.terminate()
        try:
            self.strace.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.strace.kill()
            self.strace.wait()

    def _kill(self):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None
        self._stop_strace()

    def calls(self, lines=False):
        """[(pid, syscall)] in the order strace logged them (the log of a dry run); with
        lines, [(pid, syscall, line)]."""
        out = []
        with open(self.log) as f:
            for line in f:
                m = re.match(r"(?:(\d+) +)?([a-z0-9_]+)\(", line)
                if m and "resumed>" not in line:
                    out.append((int(m.group(1) or 0), m.group(2)) + ((line,) if lines else ()))
        return out

    def injected(self):
        with open(self.log) as f:
            return "(INJECTED)" in f.read()


def traced_env():
    """Our environment; in the ASan lane, without LeakSanitizer, which cannot run under
    ptrace (ASan's memory errors are still caught on every error path)."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


def tracer_of(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def recover(runtime, cid):
    """list works, state works or says the container is gone, and delete --force cleans up."""
    r = runtime("list", "--format", "json")
    assert r.rc == 0, "list after the fault: %s" % r
    st = runtime("state", cid)
    assert st.rc == 0 or "does not exist" in st.err, st
    r = runtime.delete(cid, force=True)
    assert r.rc == 0 or "does not exist" in r.err, "delete --force after the fault: %s" % r


def assert_nothing_left(runtime, bundle, tmp_path):
    r = runtime("list", "--format", "json")
    assert r.rc == 0, r
    assert bundle.id not in r.out, r
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.mounts_under(tmp_path) == []
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    left = oci.wait_for(lambda: oci.procs_holding(tmp_path) == [], timeout=2) or \
        oci.procs_holding(tmp_path)
    assert left is True, "processes left: %s" % left


def sample(ns, k):
    """k of the numbers ns spread from the first to the last (all of them when LONG)."""
    ns = sorted(ns)
    if LONG or len(ns) <= k:
        return ns
    return sorted({ns[round(i * (len(ns) - 1) / (k - 1))] for i in range(k)})


LOADER_ERROR = "error while loading shared libraries"
# ASan failing in its own setup ("AddressSanitizer setrlimit() failed", "AddressSanitizer:
# CHECK failed"), not a report of a memory error in berth ("AddressSanitizer: heap-...").
SANITIZER_OWN = r"^(==\d+==)?(ERROR: )?(Address|Leak|UndefinedBehavior)Sanitizer( [^:]|: CHECK failed)"


def loader_calls(calls):
    """syscall -> how many calls of it the dynamic loader made before berth's code ran
    (up to the runtime's first rseq, which glibc makes once the libraries are loaded)."""
    counts = collections.defaultdict(int)
    main = calls[0][0] if calls else 0
    for pid, name in calls:
        if pid == main:
            if name == "rseq":
                break
            counts[name] += 1
    return counts


def per_process_counts(calls):
    """syscall -> the most calls of it that one process made."""
    counts = collections.Counter(calls)
    most = collections.defaultdict(int)
    for (_, name), n in counts.items():
        most[name] = max(most[name], n)
    return most


def create_bundle(runtime, bundle, args):
    bundle.set_args(args)
    bundle.write()
    runtime._remember(bundle)
    return ("create", "--bundle", bundle.path, bundle.id)


def check_failure_message(r, what):
    """One line that says where: "berth-runtime: <step>: ...: <errno text>"."""
    lines = [ln for ln in r.err.splitlines() if not ln.startswith("berth-runtime: warning")]
    assert lines, "%s: failed (rc %d) without a message" % (what, r.rc)
    msg = lines[-1]
    assert re.match(r"berth-runtime: [^:]*\w[^:]*: ", msg), "%s: %s" % (what, msg)
    return msg


def test_each_failing_syscall_of_create(runtime, bundle, tmp_path):
    """Each listed syscall fails at each of its calls in create (a sample of them in the
    short profile), in the runtime or in the container's init: create fails with a message
    naming the step and the errno, and leaves nothing; or it tolerates the failure and the
    container works."""
    need_strace()
    create = create_bundle(runtime, bundle, ["true"])
    dry = Traced(runtime, create, trace=",".join(FAULTS) + ",rseq")
    assert dry.result().rc == 0
    calls = dry.calls()
    most = per_process_counts(calls)
    loader = loader_calls(calls)
    assert runtime.delete(bundle.id, force=True).rc == 0
    problems, failed_any = [], set()
    for syscall, errname in FAULTS.items():
        for n in sample(range(loader[syscall] + 1, most.get(syscall, 0) + 1), SAMPLES):
            what = "%s #%d (%s)" % (syscall, n, errname)
            t = Traced(runtime, create, "%s:error=%s:when=%d" % (syscall, errname, n),
                       trace=syscall)
            r = t.result()
            if LOADER_ERROR in r.err or re.search(SANITIZER_OWN, r.err, re.M):
                # ld.so loading libc, ASan setting itself up: not berth's code
                recover(runtime, bundle.id)
                continue
            if r.rc == 0:
                # Tolerated on purpose (a fallback, an optional step): the container works;
                # or the fault hit the init after it was ready (reading the exec fifo),
                # and start says that it died.
                st = runtime.start(bundle.id)
                assert st.rc == 0 or "it is stopped" in st.err, "%s: %s" % (what, st)
                assert runtime.delete(bundle.id, force=True).rc == 0, what
                continue
            failed_any.add(syscall)
            msg = check_failure_message(r, what)
            if STRERROR[errname] not in msg:
                problems.append("%s: the message does not name the error: %s" % (what, msg))
            # A failed create cleans up after itself: no delete needed.
            st = runtime("state", bundle.id)
            if st.rc == 0:
                problems.append("%s: create failed but left the container: %s" % (what, st.out))
            recover(runtime, bundle.id)
            assert_nothing_left(runtime, bundle, tmp_path)
    assert not problems, "\n".join(problems)
    # The calls every create makes, whose failure cannot be ignored, failed create.
    for must in ("mount", "openat", "write", "clone3", "pivot_root", "mkdirat"):
        assert must in failed_any, "no failed %s call ever failed create" % must


def test_clone3_missing_falls_back_to_clone(runtime, bundle, tmp_path):
    """clone3 answering ENOSYS (kernels before 5.3, valgrind) makes berth use clone."""
    need_strace()
    create = create_bundle(runtime, bundle, ["true"])
    r = Traced(runtime, create, "clone3:error=ENOSYS", trace="clone3,clone").result()
    assert r.rc == 0, r
    assert runtime.start(bundle.id).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0
    assert_nothing_left(runtime, bundle, tmp_path)


def own_calls(runtime, args, prepare, cleanup):
    """The runtime's own syscalls running `args` (a dry run): [(syscall, n, line)], n
    counting that syscall's calls: a kill point is `inject=syscall:signal=KILL:when=n`."""
    prepare()
    dry = Traced(runtime, args, follow=False)
    assert dry.result().rc == 0
    cleanup()
    seen, points = collections.Counter(), []
    for _, name, line in dry.calls(lines=True):
        if name not in ("execve", "exit_group", "exit"):
            seen[name] += 1
            points.append((name, seen[name], line))
    return points


@pytest.mark.parametrize("op", ["kill", "delete"])
def test_pidfd_open_missing_falls_back_to_kill(runtime, bundle, tmp_path, op):
    """pidfd_open answering ENOSYS (kernels before 5.3, valgrind): kill and delete --force
    signal the init by pid once its start time matched."""
    need_strace()
    create_bundle(runtime, bundle, ["sleep", "100"])
    assert runtime.create(bundle).rc == 0
    assert runtime.start(bundle.id).rc == 0
    pid = runtime.state(bundle.id)["pid"]
    args = ("kill", bundle.id, "KILL") if op == "kill" else ("delete", "--force", bundle.id)
    r = Traced(runtime, args, "pidfd_open:error=ENOSYS", trace="pidfd_open,kill",
               follow=False).result()
    assert r.rc == 0, r
    assert oci.wait_gone(pid)
    recover(runtime, bundle.id)
    assert_nothing_left(runtime, bundle, tmp_path)


def kill_points(runtime, args, prepare, cleanup):
    """The kill points of the profile: [(syscall, n)]."""
    points = own_calls(runtime, args, prepare, cleanup)
    return [points[i - 1][:2] for i in sample(range(1, len(points) + 1), KILL_SAMPLES)]


OPS = ["create", "start", "exec", "delete"]


@pytest.mark.parametrize("op", OPS)
def test_killed_at_each_step_recovers(runtime, bundle, tmp_path, op):
    """SIGKILL of berth-runtime at each of its syscalls (a sample in the short profile) of
    create, start, exec or delete --force: list and state still work, delete --force
    removes whatever was left, and nothing is left."""
    need_strace()
    create = create_bundle(runtime, bundle, ["sleep", "100"])

    def prepare():
        if op != "create":
            assert runtime.create(bundle).rc == 0
        if op in ("exec", "delete"):
            assert runtime.start(bundle.id).rc == 0

    def cleanup():
        r = runtime.delete(bundle.id, force=True)
        assert r.rc == 0 or (op == "delete" and "does not exist" in r.err), r

    args = {"create": create, "start": ("start", bundle.id),
            "exec": ("exec", bundle.id, "true"), "delete": ("delete", "--force", bundle.id)}[op]
    points = kill_points(runtime, args, prepare, cleanup)
    assert points
    for syscall, n in points:
        prepare()
        r = Traced(runtime, args, "%s:signal=KILL:when=%d" % (syscall, n), trace=syscall,
                   follow=False).result()
        assert r.rc in (0, 128 + signal.SIGKILL), "%s #%d: %s" % (syscall, n, r)
        if op == "start" and r.rc != 0:
            # A start cut short may be redone, or the container deleted.
            runtime("start", bundle.id)
        recover(runtime, bundle.id)
        assert_nothing_left(runtime, bundle, tmp_path)


# The windows of create where a kill once leaked (regressions): a regex on the strace line
# of the runtime's call after which it is killed (at its next call).
CREATE_WINDOWS = {
    # the cgroup existed before any state.json named it: delete --force could not find it
    "cgroup-made": r'^mkdir\(".*/{cid}", .*\) = 0',
    # the init exists; its pid is saved just after
    "init-cloned": r"^clone3?\(",
}


@pytest.mark.parametrize("window", sorted(CREATE_WINDOWS))
def test_killed_in_a_window_of_create(runtime, bundle, tmp_path, window):
    need_strace()
    create = create_bundle(runtime, bundle, ["sleep", "100"])
    points = own_calls(runtime, create, lambda: None,
                       lambda: runtime.delete(bundle.id, force=True))
    pattern = re.compile(CREATE_WINDOWS[window].format(cid=re.escape(bundle.id)))
    at = [i for i, (_, _, line) in enumerate(points) if pattern.search(line)]
    assert at, "no call of create matches %s" % pattern.pattern
    syscall, n, _ = points[at[0] + 1]
    r = Traced(runtime, create, "%s:signal=KILL:when=%d" % (syscall, n), trace=syscall,
               follow=False).result()
    assert r.rc == 128 + signal.SIGKILL, r
    recover(runtime, bundle.id)
    assert_nothing_left(runtime, bundle, tmp_path)
