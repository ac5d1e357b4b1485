"""Hooks that run inside the container must not be more privileged than the container.

startContainer hooks resolve their path in the container: the image can supply the
binary. Run before the process's identity was set, they had uid 0, every capability, no
no_new_privs, no seccomp filter and the runtime's own fds (issue 13 item 2, issue 19
item 8). As runc: they run right before the process's execve, as the process will.
createContainer hooks run with their cwd at the rootfs (runc's prepareRootfs).
"""

import os
import re
import subprocess

import pytest

import oci
from oci import sh

KILL = 1 << 5  # CAP_KILL


def status_fields(text):
    return dict(re.findall(r"^(\w+):\s+(.*)$", text, re.M))


def probe(path):
    """A startContainer hook: busybox from the rootfs writing what it is to path.*"""
    script = ('cat /proc/self/status > %s.status; ls /proc/self/fd > %s.fds' % (path, path))
    return {"path": "/bin/busybox", "args": ["sh", "-c", script]}


@pytest.fixture
def outdir(tmp_path):
    d = tmp_path / "hookout"
    d.mkdir()
    os.chmod(d, 0o777)   # written by uid 1000 in the container
    return d


def confined_bundle(bundle, outdir):
    """uid 1000, CAP_KILL only, noNewPrivileges and a seccomp filter; the hook and the
    process both record their /proc/self/status into outdir (at /out)."""
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.process["capabilities"] = {s: ["CAP_KILL"] for s in
                                      ("bounding", "effective", "permitted", "ambient")}
    bundle.process["noNewPrivileges"] = True
    bundle.linux["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": ["swapon"], "action": "SCMP_ACT_ERRNO"}]}
    bundle.add_mount("/out", "bind", str(outdir), ["rbind", "rw"])
    bundle.config["hooks"] = {"startContainer": [probe("/out/hook")]}
    bundle.set_args(sh("cat /proc/self/status > /out/proc.status"))


def test_start_container_hook_runs_as_the_process(runtime, bundle, outdir):
    confined_bundle(bundle, outdir)
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    hook = status_fields((outdir / "hook.status").read_text())
    proc = status_fields((outdir / "proc.status").read_text())
    assert hook["Uid"].split() == ["1000"] * 4, hook["Uid"]
    assert hook["Gid"].split() == ["1000"] * 4, hook["Gid"]
    assert int(hook["CapBnd"], 16) == KILL, hook
    for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"):
        assert hook[k] == proc[k], (k, hook[k], proc[k])
    assert hook["NoNewPrivs"] == "1", hook
    assert hook["Seccomp"] == "2", hook


def test_start_container_hook_as_root_has_only_the_configured_caps(runtime, bundle, outdir):
    """uid 0 in the container, but only the config's capabilities and filter."""
    confined_bundle(bundle, outdir)
    bundle.process["user"] = {"uid": 0, "gid": 0}
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    hook = status_fields((outdir / "hook.status").read_text())
    assert int(hook["CapBnd"], 16) == KILL, hook
    assert int(hook["CapEff"], 16) == KILL, hook
    assert hook["Seccomp"] == "2", hook


def test_start_container_hook_gets_no_runtime_fds(runtime, bundle, outdir, tmp_path):
    """Only stdin, stdout, stderr and ls's own directory fd (runc: the same 4): not an fd
    the caller left open without --preserve-fds (a host directory, CVE-2024-21626)."""
    confined_bundle(bundle, outdir)
    runtime._remember(bundle)
    leak = os.open(str(tmp_path), os.O_RDONLY | os.O_DIRECTORY)   # not close-on-exec
    try:
        p = subprocess.run([runtime.binary, "--root", runtime.root, "run", "--bundle",
                            bundle.path, bundle.id], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=oci.RUN_TIMEOUT, pass_fds=(leak,))
    finally:
        os.close(leak)
    assert p.returncode == 0, "run failed"
    fds = sorted(int(x) for x in (outdir / "hook.fds").read_text().split())
    assert fds == [0, 1, 2, 3], fds


def test_create_container_hook_cwd_is_the_rootfs(runtime, bundle, tmp_path):
    """runc's prepareRootfs chdirs to the rootfs before running createContainer hooks."""
    if not os.path.exists("/bin/busybox"):
        pytest.skip("busybox-static is needed on the host")
    out = tmp_path / "cwd"
    bundle.config["hooks"] = {"createContainer": [{
        "path": "/bin/busybox",
        "args": ["sh", "-c", "readlink /proc/self/cwd > %s" % out]}]}
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert out.read_text().strip() == os.path.realpath(bundle.rootfs)


def test_start_container_hook_without_env_gets_the_process_env(runtime, bundle, outdir):
    """A hook without env gets the environment of the process (runc's init has the
    process's), never the runtime caller's: the image may supply the hook."""
    confined_bundle(bundle, outdir)
    bundle.process["env"] = bundle.process["env"] + ["CONTAINER_VAR=in"]
    bundle.config["hooks"]["startContainer"] = [
        {"path": "/bin/busybox", "args": ["sh", "-c", "env > /out/hook.env"]}]
    runtime.env = dict(os.environ, BERTH_TEST_CALLER_SECRET="leaked")
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    env = (outdir / "hook.env").read_text()
    assert "CONTAINER_VAR=in" in env, env
    assert "BERTH_TEST_CALLER_SECRET" not in env, env


@pytest.mark.berth_only("runc re-executes a sealed copy of itself: nothing to guard")
def test_start_container_hook_cannot_swap_in_the_runtime_binary(runtime, bundle):
    """A startContainer hook (the image's) runs after the exec guard's first check: if it
    rewrites the program into a `#!/proc/self/exe` script, the process would exec the
    runtime's own binary in the container (CVE-2019-5736). Checked again after the hooks."""
    with open(os.path.join(bundle.rootfs, "entry"), "w") as f:
        f.write("#!/bin/sh\necho harmless\n")
    os.chmod(os.path.join(bundle.rootfs, "entry"), 0o755)
    bundle.config["hooks"] = {"startContainer": [{
        "path": "/bin/busybox",
        "args": ["sh", "-c", "printf '#!/proc/self/exe\\n' > /entry"]}]}
    bundle.config["root"]["readonly"] = False
    bundle.set_args(["/entry"])
    r = runtime.run(bundle)
    assert r.rc != 0, str(r)
    assert "CVE-2019-5736" in r.err, r.err
