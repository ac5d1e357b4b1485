"""berth push to a local registry and pull back with identical digests; login with
basic auth (htpasswd) and the credentials file."""

import json
import os
import stat

import pytest
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # bcrypt for htpasswd, from glibc

import images
from images import Layout, base_files, remote_digest, skopeo


def test_push_pull_identical_digests(engine, registry, tmp_path):
    engine("image", "create-busybox")
    local = engine.inspect("busybox")
    r = engine("push", "busybox", registry.ref("berth/busybox:1"))
    assert "Pushed" in r.out
    assert ("digest: %s" % local["Manifest"]) in r.out
    assert remote_digest(registry, "berth/busybox:1") == local["Manifest"]
    inspected = json.loads(skopeo("inspect", "--tls-verify=false",
                                  "docker://" + registry.ref("berth/busybox:1")).stdout)
    assert inspected["Digest"] == local["Manifest"]
    other = images.Engine(tmp_path / "other-root")
    other("pull", registry.ref("berth/busybox:1"))
    back = other.inspect(registry.ref("berth/busybox:1"))
    assert back["Id"] == local["Id"]
    assert back["Manifest"] == local["Manifest"]
    assert back["RootFS"] == local["RootFS"]
    # the push recorded the repo digest locally
    assert "%s@%s" % (registry.ref("berth/busybox"), local["Manifest"]) in \
        engine.inspect("busybox")["RepoDigests"]
    # pushing again uploads nothing
    r = engine("push", "busybox", registry.ref("berth/busybox:1"))
    assert "already exists" in r.out


def test_push_pulled_image_to_another_repo(engine, registry, tmp_path):
    lay = Layout(tmp_path / "layout")
    desc = lay.image([base_files(), [("etc/x", b"x")]], compression="zstd")
    lay.tag(desc, "x")
    lay.push("x", registry, "test/src:v1")
    engine("pull", registry.ref("test/src:v1"))
    engine("tag", registry.ref("test/src:v1"), registry.ref("test/dst:v2"))
    engine("push", registry.ref("test/dst:v2"))
    assert remote_digest(registry, "test/dst:v2") == desc["digest"]


def test_push_errors(engine, registry):
    r = engine("push", "nothere", registry.ref("x/y:1"), check=False)
    assert r.rc == 1 and "no such image" in r.err
    engine("image", "create-busybox")
    r = engine("push", "busybox", "127.0.0.1:1/x:1", check=False)
    assert r.rc == 1 and "127.0.0.1:1" in r.err


@pytest.fixture(scope="module")
def auth_registry(tmp_path_factory):
    if not __import__("shutil").which("docker-registry"):
        pytest.skip("needs docker-registry")
    hashed = crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH))
    reg = images.Registry(tmp_path_factory.mktemp("authreg"), htpasswd="alice:%s\n" % hashed)
    yield reg
    reg.stop()


def test_login_push_pull_logout(engine, auth_registry, tmp_path):
    engine("image", "create-busybox")
    r = engine("push", "busybox", auth_registry.ref("a/b:1"), check=False)
    assert r.rc == 1 and "authentication required" in r.err
    r = engine("login", "-u", "alice", "--password-stdin", auth_registry.host,
               input="wrong\n", check=False)
    assert r.rc == 1 and "incorrect username or password" in r.err
    r = engine("login", "-u", "alice", "--password-stdin", auth_registry.host,
               input="s3cret\n")
    assert "Login Succeeded" in r.out
    auth = os.path.join(engine.root, "auth.json")
    assert stat.S_IMODE(os.stat(auth).st_mode) == 0o600
    assert auth_registry.host in json.load(open(auth))["auths"]
    engine("push", "busybox", auth_registry.ref("a/b:1"))
    fresh = images.Engine(tmp_path / "fresh")
    r = fresh("pull", auth_registry.ref("a/b:1"), check=False)
    assert r.rc == 1 and "authentication required" in r.err
    fresh("pull", "--authfile", auth, auth_registry.ref("a/b:1"))
    engine("logout", auth_registry.host)
    assert auth_registry.host not in json.load(open(auth))["auths"]
    r = engine("logout", auth_registry.host, check=False)   # docker: not an error
    assert r.rc == 0 and "Removing login credentials for %s" % auth_registry.host in r.out


@pytest.fixture
def token_front(registry):
    import token_proxy
    front = token_proxy.Front(registry.host)
    yield front
    front.stop()


def test_bearer_token_pull_push(engine, registry, token_front, tmp_path):
    """Docker Hub's protocol: 401 + Bearer challenge, token from the realm with the
    repository scope (basic credentials from berth login for push), then the request."""
    engine("image", "create-busybox")
    r = engine("push", "busybox", token_front.ref("tok/bb:1"), check=False)
    assert r.rc == 1 and "authentication required" in r.err
    assert "repository:tok/bb:pull,push" in token_front.scopes
    r = engine("login", "-u", "alice", "-p", "wrong", token_front.host, check=False)
    assert r.rc == 1 and "incorrect username or password" in r.err
    engine("login", "-u", "alice", "--password-stdin", token_front.host, input="s3cret\n")
    engine("push", "busybox", token_front.ref("tok/bb:1"))
    fresh = images.Engine(tmp_path / "fresh")
    fresh("pull", token_front.ref("tok/bb:1"))  # anonymous pull token
    assert fresh.inspect(token_front.ref("tok/bb:1"))["Id"] == engine.inspect("busybox")["Id"]
    assert any(s == "repository:tok/bb:pull" for s in token_front.scopes)


def test_push_refuses_a_corrupt_local_blob(engine, registry):
    """A layer blob that no longer hashes to its name is never sent: push fails saying
    so, removes it, and the registry has no blob of that name."""
    import urllib.error
    import urllib.request
    engine("image", "create-busybox")
    manifest = engine.inspect("busybox")["Manifest"]
    with open(os.path.join(engine.store, "blobs", *manifest.split(":"))) as f:
        layer = json.load(f)["layers"][0]["digest"]
    path = os.path.join(engine.store, "blobs", *layer.split(":"))
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.write(b"\0" * min(size, 4096))
    r = engine("push", "busybox", registry.ref("berth/corrupt:1"), check=False)
    assert r.rc == 1 and "is corrupt" in r.err and layer in r.err, r.err
    assert not os.path.exists(path)
    url = "http://%s/v2/berth/corrupt/blobs/%s" % (registry.host, layer)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10)
    assert e.value.code == 404
