"""The image commands' behaviour and output, as docker's: images, tag, rmi, history,
inspect, prune, create-busybox, --root."""

import json
import os
import re

import images


def test_create_busybox_is_reproducible(engine, tmp_path):
    first = engine("image", "create-busybox", "-q").out.strip()
    other = images.Engine(tmp_path / "other")
    assert other("image", "create-busybox", "-q").out.strip() == first
    info = engine.inspect("busybox")
    assert info["Id"] == first
    assert info["RepoTags"] == ["busybox:latest"]
    assert info["Config"]["Cmd"] == ["sh"]
    assert info["Os"] == "linux"


def test_images_columns_and_formats(engine):
    engine("image", "create-busybox")
    engine("tag", "busybox", "example.com/team/tool:1.0")
    out = engine("images").out.splitlines()
    assert re.match(r"REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$", out[0])
    rows = sorted(line.split()[0:2] for line in out[1:])
    assert rows == [["busybox", "latest"], ["example.com/team/tool", "1.0"]]
    image_id = engine.inspect("busybox")["Id"]
    assert engine("images", "-q").out.split() == [image_id[7:19]] * 2
    assert engine("images", "-q", "--no-trunc").out.split()[0] == image_id
    out = engine("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}", "busybox").out
    assert re.fullmatch(r"busybox:latest \d+(\.\d+)?[kM]B\n", out)
    out = engine("images", "--format", "table {{.ID}}\\t{{.Repository}}").out
    assert out.startswith("IMAGE ID")
    assert engine("images", "--filter", "dangling=true").out.count("\n") == 1
    out = engine("images", "--format", "{{json .}}", "busybox").out
    assert json.loads(out)["Tag"] == "latest"
    r = engine("images", "--format", "{{.Nope", check=False)
    assert r.rc == 1 and "template" in r.err


def test_tag_and_rmi(engine):
    engine("image", "create-busybox")
    image_id = engine.inspect("busybox")["Id"]
    engine("tag", image_id[7:15], "a:1")
    engine("tag", "a:1", "b")
    r = engine("rmi", image_id, check=False)
    assert r.rc == 1 and "multiple repositories" in r.err
    assert engine("rmi", "a:1").out == "Untagged: a:1\n"
    r = engine("rmi", "-f", image_id)
    assert "Untagged: busybox:latest" in r.out and "Untagged: b:latest" in r.out
    assert ("Deleted: %s" % image_id) in r.out
    assert engine.listdir("blobs/sha256") == []
    assert engine.listdir("layers") == []
    r = engine("rmi", "busybox", check=False)
    assert r.rc == 1 and "no such image: 'busybox'" in r.err
    r = engine("tag", "nothing", "x", check=False)
    assert r.rc == 1
    r = engine("tag", "x", "Bad:Name", check=False)
    assert r.rc == 1


def test_retag_leaves_dangling_and_prune(engine, tmp_path):
    engine("image", "create-busybox")
    old = engine.inspect("busybox")["Id"]
    src = tmp_path / "r.tar"
    src.write_bytes(images.tar_bytes([("f", b"x")]))
    new = engine("import", str(src), "busybox:latest").out.strip()
    assert new != old
    out = engine("images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}").out
    assert "<none> <none> %s" % old[7:19] in out
    r = engine("image", "prune", input="n\n")   # docker asks first; no is no
    assert r.out == ("WARNING! This will remove all dangling images.\nAre you sure you want "
                     "to continue? [y/N] Total reclaimed space: 0B\n"), r
    assert "<none> <none> %s" % old[7:19] in engine("images", "--format",
                                                    "{{.Repository}} {{.Tag}} {{.ID}}").out
    r = engine("image", "prune", input="y\n")
    assert "Deleted Images:" in r.out and old in r.out
    assert "Total reclaimed space:" in r.out
    assert engine("images", "-q").out.split() == [new[7:19]]
    r = engine("image", "prune", "-a", "-f")
    assert engine("images", "-q").out == ""
    assert engine.listdir("layers") == []


def test_history_and_inspect_format(engine):
    engine("image", "create-busybox")
    out = engine("history", "busybox").out.splitlines()
    assert re.match(r"IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT", out[0])
    assert "berth image create-busybox" in out[1]
    assert engine("image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", "busybox").out in (
        "linux/amd64\n", "linux/arm64\n", "linux/arm\n", "linux/386\n")
    lower = engine("image", "inspect", "-f", "{{.GraphDriver.Data.LowerDir}}",
                   "busybox").out.strip()
    assert os.path.isdir(lower) and os.path.isfile(os.path.join(lower, "bin/busybox"))
    r = engine("image", "inspect", "nothere", check=False)
    assert r.rc == 1


def test_usage_errors(engine):
    assert engine("nothing", check=False).rc == 125
    assert engine("image", "nothing", check=False).rc == 125
    assert engine("pull", check=False).rc == 125
    assert engine("images", "--bogus", check=False).rc == 125
    assert "Usage: berth images" in engine("images", "--help").out
    assert "pull" in engine("--help").out


def test_roots_are_separate(engine, tmp_path):
    engine("image", "create-busybox")
    other = images.Engine(tmp_path / "second")
    assert other("images", "-q").out == ""
    assert os.path.isdir(os.path.join(engine.root, "image", "blobs"))
