"""The command line as docker 20.10's (issue 16's discrepancies): each test is a scenario
checked against dockerd 20.10, with docker's messages and exit codes."""

import fcntl
import io
import json
import os
import socket
import subprocess
import tarfile
import termios

import pytest

import console_socket
import enginehelp


def test_inspect_type_and_mixed_names(berth):
    cid = berth("create", "--name", "insp", "busybox", "true").out.strip()
    image_id = berth("images", "-q", "--no-trunc", "busybox").out.strip()
    r = berth("inspect", "--format", "{{.Id}}", "insp", "busybox", "nosuch", "insp",
              check=False)
    assert r.rc == 1 and r.out.split() == [cid, image_id, cid], r
    assert "Error: No such object: nosuch" in r.err
    docs = json.loads(berth("inspect", "insp", "busybox").out)
    assert [d["Id"] for d in docs] == [cid, image_id]
    assert json.loads(berth("inspect", "--type", "container", "insp").out)[0]["Id"] == cid
    assert json.loads(berth("inspect", "--type", "image", "busybox").out)[0]["Id"] == image_id
    r = berth("inspect", "--type", "image", "insp", check=False)
    assert (r.rc, r.out.strip()) == (1, "[]") and "Error: No such image: insp" in r.err, r
    r = berth("container", "inspect", "busybox", check=False)
    assert r.rc == 1 and "Error: No such container: busybox" in r.err, r
    r = berth("inspect", "nosuch", check=False)
    assert r.rc == 1 and "Error: No such object: nosuch" in r.err, r
    r = berth("inspect", "--type", "volume", "insp", check=False)
    assert r.rc == 1 and "Error: No such volume: insp" in r.err, r
    r = berth("inspect", "--type", "bogus", "insp", check=False)
    assert r.rc == 1 and '"bogus" is not a valid value for --type' in r.err, r
    berth("rm", "insp")


def _tar_names(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else None)
                for m in t.getmembers()}


def _tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("running", [True, False])
def test_cp_tar_stream(berth, running, tmp_path):
    """cp CTR:PATH - writes a tar; cp - CTR:DIR unpacks one; a non-directory is refused."""
    berth("run", "-d", "--name", "cpt", "busybox", "sh", "-c",
          "mkdir /d && echo hello > /d/f && ln -s /etc/shadow /d/l && "
          "echo ready && exec sleep 60")
    berth.wait_log("cpt", "ready")
    if not running:
        berth("stop", "-t", "0", "cpt")

    def cp(*args, tar=None):
        return subprocess.run(berth.argv(["cp"] + list(args)), input=tar, capture_output=True,
                              cwd=tmp_path, timeout=60)

    out = cp("cpt:/d", "-")
    assert out.returncode == 0, out
    names = _tar_names(out.stdout)
    assert names["d/f"] == b"hello\n" and "d/l" in names, names
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as t:
        assert t.getmember("d/l").issym() and t.getmember("d/l").linkname == "/etc/shadow"
    tar = _tar_of({"in/x": b"one\n", "y": b"two\n"})
    p = cp("-", "cpt:/d", tar=tar)
    assert p.returncode == 0, p
    back = _tar_names(cp("cpt:/d", "-").stdout)
    assert back["d/in/x"] == b"one\n" and back["d/y"] == b"two\n", back
    for dst in ("/d/f", "/nonexist"):
        p = cp("-", "cpt:" + dst, tar=tar)
        assert p.returncode == 1, p
        assert ('destination "cpt:%s" must be a directory' % dst).encode() in p.stderr, p
    assert not os.path.lexists(tmp_path / "-")
    berth("rm", "-f", "cpt")


def _session_leader():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _on_pty(berth, tty, *args):
    """berth ARGS with the pty's slave as its stdio and controlling terminal."""
    return berth.popen(*args, stdin=tty.slave, stdout=tty.slave, stderr=tty.slave,
                       preexec_fn=_session_leader)


def test_run_it_follows_terminal_resizes(berth):
    """run -it: the container's terminal takes the caller's new size on SIGWINCH."""
    tty = console_socket.HostPty(rows=24, cols=80)
    p = _on_pty(berth, tty, "run", "-it", "--rm", "--name", "rsz", "busybox", "sh")
    try:
        tty.write(b"stty size; echo A$((6*7))\r")
        assert b"24 80" in tty.read_until(b"A42")
        tty.resize(40, 100)
        tty.write(b"stty size; echo B$((6*7))\r")
        assert b"40 100" in tty.read_until(b"B42")
        tty.write(b"exit\r")
        assert console_socket.wait(p) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
            berth("rm", "-f", "rsz", check=False)
        tty.close()


