"""berth pull from a local docker-registry: single- and multi-platform images, gzip and
zstd layers, by tag and by digest, shared layers stored once, whiteouts through the
overlay mount, and a pull killed half-way that resumes."""

import os
import signal
import time

import pytest

import images
from images import Layout, base_files, mounted, remote_digest


@pytest.fixture(scope="module")
def pushed(registry, tmp_path_factory):
    """Test images pushed once for the module."""
    lay = Layout(tmp_path_factory.mktemp("layout"))
    base = base_files()
    one = lay.image([base, [("etc/one", b"1\n")]])
    lay.tag(one, "one")
    lay.push("one", registry, "test/one:v1")
    two = lay.image([base, [("etc/two", b"2\n")]])
    lay.tag(two, "two")
    lay.push("two", registry, "test/two:v1")
    zst = lay.image([base, [("etc/zst", b"z\n")]], compression="zstd")
    lay.tag(zst, "zst")
    lay.push("zst", registry, "test/zst:v1")
    plain = lay.image([[("etc/", None), ("etc/plain", b"p\n")]], compression="plain")
    lay.tag(plain, "plain")
    lay.push("plain", registry, "test/plain:v1")
    amd = lay.image([[("arch", b"amd64\n")]], arch="amd64")
    arm = lay.image([[("arch", b"arm64\n")]], arch="arm64")
    idx = lay.tag_index([arm, amd], "multi")
    lay.push("multi", registry, "test/multi:v1", all_platforms=True)
    wh = lay.image([
        [("etc/", None), ("etc/a", b"a"), ("etc/b", b"b"), ("dir/", None), ("dir/x", b"x"),
         ("dir/sub/", None), ("dir/sub/y", b"y")],
        [("etc/", None), ("etc/.wh.a", b""), ("dir/", None), ("dir/.wh..wh..opq", b""),
         ("dir/new", b"n")],
    ])
    lay.tag(wh, "wh")
    lay.push("wh", registry, "test/wh:v1")
    dock = lay.image([base, [("etc/docker", b"d\n")]])
    lay.tag(dock, "dock")
    lay.push("dock", registry, "test/dock:v1", docker_format=True)
    return {"one": one, "two": two, "zst": zst, "index": idx, "amd": amd, "arm": arm}


def test_pull_single(engine, registry, pushed, tmp_path):
    r = engine("pull", registry.ref("test/one:v1"))
    assert r.out.splitlines()[-1] == registry.ref("test/one:v1")
    assert "Pull complete" in r.out
    info = engine.inspect(registry.ref("test/one:v1"))
    assert info["RepoTags"] == [registry.ref("test/one:v1")]
    assert info["RepoDigests"] == ["%s@%s" % (registry.ref("test/one"), pushed["one"]["digest"])]
    assert info["Manifest"] == pushed["one"]["digest"]
    assert len(info["RootFS"]["Layers"]) == 2
    with mounted(engine, registry.ref("test/one:v1"), tmp_path / "mnt") as m:
        assert open(os.path.join(m, "etc/one")).read() == "1\n"
        assert open(os.path.join(m, "etc/hostname")).read() == "base\n"
        assert os.stat(os.path.join(m, "bin/tool")).st_mode & 0o777 == 0o755
    # a second pull finds everything there
    r = engine("pull", registry.ref("test/one:v1"))
    assert "Image is up to date" in r.out
    assert "Already exists" in r.out


def test_pull_by_digest(engine, registry, pushed):
    ref = "%s@%s" % (registry.ref("test/one"), pushed["one"]["digest"])
    r = engine("pull", ref)
    assert r.out.splitlines()[-1] == ref
    out = engine("images", "--digests", "--format", "{{.Repository}} {{.Digest}}").out
    assert "%s %s" % (registry.ref("test/one"), pushed["one"]["digest"]) in out


def test_pull_zstd_and_plain(engine, registry, pushed, tmp_path):
    engine("pull", registry.ref("test/zst:v1"))
    engine("pull", registry.ref("test/plain:v1"))
    with mounted(engine, registry.ref("test/zst:v1"), tmp_path / "z") as m:
        assert open(os.path.join(m, "etc/zst")).read() == "z\n"
    with mounted(engine, registry.ref("test/plain:v1"), tmp_path / "p") as m:
        assert open(os.path.join(m, "etc/plain")).read() == "p\n"


