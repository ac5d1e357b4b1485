"""process.terminal: the pty sent over --console-socket, and the foreground proxy.

runc's behaviour: the container's process opens the container's /dev/ptmx, makes the
slave its stdio and controlling terminal (and /dev/console), and sends the master over
the console socket. A foreground `run` proxies the pty to its own terminal (raw mode,
size, SIGWINCH). What the kernel shows is checked: the slave's device, the controlling
terminal in /proc/PID/stat, the window size, the host terminal's modes afterwards.
"""

import os
import shutil
import tempfile
import termios
import time

import pytest

import oci
from console_socket import ConsoleSocket, HostPty, wait, winsize
from oci import sh


@pytest.fixture
def console_socket():
    """A console socket receiver at a short path (sun_path holds 108 bytes)."""
    d = tempfile.mkdtemp(prefix="bt-cs-", dir="/tmp")
    cs = ConsoleSocket(os.path.join(d, "console.sock"))
    yield cs
    cs.close()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def host_pty():
    p = HostPty(rows=24, cols=80)
    yield p
    p.close()


def proc_stat(pid):
    """Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, session, tty_nr, ...]."""
    return oci.read_file("/proc/%d/stat" % pid).rpartition(")")[2].split()


def terminal_bundle(bundle, script, size=None):
    bundle.process["terminal"] = True
    if size:
        bundle.process["consoleSize"] = {"height": size[0], "width": size[1]}
    bundle.set_args(sh(script))


def test_console_socket_gets_the_master(runtime, bundle, console_socket):
    terminal_bundle(bundle, "tty; stty size; ls -l /dev/console; echo ready; read x; "
                    "echo got-$x; sleep 1000", size=(33, 77))
    r = runtime.create(bundle, "--console-socket", console_socket.path)
    assert r.rc == 0, str(r)
    master = console_socket.receive()
    assert console_socket.name == b"/dev/ptmx"
    pid = runtime.state(bundle.id)["pid"]
    # The init already holds the slave: fds 0-2 are the container's pty, its controlling tty.
    for fd in (0, 1, 2):
        assert os.readlink("/proc/%d/fd/%d" % (pid, fd)) == "/dev/pts/0"
    stat = proc_stat(pid)
    assert int(stat[3]) == pid, "the init is not a session leader"
    assert os.major(int(stat[4])) == 136, "no pty as controlling terminal: tty_nr %s" % stat[4]
    assert winsize(master) == (33, 77)

    assert runtime.start(bundle.id).rc == 0
    out = console_socket.read_until(b"ready")
    lines = out.decode().split("\r\n")
    assert lines[0] == "/dev/pts/0"
    assert lines[1] == "33 77"
    assert lines[2].startswith("c") and "136,   0" in lines[2], "/dev/console: " + lines[2]
    console_socket.write(b"hello\n")
    assert b"got-hello" in console_socket.read_until(b"got-hello")


def test_terminal_echo_and_line_discipline(runtime, bundle, console_socket):
    """The pty is a real terminal: input is echoed, ^C sends SIGINT to the foreground job."""
    terminal_bundle(bundle, "trap 'echo got-int' INT; echo ready; read x; echo line=$x; "
                    "sleep 1000 & wait")
    assert runtime.run(bundle, "--console-socket", console_socket.path, detach=True).rc == 0
    console_socket.receive()
    assert b"ready" in console_socket.read_until(b"ready")
    console_socket.write(b"abc\n")
    out = console_socket.read_until(b"line=abc")
    assert b"abc\r\n" in out and b"line=abc" in out, out
    console_socket.write(b"\x03")
    assert b"got-int" in console_socket.read_until(b"got-int")


