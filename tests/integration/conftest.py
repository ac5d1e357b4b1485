"""Fixtures for the integration tests: the runtime under test, bundles, and cleanup checks.

Every test that takes the `runtime` fixture runs once per runtime named in
BERTH_TEST_RUNTIMES (default "berth,runc"): test_x[berth], test_x[runc]. A test marked
@pytest.mark.berth_only("why") runs against berth only.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile

import pytest

import oci

KNOWN_RUNTIMES = ("berth", "runc", "crun")

# `berth run`/`create` pull a missing image: no test may reach a registry off this machine.
# Every HTTP(S) request except to loopback goes to a proxy on a closed loopback port
# (libcurl, urllib and skopeo honour these), so a pull of docker.io/... fails at once.
for _var in ("http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ[_var] = "http://127.0.0.1:9"
os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost,::1"

# The engine's containers made without --network get none, not the default bridge network
# (berth0 and its rules would be made in the host's network namespace, which no test may
# change): the tests of the default network run the engine in a namespace of their own
# and ask for it there (test_engine_default_bridge.py).
os.environ["BERTH_DEFAULT_NETWORK"] = "none"


def runtime_names():
    names = [n.strip() for n in os.environ.get("BERTH_TEST_RUNTIMES", "berth,runc").split(",")]
    names = [n for n in names if n]
    for n in names:
        if n not in KNOWN_RUNTIMES:
            raise pytest.UsageError("BERTH_TEST_RUNTIMES: unknown runtime %r (known: %s)"
                                    % (n, ", ".join(KNOWN_RUNTIMES)))
    return names


def runtime_binary(name):
    if name == "berth":
        return os.environ.get("BERTH_RUNTIME",
                              os.path.join(oci.REPO, "build", "berth-runtime"))
    return shutil.which(name) or name


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "berth_only(reason): runs against berth only; the reason says why "
        "(runc differs from the spec, or the test checks berth's own messages)")


def pytest_collection_modifyitems(config, items):
    """Drop the non-berth instances of berth_only tests."""
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("berth_only")
        params = getattr(item, "callspec", None)
        name = params.params.get("runtime") if params else None
        if marker and name is not None and name != "berth":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    """Remove the shared /berth-test parent cgroups when no test uses them any more."""
    for mp in oci.cgroup_mountpoints():
        try:
            os.rmdir(mp + oci.CGROUP_PARENT)
        except OSError:
            pass   # absent, or another run's containers are still in it


@pytest.fixture(params=runtime_names())
def runtime(request, tmp_path):
    """The runtime under test, with a private --root; the teardown deletes and checks."""
    name = request.param
    binary = runtime_binary(name)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.fail("runtime %s: %s is not an executable file (build it, set BERTH_RUNTIME, "
                    "or leave %s out of BERTH_TEST_RUNTIMES)" % (name, binary, name))
    rt = oci.Runtime(name, binary, tmp_path / "state", tmp_path / "calls")
    yield rt
    problems = teardown_runtime(rt, tmp_path)
    if problems:
        pytest.fail("left behind after the test:\n  " + "\n  ".join(problems), pytrace=False)


def teardown_runtime(rt, tmp_path):
    """delete --force every container, then check that nothing is left, removing leftovers.

    Returns the problems found. Every step runs even when an earlier one fails, so that a
    broken runtime does not leak processes, mounts or cgroups onto the shared host.
    """
    problems = []
    ids = set(rt.bundles)
    if os.path.isdir(rt.root):
        # Names that cannot be container ids (berth's "@seccomp" cache) are not states.
        ids |= {d for d in os.listdir(rt.root) if os.path.isdir(os.path.join(rt.root, d))
                and re.fullmatch(r"[A-Za-z0-9_+.-]+", d)}
    for cid in sorted(ids):
        if os.path.exists(os.path.join(rt.root, cid)):
            try:
                r = rt.delete(cid, force=True)
                if r.rc != 0:
                    problems.append("delete --force %s failed: %s" % (cid, r.err.strip()))
            except pytest.fail.Exception as e:
                problems.append("delete --force %s: %s" % (cid, str(e).splitlines()[0]))
    # Processes: the container inits seen, and anything still holding the test's files
    # (a container's stdout is a file under tmp_path). All were started by this test.
    leaked = {pid for pid, start in rt.pids.items()
              if oci.pid_alive(pid) and oci.proc_starttime(pid) == start}
    if leaked:
        oci.wait_for(lambda: not any(oci.pid_alive(p) for p in leaked), timeout=2)
    leaked = {p for p in leaked if oci.pid_alive(p)}
    leaked |= set(oci.procs_holding(tmp_path))
    for pid in sorted(leaked):
        problems.append("process %d still alive: %s (killed now)" % (pid, cmdline(pid)))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for cid in sorted(ids):
        if os.path.exists(os.path.join(rt.root, cid)):
            problems.append("state dir %s still exists" % os.path.join(rt.root, cid))
    for cid, bundle in sorted(rt.bundles.items()):
        leftover = oci.mounts_under(bundle.path)
        for mp in leftover:
            problems.append("mount %s still on the host (unmounted now)" % mp)
        for mp in sorted(leftover, key=len, reverse=True):
            subprocess.run(["umount", "-l", mp], check=False)
        cg = bundle.config.get("linux", {}).get("cgroupsPath", bundle.cgroups_path)
        for d in oci.cgroup_dirs(cg):
            problems.append("cgroup %s still exists (removed now)" % d)
            problems += oci.remove_cgroup_tree(d)
    for d in rt.cleanup_dirs:
        shutil.rmtree(d, ignore_errors=True)
    return problems


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:120]
    except OSError:
        return "?"


@pytest.fixture
def bundle(request, tmp_path):
    """A fresh busybox bundle (args `true`) with a unique id and cgroupsPath /berth-test/<id>.

    Edit bundle.config before handing it to runtime.create/run, which write config.json.
    """
    return oci.Bundle(tmp_path / "bundle", oci.unique_id(request.node.name))


@pytest.fixture
def open_bundle(request, runtime):
    """Factory for bundles in a directory every user may traverse (tmp_path is 0700 root):
    for user namespaces and rootless runs. open_bundle() or open_bundle('name').

    The directory is removed by the runtime's teardown, after the containers are gone.
    """
    def make(name="open"):
        top = tempfile.mkdtemp(prefix="berth-test-", dir="/tmp")
        os.chmod(top, 0o755)
        runtime.cleanup_dirs.append(top)
        return oci.Bundle(os.path.join(top, "bundle"),
                          oci.unique_id("%s-%s" % (name, request.node.name)))
    return make


@pytest.fixture
def make_bundle(request, tmp_path):
    """Factory for more bundles in one test: make_bundle('name')."""
    def make(name):
        return oci.Bundle(tmp_path / ("bundle-" + name),
                          oci.unique_id("%s-%s" % (name, request.node.name)))
    return make


@pytest.fixture
def netns():
    """A new network namespace berth-test-*, deleted afterwards; yields its name."""
    if not shutil.which("ip"):
        oci.skip("ip (iproute2) is not installed")
    name = oci.netns_name("ns")
    subprocess.run(["ip", "netns", "add", name], check=True)
    yield name
    subprocess.run(["ip", "netns", "delete", name], check=False)


@pytest.fixture
def helper_process():
    """Start helper processes (e.g. `unshare --uts sleep 1000`); each is killed by PID after."""
    procs = []

    def start(argv):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        procs.append(p)
        return p
    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=10)


@pytest.fixture
def host_mount():
    """Mount something on the host (under tmp_path); unmounted afterwards."""
    mounted = []

    def mount(*args, target):
        subprocess.run(["mount", *args, target], check=True)
        mounted.append(target)
    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", target], check=False)


@pytest.fixture
def engine(tmp_path):
    """build/berth with a private --root (images tests)."""
    import images
    e = images.Engine(tmp_path / "berth-root")
    yield e
    # an image mount a failed test left behind
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4]
            if mp.startswith(str(tmp_path)):
                subprocess.run(["umount", "-l", mp], capture_output=True)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A private docker-registry on 127.0.0.1, for the module's tests."""
    import images
    if not shutil.which("docker-registry") or not shutil.which("skopeo"):
        oci.skip("needs docker-registry and skopeo (scripts/install-deps.sh)")
    reg = images.Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()
