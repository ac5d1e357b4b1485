"""`berth system service` itself (issue 17): --group (docker's -G) makes the socket
root:GROUP 0660, an unknown group is a clear error; socket activation as systemd does it
(dist/systemd/berth.socket + berth.service, installed by `make install`; checked in
test_engine_install), through `systemd-socket-activate`, served to the docker CLI; the stop
(SIGTERM) with hijacked attach and exec connections open, or with their clients gone."""

import grp
import json
import os
import shutil
import signal
import socket
import subprocess

import enginehelp
import oci
from test_engine_api import docker, oci_engine, pings, read_frames, request, start_service
from test_engine_api_attach import monitor_clients


def stop(proc):
    proc.terminate()
    out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out


def test_group(berth, tmp_path):
    gid = grp.getgrnam("daemon").gr_gid
    sock = str(tmp_path / "g.sock")
    proc = subprocess.Popen(oci_engine(berth) + ["system", "service", "--group", "daemon",
                                                 "unix://" + sock],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert oci.wait_for(lambda: pings(sock), 10), "the service did not answer"
        st = os.stat(sock)
        assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o777)) == (0, gid, "0o660")
    finally:
        stop(proc)
    assert not os.path.exists(sock)
    # the default: root:root
    r = berth("system", "service", "-G", "nosuch-group-x", "unix://" + sock, check=False)
    assert r.rc == 125 and "group 'nosuch-group-x' not found" in r.err, r
    r = berth("system", "service", "-G", "daemon", "tcp://127.0.0.1:1", check=False)
    assert r.rc == 125 and "--group is for a unix socket" in r.err, r
    assert not os.path.exists(sock)


def test_socket_activation(berth, tmp_path):
    """systemd's protocol (LISTEN_PID, LISTEN_FDS=1, fd 3), as berth.socket hands it."""
    activate = shutil.which("systemd-socket-activate")
    if not activate:
        oci.skip("systemd-socket-activate (package systemd) is needed")
    sock = str(tmp_path / "act.sock")
    proc = subprocess.Popen([activate, "-l", sock] + oci_engine(berth) +
                            ["system", "service"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert oci.wait_for(lambda: os.path.exists(sock), 10)
        v = json.loads(docker(sock, "version", "--format", "{{json .Server}}").stdout)
        assert v["ApiVersion"] == "1.41"
    finally:
        stop(proc)


def hijack(sock, url, body=b""):
    """A raw connection upgraded as the docker CLI's attach and exec start do it (101, then
    docker's raw stream): (socket, the bytes that came after the reply's headers)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sock)
    s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
              % (url.encode(), len(body), body))
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        assert chunk, "the connection closed before the reply: %r" % data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return s, rest


def echoed(s, rest, line):
    """Send line and read the frame that echoes it: the relay is live both ways."""
    if line:
        s.sendall(line)
    data = rest
    while len(data) < 8 or len(data) < 8 + int.from_bytes(data[4:8], "big"):
        chunk = s.recv(4096)
        assert chunk, "the hijacked connection closed: %r" % data
        data += chunk
    return (data[0], data[8:])


def exec_hijack(sock, cid, cmd):
    """An exec -i of cmd in cid, started hijacked: (socket, its first bytes)."""
    r, body = request(sock, "POST", "/v1.41/containers/%s/exec" % cid,
                      body=json.dumps({"AttachStdin": True, "AttachStdout": True,
                                       "AttachStderr": True, "Cmd": list(cmd)}),
                      headers={"Content-Type": "application/json"})
    assert r.status == 201, body
    eid = json.loads(body)["Id"]
    return hijack(sock, "/v1.41/exec/%s/start" % eid, b'{"Detach":false,"Tty":false}')


def open_hijacks(berth, sock, name, exec_cmd=("cat",)):
    """Container name echoing its input (cat, with -i) with an attach and an exec -i of
    exec_cmd (that echoes its input too) hijacked and live: (container id, [attach socket,
    exec socket])."""
    cid = docker(sock, "run", "-d", "-i", "--name", name, "--runtime", berth.runtime,
                 "--cgroup-parent", berth.cgroup_parent, "busybox", "cat").stdout.strip()
    att, rest = hijack(sock, "/v1.41/containers/%s/attach?stream=1&stdin=1&stdout=1" % cid)
    assert echoed(att, rest, b"to attach\n") == (1, b"to attach\n")
    ex, rest = exec_hijack(sock, cid, exec_cmd)
    assert echoed(ex, rest, b"to exec\n") == (1, b"to exec\n")
    return cid, [att, ex]


def stop_service(proc):
    """SIGTERM, then the service must exit by itself with 0 (30 s is a deadline for a
    loaded machine, not a measure)."""
    proc.send_signal(signal.SIGTERM)
    try:
        out = proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        out = kill_service(proc)
        raise AssertionError("the service did not exit on SIGTERM:\n%s" % out.decode())
    assert proc.returncode == 0, out
    # each upgraded connection was closed before libmicrohttpd's stop (it says so if not)
    assert b"upgraded" not in out, out


def kill_service(proc):
    """A service still running after a failed test is killed (by its pid): its output."""
    if proc.poll() is not None:
        return b""
    proc.kill()
    return proc.communicate()[0]


def test_sigterm_with_hijacked_connections(berth, tmp_path):
    """dockerd's stop: the attach and exec streams end (the clients read EOF), the service
    exits 0 at once, the container runs on, and so does a process exec'd in it."""
    sock = str(tmp_path / "h.sock")
    proc = start_service(berth, sock)
    try:
        cid, conns = open_hijacks(berth, sock, "hj")
        secs = str(600000 + os.getpid())  # sleep's argument: this test's process only
        quiet, _ = exec_hijack(sock, cid, ("sh", "-c", "exec >&- 2>&-; exec sleep " + secs))
        conns.append(quiet)
        assert oci.wait_for(lambda: enginehelp.live_pids(b"sleep", secs.encode()), 10)
        stop_service(proc)
        for s in conns:
            assert read_frames(s) == []
            s.close()
        assert not os.path.exists(sock)
        assert berth.status(cid) == "running"
        assert enginehelp.live_pids(b"sleep", secs.encode()), "the exec'd process went too"
    finally:
        kill_service(proc)
        berth("rm", "-f", "hj", check=False)


def test_sigterm_after_hijacking_clients_went(berth, tmp_path):
    """Clients killed while their connections were hijacked, after the end of their input
    (as the docker CLI half-closes at its stdin's end, then reads on): the relays see them
    go, and the service still exits."""
    sock = str(tmp_path / "k.sock")
    proc = start_service(berth, sock)
    try:
        cid, (att, ex) = open_hijacks(berth, sock, "hk",
                                      ("sh", "-c", "cat; echo eof; exec sleep 600"))
        att.shutdown(socket.SHUT_WR)
        ex.shutdown(socket.SHUT_WR)
        # the exec's relay took the end of the input: cat saw it
        assert echoed(ex, b"", b"") == (1, b"eof\n")
        att.close()
        ex.close()
        assert oci.wait_for(lambda: monitor_clients(sock, "hk") == 0, 10), \
            "the attach relay did not see its client go"
        stop_service(proc)
        assert berth.status(cid) == "running"
    finally:
        kill_service(proc)
        berth("rm", "-f", "hk", check=False)
