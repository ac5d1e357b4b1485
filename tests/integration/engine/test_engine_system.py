"""version, info and events (docker 20.10's): the host's facts as the kernel reports them,
the container counts, and the event journal read back, filtered and followed."""

import json
import os
import platform
import re
import select
import signal
import subprocess
import time

from enginehelp import ENGINE

GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}


def ns_arg(ns):
    """A Unix timestamp with nanoseconds, exact: --since/--until's form."""
    return "%d.%09d" % (ns // 10**9, ns % 10**9)


def events(berth, *args):
    """The past events as JSON objects (--until now: no following)."""
    until = ns_arg(time.time_ns() + 10**6)
    out = berth("events", "--since", "0", "--until", until, "--format", "{{json .}}",
                *args, timeout=30).out
    return [json.loads(line) for line in out.splitlines()]


def test_version_fields(berth):
    v = json.loads(berth("version", "--format", "{{json .}}").out)
    # the runtime berth resolves by name: the one beside its own binary
    rt = subprocess.run([os.path.join(os.path.dirname(ENGINE), "berth-runtime"), "--version"],
                        capture_output=True, text=True, check=True).stdout
    assert v["Client"]["ApiVersion"] == "1.41"
    assert v["Client"]["Version"] == v["Server"]["Version"]
    assert v["Client"]["Os"] == "linux"
    assert v["Client"]["Arch"] == GO_ARCH.get(platform.machine(), platform.machine())
    assert v["Server"]["KernelVersion"] == os.uname().release
    runtime = v["Server"]["Components"][1]
    assert runtime["Name"] == "berth-runtime"
    assert "berth-runtime version %s" % runtime["Version"] in rt
    text = berth("version").out
    for line in ("Client:", " Version:           " + v["Client"]["Version"],
                 " API version:       1.41", "Server: berth Engine", " Engine:",
                 "  API version:      1.41 (minimum version 1.12)", " berth-runtime:",
                 "  Version:          " + runtime["Version"]):
        assert line in text.splitlines(), (line, text)
    assert berth("version", "--format", "{{.Server.Version}}").out == v["Server"]["Version"] + "\n"


def os_release_name():
    with open("/etc/os-release") as f:
        for line in f:
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return "Linux"


def cgroup_version():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == "/sys/fs/cgroup":
                return "2" if line.split(" - ")[1].startswith("cgroup2 ") else "1"
    return "1"


def mem_total():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal in /proc/meminfo")


def test_info_host_fields(berth, tmp_path):
    cfg = tmp_path / "registries.json"
    cfg.write_text(json.dumps({"registry-mirrors": ["https://mirror.example"],
                               "insecure-registries": ["127.0.0.1:5999"]}))
    info = json.loads(berth("--registry-config", str(cfg), "info", "--format",
                            "{{json .}}").out)
    assert info["KernelVersion"] == os.uname().release
    assert info["MemTotal"] == mem_total()
    assert info["NCPU"] == len(os.sched_getaffinity(0))
    assert info["Architecture"] == platform.machine()
    assert info["OSType"] == "linux"
    assert info["OperatingSystem"] == os_release_name()
    assert info["CgroupVersion"] == cgroup_version()
    assert info["CgroupDriver"] == "cgroupfs"
    assert info["Driver"] == "overlay"
    assert info["DockerRootDir"] == os.path.abspath(berth.root)
    assert info["Images"] == 1
    assert info["DefaultRuntime"] == "berth-runtime" and "berth-runtime" in info["Runtimes"]
    assert "name=seccomp,profile=default" in info["SecurityOptions"]
    assert info["RegistryConfig"]["Mirrors"] == ["https://mirror.example"]
    assert info["RegistryConfig"]["IndexConfigs"]["127.0.0.1:5999"]["Secure"] is False
    text = berth("--registry-config", str(cfg), "system", "info").out.splitlines()
    for line in (" Kernel Version: " + os.uname().release, " Storage Driver: overlay",
                 " Cgroup Version: " + cgroup_version(), " Docker Root Dir: " +
                 os.path.abspath(berth.root), " Insecure Registries:", "  127.0.0.1:5999",
                 " Registry Mirrors:", "  https://mirror.example", "  seccomp",
                 "   Profile: default"):
        assert line in text, (line, text)
    assert berth("info", "--format", "{{.CgroupDriver}}/{{.NCPU}}").out == \
        "cgroupfs/%d\n" % len(os.sched_getaffinity(0))


def counts(berth):
    out = berth("info", "--format", "{{.Containers}} {{.ContainersRunning}} "
                "{{.ContainersPaused}} {{.ContainersStopped}}").out
    return [int(n) for n in out.split()]


def test_info_counts_containers(berth):
    assert counts(berth) == [0, 0, 0, 0]
    berth("run", "-d", "--name", "cnt-run", "busybox", "sleep", "300")
    berth("create", "--name", "cnt-created", "busybox", "true")
    berth("run", "--name", "cnt-exited", "busybox", "true")
    berth.wait_status("cnt-run", "running")
    assert counts(berth) == [3, 1, 0, 2]
    berth("pause", "cnt-run")
    assert counts(berth) == [3, 0, 1, 2]
    text = berth("info").out.splitlines()
    assert " Containers: 3" in text and "  Paused: 1" in text and "  Stopped: 2" in text
    berth("rm", "-f", "cnt-run", "cnt-created", "cnt-exited")
    assert counts(berth) == [0, 0, 0, 0]


def run_stop_rm(berth, name):
    berth("run", "-d", "--name", name, "busybox", "sh", "-c",
          "trap 'exit 3' TERM; while :; do sleep 0.1; done")
    berth.wait_status(name, "running")
    berth("stop", "-t", "30", name)
    berth("rm", name)


def test_events_of_run_stop_rm(berth):
    run_stop_rm(berth, "ev-one")
    evs = events(berth, "--filter", "container=ev-one")
    assert [e["Action"] for e in evs] == ["create", "start", "kill", "die", "stop", "destroy"]
    cid = evs[0]["Actor"]["ID"]
    for e in evs:
        assert e["Type"] == "container" and e["scope"] == "local"
        assert e["id"] == cid and e["status"] == e["Action"] and e["from"] == "busybox"
        assert e["Actor"]["Attributes"]["name"] == "ev-one"
        assert e["Actor"]["Attributes"]["image"] == "busybox"
        assert e["time"] == e["timeNano"] // 10**9
    assert evs[2]["Actor"]["Attributes"]["signal"] == "15"
    assert evs[3]["Actor"]["Attributes"]["exitCode"] == "3"
    times = [e["timeNano"] for e in evs]
    assert times == sorted(times)
    # --since and --until bound the window (both ends included)
    out = berth("events", "--since", ns_arg(times[1]), "--until", ns_arg(times[3]),
                "--filter", "container=" + cid[:12], "--format", "{{.Action}}").out
    assert out.split() == ["start", "kill", "die"]
    # docker's line: time, type, action, ID, then the attributes sorted by key
    out = berth("events", "--since", ns_arg(times[3]), "--until", ns_arg(times[3]),
                "--filter", "container=ev-one").out
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) container die "
                        + cid + r" \(exitCode=3, image=busybox, name=ev-one\)\n", out), out


