"""`features` (features.md): a JSON document true to what the runtime does.

Both runtimes print the structure; for berth, a field that features reports as missing
is one that create warns about (and the other way round), checked through real creates.
"""

import json

import pytest



def features(runtime):
    r = runtime("features")
    assert r.rc == 0, str(r)
    try:
        return json.loads(r.out)
    except ValueError as e:
        pytest.fail("features printed invalid JSON (%s):\n%s" % (e, r.out))


def test_features_structure(runtime):
    f = features(runtime)
    assert f["ociVersionMin"].startswith("1.")
    assert f["ociVersionMax"].startswith("1.")
    key = [int(x) for x in f["ociVersionMax"].split("-")[0].split(".")]
    assert key >= [int(x) for x in f["ociVersionMin"].split("-")[0].split(".")]
    for opt in ("bind", "rbind", "ro", "nosuid", "rprivate"):
        assert opt in f["mountOptions"], opt
    linux = f["linux"]
    for ns in ("cgroup", "ipc", "mount", "network", "pid", "uts", "user"):
        assert ns in linux["namespaces"], ns
    assert "CAP_SYS_ADMIN" in linux["capabilities"]
    assert linux["cgroup"]["v1"] is True and linux["cgroup"]["v2"] is True
    assert isinstance(f.get("annotations", {}), dict)


def test_features_min_version_is_accepted(runtime, bundle):
    """features.md: the runtime MUST accept ociVersionMin and ociVersionMax in config.json."""
    f = features(runtime)
    for version in (f["ociVersionMin"], f["ociVersionMax"]):
        bundle.config["ociVersion"] = version
        r = runtime.run(bundle)
        assert r.rc == 0, "ociVersion %s: %s" % (version, r)


# Config fragments that use one feature each, and where features reports it.
CASES = {
    "hooks": (lambda c: c.setdefault("hooks", {}).update(
        {"poststop": [{"path": "/bin/true"}]}),
        lambda f: bool(f["hooks"])),
    "mounts[].options: tmpcopyup": (lambda c: c["mounts"].append(
        {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs",
         "options": ["tmpcopyup"]}),
        lambda f: "tmpcopyup" in f["mountOptions"]),
    "linux.netDevices": (lambda c: c["linux"].update({"netDevices": {"berth-none0": {}}}),
                         lambda f: f["linux"]["netDevices"]["enabled"]),
    "linux.intelRdt": (lambda c: c["linux"].update({"intelRdt": {"closID": "berth"}}),
                       lambda f: f["linux"]["intelRdt"]["enabled"]),
}


@pytest.mark.berth_only("checks berth's warnings against its features")
@pytest.mark.parametrize("field", sorted(CASES))
def test_features_match_create_warnings(runtime, bundle, field):
    use, reported = CASES[field]
    supported = reported(features(runtime))
    use(bundle.config)
    r = runtime.create(bundle)
    # Unsupported fields are warned about, or refused when ignoring them would be wrong
    # (intelRdt: config-linux.md requires an error without resctrl).
    refused = r.rc != 0 and field in r.err and ("not available" in r.err or
                                                "not supported" in r.err)
    warned = ("%s: not applied" % field) in r.err or refused
    assert warned != supported, "features says %s, create %s:\n%s" % (
        "supported" if supported else "unsupported", "warned" if warned else "did not warn",
        r.err)
    if r.rc == 0:
        assert runtime.delete(bundle.id, force=True).rc == 0


def test_features_refuses_arguments(runtime):
    r = runtime("features", "--no-such-option")
    assert r.rc != 0
    assert r.err.strip()
