"""CVE-2022-29162: the inheritable capability set stays empty unless the config asks.

With inheritable capabilities, a program with inheritable file capabilities would gain
them at exec even as a non-root user.
"""

import json
import re

import pytest

from oci import sh


def caps(out):
    return {k: int(v, 16) for k, v in re.findall(r"^(Cap\w+):\s+([0-9a-f]+)$", out, re.M)}


@pytest.mark.parametrize("user", [{"uid": 0, "gid": 0}, {"uid": 1000, "gid": 1000}])
def test_inheritable_is_empty_unless_asked(runtime, bundle, user):
    bundle.process["user"] = user
    bundle.set_args(sh("grep ^Cap /proc/self/status"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    c = caps(r.out)
    assert c["CapInh"] == 0, c
    # The three default capabilities, as bits 5 (KILL), 10 (NET_BIND_SERVICE), 29.
    assert c["CapBnd"] == (1 << 5) | (1 << 10) | (1 << 29), c


def test_inheritable_when_asked(runtime, bundle):
    bundle.process["capabilities"]["inheritable"] = ["CAP_KILL"]
    bundle.set_args(sh("grep ^Cap /proc/self/status"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert caps(r.out)["CapInh"] == 1 << 5, r.out


def test_no_capabilities_object_means_none(runtime, bundle):
    """No process.capabilities: no capabilities at all, as runc, not every one the runtime
    has (issue 13 item 7)."""
    del bundle.process["capabilities"]
    bundle.set_args(sh("grep ^Cap /proc/self/status"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    c = caps(r.out)
    for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert c[k] == 0, c


def test_exec_process_without_capabilities_gets_the_containers(runtime, bundle, tmp_path):
    """An exec --process whose process.json has no capabilities gets the container's (as
    runc), not every one the runtime has."""
    bundle.set_args(["sleep", "1000"])
    r = runtime.run(bundle, detach=True)
    assert r.rc == 0, str(r)
    proc = tmp_path / "process.json"
    proc.write_text(json.dumps({"args": ["sh", "-c", "grep ^Cap /proc/self/status"],
                                "cwd": "/", "user": {"uid": 0, "gid": 0},
                                "env": ["PATH=/bin:/usr/bin"]}))
    r = runtime("exec", "--process", str(proc), bundle.id)
    assert r.rc == 0, str(r)
    c = caps(r.out)
    assert c["CapBnd"] == (1 << 5) | (1 << 10) | (1 << 29), c
    assert c["CapEff"] & ~((1 << 5) | (1 << 10) | (1 << 29)) == 0, c