def test_events_filters(berth):
    run_stop_rm(berth, "ev-two")
    berth("run", "--name", "ev-three", "-l", "tier=front", "busybox", "true")
    berth("tag", "busybox", "other:1")
    berth("rmi", "other:1")
    berth("rm", "ev-three")
    assert [e["Action"] for e in events(berth, "--filter", "type=image")] == ["tag", "untag"]
    tag = events(berth, "--filter", "event=tag")[0]
    assert tag["Actor"]["ID"].startswith("sha256:")
    assert tag["Actor"]["Attributes"]["name"] == "other:1"
    dies = events(berth, "--filter", "event=die")
    assert sorted(e["Actor"]["Attributes"]["name"] for e in dies) == ["ev-three", "ev-two"]
    # one key's values: any; different keys: all
    both = events(berth, "-f", "event=die", "-f", "event=start", "-f", "container=ev-three")
    assert [e["Action"] for e in both] == ["start", "die"]
    assert [e["Action"] for e in events(berth, "-f", "label=tier=front", "-f", "event=create")] \
        == ["create"]
    assert events(berth, "-f", "label=tier=back") == []
    assert len(events(berth, "-f", "image=busybox", "-f", "event=destroy")) == 2
    r = berth("events", "--until", "0", "--filter", "colour=red", check=False)
    assert r.rc == 125 and "Invalid filter 'colour'" in r.err, r


def test_events_of_exec(berth):
    berth("run", "-d", "--name", "ev-exec", "busybox", "sleep", "300")
    berth.wait_status("ev-exec", "running")
    berth("exec", "ev-exec", "echo", "hi")
    acts = [e["Action"] for e in events(berth, "-f", "container=ev-exec",
                                        "-f", "event=exec_start", "-f", "event=exec_create")]
    assert acts == ["exec_create: echo hi", "exec_start: echo hi"]
    berth("rm", "-f", "ev-exec")


class LineReader:
    """proc's stdout line by line, each wait bounded (a generous timeout, not a guarantee)."""

    def __init__(self, proc):
        self.fd = proc.stdout.fileno()
        self.buf = b""

    def until(self, want, timeout=30):
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                lines.append(line.decode())
                if lines[-1] == want:
                    return lines
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError("no %r from events in %ds: %r" % (want, timeout, lines))
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError("events ended before %r: %r" % (want, lines))
            self.buf += chunk


def test_events_follow_sees_new_events_across_a_rotation(berth):
    berth("create", "--name", "ev-fol", "busybox", "sh", "-c", "exit 5")
    follow = berth.popen("events", "--since", "0", "--filter", "container=ev-fol",
                         "--format", "{{.Action}}", stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out = LineReader(follow)
    try:
        # the create is in the past: printed first, so the follower is reading now
        assert out.until("create") == ["create"]
        berth("start", "ev-fol")
        assert out.until("die") == ["start", "die"]
        # the journal rotated (as events.c does past 1 MiB): the new file is followed
        os.rename(os.path.join(berth.root, "events.log"),
                  os.path.join(berth.root, "events.log.1"))
        berth("rm", "ev-fol")
        assert out.until("destroy") == ["destroy"]
        follow.send_signal(signal.SIGINT)
        assert follow.wait(timeout=30) == 0, follow.stderr.read()
    finally:
        if follow.poll() is None:
            follow.kill()
            follow.wait()
        follow.stdout.close()
        follow.stderr.close()
