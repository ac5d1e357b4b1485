"""berth's own error messages (STYLE.md §3): one line, `berth-runtime: ` then the chain of
where it happened, lowercase, no full stop, user-controlled values in single quotes.

All berth-only: runc words its errors differently (and logs them as logrus lines).
"""

import os

import pytest

import oci

pytestmark = pytest.mark.berth_only("checks the text of berth's own error messages")


def assert_message(err, *needles):
    """The error is one line (warnings before it are fine) and follows STYLE.md §3."""
    lines = [l for l in err.strip().splitlines() if not l.startswith("berth-runtime: warning: ")]
    assert len(lines) == 1, "expected one error line on stderr, got:\n" + err
    line = lines[0]
    assert line.startswith("berth-runtime: "), line
    text = line[len("berth-runtime: "):]
    assert text[:1].islower() or text[:1] in "'", "not lowercase: " + line
    assert not text.endswith("."), "ends with a full stop: " + line
    for n in needles:
        assert n in line, "%r not in %r" % (n, line)


@pytest.mark.parametrize("root_exists", [True, False], ids=["root", "noroot"])
@pytest.mark.parametrize("command", ["state", "start", "kill", "delete"])
def test_unknown_id_message_names_the_id(runtime, command, root_exists):
    if root_exists:
        os.makedirs(runtime.root)
    cid = oci.unique_id("no-such")
    r = runtime(command, cid)
    assert r.rc != 0
    assert_message(r.err, "'%s'" % cid)


def test_existing_id_message_names_the_id(runtime, bundle, make_bundle):
    assert runtime.create(bundle).rc == 0
    other = make_bundle("other")
    other.id = bundle.id
    r = runtime.create(other)
    runtime.bundles[bundle.id] = bundle
    assert r.rc != 0
    assert_message(r.err, "'%s'" % bundle.id)


@pytest.mark.parametrize("cid", ["../escape", "a/b"])
def test_invalid_id_message_names_the_id(runtime, bundle, cid):
    bundle.id = cid
    r = runtime.create(bundle)
    runtime.bundles.pop(cid)
    assert r.rc != 0
    assert_message(r.err, "'%s'" % cid)


def test_missing_bundle_message_names_the_path(runtime, bundle, tmp_path):
    missing = str(tmp_path / "no-such-bundle")
    r = runtime("create", "--bundle", missing, bundle.id)
    assert r.rc != 0
    assert_message(r.err, missing)


def test_config_error_names_the_field(runtime, bundle, tmp_path):
    bundle.set_args([])
    r = runtime.create(bundle)
    assert r.rc != 0
    assert_message(r.err, "config.json", "process.args")
    # Bad input fails before the kernel is touched (STYLE.md §3): no state, no cgroup.
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


def test_start_of_running_container_says_why(runtime, bundle):
    bundle.set_args(["sleep", "1000"])
    assert runtime.run(bundle, detach=True).rc == 0
    r = runtime.start(bundle.id)
    assert r.rc != 0
    assert_message(r.err, "'%s'" % bundle.id, "running")


def test_kernel_below_the_minimum_is_named(runtime, bundle):
    """A kernel without a required feature: one sentence naming it, nothing created
    (BERTH_FAKE_KERNEL_MISSING fakes the probe; it can only make berth refuse)."""
    runtime.env = dict(os.environ, BERTH_FAKE_KERNEL_MISSING="mount_setattr")
    r = runtime.create(bundle)
    assert r.rc != 0
    assert_message(r.err, "this kernel (%s) lacks mount_setattr (Linux 5.12): berth needs "
                   "Linux 5.12 or later" % os.uname().release)
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
    runtime.env = None
