"""What the engine does as host root to files a container (or an image, or an archive)
controls: cp onto and out of device nodes and FIFOs, the engine root's mode, volume
population keeping owners, cp of a stopped container mounting nothing on the host, the
default seccomp profile without io_uring, load refusing special archive members, a FIFO
/etc/passwd, and the console socket out of /tmp (berth issue 13)."""

import ctypes
import ctypes.util
import io
import json
import os
import select
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import tarfile
import threading

import pytest

import oci
from enginehelp import Berth

# every berth command below gets a bound: the unfixed engine hangs on a FIFO forever
BOUND = 20


def cp(berth, src, dst):
    """berth cp, killed (and reported as a hang) after BOUND seconds."""
    try:
        return berth("cp", src, dst, check=False, timeout=BOUND)
    except subprocess.TimeoutExpired:
        pytest.fail("berth cp %s %s hung (more than %d s)" % (src, dst, BOUND))


def start_with_nodes(berth, name, script):
    berth("run", "-d", "--name", name, "busybox", "sh", "-c",
          script + " && touch /ready && sleep 1000")
    assert oci.wait_for(lambda: berth("exec", name, "test", "-e", "/ready", check=False).rc == 0), \
        berth("logs", name, check=False)


def test_cp_onto_a_device_node_or_fifo_replaces_it(berth, tmp_path):
    """An existing node at the destination is replaced by a regular file, never opened
    (the unfixed engine opened it O_WRONLY|O_TRUNC as host root: the char device stayed,
    the FIFO hung the copy)."""
    start_with_nodes(berth, "dst",
                     "mknod /zero c 1 5 && mkfifo /fifo && mkdir /d && mknod /d/f c 1 5")
    src = tmp_path / "f"
    src.write_text("copied\n")
    for target in ("dst:/zero", "dst:/fifo", "dst:/d/"):
        r = cp(berth, str(src), target)
        assert r.rc == 0, r
    for path in ("/zero", "/fifo", "/d/f"):
        r = berth("exec", "dst", "sh", "-c",
                  "test -f %s && ! test -c %s && cat %s" % (path, path, path), check=False)
        assert r.rc == 0 and r.out == "copied\n", "%s after cp: %s" % (path, r)
    # no temporary file left beside them
    left = berth("exec", "dst", "sh", "-c", "ls -a / /d | grep -c berth-cp || true").out
    assert left.strip() == "0"
    berth("rm", "-f", "dst")


def test_cp_out_of_a_fifo_or_device_does_not_open_it(berth, tmp_path):
    """cp CTR:PATH of a FIFO or a device node finishes and reads nothing from it."""
    start_with_nodes(berth, "src", "mkfifo /fifo && mknod /zero c 1 5 && mkdir /d && mkfifo /d/p "
                     "&& echo x > /d/file")
    for path in ("/fifo", "/zero"):
        out = tmp_path / path.strip("/")
        r = cp(berth, "src:" + path, str(out))
        assert r.rc == 0, r
        assert not out.exists() or (out.is_file() and out.stat().st_size == 0), path
    r = cp(berth, "src:/d", str(tmp_path / "d"))
    assert r.rc == 0, r
    assert (tmp_path / "d" / "file").read_text() == "x\n"
    assert not (tmp_path / "d" / "p").exists()
    berth("rm", "-f", "src")


