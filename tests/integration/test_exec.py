"""exec: a second process in a running container, as runc's exec runs it.

Checked where the kernel shows it: /proc/PID/ns/* of the exec'd process against the
init's, /proc/PID/cgroup, CapEff/CapBnd/NoNewPrivs/Uid/Gid/Groups in /proc/PID/status,
limits, the controlling terminal. Bad options fail before anything runs and leave no
process in the container.
"""

import json
import os
import shutil
import signal
import tempfile

import pytest

import oci
from console_socket import ConsoleSocket, HostPty, wait
from oci import sh

# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): the runc spec defaults.
DEFAULT_CAPS = (1 << 5) | (1 << 10) | (1 << 29)
CAP_NET_ADMIN = 12


@pytest.fixture
def container(runtime, bundle, tmp_path):
    """A running container (init: sleep); returns its init's pid."""
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "init.pid"
    r = runtime.run(bundle, detach=True, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    return pid


def exec_(runtime, cid, *args):
    return runtime("exec", *args[:-1], cid, *args[-1]) if args else runtime("exec", cid)


def exec_detached(runtime, cid, tmp_path, *opts, args=("sleep", "1000")):
    """exec --detach --pid-file; returns the exec'd process's host pid."""
    pid_file = tmp_path / ("exec-%d.pid" % runtime.ncalls)
    r = runtime("exec", "--detach", "--pid-file", pid_file, *opts, cid, *args)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    return pid


def cgroup_procs(bundle):
    """Pids in the container's cgroup (the pids hierarchy, or cgroup2)."""
    for d in oci.cgroup_dirs(bundle.cgroups_path):
        if os.path.exists(d + "/cgroup.procs"):
            return sorted(int(p) for p in oci.read_file(d + "/cgroup.procs").split())
    return []


def test_exec_runs_in_the_container(runtime, bundle, container):
    r = runtime("exec", bundle.id, "sh", "-c", "echo $$; hostname; cat /etc/hostname 2>&1; ls /")
    assert r.rc == 0, str(r)
    lines = r.out.splitlines()
    assert lines[0] != "1" and int(lines[0]) > 1     # in the container's pid namespace
    assert lines[1] == "berth-test"
    assert "linuxrc" in lines, "not the container's root: " + r.out


def test_exec_joins_every_namespace_and_the_cgroup(runtime, bundle, container, tmp_path):
    pid = exec_detached(runtime, bundle.id, tmp_path)
    kinds = sorted(os.listdir("/proc/self/ns"))
    for kind in kinds:
        if kind.endswith("_for_children"):
            continue
        assert oci.ns_link(kind, pid) == oci.ns_link(kind, container), kind
    assert oci.proc_cgroups(pid) == oci.proc_cgroups(container)
    assert pid in cgroup_procs(bundle)
    # The same root, and a pid of the container's pid namespace.
    assert os.path.samefile("/proc/%d/root" % pid, "/proc/%d/root" % container)
    nspid = oci.proc_status(pid)["NSpid"].split()
    assert len(nspid) == 2 and nspid[0] == str(pid) and int(nspid[1]) > 1


def test_exec_gets_the_containers_security_settings(runtime, bundle, container, tmp_path):
    pid = exec_detached(runtime, bundle.id, tmp_path)
    mine, init = oci.proc_status(pid), oci.proc_status(container)
    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Uid", "Gid",
                  "Groups", "Seccomp"):
        assert mine.get(field) == init.get(field), field
    assert int(mine["CapEff"], 16) == DEFAULT_CAPS
    assert mine["NoNewPrivs"] == "1"
    assert oci.read_file("/proc/%d/limits" % pid) == oci.read_file("/proc/%d/limits" % container)
    # A session of its own, without the caller's terminal.
    stat = oci.read_file("/proc/%d/stat" % pid).rpartition(")")[2].split()
    assert int(stat[3]) == pid and int(stat[4]) == 0


