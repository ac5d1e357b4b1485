"""linux.seccomp: actions, errno values, argument conditions, flags and SCMP_ACT_NOTIFY.

Each test states what the filter must do to a syscall busybox makes, so a runtime that
ignores the filter (or applies it wrongly) fails: mkdir on a writable /dev/shm succeeds
without a filter, and the shell's `kill` builtin makes kill(2) with the arguments the
test chooses (the shell is pid 1 and ignores the signals it sends itself).
"""

import array
import errno
import fcntl
import json
import os
import re
import select
import shutil
import socket
import struct
import threading

import pytest

import oci
from oci import sh

MKDIR = ["mkdir", "mkdirat"]
MKDIR_SCRIPT = "(mkdir /dev/shm/probe); echo rc=$?"
SIGNALS = (0, 10, 12, 28)
KILL_SCRIPT = ("trap '' USR1 USR2 WINCH; for s in %s; do "
               "if kill -$s 1 2>/dev/null; then echo $s:ok; else echo $s:denied; fi; done"
               % " ".join(str(s) for s in SIGNALS))


def seccomp(bundle, syscalls, default="SCMP_ACT_ALLOW", **extra):
    bundle.linux["seccomp"] = dict(defaultAction=default, architectures=[
        "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], syscalls=syscalls, **extra)


def run_script(runtime, bundle, script):
    bundle.set_args(sh(script))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    return r


def kill_results(out):
    return dict(line.split(":") for line in out.split() if ":" in line)


def test_without_filter_the_probes_succeed(runtime, bundle):
    """The baseline: every other test's denial is the filter's doing."""
    r = run_script(runtime, bundle, MKDIR_SCRIPT + "; " + KILL_SCRIPT)
    assert "rc=0" in r.out
    assert kill_results(r.out) == {str(s): "ok" for s in SIGNALS}


@pytest.mark.parametrize("errno_ret", [None, errno.EXDEV, 0])
def test_errno_action_returns_the_configured_errno(runtime, bundle, errno_ret):
    rule = {"names": MKDIR, "action": "SCMP_ACT_ERRNO"}
    if errno_ret is not None:
        rule["errnoRet"] = errno_ret
    seccomp(bundle, [rule])
    r = run_script(runtime, bundle, MKDIR_SCRIPT + "; grep Seccomp: /proc/self/status; "
                   "ls -d /dev/shm/probe; true")
    assert re.search(r"Seccomp:\s+2", r.out), r
    if errno_ret == 0:
        # errno 0: the syscall "succeeds" without running.
        assert "rc=0" in r.out and "/dev/shm/probe" not in r.out, r
    else:
        assert "rc=1" in r.out, r
        assert os.strerror(errno_ret or errno.EPERM) in r.err, r


@pytest.mark.parametrize("action", ["SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                    "SCMP_ACT_KILL", "SCMP_ACT_TRAP"])
def test_kill_and_trap_actions_end_the_process_with_sigsys(runtime, bundle, action):
    seccomp(bundle, [{"names": MKDIR, "action": action}])
    r = run_script(runtime, bundle, MKDIR_SCRIPT)
    assert "rc=159" in r.out, r       # 128 + SIGSYS


def test_trace_without_a_tracer_fails_with_enosys(runtime, bundle):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_TRACE"}])
    r = run_script(runtime, bundle, MKDIR_SCRIPT)
    assert "rc=1" in r.out and os.strerror(errno.ENOSYS) in r.err, r


def test_log_action_allows(runtime, bundle):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_LOG"}])
    r = run_script(runtime, bundle, MKDIR_SCRIPT)
    assert "rc=0" in r.out, r


def test_default_action_and_default_errno(runtime, bundle):
    """An allow-list: every syscall of the architecture but mkdir is allowed."""
    with open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h") as f:
        names = sorted(set(re.findall(r"#define __NR_(\w+)", f.read())) - set(MKDIR))
    seccomp(bundle, [{"names": names, "action": "SCMP_ACT_ALLOW"}],
            default="SCMP_ACT_ERRNO", defaultErrnoRet=errno.EXDEV)
    r = run_script(runtime, bundle, MKDIR_SCRIPT)
    assert "rc=1" in r.out and os.strerror(errno.EXDEV) in r.err, r


def test_unknown_syscall_names_are_skipped(runtime, bundle):
    seccomp(bundle, [{"names": ["no_such_syscall_xyz", "mkdir", "mkdirat"],
                      "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EXDEV}])
    r = run_script(runtime, bundle, MKDIR_SCRIPT)
    assert os.strerror(errno.EXDEV) in r.err, r


# kill(2)'s second argument against 12, for each operator: which signals are denied.
OPERATORS = {
    "SCMP_CMP_EQ": {12},
    "SCMP_CMP_NE": {0, 10, 28},
    "SCMP_CMP_LT": {0, 10},
    "SCMP_CMP_LE": {0, 10, 12},
    "SCMP_CMP_GT": {28},
    "SCMP_CMP_GE": {12, 28},
}


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_argument_operators(runtime, bundle, op):
    seccomp(bundle, [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 1, "value": 12, "op": op}]}])
    got = kill_results(run_script(runtime, bundle, KILL_SCRIPT).out)
    assert {int(s) for s, v in got.items() if v == "denied"} == OPERATORS[op], got


def test_masked_eq_operator(runtime, bundle):
    # (sig & 0x2) == 0x2: 10 (0b1010) matches; 0, 12 (0b1100) and 28 (0b11100) do not.
    seccomp(bundle, [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 1, "value": 2, "valueTwo": 2,
                                "op": "SCMP_CMP_MASKED_EQ"}]}])
    got = kill_results(run_script(runtime, bundle, KILL_SCRIPT).out)
    assert {int(s) for s, v in got.items() if v == "denied"} == {10}, got


def test_conditions_on_different_arguments_must_all_hold(runtime, bundle):
    # kill(1, 10) only: the shell is pid 1 in its pid namespace, the child is not.
    seccomp(bundle, [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                               {"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}])
    script = (KILL_SCRIPT + "; sleep 100 & c=$!; "
              "if kill -10 $c; then echo child:ok; else echo child:denied; fi; kill -9 $c; wait")
    got = kill_results(run_script(runtime, bundle, script).out)
    assert got == {"0": "ok", "10": "denied", "12": "ok", "28": "ok", "child": "ok"}, got


def test_conditions_on_the_same_argument_match_any(runtime, bundle):
    seccomp(bundle, [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"},
                               {"index": 1, "value": 12, "op": "SCMP_CMP_EQ"}]}])
    got = kill_results(run_script(runtime, bundle, KILL_SCRIPT).out)
    assert {int(s) for s, v in got.items() if v == "denied"} == {10, 12}, got


RUNC_NO_FLAGS = "runc 1.1.5 refuses every flag: 'seccomp flags are not yet supported by runc'"


@pytest.mark.berth_only(RUNC_NO_FLAGS)
@pytest.mark.parametrize("flags", [["SECCOMP_FILTER_FLAG_LOG"],
                                   ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                                   ["SECCOMP_FILTER_FLAG_TSYNC"]])
def test_flags_are_accepted(runtime, bundle, flags):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO",
                      "errnoRet": errno.EXDEV}], flags=flags)
    r = run_script(runtime, bundle, MKDIR_SCRIPT)
    assert os.strerror(errno.EXDEV) in r.err, r


