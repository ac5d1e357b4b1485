"""berth attach and the detach keys (issue 16), as docker 20.10's: attach to a running
container's main process (several at once), detach with ctrl-p ctrl-q or --detach-keys
from attach, run -it and start -ai, docker's errors and exit codes."""

import fcntl
import os
import signal
import subprocess
import termios

import console_socket

CTRL_P_Q = b"\x10\x11"


def _session_leader():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _on_pty(berth, tty, *args):
    """berth ARGS with the pty's slave as its stdio and controlling terminal."""
    return berth.popen(*args, stdin=tty.slave, stdout=tty.slave, stderr=tty.slave,
                       preexec_fn=_session_leader)


def _running_sh(berth, name):
    berth("run", "-dit", "--name", name, "busybox", "sh")
    berth.wait_status(name, "running")


def _alive(berth, name):
    info = berth.inspect(name)["State"]
    return info["Status"] == "running" and os.path.exists("/proc/%d" % info["Pid"])


def _attach_tty(berth, *args):
    tty = console_socket.HostPty()
    return tty, _on_pty(berth, tty, "attach", *args)


def _kill(berth, p, tty=None):
    if p.poll() is None:
        p.kill()
        p.wait()
    if tty:
        tty.close()


def test_attach_tty_type_detach_and_reattach(berth):
    _running_sh(berth, "att")
    tty, p = _attach_tty(berth, "att")
    try:
        # docker's size nudge: the waiting shell redraws its prompt for the newcomer
        assert b"# " in tty.read_until(b"# ")
        tty.write(b"echo A$((6*7))\r")
        assert b"A42" in tty.read_until(b"A42")
        tty.write(CTRL_P_Q)
        # docker attach: "read escape sequence", exit 1; the container runs on
        assert b"read escape sequence" in tty.read_until(b"sequence")
        assert console_socket.wait(p) == 1
        assert _alive(berth, "att")
    finally:
        _kill(berth, p, tty)
    # again, and the shell's exit code is attach's
    tty, p = _attach_tty(berth, "att")
    try:
        tty.write(b"echo B$((6*7))\r")
        assert b"B42" in tty.read_until(b"B42")
        tty.write(b"exit 3\r")
        assert console_socket.wait(p) == 3
        berth.wait_status("att", "exited")
    finally:
        _kill(berth, p, tty)
    berth("rm", "att")


def test_custom_detach_keys_and_partial_sequence(berth):
    """A prefix of the sequence that does not complete reaches the container."""
    _running_sh(berth, "keys")
    tty, p = _attach_tty(berth, "--detach-keys", "q,z", "keys")
    try:
        tty.write(b"echo qq$((6*7))\r")
        assert b"qq42" in tty.read_until(b"qq42")
        tty.write(CTRL_P_Q)  # not the keys now: goes to the shell
        tty.write(b"echo C$((6*7))\r")
        assert b"C42" in tty.read_until(b"C42")
        tty.write(b"q")
        tty.write(b"z")
        assert console_socket.wait(p) == 1
        assert _alive(berth, "keys")
    finally:
        _kill(berth, p, tty)
    berth("rm", "-f", "keys")


def test_run_it_and_start_ai_detach(berth):
    tty = console_socket.HostPty()
    p = _on_pty(berth, tty, "run", "-it", "--name", "rit", "busybox", "sh")
    try:
        tty.write(b"echo D$((6*7))\r")
        assert b"D42" in tty.read_until(b"D42")
        tty.write(CTRL_P_Q)
        assert console_socket.wait(p) == 0  # docker run: no message, 0
        assert _alive(berth, "rit")
    finally:
        _kill(berth, p, tty)
    berth("rm", "-f", "rit")
    berth("create", "-it", "--name", "sai", "busybox", "sh")
    tty = console_socket.HostPty()
    p = _on_pty(berth, tty, "start", "-ai", "--detach-keys", "ctrl-x,ctrl-y", "sai")
    try:
        tty.write(b"echo E$((6*7))\r")
        assert b"E42" in tty.read_until(b"E42")
        tty.write(b"\x18\x19")
        assert console_socket.wait(p) == 0
        assert _alive(berth, "sai")
    finally:
        _kill(berth, p, tty)
    berth("rm", "-f", "sai")


TICKER = ("trap 'echo usr1; exit 5' USR1; while [ ! -f /go ]; do echo tick; sleep 0.1; done; "
          "echo out; echo err >&2; exit 7")


def _attach_pipes(berth, *args):
    return berth.popen("attach", *args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)


def test_attach_non_tty_several_clients_and_exit_code(berth):
    berth("run", "-d", "--name", "tick", "busybox", "sh", "-c", TICKER)
    ps = [_attach_pipes(berth, "tick") for _ in range(2)]
    try:
        for p in ps:  # each is connected once it has seen output
            assert b"tick" in console_socket.read_until(p.stdout.fileno(), b"tick")
        berth("exec", "tick", "touch", "/go")
        for p in ps:
            out = console_socket.read_until(p.stdout.fileno(), b"out\n")
            assert out.endswith(b"out\n"), out
            assert console_socket.wait(p) == 7
            assert p.stderr.read() == b"err\n"
    finally:
        for p in ps:
            _kill(berth, p)
    berth("rm", "tick")