def test_pull_docker_schema2(engine, registry, pushed, tmp_path):
    engine("pull", registry.ref("test/dock:v1"))
    info = engine.inspect(registry.ref("test/dock:v1"))
    assert info["ManifestMediaType"] == \
        "application/vnd.docker.distribution.manifest.v2+json"
    assert info["Manifest"] == remote_digest(registry, "test/dock:v1")
    with mounted(engine, registry.ref("test/dock:v1"), tmp_path / "d") as m:
        assert open(os.path.join(m, "etc/docker")).read() == "d\n"
    # and it pushes back unchanged
    engine("push", registry.ref("test/dock:v1"), registry.ref("test/dock2:v1"))
    assert remote_digest(registry, "test/dock2:v1") == info["Manifest"]


def test_pull_multi_platform(engine, registry, pushed, tmp_path):
    if os.uname().machine != "x86_64":
        pytest.skip("the test index has amd64 and arm64; this host is neither default")
    engine("pull", registry.ref("test/multi:v1"))
    info = engine.inspect(registry.ref("test/multi:v1"))
    assert info["Architecture"] == "amd64"
    assert info["Manifest"] == pushed["amd"]["digest"]
    # the repo digest is the index's, as docker shows it
    assert info["RepoDigests"] == ["%s@%s" % (registry.ref("test/multi"),
                                              pushed["index"]["digest"])]
    assert remote_digest(registry, "test/multi:v1") == pushed["index"]["digest"]
    with mounted(engine, registry.ref("test/multi:v1"), tmp_path / "m") as m:
        assert open(os.path.join(m, "arch")).read() == "amd64\n"
    engine("pull", "--platform", "linux/arm64", registry.ref("test/multi:v1"))
    info = engine.inspect(registry.ref("test/multi:v1"))
    assert info["Architecture"] == "arm64"
    r = engine("pull", "--platform", "linux/s390x", registry.ref("test/multi:v1"), check=False)
    assert r.rc == 1
    assert "no image for platform linux/s390x" in r.err
    assert "linux/arm64" in r.err and "linux/amd64" in r.err


def test_shared_base_layer_stored_once(engine, registry, pushed):
    engine("pull", registry.ref("test/one:v1"))
    before = engine.listdir("layers")
    r = engine("pull", registry.ref("test/two:v1"))
    assert "Already exists" in r.out
    after = engine.listdir("layers")
    assert len(before) == 2 and len(after) == 3
    base = engine.inspect(registry.ref("test/one:v1"))["RootFS"]["Layers"][0]
    assert base == engine.inspect(registry.ref("test/two:v1"))["RootFS"]["Layers"][0]
    # the base layer's blob is in the store once
    assert engine.listdir("blobs/sha256").count(
        pushed["one"]["digest"][7:]) == 1
    # removing one image keeps the shared layer for the other
    engine("rmi", registry.ref("test/one:v1"))
    assert base[7:] in engine.listdir("layers")
    assert len(engine.listdir("layers")) == 2
    engine("rmi", registry.ref("test/two:v1"))
    assert engine.listdir("layers") == []
    assert engine.listdir("blobs/sha256") == []


def test_whiteouts_through_overlay(engine, registry, pushed, tmp_path):
    engine("pull", registry.ref("test/wh:v1"))
    with mounted(engine, registry.ref("test/wh:v1"), tmp_path / "w") as m:
        assert not os.path.exists(os.path.join(m, "etc/a"))
        assert open(os.path.join(m, "etc/b")).read() == "b"
        assert sorted(os.listdir(os.path.join(m, "dir"))) == ["new"]
        assert sorted(os.listdir(os.path.join(m, "etc"))) == ["b"]


def test_pull_errors(engine, registry, pushed):
    r = engine("pull", registry.ref("test/nothere:v1"), check=False)
    assert r.rc == 1
    assert "test/nothere" in r.err and ("unknown" in r.err.lower() or "not" in r.err.lower())
    r = engine("pull", "Bad/Name", check=False)
    assert r.rc == 1 and "lowercase" in r.err
    r = engine("pull", "127.0.0.1:1/x", check=False)
    assert r.rc == 1 and "127.0.0.1:1" in r.err
    assert engine.listdir("layers") == []