def test_filter_is_loaded_without_no_new_privileges(runtime, bundle):
    """Without noNewPrivileges the filter needs CAP_SYS_ADMIN, which the process drops."""
    bundle.process["noNewPrivileges"] = False
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO",
                      "errnoRet": errno.EXDEV}])
    r = run_script(runtime, bundle, MKDIR_SCRIPT + "; grep -E 'NoNewPrivs|CapEff' "
                   "/proc/self/status")
    assert os.strerror(errno.EXDEV) in r.err, r
    assert re.search(r"NoNewPrivs:\s+0", r.out), r


@pytest.mark.parametrize("where, value", [
    ("defaultAction", "SCMP_ACT_NOPE"),
    ("action", "SCMP_ACT_NOPE"),
    ("op", "SCMP_CMP_NOPE"),
    ("architectures", ["SCMP_ARCH_NOPE"]),
    ("flags", ["SECCOMP_FILTER_FLAG_NOPE"]),
])
def test_unknown_names_are_errors(runtime, bundle, where, value):
    rule = {"names": MKDIR, "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_GE"}]}
    seccomp(bundle, [rule])
    sc = bundle.linux["seccomp"]
    if where in ("action",):
        rule[where] = value
    elif where == "op":
        rule["args"][0]["op"] = value
    else:
        sc[where] = value
    r = runtime.run(bundle)
    assert r.rc != 0, "an unknown %s was accepted:\n%s" % (where, r)
    if not (runtime.name == "runc" and where == "flags"):     # see RUNC_NO_FLAGS
        assert "NOPE" in r.err, r


