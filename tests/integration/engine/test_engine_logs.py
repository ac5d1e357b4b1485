"""The json-file log and the monitor under load (issues 20 and 21): a flood written in
docker's format with few writes, `logs --tail` and `--since` reading only what they need,
`logs -f` through rotations, a stuck attached client, and a monitor that cannot record the
running state deleting what it created in the runtime."""

import json
import os
import re
import shutil
import stat
import subprocess

import pytest

import oci

# Go's time.RFC3339Nano in UTC: no trailing zeros in the fraction
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$")


def no_lsan():
    """The environment for a command under strace: LeakSanitizer (the ASan lane) cannot run
    under ptrace."""
    return dict(os.environ, ASAN_OPTIONS="detect_leaks=0")


def need_strace():
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")


def log_lines(path):
    """Every entry of a json-file log and its rotated files, oldest first."""
    files = [path]
    i = 1
    while os.path.exists("%s.%d" % (path, i)):
        files.insert(0, "%s.%d" % (path, i))
        i += 1
    out = []
    for p in files:
        with open(p) as f:
            out += [json.loads(line) for line in f]
    return out


def syscalls(trace_prefix, name, pattern):
    """How many calls matching pattern the process that executed `name` made, from
    `strace -ff -o trace_prefix`'s per-process files."""
    d, base = os.path.split(trace_prefix)
    for f in os.listdir(d):
        if not f.startswith(base + "."):
            continue
        with open(os.path.join(d, f)) as t:
            text = t.read()
        if re.search(r'execve\("[^"]*/%s"' % re.escape(name), text):
            return len(re.findall(pattern, text, re.M))
    raise AssertionError("no process executed %s in %s" % (name, trace_prefix))