@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_exec_exit_code(runtime, bundle, container, code):
    assert runtime("exec", bundle.id, "sh", "-c", "exit %d" % code).rc == code


def test_exec_signal_death_gives_128_plus_signal(runtime, bundle, container):
    assert runtime("exec", bundle.id, "sh", "-c", "kill -KILL $$").rc == 128 + 9


def test_exec_forwards_signals(runtime, bundle, container):
    # runc copies a foreground exec's output through pipes until every holder closes
    # them: the background sleep must not hold them.
    p = runtime.popen("exec", bundle.id, "sh", "-c",
                      "trap 'echo got-term; exit 4' TERM; echo ready; "
                      "sleep 1000 >/dev/null 2>&1 </dev/null & wait")
    assert oci.wait_for(lambda: "ready" in oci.read_file(p.out_path)), oci.read_file(p.err_path)
    p.send_signal(signal.SIGTERM)
    assert wait(p) == 4
    assert "got-term" in oci.read_file(p.out_path)


def test_exec_with_process_json(runtime, bundle, container, tmp_path):
    process = {
        "args": ["sh", "-c", "pwd; id -u; id -g; id -G; echo $FOO; grep -E '^(CapBnd|NoNewPrivs)' "
                 "/proc/self/status"],
        "env": ["PATH=/bin:/usr/bin", "FOO=from-process-json"],
        "cwd": "/tmp",
        "user": {"uid": 1000, "gid": 1000, "additionalGids": [65534]},
        "capabilities": {"bounding": ["CAP_NET_ADMIN"], "permitted": ["CAP_NET_ADMIN"],
                         "effective": ["CAP_NET_ADMIN"]},
        "noNewPrivileges": False,
    }
    path = tmp_path / "process.json"
    path.write_text(json.dumps(process))
    r = runtime("exec", "--process", path, bundle.id)
    assert r.rc == 0, str(r)
    out = r.out.splitlines()
    assert out[:5] == ["/tmp", "1000", "1000", "1000 65534", "from-process-json"]
    status = dict(line.split(":\t") for line in out[5:])
    # (uid 1000 keeps no permitted or effective capability across execve; the bounding
    # set shows what the process was given.)
    assert int(status["CapBnd"], 16) == 1 << CAP_NET_ADMIN
    assert status["NoNewPrivs"] == "0"


def test_exec_options(runtime, bundle, container):
    r = runtime("exec", "--cwd", "/etc", "--env", "FOO=bar", "--env", "HOME=/override",
                "--user", "1000:1000", "--additional-gids", "65534", bundle.id,
                "sh", "-c", "pwd; echo $FOO $HOME; grep -E '^(Uid|Gid|Groups):' /proc/self/status")
    assert r.rc == 0, str(r)
    out = r.out.splitlines()
    assert out[0] == "/etc"
    assert out[1] == "bar /override"
    status = dict(line.split(":\t") for line in out[2:])
    assert status["Uid"].split() == ["1000"] * 4
    assert status["Gid"].split() == ["1000"] * 4
    assert status["Groups"].split() == ["65534"]


def test_exec_user_keeps_the_configs_gid(runtime, bundle, container):
    r = runtime("exec", "--user", "1000", bundle.id, "sh", "-c", "id -u; id -g")
    assert r.rc == 0, str(r)
    assert r.out.split() == ["1000", "0"]


def test_exec_cap(runtime, bundle, container, tmp_path):
    pid = exec_detached(runtime, bundle.id, tmp_path, "--cap", "CAP_NET_ADMIN")
    st = oci.proc_status(pid)
    for field in ("CapPrm", "CapEff", "CapBnd"):
        assert int(st[field], 16) == DEFAULT_CAPS | 1 << CAP_NET_ADMIN, field
    assert int(st["CapInh"], 16) == 0, "--cap must not grant inheritable (CVE-2022-29162)"


