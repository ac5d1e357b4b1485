"""`berth system service`: the Docker Engine API, driven by Debian's docker CLI (20.10),
by docker-py (python3-docker) and by raw HTTP for the error answers. The service runs on a
unix socket in the test's temp dir over the fixture's private --root; it is stopped (by
its pid) after each test and its socket must be gone."""

import http.client
import json
import os
import socket
import subprocess
import time

import pytest

import oci

DOCKER = "/usr/bin/docker"


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def request(sock, method, url, body=None, headers=None):
    c = UnixHTTP(sock)
    c.request(method, url, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def pings(sock):
    try:
        return request(sock, "GET", "/_ping")[1] == b"OK"
    except OSError:
        return False


def serve(berth, tmp_path):
    """`berth system service` on a socket in tmp_path, through berth.argv (so in the
    network namespace of test_engine_network's `nb`); yields the socket, then stops it."""
    sock = str(tmp_path / "docker.sock")
    proc = subprocess.Popen(oci_engine(berth) + ["system", "service", "unix://" + sock],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert oci.wait_for(lambda: pings(sock), 10), "the service did not answer on " + sock
        assert oct(os.stat(sock).st_mode & 0o777) == "0o660"
        yield sock
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out
    assert not os.path.exists(sock), "socket left behind"


@pytest.fixture
def api(berth, tmp_path):
    yield from serve(berth, tmp_path)


def oci_engine(berth):
    return berth.argv([])  # [berth, --root, ROOT], after nsenter under `nb`


def docker(sock, *args, check=True):
    env = dict(os.environ, DOCKER_HOST="unix://" + sock)
    p = subprocess.run([DOCKER] + list(args), env=env, capture_output=True, text=True,
                       timeout=60)
    if check:
        assert p.returncode == 0, "docker %s: %s%s" % (args, p.stdout, p.stderr)
    return p


def test_docker_cli_scenario(berth, api):
    v = json.loads(docker(api, "version", "--format", "{{json .Server}}").stdout)
    assert v["ApiVersion"] == "1.41"
    cid = docker(api, "run", "-d", "--name", "apitest", "--runtime", berth.runtime,
                 "--cgroup-parent", berth.cgroup_parent, "busybox",
                 "sh", "-c", "echo out; echo err >&2; exec sleep 60").stdout.strip()
    assert len(cid) == 64
    assert "apitest" in docker(api, "ps").stdout
    assert oci.wait_for(lambda: docker(api, "logs", "apitest").stdout == "out\n", 10)
    logs = docker(api, "logs", "apitest")
    assert logs.stderr == "err\n"
    st = docker(api, "inspect", "-f", "{{.State.Status}} {{.Id}}", "apitest").stdout.split()
    assert st == ["running", cid]
    docker(api, "stop", "-t", "1", "apitest")
    assert "Exited" in docker(api, "ps", "-a", "--filter", "status=exited").stdout
    assert "apitest" not in docker(api, "ps").stdout
    docker(api, "rm", "apitest")
    assert docker(api, "ps", "-aq").stdout == ""
    gone = docker(api, "inspect", "apitest", check=False)
    assert gone.returncode != 0 and "No such" in gone.stderr


def test_docker_py(berth, api):
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    assert any("busybox:latest" in i.tags for i in client.images.list())
    assert client.images.get("busybox").id.startswith("sha256:")
    c = client.containers.create("busybox", ["sh", "-c", "echo one; echo two >&2; exit 3"],
                                 name="pytest",
                                 **{"cgroup_parent": berth.cgroup_parent,
                                    "runtime": berth.runtime})
    c.start()
    assert c.wait()["StatusCode"] == 3
    assert c.logs(stdout=True, stderr=False) == b"one\n"
    assert c.logs(stdout=False, stderr=True) == b"two\n"
    c.reload()
    assert c.status == "exited"
    assert [x.name for x in client.containers.list(all=True)] == ["pytest"]
    c.remove()
    with pytest.raises(docker_py.errors.NotFound):
        client.containers.get("pytest")
    client.close()


def test_bad_requests(api):
    r, body = request(api, "HEAD", "/_ping")
    assert r.status == 200 and r.getheader("Api-Version") == "1.41"
    r, body = request(api, "POST", "/v1.41/containers/create", body=b"{not json",
                      headers={"Content-Type": "application/json"})
    assert r.status == 400 and "message" in json.loads(body)
    r, body = request(api, "POST", "/v1.41/containers/create", body=b"[]")
    assert r.status == 400
    r, body = request(api, "POST", "/v1.41/containers/nosuch/start")
    assert r.status == 404 and json.loads(body)["message"] == "No such container: nosuch"
    r, body = request(api, "GET", "/v1.41/images/nosuch/json")
    assert r.status == 404
    r, body = request(api, "POST", "/v1.41/containers/create", body=b"x" * (2 << 20))
    assert r.status == 413
    r, body = request(api, "GET", "/v1.99/version")
    assert r.status == 400 and "too new" in json.loads(body)["message"]
    r, body = request(api, "GET", "/v1.41/containers/json?filters=%7Bbad")
    assert r.status == 400
    r, body = request(api, "GET", "/v1.41/nowhere")
    assert r.status == 404
    assert pings(api), "the service died on a bad request"


def start_service(berth, sock, extra=()):
    proc = subprocess.Popen(oci_engine(berth) + list(extra) + ["system", "service",
                                                               "unix://" + sock],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert oci.wait_for(lambda: pings(sock), 10), "the service did not answer on " + sock
    return proc


def run_d(berth, api, name, *cmd):
    return docker(api, "run", "-d", "--name", name, "--runtime", berth.runtime,
                  "--cgroup-parent", berth.cgroup_parent, "busybox", *cmd).stdout.strip()


def test_docker_cli_streams_and_exec(berth, api):
    cid = run_d(berth, api, "streams", "sh", "-c",
                "echo first; while [ ! -e /stop ]; do sleep 0.1; done; echo last")
    assert oci.wait_for(lambda: docker(api, "logs", "streams").stdout == "first\n", 10)
    env = dict(os.environ, DOCKER_HOST="unix://" + api)
    follow = subprocess.Popen([DOCKER, "logs", "-f", "streams"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert follow.stdout.readline() == "first\n"
        # exec: output framed per stream, exit code through /exec/{id}/json
        p = docker(api, "exec", "streams", "sh", "-c", "echo hi; echo oops >&2; exit 4",
                   check=False)
        assert (p.returncode, p.stdout, p.stderr) == (4, "hi\n", "oops\n")
        docker(api, "exec", "streams", "touch", "/stop")
        # logs -f ends by itself when the container stops
        out = follow.communicate(timeout=30)[0]
    finally:
        if follow.poll() is None:
            follow.kill()
            follow.communicate()
    assert follow.returncode == 0 and out == "last\n"
    docker(api, "wait", "streams")
    p = docker(api, "exec", "streams", "true", check=False)
    assert p.returncode != 0 and "is not running" in p.stderr
    docker(api, "rm", cid)
    # events: the journal between --since and --until, filtered
    until = str(int(time.time()) + 1)
    ev = docker(api, "events", "--since", "0", "--until", until, "--filter",
                "container=streams", "--format", "{{.Action}}").stdout.split("\n")
    assert ev[:2] == ["create", "start"] and "destroy" in ev, ev
    assert "exec_create: touch /stop" in ev


def test_docker_run_pulls_from_registry(berth, registry, tmp_path):
    import images
    from images import Layout
    with open("/bin/busybox", "rb") as f:
        bb = f.read()
    lay = Layout(tmp_path / "layout")
    img = lay.image([[("bin/", None), ("bin/busybox", ("mode", bb, 0o755))]],
                    cmd=("/bin/busybox", "echo", "pulled"))
    lay.tag(img, "apipull")
    lay.push("apipull", registry, "apipull:v1")
    cfg = tmp_path / "registries.json"
    cfg.write_text(json.dumps({"insecure-registries": [registry.host]}))
    sock = str(tmp_path / "pull.sock")
    proc = start_service(berth, sock, ["--registry-config", str(cfg)])
    try:
        ref = registry.host + "/apipull:v1"
        p = docker(sock, "pull", ref)
        assert "Pull complete" in p.stdout and "Downloaded newer image for " + ref in p.stdout
        assert ref in docker(sock, "images", "--format", "{{.Repository}}:{{.Tag}}").stdout
        p = docker(sock, "pull", registry.host + "/nosuch:v1", check=False)
        assert p.returncode != 0 and p.stderr, p
        docker(sock, "rmi", ref, check=False)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out
    assert not os.path.exists(sock)


def test_docker_py_streams(berth, api):
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    c = client.containers.run("busybox", ["sh", "-c", "echo a; while [ ! -e /stop ]; do "
                                          "sleep 0.1; done; echo b"],
                              detach=True, name="pystream", cgroup_parent=berth.cgroup_parent,
                              runtime=berth.runtime)
    stream = c.logs(stream=True, follow=True)
    assert next(stream) == b"a\n"
    r = c.exec_run(["sh", "-c", "echo x; exit 3"])
    assert (r.exit_code, r.output) == (3, b"x\n")
    r = c.exec_run(["sh", "-c", "echo y >&2; touch /stop"], demux=True)
    assert (r.exit_code, r.output) == (0, (None, b"y\n"))
    assert b"".join(stream) == b"b\n"
    assert c.wait()["StatusCode"] == 0
    c.remove()
    client.close()



def test_exec_stdin(berth, api):
    run_d(berth, api, "stdin", "sleep", "600")
    env = dict(os.environ, DOCKER_HOST="unix://" + api)

    def exec_i(data, *cmd):
        return subprocess.run([DOCKER, "exec", "-i", "stdin"] + list(cmd), input=data,
                              env=env, capture_output=True, text=True, timeout=60)
    p = exec_i("fed\n", "cat")
    assert (p.returncode, p.stdout, p.stderr) == (0, "fed\n", ""), p
    # more than the pipes hold both ways: cat's output is relayed while its input waits
    big = "".join("%d\n" % i for i in range(200000))
    p = exec_i(big, "cat")
    assert (p.returncode, p.stdout == big) == (0, True), (p.returncode, p.stderr)
    # a process that stops reading: the rest of the input is dropped, no reset
    p = exec_i(big, "head", "-1")
    assert (p.returncode, p.stdout, p.stderr) == (0, "0\n", ""), p
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    r = client.containers.get("stdin").exec_run(["sh", "-c", "cat; echo done >&2"],
                                                stdin=True, socket=True)
    sock = r.output._sock
    sock.sendall(b"via socket\n")
    sock.shutdown(socket.SHUT_WR)
    frames = read_frames(sock)
    sock.close()
    # per stream: runc copies the process's stdout and stderr with a goroutine each, so
    # the order between the two streams is not kept (it is under berth-runtime)
    assert sorted(frames) == [(1, b"via socket\n"), (2, b"done\n")]
    client.close()
    docker(api, "rm", "-f", "stdin")


def read_frames(sock):
    """Everything the socket sends until it closes, as docker's 8-byte-header frames:
    [(stream, bytes)]."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    frames = []
    while data:
        n = int.from_bytes(data[4:8], "big")
        frames.append((data[0], data[8:8 + n]))
        data = data[8 + n:]
    return frames


def test_image_tag_and_delete(berth, api):
    docker(api, "tag", "busybox", "example.com/team/bb:v1")
    assert "example.com/team/bb" in docker(api, "images", "--format", "{{.Repository}}").stdout
    p = docker(api, "rmi", "example.com/team/bb:v1")
    assert "Untagged: example.com/team/bb:v1" in p.stdout
    assert "example.com/team/bb" not in docker(api, "images").stdout
    p = docker(api, "rmi", "nosuch:v9", check=False)
    assert p.returncode != 0 and "No such image" in p.stderr
    p = docker(api, "tag", "nosuch", "x:y", check=False)
    assert p.returncode != 0 and "No such image" in p.stderr
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    assert client.images.get("busybox").tag("pyrepo", "t1")
    client.images.remove("pyrepo:t1")
    with pytest.raises(docker_py.errors.ImageNotFound):
        client.images.get("pyrepo:t1")
    client.close()
