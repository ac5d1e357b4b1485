"""Foreground `run`: signals, reaping, exit codes; `--detach`; `--no-pivot`; the keyring.

A foreground runtime forwards the signals it gets to the container's init, reaps it and
exits with its code (128 + signal after a signal death), as runc does. `run --detach`
leaves the init to whoever adopts orphans, with no process of the runtime in between.
"""

import ctypes
import fcntl
import json
import os
import signal
import struct
import subprocess
import time

import pytest

import oci
from console_socket import wait
from oci import sh

# A subreaper that runs a command, then reaps every orphan it adopts and says so: shows
# where `run --detach` leaves the container's init, and that nothing is left unreaped.
SUBREAPER = r"""
import ctypes, json, os, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
rc = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
print(json.dumps({"rc": rc}), flush=True)
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    print(json.dumps({"reaped": pid, "status": status}), flush=True)
"""


def start_foreground(runtime, bundle, *extra):
    p = runtime.popen("run", "--bundle", bundle.path, *extra, bundle.id, bundle=bundle)
    assert oci.wait_for(lambda: "ready" in oci.read_file(p.out_path) or p.poll() is not None), \
        "the container never said ready"
    assert p.poll() is None, "run exited early:\n" + oci.read_file(p.err_path)
    return p


@pytest.mark.parametrize("sig", ["INT", "TERM", "HUP", "USR1", "USR2", "QUIT"])
def test_signal_reaches_the_init(runtime, bundle, sig):
    """The init (pid 1, so only signals it handles) gets what the runtime gets."""
    bundle.set_args(sh("trap 'echo got-%s; exit 3' %s; echo ready; sleep 1000 & wait"
                       % (sig, sig)))
    p = start_foreground(runtime, bundle)
    p.send_signal(getattr(signal, "SIG" + sig))
    assert wait(p) == 3
    assert "got-" + sig in oci.read_file(p.out_path)


def test_signal_death_gives_128_plus_signal(runtime, bundle):
    """Forwarded SIGTERM kills a process without a handler (no pid namespace to shield it)."""
    bundle.remove_namespace("pid")
    bundle.set_args(sh("echo ready; exec sleep 1000"))
    p = start_foreground(runtime, bundle)
    p.send_signal(signal.SIGTERM)
    assert wait(p) == 128 + signal.SIGTERM


def test_winch_is_not_forwarded_without_terminal(runtime, bundle):
    """runc resizes a terminal on SIGWINCH and never forwards it."""
    bundle.set_args(sh("trap 'echo got-winch' WINCH; trap 'exit 5' TERM; echo ready; "
                       "sleep 1000 & wait"))
    p = start_foreground(runtime, bundle)
    p.send_signal(signal.SIGWINCH)
    time.sleep(0.3)
    p.send_signal(signal.SIGTERM)
    assert wait(p) == 5
    assert "got-winch" not in oci.read_file(p.out_path)


def test_foreground_run_reaps_and_deletes(runtime, bundle, tmp_path):
    pid_file = tmp_path / "pid"
    bundle.set_args(sh("echo ready; sleep 1000 & wait"))
    p = start_foreground(runtime, bundle, "--pid-file", pid_file)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    assert oci.proc_status(pid)["PPid"] == str(p.pid), "the init is not the runtime's child"
    assert runtime.kill(bundle.id, "KILL").rc == 0
    assert wait(p) == 128 + signal.SIGKILL
    # Reaped (not a zombie) and deleted.
    assert oci.proc_state(pid) is None
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_detach_leaves_no_process_behind(runtime, bundle, tmp_path):
    """After run --detach the init's parent is the subreaper above the runtime: nothing of
    the runtime stays in between, and the init is reaped when it exits."""
    pid_file = tmp_path / "pid"
    bundle.set_args(["sleep", "1000"])
    helper = runtime.popen("run", "--detach", "--pid-file", pid_file, "--bundle", bundle.path,
                           bundle.id, bundle=bundle, wrapper=["/usr/bin/python3", "-c", SUBREAPER],
                           stdout=subprocess.PIPE, text=True)
    try:
        assert json.loads(helper.stdout.readline()) == {"rc": 0}
        pid = int(oci.read_file(pid_file))
        runtime.remember_pid(pid)
        assert oci.proc_status(pid)["PPid"] == str(helper.pid)
        assert runtime.status(bundle.id) == "running"
        assert runtime.kill(bundle.id, "KILL").rc == 0
        reaped = json.loads(helper.stdout.readline())
        assert reaped["reaped"] == pid
        assert os.WIFSIGNALED(reaped["status"]) and os.WTERMSIG(reaped["status"]) == 9
        assert wait(helper) == 0   # no other child was left to reap
        assert runtime.status(bundle.id) == "stopped"
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait()


