"""Hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle"): when each kind runs,
in which namespaces, with which state on stdin, argv, env and timeout, and what a failing
hook does to the operation.

Every hook here is busybox run as `sh -c SCRIPT` (argv[0] "sh" picks the applet, so the
hook's argv is the config's), recording its stdin, argv, env and namespaces into files.
"""

import json
import os
import shutil

import pytest

import oci

KINDS = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
         "poststop")
NS = ("mnt", "pid", "net", "uts", "ipc")

# Records stdin, argv, env and namespaces as $OUT/<tag>.*, then appends <tag> to $OUT/order.
RECORD = (
    'cat > "$OUT/$TAG.state"; echo "$@" > "$OUT/$TAG.argv"; env > "$OUT/$TAG.env"; '
    'for n in %s; do readlink /proc/self/ns/$n; done > "$OUT/$TAG.ns"; '
    'echo "$TAG" >> "$OUT/order"' % " ".join(NS))


def hook(tag, out, script=RECORD, busybox="/bin/busybox", timeout=None, extra_env=()):
    h = {"path": busybox, "args": ["sh", "-c", script, tag, "arg1", "arg two"],
         "env": ["OUT=%s" % out, "TAG=%s" % tag, *extra_env]}
    if timeout:
        h["timeout"] = timeout
    return h


@pytest.fixture
def hookdir(tmp_path):
    if not os.path.exists("/bin/busybox"):
        oci.skip("busybox-static is needed on the host")
    d = tmp_path / "hooks"
    d.mkdir()
    return d


def setup_all_hooks(bundle, hookdir):
    """One recording hook of every kind; startContainer runs inside the container, so
    it writes to a bind mount of hookdir at /hookout with the rootfs's busybox."""
    bundle.config["hooks"] = {k: [hook(k, str(hookdir))] for k in KINDS}
    bundle.config["hooks"]["startContainer"] = [hook("startContainer", "/hookout")]
    bundle.add_mount("/hookout", "bind", str(hookdir), ["rbind", "rw"])
    bundle.config["annotations"] = {"org.example.key": "value"}


def read(hookdir, name):
    return (hookdir / name).read_text()


def state(hookdir, tag):
    return json.loads(read(hookdir, tag + ".state"))


def namespaces(hookdir, tag):
    return read(hookdir, tag + ".ns").split()


def ns_of(pid):
    return [oci.ns_link(n, pid) for n in NS]


def early_poststart(runtime):
    """runc 1.1.5 runs poststart hooks inside create, before start (fixed in runc 1.2)."""
    return runtime.name == "runc"


def expected_order(runtime, kinds):
    """kinds in the spec's order; for runc 1.1.5, with poststart where it runs it."""
    kinds = list(kinds)
    if early_poststart(runtime) and "poststart" in kinds:
        kinds.remove("poststart")
        kinds.insert(kinds.index("createContainer") + 1, "poststart")
    return kinds


def test_every_hook_runs_in_order_with_state_and_namespaces(runtime, bundle, hookdir, tmp_path):
    setup_all_hooks(bundle, hookdir)
    bundle.set_args(["sleep", "1000"])
    pid_file = str(tmp_path / "pid")
    r = runtime.create(bundle, pid_file=pid_file)
    assert r.rc == 0, str(r)
    pid = int(open(pid_file).read())
    runtime.remember_pid(pid)
    created = expected_order(runtime, KINDS)[:4 if early_poststart(runtime) else 3]
    assert read(hookdir, "order").split() == created
    host, container = ns_of("self"), ns_of(pid)
    assert container != host
    # Runtime namespace for prestart and createRuntime, container's for createContainer.
    assert namespaces(hookdir, "prestart") == host
    assert namespaces(hookdir, "createRuntime") == host
    assert namespaces(hookdir, "createContainer") == container
    for tag in ("prestart", "createRuntime", "createContainer"):
        st = state(hookdir, tag)
        assert st["id"] == bundle.id and st["status"] == "creating", st
        assert st["bundle"] == bundle.path
        assert st["annotations"] == {"org.example.key": "value"}
        # The pid as seen in the hook's namespace: the host's, or 1 in the container.
        assert st["pid"] == (1 if tag == "createContainer" else pid), (tag, st)
    assert runtime.start(bundle.id).rc == 0
    assert read(hookdir, "order").split() == expected_order(runtime, KINDS[:5])
    assert namespaces(hookdir, "startContainer") == container
    assert namespaces(hookdir, "poststart") == host
    assert state(hookdir, "startContainer")["pid"] == 1
    post = state(hookdir, "poststart")
    assert (post["pid"], post["status"]) == (
        pid, "created" if early_poststart(runtime) else "running")
    assert runtime.kill(bundle.id, "KILL").rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert not os.path.exists(hookdir / "poststop.state")
    assert runtime.delete(bundle.id).rc == 0
    assert read(hookdir, "order").split() == expected_order(runtime, KINDS)
    assert namespaces(hookdir, "poststop") == host
    stop = state(hookdir, "poststop")
    assert stop["status"] == "stopped" and stop["id"] == bundle.id