def test_detached_terminal_needs_console_socket(runtime, bundle):
    terminal_bundle(bundle, "true")
    r = runtime.create(bundle)
    assert r.rc != 0, "create with terminal and no --console-socket succeeded"
    assert r.err.strip()
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_console_socket_without_terminal_fails(runtime, bundle, console_socket):
    bundle.set_args(["true"])
    r = runtime.create(bundle, "--console-socket", console_socket.path)
    assert r.rc != 0, "--console-socket without process.terminal succeeded"
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_foreground_run_with_console_socket_fails(runtime, bundle, console_socket):
    """runc: a console socket is for detached containers; in the foreground runc proxies."""
    terminal_bundle(bundle, "true")
    r = runtime.run(bundle, "--console-socket", console_socket.path)
    assert r.rc != 0, "foreground run with --console-socket succeeded"
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_console_socket_nobody_listens(runtime, bundle, tmp_path):
    terminal_bundle(bundle, "true")
    r = runtime.create(bundle, "--console-socket", tmp_path / "none.sock")
    assert r.rc != 0, "create with a console socket nobody listens on succeeded"
    assert r.err.strip()
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.berth_only("runc truncates a consoleSize above 65535 silently")
def test_console_size_too_big(runtime, bundle, console_socket):
    terminal_bundle(bundle, "true", size=(70000, 80))
    r = runtime.create(bundle, "--console-socket", console_socket.path)
    assert r.rc != 0
    assert "consoleSize" in r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_foreground_run_proxies_the_terminal(runtime, bundle, host_pty):
    """run in a terminal: the container's pty gets the host's size, input and SIGWINCH."""
    # runc 1.1.5 sizes the pty from its console proxy after the process started (a race
    # its first `stty size` can lose: "0 0"); berth sizes it before.
    wait_for_runc = "sleep 0.5; " if runtime.name == "runc" else ""
    terminal_bundle(bundle, wait_for_runc + "tty; stty size; echo ready; read x; stty size; "
                    "echo got-$x; exit 7")
    before = host_pty.termios()
    p = host_pty.popen(runtime, "run", "--bundle", bundle.path, bundle.id, bundle=bundle)
    out = host_pty.read_until(b"ready")
    assert b"/dev/pts/0\r\n" in out, out
    assert b"24 80\r\n" in out, out
    # Raw mode while it runs: no echo, no line editing on the host side.
    during = host_pty.termios()
    assert not during[3] & termios.ECHO
    host_pty.resize(50, 120)
    time.sleep(0.3)   # let SIGWINCH reach the runtime
    host_pty.write(b"abc\r")
    out = host_pty.read_until(b"got-abc")
    assert b"50 120\r\n" in out, out
    assert b"got-abc" in out
    assert wait(p) == 7
    # The host terminal is as it was.
    assert host_pty.termios() == before


def test_foreground_run_terminal_signal_exit_code(runtime, bundle, host_pty):
    """SIGTERM to the runtime reaches the container; the runtime exits with 128+15."""
    bundle.remove_namespace("pid")
    terminal_bundle(bundle, "echo ready; exec sleep 1000")
    p = host_pty.popen(runtime, "run", "--bundle", bundle.path, bundle.id, bundle=bundle)
    assert b"ready" in host_pty.read_until(b"ready")
    p.send_signal(15)
    assert wait(p) == 128 + 15


def test_terminal_belongs_to_the_process_user(runtime, bundle, console_socket):
    """The pty is the process user's (its group stays devpts' tty group 5), as runc does:
    a non-root process can then chmod it, or use `mesg`/`write` on it."""
    terminal_bundle(bundle, "stat -c %u:%g $(tty); echo ready; sleep 1000")
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    r = runtime.create(bundle, "--console-socket", console_socket.path)
    assert r.rc == 0, str(r)
    console_socket.receive()
    assert runtime.start(bundle.id).rc == 0
    out = console_socket.read_until(b"ready").decode()
    assert out.split("\r\n")[0] == "1000:5", out


def test_terminal_with_a_read_only_dev(runtime, bundle, console_socket):
    """A read-only /dev tmpfs and a terminal (runc's bats "runc run [ro /dev mount]"): the
    console's mount point is made before /dev turns read-only."""
    dev = next(m for m in bundle.config["mounts"] if m["destination"] == "/dev")
    dev["options"] = dev.get("options", []) + ["ro"]
    terminal_bundle(bundle, "ls -l /dev/console; touch /dev/x 2>/dev/null || echo is-ro; "
                    "echo ready; sleep 1000")
    r = runtime.create(bundle, "--console-socket", console_socket.path)
    assert r.rc == 0, str(r)
    console_socket.receive()
    assert runtime.start(bundle.id).rc == 0
    out = console_socket.read_until(b"ready").decode()
    assert "136,   0" in out and "is-ro" in out, out
