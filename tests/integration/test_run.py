"""`run` of a busybox bundle: namespaces, hostname, identity, environment, exit codes."""

import os

import pytest

import oci
from oci import sh

# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): the runc spec defaults.
DEFAULT_CAPS_MASK = (1 << 5) | (1 << 10) | (1 << 29)


def run_ok(runtime, bundle):
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    return r.out


def test_run_prints_output_and_exits_zero(runtime, bundle):
    bundle.set_args(["echo", "hello from busybox"])
    assert run_ok(runtime, bundle) == "hello from busybox\n"


def test_init_is_pid_1(runtime, bundle):
    bundle.set_args(sh("echo $$; cat /proc/1/cmdline | tr '\\0' ' '"))
    out = run_ok(runtime, bundle).splitlines()
    assert out[0] == "1"
    assert out[1] == "sh -c " + bundle.process["args"][2] + " "


def test_namespaces_differ_from_host(runtime, bundle):
    bundle.set_args(sh(" ; ".join("readlink /proc/self/ns/" + k for k in oci.NAMESPACES)))
    inside = run_ok(runtime, bundle).split()
    host = [oci.ns_link(k) for k in oci.NAMESPACES]
    assert len(inside) == len(oci.NAMESPACES), inside
    for kind, i, h in zip(oci.NAMESPACES, inside, host):
        assert i.startswith(kind + ":["), (kind, i)
        assert i != h, "%s namespace is the host's: %s" % (kind, i)


def test_hostname(runtime, bundle):
    bundle.config["hostname"] = "box-1"
    bundle.set_args(sh("hostname; cat /proc/sys/kernel/hostname"))
    assert run_ok(runtime, bundle).split() == ["box-1", "box-1"]


@pytest.mark.berth_only("runc 1.1.5 ignores `domainname` (config.md has it since 1.0.2; "
                        "runc supports it from 1.2)")
def test_domainname(runtime, bundle):
    bundle.config["domainname"] = "example.test"
    bundle.set_args(["cat", "/proc/sys/kernel/domainname"])
    assert run_ok(runtime, bundle) == "example.test\n"


def test_user_uid_gid_and_additional_gids(runtime, bundle):
    bundle.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [65534]}
    bundle.set_args(sh("id -u; id -g; id -G; grep -E '^(Uid|Gid|Groups):' /proc/self/status"))
    out = run_ok(runtime, bundle).splitlines()
    assert out[0] == "1000"
    assert out[1] == "1000"
    assert sorted(out[2].split()) == ["1000", "65534"]
    status = dict(line.split(":", 1) for line in out[3:])
    assert status["Uid"].split() == ["1000"] * 4       # real, effective, saved, fs
    assert status["Gid"].split() == ["1000"] * 4
    assert status["Groups"].split() == ["65534"]


def test_root_user_has_no_extra_groups(runtime, bundle):
    bundle.set_args(sh("id; grep -E '^Groups:' /proc/self/status"))
    out = run_ok(runtime, bundle).splitlines()
    assert out[0].startswith("uid=0(root) gid=0(root)")
    assert out[1].split(":")[1].split() in ([], ["0"])


def test_env_and_cwd(runtime, bundle):
    bundle.process["env"] = ["PATH=/bin:/usr/bin", "GREETING=hello world", "EMPTY="]
    bundle.process["cwd"] = "/etc"
    bundle.set_args(sh('pwd; echo "$GREETING"; echo "[$EMPTY]"; env | sort'))
    out = run_ok(runtime, bundle).splitlines()
    assert out[0] == "/etc"
    assert out[1] == "hello world"
    assert out[2] == "[]"
    # Only the configured variables, plus what sh itself sets (PWD, SHLVL) and HOME,
    # which runc adds from /etc/passwd when the config has none.
    env = {line.split("=", 1)[0] for line in out[3:]}
    assert env - {"PWD", "SHLVL", "HOME", "OLDPWD"} == {"PATH", "GREETING", "EMPTY"}


def test_process_defaults_in_proc_status(runtime, bundle):
    """Capabilities, no_new_privs and RLIMIT_NOFILE of the default config, as the kernel sees them."""
    bundle.set_args(sh("grep -E '^(Cap|NoNewPrivs)' /proc/self/status; ulimit -n; ulimit -Hn"))
    out = run_ok(runtime, bundle).splitlines()
    status = {k: v.strip() for k, v in (line.split(":\t") for line in out[:-2])}
    for field in ("CapPrm", "CapEff", "CapBnd"):
        assert int(status[field], 16) == DEFAULT_CAPS_MASK, (field, status[field])
    # The config has no inheritable set, and the kernel raises an ambient capability
    # only if it is also inheritable: so the ambient set is empty, whatever the config says.
    assert int(status["CapInh"], 16) == 0
    assert int(status["CapAmb"], 16) == 0
    assert status["NoNewPrivs"] == "1"
    assert out[-2:] == ["1024", "1024"]


def test_masked_and_readonly_paths(runtime, bundle):
    """maskedPaths that exist on this host read as empty; readonlyPaths refuse writes."""
    files = [p for p in bundle.linux["maskedPaths"] if os.path.isfile(p)]
    dirs = [p for p in bundle.linux["maskedPaths"] if os.path.isdir(p)]
    if not files or not dirs:
        oci.skip("this kernel has no masked file or directory to check (%s)" % (files + dirs))
    script = ["cat %s | wc -c" % p for p in files] + ["ls -A %s | wc -l" % p for p in dirs]
    script.append("echo x > /proc/sys/kernel/domainname && echo writable || echo readonly")
    script.append("touch /proc/sysrq-trigger && echo writable || echo readonly")
    bundle.set_args(sh("; ".join(script)))
    out = run_ok(runtime, bundle).split()
    assert out == ["0"] * (len(files) + len(dirs)) + ["readonly", "readonly"], \
        list(zip(files + dirs + ["/proc/sys", "/proc/sysrq-trigger"], out))


@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_exit_code_is_the_containers(runtime, bundle, code):
    bundle.set_args(sh("exit %d" % code))
    assert runtime.run(bundle).rc == code


def test_exit_code_of_signal_death_is_128_plus_signal(runtime, bundle):
    # The init of a pid namespace cannot get SIGKILL from inside it, so this process
    # runs in the host's pid namespace and kills itself.
    bundle.remove_namespace("pid")
    bundle.set_args(sh("kill -KILL $$; sleep 10"))
    assert runtime.run(bundle).rc == 128 + 9


def test_exit_code_of_sigterm_death(runtime, bundle):
    bundle.remove_namespace("pid")
    bundle.set_args(sh("kill -TERM $$; sleep 10"))
    assert runtime.run(bundle).rc == 128 + 15


def test_run_missing_executable_fails(runtime, bundle):
    bundle.set_args(["/bin/does-not-exist"])
    r = runtime.run(bundle)
    assert r.rc != 0
    assert r.err.strip(), "no error message"