# SCMP_ACT_NOTIFY: a listener that answers every mkdir with EXDEV.

SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100      # _IOWR('!', 0, struct seccomp_notif): 80 bytes
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101      # _IOWR('!', 1, struct seccomp_notif_resp): 24


class Listener(threading.Thread):
    """Accepts `count` connections (one per container process: the init's, then each
    exec's), takes each fd and state, answers the notifications on all of them."""

    def __init__(self, path, count=1):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(count)
        self.sock.settimeout(30)
        self.count = count
        self.states = []
        self.fds = []
        self.notified = []
        self.error = None
        self.stop = threading.Event()

    @property
    def state(self):
        return self.states[0] if self.states else None

    def receive(self, conn):
        data = b""
        fds = array.array("i")
        while True:
            msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[:len(payload) - len(payload) % 4])
            self.fds.extend(fds)
            fds = array.array("i")
            if not msg:
                raise EOFError("the connection closed before the state arrived")
            data += msg
            try:       # complete once it parses: runc keeps the socket open
                self.states.append(json.loads(data))
                return
            except ValueError:
                pass

    def run(self):
        try:
            for _ in range(self.count):
                conn, _ = self.sock.accept()
                with conn:
                    self.receive(conn)
            self.answer(self.fds)
        except Exception as e:      # reported by the test
            self.error = e
        finally:
            for fd in self.fds:
                os.close(fd)
            self.sock.close()

    def answer(self, fds):
        while not self.stop.is_set():
            ready, _, _ = select.select(fds, [], [], 0.1)
            for fd in ready:
                self.answer_one(fd)

    def answer_one(self, fd):
        req = bytearray(80)
        try:
            fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req, True)
        except OSError:
            return        # the process went away
        nid, pid = struct.unpack_from("=QI", req, 0)
        nr = struct.unpack_from("=i", req, 16)[0]
        self.notified.append(nr)
        resp = bytearray(struct.pack("=QqiI", nid, 0, -errno.EXDEV, 0))
        try:
            fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp, True)
        except OSError:
            pass


@pytest.mark.parametrize("flags", [[], pytest.param(
    ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], marks=pytest.mark.berth_only(RUNC_NO_FLAGS))])