def test_start_a_of_a_running_container_attaches(berth):
    # docker: `start -a` of a container already running attaches to it (and returns its
    # exit code); with several containers it refuses to attach
    berth("run", "-d", "--name", "sa", "busybox", "sh", "-c", TICKER)
    p = berth.popen("start", "-a", "sa", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    try:
        assert b"tick" in console_socket.read_until(p.stdout.fileno(), b"tick")
        berth("exec", "sa", "touch", "/go")
        assert console_socket.read_until(p.stdout.fileno(), b"out\n").endswith(b"out\n")
        assert console_socket.wait(p) == 7
    finally:
        _kill(berth, p)
    r = berth("start", "-a", "sa", "sa", check=False)
    assert r.rc == 1 and "you cannot start and attach multiple containers at once" in r.err, r
    berth("rm", "sa")


def test_sig_proxy(berth):
    berth("run", "-d", "--name", "sig", "busybox", "sh", "-c", TICKER)
    p = _attach_pipes(berth, "--sig-proxy=false", "sig")
    try:
        assert b"tick" in console_socket.read_until(p.stdout.fileno(), b"tick")
        p.send_signal(signal.SIGUSR1)  # not proxied: attach dies of it, the container runs
        assert console_socket.wait(p) == -signal.SIGUSR1
        assert _alive(berth, "sig")
    finally:
        _kill(berth, p)
    p = _attach_pipes(berth, "sig")
    try:
        assert b"tick" in console_socket.read_until(p.stdout.fileno(), b"tick")
        p.send_signal(signal.SIGUSR1)
        assert b"usr1" in console_socket.read_until(p.stdout.fileno(), b"usr1")
        assert console_socket.wait(p) == 5
    finally:
        _kill(berth, p)
    berth("rm", "sig")


def test_attach_errors(berth):
    berth("create", "--name", "stopped", "busybox", "true")
    r = berth("attach", "stopped", check=False)
    assert r.rc == 1 and "You cannot attach to a stopped container, start it first" in r.err, r
    r = berth("attach", "nosuch", check=False)
    assert r.rc == 1 and "No such container: nosuch" in r.err, r
    berth("run", "-d", "--name", "paused", "busybox", "sleep", "60")
    berth("pause", "paused")
    r = berth("attach", "paused", check=False)
    assert r.rc == 1 and "You cannot attach to a paused container, unpause it first" in r.err, r
    berth("unpause", "paused")
    r = berth("attach", "--detach-keys", "ctrl-1", "paused", check=False)
    assert r.rc == 1 and "Invalid detach keys (ctrl-1) provided" in r.err, r
    # a tty container wants a terminal for stdin (docker's CheckTty)
    berth("run", "-dit", "--name", "ttyc", "busybox", "sh")
    r = berth("attach", "ttyc", check=False)
    assert r.rc == 1 and "the input device is not a TTY" in r.err, r
    r = berth("run", "--detach-keys", "ctrl-", "--name", "never", "busybox", "true", check=False)
    assert r.rc == 125 and "Invalid detach keys (ctrl-) provided" in r.err, r
    assert berth("ps", "-aq", "--filter", "name=never").out == ""
    berth("rm", "-f", "stopped", "paused", "ttyc")


def test_exec_it_exit_code_and_detach(berth):
    berth("run", "-d", "--name", "ex", "busybox", "sleep", "600")
    tty = console_socket.HostPty(rows=30, cols=90)
    p = _on_pty(berth, tty, "exec", "-it", "ex", "sh")
    try:
        tty.write(b"stty size; echo G$((6*7))\r")
        assert b"30 90" in tty.read_until(b"G42")
        tty.write(b"exit 4\r")
        assert console_socket.wait(p) == 4
    finally:
        _kill(berth, p, tty)
    tty = console_socket.HostPty()
    p = _on_pty(berth, tty, "exec", "-it", "--detach-keys", "ctrl-a", "ex", "sh")
    try:
        tty.write(b"echo $$ > /tmp/xpid; echo H$((6*7))\r")
        assert b"H42" in tty.read_until(b"H42")
        tty.write(b"\x01")
        assert b"read escape sequence" in tty.read_until(b"sequence")
        assert console_socket.wait(p) == 1
    finally:
        _kill(berth, p, tty)
    # the exec'd shell runs on, its terminal held for it
    r = berth("exec", "ex", "sh", "-c", "kill -0 $(cat /tmp/xpid) && echo alive", check=False)
    assert r.out == "alive\n", r
    berth("rm", "-f", "ex")


def test_attach_stdin_stays_open_and_no_stdin(berth):
    """An attach's end of input does not end the container's (docker's StdinOnce is for
    run -i only); --no-stdin sends nothing."""
    berth("run", "-di", "--name", "rd", "busybox", "sh", "-c",
          "while read l; do echo got-$l; done; echo eof; exit 9")
    berth.wait_status("rd", "running")
    ps = []

    def attach(*args, data):
        p = berth.popen("attach", *args, "rd", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
        p.stdin.write(data)
        p.stdin.close()
        ps.append(p)
        return p

    try:
        a = attach(data=b"one\n")
        assert b"got-one" in console_socket.read_until(a.stdout.fileno(), b"got-one")
        c = attach("--no-stdin", data=b"nope\n")
        b = attach(data=b"two\n")
        out = console_socket.read_until(b.stdout.fileno(), b"got-two")
        assert b"got-two" in out and b"got-nope" not in out, out
        berth("kill", "rd")
        assert [console_socket.wait(p) for p in (a, b, c)] == [137] * 3
    finally:
        for p in ps:
            _kill(berth, p)
    berth("rm", "rd")


def test_exec_it_returns_when_the_process_exits(berth):
    """A background child that keeps the terminal does not hold exec -it (the process is
    reaped, its last output written)."""
    berth("run", "-d", "--name", "bg", "busybox", "sleep", "600")
    tty = console_socket.HostPty()
    p = _on_pty(berth, tty, "exec", "-it", "bg", "sh", "-c",
                "setsid sleep 600 & echo J$((6*7)); exit 6")
    try:
        assert b"J42" in tty.read_until(b"J42")
        assert console_socket.wait(p) == 6
    finally:
        _kill(berth, p, tty)
    berth("rm", "-f", "bg")
