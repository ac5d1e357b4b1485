"""Terminals for the integration tests: a --console-socket receiver and a host pty.

ConsoleSocket listens where `--console-socket` points, receives the pty master that the
runtime sends with SCM_RIGHTS (as containerd's and Podman's receivers do), and talks to
the container through it. HostPty runs a foreground runtime with a pty as its stdio and
controlling terminal, as a user's shell would.
"""

import fcntl
import os
import select
import socket
import struct
import subprocess
import termios
import time


def read_until(fd, needle, timeout=10):
    """Read fd until needle (bytes) shows up, EOF/EIO, or timeout; return all that was read."""
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break   # EIO: every slave fd is closed
        if not data:
            break
        out += data
        if needle is not None and needle in out:
            break
    return out


def winsize(fd):
    rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    return rows, cols


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class ConsoleSocket:
    """A listening AF_UNIX stream socket at path; .receive() gets the master fd."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(4)
        self.master = None
        self.name = None

    def receive(self, timeout=10):
        """Accept the runtime's connection and take the fd it sends; returns the master."""
        self.sock.settimeout(timeout)
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(timeout)
            msg, fds, _, _ = socket.recv_fds(conn, 4096, 4)
        assert len(fds) == 1, "expected one fd over the console socket, got %r" % fds
        self.master, self.name = fds[0], msg
        return self.master

    def read_until(self, needle, timeout=10):
        return read_until(self.master, needle, timeout)

    def write(self, data):
        os.write(self.master, data)

    def close(self):
        if self.master is not None:
            os.close(self.master)
            self.master = None
        self.sock.close()


class HostPty:
    """A pty whose slave is the stdio and controlling terminal of the process it starts."""

    def __init__(self, rows=24, cols=80):
        self.master, self.slave = os.openpty()
        set_winsize(self.master, rows, cols)

    def popen(self, runtime, *args, bundle=None):
        def become_session_leader():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        return runtime.popen(*args, bundle=bundle, stdin=self.slave, stdout=self.slave,
                             stderr=self.slave, preexec_fn=become_session_leader)

    def termios(self):
        return termios.tcgetattr(self.slave)

    def read_until(self, needle, timeout=10):
        return read_until(self.master, needle, timeout)

    def write(self, data):
        os.write(self.master, data)

    def resize(self, rows, cols):
        """Set the size: the kernel sends SIGWINCH to the pty's foreground process group."""
        set_winsize(self.master, rows, cols)

    def close(self):
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def wait(proc, timeout=30):
    """Wait for a Popen; kill it (and fail) if it hangs."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError("%s did not exit within %ss" % (proc.args, timeout))