def test_exec_no_new_privs(runtime, bundle, tmp_path):
    bundle.process["noNewPrivileges"] = False
    bundle.set_args(["sleep", "1000"])
    assert runtime.run(bundle, detach=True).rc == 0
    off = exec_detached(runtime, bundle.id, tmp_path)
    on = exec_detached(runtime, bundle.id, tmp_path, "--no-new-privs")
    assert oci.proc_status(off)["NoNewPrivs"] == "0"
    assert oci.proc_status(on)["NoNewPrivs"] == "1"


def test_exec_no_new_privs_false_overrides_the_config(runtime, bundle, container, tmp_path):
    pid = exec_detached(runtime, bundle.id, tmp_path, "--no-new-privs=false")
    assert oci.proc_status(pid)["NoNewPrivs"] == "0"


def test_exec_detach_leaves_it_running(runtime, bundle, container, tmp_path):
    pid = exec_detached(runtime, bundle.id, tmp_path)
    assert oci.pid_alive(pid)
    # runc's process may not have exec'd busybox yet when exec returns (seen once in a
    # loaded CI: /proc/PID/exe read "/"): wait for the exec, not for time
    assert oci.wait_for(lambda: os.readlink("/proc/%d/exe" % pid).endswith("/bin/busybox"),
                        timeout=10), os.readlink("/proc/%d/exe" % pid)
    # The runtime is gone: the process was handed to whoever adopts orphans.
    ppid = int(oci.proc_status(pid)["PPid"])
    assert ppid != container and "berth-runtime" not in oci.read_file("/proc/%d/comm" % ppid)


def with_fds(datas):
    """Pipes holding datas, and a preexec_fn that puts their read ends at fds 3, 4, ..."""
    rfds = []
    for data in datas:
        r, w = os.pipe()
        os.write(w, data)
        os.close(w)
        rfds.append(r)

    def place():
        for i, fd in enumerate(rfds):
            os.dup2(fd, 3 + i)
    return rfds, place


# process.execCPUAffinity (config.md): for exec only, "not applicable to the init".

def cpus_allowed(pid):
    for line in oci.read_file("/proc/%d/status" % pid).splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no Cpus_allowed_list for %d" % pid)


def two_cpus():
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        oci.skip("execCPUAffinity needs two CPUs to tell a list from the default")
    return cpus[:2]


@pytest.mark.berth_only("runc 1.1.5 predates execCPUAffinity (runc 1.2)")
@pytest.mark.parametrize("affinity", [{"initial": "A", "final": "B"}, {"final": "B"}])
def test_exec_cpu_affinity_final(runtime, bundle, tmp_path, affinity):
    """final: the exec'd process runs on it (set after it joined the cgroup)."""
    a, b = two_cpus()
    bundle.process["execCPUAffinity"] = {k: {"A": str(a), "B": str(b)}[v]
                                         for k, v in affinity.items()}
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "init.pid"
    assert runtime.run(bundle, detach=True, pid_file=pid_file).rc == 0
    init = int(oci.read_file(pid_file))
    runtime.remember_pid(init)
    pid = exec_detached(runtime, bundle.id, tmp_path)
    assert cpus_allowed(pid) == str(b)
    assert cpus_allowed(init) == cpus_allowed(os.getpid()), "applied to the init"
    r = exec_(runtime, bundle.id, ["grep", "Cpus_allowed_list", "/proc/self/status"])
    assert r.rc == 0 and r.out.split()[-1] == str(b), str(r)


@pytest.mark.berth_only("runc 1.1.5 predates execCPUAffinity (runc 1.2)")
def test_exec_cpu_affinity_initial_is_applied(runtime, bundle, tmp_path):
    """initial is the process's list until it is in the container's cgroup, whose cpuset
    then decides (this host's v1 cpuset resets it): unseen from inside. A CPU the host
    lacks fails the exec, which shows that the list is applied, not ignored; the init
    (which it does not apply to) starts."""
    possible = oci.read_file("/sys/devices/system/cpu/possible").strip()
    missing = int(possible.replace(",", "-").split("-")[-1]) + 1
    bundle.process["execCPUAffinity"] = {"initial": str(missing)}
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "init.pid"
    r = runtime.run(bundle, detach=True, pid_file=pid_file)
    assert r.rc == 0, str(r)
    runtime.remember_pid(int(oci.read_file(pid_file)))
    r = runtime("exec", bundle.id, "true")
    assert r.rc != 0, str(r)
    assert "process.execCPUAffinity.initial" in r.err, str(r)


