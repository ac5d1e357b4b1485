"""passwd files without NSS and without trusting the image (issue 13, "Also:" list).

- The container's /etc/passwd (read for HOME when process.env has none) is the image's:
  it is read only when it is a regular file. A FIFO there hung create forever; one with
  a writer on the other end chose the process's HOME.
- `state` and `list` name the owner from the host's /etc/passwd themselves: the static
  runtime's getpwuid loaded NSS modules and crashed (SIGSEGV in libnss_systemd) for an
  owner uid with no entry. As runc's list, such an owner is shown as "#<uid>".
"""

import json
import os

import pytest

from oci import sh


def fifo_passwd(bundle):
    path = os.path.join(bundle.rootfs, "etc/passwd")
    os.unlink(path)
    os.mkfifo(path)
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.process["env"] = [e for e in bundle.process["env"] if not e.startswith("HOME=")]
    bundle.set_args(sh('echo "HOME=$HOME"'))
    return path


@pytest.mark.berth_only("runc 1.1.5 opens the container's /etc/passwd as it finds it: "
                        "a FIFO hangs it")
def test_passwd_fifo_does_not_hang_create(runtime, bundle):
    fifo_passwd(bundle)
    r = runtime.run(bundle, timeout=15)
    assert r.rc == 0, str(r)
    assert "HOME=/\n" in r.out, r.out


@pytest.mark.berth_only("runc 1.1.5 opens the container's /etc/passwd whatever it is: "
                        "this FIFO hangs it (with a writer, runc reads it)")
def test_passwd_fifo_is_not_read(runtime, bundle):
    """The FIFO holds a passwd line for uid 1000 and has no writer left (a reader here
    keeps its buffer): a runtime that opens it, even non-blocking, reads HOME=/pwned."""
    path = fifo_passwd(bundle)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writer = os.open(path, os.O_WRONLY)
        os.write(writer, b"u:x:1000:1000::/pwned:/bin/sh\n")
        os.close(writer)
        r = runtime.run(bundle, timeout=15)
    finally:
        os.close(reader)
    assert r.rc == 0, str(r)
    assert "HOME=/\n" in r.out and "pwned" not in r.out, r.out


@pytest.mark.berth_only("edits berth's state.json to give the container an owner uid "
                        "with no passwd entry")
def test_state_and_list_with_an_owner_without_passwd_entry(runtime, bundle):
    uid = 54321
    with open("/etc/passwd") as f:
        assert not any(line.split(":")[2:3] == [str(uid)] for line in f), "uid exists"
    bundle.set_args(["sleep", "1000"])
    r = runtime.create(bundle)
    assert r.rc == 0, str(r)
    runtime.state(bundle.id)    # remembers the init's pid for the teardown
    path = os.path.join(runtime.root, bundle.id, "state.json")
    with open(path) as f:
        st = json.load(f)
    st["owner"] = uid
    with open(path, "w") as f:
        json.dump(st, f)
    st = runtime.state(bundle.id)
    assert st["owner"] == "#%d" % uid, st
    r = runtime.list()
    assert r.rc == 0, str(r)
    assert "#%d" % uid in r.out, r.out
    r = runtime.list(fmt="json")
    assert r.rc == 0, str(r)
    assert [c["owner"] for c in json.loads(r.out)] == ["#%d" % uid], r.out
    runtime.kill(bundle.id, "KILL")
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0


def test_state_owner_root_is_named(runtime, bundle):
    """The owner with an entry is still named (root here)."""
    bundle.set_args(["sleep", "1000"])
    r = runtime.create(bundle)
    assert r.rc == 0, str(r)
    r = runtime.list(fmt="json")
    assert r.rc == 0, str(r)
    assert [c["owner"] for c in json.loads(r.out)] == ["root"], r.out
    runtime.kill(bundle.id, "KILL")
    runtime.wait_status(bundle.id, "stopped")
    assert runtime.delete(bundle.id).rc == 0
