"""berth volume create/ls/inspect/rm/prune, the local driver's tmpfs and bind options,
--volumes-from and rm -v, as docker 20.10 behaves."""

import json
import os
import re


def names(berth, *args):
    return berth("volume", "ls", "-q", *args).out.split()


def mountinfo_line(pid, target):
    with open("/proc/%d/mountinfo" % pid) as f:
        lines = [l for l in f if l.split()[4] == target]
    assert len(lines) == 1, lines
    return lines[0]


def test_create_ls_inspect(berth):
    assert berth("volume", "create", "--label", "team=a", "--label", "solo", "v1").out == "v1\n"
    anon = berth("volume", "create").out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", anon)
    # an existing name is fine, and keeps what it had
    assert berth("volume", "create", "v1").out == "v1\n"
    out = berth("volume", "ls").out.splitlines()
    assert re.match(r"DRIVER\s+VOLUME NAME$", out[0])
    assert sorted(l.split() for l in out[1:]) == sorted([["local", "v1"], ["local", anon]])
    doc = json.loads(berth("volume", "inspect", "v1").out)
    assert len(doc) == 1
    v = doc[0]
    assert sorted(v) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options",
                         "Scope"]
    assert v["Name"] == "v1" and v["Driver"] == "local" and v["Scope"] == "local"
    assert v["Labels"] == {"team": "a", "solo": ""} and v["Options"] == {}
    assert v["Mountpoint"] == os.path.join(berth.root, "volumes", "v1", "_data")
    assert os.path.isdir(v["Mountpoint"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v["CreatedAt"])
    assert berth("volume", "inspect", "-f", "{{.Name}} {{.Labels.team}}", "v1").out == "v1 a\n"
    # docker's inspect finds volumes too
    assert json.loads(berth("inspect", "--type", "volume", "v1").out)[0] == v
    assert berth("inspect", "-f", "{{.Mountpoint}}", "v1").out == v["Mountpoint"] + "\n"
    fmt = berth("volume", "ls", "--format", "{{.Name}}|{{.Driver}}|{{.Labels}}").out
    assert "v1|local|" in fmt and "team=a" in fmt
    berth("volume", "rm", "v1", anon)


def test_implicit_volume_is_listed(berth):
    berth("run", "--rm", "-v", "implicit1:/v", "busybox", "true")
    assert names(berth) == ["implicit1"]
    v = json.loads(berth("volume", "inspect", "implicit1").out)[0]
    assert v["Labels"] is None and v["Driver"] == "local"
    # a volume made before volume.json existed: listed all the same
    old = os.path.join(berth.root, "volumes", "old1", "_data")
    os.makedirs(old)
    assert names(berth) == ["implicit1", "old1"]
    assert json.loads(berth("volume", "inspect", "old1").out)[0]["Options"] is None
    berth("volume", "rm", "implicit1", "old1")
    assert names(berth) == []


def test_inspect_and_rm_missing(berth):
    r = berth("volume", "inspect", "nosuch", check=False)
    assert r.rc == 1 and "No such volume: nosuch" in r.err and r.out == "[]\n"
    r = berth("volume", "rm", "nosuch", check=False)
    assert r.rc == 1 and "No such volume: nosuch" in r.err
    assert berth("volume", "rm", "-f", "nosuch").out == "nosuch\n"


def test_create_errors_leave_nothing(berth):
    r = berth("volume", "create", "-o", "foo=bar", "bad1", check=False)
    assert r.rc == 1 and 'invalid option key: "foo"' in r.err
    r = berth("volume", "create", "-o", "type=tmpfs", "bad2", check=False)
    assert r.rc == 1 and 'missing required option: "device"' in r.err
    r = berth("volume", "create", "--driver", "nfsplug", "bad3", check=False)
    assert r.rc == 1 and 'plugin "nfsplug" not found' in r.err
    r = berth("volume", "create", "a/b", check=False)
    assert r.rc == 1 and "includes invalid characters for a local volume name" in r.err
    assert names(berth) == []
    assert os.listdir(os.path.join(berth.root, "volumes")) == []


def test_ls_filters(berth):
    berth("volume", "create", "--label", "env=prod", "alpha")
    berth("volume", "create", "--label", "env=dev", "beta")
    berth("volume", "create", "gamma")
    berth("create", "--name", "user", "-v", "beta:/b", "busybox", "true")
    assert names(berth, "--filter", "dangling=true") == ["alpha", "gamma"]
    assert names(berth, "--filter", "dangling=false") == ["beta"]
    assert names(berth, "--filter", "name=a$") == ["alpha", "beta", "gamma"]
    assert names(berth, "--filter", "name=alp") == ["alpha"]
    assert names(berth, "--filter", "name=alp", "--filter", "name=gam") == ["alpha", "gamma"]
    assert names(berth, "--filter", "label=env") == ["alpha", "beta"]
    assert names(berth, "--filter", "label=env=dev") == ["beta"]
    assert names(berth, "--filter", "driver=local") == ["alpha", "beta", "gamma"]
    assert names(berth, "--filter", "driver=other") == []
    assert names(berth, "--filter", "label=env", "--filter", "dangling=true") == ["alpha"]
    r = berth("volume", "ls", "--filter", "colour=red", check=False)
    assert r.rc == 1 and "invalid filter 'colour'" in r.err
    r = berth("volume", "ls", "--filter", "dangling=maybe", check=False)
    assert r.rc == 1 and "invalid filter 'dangling=[maybe]'" in r.err
    berth("rm", "user")
    berth("volume", "rm", "alpha", "beta", "gamma")


def test_rm_in_use(berth):
    berth("volume", "create", "busy")
    cid = berth("create", "-v", "busy:/b", "busybox", "true").out.strip()
    r = berth("volume", "rm", "busy", check=False)
    assert r.rc == 1
    assert "remove busy: volume is in use - [%s]" % cid in r.err
    # -f does not remove a volume in use either
    assert berth("volume", "rm", "-f", "busy", check=False).rc == 1
    assert names(berth) == ["busy"]
    # one failure among several: the others go, exit 1
    berth("volume", "create", "free")
    r = berth("volume", "rm", "free", "busy", check=False)
    assert r.rc == 1 and r.out == "free\n"
    berth("rm", cid)
    assert berth("volume", "rm", "busy").out == "busy\n"


def test_prune(berth):
    berth("volume", "create", "--label", "keep=1", "kept")
    berth("volume", "create", "unused")
    berth("run", "--rm", "-v", "unused:/u", "busybox", "sh", "-c", "printf 12345 > /u/f")
    berth("create", "--name", "user", "-v", "used:/u", "busybox", "true")
    # declined: nothing removed
    r = berth("volume", "prune", input="n\n")
    assert "WARNING! This will remove all local volumes not used by at least one container.\n" \
        "Are you sure you want to continue? [y/N] " in r.out
    assert names(berth) == ["kept", "unused", "used"]
    r = berth("volume", "prune", "-f", "--filter", "label!=keep")
    assert r.out == "Deleted Volumes:\nunused\n\nTotal reclaimed space: 5B\n"
    assert names(berth) == ["kept", "used"]
    r = berth("volume", "prune", input="y\n")
    assert "Deleted Volumes:\nkept\n" in r.out
    assert names(berth) == ["used"]
    berth("rm", "-v", "user")
    assert names(berth) == ["used"]  # a named volume stays with rm -v, as docker's
    berth("volume", "prune", "-f")
    assert names(berth) == []


def test_rm_v_removes_only_anonymous(berth):
    berth("create", "--name", "cv", "-v", "/anon", "-v", "named1:/n", "busybox", "true")
    anon = [m["Name"] for m in berth.inspect("cv")["Mounts"] if m["Destination"] == "/anon"][0]
    assert sorted(names(berth)) == sorted([anon, "named1"])
    berth("rm", "-v", "cv")
    assert names(berth) == ["named1"]
    berth("volume", "rm", "named1")


def test_tmpfs_volume(berth):
    berth("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=64m",
          "tv")
    cid = berth("run", "-d", "-v", "tv:/t", "busybox", "sleep", "60").out.strip()
    line = mountinfo_line(berth.pid(cid), "/t")
    assert " - tmpfs " in line and "size=65536k" in line
    # nothing was written to _data
    berth("exec", cid, "touch", "/t/x")
    assert os.listdir(os.path.join(berth.root, "volumes", "tv", "_data")) == []
    berth("rm", "-f", cid)
    berth("volume", "rm", "tv")


def test_bind_volume(berth, tmp_path):
    host = tmp_path / "dev"
    host.mkdir()
    (host / "in").write_text("host file\n")
    berth("volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device=%s" % host, "bv")
    cid = berth("run", "-d", "-v", "bv:/b", "busybox", "sleep", "60").out.strip()
    line = mountinfo_line(berth.pid(cid), "/b")
    assert line.split()[3] == str(host)
    assert berth("exec", cid, "cat", "/b/in").out == "host file\n"
    berth("rm", "-f", cid)
    berth("volume", "rm", "bv")
    assert (host / "in").read_text() == "host file\n"  # the device is the user's


def test_bind_volume_missing_device(berth, tmp_path):
    berth("volume", "create", "-o", "type=none", "-o", "o=bind",
          "-o", "device=%s" % (tmp_path / "absent"), "gone")
    r = berth("run", "--rm", "-v", "gone:/g", "busybox", "true", check=False)
    assert r.rc == 127
    assert "error while mounting volume '%s'" % os.path.join(
        berth.root, "volumes", "gone", "_data") in r.err
    assert "no such file or directory" in r.err.lower()
    assert berth.containers() == []
    berth("volume", "rm", "gone")


def test_other_fs_type_refused(berth):
    berth("volume", "create", "-o", "type=ext4", "-o", "device=/dev/null", "ext")
    r = berth("run", "--rm", "-v", "ext:/e", "busybox", "true", check=False)
    assert r.rc != 0 and "type 'ext4' is not supported" in r.err
    assert berth.containers() == []
    berth("volume", "rm", "ext")


def test_volumes_from(berth, tmp_path):
    host = tmp_path / "h"
    host.mkdir()
    berth("create", "--name", "src", "-v", "shared:/data", "-v", "%s:/host:ro" % host,
          "busybox", "true")
    r = berth("run", "--rm", "--volumes-from", "src", "busybox",
              "sh", "-c", "echo hi > /data/f && cat /data/f")
    assert r.out == "hi\n"
    # /host stays read-only as in src
    r = berth("run", "--rm", "--volumes-from", "src", "busybox", "touch", "/host/x",
              check=False)
    assert r.rc != 0 and "Read-only file system" in r.err
    # :ro makes every one read-only
    r = berth("run", "--rm", "--volumes-from", "src:ro", "busybox", "touch", "/data/g",
              check=False)
    assert r.rc != 0 and "Read-only file system" in r.err
    # :rw makes them writable
    berth("run", "--rm", "--volumes-from", "src:rw", "busybox", "touch", "/host/y")
    assert (host / "y").exists()
    # the volume is in use by src; the copy's rm -v keeps it
    berth("create", "--name", "copy", "--volumes-from", "src", "busybox", "true")
    berth("rm", "-v", "copy")
    berth("rm", "src")
    assert names(berth) == ["shared"]
    berth("volume", "rm", "shared")


def test_volumes_from_errors(berth):
    r = berth("run", "--rm", "--volumes-from", "nosuch", "busybox", "true", check=False)
    assert r.rc != 0 and "No such container: nosuch" in r.err
    berth("create", "--name", "src", "busybox", "true")
    r = berth("run", "--rm", "--volumes-from", "src:rx", "busybox", "true", check=False)
    assert r.rc != 0 and "invalid mode: rx" in r.err
    berth("rm", "src")
    assert names(berth) == []


def test_help_lists_subcommands(berth):
    out = berth("volume", "--help").out
    for sub in ("create", "ls", "inspect", "rm", "prune"):
        assert re.search(r"^  %s\s" % sub, out, re.M), out
    assert re.search(r"^  volume\s", berth("--help").out, re.M)