def test_exec_preserve_fds(runtime, bundle, container):
    rfds, place = with_fds([b"three", b"four", b"five"])
    try:
        script = "cat <&3; echo; cat <&4; echo; test -e /proc/$$/fd/5 && echo leaked || echo closed"
        p = runtime.popen("exec", "--preserve-fds", "2", bundle.id, "sh", "-c", script,
                          close_fds=False, preexec_fn=place)
        assert wait(p) == 0, oci.read_file(p.err_path)
        assert oci.read_file(p.out_path).split() == ["three", "four", "closed"]
    finally:
        for fd in rfds:
            os.close(fd)


def test_exec_into_no_pivot_container(runtime, bundle, tmp_path):
    """The mount namespace's root is still the host's there: exec must land in the rootfs."""
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "init.pid"
    assert runtime.run(bundle, "--no-pivot", detach=True, pid_file=pid_file).rc == 0
    init = int(oci.read_file(pid_file))
    runtime.remember_pid(init)
    pid = exec_detached(runtime, bundle.id, tmp_path)
    assert os.path.samefile("/proc/%d/root" % pid, "/proc/%d/root" % init)
    assert os.path.samefile("/proc/%d/root/bin/busybox" % pid, bundle.rootfs + "/bin/busybox")


def test_exec_in_created_container(runtime, bundle):
    """As runc 1.1: a created container takes an exec (its namespaces exist already)."""
    bundle.set_args(["sleep", "1000"])
    assert runtime.create(bundle).rc == 0
    r = runtime("exec", bundle.id, "sh", "-c", "echo in-created; hostname")
    assert r.rc == 0, str(r)
    assert r.out.split() == ["in-created", "berth-test"]
    assert runtime.status(bundle.id) == "created"


def test_exec_in_stopped_container_fails(runtime, bundle):
    bundle.set_args(["true"])
    assert runtime.create(bundle).rc == 0
    assert runtime.start(bundle.id).rc == 0
    runtime.wait_status(bundle.id, "stopped")
    r = runtime("exec", bundle.id, "echo", "no")
    assert r.rc != 0
    assert "no" not in r.out.split()
    assert "stopped" in r.err


def test_exec_in_unknown_container_fails(runtime):
    r = runtime("exec", oci.unique_id("none"), "true")
    assert r.rc != 0
    assert r.err.strip()


BAD_OPTIONS = [
    (["--user", "abc"], ["true"]),
    (["--user", "1:x"], ["true"]),
    (["--additional-gids", "-1"], ["true"]),
    (["--additional-gids", "x"], ["true"]),
    (["--env", "NOEQUALS"], ["true"]),
    (["--cwd", "/does/not/exist"], ["true"]),
    (["--process", "/does/not/exist.json"], []),
    (["--preserve-fds", "40"], ["true"]),
    (["--detach", "--tty"], ["true"]),
    (["--console-socket", "/tmp/none.sock"], ["true"]),
    ([], ["/does/not/exist"]),
    ([], []),
]


@pytest.mark.parametrize("opts,args", BAD_OPTIONS,
                         ids=["-".join(o + a).strip("-") or "no-command" for o, a in BAD_OPTIONS])
