"""`berth system service`: the rest of the container endpoints (rename, update, pause,
top, stats, changes, export, archive, prune), driven by Debian's docker CLI (20.10), by
docker-py and by raw HTTP for the error answers; the engine's own view (berth inspect,
cgroup files) checked beside what the clients see."""

import base64
import io
import json
import os
import tarfile

import pytest

import oci
from test_engine_api import UnixHTTP, api, docker, pings, request, run_d  # noqa: F401


def status(berth, ref):
    return berth.inspect(ref)["State"]["Status"]


def test_rename_update_pause(berth, api):
    cid = run_d(berth, api, "ren", "sleep", "600")
    run_d(berth, api, "other", "sleep", "600")
    docker(api, "rename", "ren", "renamed")
    assert berth.inspect(cid)["Name"] == "/renamed"
    p = docker(api, "rename", "renamed", "other", check=False)
    assert p.returncode != 0 and 'The container name "/other" is already in use' in p.stderr
    r, body = request(api, "POST", "/v1.41/containers/renamed/rename?name=other")
    assert r.status == 409 and "Conflict" in json.loads(body)["message"]
    r, body = request(api, "POST", "/v1.41/containers/renamed/rename?name=")
    assert r.status == 400
    r, body = request(api, "POST", "/v1.41/containers/nosuch/rename?name=x")
    assert r.status == 404 and json.loads(body)["message"] == "No such container: nosuch"

    docker(api, "update", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512",
           "--pids-limit", "40", "renamed")
    assert int(berth.cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 64 << 20
    assert berth.cgroup_file(cid, "pids", "pids.max", "pids.max") == "40"
    hc = berth.inspect(cid)["HostConfig"]
    assert (hc["Memory"], hc["CpuShares"], hc["PidsLimit"]) == (64 << 20, 512, 40)
    p = docker(api, "update", "--memory", "1m", "renamed", check=False)
    assert p.returncode != 0 and "Minimum memory limit allowed is 6MB" in p.stderr
    r, body = request(api, "POST", "/v1.41/containers/renamed/update", body=b"{bad")
    assert r.status == 400

    docker(api, "pause", "renamed")
    assert status(berth, cid) == "paused"
    r, body = request(api, "POST", "/v1.41/containers/renamed/pause")
    assert r.status == 409 and "is already paused" in json.loads(body)["message"]
    docker(api, "unpause", "renamed")
    assert status(berth, cid) == "running"
    r, body = request(api, "POST", "/v1.41/containers/renamed/unpause")
    assert r.status == 409 and "is not paused" in json.loads(body)["message"]
    docker(api, "rm", "-f", "renamed", "other")


def test_top_stats_diff_export(berth, api, tmp_path):
    cid = run_d(berth, api, "obs", "sh", "-c", "touch /made; echo x >> /etc/passwd; exec sleep 600")
    assert oci.wait_for(lambda: "A /made" in docker(api, "diff", "obs").stdout, 10)
    top = docker(api, "top", "obs").stdout.splitlines()
    assert "PID" in top[0].split() and any("sleep 600" in line for line in top[1:]), top
    assert len(top) == 2, top  # the container's one process, not the host's
    top = docker(api, "top", "obs", "-o", "pid,comm").stdout.split()
    assert top == ["PID", "COMMAND", str(berth.pid(cid)), "sleep"]
    diff = docker(api, "diff", "obs").stdout.splitlines()
    assert "A /made" in diff and "C /etc/passwd" in diff and "C /etc" in diff, diff
    out = docker(api, "stats", "--no-stream", "--format",
                 "{{.Name}}|{{.PIDs}}|{{.MemUsage}}", "obs").stdout.strip().split("|")
    assert out[0] == "obs" and out[1] == "1" and out[2] != "0B / 0B", out
    tar = tmp_path / "obs.tar"
    docker(api, "export", "-o", str(tar), "obs")
    with tarfile.open(tar) as t:
        names = t.getnames()
    assert "made" in names and "bin/busybox" in names, names[:20]
    docker(api, "stop", "-t", "0", "obs")
    p = docker(api, "top", "obs", check=False)
    assert p.returncode != 0 and "is not running" in p.stderr
    # a stopped container's export and diff come from its snapshot
    docker(api, "export", "-o", str(tar), "obs")
    with tarfile.open(tar) as t:
        assert "made" in t.getnames()
    assert "A /made" in docker(api, "diff", "obs").stdout
    docker(api, "rm", cid)


@pytest.mark.parametrize("running", [True, False], ids=["running", "stopped"])
def test_cp_both_ways(berth, api, tmp_path, running):
    host = tmp_path / "host"
    host.mkdir()
    (host / "secret").write_text("host secret\n")
    (tmp_path / "in.txt").write_text("into the container\n")
    # symlinks planted in the container to the host's files and directories
    cid = run_d(berth, api, "cp", "sh", "-c",
                "ln -s %s /evil; ln -s %s /evildir; mkdir /d; echo inner > /d/f; "
                "exec sleep 600" % (host / "secret", host))
    assert oci.wait_for(lambda: "A /evildir" in docker(api, "diff", "cp").stdout, 10)
    if not running:
        docker(api, "stop", "-t", "0", "cp")
    docker(api, "cp", str(tmp_path / "in.txt"), "cp:/d/")
    docker(api, "cp", "cp:/d", str(tmp_path / "out"))
    assert (tmp_path / "out" / "in.txt").read_text() == "into the container\n"
    assert (tmp_path / "out" / "f").read_text() == "inner\n"
    # to a name that is not there yet: the client sends the tar to its parent, renamed
    docker(api, "cp", str(tmp_path / "in.txt"), "cp:/d/renamed.txt")
    docker(api, "cp", "cp:/d/renamed.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "into the container\n"
    # the symlink comes out as a symlink, never as the host file it names
    docker(api, "cp", "cp:/evil", str(tmp_path / "evil"))
    assert os.path.islink(tmp_path / "evil")
    # through the planted directory link, nothing lands in the host's directory
    docker(api, "cp", str(tmp_path / "in.txt"), "cp:/evildir/", check=False)
    assert sorted(os.listdir(host)) == ["secret"]
    assert (host / "secret").read_text() == "host secret\n"
    # .. from the root stays in the root (the bundle beside it is not sent)
    r, body = request(api, "GET", "/v1.41/containers/cp/archive?path=/..")
    assert r.status == 200
    with tarfile.open(fileobj=io.BytesIO(body)) as t:
        names = t.getnames()
    assert "config.json" not in names and any(n.endswith("bin/busybox") for n in names)
    r, body = request(api, "HEAD", "/v1.41/containers/cp/archive?path=/evil")
    st = json.loads(base64.b64decode(r.getheader("X-Docker-Container-Path-Stat")))
    assert st["name"] == "evil" and st["linkTarget"] == str(host / "secret")
    assert st["mode"] & (1 << 27)  # Go's os.ModeSymlink
    r, body = request(api, "HEAD", "/v1.41/containers/cp/archive?path=/nosuch")
    assert r.status == 404
    docker(api, "rm", "-f", cid)


def test_prune(berth, api):
    keep = run_d(berth, api, "running", "sleep", "600")
    gone = docker(api, "create", "--label", "prune=yes", "--runtime", berth.runtime,
                  "--cgroup-parent", berth.cgroup_parent, "busybox", "true").stdout.strip()
    kept = docker(api, "create", "--runtime", berth.runtime, "--cgroup-parent",
                  berth.cgroup_parent, "busybox", "true").stdout.strip()
    p = docker(api, "container", "prune", "-f", "--filter", "label=prune=yes")
    assert p.stdout.splitlines()[:2] == ["Deleted Containers:", gone], p.stdout
    ids = docker(api, "ps", "-aq", "--no-trunc").stdout.split()
    assert sorted(ids) == sorted([keep, kept])
    r, body = request(api, "POST", '/v1.41/containers/prune?filters={"nosuch":["x"]}')
    assert r.status == 400
    r, body = request(api, "POST", "/v1.41/containers/prune")
    assert r.status == 200 and json.loads(body)["ContainersDeleted"] == [kept]
    assert docker(api, "ps", "-aq", "--no-trunc").stdout.split() == [keep]
    docker(api, "rm", "-f", keep)


def test_docker_py(berth, api):
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    c = client.containers.run("busybox", ["sh", "-c", "echo hi > /hi; exec sleep 600"],
                              detach=True, name="py", cgroup_parent=berth.cgroup_parent,
                              runtime=berth.runtime)
    c.rename("py2")
    c.reload()
    assert c.name == "py2" and berth.inspect(c.id)["Name"] == "/py2"
    assert c.update(mem_limit="32m", memswap_limit="64m") == {"Warnings": []}
    assert int(berth.cgroup_file(c.id, "memory", "memory.limit_in_bytes", "memory.max")) \
        == 32 << 20
    top = c.top()
    assert top["Titles"][1] == "PID" and top["Processes"][0][-1] == "sleep 600", top
    s = c.stats(stream=False)
    assert s["id"] == c.id and s["name"] == "/py2" and s["pids_stats"]["current"] == 1
    assert s["memory_stats"]["usage"] > 0 and s["cpu_stats"]["system_cpu_usage"] > 0
    assert s["precpu_stats"]["system_cpu_usage"] > 0  # stream=false: two samples
    assert {"Path": "/hi", "Kind": 1} in c.diff()
    chunks, st = c.get_archive("/hi")
    assert st["name"] == "hi" and st["size"] == 3
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as t:
        assert t.extractfile("hi").read() == b"hi\n"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("put/file")
        info.size = 4
        t.addfile(info, io.BytesIO(b"put\n"))
    assert c.put_archive("/tmp", buf.getvalue())
    assert c.exec_run(["cat", "/tmp/put/file"]).output == b"put\n"
    with pytest.raises(docker_py.errors.NotFound):
        c.put_archive("/nosuch", buf.getvalue())
    with tarfile.open(fileobj=io.BytesIO(b"".join(c.export()))) as t:
        assert "hi" in t.getnames()
    c.remove(force=True)
    client.close()


def test_stats_stream(berth, api):
    cid = run_d(berth, api, "st", "sleep", "600")
    conn = UnixHTTP(api)
    conn.request("GET", "/v1.41/containers/st/stats")
    r = conn.getresponse()
    assert r.status == 200
    first, second = json.loads(r.readline()), json.loads(r.readline())
    assert first["id"] == cid and second["precpu_stats"] == first["cpu_stats"]
    conn.close()  # the stream ends with the client
    r, body = request(api, "GET", "/v1.41/containers/st/stats?stream=0&one-shot=1")
    assert r.status == 200 and "system_cpu_usage" not in json.loads(body)["precpu_stats"]
    r, body = request(api, "GET", "/v1.41/containers/nosuch/stats?stream=0")
    assert r.status == 404
    docker(api, "rm", "-f", cid)
    assert oci.wait_for(lambda: pings(api), 10)


def test_resize(berth, api):
    docker(api, "run", "-dit", "--name", "tty", "--runtime", berth.runtime, "--cgroup-parent",
           berth.cgroup_parent, "busybox", "sh")
    run_d(berth, api, "notty", "sleep", "600")
    r, body = request(api, "POST", "/v1.41/containers/tty/resize?h=33&w=101")
    assert r.status == 200, body
    size = docker(api, "exec", "tty", "stty", "-F", "/proc/1/fd/0", "size").stdout
    assert size == "33 101\n"
    r, body = request(api, "POST", "/v1.41/containers/tty/resize?h=33")
    assert r.status == 400
    r, body = request(api, "POST", "/v1.41/containers/notty/resize?h=1&w=1")
    assert r.status == 409 and "has no tty" in json.loads(body)["message"]
    docker(api, "rm", "-f", "tty", "notty")


def test_exec_resize(berth, api):  # noqa: F811
    """POST /exec/{id}/resize: execs run without a terminal, so dockerd's answer for a
    process without a console (200); its 400 for h/w and 404 for an unknown id."""
    run_d(berth, api, "ex", "sleep", "600")
    docker_py = pytest.importorskip("docker")
    client = docker_py.APIClient(base_url="unix://" + api, version="1.41")
    eid = client.exec_create("ex", ["sh", "-c", "echo out"], tty=True)["Id"]
    client.exec_resize(eid, height=30, width=100)  # before the start, as the CLI does
    assert client.exec_start(eid, tty=True) == b"out\n"  # raw: no stream framing
    client.exec_resize(eid, height=40, width=120)
    r, data = request(api, "POST", "/v1.41/exec/%s/resize?h=x&w=1" % eid)
    assert r.status == 400, data
    r, data = request(api, "POST", "/v1.41/exec/%s/resize?w=1" % eid)
    assert r.status == 400, data
    r, data = request(api, "POST", "/v1.41/exec/nosuch/resize?h=1&w=1")
    assert (r.status, json.loads(data)) == (404, {"message": "No such exec instance: nosuch"})
    client.close()
    docker(api, "rm", "-f", "ex")
