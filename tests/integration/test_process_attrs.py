"""Process attributes (config.md "Linux Process", config-linux.md): capabilities,
noNewPrivileges, umask, rlimits, oomScoreAdj, env and PATH lookup, ioPriority, scheduler,
personality and memoryPolicy, as the kernel shows them."""

import os
import shutil
import subprocess

import pytest

import oci
from oci import sh

PROBE = os.path.join(oci.REPO, "build", "tests", "helpers", "berth-probe")
CAPS = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_KILL": 5, "CAP_SETGID": 6,
        "CAP_SETUID": 7, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_RAW": 13, "CAP_SYS_ADMIN": 21}


def mask(*names):
    return sum(1 << CAPS[n] for n in names)


def created(runtime, bundle, tmp_path, args=("sleep", "1000")):
    """create, then the init's pid (still berth/runc's setup process until start)."""
    bundle.set_args(list(args))
    pid_file = str(tmp_path / "pid")
    r = runtime.create(bundle, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(open(pid_file).read())
    runtime.remember_pid(pid)
    return pid


def started(runtime, bundle, tmp_path, args=("sleep", "1000")):
    pid = created(runtime, bundle, tmp_path, args)
    assert runtime.start(bundle.id).rc == 0
    assert oci.wait_for(lambda: open("/proc/%d/comm" % pid).read().strip() == args[0]), \
        "the process did not start"
    return pid


def run_ok(runtime, bundle, script):
    bundle.set_args(sh(script))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    return r.out


def status_caps(out):
    return {k: int(v, 16) for k, v in (l.split(":\t") for l in out.splitlines()
                                       if l.startswith("Cap"))}


def test_capability_sets_of_root(runtime, bundle):
    """As root, execve makes permitted and effective the bounding set again (no file
    capabilities needed): the kernel shows the config's bounding, inheritable and
    ambient sets, and bounding as permitted and effective."""
    bundle.process["capabilities"] = {
        "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID"],
        "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
        "effective": ["CAP_KILL"],
        "inheritable": ["CAP_CHOWN", "CAP_NET_RAW"],
        "ambient": ["CAP_CHOWN"],
    }
    bundle.process["noNewPrivileges"] = False
    got = status_caps(run_ok(runtime, bundle, "grep ^Cap /proc/self/status"))
    bnd = mask("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID")
    assert got["CapBnd"] == bnd
    assert got["CapInh"] == mask("CAP_CHOWN", "CAP_NET_RAW")
    assert got["CapAmb"] == mask("CAP_CHOWN")
    assert got["CapPrm"] == bnd and got["CapEff"] == bnd


