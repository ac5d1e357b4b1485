"""`spec` writes a default config at least as strict as runc's."""

import json
import subprocess

import pytest


def spec_of(binary, where):
    subprocess.run([binary, "spec"], cwd=str(where), check=True, timeout=10,
                   capture_output=True)
    with open(where / "config.json") as f:
        return json.load(f)


@pytest.fixture
def runc_spec(tmp_path):
    d = tmp_path / "runc-spec"
    d.mkdir()
    return spec_of("runc", d)


def test_default_spec_is_as_strict_as_runcs(runtime, tmp_path, runc_spec):
    d = tmp_path / "spec"
    d.mkdir()
    ours = spec_of(runtime.binary, d)
    p, ref = ours["process"], runc_spec["process"]
    for kind, allowed in ref["capabilities"].items():
        assert set(p["capabilities"].get(kind, [])) <= set(allowed), kind
    assert not p["capabilities"].get("inheritable"), "inheritable capabilities (CVE-2022-29162)"
    assert p.get("noNewPrivileges") is True
    assert p["user"] == {"uid": 0, "gid": 0}
    assert ours["root"].get("readonly") is True
    assert set(ours["linux"]["maskedPaths"]) >= set(runc_spec["linux"]["maskedPaths"])
    assert set(ours["linux"]["readonlyPaths"]) >= set(runc_spec["linux"]["readonlyPaths"])
    ns = {n["type"] for n in ours["linux"]["namespaces"]}
    assert ns >= {n["type"] for n in runc_spec["linux"]["namespaces"]}
    ref_mounts = {m["destination"]: m for m in runc_spec["mounts"]}
    for m in ours["mounts"]:
        if m["destination"] in ref_mounts:
            want = set(ref_mounts[m["destination"]].get("options", [])) & {
                "nosuid", "noexec", "nodev", "ro"}
            assert want <= set(m.get("options", [])), m
    devices = ours["linux"].get("resources", {}).get("devices", [])
    assert devices and devices[0] == {"allow": False, "access": "rwm"}, devices
    assert {r["type"] for r in p.get("rlimits", [])} >= {r["type"] for r in ref["rlimits"]}


def test_default_spec_has_runcs_namespaces(runtime, tmp_path, runc_spec):
    """The same namespaces as runc's on this host: a cgroup namespace only on a pure cgroup
    v2 host (with v1 hierarchies an exec'd process would see "/" paths, and a caller that
    adds its own cgroup namespace would name it twice)."""
    d = tmp_path / "spec"
    d.mkdir()
    ours = spec_of(runtime.binary, d)
    assert sorted(n["type"] for n in ours["linux"]["namespaces"]) == \
        sorted(n["type"] for n in runc_spec["linux"]["namespaces"])