def test_flood_is_logged_in_few_writes(berth, tmp_path):
    """100 000 lines reach the log complete, in docker's format, and the monitor writes
    them in chunks, not a write() per line (1 write per line before issue 21)."""
    need_strace()
    trace = str(tmp_path / "trace")
    r = subprocess.run(["strace", "-f", "-ff", "-qq", "-o", trace, "-e", "trace=execve,write"]
                       + berth.argv(["run", "--name", "flood", "busybox", "seq", "1", "100000"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=120, env=no_lsan())
    assert r.returncode == 0, r.stderr
    entries = log_lines(berth.inspect("flood")["LogPath"])
    assert [e["log"] for e in entries] == ["%d\n" % i for i in range(1, 100001)]
    assert all(e["stream"] == "stdout" and TIME.match(e["time"]) for e in entries)
    with open(berth.inspect("flood")["LogPath"]) as f:
        assert re.match(r'^\{"log":"1\\n","stream":"stdout","time":"[^"]+"\}\n$', f.readline())
    writes = syscalls(trace, "berth-monitor", r"^write\(")
    assert writes < 5000, "berth-monitor made %d writes for 100000 lines" % writes
    berth("rm", "flood")


def test_tail_and_since_read_only_what_they_need(berth, tmp_path):
    """--tail 10 of a 10 MB log reads a few blocks from the end (it read the whole log, 4
    KiB at a time, before issue 21); --since binary-searches."""
    need_strace()
    berth("run", "--name", "big", "busybox", "sh", "-c",
          "seq 1 150000; echo last-line")
    log = berth.inspect("big")["LogPath"]
    assert os.path.getsize(log) > 8 << 20

    def reads(*args):
        trace = str(tmp_path / ("t-" + args[0].strip("-")))
        r = subprocess.run(["strace", "-f", "-ff", "-qq", "-o", trace, "-e",
                            "trace=execve,read,pread64"] + berth.argv(["logs"] + list(args)),
                           capture_output=True, text=True, timeout=60, env=no_lsan())
        assert r.returncode == 0, r.stderr
        return r.stdout, syscalls(trace, "berth", r"^p?read(64)?\(")

    out, n = reads("--tail", "10", "big")
    assert out == "".join("%d\n" % i for i in range(149992, 150001)) + "last-line\n"
    assert n < 300, "logs --tail 10 made %d reads" % n
    # --since the time of the 149 000th entry: a binary search, then 1 001 entries
    since = log_lines(log)[148999]["time"]
    out, n = reads("--since", since, "big")
    lines = out.splitlines()
    assert lines[-1] == "last-line" and int(lines[0]) <= 149000 and len(lines) >= 1002
    assert n < 600, "logs --since made %d reads" % n
    berth("rm", "big")


def test_follow_across_rotations_loses_nothing(berth):
    """`logs -f` while a flood rotates a small log many times: every line arrives, once,
    in order (whole rotated files were skipped before)."""
    berth("run", "-d", "--name", "rot", "--log-opt", "max-size=32k", "--log-opt",
          "max-file=100", "busybox", "sh", "-c",
          "while [ ! -e /tmp/go ]; do sleep 0.05; done; seq 1 30000")
    berth.wait_status("rot", "running")
    p = berth.popen("logs", "-f", "rot", stdout=subprocess.PIPE, text=True)
    berth("exec", "rot", "touch", "/tmp/go")
    out, _ = p.communicate(timeout=120)
    assert p.returncode == 0
    lines = out.splitlines()
    missing = sorted(set(range(1, 30001)) - set(int(x) for x in lines))
    assert not missing, "%d lines missing, first %s" % (len(missing), missing[:5])
    assert lines == [str(i) for i in range(1, 30001)]
    assert os.path.exists(berth.inspect("rot")["LogPath"] + ".20")
    berth("rm", "rot")


def test_stuck_attached_client_blocks_nothing(berth):
    """`berth run ... | (a reader that stops reading)`: the container still runs to its
    end and the log is complete; the client misses what did not fit its queue."""
    p = berth.popen("run", "--name", "stuck", "busybox", "sh", "-c",
                    "seq 1 300000; echo done >&2", stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        # nobody reads p.stdout: berth run blocks on its pipe after 64 KiB
        assert oci.wait_for(lambda: berth.status("stuck") == "exited", 60), \
            "the container never exited: %s" % berth.status("stuck")
        entries = log_lines(berth.inspect("stuck")["LogPath"])
        # two pipes: the order between stdout and stderr is not kept, each one's is
        out = [e["log"] for e in entries if e["stream"] == "stdout"]
        assert out == ["%d\n" % i for i in range(1, 300001)]
        assert [e["log"] for e in entries if e["stream"] == "stderr"] == ["done\n"]
    finally:
        p.stdout.close()   # the client goes away: so does the monitor
        p.wait(timeout=30)
    berth("rm", "stuck")


def test_monitor_deletes_the_runtime_container_when_recording_fails(berth, tmp_path):
    """The runtime started the container, then the monitor cannot record it as running
    (here state.json turns to garbage right after `runtime start`, as when `rm -f` races
    `run --rm`): the monitor deletes it from the runtime, so no runtime state, cgroup or
    process is left (the path called only `runtime kill` before issue 20)."""
    real = berth.runtime
    wrapper = tmp_path / "wrapped-runtime"
    cdir = os.path.join(berth.root, "containers")
    wrapper.write_text(
        "#!/bin/sh\n"
        "\"%s\" \"$@\"\n"
        "rc=$?\n"
        "for id; do :; done\n"
        "case \" $* \" in *' start '*)\n"
        "  cp \"%s/$id/state.json\" \"%s/$id/state.saved\"\n"
        "  echo garbage > \"%s/$id/state.json\";;\n"
        "esac\n"
        "exit $rc\n" % (real, cdir, cdir, cdir))
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    b = type(berth)(berth.root, str(wrapper), berth.runtime_name, berth.cgroup_parent)
    cid = b("create", "--name", "lost", "busybox", "sleep", "600").out.strip()
    r = b("start", "lost", check=False)
    assert r.rc != 0
    # what the monitor created in the runtime is gone before anyone else cleans up
    rt = os.path.join(berth.root, "runtime", "wrapped-runtime")
    left = [e for e in os.listdir(rt) if not e.startswith((".", "@"))] if os.path.isdir(rt) else []
    assert left == [], "runtime state left: %s" % left
    cg = [d for d in oci.cgroup_dirs(berth.cgroup_parent + "/" + cid) if os.path.isdir(d)]
    assert cg == [], "cgroups left: %s" % cg
    os.replace(os.path.join(cdir, cid, "state.saved"), os.path.join(cdir, cid, "state.json"))
    b("rm", "-f", "lost")
