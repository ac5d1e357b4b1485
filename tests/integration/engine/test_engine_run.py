"""berth run/create/start: the process as docker makes it from the image and the flags."""

import os
import re


def test_foreground_run_streams_and_exit_code(berth):
    r = berth("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3", check=False)
    assert (r.rc, r.out, r.err) == (3, "out\n", "err\n")
    assert berth.containers() == []


def test_exit_by_signal_is_128_plus(berth):
    # the container's PID 1 ignores its own kill -9: the signal comes from berth kill
    p = berth.popen("run", "--name", "killed", "busybox", "sleep", "60")
    berth.wait_status("killed", "running")
    assert berth("kill", "killed").out == "killed\n"
    assert p.wait(timeout=10) == 137
    assert berth.inspect("killed")["State"]["ExitCode"] == 137
    assert berth("wait", "killed").out == "137\n"
    berth("rm", "killed")


def test_missing_command_is_127_and_the_container_stays(berth):
    r = berth("run", "--name", "nocmd", "busybox", "no-such-command", check=False)
    assert r.rc == 127 and "no-such-command" in r.err
    info = berth.inspect("nocmd")
    assert info["State"]["Status"] == "created" and info["State"]["Error"]
    berth("rm", "nocmd")
    r = berth("run", "--rm", "busybox", "no-such-command", check=False)
    assert r.rc == 127 and berth.containers() == []


def test_stdin_with_interactive(berth):
    r = berth("run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo done", input="hello\n")
    assert r.out == "hello\ndone\n"
    # without -i the container's stdin is empty
    r = berth("run", "--rm", "busybox", "cat", input="ignored\n")
    assert r.out == ""


def test_process_flags(berth, tmp_path):
    envfile = tmp_path / "env"
    envfile.write_text("# comment\nFROM_FILE=1\nB=file\n")
    r = berth("run", "--rm", "-e", "A=a", "-e", "B=flag", "--env-file", str(envfile),
              "-w", "/tmp/work", "-u", "1000:1001", "--hostname", "box", "busybox",
              "sh", "-c", "echo $A $B $FROM_FILE; pwd; id -u; id -g; hostname; echo $HOME")
    assert r.out.splitlines() == ["a flag 1", "/tmp/work", "1000", "1001", "box", "/"]


def test_user_by_name_from_the_image_passwd(berth):
    r = berth("run", "--rm", "-u", "nobody", "busybox", "id")
    assert r.out.startswith("uid=65534(nobody) gid=65534")


def test_entrypoint_and_cmd(berth):
    assert berth("run", "--rm", "--entrypoint", "echo", "busybox", "a", "b").out == "a b\n"
    # the image's Cmd is ["sh"]: with no command sh reads the (empty) stdin and exits
    info_cmd = berth("image", "inspect", "busybox").out
    assert '"sh"' in info_cmd
    cid = berth("create", "busybox").out.strip()
    info = berth.inspect(cid)
    assert info["Path"] == "sh" and info["Args"] == []
    assert info["Config"]["Env"][0].startswith("PATH=")
    berth("rm", cid)


def test_hostname_defaults_to_short_id_and_etc_files(berth):
    cid = berth("run", "-d", "busybox", "sleep", "60").out.strip()
    out = berth("exec", cid, "sh", "-c", "hostname; cat /etc/hostname; grep -c %s /etc/hosts; "
                "test -f /etc/resolv.conf && echo resolv" % cid[:12]).out.splitlines()
    assert out == [cid[:12], cid[:12], "1", "resolv"]
    berth("rm", "-f", cid)


def test_create_then_start(berth):
    cid = berth("create", "--name", "later", "busybox", "sleep", "60").out.strip()
    assert berth.inspect("later")["State"]["Status"] == "created"
    assert re.search(r"\bCreated\b", berth("ps", "-a").out)
    assert berth("start", "later").out == "later\n"
    berth.wait_status("later", "running")
    pid = berth.pid("later")
    assert os.path.exists("/proc/%d" % pid)
    berth("rm", "-f", "later")
    assert berth.containers() == [] and cid


def test_start_again_after_exit(berth):
    berth("run", "--name", "twice", "busybox", "sh", "-c", "echo ran")
    berth("start", "twice")
    berth.wait_status("twice", "exited")
    assert berth("logs", "twice").out == "ran\nran\n"
    berth("rm", "twice")


def test_labels_and_filters(berth):
    berth("create", "--name", "lab", "--label", "team=core", "-l", "x", "busybox", "true")
    assert berth.inspect("lab")["Config"]["Labels"] == {"team": "core", "x": ""}
    assert berth("ps", "-a", "--filter", "label=team=core", "--format", "{{.Names}}").out == "lab\n"
    assert berth("ps", "-a", "--filter", "label=team=other", "-q").out == ""
    berth("rm", "lab")


def test_ps_format_and_quiet(berth):
    cid = berth("run", "-d", "--name", "fmt", "busybox", "sleep", "60").out.strip()
    assert berth("ps", "-q").out == cid[:12] + "\n"
    assert berth("ps", "-q", "--no-trunc").out == cid + "\n"
    assert berth("ps", "--format", "{{.Names}} {{.State}}").out == "fmt running\n"
    berth("rm", "-f", "fmt")
