"""`berth system service`: the rest of the image endpoints (history, get/save, load, prune,
push with X-Registry-Auth, build, auth), driven by Debian's docker CLI (20.10), by
docker-py and by raw HTTP for the error answers; the engine's own view (berth images,
berth history) checked beside what the clients see."""

import base64
import io
import json
import os
import tarfile
from contextlib import contextmanager

import pytest

from test_engine_api import api, docker, request, start_service  # noqa: F401
from test_engine_cli import _tar_of
from test_image_push import auth_registry  # noqa: F401

DOCKERFILE = """FROM busybox
RUN echo step-out; echo step-err >&2; echo made > /made
COPY hello.txt /hello.txt
ENV GREETING=hi
CMD ["sh", "-c", "cat /hello.txt /made; echo $GREETING"]
"""


def image_id(berth, ref):
    return berth("image", "inspect", "-f", "{{.Id}}", ref).out.strip()


def context(tmp_path, dockerfile=DOCKERFILE):
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    (ctx / "Dockerfile").write_text(dockerfile)
    (ctx / "hello.txt").write_text("hello\n")
    return ctx


@contextmanager
def service(berth, sock, extra=()):
    """A service of its own (options beside the `api` fixture's); it must exit 0."""
    proc = start_service(berth, sock, list(extra))
    try:
        yield sock
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out


def test_history_and_errors(berth, api):
    out = docker(api, "history", "--no-trunc", "busybox").stdout
    assert "berth image create-busybox" in out
    assert image_id(berth, "busybox") in out
    r, body = request(api, "GET", "/v1.41/images/busybox/history")
    assert r.status == 200
    h = json.loads(body)
    assert h[0]["Id"] == image_id(berth, "busybox") and h[0]["Tags"] == ["busybox:latest"]
    assert h[0]["Size"] > 0 and isinstance(h[0]["Created"], int)
    assert berth("history", "-q", "--no-trunc", "busybox").out.split()[0] == h[0]["Id"]
    for path in ("/v1.41/images/nosuch/history", "/v1.41/images/nosuch/get",
                 "/v1.41/images/get?names=nosuch"):
        r, body = request(api, "GET", path)
        assert r.status == 404, (path, body)
    r, body = request(api, "POST", "/v1.41/images/nosuch/push", headers={
        "X-Registry-Auth": base64.urlsafe_b64encode(b"{}").decode()})
    assert r.status == 404 and "nosuch" in json.loads(body)["message"]


def test_save_load_round_trip(berth, api, tmp_path):
    bid = image_id(berth, "busybox")
    archive = str(tmp_path / "bb.tar")
    docker(api, "save", "-o", archive, "busybox")
    docker(api, "rmi", "busybox")
    assert "busybox" not in berth("images").out
    out = docker(api, "load", "-i", archive).stdout
    assert out == "Loaded image: busybox:latest\n"
    assert image_id(berth, "busybox") == bid
    r, body = request(api, "GET", "/v1.41/images/get?names=busybox&names=" + bid)
    assert r.status == 200 and r.getheader("Content-Type") == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(body)) as t:
        manifest = json.load(t.extractfile("manifest.json"))
    assert manifest[0]["RepoTags"] == ["busybox:latest"]


def test_build_run_prune(berth, api, tmp_path):
    ctx = context(tmp_path)
    out = docker(api, "build", "-t", "built", str(ctx)).stdout
    assert "Step 1/5 : FROM busybox" in out and "step-out" in out and "step-err" in out
    assert "Successfully tagged built:latest" in out
    bid = image_id(berth, "built")
    assert "Successfully built " + bid[7:19] in out
    assert docker(api, "run", "--rm", "--runtime", berth.runtime, "--cgroup-parent",
                  berth.cgroup_parent, "built").stdout == "hello\nmade\nhi\n"
    assert berth("history", "-q", "built").out.split()[0] == bid[7:19]
    assert "ENV GREETING=hi" in docker(api, "history", "--no-trunc", "built").stdout
    # a second build under the same name leaves the first one dangling: prune takes it
    (ctx / "hello.txt").write_text("again\n")
    docker(api, "build", "-q", "-t", "built", str(ctx))
    assert image_id(berth, "built") != bid
    out = docker(api, "image", "prune", "-f").stdout
    assert "deleted: " + bid in out
    assert bid[7:19] not in berth("images", "-a", "-q").out
    assert berth("ps", "-a", "-q").out == ""


