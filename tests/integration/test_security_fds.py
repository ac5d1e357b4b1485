"""CVE-2024-21626: no host file descriptor reaches the container, and process.cwd cannot
land outside the rootfs through one (cwd "/proc/self/fd/N" naming a directory fd the
runtime held while it set the container up).
"""

import os
import subprocess

import pytest

import oci
from oci import sh

def run_sleeping(runtime, bundle, pass_fds=()):
    """run --detach `sleep` and return the container's fds as the host sees them: sleep
    opens nothing, so these are exactly the fds that crossed execve."""
    bundle.set_args(["sleep", "1000"])
    runtime._remember(bundle)
    p = subprocess.run([runtime.binary, "--root", runtime.root, "run", "--detach",
                        "--bundle", bundle.path, bundle.id], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=oci.RUN_TIMEOUT, pass_fds=pass_fds)
    assert p.returncode == 0, "run --detach failed"
    pid = runtime.state(bundle.id)["pid"]
    fds = {int(n): os.readlink("/proc/%d/fd/%s" % (pid, n))
           for n in os.listdir("/proc/%d/fd" % pid)}
    runtime.kill(bundle.id, "KILL")
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0
    return fds


def test_only_stdio_is_open_at_exec(runtime, bundle, tmp_path):
    """The runtime's own fds (state dir, bundle, sync socket, cgroup dirs) and an fd the
    caller left open without --preserve-fds never reach the container."""
    leak = os.open(str(tmp_path), os.O_RDONLY | os.O_DIRECTORY)   # not close-on-exec
    try:
        fds = run_sleeping(runtime, bundle, pass_fds=(leak,))
    finally:
        os.close(leak)
    assert sorted(fds) == [0, 1, 2], fds


def test_preserved_fds_reach_the_container(runtime, bundle, tmp_path):
    payload = tmp_path / "payload"
    payload.write_text("preserved\n")
    bundle.set_args(["sleep", "1000"])
    runtime._remember(bundle)
    # fd 3 is opened in the child by a shell: this process's fd 3 may be pytest's.
    p = subprocess.run(["/bin/sh", "-c", 'exec 3<"$0"; exec "$@"', str(payload),
                        runtime.binary, "--root", runtime.root, "run", "--detach",
                        "--preserve-fds", "1", "--bundle", bundle.path, bundle.id],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=oci.RUN_TIMEOUT)
    assert p.returncode == 0, "run --detach --preserve-fds 1 failed"
    pid = runtime.state(bundle.id)["pid"]
    fds = {int(n): os.readlink("/proc/%d/fd/%s" % (pid, n))
           for n in os.listdir("/proc/%d/fd" % pid)}
    runtime.kill(bundle.id, "KILL")
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0
    assert sorted(fds) == [0, 1, 2, 3], fds
    assert fds[3] == str(payload), fds


@pytest.fixture
def markers(tmp_path):
    """A marker file in every host directory around the bundle and its state."""
    for d in (tmp_path, tmp_path / "bundle", tmp_path / "state"):
        d.mkdir(exist_ok=True)
        (d / "escape-marker").write_text("host\n")


@pytest.mark.parametrize("fd", range(3, 13))
def test_cwd_through_proc_self_fd_stays_in_the_rootfs(runtime, bundle, markers, fd):
    bundle.process["cwd"] = "/proc/self/fd/%d" % fd
    bundle.set_args(sh("ls -a . .. ../.. ../../.. 2>/dev/null; echo done"))
    r = runtime.run(bundle)
    # Refusing is fine; running with the cwd outside the rootfs is the escape.
    assert "escape-marker" not in r.out, "cwd %s escaped the rootfs:\n%s" % (
        bundle.process["cwd"], r)


@pytest.mark.parametrize("cwd", ["/../../../../..", "/tmp/../../../.."])
def test_cwd_with_dotdot_stays_in_the_rootfs(runtime, bundle, markers, cwd):
    bundle.process["cwd"] = cwd
    bundle.set_args(sh("ls -a . ..; echo done"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert "escape-marker" not in r.out and "bin" in r.out, r


def created_init_fds(runtime, bundle):
    """fd -> target of a created (not started) `sleep` container's init, seen from the host."""
    bundle.set_args(["sleep", "1000"])
    r = runtime.create(bundle)
    assert r.rc == 0, str(r)
    pid = runtime.state(bundle.id)["pid"]
    fds = {}
    for n in os.listdir("/proc/%d/fd" % pid):
        try:
            fds[int(n)] = os.readlink("/proc/%d/fd/%s" % (pid, n))
        except FileNotFoundError:
            pass
    return fds


def test_created_init_holds_no_cgroup_tasks_fd(runtime, bundle):
    """The init writes itself into each v1 hierarchy's `tasks` through fds the parent
    opened, and closes them as its first step: nothing of the container's setup (hooks,
    mounts on /proc/self/fd paths) nor a process that gets at the waiting init may find a
    writable host cgroup file there. Seen from the host while the container is created."""
    fds = created_init_fds(runtime, bundle)
    cgroup_files = {n: t for n, t in fds.items()
                    if t.startswith("/sys/fs/cgroup/") and
                    os.path.basename(t) in ("tasks", "cgroup.procs")}
    assert cgroup_files == {}, fds


def test_created_init_holds_no_host_directory(runtime, bundle):
    """A created init keeps only what start needs: no fd of the bundle or of a cgroup
    directory (as runc's, which holds the fifo), so nothing that gets at the waiting init
    (a cwd of /proc/self/fd/N, CVE-2024-21626) finds a host directory there."""
    fds = created_init_fds(runtime, bundle)
    host_dirs = {n: t for n, t in fds.items()
                 if t == bundle.path or t.startswith("/sys/fs/cgroup")}
    assert host_dirs == {}, fds


def test_cwd_through_a_directory_fd_the_caller_leaked(runtime, bundle, markers, tmp_path):
    """The caller leaves a host directory open as fd 7 (no --preserve-fds): it is still
    open while the init enters process.cwd = /proc/self/fd/7, and must not be reachable
    that way (magic links are refused inside the root)."""
    bundle.process["cwd"] = "/proc/self/fd/7"
    bundle.set_args(sh("ls -a . .. 2>/dev/null; echo done"))
    bundle.write()
    runtime._remember(bundle)
    p = subprocess.run(["/bin/sh", "-c", 'exec 7<"$0"; exec "$@"', str(tmp_path),
                        runtime.binary, "--root", runtime.root, "run",
                        "--bundle", bundle.path, bundle.id],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=oci.RUN_TIMEOUT)
    assert "escape-marker" not in p.stdout, "cwd escaped the rootfs:\n%s%s" % (
        p.stdout, p.stderr)