@pytest.mark.skipif(not shutil.which("strace"), reason="needs strace to stop cp deterministically")
def test_cp_source_swapped_for_a_fifo_after_the_check_is_not_opened(berth, tmp_path):
    """The race the unfixed engine lost: it checked the source with fstatat, then opened it
    by name. strace stops `berth cp` with SIGSTOP right after an fstatat in the container's
    root (`-P ROOT`, the calls relative to its fd); the test then swaps /f for a FIFO and
    lets it go. The fixed engine opens the entry O_PATH and checks that fd, so it never
    stops there, and a swapped entry is skipped, not opened."""
    berth("run", "-d", "--name", "race", "busybox", "sh", "-c", "echo secret > /f && sleep 1000")
    assert oci.wait_for(lambda: berth("exec", "race", "test", "-f", "/f", check=False).rc == 0)
    cid = berth.inspect("race")["Id"]
    rootfs = os.path.join(berth.root, "containers", cid, "bundle", "rootfs")
    log = tmp_path / "strace.out"
    p = subprocess.Popen(["strace", "-f", "-qq", "-o", str(log), "-P", rootfs,
                          "-e", "trace=newfstatat", "-e", "inject=newfstatat:signal=SIGSTOP"]
                         + berth.argv(["cp", "race:/f", str(tmp_path / "out")]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         # LeakSanitizer cannot run under ptrace (an ASan build of berth)
                         env=dict(os.environ, ASAN_OPTIONS=(os.environ.get("ASAN_OPTIONS", "")
                                                            + ":detect_leaks=0").lstrip(":")))

    def stopped_pid():
        text = log.read_text() if log.exists() else ""
        for line in text.splitlines():
            if "stopped by SIGSTOP" in line:
                return int(line.split()[0])
        return None

    assert oci.wait_for(lambda: p.poll() is not None or stopped_pid(), BOUND)
    pid = stopped_pid()
    if pid:
        os.unlink(os.path.join(rootfs, "f"))
        os.mkfifo(os.path.join(rootfs, "f"))
        os.kill(pid, signal.SIGCONT)
    try:
        out, err = p.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        if pid:
            os.kill(pid, signal.SIGKILL)
        p.kill()
        p.communicate()
        pytest.fail("berth cp opened the FIFO swapped in after its check (hung)")
    assert p.returncode == 0, err
    berth("rm", "-f", "race")


def private(path):
    return stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0


def test_engine_root_is_private_whichever_command_creates_it(berth, tmp_path):
    """The engine root (and volumes/) is 0700 whether `images`, `ps` or `run -v` made it,
    and an existing 0755 root is fixed when it is opened."""
    for first in (["images"], ["ps", "-a"], ["inspect", "x"]):
        root = tmp_path / ("r-" + first[0])
        b = Berth(root, berth.runtime, berth.runtime_name, berth.cgroup_parent)
        b(*first, check=False)
        assert root.is_dir(), first
        assert private(root), "%s made the root %o" % (first, stat.S_IMODE(os.stat(root).st_mode))
    for first in (["images"], ["ps"]):
        root = tmp_path / ("old-" + first[0])
        root.mkdir()
        os.chmod(root, 0o755)
        Berth(root, berth.runtime, berth.runtime_name, berth.cgroup_parent)(*first)
        assert private(root), "%s left an existing root %o" % (
            first, stat.S_IMODE(os.stat(root).st_mode))
    berth("run", "--rm", "-v", "named:/x", "busybox", "true")
    assert private(berth.root)
    assert private(os.path.join(berth.root, "volumes"))


def busybox_image_with(berth, tmp_path, name, files):
    """An imported image: the host's static busybox as /bin/busybox, plus files, a list
    of (path, data or None for a directory, uid, mode)."""
    tar = tmp_path / (name + ".tar")
    bb = shutil.which("busybox")
    with tarfile.open(tar, "w") as t:
        t.add(bb, "bin/busybox")
        for path, data, uid, mode in files:
            info = tarfile.TarInfo(path)
            info.uid = info.gid = uid
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    berth("import", str(tar), name)
    return name


def test_volume_population_keeps_owner_and_mode(berth, tmp_path):
    """The image's files copied into a new volume keep their owner: a uid-1000 4755 file
    does not become a root-owned set-uid file."""
    img = busybox_image_with(berth, tmp_path, "suid:1", [
        ("data", None, 1000, 0o750),
        ("data/suid", b"#!/bin/busybox sh\n", 1000, 0o4755),
        ("data/sub", None, 1001, 0o700),
        ("data/sub/f", b"f\n", 1001, 0o640),
    ])
    berth("run", "--rm", "-v", "vol:/data", img, "/bin/busybox", "true")
    data = os.path.join(berth.root, "volumes", "vol", "_data")
    st = os.lstat(os.path.join(data, "suid"))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1000, 1000, 0o4755), \
        "suid copied as uid %d gid %d mode %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
    st = os.lstat(os.path.join(data, "sub", "f"))
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (1001, 0o640)
    st = os.lstat(os.path.join(data, "sub"))
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (1001, 0o700)
    st = os.lstat(data)
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (1000, 0o750)