def test_pull_quiet_not_a_tty(engine, registry, pushed):
    r = engine("pull", "-q", registry.ref("test/one:v1"))
    assert r.out == registry.ref("test/one:v1") + "\n"
    # without a terminal: no progress bars, no cursor movement
    r = engine("pull", registry.ref("test/two:v1"))
    assert "\033[" not in r.out and "[=" not in r.out


def test_corrupt_blob_detected_and_repaired(engine, registry, pushed):
    engine("pull", registry.ref("test/one:v1"))
    cfg = engine.inspect(registry.ref("test/one:v1"))["Id"]
    path = os.path.join(engine.store, "blobs", "sha256", cfg[7:])
    with open(path, "r+b") as f:
        f.seek(3)
        f.write(b"X")
    r = engine("image", "inspect", registry.ref("test/one:v1"), check=False)
    assert r.rc == 1 and "corrupt" in r.err
    assert not os.path.exists(path)
    engine("pull", registry.ref("test/one:v1"))
    assert engine.inspect(registry.ref("test/one:v1"))["Id"] == cfg


@pytest.fixture(scope="module")
def big(registry, tmp_path_factory):
    """An image with an 24 MB incompressible layer, to kill a pull half-way."""
    lay = Layout(tmp_path_factory.mktemp("big"))
    desc = lay.image([[("big.bin", os.urandom(24 << 20))]], compression="gzip")
    lay.tag(desc, "big")
    lay.push("big", registry, "test/big:v1")
    return desc


def test_killed_pull_resumes(engine, registry, big, tmp_path):
    p = engine.popen("pull", "--limit-rate", str(4 << 20), registry.ref("test/big:v1"),
                     stdout=open(tmp_path / "out", "w"), stderr=open(tmp_path / "err", "w"))
    ingest = os.path.join(engine.store, "ingest")
    deadline = time.time() + 20
    partial = 0
    while time.time() < deadline:
        files = os.listdir(ingest) if os.path.isdir(ingest) else []
        sizes = [os.path.getsize(os.path.join(ingest, f)) for f in files]
        partial = max(sizes, default=0)
        if partial > (4 << 20):
            break
        time.sleep(0.1)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert 0 < partial < (24 << 20), "the pull was not caught half-way"
    # nothing is recorded and no layer appeared
    assert engine("images", "-q").out == ""
    assert engine.listdir("layers") == []
    r = engine("--debug", "pull", registry.ref("test/big:v1"))
    assert "resuming at byte" in r.err
    assert "Resuming download" in r.out
    info = engine.inspect(registry.ref("test/big:v1"))
    assert info["Manifest"] == big["digest"]
    assert engine.listdir("ingest") == []
    assert engine.listdir("tmp") == []
    assert len(engine.listdir("layers")) == 1


def test_killed_pull_cleans_up(engine, registry, big, tmp_path):
    """A kill during extraction leaves a temporary directory that the next run removes."""
    p = engine.popen("pull", "--limit-rate", str(8 << 20), registry.ref("test/big:v1"),
                     stdout=open(tmp_path / "out", "w"), stderr=subprocess_devnull())
    time.sleep(1.0)
    p.send_signal(signal.SIGKILL)
    p.wait()
    engine("images")  # opening the store cleans what the killed process left
    assert engine.listdir("tmp") == []
    assert engine.listdir("layers") == []
    ingest = engine.listdir("ingest")
    assert all(not f.startswith("tmp-") for f in ingest)
    engine("image", "prune", "-a", "-f")
    assert engine.listdir("ingest") == []


def subprocess_devnull():
    return open(os.devnull, "w")


def test_two_pulls_at_once(engine, registry, big, tmp_path):
    """Two pulls of one image into one root: one downloads, the other waits for it;
    both succeed, the layer is stored once."""
    procs = [engine.popen("pull", "-q", registry.ref("test/big:v1"),
                          stdout=open(tmp_path / ("out%d" % i), "w"),
                          stderr=open(tmp_path / ("err%d" % i), "w")) for i in range(2)]
    for i, p in enumerate(procs):
        assert p.wait(timeout=120) == 0, open(tmp_path / ("err%d" % i)).read()
    assert len(engine.listdir("layers")) == 1
    assert engine.listdir("ingest") == [] and engine.listdir("tmp") == []
    assert engine.inspect(registry.ref("test/big:v1"))["Manifest"] == big["digest"]
