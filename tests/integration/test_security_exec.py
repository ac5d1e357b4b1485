"""exec: the process appears in the container's pid namespace only once it is in every
other namespace of the container, with the container's root.

A runtime that joins the pid namespace first (the process is cloned into it) and the mount
namespace afterwards leaves a window in which a process of the container, with
CAP_SYS_PTRACE, sees the new pid and reads or writes the host through /proc/PID/root (or
stops it there with SIGSTOP and takes its time). To hold that window open without a race,
the container is paused: the process exec starts is frozen as it enters the container's
freezer cgroup, and a second container that shares the pid namespace (and is not frozen)
looks at everything in it (its init does: looking must not need the runtime under test).
A correct runtime has nothing of the exec in the pid namespace at that point (berth's
intermediate, which joins the cgroup and then the namespaces, is not in it), or only a
process already in the container's mount namespace (runc moves it into the cgroup after
setns).
"""

import os

import oci
from oci import sh

# The watcher's init: when the test opens /out/go, every process of the pid namespace:
# pid, mount namespace, and whether the host's marker file shows through /proc/PID/root.
# (Not an exec: the runtime under test must not be needed to look.)
WATCH = r"""
read go < /out/go
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  m=$(readlink $d/ns/mnt 2>/dev/null) || m=unreadable
  h=no; [ -e "$d/root$MARK" ] && h=host
  echo "$p $m $h"
done > /out/report.tmp
mv /out/report.tmp /out/report
exec sleep 1000
"""


def add_cap(bundle, cap):
    for kind, caps in bundle.process.setdefault("capabilities", {}).items():
        if kind != "inheritable" and cap not in caps:
            caps.append(cap)


def all_procs(bundle):
    """Pids in any of the container's cgroups (every v1 hierarchy and cgroup2)."""
    pids = set()
    for d in oci.cgroup_dirs(bundle.cgroups_path):
        try:
            pids |= {int(p) for p in oci.read_file(d + "/cgroup.procs").split()}
        except OSError:
            pass
    return pids


def thaw(bundle):
    """Thaw the container through its cgroup files, whatever state the runtime keeps (so
    that a failed assertion never leaves the exec frozen)."""
    for d in oci.cgroup_dirs(bundle.cgroups_path):
        for name, value in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
            if os.path.exists(os.path.join(d, name)):
                with open(os.path.join(d, name), "w") as f:
                    f.write(value)


def test_exec_is_in_the_mount_namespace_before_the_pid_namespace(runtime, make_bundle,
                                                                   tmp_path):
    victim, watcher = make_bundle("victim"), make_bundle("watcher")
    victim.set_args(["sleep", "1000"])
    r = runtime.run(victim, detach=True, pid_file=tmp_path / "victim.pid")
    assert r.rc == 0, str(r)
    init = int(oci.read_file(tmp_path / "victim.pid"))
    runtime.remember_pid(init)
    # The watcher: root in the victim's pid namespace with CAP_SYS_PTRACE, not frozen.
    marker = tmp_path / "host-only-marker"
    marker.write_text("host\n")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "go")
    watcher.set_args(sh(WATCH))
    watcher.process["env"].append("MARK=%s" % marker)
    watcher.add_mount("/out", "bind", str(out), ["rbind", "rw"])
    watcher.set_namespace_path("pid", "/proc/%d/ns/pid" % init)
    add_cap(watcher, "CAP_SYS_PTRACE")
    r = runtime.run(watcher, detach=True, pid_file=tmp_path / "watcher.pid")
    assert r.rc == 0, str(r)
    watcher_init = int(oci.read_file(tmp_path / "watcher.pid"))
    runtime.remember_pid(watcher_init)

    assert runtime("pause", victim.id).rc == 0
    runtime.wait_status(victim.id, "paused")
    before = all_procs(victim)
    ex = runtime.popen("exec", "--ignore-paused", victim.id, "sh", "-c", "echo in-container")
    try:
        new = oci.wait_for(lambda: all_procs(victim) - before)
        assert new, "the exec'd process never reached the paused container's cgroup"
        # The exec is held in its setup now (frozen). Look at the pid namespace from inside.
        with open(out / "go", "w") as f:
            f.write("go\n")
        assert oci.wait_for(lambda: os.path.exists(out / "report")), "the watcher did not report"
        report = oci.read_file(out / "report")
        allowed = {oci.ns_link("mnt", init), oci.ns_link("mnt", watcher_init)}
        seen = {}
        for line in report.splitlines():
            pid, mnt, host = line.split()
            seen[int(pid)] = (mnt, host)
        assert seen.get(1, ("", ""))[0] == oci.ns_link("mnt", init), report  # it can look
        bad = {p: v for p, v in seen.items() if v[1] == "host" or v[0] not in allowed}
        assert not bad, ("a process in the container's pid namespace outside its mount "
                         "namespace (the host's root through /proc/PID/root): %s\n%s"
                         % (bad, report))
        # And from the host: nothing in the pid namespace in another mount namespace.
        pidns = oci.ns_link("pid", init)
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                if oci.ns_link("pid", p) == pidns:
                    assert oci.ns_link("mnt", p) in allowed, oci.read_file(
                        "/proc/%s/cmdline" % p)
            except OSError:
                pass   # gone, or not ours to look at (the host's pid 1 in a sandbox)
    finally:
        thaw(victim)
    assert ex.wait(timeout=oci.TIMEOUT) == 0, oci.read_file(ex.err_path)
    assert oci.read_file(ex.out_path) == "in-container\n"
    if runtime.status(victim.id) == "paused":   # berth keeps it in its state
        assert runtime("resume", victim.id).rc == 0
