"""berth load / save / import: docker-archive and oci-archive, archives made by skopeo,
save -> load round trips, archives skopeo can read back, hostile archives."""

import io
import json
import os
import subprocess
import tarfile

import pytest

import images
from images import Layout, base_files, mounted, skopeo


@pytest.fixture
def layout_image(tmp_path):
    lay = Layout(tmp_path / "layout")
    desc = lay.image([base_files(), [("etc/top", b"top\n"), ("etc/.wh.hostname", b"")]])
    lay.tag(desc, "v1")
    return lay, desc


def test_load_skopeo_docker_archive(engine, layout_image, tmp_path):
    lay, desc = layout_image
    archive = tmp_path / "sk.tar"
    skopeo("copy", "oci:%s:v1" % lay.path, "docker-archive:%s:example/app:v1" % archive)
    r = engine("load", "-i", str(archive))
    assert r.out == "Loaded image: example/app:v1\n"
    info = engine.inspect("example/app:v1")
    with mounted(engine, "example/app:v1", tmp_path / "m") as m:
        assert open(os.path.join(m, "etc/top")).read() == "top\n"
        assert not os.path.exists(os.path.join(m, "etc/hostname"))
        assert os.path.exists(os.path.join(m, "bin/tool"))
    assert len(info["RootFS"]["Layers"]) == 2


def test_load_skopeo_oci_archive_from_stdin(engine, layout_image, tmp_path):
    lay, desc = layout_image
    archive = tmp_path / "sk-oci.tar"
    skopeo("copy", "oci:%s:v1" % lay.path, "oci-archive:%s:docker.io/example/oci:v2" % archive)
    with open(archive, "rb") as f:
        p = subprocess.run([images.ENGINE, "--root", engine.root, "load"], stdin=f,
                           capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert engine.inspect("example/oci:v2")["Manifest"] == desc["digest"]


@pytest.mark.parametrize("fmt", ["docker-archive", "oci-archive"])
def test_save_load_round_trip(engine, tmp_path, fmt):
    engine("image", "create-busybox")
    engine("tag", "busybox", "example/second:2")
    before = engine.inspect("busybox")
    archive = tmp_path / "saved.tar"
    engine("save", "--format", fmt, "-o", str(archive), "busybox", "example/second:2")
    other = images.Engine(tmp_path / "other")
    r = other("load", "-i", str(archive))
    assert "Loaded image: busybox:latest" in r.out
    assert "Loaded image: example/second:2" in r.out
    after = other.inspect("busybox")
    assert after["Id"] == before["Id"]
    assert after["RootFS"] == before["RootFS"]
    if fmt == "oci-archive":
        assert after["Manifest"] == before["Manifest"]
    # skopeo reads what berth wrote
    out = skopeo("inspect", "%s:%s" % (fmt, archive) +
                 (":busybox:latest" if fmt == "docker-archive" else ":latest")).stdout
    assert json.loads(out)["Layers"]
    with mounted(other, "example/second:2", tmp_path / "m") as m:
        assert os.path.exists(os.path.join(m, "bin/busybox"))


def test_save_to_stdout_and_gzip_load(engine, tmp_path):
    engine("image", "create-busybox")
    p = subprocess.run([images.ENGINE, "--root", engine.root, "save", "busybox"],
                       capture_output=True)
    assert p.returncode == 0
    gz = tmp_path / "b.tar.gz"
    gz.write_bytes(__import__("gzip").compress(p.stdout))
    other = images.Engine(tmp_path / "other")
    assert other("load", "-i", str(gz)).out == "Loaded image: busybox:latest\n"


def test_import_rootfs(engine, tmp_path):
    raw = images.tar_bytes([("./", None), ("./hello", b"world\n"), ("./bin/", None),
                            ("./bin/x", ("symlink", "/hello"))])
    src = tmp_path / "rootfs.tar.gz"
    src.write_bytes(images.compress(raw, "gzip"))
    r = engine("import", "-m", "my comment", str(src), "imported:1")
    image_id = r.out.strip()
    assert image_id.startswith("sha256:")
    info = engine.inspect("imported:1")
    assert info["Id"] == image_id
    assert info["RootFS"]["Layers"] == [images.sha(raw)]
    hist = engine("history", "--format", "{{.CreatedBy}}|{{.Comment}}", "imported:1").out
    assert hist == "berth import|my comment\n"
    with mounted(engine, "imported:1", tmp_path / "m") as m:
        assert open(os.path.join(m, "hello")).read() == "world\n"
    r = engine("import", "-", input="not a tarball", check=False)
    assert r.rc == 1


def hostile_archive(path, members):
    with tarfile.open(path, "w") as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                info.type = tarfile.SYMTYPE
                info.linkname = data[1]
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))


def test_load_hostile_archives(engine, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    cases = [
        [("../../outside/pwned", b"x")],
        [("link", ("sym", str(outside))), ("link/pwned", b"x"),
         ("manifest.json", b"[]")],
        [("manifest.json", json.dumps([{"Config": "../../../etc/passwd",
                                         "Layers": []}]).encode())],
        [("manifest.json", json.dumps([{"Config": "c.json",
                                         "Layers": ["/etc/passwd"]}]).encode()),
         ("c.json", b'{"rootfs":{"type":"layers","diff_ids":["sha256:' + b"0" * 64 + b'"]}}')],
        [("index.json", b'{"schemaVersion":2,"manifests":[{"mediaType":'
                        b'"application/vnd.oci.image.manifest.v1+json","digest":'
                        b'"sha256:../../../../etc/passwd","size":1}]}')],
        [("nothing", b"")],
    ]
    for i, members in enumerate(cases):
        path = tmp_path / ("h%d.tar" % i)
        hostile_archive(path, members)
        r = engine("load", "-i", str(path), check=False)
        if i == 1:
            assert r.rc == 0, r  # contained: link/pwned lands inside the temporary dir
        else:
            assert r.rc == 1, "case %d was accepted" % i
        assert os.listdir(outside) == [], "case %d wrote outside" % i
        assert engine.listdir("tmp") == []
    assert engine("images", "-q").out == ""


def test_load_on_a_full_disk_says_so(engine, tmp_path):
    """A load that runs out of space says "no space left on device", not an I/O error."""
    engine("image", "create-busybox")
    archive = tmp_path / "bb.tar"
    engine("save", "busybox", "-o", str(archive))
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "berth-test-full", str(small)],
                   check=True)
    try:
        full = images.Engine(small / "root")
        full("image", "ls")  # the store exists
        st = os.statvfs(small)
        with open(small / "fill", "wb") as f:  # leave less room than the archive needs
            f.write(b"\0" * (st.f_bavail * st.f_frsize - 512 * 1024))
        r = full("load", "-i", str(archive), check=False)
        assert r.rc == 1 and "no space left on device" in r.err, r.err
        assert "input/output error" not in r.err
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
