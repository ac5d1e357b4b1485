"""Fixtures for the client tests: the session's world, the daemons, the image, and the
`client` fixture, one instance per (client, runtime): test_x[docker-berth],
test_x[docker-runc], test_x[podman-berth], ...

Environment:
  BERTH_CLIENTS        docker,podman,containerd (default: all three)
  BERTH_TEST_RUNTIMES  berth,runc (default); the runtime is a parameter of every test
  BERTH_RUNTIME        the berth-runtime binary (default <repo>/build/berth-runtime)
  BERTH_MUST_WORK=1    a missing client or daemon fails instead of skipping (CI)
  BERTH_CLIENTS_TRACE  a file: every runtime call the clients make is appended to it
                       (the caller's name and the command line), through a wrapper script

Known berth gaps (gaps.py) turn the berth instances of the listed tests into strict
xfails: they must fail, so a fix shows up as XPASS(strict), a failure to act on.
"""

import os
import shutil
import sys

import pytest

# berth's containers made without --network get none here, not the default bridge network
# (it would be made in the host's network namespace): tests/integration/conftest.py.
os.environ["BERTH_DEFAULT_NETWORK"] = "none"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import drivers  # noqa: E402
import gaps  # noqa: E402
import harness  # noqa: E402
import image  # noqa: E402

NEEDS = {"docker": ["dockerd", "/usr/bin/docker", "containerd", "containerd-shim-runc-v2"],
         "podman": ["podman", "conmon"],
         "containerd": ["containerd", "ctr", "containerd-shim-runc-v2"]}


def skip(reason):
    if os.environ.get("BERTH_MUST_WORK") == "1":
        pytest.fail("would skip, but BERTH_MUST_WORK=1: " + reason)
    pytest.skip(reason)


def pytest_generate_tests(metafunc):
    if "client" in metafunc.fixturenames:
        params = ["%s-%s" % (c, r) for c in drivers.client_names()
                  for r in drivers.runtime_binaries()]
        metafunc.parametrize("client", params, indirect=True)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "only_clients(names): run for these clients only (the others have no "
        "way to express the scenario); the other instances are deselected")


def pytest_collection_modifyitems(config, items):
    """Deselect only_clients misses; mark the listed berth gaps as strict xfails."""
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        params = spec.params if spec else {}
        if "client" in params:
            client, runtime = params["client"].rsplit("-", 1)
        elif "rt" in params:  # test_contract.py: the runtime alone
            client, runtime = "runtime", params["rt"]
        else:
            keep.append(item)
            continue
        only = item.get_closest_marker("only_clients")
        if only and client not in only.args[0]:
            drop.append(item)
            continue
        keep.append(item)
        if runtime != "berth":
            continue
        reason = gaps.reason(item.originalname, client)
        if reason:
            item.add_marker(pytest.mark.xfail(reason="berth gap: " + reason, strict=True))
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def runtimes(world):
    rts = drivers.runtime_binaries()
    for name, path in rts.items():
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.fail("runtime %s: %s is not an executable file (build it or set "
                        "BERTH_RUNTIME / BERTH_TEST_RUNTIMES)" % (name, path))
    trace = os.environ.get("BERTH_CLIENTS_TRACE")
    if trace:
        rts = {name: trace_wrapper(world, name, path, os.path.abspath(trace))
               for name, path in rts.items()}
    return rts


def trace_wrapper(world, name, path, trace):
    """A script that logs its caller and arguments to trace, then execs the runtime."""
    wrapper = world.path("trace-" + name)
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\necho "%s [$(cat /proc/$PPID/comm)] $*" >> %s\nexec %s "$@"\n'
                % (name, trace, path))
    os.chmod(wrapper, 0o755)
    return wrapper


@pytest.fixture(scope="session")
def world():
    if os.geteuid() != 0:
        skip("the client tests need root")
    w = harness.World()
    harness.log("session %s: base %s, netns %s, cgroup parent %s" % (
        w.sid, w.base, w.netns, w.cgroup_parent))
    yield w
    problems = w.cleanup()
    if problems:
        pytest.fail("cleanup after the client tests:\n  " + "\n  ".join(problems),
                    pytrace=False)


@pytest.fixture(scope="session")
def image_tar(world):
    path = world.path("busybox-image.tar")
    image.build(path)
    return path


def _need(client):
    missing = [b for b in NEEDS[client] if not shutil.which(b)]
    if missing:
        skip("%s tests need %s (tests/clients/deps.sh installs them)" % (
            client, ", ".join(missing)))


@pytest.fixture(scope="session")
def docker_daemon(world, runtimes, image_tar):
    _need("docker")
    d = drivers.DockerDaemon(world, runtimes)
    d.load(image_tar)
    d.make_bridge_network()
    yield d
    d.cli("rm", "-f", *d.cli("ps", "-aq").out.split(), timeout=120)
    d.cli("network", "rm", d.BRIDGE_NET)


@pytest.fixture(scope="session")
def podman_setup(world, runtimes, image_tar):
    _need("podman")
    p = drivers.PodmanSetup(world, runtimes)
    p.load(image_tar)
    yield p
    p.stop_all()


@pytest.fixture(scope="session")
def containerd_daemon(world, image_tar):
    _need("containerd")
    d = drivers.ContainerdDaemon(world)
    d.load(image_tar)
    return d


@pytest.fixture
def client(request, runtimes):
    """A client bound to one runtime; the containers a test made are removed afterwards."""
    name, runtime = request.param.rsplit("-", 1)
    path = runtimes[runtime]
    if name == "docker":
        c = drivers.Docker(request.getfixturevalue("world"), runtime, path,
                           request.getfixturevalue("docker_daemon"))
    elif name == "podman":
        c = drivers.Podman(request.getfixturevalue("world"), runtime, path,
                           request.getfixturevalue("podman_setup"))
    else:
        c = drivers.Ctr(request.getfixturevalue("world"), runtime, path,
                        request.getfixturevalue("containerd_daemon"))
    yield c
    c.cleanup()
