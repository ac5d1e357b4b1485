"""CVE-2022-29162: the inheritable capability set stays empty unless the config asks.

With inheritable capabilities, a program with inheritable file capabilities would gain
them at exec even as a non-root user.
"""

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
