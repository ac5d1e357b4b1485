"""linux.devices made in a directory someone else can write (issue 13, "Also:" list).

Between mknod and setting its mode, the node may be swapped for a symlink; chmod by name
then changed the mode of whatever the symlink names, on the host (the init is still in the
host's root then). The runtime pins the node (O_PATH|O_NOFOLLOW), checks it is the device
it made, and changes that inode only.

strace widens the window: every mknodat returns 0.2 s late, while a racer on the host swaps
the new node for a symlink to a 0600 marker file.
"""

import os
import shutil
import stat
import subprocess
import threading

import pytest

import oci


@pytest.mark.berth_only("runc 1.1.5 chowns a linux.devices node by name (os.Chown "
                        "follows the swapped-in symlink)")
def test_device_mode_is_not_set_through_a_swapped_symlink(runtime, bundle, tmp_path):
    if not shutil.which("strace"):
        oci.skip("strace is not installed")
    shared = tmp_path / "shared"
    shared.mkdir()
    marker = tmp_path / "marker"
    marker.write_text("host file\n")
    os.chmod(marker, 0o600)
    bundle.add_mount("/mnt/shared", "bind", str(shared), ["rbind", "rw"])
    bundle.linux["devices"] = [{"path": "/mnt/shared/dev0", "type": "c", "major": 1,
                                "minor": 5, "fileMode": 0o666, "uid": 1234, "gid": 1234}]
    runtime._remember(bundle)

    node = shared / "dev0"
    stop = threading.Event()

    def racer():
        while not stop.is_set():
            try:
                if stat.S_ISCHR(os.lstat(node).st_mode):
                    tmp = shared / ".swap"
                    os.symlink(str(marker), tmp)
                    os.rename(tmp, node)
                    return
            except FileNotFoundError:
                pass
            stop.wait(0.005)

    t = threading.Thread(target=racer)
    t.start()
    try:
        p = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=mknodat",
                            "-e", "inject=mknodat:delay_exit=200000", runtime.binary,
                            "--root", runtime.root, "run", "--bundle", bundle.path,
                            bundle.id], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=oci.RUN_TIMEOUT)
    finally:
        stop.set()
        t.join()
    assert os.path.islink(node), "the racer did not swap the node: %s" % p.stderr
    assert stat.S_IMODE(os.stat(marker).st_mode) == 0o600, (
        "the host file's mode changed through the symlink", p.stderr)
    assert os.stat(marker).st_uid == 0
