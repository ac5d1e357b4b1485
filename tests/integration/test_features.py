"""`features` (features.md): a JSON document true to what the runtime does.

Both runtimes print the structure; for berth, a field that features reports as missing
is one that create warns about (and the other way round), checked through real creates.
"""

import json
import sys

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


# Syscalls `true` never makes, one per listed action (one action per syscall).
UNUSED_SYSCALLS = ["acct", "swapon", "swapoff", "vhangup", "quotactl", "lookup_dcookie",
                   "kexec_load", "kexec_file_load", "init_module", "delete_module",
                   "finit_module", "reboot", "iopl", "ioperm", "bpf", "perf_event_open",
                   "userfaultfd", "settimeofday", "clock_adjtime", "name_to_handle_at"]


# libseccomp puts only architectures of the host's byte order in one filter (EDOM).
BIG_ENDIAN_ARCHS = {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_PPC",
                    "SCMP_ARCH_PPC64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
                    "SCMP_ARCH_PARISC64", "SCMP_ARCH_M68K", "SCMP_ARCH_SHEB"}


def test_features_seccomp_names_are_accepted(runtime, bundle):
    """features-linux.md: the runtime MUST recognise every action, operator, architecture
    (those of this host's byte order: libseccomp mixes no others) and supported flag it
    lists, in linux.seccomp."""
    sc = features(runtime)["linux"]["seccomp"]
    assert sc["enabled"] is True
    actions = [a for a in sc["actions"] if a != "SCMP_ACT_NOTIFY"]    # needs a listener
    assert "SCMP_ACT_ERRNO" in actions and "SCMP_CMP_EQ" in sc["operators"]
    assert len(actions) + len(sc["operators"]) <= len(UNUSED_SYSCALLS)
    assert "SCMP_ARCH_X86_64" in sc["archs"]
    assert set(sc.get("supportedFlags", [])) <= set(sc.get("knownFlags", []))
    rules = [{"names": [name], "action": a} for name, a in zip(UNUSED_SYSCALLS, actions)]
    rules += [{"names": [name], "action": "SCMP_ACT_ERRNO",
               "args": [{"index": 0, "value": 1, "valueTwo": 1, "op": op}]}
              for name, op in zip(UNUSED_SYSCALLS[len(actions):], sc["operators"])]
    bundle.linux["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW", "syscalls": rules,
        "architectures": [a for a in sc["archs"] if (a in BIG_ENDIAN_ARCHS) ==
                          (sys.byteorder == "big")],
        # WAIT_KILLABLE_RECV means something only with a listener.
        "flags": [f for f in sc.get("supportedFlags", [])
                  if f != "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}
    bundle.set_args(["true"])
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)


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