def test_build_errors(berth, api, tmp_path):
    ctx = context(tmp_path, "FROM busybox\nRUN exit 3\n")
    p = docker(api, "build", str(ctx), check=False)
    assert p.returncode != 0 and "returned a non-zero code: 3" in p.stderr
    tar = _tar_of({"Dockerfile": b"FROM busybox\n"})
    hdr = {"Content-Type": "application/x-tar"}
    r, body = request(api, "POST", "/v1.41/build?buildargs=notjson", tar, hdr)
    assert r.status == 400 and "buildargs" in json.loads(body)["message"]
    r, body = request(api, "POST", "/v1.41/build?dockerfile=../../etc/passwd", tar, hdr)
    assert r.status == 500 and "Cannot locate specified Dockerfile" in body.decode()
    # a context that climbs out of its directory is refused, nothing written outside
    evil = _tar_of({"../escaped": b"x", "Dockerfile": b"FROM busybox\n"})
    r, body = request(api, "POST", "/v1.41/build", evil, hdr)
    assert r.status == 400, body
    assert berth("ps", "-a", "-q").out == ""


def test_docker_py_images(berth, api, tmp_path):
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    ctx = context(tmp_path)
    img, logs = client.images.build(path=str(ctx), tag="pybuilt", buildargs={"X": "1"})
    assert any("step-out" in x.get("stream", "") for x in logs)
    assert img.id == image_id(berth, "pybuilt") and "pybuilt:latest" in img.tags
    tar = _tar_of({"Dockerfile": b"FROM busybox\nCMD [\"true\"]\n"})
    img2, _ = client.images.build(fileobj=io.BytesIO(tar), custom_context=True, tag="fobj")
    assert img2.attrs["Config"]["Cmd"] == ["true"]
    hist = client.images.get("pybuilt").history()
    assert hist[0]["Id"] == img.id and "CMD" in hist[0]["CreatedBy"]
    data = b"".join(client.images.get("fobj").save())
    client.images.remove("fobj")
    loaded = client.images.load(data)
    assert [i.id for i in loaded] == [img2.id]
    client.images.remove("fobj")  # its image id stays with nothing else: pruned below
    assert client.images.prune(filters={"dangling": False})["SpaceReclaimed"] >= 0
    with pytest.raises(docker_py.errors.ImageNotFound):
        client.images.get("fobj")


def test_push_pull_registry(berth, registry, tmp_path):
    cfg = tmp_path / "registries.json"
    cfg.write_text(json.dumps({"insecure-registries": [registry.host]}))
    with service(berth, str(tmp_path / "push.sock"), ["--registry-config", str(cfg)]) as sock:
        ref = registry.host + "/apipush:v1"
        docker(sock, "tag", "busybox", ref)
        p = docker(sock, "push", ref)
        assert "The push refers to repository [%s/apipush]" % registry.host in p.stdout
        assert "v1: digest: sha256:" in p.stdout and " size: " in p.stdout
        docker(sock, "rmi", ref)
        p = docker(sock, "pull", ref)
        assert "Status: " in p.stdout
        assert image_id(berth, ref) == image_id(berth, "busybox")
        docker(sock, "rmi", ref)


def test_login_and_auth_push(berth, auth_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    with service(berth, str(tmp_path / "auth.sock")) as sock:
        host = auth_registry.host
        p = docker(sock, "login", "-u", "alice", "-p", "wrong", host, check=False)
        assert p.returncode != 0
        assert "login attempt to http://%s/v2/ failed with status: 401" % host in p.stderr
        r, body = request(sock, "POST", "/v1.41/auth", json.dumps(
            {"username": "alice", "password": "s3cret", "serveraddress": host}),
            {"Content-Type": "application/json"})
        assert r.status == 200 and json.loads(body)["Status"] == "Login Succeeded"
        ref = host + "/priv:v1"
        docker(sock, "tag", "busybox", ref)
        p = docker(sock, "push", ref, check=False)
        assert p.returncode != 0, p.stdout  # no X-Registry-Auth: refused
        docker(sock, "login", "-u", "alice", "-p", "s3cret", host)
        docker(sock, "push", ref)
        docker(sock, "rmi", ref)
        docker(sock, "pull", ref)
        assert image_id(berth, ref) == image_id(berth, "busybox")
        assert not os.path.exists(os.path.join(berth.root, "auth.json"))