def test_hook_argv_and_env_are_the_configs(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"prestart": [hook("prestart", str(hookdir),
                                                extra_env=["FOO=bar baz"])]}
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    # sh -c SCRIPT $0 $1 $2: "$@" is what followed $0 in args.
    assert read(hookdir, "prestart.argv").strip() == "arg1 arg two"
    env = dict(line.split("=", 1) for line in read(hookdir, "prestart.env").splitlines()
               if "=" in line)
    assert env["FOO"] == "bar baz"
    assert env["TAG"] == "prestart"
    # Only the config's env (busybox sh adds PWD, SHLVL, _ and a default PATH).
    assert set(env) - {"PWD", "SHLVL", "_", "PATH"} == {"FOO", "TAG", "OUT"}


def test_hooks_of_one_kind_run_in_listed_order(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"createRuntime": [
        hook("first", str(hookdir), 'echo "$TAG" >> "$OUT/order"'),
        hook("second", str(hookdir), 'echo "$TAG" >> "$OUT/order"'),
        hook("third", str(hookdir), 'echo "$TAG" >> "$OUT/order"'),
    ]}
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert read(hookdir, "order").split() == ["first", "second", "third"]


def test_run_calls_every_hook(runtime, bundle, hookdir):
    setup_all_hooks(bundle, hookdir)
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert read(hookdir, "order").split() == expected_order(runtime, KINDS)


def assert_gone(runtime, bundle):
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.parametrize("kind", ["prestart", "createRuntime", "createContainer"])
def test_failing_create_hook_fails_create_and_cleans_up(runtime, bundle, hookdir, kind):
    bundle.config["hooks"] = {kind: [hook(kind, str(hookdir), 'echo "it broke" >&2; exit 3')],
                              "poststop": [hook("poststop", str(hookdir))]}
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "hooks.%s[0]" % kind in r.err and "status 3" in r.err, r.err
        assert "it broke" in r.err, r.err
    assert_gone(runtime, bundle)
    assert oci.procs_holding(bundle.rootfs) == []


@pytest.mark.berth_only("runc 1.1.5 does not run poststop hooks when create fails")
def test_failing_create_hook_runs_poststop(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"createRuntime": [hook("x", str(hookdir), "exit 1")],
                              "poststop": [hook("poststop", str(hookdir))]}
    r = runtime.create(bundle)
    assert r.rc != 0
    assert state(hookdir, "poststop")["status"] == "stopped"
    assert_gone(runtime, bundle)


def test_hook_timeout_kills_it_and_fails(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"createRuntime": [
        hook("slow", str(hookdir), 'echo $$ > "$OUT/slow.pid"; exec sleep 60', timeout=1)]}
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "timed out after 1 s" in r.err, r.err
    slow = int(read(hookdir, "slow.pid"))
    assert oci.wait_gone(slow, 5), "the timed-out hook is still running"
    assert_gone(runtime, bundle)


