"""`berth system service`: attaching (POST /containers/{id}/attach, hijacked) and waiting
(POST /containers/{id}/wait?condition=), as the docker CLI's foreground `run`, `start -a`
and `attach` use them: attach first, then wait for the next exit (whose answer's headers
must come at once), then start."""

import http.client
import json
import os
import shutil
import socket
import subprocess

import pytest

import enginehelp
import oci
from test_engine_api import DOCKER, UnixHTTP, api, docker, read_frames, request  # noqa: F401


def cli(api, *args, data=None):
    env = dict(os.environ, DOCKER_HOST="unix://" + api)
    return subprocess.run([DOCKER, *args], input=data, env=env, capture_output=True,
                          text=True, timeout=60)


def rt(berth):
    return ["--runtime", berth.runtime, "--cgroup-parent", berth.cgroup_parent]


def test_docker_run_in_the_foreground(berth, api):
    p = cli(api, "run", "--name", "fg", *rt(berth), "busybox",
            "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (p.returncode, p.stdout, p.stderr) == (3, "out\n", "err\n"), p
    assert docker(api, "inspect", "-f", "{{.State.ExitCode}}", "fg").stdout == "3\n"
    # --rm: the exit code from the wait for the removal, and nothing left
    p = cli(api, "run", "--rm", "--name", "gone", *rt(berth), "busybox",
            "sh", "-c", "echo bye; exit 5")
    assert (p.returncode, p.stdout) == (5, "bye\n"), p
    assert "gone" not in docker(api, "ps", "-a", "--format", "{{.Names}}").stdout
    # -i: the input, and its end is the container's
    big = "".join("%d\n" % i for i in range(100000))
    p = cli(api, "run", "-i", "--rm", *rt(berth), "busybox", "sh", "-c", "cat; echo done",
            data=big)
    assert (p.returncode, p.stdout == big + "done\n") == (0, True), (p.returncode, p.stderr)
    docker(api, "rm", "fg")


def test_start_attach_and_attach_to_a_running_one(berth, api):
    docker(api, "create", "--name", "sa", *rt(berth), "busybox", "sh", "-c",
           "echo started; exit 4")
    p = cli(api, "start", "-a", "sa")
    assert (p.returncode, p.stdout) == (4, "started\n"), p
    docker(api, "run", "-d", "--name", "late", *rt(berth), "busybox", "sh", "-c",
           "echo early; while [ ! -e /go ]; do sleep 0.1; done; echo later; echo e2 >&2; exit 6")
    assert oci.wait_for(lambda: docker(api, "logs", "late").stdout == "early\n", 10)
    env = dict(os.environ, DOCKER_HOST="unix://" + api)
    att = subprocess.Popen([DOCKER, "attach", "late"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        # attached once the monitor has it as a client; then the rest of the output
        assert oci.wait_for(lambda: monitor_clients(api, "late") == 1, 10), \
            "docker attach never reached the monitor"
        docker(api, "exec", "late", "touch", "/go")
        out, err = att.communicate(timeout=30)
    finally:
        if att.poll() is None:
            att.kill()
            att.communicate()
    # what was written before the attach is not replayed (logs=0)
    assert (att.returncode, out, err) == (6, "later\n", "e2\n")
    docker(api, "rm", "sa", "late")


def monitor_clients(api, name):
    """Clients connected to the attach socket of container name's monitor (ss -xp)."""
    cid = docker(api, "inspect", "-f", "{{.Id}}", name).stdout.strip()
    pids = enginehelp.live_pids(b"berth-monitor", cid.encode())
    assert len(pids) == 1, "the monitor of %s: %s" % (name, pids)
    out = subprocess.run(["ss", "-xpH", "state", "established"], capture_output=True,
                         text=True).stdout
    return sum(1 for line in out.splitlines()
               if "attach.sock" in line and '"berth-monitor",pid=%d,' % pids[0] in line)


@pytest.mark.skipif(not shutil.which("script"), reason="script (util-linux) is needed")
def test_docker_run_with_a_tty(berth, api):
    env = dict(os.environ, DOCKER_HOST="unix://" + api)
    cmd = " ".join([DOCKER, "run", "-t", "--rm", *rt(berth), "busybox", "sh", "-c",
                    "'tty; echo tty-ok; exit 2'"])
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2, p
    # with a tty the bytes come as they are (no 8-byte frames), with two ptys' line ends
    lines = [ln for ln in p.stdout.replace("\r", "\n").split("\n") if ln]
    assert lines == ["/dev/pts/0", "tty-ok"], p


def test_docker_py_attach_before_start(berth, api):
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    c = client.containers.create("busybox", ["sh", "-c", "echo one; echo two >&2; exit 9"],
                                 cgroup_parent=berth.cgroup_parent, runtime=berth.runtime)
    s = c.attach_socket(params={"stdout": 1, "stderr": 1, "stream": 1})
    c.start()
    # the first bytes the container wrote are there: the monitor had the client at start
    assert read_frames(s._sock) == [(1, b"one\n"), (2, b"two\n")]
    s.close()
    assert c.wait()["StatusCode"] == 9
    # stdout only: stderr's frames are not sent
    c2 = client.containers.create("busybox", ["sh", "-c", "echo x; echo y >&2"],
                                  cgroup_parent=berth.cgroup_parent, runtime=berth.runtime)
    s = c2.attach_socket(params={"stdout": 1, "stream": 1})
    c2.start()
    assert read_frames(s._sock) == [(1, b"x\n")]
    s.close()
    c2.wait()
    c.remove()
    c2.remove()
    client.close()


def test_wait_answers_its_headers_at_once(berth, api):
    cid = docker(api, "create", *rt(berth), "busybox", "sh", "-c", "exit 7").stdout.strip()
    waits = {}
    for cond in ("next-exit", "removed"):
        c = UnixHTTP(api)
        c.request("POST", "/v1.41/containers/%s/wait?condition=%s" % (cid, cond))
        r = c.getresponse()  # the headers, before the container ever ran
        assert r.status == 200, cond
        waits[cond] = (c, r)
    # not-running: at once, for a container that is not running
    r, body = request(api, "POST", "/v1.41/containers/%s/wait" % cid)
    assert json.loads(body) == {"StatusCode": 0, "Error": None}
    docker(api, "start", cid)
    c, r = waits["next-exit"]
    assert json.loads(r.read()) == {"StatusCode": 7, "Error": None}
    c.close()
    docker(api, "rm", cid)
    c, r = waits["removed"]
    assert json.loads(r.read()) == {"StatusCode": 7, "Error": None}
    c.close()


def test_attach_and_wait_errors(berth, api):
    r, body = request(api, "POST", "/v1.41/containers/nosuch/attach?stream=1&stdout=1")
    assert r.status == 404 and json.loads(body)["message"] == "No such container: nosuch"
    r, body = request(api, "POST", "/v1.41/containers/nosuch/wait?condition=next-exit")
    assert r.status == 404
    cid = docker(api, "create", *rt(berth), "busybox", "true").stdout.strip()
    r, body = request(api, "POST", "/v1.41/containers/%s/wait?condition=sometime" % cid)
    assert r.status == 400 and "invalid condition" in json.loads(body)["message"]
    r, body = request(api, "POST", "/v1.41/containers/%s/attach?stream=1&logs=1" % cid)
    assert r.status == 501 and "logs=1" in json.loads(body)["message"]
    # a client that attached before the start and went away: the start still works
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(api)
    s.sendall(b"POST /v1.41/containers/%s/attach?stream=1&stdout=1 HTTP/1.1\r\n"
              b"Host: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" % cid.encode())
    assert s.recv(4096).startswith(b"HTTP/1.1 101")
    s.close()
    docker(api, "start", cid)
    assert docker(api, "wait", cid).stdout == "0\n"
    docker(api, "rm", cid)