def test_exec_bad_input_fails_and_leaves_nothing(runtime, bundle, container, tmp_path, opts,
                                                 args):
    before = cgroup_procs(bundle)
    pid_file = tmp_path / "exec.pid"
    r = runtime("exec", "--pid-file", pid_file, *opts, bundle.id, *args)
    assert r.rc != 0, "exec %s succeeded" % " ".join(opts + args)
    assert r.err.strip(), "no error message"
    assert not pid_file.exists()
    assert oci.wait_for(lambda: cgroup_procs(bundle) == before, timeout=5), cgroup_procs(bundle)
    assert runtime.status(bundle.id) == "running"


@pytest.mark.berth_only("runc warns about an unknown --cap and goes on")
def test_exec_unknown_cap_fails(runtime, bundle, container):
    r = runtime("exec", "--cap", "CAP_NOPE", bundle.id, "true")
    assert r.rc != 0
    assert "CAP_NOPE" in r.err


@pytest.mark.berth_only("checks berth's messages")
def test_exec_bad_process_json_names_the_field(runtime, bundle, container, tmp_path):
    path = tmp_path / "process.json"
    path.write_text(json.dumps({"args": [], "cwd": "/"}))
    r = runtime("exec", "--process", path, bundle.id)
    assert r.rc != 0
    assert "process.json: args" in r.err


@pytest.mark.parametrize("option, lsm", [("--apparmor", "apparmor"),
                                         ("--process-label", "selinux")])
def test_exec_lsm_options_are_refused_without_the_lsm(runtime, bundle, container, option, lsm):
    """This host has neither AppArmor nor SELinux: a label asked for is an error, as at
    create (the VM lane's apparmor mode checks that exec applies a profile)."""
    r = runtime("exec", option, "system_u:system_r:container_t:s0", bundle.id, "true")
    assert r.rc != 0, str(r)
    assert lsm in r.err.lower(), str(r)


# Terminals.

@pytest.fixture
def console_socket():
    d = tempfile.mkdtemp(prefix="bt-cs-", dir="/tmp")
    cs = ConsoleSocket(os.path.join(d, "console.sock"))
    yield cs
    cs.close()
    shutil.rmtree(d, ignore_errors=True)


def test_exec_tty_with_console_socket(runtime, bundle, container, console_socket, tmp_path):
    pid_file = tmp_path / "exec.pid"
    r = runtime("exec", "--tty", "--detach", "--console-socket", console_socket.path,
                "--pid-file", pid_file, bundle.id, "sh", "-c",
                "tty; echo ready; read x; echo got-$x")
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    console_socket.receive()
    out = console_socket.read_until(b"ready")
    assert out.split(b"\r\n")[0].startswith(b"/dev/pts/"), out
    tty_nr = int(oci.read_file("/proc/%d/stat" % pid).rpartition(")")[2].split()[4])
    assert os.major(tty_nr) == 136, "no pty as controlling terminal"
    console_socket.write(b"x\n")
    assert b"got-x" in console_socket.read_until(b"got-x")


@pytest.mark.berth_only("runc 1.1 refuses a terminal when none of its stdio is one")
def test_exec_tty_without_host_terminal(runtime, bundle, container):
    """With no terminal to proxy to, berth still copies the pty's output (no raw mode)."""
    r = runtime("exec", "--tty", bundle.id, "sh", "-c", "tty; exit 3")
    assert r.rc == 3, str(r)
    assert r.out.startswith("/dev/pts/"), r.out


def test_exec_tty_foreground(runtime, bundle, container):
    pty = HostPty(rows=30, cols=100)
    try:
        p = pty.popen(runtime, "exec", "--tty", bundle.id, "sh", "-c",
                      "tty; echo ready; read x; echo got-$x; exit 6")
        out = pty.read_until(b"ready")
        assert b"/dev/pts/" in out, out
        pty.write(b"y\r")
        assert b"got-y" in pty.read_until(b"got-y")
        assert wait(p) == 6
    finally:
        pty.close()