def test_notify_hands_the_fd_and_state_to_the_listener(runtime, bundle, tmp_path, flags):
    path = str(tmp_path / "listener.sock")
    listener = Listener(path)
    listener.start()
    bundle.config["annotations"] = {"org.example.key": "value"}
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_NOTIFY"}],
            listenerPath=path, listenerMetadata="meta=data", **({"flags": flags} if flags else {}))
    bundle.set_args(sh(MKDIR_SCRIPT + "; echo pid=$(cat /proc/self/stat | cut -d' ' -f1)"))
    try:
        r = runtime.run(bundle)
    finally:
        listener.stop.set()
        listener.join(10)
    assert listener.error is None, repr(listener.error)
    assert r.rc == 0, str(r)
    # The listener answered mkdir with EXDEV: the notification reached it.
    assert "rc=1" in r.out and os.strerror(errno.EXDEV) in r.err, r
    assert listener.notified, "the listener got no notification"
    st = listener.state
    assert st["fds"] == ["seccompFd"] and len(listener.fds) == 1, st
    assert st["metadata"] == "meta=data", st
    assert isinstance(st["pid"], int) and st["pid"] > 0, st
    assert st["ociVersion"], st
    assert st["state"]["id"] == bundle.id, st
    assert st["state"]["bundle"] == bundle.path, st
    assert st["state"]["pid"] == st["pid"], st
    assert st["state"]["status"] in ("creating", "created"), st
    assert st["state"]["annotations"] == {"org.example.key": "value"}, st


def test_notify_needs_a_listener(runtime, bundle):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_NOTIFY"}])
    r = runtime.run(bundle)
    assert r.rc != 0, str(r)


@pytest.mark.berth_only("berth's messages name the JSON path")
@pytest.mark.parametrize("mutate, message", [
    (lambda sc: sc.update(defaultAction="SCMP_ACT_BOGUS"),
     "linux.seccomp.defaultAction: unknown action 'SCMP_ACT_BOGUS'"),
    (lambda sc: sc["syscalls"][0].update(action="SCMP_ACT_ALLOW", errnoRet=1),
     "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an "
     "errno, not SCMP_ACT_ALLOW"),
    (lambda sc: sc["syscalls"][0]["args"][0].update(index=6),
     "linux.seccomp.syscalls[0].args[0].index: must be an integer between 0 and 5"),
    (lambda sc: sc.update(listenerMetadata="x"),
     "linux.seccomp: listenerMetadata: needs listenerPath"),
    (lambda sc: sc.update(architectures=["SCMP_ARCH_X86_64", "x86"]),
     "linux.seccomp.architectures[1]: unknown architecture 'x86'"),
])
def test_seccomp_errors_name_the_json_path(runtime, bundle, mutate, message):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_GE"}]}])
    mutate(bundle.linux["seccomp"])
    r = runtime.run(bundle)
    assert r.rc != 0
    assert message in r.err, r



def test_notify_with_no_listener_fails_create_and_leaves_nothing(runtime, bundle, tmp_path):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_NOTIFY"}],
            listenerPath=str(tmp_path / "nobody-listens.sock"))
    r = runtime.create(bundle)
    assert r.rc != 0, str(r)
    if runtime.name == "berth":
        assert "linux.seccomp.listenerPath: connecting to the seccomp listener" in r.err, r
    # The teardown checks that no process, state dir or cgroup was left behind.


# Everything the runtime itself needs while it sets the container up.
SETUP_SYSCALLS = ["mount", "umount2", "pivot_root", "chroot", "sethostname", "setdomainname",
                  "setns", "unshare", "mount_setattr", "open_tree", "move_mount", "fsopen",
                  "fsconfig", "fsmount", "openat2", "mknodat", "mknod", "symlinkat",
                  "setrlimit", "prlimit64", "capset", "setresuid", "setresgid", "setgroups",
                  "close_range", "fchdir", "chdir", "umask"]


def test_the_runtimes_own_setup_is_not_filtered(runtime, bundle):
    """With noNewPrivileges the filter goes in after the user switch, right before
    execve: denying every syscall of the setup still lets the container start."""
    seccomp(bundle, [{"names": SETUP_SYSCALLS, "action": "SCMP_ACT_ERRNO",
                      "errnoRet": errno.EXDEV}])
    r = run_script(runtime, bundle, "hostname; cd /tmp 2>&1; true")
    assert "berth-test" in r.out, r
    assert os.strerror(errno.EXDEV) in r.out + r.err, r      # and the filter is there