# --no-pivot: the rootfs is moved onto / and chrooted into; the old root stays in the
# container's mount namespace (unreachable from its root), which listmount(2) shows.

LISTMOUNT = 458            # x86_64
NS_GET_MNTNS_ID = 0x8008B705
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF


def mount_ids_in_namespace(pid):
    """(namespace id, [mount ids]) of pid's mount namespace (listmount, Linux 6.8+)."""
    fd = os.open("/proc/%d/ns/mnt" % pid, os.O_RDONLY)
    try:
        buf = bytearray(8)
        fcntl.ioctl(fd, NS_GET_MNTNS_ID, buf)
    except OSError as e:
        oci.skip_in_vm("NS_GET_MNTNS_ID and listmount need Linux 6.8: %s" % e)
    finally:
        os.close(fd)
    ns_id = struct.unpack("Q", buf)[0]
    req = struct.pack("IIQQQ", 32, 0, LSMT_ROOT, 0, ns_id)
    ids = (ctypes.c_uint64 * 65536)()
    libc = ctypes.CDLL(None, use_errno=True)
    n = libc.syscall(LISTMOUNT, ctypes.c_char_p(req), ids, 65536, 0)
    if n < 0:
        oci.skip_in_vm("listmount (Linux 6.8): %s" % os.strerror(ctypes.get_errno()))
    return ns_id, list(ids[:n])


def mounts_in_namespace(pid):
    """How many mounts pid's mount namespace has, reachable or not (listmount, 6.8+)."""
    return len(mount_ids_in_namespace(pid)[1])


@pytest.mark.parametrize("no_pivot", [False, True], ids=["pivot", "no-pivot"])
def test_no_pivot(runtime, bundle, tmp_path, no_pivot):
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "pid"
    extra = ["--no-pivot"] if no_pivot else []
    r = runtime.run(bundle, *extra, detach=True, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    reachable = len(oci.read_file("/proc/%d/mountinfo" % pid).splitlines())
    total = mounts_in_namespace(pid)
    assert os.path.samefile("/proc/%d/root/bin/busybox" % pid, bundle.rootfs + "/bin/busybox")
    if no_pivot:
        assert total > reachable, "the old root is not under the rootfs: %d mounts" % total
    else:
        assert total == reachable, "pivot_root left %d unreachable mounts" % (total - reachable)


# The session keyring: runc joins a new one named _ses.<id> unless --no-new-keyring.

def keyring_bundle(bundle, args):
    bundle.linux["maskedPaths"] = [p for p in bundle.linux["maskedPaths"] if p != "/proc/keys"]
    bundle.set_args(args)


@pytest.mark.parametrize("new_keyring", [True, False], ids=["new", "no-new-keyring"])
def test_session_keyring(runtime, bundle, new_keyring):
    if not os.path.exists("/proc/keys"):
        oci.skip("this kernel has no /proc/keys")
    keyring_bundle(bundle, ["cat", "/proc/keys"])
    r = runtime.run(bundle, *([] if new_keyring else ["--no-new-keyring"]))
    assert r.rc == 0, str(r)
    ours = [line for line in r.out.splitlines() if "_ses.%s:" % bundle.id in line]
    if new_keyring:
        assert len(ours) == 1 and " keyring " in ours[0], r.out
    else:
        assert ours == [], r.out


def test_exec_joins_the_session_keyring(runtime, bundle):
    """exec joins _ses.<id>: the keyring's usage count goes up while the exec'd process lives."""
    if not os.path.exists("/proc/keys"):
        oci.skip("this kernel has no /proc/keys")
    keyring_bundle(bundle, ["sleep", "1000"])
    assert runtime.run(bundle, detach=True).rc == 0
    r = runtime("exec", bundle.id, "cat", "/proc/keys")
    assert r.rc == 0, str(r)
    ours = [line.split() for line in r.out.splitlines() if "_ses.%s:" % bundle.id in line]
    assert len(ours) == 1, r.out
    # serial flags usage ...: the init's credentials and the exec'd process's hold it.
    assert int(ours[0][2]) >= 2, ours[0]


def ignore_and_block():
    """A caller such as nohup or a shell's background job: some signals ignored, some blocked."""
    for s in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGUSR1):
        signal.signal(s, signal.SIG_IGN)
    # Signal 32, which Python cannot set: the raw syscall (a zeroed struct but the handler).
    ign = (ctypes.c_ulong * 8)(1)
    ctypes.CDLL(None, use_errno=True).syscall(13, 32, ign, None, 8)    # rt_sigaction
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGALRM})