@pytest.mark.berth_only("runc 1.1.5 does not give an exec'd terminal the caller's size")
def test_exec_tty_foreground_takes_the_host_size(runtime, bundle, container):
    pty = HostPty(rows=30, cols=100)
    try:
        p = pty.popen(runtime, "exec", "--tty", bundle.id, "sh", "-c", "stty size")
        out = pty.read_until(b"\n")
        assert wait(p) == 0
        assert out.splitlines()[0] == b"30 100", out
    finally:
        pty.close()


def test_exec_that_cannot_start_exits_255(runtime, bundle, container):
    """A process that could not be started (no such program): exit status 255 as runc,
    told apart from the program's own exit codes; a program's 1 stays 1."""
    r = runtime("exec", bundle.id, "/no/such/program")
    assert r.rc == 255, str(r)
    assert runtime("exec", bundle.id, "sh", "-c", "exit 1").rc == 1


def test_exec_ignore_paused_then_resume(runtime, bundle, container):
    """exec --ignore-paused into a paused container waits, frozen, for `resume`; resume
    must not wait for the exec in turn (a lock held across the wait deadlocked both)."""
    def procs():
        pids = set()
        for d in oci.cgroup_dirs(bundle.cgroups_path):
            pids |= {int(p) for p in oci.read_file(d + "/cgroup.procs").split()}
        return pids

    assert runtime("pause", bundle.id).rc == 0
    runtime.wait_status(bundle.id, "paused")
    before = procs()
    ex = runtime.popen("exec", "--ignore-paused", bundle.id, "sh", "-c", "echo thawed")
    try:
        # Until the exec's process is frozen in the cgroup (it cannot run before resume).
        assert oci.wait_for(lambda: procs() - before or ex.poll() is not None,
                            timeout=oci.TIMEOUT)
        r = runtime("resume", bundle.id)
        assert r.rc == 0, str(r)
        assert ex.wait(timeout=oci.TIMEOUT) == 0, oci.read_file(ex.err_path)
    finally:
        if ex.poll() is None:
            runtime("resume", bundle.id)
            ex.kill()
            ex.wait()
    assert oci.read_file(ex.out_path) == "thawed\n"


def test_exec_into_a_sub_cgroup(runtime, bundle, container):
    """exec --cgroup PATH (runc's): the process runs in an existing sub-cgroup of the
    container's, in every hierarchy; a missing one, or a path leaving the container's
    cgroup, is refused."""
    made = []
    for d in oci.cgroup_dirs(bundle.cgroups_path):
        os.mkdir(os.path.join(d, "sub"))
        made.append(os.path.join(d, "sub"))
        for f in ("cpuset.cpus", "cpuset.mems"):   # v1 cpuset: empty in a new child
            if os.path.exists(os.path.join(d, f)) and \
                    os.path.exists(os.path.join(d, "sub", f)) and \
                    not oci.read_file(os.path.join(d, "sub", f)).strip():
                with open(os.path.join(d, "sub", f), "w") as out:
                    out.write(oci.read_file(os.path.join(d, f)))
    try:
        r = runtime("exec", "--cgroup", "sub", bundle.id, "cat", "/proc/self/cgroup")
        assert r.rc == 0, str(r)
        for line in r.out.splitlines():
            hid, ctrl, path = line.split(":", 2)
            if ctrl and not ctrl.startswith("name=") or hid == "0":
                assert path.endswith("/sub"), r.out
        assert runtime("exec", "--cgroup", "nope", bundle.id, "true").rc != 0
        assert runtime("exec", "--cgroup", "../..", bundle.id, "true").rc != 0
        # "/" is the container's own cgroup (runc's bats "runc exec --cgroup")
        r = runtime("exec", "--cgroup", "/", bundle.id, "cat", "/proc/self/cgroup")
        assert r.rc == 0, str(r)
        for line in r.out.splitlines():
            hid, ctrl, path = line.split(":", 2)
            if ctrl and not ctrl.startswith("name=") or hid == "0":
                assert not path.endswith("/sub"), r.out
    finally:
        for d in made:
            os.rmdir(d)