def test_filter_without_capabilities_or_no_new_privileges(runtime, bundle):
    """No capabilities kept across the uid change and no noNewPrivileges: the filter must
    go in before the user switch (the only moment CAP_SYS_ADMIN is there)."""
    bundle.process["noNewPrivileges"] = False
    del bundle.process["capabilities"]
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO",
                      "errnoRet": errno.EXDEV}])
    r = run_script(runtime, bundle, MKDIR_SCRIPT + "; id -u")
    assert os.strerror(errno.EXDEV) in r.err and "1000" in r.out, r


# exec: the container's filter applies to every process it runs, not only the init.

def running_container(runtime, bundle, tmp_path):
    """The bundle run detached (init: sleep, which makes no filtered syscall); its pid."""
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "init.pid"
    r = runtime.run(bundle, detach=True, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    return pid


def test_the_filter_applies_to_exec_processes_too(runtime, bundle, tmp_path):
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EXDEV}])
    running_container(runtime, bundle, tmp_path)
    r = runtime("exec", bundle.id, "sh", "-c",
                MKDIR_SCRIPT + "; grep Seccomp: /proc/self/status")
    assert r.rc == 0, str(r)
    assert re.search(r"Seccomp:\s+2", r.out), r
    assert "rc=1" in r.out and os.strerror(errno.EXDEV) in r.err, r


def test_exec_setup_is_not_filtered(runtime, bundle, tmp_path):
    """exec joins namespaces, switches user and capabilities after the filter is known:
    the filter goes in last there too."""
    seccomp(bundle, [{"names": SETUP_SYSCALLS, "action": "SCMP_ACT_ERRNO",
                      "errnoRet": errno.EXDEV}])
    running_container(runtime, bundle, tmp_path)
    r = runtime("exec", "--user", "1000:1000", bundle.id, "sh", "-c",
                "id -u; hostname; cd /tmp 2>&1; true")
    assert r.rc == 0, str(r)
    assert "1000" in r.out and "berth-test" in r.out, r
    assert os.strerror(errno.EXDEV) in r.out + r.err, r


def test_exec_filter_without_capabilities_or_no_new_privileges(runtime, bundle, tmp_path):
    bundle.process["noNewPrivileges"] = False
    del bundle.process["capabilities"]
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EXDEV}])
    running_container(runtime, bundle, tmp_path)
    r = runtime("exec", "--user", "1000:1000", bundle.id, "sh", "-c", MKDIR_SCRIPT + "; id -u")
    assert r.rc == 0, str(r)
    assert os.strerror(errno.EXDEV) in r.err and "1000" in r.out, r


def test_notify_hands_each_exec_its_own_fd_and_state(runtime, bundle, tmp_path):
    """The init's connection first (at create), then the exec's: its own notify fd, with
    the exec'd process's pid and the running container's state."""
    path = str(tmp_path / "listener.sock")
    listener = Listener(path, count=2)
    listener.start()
    seccomp(bundle, [{"names": MKDIR, "action": "SCMP_ACT_NOTIFY"}], listenerPath=path,
            listenerMetadata="exec-meta")
    try:
        init_pid = running_container(runtime, bundle, tmp_path)
        pid_file = tmp_path / "exec.pid"
        r = runtime("exec", "--pid-file", pid_file, bundle.id, "sh", "-c", MKDIR_SCRIPT)
    finally:
        listener.stop.set()
        listener.join(10)
    assert listener.error is None, repr(listener.error)
    assert r.rc == 0, str(r)
    assert "rc=1" in r.out and os.strerror(errno.EXDEV) in r.err, r
    assert len(listener.states) == 2 and len(listener.fds) == 2, listener.states
    st = listener.states[1]
    assert st["fds"] == ["seccompFd"] and st["metadata"] == "exec-meta", st
    assert st["pid"] == int(oci.read_file(pid_file)), st
    assert st["state"]["id"] == bundle.id and st["state"]["bundle"] == bundle.path, st
    assert st["state"]["status"] == "running", st
    assert st["state"]["pid"] == init_pid, st


