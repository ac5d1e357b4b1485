"""berth export: a tar of the container's merged root filesystem (the image's files and the
container's changes, deletions gone), without what is mounted on it (a volume's mount
point is an empty directory), symlinks stored as symlinks (never followed to the host's
files), hard links as hard links; from a stopped and from a running container."""

import io
import subprocess
import tarfile

import pytest

from enginehelp import ENGINE

CHANGES = ("echo new > /new; rm /etc/passwd; ln -s /etc/shadow /evil; ln -s / /rootlink; "
           "mkdir /d; echo h > /d/a; ln /d/a /d/b")


def members(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        return {m.name.rstrip("/"): (m, t.extractfile(m).read() if m.isreg() else None)
                for m in t.getmembers()}


def check(m):
    assert m["new"][1] == b"new\n"
    assert "etc/passwd" not in m and "etc/group" in m
    assert m["evil"][0].issym() and m["evil"][0].linkname == "/etc/shadow"
    assert m["rootlink"][0].issym() and m["rootlink"][0].linkname == "/"
    assert m["bin/busybox"][0].isreg() and m["bin/busybox"][0].mode & 0o111
    assert m["bin/sh"][0].issym() or m["bin/sh"][0].islnk() or m["bin/sh"][0].isreg()
    a, b = m["d/a"][0], m["d/b"][0]
    assert (a.isreg() and b.islnk() and b.linkname == "d/a") or \
        (b.isreg() and a.islnk() and a.linkname == "d/b")
    # the volume's mount point, not its contents
    assert m["vol"][0].isdir()
    assert not [n for n in m if n.startswith("vol/")]
    assert not [n for n in m if n.startswith("/") or n.startswith("..")]


def test_export_stopped(berth, tmp_path):
    vol = tmp_path / "hostvol"
    vol.mkdir()
    (vol / "secret").write_text("host\n")
    berth("run", "--name", "ex", "-v", "%s:/vol" % vol, "busybox", "sh", "-c", CHANGES)
    out = tmp_path / "ex.tar"
    berth("export", "-o", str(out), "ex")
    check(members(out.read_bytes()))
    berth("rm", "ex")


def test_export_running_to_stdout(berth, tmp_path):
    vol = tmp_path / "hostvol"
    vol.mkdir()
    (vol / "secret").write_text("host\n")
    berth("run", "-d", "--name", "live", "-v", "%s:/vol" % vol, "busybox", "sh", "-c",
          CHANGES + "; touch /ready; exec sleep 1000")
    berth.wait_status("live", "running")
    # wait for the container's changes to be made (a state, not a timeout)
    berth("exec", "live", "sh", "-c", "while [ ! -e /ready ]; do sleep 0.05; done",
          timeout=30)
    p = subprocess.run(berth.argv(["export", "live"]), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    check(members(p.stdout))
    berth("rm", "-f", "live")


def test_export_errors(berth, tmp_path):
    r = berth("export", "-o", str(tmp_path / "x.tar"), "nosuch", check=False)
    assert r.rc == 1 and "nosuch" in r.err, r
    assert not (tmp_path / "x.tar").exists()
    berth("create", "--name", "cr", "busybox")
    r = berth("export", "-o", str(tmp_path / "no" / "x.tar"), "cr", check=False)
    assert r.rc == 1 and "cannot create '%s'" % (tmp_path / "no" / "x.tar") in r.err, r
    # a created container's files: the image's
    berth("export", "-o", str(tmp_path / "c.tar"), "cr")
    m = members((tmp_path / "c.tar").read_bytes())
    assert "etc/passwd" in m and "bin/busybox" in m
    berth("rm", "cr")
