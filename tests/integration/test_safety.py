"""A hostile rootfs or id must not reach the host.

Mount destinations are resolved inside the rootfs, symlinks included (runc uses
securejoin; berth uses openat2 RESOLVE_IN_ROOT): a symlink in the rootfs pointing at a
host path, absolutely or with "..", lands inside the rootfs, not on the host.
"""

import os

import pytest

import oci
from oci import sh


@pytest.fixture
def host_target(tmp_path):
    """A host directory that the hostile symlinks point at, with one marker file."""
    d = tmp_path / "host-target"
    d.mkdir()
    (d / "marker").write_text("untouched\n")
    return d


def hostile_link(bundle, name, host_target, how):
    link = os.path.join(bundle.rootfs, name)
    if how == "absolute":
        os.symlink(str(host_target), link)
    else:   # climbs far above the rootfs, then down to the host path
        os.symlink("../" * 12 + str(host_target).lstrip("/"), link)


@pytest.mark.parametrize("how", ["absolute", "dotdot"])
def test_symlink_mount_destination_stays_in_rootfs(runtime, bundle, host_target, how):
    hostile_link(bundle, "evil", host_target, how)
    # The tmpfs goes on /evil, and /evil/sub does not exist yet: a runtime that follows
    # the link on the host would create host_target/sub and mount over the host dir.
    bundle.add_mount("/evil/sub", "tmpfs", "tmpfs", ["size=64k"])
    bundle.add_mount("/evil", "tmpfs", "tmpfs", ["size=64k"])
    bundle.set_args(sh("touch /evil/pwned; echo started; cat /proc/self/mountinfo; "
                       "sleep 1000"))
    r = runtime.run(bundle, detach=True)
    out = runtime.last_out
    if r.rc == 0:
        assert oci.wait_for(lambda: "started" in oci.read_file(out)), "container never ran"
    # While the container runs: nothing on the host path, no host mount there.
    assert sorted(os.listdir(host_target)) == ["marker"]
    assert (host_target / "marker").read_text() == "untouched\n"
    assert oci.mounts_under(host_target) == []
    # The host is safe; but refusing is not enough: runc and crun resolve the link
    # inside the rootfs and make the mount there, and so must we.
    assert r.rc == 0, "host untouched, but the runtime refused:\n%s" % r
    # Inside, the link was resolved in the rootfs: the mounts sit at the host path's
    # name under the container's /.
    info = oci.wait_for(lambda: oci.read_file(out).partition("started\n")[2])
    points = {m["mount_point"]: m["fstype"] for m in oci.parse_mountinfo(info)}
    assert points.get(str(host_target)) == "tmpfs", sorted(points)
    assert points.get(str(host_target) + "/sub") == "tmpfs", sorted(points)
    assert runtime.kill(bundle.id, "KILL").rc == 0
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0
    assert sorted(os.listdir(host_target)) == ["marker"]


@pytest.mark.parametrize("how", ["absolute", "dotdot"])
def test_symlink_bind_source_file_destination(runtime, bundle, host_target, tmp_path, how):
    """A file bind mount onto a symlink must not create or change a host file."""
    src = tmp_path / "src-file"
    src.write_text("payload\n")
    os.symlink(str(host_target / "victim") if how == "absolute"
               else "../" * 12 + str(host_target / "victim").lstrip("/"),
               os.path.join(bundle.rootfs, "evil-file"))
    bundle.add_mount("/evil-file", "bind", str(src), ["bind", "ro"])
    bundle.set_args(sh("cat /evil-file"))
    r = runtime.run(bundle)
    assert sorted(os.listdir(host_target)) == ["marker"]
    assert r.rc == 0, "host untouched, but the runtime refused:\n%s" % r
    assert r.out == "payload\n"


@pytest.mark.parametrize("cid", ["../escape", "a/b", "..", "."])
def test_invalid_container_id_is_refused(runtime, bundle, tmp_path, cid):
    bundle.id = cid
    before = set(os.listdir(tmp_path)) - {"state"}
    r = runtime.create(bundle)
    assert r.rc != 0, "create with id %r succeeded" % cid
    assert r.err.strip()
    runtime.bundles.pop(cid)        # nothing to delete under that name
    # runc makes the (empty) --root dir even so; nothing else may appear.
    assert set(os.listdir(tmp_path)) - {"state"} == before
    if os.path.exists(runtime.root):
        assert os.listdir(runtime.root) == []
    assert oci.cgroup_dirs(bundle.cgroups_path) == []
