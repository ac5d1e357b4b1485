"""Bind mounts, named and anonymous volumes, tmpfs, --read-only: seen from inside and in the
host's mountinfo."""

import os


def test_bind_mount_rw_and_ro(berth, tmp_path):
    host = tmp_path / "shared"
    host.mkdir()
    (host / "in").write_text("from host\n")
    r = berth("run", "--rm", "-v", "%s:/data" % host, "busybox",
              "sh", "-c", "cat /data/in; echo back > /data/out")
    assert r.out == "from host\n"
    assert (host / "out").read_text() == "back\n"
    r = berth("run", "--rm", "-v", "%s:/data:ro" % host, "busybox",
              "sh", "-c", "echo x > /data/no", check=False)
    assert r.rc != 0 and "Read-only file system" in r.err
    r = berth("run", "--rm", "--mount", "type=bind,source=%s,target=/m,readonly" % host,
              "busybox", "grep", " /m ", "/proc/self/mountinfo")
    assert " ro," in r.out or " ro " in r.out


def test_bind_source_is_created_with_v(berth, tmp_path):
    src = tmp_path / "made" / "by" / "v"
    berth("run", "--rm", "-v", "%s:/x" % src, "busybox", "true")
    assert src.is_dir()


def test_named_volume_outlives_the_container(berth):
    berth("run", "--rm", "-v", "vol1:/v", "busybox", "sh", "-c", "echo kept > /v/f")
    assert berth("run", "--rm", "-v", "vol1:/v", "busybox", "cat", "/v/f").out == "kept\n"
    assert os.path.isfile(os.path.join(berth.root, "volumes", "vol1", "_data", "f"))


def test_anonymous_volume_removed_with_rm_v(berth):
    berth("create", "--name", "anon", "-v", "/scratch", "busybox", "true")
    info = berth.inspect("anon")
    vol = info["Mounts"][0]
    assert vol["Type"] == "volume" and vol["Destination"] == "/scratch"
    assert os.path.isdir(vol["Source"])
    berth("rm", "-v", "anon")
    assert not os.path.exists(vol["Source"])


def test_tmpfs(berth):
    out = berth("run", "--rm", "--tmpfs", "/scratch:size=1m", "busybox",
                "sh", "-c", "grep ' /scratch ' /proc/self/mountinfo; df -k /scratch").out
    assert " - tmpfs " in out and "size=1024k" in out


def test_read_only_rootfs(berth):
    r = berth("run", "--rm", "--read-only", "busybox", "touch", "/x", check=False)
    assert r.rc != 0 and "Read-only file system" in r.err
    # /tmp via --tmpfs stays writable, as with docker
    berth("run", "--rm", "--read-only", "--tmpfs", "/tmp", "busybox", "touch", "/tmp/x")


def test_overlay_rootfs_with_a_private_upper_layer(berth):
    cid = berth("run", "-d", "busybox", "sh", "-c", "echo changed > /etc/motd; sleep 60").out.strip()
    pid = berth.pid(cid)
    with open("/proc/%d/mountinfo" % pid) as f:
        root = [line for line in f if line.split()[4] == "/"][0]
    assert " - overlay " in root
    # another container from the image does not see the change
    assert berth("run", "--rm", "busybox", "cat", "/etc/motd", check=False).out == ""
    berth("rm", "-f", cid)


def test_new_volume_gets_the_image_s_files(berth):
    out = berth("run", "--rm", "-v", "etcvol:/etc", "busybox", "ls", "/etc").out.split()
    assert "passwd" in out and "group" in out
    assert os.path.isfile(os.path.join(berth.root, "volumes", "etcvol", "_data", "passwd"))
    # not again once it has content, and not with nocopy
    out = berth("run", "--rm", "--mount", "type=volume,src=empty1,dst=/etc,volume-nocopy",
                "busybox", "ls", "-A", "/etc").out.split()
    assert "passwd" not in out