class Inotify:
    """Names created in a directory (IN_CREATE), read after the fact: nothing is missed."""

    IN_CREATE = 0x100
    IN_MOVED_TO = 0x80
    IN_NONBLOCK = 0o4000

    def __init__(self, path):
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = self.libc.inotify_init1(self.IN_NONBLOCK)
        assert self.fd >= 0
        wd = self.libc.inotify_add_watch(self.fd, str(path).encode(),
                                         self.IN_CREATE | self.IN_MOVED_TO)
        assert wd >= 0

    def names(self):
        out, buf = [], b""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            buf += chunk
        while len(buf) >= 16:
            _, _, _, n = struct.unpack("iIII", buf[:16])
            out.append(buf[16:16 + n].rstrip(b"\0").decode(errors="replace"))
            buf = buf[16 + n:]
        return out

    def close(self):
        os.close(self.fd)


class MountWatch(threading.Thread):
    """Lines of the host's mountinfo that mention any of words while it runs (woken by
    the kernel's POLLPRI on every change of the mount table)."""

    def __init__(self, words):
        super().__init__(daemon=True)
        self.words = words
        self.seen = []
        self.done = threading.Event()

    def scan(self, f):
        f.seek(0)
        for line in f.read().splitlines():
            if any(w in line for w in self.words):
                self.seen.append(line)

    def run(self):
        with open("/proc/self/mountinfo") as f:
            p = select.poll()
            p.register(f, select.POLLPRI | select.POLLERR)
            while not self.done.is_set():
                p.poll(20)
                self.scan(f)
            self.scan(f)


def test_cp_of_a_stopped_container_mounts_nothing_on_the_host(berth, tmp_path):
    """cp on a stopped container mounts its overlay only in a private mount namespace: the
    host's mount table never shows it (the unfixed engine mounted it on
    $TMPDIR/berth-cp-XXXXXX, set-uid allowed, for every host user to enter)."""
    berth("run", "--name", "stopped", "busybox", "sh", "-c",
          "dd if=/dev/zero of=/big bs=1M count=32 2>/dev/null && echo in > /small")
    berth.wait_status("stopped", "exited")
    cid = berth.inspect("stopped")["Id"]
    # a TMPDIR of its own: another run's cp on the machine makes /tmp/berth-cp-* too
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    argv = berth.argv
    berth.argv = lambda args: ["env", "TMPDIR=%s" % tmpdir] + argv(args)
    tmp_watch = Inotify(str(tmpdir))
    watch = MountWatch([cid, str(tmpdir), os.path.realpath(berth.root)])
    watch.start()
    try:
        r1 = cp(berth, "stopped:/big", str(tmp_path / "big"))
        src = tmp_path / "to-ctr"
        src.write_text("host\n")
        r2 = cp(berth, str(src), "stopped:/from-host")
    finally:
        berth.argv = argv
        watch.done.set()
        watch.join()
        created = tmp_watch.names()
        tmp_watch.close()
    assert r1.rc == 0 and r2.rc == 0, (r1, r2)
    assert os.path.getsize(tmp_path / "big") == 32 << 20
    assert not created, "cp made %s in TMPDIR" % created
    assert not watch.seen, "the host saw cp's mount:\n" + "\n".join(watch.seen)
    assert not os.listdir(tmpdir)
    assert not oci.mounts_under(berth.root), oci.mounts_under(berth.root)
    # the copy into the stopped container landed in its upper layer
    berth("start", "stopped")
    berth.wait_status("stopped", "exited")
    r = cp(berth, "stopped:/from-host", str(tmp_path / "back"))
    assert r.rc == 0 and (tmp_path / "back").read_text() == "host\n"
    berth("rm", "stopped")


