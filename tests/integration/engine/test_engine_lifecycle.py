"""stop, kill, wait, restart policies, pause, the monitor (killed, logs), exec, inspect,
networks."""

import json
import os
import re
import signal
import subprocess
import time

import cgroupfs
import oci
from enginehelp import monitors_of


def test_stop_sends_the_stop_signal_then_kill(berth):
    # TERM is trapped and ignored: stop kills after the timeout
    berth("run", "-d", "--name", "stubborn", "busybox", "sh", "-c",
          "trap 'echo got-term' TERM; while :; do sleep 0.1; done")
    berth.wait_status("stubborn", "running")
    t = time.time()
    berth("stop", "-t", "1", "stubborn")
    assert 0.9 < time.time() - t < 8
    assert berth.inspect("stubborn")["State"]["ExitCode"] == 137
    assert "got-term" in berth("logs", "stubborn").out
    berth("rm", "stubborn")


def test_stop_of_several_containers_is_side_by_side(berth):
    """`stop a b c` signals all three at once (docker's parallel stop): each gets TERM while
    the first one's timeout still runs, so the command takes one timeout, not three. The
    containers ignore TERM; the test kills them once all three have seen it."""
    names = ["par%d" % i for i in range(3)]
    for n in names:
        berth("run", "-d", "--name", n, "busybox", "sh", "-c",
              "trap 'echo got-term' TERM; while :; do sleep 0.1; done")
        berth.wait_status(n, "running")
    stop = berth.popen("stop", "-t", "120", *names, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    try:
        saw = oci.wait_for(lambda: all("got-term" in berth("logs", n).out for n in names), 60)
    finally:
        for n in names:
            berth("kill", n, check=False)
        out, err = stop.communicate(timeout=60)
    assert saw, [berth("logs", n).out for n in names]
    assert stop.returncode == 0 and out.split() == names, (out, err)  # in the order given
    for n in names:
        berth("rm", n)


def test_stop_signal_and_timeout_flags(berth):
    berth("run", "-d", "--name", "usr1", "--stop-signal", "USR1", "--stop-timeout", "5",
          "busybox", "sh", "-c", "trap 'exit 42' USR1; while :; do sleep 0.1; done")
    berth.wait_status("usr1", "running")
    info = berth.inspect("usr1")
    assert info["Config"]["StopSignal"] == "USR1" and info["Config"]["StopTimeout"] == 5
    berth("stop", "usr1")
    assert berth.inspect("usr1")["State"]["ExitCode"] == 42
    berth("rm", "usr1")


def test_kill_with_a_signal(berth):
    berth("run", "-d", "--name", "kk", "busybox", "sh", "-c",
          "trap 'echo hup; exit 5' HUP; while :; do sleep 0.1; done")
    berth.wait_status("kk", "running")
    berth("kill", "-s", "HUP", "kk")
    assert berth("wait", "kk").out == "5\n"
    r = berth("kill", "kk", check=False)
    assert r.rc == 1 and "is not running" in r.err
    berth("rm", "kk")


def test_restart_on_failure(berth):
    berth("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox",
          "sh", "-c", "echo try; exit 1")
    assert oci.wait_for(lambda: berth.inspect("flaky")["State"]["Status"] == "exited"
                        and berth.inspect("flaky")["RestartCount"] == 2, 15)
    assert berth("logs", "flaky").out == "try\ntry\ntry\n"
    assert berth.inspect("flaky")["HostConfig"]["RestartPolicy"] == {
        "Name": "on-failure", "MaximumRetryCount": 2}
    berth("rm", "flaky")


def test_restart_always_until_stopped(berth):
    berth("run", "-d", "--name", "again", "--restart", "always", "busybox", "sh", "-c",
          "sleep 0.2")
    assert oci.wait_for(lambda: berth.inspect("again")["RestartCount"] >= 1, 15)
    berth("stop", "-t", "1", "again")
    assert berth.inspect("again")["State"]["Status"] == "exited"
    assert monitors_of(berth.root) == [] or oci.wait_for(lambda: not monitors_of(berth.root), 5)
    berth("rm", "again")


def test_pause_unpause(berth):
    berth("run", "-d", "--name", "frozen", "busybox", "sleep", "60")
    berth.wait_status("frozen", "running")
    pid = berth.pid("frozen")
    berth("pause", "frozen")
    frozen = cgroupfs.read(berth.cgroup("frozen"), "freezer", "freezer.state", "cgroup.freeze")
    assert frozen in ("FROZEN", "1")
    assert oci.proc_state(pid) in ("S", "D")
    assert "(Paused)" in berth("ps").out
    assert berth.inspect("frozen")["State"]["Paused"] is True
    berth("unpause", "frozen")
    assert berth.inspect("frozen")["State"]["Status"] == "running"
    thawed = cgroupfs.read(berth.cgroup("frozen"), "freezer", "freezer.state", "cgroup.freeze")
    assert thawed in ("THAWED", "0")
    berth("rm", "-f", "frozen")


def test_killed_monitor_is_noticed(berth):
    berth("run", "-d", "--name", "orphan", "busybox", "sleep", "60")
    berth.wait_status("orphan", "running")
    pid = berth.pid("orphan")
    mon = berth.inspect("orphan")["State"]["MonitorPid"]
    os.kill(mon, signal.SIGKILL)
    assert oci.wait_for(lambda: oci.proc_state(mon) in (None, "Z"), 5)
    assert re.search(r"Exited \(137\)", berth("ps", "-a").out)
    assert oci.wait_for(lambda: oci.proc_state(pid) in (None, "Z"), 5)
    assert berth("ps", "-q").out == ""
    berth("rm", "orphan")


def test_logs_options(berth):
    berth("run", "--name", "talk", "busybox", "sh", "-c",
          "for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2")
    r = berth("logs", "talk")
    assert r.out == "line1\nline2\nline3\nline4\nline5\n" and r.err == "oops\n"
    assert berth("logs", "--tail", "2", "talk").out == "line5\n"
    ts = berth("logs", "-t", "talk").out.splitlines()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line1$", ts[0])
    assert berth("logs", "--since", "1h", "talk").out.count("\n") == 5
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    assert berth("logs", "--since", future, "talk").out == ""
    # the json-file format on disk
    log = berth.inspect("talk")["LogPath"]
    with open(log) as f:
        first = json.loads(f.readline())
    assert first["log"] == "line1\n" and first["stream"] == "stdout" and first["time"]
    berth("rm", "talk")


def test_logs_follow_until_exit(berth):
    berth("run", "-d", "--name", "slow", "busybox", "sh", "-c",
          "echo a; sleep 1; echo b")
    p = berth.popen("logs", "-f", "slow", stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=15)
    assert out == "a\nb\n" and p.returncode == 0
    berth("rm", "slow")


def test_log_rotation(berth):
    berth("run", "--name", "chatty", "--log-opt", "max-size=2k", "--log-opt", "max-file=2",
          "busybox", "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done")
    log = berth.inspect("chatty")["LogPath"]
    assert os.path.getsize(log) <= 2048 and os.path.exists(log + ".1")
    assert not os.path.exists(log + ".2")
    out = berth("logs", "chatty").out.splitlines()
    assert out[-1] == "line-199" and len(out) < 200
    berth("rm", "chatty")


def test_exec(berth):
    berth("run", "-d", "--name", "ex", "-e", "BASE=1", "busybox", "sleep", "60")
    berth.wait_status("ex", "running")
    r = berth("exec", "-e", "X=2", "-u", "nobody", "-w", "/tmp", "ex", "sh", "-c",
              "echo $BASE $X; id -u; pwd")
    assert r.out == "1 2\n65534\n/tmp\n"
    assert berth("exec", "ex", "sh", "-c", "exit 9", check=False).rc == 9
    berth("exec", "-d", "ex", "sh", "-c", "sleep 1; touch /tmp/bg")
    assert oci.wait_for(lambda: berth("exec", "ex", "test", "-f", "/tmp/bg", check=False).rc == 0, 10)
    # the exec runs in the container's namespaces
    pid = berth.pid("ex")
    out = berth("exec", "ex", "readlink", "/proc/self/ns/pid").out.strip()
    assert out == os.readlink("/proc/%d/ns/pid" % pid)
    assert berth("exec", "ex", "nope", check=False).rc == 127
    berth("stop", "-t", "0", "ex")
    r = berth("exec", "ex", "true", check=False)
    assert r.rc != 0 and "not running" in r.err
    berth("rm", "ex")


def test_inspect_shape(berth):
    cid = berth("run", "-d", "--name", "shape", "-e", "K=V", "--memory", "32m",
                "busybox", "sleep", "60").out.strip()
    berth.wait_status("shape", "running")
    info = berth.inspect("shape")
    assert info["Id"] == cid and info["Name"] == "/shape"
    assert info["Path"] == "sleep" and info["Args"] == ["60"]
    st = info["State"]
    assert st["Status"] == "running" and st["Running"] and st["Pid"] > 0
    assert re.match(r"\d{4}-\d\d-\d\dT", st["StartedAt"])
    assert info["Config"]["Image"] == "busybox" and "K=V" in info["Config"]["Env"]
    assert info["HostConfig"]["Memory"] == 32 << 20
    assert info["Image"].startswith("sha256:")
    assert berth("inspect", "-f", "{{.State.Pid}}", "shape").out.strip() == str(st["Pid"])
    # images are still inspected by the same command
    assert json.loads(berth("inspect", "busybox").out)[0]["RepoTags"] == ["busybox:latest"]
    berth("rm", "-f", "shape")


def test_network_none_and_host(berth):
    out = berth("run", "--rm", "busybox", "cat", "/proc/net/dev").out
    ifaces = sorted(line.split(":")[0].strip() for line in out.splitlines()[2:])
    assert ifaces == ["lo"]
    assert "UP" in berth("run", "--rm", "busybox", "ip", "link", "show", "lo").out
    out = berth("run", "--rm", "--network", "host", "busybox", "readlink",
                "/proc/self/ns/net").out.strip()
    assert out == os.readlink("/proc/self/ns/net")


def test_wait_prints_exit_codes(berth):
    berth("run", "-d", "--name", "ww", "busybox", "sh", "-c", "sleep 0.5; exit 4")
    assert berth("wait", "ww").out == "4\n"
    berth("rm", "ww")
