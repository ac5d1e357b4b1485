"""docker's secure defaults in the generated OCI config: capabilities, masked and read-only
paths, the default seccomp profile, no-new-privileges, and --privileged lifting them."""

import json

DEFAULT_CAPS = 0xa80425fb   # docker's 14 default capabilities
CAP_NET_ADMIN = 12
CAP_SYS_ADMIN = 21


def status(berth, *flags):
    out = berth("run", "--rm", *flags, "busybox", "cat", "/proc/self/status").out
    return dict(line.split(":\t", 1) for line in out.splitlines() if ":\t" in line)


def test_default_capabilities_and_seccomp(berth):
    s = status(berth)
    assert int(s["CapBnd"], 16) == DEFAULT_CAPS
    assert int(s["CapEff"], 16) == DEFAULT_CAPS
    assert s["Seccomp"].strip() == "2"
    assert s["NoNewPrivs"].strip() == "0"


def test_cap_add_and_drop(berth):
    s = status(berth, "--cap-add", "net_admin", "--cap-drop", "CAP_CHOWN")
    caps = int(s["CapEff"], 16)
    assert caps & (1 << CAP_NET_ADMIN) and not caps & 1
    assert int(status(berth, "--cap-drop", "ALL")["CapBnd"], 16) == 0


def test_privileged(berth):
    s = status(berth, "--privileged")
    assert int(s["CapBnd"], 16) & (1 << CAP_SYS_ADMIN)
    assert s["Seccomp"].strip() == "0"
    out = berth("run", "--rm", "--privileged", "busybox", "sh", "-c",
                "grep ' /sys ' /proc/self/mountinfo").out
    assert " rw," in out


def test_seccomp_unconfined_and_no_new_privileges(berth):
    assert status(berth, "--security-opt", "seccomp=unconfined")["Seccomp"].strip() == "0"
    assert status(berth, "--security-opt", "no-new-privileges")["NoNewPrivs"].strip() == "1"


def test_seccomp_blocks_what_docker_blocks(berth):
    # unshare(CLONE_NEWUSER) needs CAP_SYS_ADMIN in docker's profile
    r = berth("run", "--rm", "busybox", "unshare", "-U", "true", check=False)
    assert r.rc != 0


def test_masked_and_readonly_paths(berth):
    masked = [p for p in ("/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                          "/proc/latency_stats", "/proc/interrupts") if __import__("os").path.exists(p)]
    assert masked
    script = "; ".join("echo %s=$(wc -c < %s)" % (p, p) for p in masked)
    out = berth("run", "--rm", "busybox", "sh", "-c", script).out.split()
    assert out == ["%s=0" % p for p in masked]
    out = berth("run", "--rm", "busybox", "sh", "-c",
                "echo 1 > /proc/sys/kernel/domainname 2>/dev/null || echo ro; "
                "grep ' /proc/sys ' /proc/self/mountinfo").out.splitlines()
    assert out[0] == "ro" and " ro," in out[1]


def test_devices_are_docker_s(berth):
    out = berth("run", "--rm", "busybox", "ls", "/dev").out.split()
    for d in ("null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue"):
        assert d in out
    # CAP_MKNOD is docker's, but the device cgroup refuses to open what it makes
    r = berth("run", "--rm", "busybox", "sh", "-c",
              "mknod /dev/sda b 8 0 && head -c1 /dev/sda >/dev/null && echo opened", check=False)
    assert "opened" not in r.out and "Operation not permitted" in r.err


def test_custom_seccomp_profile(berth, tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}))
    r = berth("run", "--rm", "--security-opt", "seccomp=%s" % profile, "busybox",
              "mkdir", "/x", check=False)
    assert r.rc != 0 and "Operation not permitted" in r.err
    assert status(berth, "--security-opt", "seccomp=%s" % profile)["Seccomp"].strip() == "2"
    profile.write_text("{not json")
    r = berth("run", "--rm", "--security-opt", "seccomp=%s" % profile, "busybox", "true",
              check=False)
    assert r.rc == 125 and "seccomp" in r.err
    r = berth("run", "--rm", "--security-opt", "seccomp=/no/such.json", "busybox", "true",
              check=False)
    assert r.rc == 125 and "/no/such.json" in r.err
    assert berth.leftovers() == []