def test_failing_start_container_hook_stops_the_container(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"startContainer": [
        hook("sc", "/hookout", 'echo nope; exit 1')]}
    bundle.add_mount("/hookout", "bind", str(hookdir), ["rbind", "rw"])
    bundle.set_args(["sleep", "1000"])
    assert runtime.create(bundle).rc == 0
    st = runtime.state(bundle.id)
    r = runtime.start(bundle.id)
    if runtime.name == "berth":
        assert r.rc != 0
        assert "hooks.startContainer[0]" in r.err and "nope" in r.err, r.err
    runtime.wait_status(bundle.id, "stopped")
    assert oci.wait_gone(st["pid"])
    assert runtime.delete(bundle.id).rc == 0
    assert_gone(runtime, bundle)


@pytest.mark.berth_only("runc 1.1.5 runs poststart hooks inside create, before start")
def test_failing_poststart_hook_fails_start_and_destroys(runtime, bundle, hookdir):
    """runtime.md: a failed poststart hook stops the container and the lifecycle goes on
    at delete's step: nothing is left for a later delete, and poststop hooks ran."""
    bundle.config["hooks"] = {"poststart": [hook("ps", str(hookdir), "exit 4")],
                              "poststop": [hook("poststop", str(hookdir))]}
    bundle.set_args(["sleep", "1000"])
    assert runtime.create(bundle).rc == 0
    pid = runtime.state(bundle.id)["pid"]
    r = runtime.start(bundle.id)
    assert r.rc != 0
    assert "hooks.poststart[0]" in r.err and "status 4" in r.err, r.err
    assert oci.wait_gone(pid)
    assert_gone(runtime, bundle)
    assert state(hookdir, "poststop")["status"] == "stopped"


def test_failing_poststart_hook_fails_run_and_cleans_up(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"poststart": [hook("ps", str(hookdir), "exit 4")],
                              "poststop": [hook("poststop", str(hookdir))]}
    bundle.set_args(["sleep", "1000"])
    r = runtime.run(bundle)
    assert r.rc != 0
    assert_gone(runtime, bundle)


@pytest.mark.berth_only("runc 1.1.5 stops at the first failing poststop hook")
def test_failing_poststop_hook_is_a_warning(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"poststop": [
        hook("bad", str(hookdir), "exit 7"),
        hook("good", str(hookdir), 'echo "$TAG" >> "$OUT/order"')]}
    assert runtime.create(bundle).rc == 0
    r = runtime.delete(bundle.id)
    assert r.rc == 0, str(r)
    if runtime.name == "berth":
        assert "warning" in r.err and "hooks.poststop[0]" in r.err, r.err
    # The next hook still ran, and the container is gone.
    assert read(hookdir, "order").split() == ["good"]
    assert_gone(runtime, bundle)


def test_delete_runs_poststop_of_the_config_at_create(runtime, bundle, hookdir):
    """runtime.md: changes to config.json after create do not affect the container."""
    bundle.config["hooks"] = {"poststop": [hook("poststop", str(hookdir))]}
    assert runtime.create(bundle).rc == 0
    bundle.config["hooks"] = {}
    oci.mkbundle.write_config(bundle.path, bundle.config)
    assert runtime.delete(bundle.id).rc == 0
    assert state(hookdir, "poststop")["id"] == bundle.id


def test_hook_path_that_does_not_exist(runtime, bundle, hookdir):
    bundle.config["hooks"] = {"prestart": [{"path": str(hookdir / "no-such-hook")}]}
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "hooks.prestart[0]" in r.err and "no-such-hook" in r.err, r.err
    assert_gone(runtime, bundle)


@pytest.mark.parametrize("hooks,needle", [
    ({"prestart": [{"path": "relative/hook"}]}, "hooks.prestart[0].path"),
    pytest.param({"poststop": [{"args": ["x"]}]}, "hooks.poststop[0].path",
                 marks=pytest.mark.berth_only("runc 1.1.5 accepts a hook without path")),
    ({"createRuntime": [{"path": "/bin/true", "timeout": 0}]}, "hooks.createRuntime[0].timeout"),
    ({"poststart": [{"path": "/bin/true", "env": "A=1"}]}, "hooks.poststart[0].env"),
    ({"startContainer": {"path": "/bin/true"}}, "hooks.startContainer"),
])
def test_bad_hooks_are_refused_before_anything_runs(runtime, bundle, hooks, needle):
    bundle.config["hooks"] = hooks
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert needle in r.err, r.err
    assert_gone(runtime, bundle)