@pytest.mark.berth_only("the cache is berth's")
def test_compiled_filters_are_cached_by_content(runtime, make_bundle):
    cache = os.path.join(runtime.root, "@seccomp")
    for i, errno_ret in enumerate([errno.EXDEV, errno.EXDEV, errno.ENOSYS]):
        b = make_bundle("cache%d" % i)
        seccomp(b, [{"names": MKDIR, "action": "SCMP_ACT_ERRNO", "errnoRet": errno_ret}])
        r = run_script(runtime, b, MKDIR_SCRIPT)
        assert os.strerror(errno_ret) in r.err, r
        entries = sorted(os.listdir(cache))
        assert len(entries) == (1 if i < 2 else 2), entries
    assert oct(os.stat(cache).st_mode & 0o777) == "0o700"


def test_a_filter_libseccomp_cannot_compile_fails_in_bounded_time(runtime, bundle):
    """libseccomp 2.5.4 loops forever on two rules for one syscall comparing different
    arguments (found by fuzz_seccomp). berth compiles in a child with a deadline and fails
    create with the reason; runc 1.1.5's init spins on it at 100 % CPU forever."""
    if runtime.name != "berth":
        pytest.skip("runc hangs on this filter (libseccomp 2.5.4)")
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "fuzz", "known-hangs",
                           "fuzz_seccomp", "two-socket-rules.json")) as f:
        bundle.linux["seccomp"] = json.load(f)
    r = runtime.create(bundle)
    assert r.rc != 0, str(r)
    assert "config.json: linux.seccomp: libseccomp did not compile the filter in 10 s" in r.err, r
    # The teardown checks that no process, state dir or cgroup was left behind.


PROBE = os.path.join(oci.REPO, "build", "tests", "helpers", "berth-probe")
DEFAULT_PROFILE = os.path.join(oci.REPO, "src", "engine", "data", "seccomp_default.json")


def probe_syscalls(runtime, bundle, numbers):
    """errno of each raw syscall (no arguments) made by berth-probe in the container."""
    if not os.path.exists(PROBE):
        pytest.fail("%s is missing: build it (meson compile -C build)" % PROBE)
    shutil.copy(PROBE, os.path.join(bundle.rootfs, "bin/berth-probe"))
    r = run_script(runtime, bundle, "; ".join("/bin/berth-probe syscall %d" % n
                                              for n in numbers))
    return [int(line.split("=")[1]) for line in r.out.split() if line.startswith("errno=")]


def test_syscalls_newer_than_the_profile_get_enosys(runtime, bundle):
    """A deny-by-default profile (docker's allow list): a syscall numbered above every
    syscall it names gets ENOSYS, so that libc falls back as on an older kernel (runc's
    stub); a known syscall the profile leaves out still gets the default EPERM."""
    with open(DEFAULT_PROFILE) as f:
        allowed = json.load(f)["syscalls"][0]["names"] + ["arch_prctl", "clone", "fork", "vfork"]
    assert "reboot" not in allowed
    seccomp(bundle, [{"names": allowed, "action": "SCMP_ACT_ALLOW"}],
            default="SCMP_ACT_ERRNO", defaultErrnoRet=errno.EPERM)
    # 1000: beyond every x86_64 syscall; 169: reboot
    assert probe_syscalls(runtime, bundle, [1000, 169]) == [errno.ENOSYS, errno.EPERM]


def test_an_allowing_profile_gets_no_enosys_stub(runtime, bundle):
    """With an allowing default the stub must not turn syscalls past the profile's into
    ENOSYS: getrandom (318, above the getppid the profile names) reaches the kernel, and
    the named getppid (110) is still denied."""
    seccomp(bundle, [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}])
    assert probe_syscalls(runtime, bundle, [318, 110]) == [0, errno.EPERM]
