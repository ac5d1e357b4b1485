"""--init, diff, cp (symlink-safe), stats, container prune, -t, and the remaining resource
and security flags."""

import os
import re
import shlex
import subprocess
import time

import pytest

import cgroupfs
import oci


def test_init_reaps_and_forwards_signals(berth):
    out = berth("run", "--rm", "--init", "busybox", "ps", "-o", "pid,args").out
    assert re.search(r"^\s*1 /sbin/docker-init -- ps", out, re.M)
    berth("run", "-d", "--init", "--name", "withinit", "busybox", "sleep", "60")
    berth.wait_status("withinit", "running")
    t = time.time()
    berth("stop", "withinit")       # SIGTERM reaches sleep through the init
    assert time.time() - t < 5
    assert berth.inspect("withinit")["State"]["ExitCode"] == 143
    assert berth.inspect("withinit")["HostConfig"]["Init"] is True
    berth("rm", "withinit")


def test_diff(berth):
    berth("run", "--name", "changer", "busybox", "sh", "-c",
          "echo x > /etc/new; rm /bin/ls; mkdir /made")
    assert berth("diff", "changer").out.splitlines() == [
        "C /bin", "D /bin/ls", "C /etc", "A /etc/new", "A /made"]
    berth("rm", "changer")


def test_cp_both_ways_running_and_stopped(berth, tmp_path):
    (tmp_path / "in.txt").write_text("to the container\n")
    berth("run", "-d", "--name", "cpy", "busybox", "sh", "-c",
          "mkdir /d; echo out > /d/f; ln -s f /d/l; sleep 60")
    berth.wait_status("cpy", "running")
    oci.wait_for(lambda: berth("exec", "cpy", "test", "-L", "/d/l", check=False).rc == 0)
    berth("cp", str(tmp_path / "in.txt"), "cpy:/tmp/")
    assert berth("exec", "cpy", "cat", "/tmp/in.txt").out == "to the container\n"
    berth("cp", "cpy:/d", str(tmp_path))
    assert (tmp_path / "d" / "f").read_text() == "out\n"
    assert os.readlink(tmp_path / "d" / "l") == "f"
    berth("stop", "-t", "0", "cpy")
    berth("cp", "cpy:/tmp/in.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "to the container\n"
    assert berth.leftovers() == ["%s: %s" % (os.path.join(berth.root, n), v) for n, v in
                                 [("containers", berth.containers()),
                                  ("names", ["cpy"]),
                                  ("image/snapshots", berth.containers())]]
    berth("rm", "cpy")


def test_cp_does_not_follow_the_container_s_symlinks(berth, tmp_path):
    host_dir = tmp_path / "host"
    host_dir.mkdir()
    (tmp_path / "payload").write_text("x\n")
    berth("run", "-d", "--name", "evil", "busybox", "sh", "-c",
          "ln -s %s /escape; ln -s %s/victim /victim; sleep 60" % (host_dir, host_dir))
    berth.wait_status("evil", "running")
    oci.wait_for(lambda: berth("exec", "evil", "test", "-L", "/victim", check=False).rc == 0)
    # /escape resolves inside the container's root (where that path does not exist)
    berth("cp", str(tmp_path / "payload"), "evil:/escape/", check=False)
    assert os.listdir(host_dir) == []
    # a symlink at the destination is replaced (the copy is renamed over it), not followed
    r = berth("cp", str(tmp_path / "payload"), "evil:/victim", check=False)
    assert os.listdir(host_dir) == [] and r.rc == 0, r
    assert berth("exec", "evil", "sh", "-c", "test ! -L /victim && cat /victim").out == "x\n"
    (host_dir / "secret").write_text("host secret\n")
    r = berth("cp", "evil:/escape/secret", str(tmp_path / "stolen"), check=False)
    assert r.rc != 0 and not (tmp_path / "stolen").exists()
    berth("rm", "-f", "evil")


@pytest.mark.parametrize("path", ["/..", "/../..", "/etc/../.."])
def test_cp_of_dotdot_stays_in_the_container(berth, tmp_path, path):
    """A source path ending in ".." is the container's root at most: once, "/.." was
    opened from the root's fd and copied out the bundle (config.json, rootfs/)."""
    berth("create", "--name", "dd", "busybox", "true")
    out = tmp_path / "out"
    out.mkdir()
    r = berth("cp", "dd:" + path, str(out / "got"), check=False)
    assert r.rc == 0, r
    got = sorted(os.listdir(out / "got"))
    assert "config.json" not in got and "rootfs" not in got and "bin" in got, got
    berth("rm", "dd")


def test_stats_no_stream(berth):
    berth("run", "-d", "--name", "busyloop", "--memory", "64m", "busybox", "sh", "-c",
          "while :; do :; done")
    berth.wait_status("busyloop", "running")
    out = berth("stats", "--no-stream").out.splitlines()
    assert re.match(r"CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE / LIMIT\s+MEM %\s+NET I/O\s+"
                    r"BLOCK I/O\s+PIDS", out[0])
    row = out[1].split()
    assert row[1] == "busyloop"
    assert float(row[2].rstrip("%")) > 10      # a busy loop
    assert "/ 64MiB" in out[1]                  # the 64m limit, in binary units as docker
    assert row[-1] == "1"
    berth("rm", "-f", "busyloop")


def test_container_prune(berth):
    done = berth("run", "-d", "busybox", "true").out.strip()
    berth("wait", done)
    alive = berth("run", "-d", "busybox", "sleep", "60").out.strip()
    out = berth("container", "prune", "-f").out
    assert done in out and alive not in out
    assert berth("ps", "-aq", "--no-trunc").out.split() == [alive]
    berth("rm", "-f", alive)


def test_tty(berth):
    out = subprocess.run(["script", "-qec", " ".join(shlex.quote(a) for a in berth.argv(
        ["run", "--rm", "-it", "busybox", "sh", "-c", "tty; exit 4"])) + "; echo rc=$?",
        "/dev/null"], capture_output=True, text=True, timeout=30).stdout
    assert re.search(r"/dev/pts/\d+", out) and "rc=4" in out


def test_more_resources(berth):
    flags = ["--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "256",
             "--ulimit", "nofile=512:1024", "--sysctl", "net.ipv4.ip_forward=1",
             "--shm-size", "8m"]
    berth("run", "-d", "--name", "res", *flags, "busybox", "sleep", "60")
    berth.wait_status("res", "running")
    if not cgroupfs.is_v2("memory") and os.path.exists(
            cgroupfs.cgdir(berth.cgroup("res"), "memory") + "/memory.memsw.limit_in_bytes"):
        assert int(berth.cgroup_file("res", "memory", "memory.memsw.limit_in_bytes", None)) \
            == 128 << 20
    if not cgroupfs.is_v2("cpu"):
        assert berth.cgroup_file("res", "cpu", "cpu.shares", None) == "256"
    out = berth("exec", "res", "sh", "-c", "ulimit -n; ulimit -H -n; "
                "cat /proc/sys/net/ipv4/ip_forward; df -k /dev/shm | tail -1").out.splitlines()
    assert out[:3] == ["512", "1024", "1"]
    assert out[3].split()[1] == "8192"
    berth("rm", "-f", "res")


def test_blkio_and_devices(berth, tmp_path):
    """--device, --device-read-bps and --blkio-weight on a loop device (the VM lane's guest
    has no disk)."""
    if not cgroupfs.has("blkio") and not cgroupfs.has("io"):
        pytest.skip("no blkio controller")
    loop = cgroupfs.LoopDevice(tmp_path)
    try:
        bfq = loop.use_bfq()
        dev = "%d:%d" % (loop.major, loop.minor)
        # weights need the BFQ scheduler (since CFQ went in Linux 5.0)
        weight = ["--blkio-weight", "300"] if bfq else []
        berth("run", "-d", "--name", "dev", "--device", "/dev/null:/dev/mynull:rw",
              "--device-read-bps", "%s:1mb" % loop.path, *weight, "busybox", "sleep", "60")
        berth.wait_status("dev", "running")
        out = berth("exec", "dev", "ls", "-l", "/dev/mynull").out
        assert out.startswith("c") and "1," in out
        assert berth.inspect("dev")["HostConfig"]["BlkioWeight"] == (300 if bfq else 0)
        if cgroupfs.is_v2("blkio"):
            io_max = berth.cgroup_file("dev", "blkio", None, "io.max").splitlines()
            assert "%s rbps=1048576 wbps=max riops=max wiops=max" % dev in io_max, io_max
            if bfq:
                w = berth.cgroup_file("dev", "blkio", None, "io.bfq.weight")
                assert w.splitlines()[0] == "default 300", w
        else:
            v = berth.cgroup_file("dev", "blkio", "blkio.throttle.read_bps_device", None)
            assert v == "%s 1048576" % dev
            if bfq:
                assert "300" in berth.cgroup_file("dev", "blkio", "blkio.bfq.weight", None)
        berth("rm", "-f", "dev")
    finally:
        loop.close()


def test_userns_host_only(berth):
    berth("run", "--rm", "--userns", "host", "busybox", "true")
    r = berth("run", "--rm", "--userns", "keep-id", "busybox", "true", check=False)
    assert r.rc == 125 and "USER" in r.err