def sig_masks(text):
    """{'SigIgn': int, 'SigBlk': int} from a /proc/PID/status text."""
    return {k: int(v, 16) for k, v in
            (line.split(":\t") for line in text.splitlines() if line.startswith("Sig"))
            if k in ("SigIgn", "SigBlk")}


OURS = sum(1 << (s - 1) for s in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT,
                                    signal.SIGPIPE, signal.SIGUSR1))


def check_clean(runtime, status):
    masks = sig_masks(status)
    assert masks["SigIgn"] & OURS == 0, status
    # berth resets every one, glibc's 32 and 33 too (a caller, such as CI's runner, may
    # ignore them); runc 1.1.5 leaves those ignored.
    if runtime.name == "berth":
        assert masks["SigIgn"] == 0, status
    # runc 1.1.5 leaves the caller's blocked signals blocked in the container (its Go init
    # does not reset the mask it inherits); berth unblocks them.
    if runtime.name == "berth":
        assert masks["SigBlk"] == 0, status


def test_container_starts_with_no_signal_ignored_or_blocked(runtime, bundle):
    """execve keeps SIG_IGN and the mask: what the runtime's caller ignored must not reach the
    container (busybox sh could not even trap it); runc resets them too."""
    bundle.set_args(["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"])
    p = runtime.popen("run", "--bundle", bundle.path, bundle.id, bundle=bundle,
                      preexec_fn=ignore_and_block)
    assert wait(p) == 0, oci.read_file(p.err_path)
    check_clean(runtime, oci.read_file(p.out_path))


def test_exec_starts_with_no_signal_ignored_or_blocked(runtime, bundle):
    bundle.set_args(["sleep", "1000"])
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    p = runtime.popen("exec", bundle.id, "grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status",
                      preexec_fn=ignore_and_block)
    assert wait(p) == 0, oci.read_file(p.err_path)
    check_clean(runtime, oci.read_file(p.out_path))


STATMOUNT = 457            # x86_64
STATMOUNT_SB_BASIC, STATMOUNT_MNT_ROOT = 0x1, 0x8
PROC_SUPER_MAGIC, SYSFS_MAGIC = 0x9FA0, 0x62656572


def whole_kernel_fs_mounts(pid):
    """How many procfs and sysfs mounts of pid's mount namespace show their filesystem
    whole (mount root "/"), reachable from its root or not (statmount, Linux 6.8+)."""
    ns_id, ids = mount_ids_in_namespace(pid)
    libc = ctypes.CDLL(None, use_errno=True)
    out = {"proc": 0, "sysfs": 0}
    for mnt_id in ids:
        req = struct.pack("IIQQQ", 32, 0, mnt_id, STATMOUNT_SB_BASIC | STATMOUNT_MNT_ROOT, ns_id)
        buf = ctypes.create_string_buffer(1 << 16)
        if libc.syscall(STATMOUNT, ctypes.c_char_p(req), buf, len(buf), 0) < 0:
            oci.skip("statmount: %s" % os.strerror(ctypes.get_errno()))
        raw = buf.raw
        magic = struct.unpack_from("Q", raw, 24)[0]
        root_off = struct.unpack_from("I", raw, 104)[0]
        root = raw[512 + root_off:].split(b"\0", 1)[0]
        kind = {PROC_SUPER_MAGIC: "proc", SYSFS_MAGIC: "sysfs"}.get(magic)
        if kind and root == b"/":
            out[kind] += 1
    return out


@pytest.mark.parametrize("no_pivot", [False, True], ids=["pivot", "no-pivot"])
def test_no_pivot_leaves_no_bare_proc(runtime, bundle, tmp_path, no_pivot):
    """With --no-pivot the host's old root stays in the container's mount namespace. A
    procfs or sysfs shown whole anywhere in the namespace lets the container's root mount
    a fresh, unmasked one from a new user namespace (the kernel allows it only where one
    is already fully visible): the "bare /proc" runc closed in 1.1. The container's own
    /proc and /sys must be the only whole ones in the namespace, as with pivot_root."""
    bundle.set_args(["sleep", "1000"])
    pid_file = tmp_path / "pid"
    r = runtime.run(bundle, *(["--no-pivot"] if no_pivot else []), detach=True,
                    pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(oci.read_file(pid_file))
    runtime.remember_pid(pid)
    assert whole_kernel_fs_mounts(pid) == {"proc": 1, "sysfs": 1}