def test_capability_sets_of_a_user(runtime, bundle, tmp_path):
    """As a non-root user, what survives execve is the ambient set (in permitted and
    effective), the inheritable set and the bounding set, exactly."""
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.process["capabilities"] = {
        "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
        "permitted": ["CAP_KILL", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
        "effective": ["CAP_KILL"],
        "inheritable": ["CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_NET_BIND_SERVICE"],
    }
    pid = started(runtime, bundle, tmp_path)
    st = {k: int(v, 16) for k, v in oci.proc_status(pid).items() if k.startswith("Cap")}
    assert st["CapBnd"] == mask("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE")
    assert st["CapInh"] == mask("CAP_NET_RAW", "CAP_NET_BIND_SERVICE")
    assert st["CapAmb"] == mask("CAP_NET_BIND_SERVICE")
    assert st["CapPrm"] == mask("CAP_NET_BIND_SERVICE")
    assert st["CapEff"] == mask("CAP_NET_BIND_SERVICE")
    assert oci.proc_status(pid)["Uid"].split() == ["1000"] * 4


def test_no_capabilities_for_a_user(runtime, bundle, tmp_path):
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.process["capabilities"] = {}
    pid = started(runtime, bundle, tmp_path)
    st = {k: int(v, 16) for k, v in oci.proc_status(pid).items() if k.startswith("Cap")}
    assert st["CapPrm"] == st["CapEff"] == st["CapInh"] == st["CapAmb"] == 0


@pytest.mark.parametrize("nnp", [True, False])
def test_no_new_privileges(runtime, bundle, nnp):
    bundle.process["noNewPrivileges"] = nnp
    out = run_ok(runtime, bundle, "grep NoNewPrivs /proc/self/status")
    assert out.split() == ["NoNewPrivs:", "1" if nnp else "0"]


def test_unknown_capability_is_a_warning(runtime, bundle):
    """config.md: a capability that cannot be mapped to the kernel MUST be logged as a
    warning, and runtimes SHOULD NOT fail: the others are still granted."""
    bundle.process["capabilities"] = {s: ["CAP_KILL", "CAP_NOPE"] for s in
                                      ("bounding", "effective", "permitted")}
    bundle.set_args(sh("grep ^CapBnd /proc/self/status"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert int(r.out.split()[1], 16) == mask("CAP_KILL")
    assert "CAP_NOPE" in r.err, r.err
    if runtime.name == "berth":
        assert "process.capabilities.bounding[1]" in r.err and "warning" in r.err, r.err


@pytest.mark.parametrize("caps,needle", [
    ({"ambient": "CAP_KILL"}, "process.capabilities.ambient"),
    ({"bounding": [5]}, "process.capabilities.bounding[0]"),
    ({"permitted": {"CAP_KILL": True}}, "process.capabilities.permitted"),
])
def test_malformed_capabilities_are_an_error(runtime, bundle, caps, needle):
    bundle.process["capabilities"] = caps
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_umask(runtime, bundle):
    bundle.process["user"]["umask"] = 0o027
    bundle.config["root"]["readonly"] = False
    out = run_ok(runtime, bundle, "umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d")
    assert out.split() == ["0027", "640", "750"]


def test_default_umask_is_022(runtime, bundle):
    assert run_ok(runtime, bundle, "umask").strip() == "0022"


def test_additional_gids(runtime, bundle):
    bundle.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20, 1000]}
    out = run_ok(runtime, bundle, "grep -E '^(Uid|Gid|Groups)' /proc/self/status")
    st = dict(l.split(":\t") for l in out.splitlines())
    assert st["Uid"].split() == ["1000"] * 4 and st["Gid"].split() == ["1000"] * 4
    assert sorted(st["Groups"].split(), key=int) == ["10", "20", "1000"]


def test_rlimits(runtime, bundle):
    bundle.process["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
        {"type": "RLIMIT_NPROC", "soft": 1000, "hard": 1000},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
    ]
    out = run_ok(runtime, bundle, "cat /proc/self/limits")
    rows = {l[:26].strip(): l[26:].split()[:2] for l in out.splitlines()[1:]}
    assert rows["Max open files"] == ["100", "200"]
    assert rows["Max processes"] == ["1000", "1000"]
    assert rows["Max core file size"] == ["0", "0"]


def test_rlimit_above_the_hosts_hard_limit_fails_clearly(runtime, bundle):
    """This host lacks CAP_SYS_RESOURCE: a hard limit above the current one cannot be set."""
    hard = int(open("/proc/self/limits").read().split("Max open files")[1].split()[1])
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": hard + 1, "hard": hard + 1}]
    r = runtime.create(bundle)
    if r.rc == 0:
        pytest.skip("this host may raise hard limits (CAP_SYS_RESOURCE)")
    if runtime.name == "berth":
        assert "RLIMIT_NOFILE" in r.err and "CAP_SYS_RESOURCE" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_oom_score_adj(runtime, bundle, tmp_path):
    bundle.process["oomScoreAdj"] = 500
    pid = started(runtime, bundle, tmp_path)
    assert open("/proc/%d/oom_score_adj" % pid).read().strip() == "500"


def test_oom_score_adj_unset_is_inherited(runtime, bundle, tmp_path):
    mine = open("/proc/self/oom_score_adj").read().strip()
    pid = started(runtime, bundle, tmp_path)
    assert open("/proc/%d/oom_score_adj" % pid).read().strip() == mine


def test_lowering_oom_score_adj_fails_clearly(runtime, bundle):
    """Lowering needs CAP_SYS_RESOURCE, which this host's root lacks."""
    mine = int(open("/proc/self/oom_score_adj").read())
    bundle.process["oomScoreAdj"] = max(mine - 100, -1000)
    r = runtime.create(bundle)
    if r.rc == 0:
        pytest.skip("this host may lower oom_score_adj (CAP_SYS_RESOURCE)")
    if runtime.name == "berth":
        assert "process.oomScoreAdj" in r.err and "CAP_SYS_RESOURCE" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_env_and_path_lookup(runtime, bundle):
    os.makedirs(os.path.join(bundle.rootfs, "opt/tools"))
    tool = os.path.join(bundle.rootfs, "opt/tools/hello")
    with open(tool, "w") as f:
        f.write("#!/bin/sh\necho hello from $0 $FOO\n")
    os.chmod(tool, 0o755)
    bundle.process["env"] = ["PATH=/nowhere:/opt/tools:/bin", "FOO=bar", "EMPTY="]
    bundle.set_args(["hello"])
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.strip() == "hello from /opt/tools/hello bar"


def test_env_is_exactly_the_configs_plus_home(runtime, bundle):
    bundle.process["env"] = ["PATH=/bin", "A=1"]
    bundle.set_args(["/usr/bin/env"])
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert sorted(r.out.split()) == ["A=1", "HOME=/root", "PATH=/bin"]


def test_missing_executable_on_path(runtime, bundle):
    bundle.process["env"] = ["PATH=/nowhere"]
    bundle.set_args(["sh"])
    r = runtime.run(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "exec 'sh': executable file not found in $PATH" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


# What runc 1.1.5 does not know: the tests run against berth only.
NEW_IN_1_2 = "runc 1.1.5 does not know this field (runtime-spec 1.2)"


@pytest.mark.berth_only(NEW_IN_1_2)
@pytest.mark.parametrize("klass,prio,shown", [
    ("IOPRIO_CLASS_BE", 5, "best-effort: prio 5"),
    ("IOPRIO_CLASS_RT", 2, "realtime: prio 2"),
    ("IOPRIO_CLASS_IDLE", 0, "idle"),
])
def test_io_priority(runtime, bundle, tmp_path, klass, prio, shown):
    if not shutil.which("ionice"):
        oci.skip("ionice (util-linux) is needed")
    bundle.process["ioPriority"] = {"class": klass, "priority": prio}
    pid = started(runtime, bundle, tmp_path)
    out = subprocess.run(["ionice", "-p", str(pid)], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == shown


def chrt(pid):
    if not shutil.which("chrt"):
        oci.skip("chrt (util-linux) is needed")
    out = subprocess.run(["chrt", "-p", str(pid)], capture_output=True, text=True,
                         check=True).stdout
    return {l.split(":", 1)[0].strip(): l.split(":", 1)[1].strip()
            for l in out.splitlines() if ":" in l}


def nice_of(pid):
    return int(open("/proc/%d/stat" % pid).read().rpartition(")")[2].split()[16])


def allow_realtime(bundle):
    """With RT group scheduling (cgroup v1 cpu.rt_runtime_us), a new cgroup has no
    real-time budget: give the container's some (linux.resources.cpu.realtimeRuntime is
    the cgroup work's; until it applies the limit, the test makes the cgroup itself)."""
    top = [m["mount_point"] for m in oci.host_mounts()
           if m["fstype"] == "cgroup" and "cpu" in m["super_opts"]]
    if not top or not os.path.exists(os.path.join(top[0], "cpu.rt_runtime_us")):
        return
    parent = top[0] + oci.CGROUP_PARENT
    os.makedirs(parent, exist_ok=True)
    with open(os.path.join(parent, "cpu.rt_runtime_us"), "w") as f:
        f.write("100000")
    own = top[0] + bundle.cgroups_path
    os.makedirs(own, exist_ok=True)
    with open(os.path.join(own, "cpu.rt_runtime_us"), "w") as f:
        f.write("10000")


@pytest.mark.berth_only(NEW_IN_1_2)
@pytest.mark.parametrize("sched,policy,prio,nice", [
    ({"policy": "SCHED_BATCH", "nice": 7}, "SCHED_BATCH", "0", 7),
    ({"policy": "SCHED_IDLE"}, "SCHED_IDLE", "0", 0),
    ({"policy": "SCHED_FIFO", "priority": 10}, "SCHED_FIFO", "10", 0),
    ({"policy": "SCHED_RR", "priority": 3, "flags": ["SCHED_FLAG_RESET_ON_FORK"]},
     "SCHED_RR|SCHED_RESET_ON_FORK", "3", 0),
    ({"policy": "SCHED_OTHER", "nice": -3}, "SCHED_OTHER", "0", -3),
])
def test_scheduler(runtime, bundle, tmp_path, sched, policy, prio, nice):
    if sched["policy"] in ("SCHED_FIFO", "SCHED_RR"):
        allow_realtime(bundle)
    bundle.process["scheduler"] = sched
    pid = started(runtime, bundle, tmp_path)
    got = chrt(pid)
    assert got["pid %d's current scheduling policy" % pid] == policy
    assert got["pid %d's current scheduling priority" % pid] == prio
    assert nice_of(pid) == nice


@pytest.mark.berth_only(NEW_IN_1_2)
def test_scheduler_deadline(runtime, bundle, tmp_path):
    bundle.process["scheduler"] = {"policy": "SCHED_DEADLINE", "runtime": 2000000,
                                   "deadline": 10000000, "period": 20000000}
    pid = started(runtime, bundle, tmp_path)
    got = chrt(pid)
    assert got["pid %d's current scheduling policy" % pid] == "SCHED_DEADLINE"
    assert got["pid %d's current runtime/deadline/period parameters" % pid] == \
        "2000000/10000000/20000000"


@pytest.mark.berth_only(NEW_IN_1_2)
@pytest.mark.parametrize("sched,needle", [
    ({"policy": "SCHED_FIFO"}, "process.scheduler.priority"),
    ({"policy": "SCHED_OTHER", "priority": 5}, "process.scheduler.priority"),
    ({"policy": "SCHED_OTHER", "nice": 40}, "process.scheduler: nice"),
    ({"policy": "SCHED_DEADLINE", "runtime": 5, "deadline": 1}, "process.scheduler"),
    ({"policy": "SCHED_BOGUS"}, "process.scheduler.policy"),
    ({"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_BOGUS"]}, "process.scheduler.flags[0]"),
])
def test_bad_scheduler_is_refused(runtime, bundle, sched, needle):
    bundle.process["scheduler"] = sched
    r = runtime.create(bundle)
    assert r.rc != 0
    assert needle in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.berth_only(NEW_IN_1_2)
def test_personality_linux32(runtime, bundle, tmp_path):
    if os.uname().machine != "x86_64":
        oci.skip("LINUX32 shows i686 on x86_64 hosts only")
    bundle.linux["personality"] = {"domain": "LINUX32"}
    assert run_ok(runtime, bundle, "uname -m").strip() == "i686"


@pytest.mark.berth_only(NEW_IN_1_2)
def test_personality_linux_is_the_default(runtime, bundle):
    bundle.linux["personality"] = {"domain": "LINUX"}
    assert run_ok(runtime, bundle, "uname -m").strip() == os.uname().machine


def probe_bundle(bundle):
    if not os.path.exists(PROBE):
        pytest.fail("%s is missing: build it (meson compile -C build)" % PROBE)
    shutil.copy(PROBE, os.path.join(bundle.rootfs, "bin/berth-probe"))


@pytest.mark.berth_only(NEW_IN_1_2)
@pytest.mark.parametrize("policy,shown", [
    ({"mode": "MPOL_BIND", "nodes": "0"}, "mode=2 nodes=1"),
    ({"mode": "MPOL_INTERLEAVE", "nodes": "0"}, "mode=3 nodes=1"),
    ({"mode": "MPOL_PREFERRED", "nodes": "0"}, "mode=1 nodes=1"),
    ({"mode": "MPOL_LOCAL"}, "mode=4 nodes=0"),
    ({"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]},
     "mode=32770 nodes=1"),
])
def test_memory_policy(runtime, bundle, policy, shown):
    probe_bundle(bundle)
    bundle.linux["memoryPolicy"] = policy
    bundle.set_args(["/bin/berth-probe", "mempolicy"])
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.strip() == shown


@pytest.mark.berth_only(NEW_IN_1_2)
def test_memory_policy_missing_node_is_a_clear_error(runtime, bundle):
    bundle.linux["memoryPolicy"] = {"mode": "MPOL_BIND", "nodes": "0,7"}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert "linux.memoryPolicy.nodes" in r.err and "does not have" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.berth_only("runc 1.1.5 accepts intelRdt without resctrl "
                        "(config-linux.md: an error)")
def test_intel_rdt_without_resctrl_is_an_error(runtime, bundle):
    if any(m["fstype"] == "resctrl" for m in oci.host_mounts()):
        oci.skip("this host has resctrl mounted")
    bundle.linux["intelRdt"] = {"closID": "guaranteed_group", "schemata": ["L3:0=7f0"]}
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "linux.intelRdt" in r.err and "resctrl" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_cwd_the_user_cannot_search_is_entered_while_privileged(runtime, bundle):
    """As runc: the cwd is entered before the switch to process.user, so a cwd only root
    may search (/root 0700) works for uid 42, who then sits in it."""
    os.makedirs(os.path.join(bundle.rootfs, "root"), exist_ok=True)
    os.chmod(os.path.join(bundle.rootfs, "root"), 0o700)
    bundle.process["user"] = {"uid": 42, "gid": 42}
    bundle.process["cwd"] = "/root"
    bundle.set_args(oci.sh("pwd; id -u"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["/root", "42"]


def test_missing_cwd_is_made_under_a_read_only_root(runtime, bundle):
    """A cwd that does not exist is made before root.readonly takes effect (runc too)."""
    bundle.config["root"]["readonly"] = True
    bundle.process["cwd"] = "/srv/work/here"
    bundle.set_args(oci.sh("pwd"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.strip() == "/srv/work/here"
    assert os.path.isdir(os.path.join(bundle.rootfs, "srv/work/here"))


@pytest.mark.berth_only("checks berth's message")
def test_realtime_policy_refused_by_the_cgroup_says_why(runtime, bundle):
    """SCHED_FIFO in a v1 cpu cgroup without a realtime budget (RT_GROUP_SCHED): the error
    says what the container's cgroup needs. Elsewhere the policy simply applies."""
    bundle.process["scheduler"] = {"policy": "SCHED_FIFO", "priority": 1}
    bundle.set_args(oci.sh("true"))
    r = runtime.run(bundle)
    if r.rc == 0:
        return
    assert "realtimeRuntime" in r.err, r.err
