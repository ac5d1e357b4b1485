"""A create that fails leaves nothing behind (runtime.md, Errors: "as if the operation
were never attempted"): no state dir, mount, cgroup or process."""

import os
import secrets

import pytest

import oci


def assert_nothing_left(runtime, bundle, tmp_path):
    assert not os.path.exists(os.path.join(runtime.root, bundle.id)), "state dir left"
    assert runtime.state_result(bundle.id).rc != 0, "state of the failed container works"
    assert oci.mounts_under(bundle.path) == []
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    # Every process a test starts holds the test's files (its stdout file at least).
    assert oci.wait_for(lambda: not oci.procs_holding(tmp_path), timeout=2), \
        "processes left: %s" % oci.procs_holding(tmp_path)


@pytest.mark.parametrize("command", ["create", "run"])
def test_bad_mount_source(runtime, bundle, tmp_path, command):
    missing = "/nonexistent-berth-test-" + secrets.token_hex(4)
    bundle.add_mount("/data", "bind", missing, ["bind", "rw"])
    bundle.set_args(["echo", "must not run"])
    r = runtime.create(bundle) if command == "create" else runtime.run(bundle)
    assert r.rc != 0, "%s with a missing bind source succeeded:\n%s" % (command, r)
    assert r.err.strip()
    assert "must not run" not in r.out
    assert not os.path.exists(missing)
    assert_nothing_left(runtime, bundle, tmp_path)


def test_bad_mount_type(runtime, bundle, tmp_path):
    bundle.add_mount("/data", "no-such-fs-type", "none")
    r = runtime.create(bundle)
    assert r.rc != 0, str(r)
    assert_nothing_left(runtime, bundle, tmp_path)


def test_missing_rootfs(runtime, bundle, tmp_path):
    bundle.config["root"]["path"] = "no-such-rootfs"
    r = runtime.create(bundle)
    assert r.rc != 0, str(r)
    assert r.err.strip()
    assert_nothing_left(runtime, bundle, tmp_path)


def test_config_not_json(runtime, bundle, tmp_path):
    bundle.write()
    path = os.path.join(bundle.path, "config.json")
    text = open(path).read()
    with open(path, "w") as f:
        f.write(text[:len(text) // 2])      # cut in the middle
    # create() would rewrite config.json, so call the command line directly.
    runtime.bundles[bundle.id] = bundle
    r = runtime("create", "--bundle", bundle.path, bundle.id)
    assert r.rc != 0, str(r)
    assert r.err.strip()
    assert_nothing_left(runtime, bundle, tmp_path)
