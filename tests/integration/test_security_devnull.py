"""CVE-2025-31133 class (issue 13 item 6): masked files are covered with the host's
/dev/null, never with whatever the container's /dev calls null.

With /dev bind-mounted from a directory another container can write, /dev/null there may
be a symlink (to /proc/sys/kernel/core_pattern: every masked file would become that
host-global sysctl, writable) or a planted regular file. The runtime clones the host's
/dev/null before pivot_root, checks it is the 1:3 character device, and attaches it
read-only (as runc >= 1.2.8). Here the symlink points at a harmless marker file in the
rootfs: a masked file that shows the marker was covered with the container's "null".
"""

import os

import pytest

from oci import sh

MASKED = "/etc/masked-file"
PROBE = ("cat %s; echo; stat -c '%%F %%t:%%T' %s; "
         "grep ' %s ' /proc/self/mountinfo" % (MASKED, MASKED, MASKED))


def dev_from_dir(bundle, devdir):
    """/dev bound from devdir (no tmpfs, so no device nodes made), MASKED masked."""
    bundle.config["mounts"] = [m for m in bundle.config["mounts"]
                               if not m["destination"].startswith("/dev")]
    bundle.add_mount("/dev", "bind", str(devdir), ["rbind", "rw"])
    bundle.linux["maskedPaths"] = [MASKED, "/proc/kcore"]
    with open(os.path.join(bundle.rootfs, MASKED.lstrip("/")), "w") as f:
        f.write("SECRET\n")
    with open(os.path.join(bundle.rootfs, "marker"), "w") as f:
        f.write("MARKER\n")
    bundle.set_args(sh(PROBE))


def check_host_devnull(r):
    assert r.rc == 0, str(r)
    assert "MARKER" not in r.out and "PLANTED" not in r.out and "SECRET" not in r.out, r.out
    assert "character special file 1:3" in r.out, r.out
    mount = [ln for ln in r.out.splitlines() if " %s " % MASKED in ln]
    assert mount, r.out
    assert mount[-1].split()[5].split(",")[0] == "ro", mount


@pytest.fixture
def devdir(tmp_path):
    d = tmp_path / "shared-dev"
    d.mkdir()
    return d


@pytest.mark.berth_only("runc 1.1.5 binds the container's /dev/null (CVE-2025-31133, "
                        "fixed in runc 1.2.8)")
def test_mask_ignores_a_null_symlink(runtime, bundle, devdir):
    os.symlink("/marker", devdir / "null")
    dev_from_dir(bundle, devdir)
    check_host_devnull(runtime.run(bundle))


@pytest.mark.berth_only("runc 1.1.5 binds the container's /dev/null (CVE-2025-31133, "
                        "fixed in runc 1.2.8)")
def test_mask_ignores_a_planted_null_file(runtime, bundle, devdir):
    (devdir / "null").write_text("PLANTED\n")
    dev_from_dir(bundle, devdir)
    check_host_devnull(runtime.run(bundle))


@pytest.mark.berth_only("runc 1.1.5 binds /dev/null read-write (read-only since runc 1.2.8)")
def test_masked_file_is_read_only_host_null(runtime, bundle):
    """The usual tmpfs /dev: the mask is still the 1:3 device, mounted read-only."""
    with open(os.path.join(bundle.rootfs, MASKED.lstrip("/")), "w") as f:
        f.write("SECRET\n")
    bundle.linux["maskedPaths"] = [MASKED]
    bundle.set_args(sh(PROBE))
    check_host_devnull(runtime.run(bundle))