def test_exec_tty_sets_term(berth):
    berth("run", "-d", "--name", "term", "busybox", "sleep", "60")
    show = ["sh", "-c", "echo \"[$TERM]\""]

    def exec_t(*args):
        tty = console_socket.HostPty()
        try:
            p = _on_pty(berth, tty, "exec", "-t", *args, "term", *show)
            out = tty.read_until(b"]")
            assert console_socket.wait(p) == 0
            return out.decode().strip()
        finally:
            tty.close()
    assert exec_t() == "[xterm]"
    assert berth("exec", "term", *show).out.strip() == "[]"
    assert exec_t("-e", "TERM=vt100") == "[vt100]"
    berth("rm", "-f", "term")


def test_mount_bind_missing_source(berth, tmp_path):
    """--mount type=bind refuses a missing source (docker); -v makes it."""
    missing = tmp_path / "missing"
    r = berth("run", "--rm", "--mount", "type=bind,source=%s,target=/x" % missing, "busybox",
              "true", check=False)
    assert r.rc == 125, r
    assert ('invalid mount config for type "bind": bind source path does not exist: %s'
            % missing) in r.err, r
    assert not missing.exists() and berth.leftovers() == []
    berth("run", "--rm", "-v", "%s:/x" % missing, "busybox", "true")
    assert missing.is_dir()


def _online(path):
    with open(path) as f:
        return f.read().strip()


NCPU = len(os.sched_getaffinity(0))


@pytest.mark.parametrize("flags, message", [
    (["--cpus", str(NCPU + 1)],
     "Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available" % (NCPU, NCPU)),
    (["--cpuset-cpus", "1023"], "Requested CPUs are not available - requested 1023, "
     "available: " + _online("/sys/devices/system/cpu/online")),
    (["--cpuset-cpus", "x"], "Invalid value x for cpuset cpus: invalid format: x"),
    (["--cpuset-mems", "1023"], "Requested memory nodes are not available - requested 1023, "
     "available: " + _online("/sys/devices/system/node/online")),
    (["--sysctl", "kernel.foo=1"],
     "invalid argument \"kernel.foo=1\" for \"--sysctl\" flag: sysctl 'kernel.foo=1' is not "
     "whitelisted"),
    (["--sysctl", "vm.swappiness=1"], "sysctl 'vm.swappiness=1' is not whitelisted"),
    (["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"],
     'sysctl "net.ipv4.ip_forward" not allowed in host network namespace'),
])
def test_refused_before_create(berth, flags, message):
    """What dockerd refuses at create: docker's words, exit 125, no Created container."""
    for cmd in ("run", "create"):
        r = berth(cmd, *flags, "busybox", "true", check=False)
        assert r.rc == 125 and message in r.err, r
        assert "config.json" not in r.err, r
        assert berth.containers() == [] and berth.leftovers() == []


def test_accepted_resources(berth):
    berth("run", "--rm", "--cpus", str(NCPU), "--cpuset-cpus", "0",
          "--sysctl", "kernel.shmmax=1048576", "--sysctl", "net.ipv4.ip_forward=1",
          "busybox", "true")


def test_blkio_weight_unsupported_is_dropped(berth):
    """docker: without kernel support the weight is dropped with a warning, and the
    container runs (bfq hosts keep it)."""
    r = berth("run", "--name", "bw", "--blkio-weight", "300", "busybox", "true")
    dropped = ("WARNING: Your kernel does not support Block I/O weight or the cgroup is not "
               "mounted. Weight discarded.") in r.err
    weight = berth.inspect("bw")["HostConfig"]["BlkioWeight"]
    assert weight == (0 if dropped else 300), (weight, r)
    berth("rm", "bw")


def test_exec_refused_exits_1(berth):
    """docker exec: a missing, stopped or paused container is the daemon's error, exit 1."""
    r = berth("exec", "ghost", "true", check=False)
    assert r.rc == 1 and "No such container: ghost" in r.err, r
    cid = berth("create", "--name", "idle", "busybox", "true").out.strip()
    r = berth("exec", "idle", "true", check=False)
    assert r.rc == 1 and "Container %s is not running" % cid in r.err, r
    berth("run", "-d", "--name", "frozen", "busybox", "sleep", "60")
    berth("pause", "frozen")
    r = berth("exec", "frozen", "true", check=False)
    assert r.rc == 1, r
    assert "Container frozen is paused, unpause the container before exec" in r.err, r
    berth("unpause", "frozen")
    r = berth("exec", "-u", "nobody-here", "frozen", "true", check=False)
    assert r.rc == 126, r
    assert r.err.count("unable to find user nobody-here") == 1, r
    berth("rm", "-f", "idle", "frozen")


