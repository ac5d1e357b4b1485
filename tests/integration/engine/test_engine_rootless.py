"""Rootless berth (issue 18): the engine run by an unprivileged user the test makes
(useradd, subordinate ids), its state under the user's XDG directories, one user and mount
namespace held by a pause process (newuidmap/newgidmap from Debian's uidmap), overlays
mounted in it, containers whose root is the user on the host.

Each test runs berth as that user with HOME and XDG_RUNTIME_DIR in a directory of its own
under /tmp ($BERTH_ROOTLESS_TMPDIR: the VM lane's ext4); the teardown removes the containers, stops the pause process berth started
(by its pid) and removes the directory. Networking is `none` (rootless bridge networks are
not there yet), so nothing here touches the host's network.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile

import pytest

import oci
from conftest import runtime_binary, runtime_names
from enginehelp import ENGINE, Result
from images import Layout

USER = "berth-rootless"


def sub_range(path, user):
    with open(path) as f:
        for line in f:
            parts = line.strip().split(":")
            if len(parts) == 3 and parts[0] == user:
                return int(parts[1]), int(parts[2])
    return None


def free_start(paths, size):
    """The first start past every range in the files (the host's own lines are kept)."""
    end = 300000
    for path in paths:
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    parts = line.strip().split(":")
                    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                        end = max(end, int(parts[1]) + int(parts[2]))
    return end


@pytest.fixture(scope="session")
def rootless_user():
    """The unprivileged user and its subordinate ids: (uid, gid, subuid start)."""
    for tool in ("useradd", "newuidmap", "newgidmap", "setpriv"):
        if not shutil.which(tool):
            oci.skip("%s is needed (packages passwd, uidmap, util-linux)" % tool)
    # the user must reach the build: every directory above it searchable by others
    d = os.path.dirname(ENGINE)
    while d != "/":
        if not os.stat(d).st_mode & 0o001:
            oci.skip("%s is not searchable by other users: an unprivileged user cannot run "
                     "the build there" % d)
        d = os.path.dirname(d)
    try:
        pw = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/bin/sh", "--user-group", USER], check=True)
        pw = pwd.getpwnam(USER)
    files = ("/etc/subuid", "/etc/subgid")
    if not all(os.path.exists(f) and sub_range(f, USER) for f in files):
        start = free_start(files, 65536)
        for f in files:
            if not (os.path.exists(f) and sub_range(f, USER)):
                with open(f, "a") as out:
                    out.write("%s:%d:65536\n" % (USER, start))
    return pw.pw_uid, pw.pw_gid, sub_range("/etc/subuid", USER)[0]


class Rootless:
    """berth run as the user, with HOME and XDG_RUNTIME_DIR of its own."""

    def __init__(self, uid, gid, home, runtime):
        self.uid, self.gid, self.home, self.runtime = uid, gid, home, runtime
        self.run_dir = os.path.join(home, "run")
        self.env = {"HOME": home, "XDG_RUNTIME_DIR": self.run_dir, "PATH": os.environ["PATH"],
                    "LANG": "C.UTF-8"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def argv(self, args):
        args = list(args)
        if args and args[0] in ("run", "create"):
            args[1:1] = ["--runtime", self.runtime]
        return ["setpriv", "--reuid=%d" % self.uid, "--regid=%d" % self.gid, "--clear-groups",
                ENGINE] + args

    def __call__(self, *args, check=True, timeout=60):
        p = subprocess.run(self.argv(args), capture_output=True, text=True, timeout=timeout,
                           env=self.env, cwd=self.home, stdin=subprocess.DEVNULL)
        r = Result(p.returncode, p.stdout, p.stderr)
        if check and r.rc != 0:
            raise AssertionError("berth %s failed:\n%s" % (" ".join(args), r))
        return r

    def pause_pid(self):
        try:
            with open(os.path.join(self.run_dir, "berth", "pause.pid")) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None

    def wait_status(self, name, status):
        ok = oci.wait_for(lambda: self("inspect", "-f", "{{.State.Status}}", name,
                                       check=False).out.strip() == status, 20)
        assert ok, "%s never became %s" % (name, status)

    def pid(self, name):
        return int(self("inspect", "-f", "{{.State.Pid}}", name).out)


@pytest.fixture(params=runtime_names())
def rl(request, rootless_user):
    uid, gid, _ = rootless_user
    binary = runtime_binary(request.param)
    # a folder every user may enter (pytest's are root's, 0700); the VM lane gives an ext4
    home = tempfile.mkdtemp(prefix="berth-rootless-",
                            dir=os.environ.get("BERTH_ROOTLESS_TMPDIR", "/tmp"))
    os.chown(home, uid, gid)
    os.mkdir(os.path.join(home, "run"), 0o700)
    os.chown(os.path.join(home, "run"), uid, gid)
    b = Rootless(uid, gid, home, binary)
    try:
        b("image", "create-busybox", "-q")
        yield b
    finally:
        for c in b("ps", "-aq", check=False).out.split():
            b("rm", "-f", c, check=False)
        pause = b.pause_pid()
        if pause and oci.proc_state(pause) not in (None, "Z"):
            os.kill(pause, signal.SIGKILL)
            oci.wait_for(lambda: oci.proc_state(pause) in (None, "Z"), 10)
        shutil.rmtree(home, ignore_errors=True)


def uid_map(pid):
    with open("/proc/%d/uid_map" % pid) as f:
        return [tuple(int(x) for x in line.split()) for line in f if line.strip()]


def test_run_exec_logs_stop_rm(rl, rootless_user):
    uid, _, sub = rootless_user
    cid = rl("run", "-d", "--name", "r1", "busybox", "sh", "-c",
             "echo started; exec sleep 1000").out.strip()
    rl.wait_status("r1", "running")
    pid = rl.pid("r1")
    # root in the container is the user on the host, in the pause process's namespace
    with open("/proc/%d/status" % pid) as f:
        uids = [ln.split()[1:] for ln in f if ln.startswith("Uid:")][0]
    assert uids == [str(uid)] * 4
    assert uid_map(pid) == [(0, uid, 1), (1, sub, 65536)]
    pause = rl.pause_pid()
    assert pause and oci.ns_link("user", pid) == oci.ns_link("user", pause)
    assert oci.ns_link("user", pid) != oci.ns_link("user")
    assert rl("exec", "r1", "id", "-u").out.strip() == "0"
    assert rl("logs", "r1").out == "started\n"
    assert "r1" in rl("ps", "--format", "{{.Names}}").out.split()
    # state under the user's directories, owned by the user
    root = os.path.join(rl.home, ".local", "share", "berth")
    assert os.path.isdir(os.path.join(root, "containers", cid))
    assert os.stat(root).st_uid == uid
    rl("stop", "-t", "1", "r1")
    assert rl("inspect", "-f", "{{.State.Status}}", "r1").out.strip() == "exited"
    rl("rm", "r1")
    assert not os.path.exists(os.path.join(root, "containers", cid))
    # the same namespaces for every command: one pause process
    assert rl.pause_pid() == pause


def test_volume_files_belong_to_the_user(rl, rootless_user):
    uid, gid, sub = rootless_user
    data = os.path.join(rl.home, "data")
    rl("run", "--rm", "-v", "%s:/data" % data, "busybox", "sh", "-c",
       "echo x > /data/root-file; touch /data/other && chown 1000:1000 /data/other")
    st = os.stat(os.path.join(data, "root-file"))
    assert (st.st_uid, st.st_gid) == (uid, gid)
    # a container uid other than root is one of the user's subordinate ids
    assert os.stat(os.path.join(data, "other")).st_uid == sub + 999


def test_nothing_written_outside_the_users_directories(rl, rootless_user):
    uid = rootless_user[0]
    rl("run", "--rm", "busybox", "sh", "-c", "echo hi > /tmp/f")
    rl("run", "-d", "--name", "w1", "busybox", "sleep", "1000")
    rl("rm", "-f", "w1")
    found = subprocess.run(["find", "/tmp", "/var/tmp", "/run", "/var/lib", "/dev/shm", "/etc",
                            "-xdev", "(", "-path", rl.home, "-prune", ")", "-o",
                            "-uid", str(uid), "-print"],
                           capture_output=True, text=True).stdout.split()
    assert not found, found


def test_what_rootless_berth_refuses_or_warns(rl):
    r = rl("run", "--rm", "--network", "bridge", "busybox", "true", check=False)
    assert r.rc == 125 and "rootless berth has no bridge networks yet" in r.err, r
    r = rl("run", "--rm", "--userns", "auto", "busybox", "true", check=False)
    assert r.rc == 125 and "share the user's namespace" in r.err, r
    r = rl("run", "--rm", "--memory", "32m", "busybox", "true", check=False)
    assert r.rc == 0 and r.err.count("resource limits are not applied") == 1, r
    # the host's network: its /sys bound read-only, as with a user namespace
    r = rl("run", "--rm", "--network", "host", "busybox", "ls", "/sys/class/net")
    assert "lo" in r.out.split()
    assert rl("ps", "-aq").out.split() == []


def test_unshare_and_info(rl, rootless_user):
    uid, _, sub = rootless_user
    assert rl("unshare", "id", "-u").out.strip() == "0"
    assert rl("unshare", "cat", "/proc/self/uid_map").out.split() == \
        [str(x) for x in (0, uid, 1, 1, sub, 65536)]
    info = rl("info", "-f", "{{json .Rootless}}").out
    assert '"PausePid":%d' % rl.pause_pid() in info and '"RunDir":"%s/berth"' % rl.run_dir \
        in info, info
    assert "name=rootless" in rl("info", "-f", "{{json .SecurityOptions}}").out
    r = subprocess.run([ENGINE, "unshare", "true"], capture_output=True, text=True)
    assert r.returncode == 125 and "rootless" in r.stderr


def test_a_killed_pause_process_is_replaced(rl):
    rl("run", "--rm", "busybox", "true")
    old = rl.pause_pid()
    os.kill(old, signal.SIGKILL)
    assert oci.wait_for(lambda: oci.proc_state(old) in (None, "Z"), 10)
    rl("run", "--rm", "busybox", "true")
    new = rl.pause_pid()
    assert new and new != old


def test_no_xdg_runtime_dir_is_a_clear_error(rl):
    env = dict(rl.env)
    del env["XDG_RUNTIME_DIR"]
    p = subprocess.run(rl.argv(["ps"]), capture_output=True, text=True, env=env, cwd=rl.home)
    assert p.returncode == 125 and "XDG_RUNTIME_DIR is not set" in p.stderr, p.stderr


def test_pull_keeps_owners_and_whiteouts(rl, rootless_user, registry, tmp_path):
    """Pulled from a registry on 127.0.0.1 (a mirror of docker.io): the layers are unpacked
    in the user namespace, so a file of uid 1000 is uid 1000 in the container (a
    subordinate id on the host), and an opaque directory hides the lower layer's files."""
    _, _, sub = rootless_user
    with open("/bin/busybox", "rb") as f:
        bb = f.read()
    lay = Layout(tmp_path / "layout")
    img = lay.image([[("bin/", None), ("bin/busybox", ("mode", bb, 0o755)), ("d/", None),
                      ("d/old", b"old\n"), ("gone", b"x")],
                     [("d/", None), ("d/.wh..wh..opq", b""), ("d/new", b"new\n"),
                      (".wh.gone", b""), ("home/", None), ("home/f", ("owned", b"u\n", 1000))]],
                    cmd=("/bin/busybox", "sh"))
    lay.tag(img, "rlpull")
    lay.push("rlpull", registry, "library/rlpull:latest")
    cfg = os.path.join(rl.home, "registries.json")
    with open(cfg, "w") as f:
        f.write('{"registry-mirrors": ["http://%s"]}' % registry.host)
    os.chmod(cfg, 0o644)
    rl.env["BERTH_REGISTRY_CONFIG"] = cfg
    rl("pull", "rlpull")
    out = rl("run", "--rm", "rlpull", "/bin/busybox", "sh", "-c",
             "ls /d; stat -c %u:%g /home/f; ls /gone 2>&1 || true").out.split("\n")
    assert out[0] == "new" and out[1] == "1000:1000", out
    assert "No such file" in out[2], out
    # on the host the layer's file belongs to the user's subordinate id for 1000
    layers = os.path.join(rl.home, ".local", "share", "berth", "image", "layers")
    owners = set()
    for d in os.listdir(layers):
        f = os.path.join(layers, d, "diff", "home", "f")
        if os.path.exists(f):
            owners.add(os.stat(f).st_uid)
    assert owners == {sub + 999}, owners


def user_pauses(uid):
    """The pids of the user's berth-pause processes that are alive."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % d) as f:
                comm = f.read().strip()
            st = os.stat("/proc/" + d)
        except OSError:
            continue
        if comm == "berth-pause" and st.st_uid == uid and \
                oci.proc_state(int(d)) not in (None, "Z"):
            pids.append(int(d))
    return pids


def test_killed_while_making_the_pause_process(rl, rootless_user):
    """berth killed at each step of making the pause process: no pause process is left
    that nothing records, and the next command makes a working one."""
    uid = rootless_user[0]
    for point in ("rootless-pause-forked", "rootless-pause-recorded"):
        for pid in user_pauses(uid):
            os.kill(pid, signal.SIGKILL)
        assert oci.wait_for(lambda: not user_pauses(uid), 10)
        env = dict(rl.env, BERTH_CRASH_AT=point)
        p = subprocess.run(rl.argv(["ps"]), capture_output=True, text=True, env=env,
                           cwd=rl.home)
        assert p.returncode == -9, (point, p.returncode, p.stderr)
        # the half-made one sees berth go and goes too
        assert oci.wait_for(lambda: not user_pauses(uid), 10), (point, user_pauses(uid))
        rl("run", "--rm", "busybox", "true")
        assert user_pauses(uid) == [rl.pause_pid()], point
