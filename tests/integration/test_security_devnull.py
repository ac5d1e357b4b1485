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
import subprocess

import pytest

import oci
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


@pytest.mark.berth_only("runc 1.1.5 masks with the container's /dev/null, not the host's")
def test_a_host_devnull_that_is_not_1_3_is_refused(runtime, bundle, tmp_path):
    """The host's /dev/null is checked too (S_ISCHR, 1:3): run in a mount namespace whose
    /dev/null is a regular file, create fails rather than mask with that file."""
    fake = tmp_path / "fake-null"
    fake.write_text("FAKE\n")
    with open(os.path.join(bundle.rootfs, MASKED.lstrip("/")), "w") as f:
        f.write("SECRET\n")
    bundle.linux["maskedPaths"] = [MASKED]
    bundle.set_args(sh(PROBE))
    runtime._remember(bundle)
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        'mount --bind "$0" /dev/null && exec "$@"', str(fake),
                        runtime.binary, "--root", runtime.root, "run", "--bundle",
                        bundle.path, bundle.id], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=oci.RUN_TIMEOUT)
    assert "FAKE" not in p.stdout, p.stdout
    assert p.returncode != 0 and "1:3" in p.stderr, (p.returncode, p.stdout, p.stderr)