def test_oom_killed_child(berth):
    """docker 20.10: OOMKilled when any process of the container was OOM-killed, even one
    whose parent then exits 0."""
    r = berth("run", "--name", "ochild", "--memory", "32m", "--memory-swap", "32m", "busybox",
              "sh", "-c", "sh -c 'x=a; while :; do x=$x$x; done'; echo child=$?", check=False)
    assert r.rc == 0 and "child=137" in r.out, r
    st = berth.inspect("ochild")["State"]
    assert st["OOMKilled"] is True and st["ExitCode"] == 0, st
    berth("rm", "ochild")


@pytest.mark.parametrize("flags, swap", [
    (["-m", "20m"], 2 * 20 << 20),
    (["-m", "20m", "--memory-swap", "-1"], -1),
    (["-m", "20m", "--memory-swap", "30m"], 30 << 20),
    ([], 0),
])
def test_memory_swap_default(berth, flags, swap):
    """dockerd: MemorySwap defaults to twice the memory limit, and inspect shows it."""
    berth("create", "--name", "msw", *flags, "busybox", "true")
    assert berth.inspect("msw")["HostConfig"]["MemorySwap"] == swap
    berth("rm", "msw")


def test_ps_image_after_rmi(berth):
    """docker ps shows the image's id once the tag it was made from is gone."""
    image_id = berth("images", "-q", "--no-trunc", "busybox").out.strip()
    berth("tag", "busybox", "mytag:1")
    berth("create", "--name", "pi", "mytag:1", "true")
    show = ["ps", "-a", "--filter", "name=pi", "--format", "{{.Image}}"]
    assert berth(*show).out.strip() == "mytag:1"
    berth("rmi", "-f", "mytag:1")
    assert berth(*show).out.strip() == image_id.split(":")[1][:12]
    assert berth(*show, "--no-trunc").out.strip() == image_id
    assert berth.inspect("pi")["Config"]["Image"] == "mytag:1"
    berth("rm", "pi")


def test_network_host_keeps_hostname(berth):
    """docker: --network host keeps the host's name (hostname, /etc/hostname, inspect)."""
    host = socket.gethostname()
    out = berth("run", "--name", "hn", "--network", "host", "busybox", "sh", "-c",
                "hostname; cat /etc/hostname").out.split()
    assert out == [host, host]
    assert berth.inspect("hn")["Config"]["Hostname"] == host
    assert berth("run", "--rm", "--network", "host", "-h", "foo", "busybox",
                 "hostname").out.strip() == "foo"
    berth("rm", "hn")


