"""Fixtures for the engine's container tests: build/berth with a private --root, the busybox
image in it, and each container run with the runtime under test (berth-runtime or runc)
and its cgroups under /berth-test/<unique>. The teardown removes every container and checks
that nothing is left: no container directory, no mount under the root, no monitor, no
cgroup, no runtime state.
"""

import os
import shutil
import subprocess

import pytest

import oci
from enginehelp import Berth


def runtime_names():
    """BERTH_TEST_RUNTIMES, as tests/integration/conftest.py reads it."""
    names = os.environ.get("BERTH_TEST_RUNTIMES", "berth,runc").split(",")
    return [n.strip() for n in names if n.strip()]


def runtime_binary(name):
    if name == "berth":
        return os.environ.get("BERTH_RUNTIME", os.path.join(oci.REPO, "build", "berth-runtime"))
    return shutil.which(name) or name


@pytest.fixture(params=runtime_names())
def berth(request, tmp_path):
    name = request.param
    binary = runtime_binary(name)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.fail("runtime %s: %s is not an executable file" % (name, binary))
    b = Berth(tmp_path / "root", runtime=binary, runtime_name=name,
              cgroup_parent=oci.CGROUP_PARENT + "/" + oci.unique_id("eng"))
    b("image", "create-busybox", "-q")
    yield b
    problems = b.teardown()
    assert not problems, "left behind:\n" + "\n".join(problems)


@pytest.fixture
def full_disk_berth(berth, tmp_path):
    """The fixture's berth with its --root on a 64 MB tmpfs (unmounted afterwards)."""
    root = tmp_path / "small"
    root.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "berth-test-full", str(root)],
                   check=True)
    b = Berth(root / "root", runtime=berth.runtime, runtime_name=berth.runtime_name,
              cgroup_parent=berth.cgroup_parent + "-full")
    try:
        b("image", "create-busybox", "-q")
        yield b
    finally:
        problems = b.teardown()
        subprocess.run(["umount", "-l", str(root)], check=False)
    assert not problems, "left behind:\n" + "\n".join(problems)
