"""The root filesystem and mounts, as /proc/self/mountinfo inside the container shows them."""

import os

import pytest

import oci
from oci import sh

SEP = "=====mountinfo====="


def run_and_mounts(runtime, bundle, script="true"):
    """Run script, then print the mountinfo; return (script output, {mount point: row})."""
    bundle.set_args(sh("%s; echo %s; cat /proc/self/mountinfo" % (script, SEP)))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    out, _, info = r.out.partition(SEP + "\n")
    assert info, "no mountinfo in the output:\n%s" % r
    # The last mount on a mount point is the visible one.
    return out, {m["mount_point"]: m for m in oci.parse_mountinfo(info)}


def write_test(path):
    return "touch %s/probe 2>/dev/null && echo %s:writable || echo %s:readonly" % (path, path, path)


def test_readonly_root(runtime, bundle):
    bundle.config["root"]["readonly"] = True
    bundle.add_mount("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777"])
    out, mounts = run_and_mounts(runtime, bundle, write_test("") + "; " + write_test("/tmp"))
    assert out.split() == [":readonly", "/tmp:writable"]
    assert "ro" in mounts["/"]["opts"]
    assert mounts["/tmp"]["fstype"] == "tmpfs" and "rw" in mounts["/tmp"]["opts"]
    assert not os.path.exists(os.path.join(bundle.rootfs, "probe"))


def test_writable_root(runtime, bundle):
    bundle.config["root"]["readonly"] = False
    out, mounts = run_and_mounts(runtime, bundle, write_test(""))
    assert out.split() == [":writable"]
    assert "rw" in mounts["/"]["opts"]
    assert os.path.exists(os.path.join(bundle.rootfs, "probe")), "write did not reach the rootfs"


def test_default_mounts(runtime, bundle):
    _, mounts = run_and_mounts(runtime, bundle)
    want = {"/proc": "proc", "/dev": "tmpfs", "/dev/pts": "devpts", "/dev/shm": "tmpfs",
            "/dev/mqueue": "mqueue", "/sys": "sysfs"}
    for path, fstype in want.items():
        assert path in mounts, "%s is not mounted: %s" % (path, sorted(mounts))
        assert mounts[path]["fstype"] == fstype, (path, mounts[path])
    assert "ro" in mounts["/sys"]["opts"]
    assert {"nosuid", "nodev", "noexec"} <= mounts["/dev/shm"]["opts"]
    assert "size=65536k" in mounts["/dev/shm"]["super_opts"]   # mode=1777 is the default: not shown
    # The root is the bundle's rootfs, not the host's /.
    assert mounts["/"]["root"].rstrip("/").endswith("/bundle/rootfs")


def test_proc_is_the_containers_pid_namespace(runtime, bundle):
    out, _ = run_and_mounts(runtime, bundle, "ls /proc | grep -E '^[0-9]+$' | sort -n | head -1")
    assert out.split() == ["1"]


def test_tmpfs_options(runtime, bundle):
    bundle.add_mount("/scratch", "tmpfs", "tmpfs",
                     ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"])
    script = ("stat -c %a /scratch; " + write_test("/scratch") +
              "; cp /bin/busybox /scratch/bb && /scratch/bb true 2>/dev/null"
              " && echo exec-ok || echo exec-denied")
    out, mounts = run_and_mounts(runtime, bundle, script)
    assert out.split() == ["1770", "/scratch:writable", "exec-denied"]
    m = mounts["/scratch"]
    assert m["fstype"] == "tmpfs"
    assert {"nosuid", "nodev", "noexec"} <= m["opts"]
    assert {"size=1024k", "mode=1770"} <= m["super_opts"]


def test_mount_destination_created_when_missing(runtime, bundle):
    assert not os.path.exists(os.path.join(bundle.rootfs, "new"))
    bundle.add_mount("/new/deep/dir", "tmpfs", "tmpfs", ["size=64k"])
    out, mounts = run_and_mounts(runtime, bundle, write_test("/new/deep/dir"))
    assert out.split() == ["/new/deep/dir:writable"]
    assert mounts["/new/deep/dir"]["fstype"] == "tmpfs"


@pytest.fixture
def host_dir(tmp_path):
    d = tmp_path / "host-dir"
    d.mkdir()
    (d / "hello").write_text("hello from the host\n")
    return d


def test_bind_mount_rw(runtime, bundle, host_dir):
    bundle.add_mount("/data", "bind", str(host_dir), ["bind", "rw"])
    out, mounts = run_and_mounts(runtime, bundle,
                                 "cat /data/hello; echo from-container > /data/new")
    assert out == "hello from the host\n"
    assert "rw" in mounts["/data"]["opts"]
    assert (host_dir / "new").read_text() == "from-container\n"


def test_bind_mount_ro(runtime, bundle, host_dir):
    bundle.add_mount("/data", "bind", str(host_dir), ["bind", "ro"])
    out, mounts = run_and_mounts(runtime, bundle, "cat /data/hello; " + write_test("/data"))
    assert out.splitlines() == ["hello from the host", "/data:readonly"]
    assert "ro" in mounts["/data"]["opts"]
    assert sorted(os.listdir(host_dir)) == ["hello"]


@pytest.mark.parametrize("recursive", [True, False], ids=["rbind", "bind"])
def test_rbind_carries_submounts(runtime, bundle, host_dir, host_mount, recursive):
    sub = host_dir / "sub"
    sub.mkdir()
    host_mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", target=str(sub))
    (sub / "inner").write_text("on the submount\n")
    bundle.add_mount("/data", "bind", str(host_dir), ["rbind" if recursive else "bind", "rw"])
    out, mounts = run_and_mounts(runtime, bundle, "cat /data/sub/inner 2>/dev/null || echo none")
    if recursive:
        assert out == "on the submount\n"
        assert mounts["/data/sub"]["fstype"] == "tmpfs"
    else:
        assert out == "none\n"
        assert "/data/sub" not in mounts


def test_bind_mount_of_a_file(runtime, bundle, tmp_path):
    host_file = tmp_path / "host-file"
    host_file.write_text("a single file\n")
    assert not os.path.exists(os.path.join(bundle.rootfs, "etc/from-host"))
    bundle.add_mount("/etc/from-host", "bind", str(host_file), ["bind", "ro"])
    out, mounts = run_and_mounts(runtime, bundle, "cat /etc/from-host; test -f /etc/from-host"
                                 " && echo regular-file")
    assert out.splitlines() == ["a single file", "regular-file"]
    assert "ro" in mounts["/etc/from-host"]["opts"]
    assert host_file.read_text() == "a single file\n"


def test_read_only_dev_tmpfs_still_gets_its_submounts(runtime, bundle):
    """/dev as a read-only tmpfs: /dev/pts, /dev/shm, /dev/mqueue and the device nodes
    still land in it (made read-only after them, as runc), and /dev itself refuses writes."""
    dev = next(m for m in bundle.config["mounts"] if m["destination"] == "/dev")
    dev["options"] = dev.get("options", []) + ["ro"]
    bundle.set_args(oci.sh("test -c /dev/null && test -d /dev/pts/ && "
                           "grep -q ' /dev/pts ' /proc/self/mountinfo && echo ok; "
                           "touch /dev/x 2>/dev/null || echo ro"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["ok", "ro"]