def test_default_seccomp_profile_has_no_io_uring(berth):
    """io_uring_setup/enter/register are not allowed by the default profile (as docker's
    and containerd's since moby #46762, containerd #9320): the container gets EPERM."""
    berth("run", "-d", "--name", "sc", "busybox", "sleep", "1000")
    cid = berth.inspect("sc")["Id"]
    with open(os.path.join(berth.root, "containers", cid, "bundle", "config.json")) as f:
        seccomp = json.load(f)["linux"]["seccomp"]
    assert seccomp["defaultAction"] == "SCMP_ACT_ERRNO"
    allowed = {n for rule in seccomp["syscalls"] if rule["action"] == "SCMP_ACT_ALLOW"
               for n in rule["names"]}
    assert "read" in allowed
    assert not allowed & {"io_uring_setup", "io_uring_enter", "io_uring_register"}, \
        sorted(allowed & {"io_uring_setup", "io_uring_enter", "io_uring_register"})
    berth("rm", "-f", "sc")


def special_archive(path, name, kind, extra=()):
    with tarfile.open(path, "w") as t:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.devmajor, info.devminor = 1, 5  # /dev/zero's numbers
        t.addfile(info)
        for n, data in extra:
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


def test_load_refuses_fifo_and_device_members(berth, tmp_path):
    """An image archive's members are regular files only: a FIFO manifest.json (which hung
    the unfixed engine holding gc.lock) and a character device config fail fast."""
    fifo = tmp_path / "fifo.tar"
    special_archive(fifo, "manifest.json", tarfile.FIFOTYPE)
    dev = tmp_path / "dev.tar"
    special_archive(dev, "c.json", tarfile.CHRTYPE, [
        ("manifest.json", json.dumps([{"Config": "c.json", "Layers": []}]).encode())])
    for path in (fifo, dev):
        try:
            r = berth("load", "-i", str(path), check=False, timeout=BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail("berth load of %s hung" % path.name)
        assert r.rc == 1, r
        assert "device node or FIFO" in r.err or "not a regular file" in r.err, r
    # the store still works: nothing holds gc.lock
    assert berth("images", timeout=BOUND).rc == 0


def test_fifo_passwd_does_not_hang_start_or_exec(berth):
    """The container's /etc/passwd and /etc/group are read only when they are regular
    files: FIFOs there (which hung the unfixed engine) mean no passwd, not a hang."""
    if berth.runtime_name != "berth":
        pytest.skip("runc 1.1.5's init reads the container's /etc/passwd itself (inside the "
                    "container, for HOME and groups) and blocks on the FIFO")
    berth("run", "--name", "pw", "-u", "0", "busybox", "sh", "-c",
          "rm /etc/passwd /etc/group && mkfifo /etc/passwd /etc/group")
    berth.wait_status("pw", "exited")
    try:
        r = berth("start", "-a", "pw", check=False, timeout=BOUND)
    except subprocess.TimeoutExpired:
        pytest.fail("berth start hung on a FIFO /etc/passwd")
    assert r.rc == 0, r
    start_with_nodes(berth, "pwx",
                     "rm /etc/passwd /etc/group && mkfifo /etc/passwd && mknod /etc/group c 1 5")
    for user in ("nobody", "0", "1000:0"):
        try:
            # not `id`: it would read the FIFO itself, inside the container
            r = berth("exec", "-u", user, "pwx", "grep", "^Uid:", "/proc/self/status",
                      check=False, timeout=BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail("berth exec -u %s hung on a FIFO /etc/passwd" % user)
        if user == "nobody":
            assert r.rc != 0 and "unable to find user nobody" in r.err, r
        else:
            assert r.rc == 0 and r.out.split()[1] == user.split(":")[0], r
    berth("rm", "-f", "pw", "pwx")


def test_console_socket_is_not_in_tmp(berth):
    """run -t: the monitor's console socket is made in the container's 0700 directory,
    not in /tmp (where it was created with the caller's umask)."""
    watch = Inotify("/tmp")
    try:
        out = subprocess.run(["script", "-qec", " ".join(shlex.quote(a) for a in berth.argv(
            ["run", "--rm", "-t", "busybox", "sh", "-c", "tty; exit 4"])) + "; echo rc=$?",
            "/dev/null"], capture_output=True, text=True, timeout=30).stdout
        names = watch.names()
    finally:
        watch.close()
    assert "/dev/pts/" in out and "rc=4" in out, out
    made = [n for n in names if n.startswith("berth") and n.endswith(".sock")]
    assert not made, "run -t made %s in /tmp" % made