def test_no_command_and_logout_exit_0(berth):
    """docker with no command prints its help (on stderr) and exits 0; logout where one is
    not logged in is no error."""
    p = subprocess.run([enginehelp.ENGINE], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "Usage: berth" in p.stderr and p.stdout == "", p
    r = berth("logout", "localhost:5999", check=False)
    assert r.rc == 0 and r.out == "Removing login credentials for localhost:5999\n", r
    assert berth("logout", check=False).rc == 0


def test_prune_asks_unless_forced(berth):
    """docker: prune asks first (stdin y/N), -f does not; --root after the command says
    where it goes."""
    done = berth("create", "busybox", "true").out.strip()
    for answer in ("", "n\n", "yes\n"):
        r = berth("container", "prune", input=answer)
        assert r.out == ("WARNING! This will remove all stopped containers.\nAre you sure you "
                         "want to continue? [y/N] Total reclaimed space: 0B\n"), r
        assert berth("ps", "-aq", "--no-trunc").out.split() == [done]
    r = berth("container", "prune", input="y\n")
    assert r.out.endswith("[y/N] Deleted Containers:\n%s\n\nTotal reclaimed space: 0B\n"
                          % done), r
    assert berth("ps", "-aq").out == ""
    assert berth("container", "prune", "-f").out == "Total reclaimed space: 0B\n"
    r = berth("ps", "--root", berth.root, check=False)
    assert r.rc == 125 and "'--root' is a global option: put it before the command" in r.err


def test_rootfs_mount_source_is_overlay(berth):
    """The container's / reads 'overlay overlay' in mountinfo, as docker's (not 'none')."""
    berth("run", "-d", "--name", "ovl", "busybox", "sleep", "60")
    with open("/proc/%d/mountinfo" % berth.pid("ovl")) as f:
        root = [line.split() for line in f if line.split()[4] == "/"]
    assert root, "no / in the container's mountinfo"
    fields = root[-1]
    after = fields[fields.index("-") + 1:]
    assert after[:2] == ["overlay", "overlay"], fields
    berth("rm", "-f", "ovl")


def test_stats_redraws_on_a_terminal(berth):
    """docker stats on a terminal clears the screen before each sample (and not in a pipe);
    memory in binary units."""
    berth("run", "-d", "--name", "st", "--memory", "64m", "busybox", "sleep", "60")
    tty = console_socket.HostPty()
    p = _on_pty(berth, tty, "stats", "st")
    try:
        out = tty.read_until(b"CONTAINER ID", timeout=20)
        out += tty.read_until(b"CONTAINER ID", timeout=20)
    finally:
        p.kill()
        p.wait()
        tty.close()
    assert out.count(b"\x1b[2J\x1b[H") == 2, out
    assert b"\x1b[2J\x1b[HCONTAINER ID" in out and b" / 64MiB " in out, out
    r = berth("stats", "--no-stream", "st")
    assert "\x1b" not in r.out and " / 64MiB " in r.out, r
    berth("rm", "-f", "st")


def test_format_go_template_functions(berth, tmp_path):
    """--format: Go template's range, if, index, len, join, upper/lower, printf, println, as
    docker users' scripts write them (outputs as docker 20.10 gives them)."""
    (tmp_path / "m").mkdir()
    berth("run", "-d", "--name", "fmt", "-l", "tier=web", "-v", "%s:/data" % (tmp_path / "m"),
          "busybox", "sleep", "60")

    def inspect(tmpl):
        return berth("inspect", "-f", tmpl, "fmt").out

    assert inspect("{{range .Mounts}}{{.Destination}} {{end}}") == "/data \n"
    assert inspect('{{if eq .State.Status "running"}}up{{else}}down{{end}}') == "up\n"
    assert inspect('{{index .Config.Labels "tier"}}') == "web\n"
    assert inspect("{{len .Config.Cmd}} {{.Config.Cmd}}") == "2 [sleep 60]\n"
    assert inspect('{{join .Config.Cmd ","}}') == "sleep,60\n"
    assert inspect("{{upper .Name}} {{lower .State.Status}}") == "/FMT running\n"
    assert inspect('{{printf "%s=%d" .Name .State.Pid}}') == \
        "/fmt=%d\n" % berth.pid("fmt")
    assert inspect("{{println .Name}}") == "/fmt\n\n"
    assert inspect("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}}{{end}}") == "tier:web\n"
    out = berth("ps", "--format", "table {{.Names}}\t{{upper .State}}").out.splitlines()
    assert out[0].split() == ["NAMES", "STATE"] and out[1].split() == ["fmt", "RUNNING"]
    r = berth("inspect", "-f", "{{nosuch .Name}}", "fmt", check=False)
    assert r.rc == 1 and 'function "nosuch" not defined' in r.err, r
    berth("rm", "-f", "fmt")


def test_make_run_installs_no_test_only_package(tmp_path):
    """`make run` (scripts/install-deps.sh build) asks only for what building and running
    berth needs: no client engine, peer runtime, qemu or test tool, and it calls neither
    the client tests' nor the VM lane's installers. A fake dpkg-query records what is
    asked and says everything is installed, so nothing is installed here."""
    log = tmp_path / "asked"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dpkg-query").write_text(
        '#!/bin/sh\nfor a; do last=$a; done\necho "$last" >> %s\n'
        'printf "install ok installed"\n' % log)
    (fake / "dpkg-query").chmod(0o755)
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    env = dict(os.environ, PATH="%s:%s" % (fake, os.environ["PATH"]))
    for mode in ("build", "check"):
        log.write_text("")
        p = subprocess.run(["sh", "-x", os.path.join(top, "scripts/install-deps.sh"), mode],
                           env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        asked = set(log.read_text().split())
        if mode == "build":
            assert {"gcc", "meson", "libseccomp-dev", "busybox-static"} <= asked, asked
            test_only = {"docker.io", "podman", "containerd", "runc", "qemu-system-x86",
                         "valgrind", "clang", "skopeo", "docker-registry", "python3-pytest"}
            assert not asked & test_only, asked & test_only
            assert "clients/deps.sh" not in p.stderr and "vm/deps.sh" not in p.stderr
        else:
            assert {"runc", "valgrind", "skopeo", "docker.io"} <= asked, asked
