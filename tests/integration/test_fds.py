"""File descriptors into the container: --preserve-fds and systemd socket activation.

As runc: when LISTEN_PID is the runtime's pid, its LISTEN_FDS fds (from 3) pass to the
container, which gets LISTEN_FDS=n and LISTEN_PID (its own pid, 1 in a pid namespace);
--preserve-fds N passes N more. Every other fd of the runtime is closed at exec.
"""

import os

import pytest

import oci
from console_socket import wait
from oci import sh


def pipes(datas):
    """Read ends of pipes holding datas, and a preexec_fn placing them at fds 3, 4, ..."""
    rfds = []
    for data in datas:
        r, w = os.pipe()
        os.write(w, data)
        os.close(w)
        rfds.append(r)

    def place():
        for i, fd in enumerate(rfds):
            os.dup2(fd, 3 + i)
    return rfds, place


def run_with_fds(runtime, bundle, datas, *extra, env=None, wrapper=()):
    rfds, place = pipes(datas)
    try:
        p = runtime.popen("run", "--bundle", bundle.path, *extra, bundle.id, bundle=bundle,
                          close_fds=False, preexec_fn=place, env=env, wrapper=wrapper)
        code = wait(p)
        return code, oci.read_file(p.out_path), oci.read_file(p.err_path)
    finally:
        for fd in rfds:
            os.close(fd)


SHOW_FDS = ("for fd in 3 4 5 6; do if [ -e /proc/$$/fd/$fd ]; then cat <&$fd; echo; "
            "else echo no-$fd; fi; done; echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID")


def test_preserve_fds(runtime, bundle):
    bundle.set_args(sh(SHOW_FDS))
    code, out, err = run_with_fds(runtime, bundle, [b"a", b"b", b"c"], "--preserve-fds", "2")
    assert code == 0, err
    assert out.split() == ["a", "b", "no-5", "no-6", "LISTEN_FDS=", "LISTEN_PID="]


def test_without_preserve_fds_nothing_passes(runtime, bundle):
    bundle.set_args(sh(SHOW_FDS))
    code, out, err = run_with_fds(runtime, bundle, [b"a"])
    assert code == 0, err
    assert out.split()[:4] == ["no-3", "no-4", "no-5", "no-6"]


def test_listen_fds_pass_with_their_environment(runtime, bundle):
    """systemd socket activation: the runtime is started with LISTEN_PID=<its pid>."""
    bundle.set_args(sh(SHOW_FDS))
    # The runtime's pid is known only once it runs: a shell sets LISTEN_PID to its own pid
    # and execs the runtime in its place.
    wrapper = ["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=2 exec "$@"', "sh"]
    code, out, err = run_with_fds(runtime, bundle, [b"sock1", b"sock2", b"extra", b"closed"],
                                  "--preserve-fds", "1", wrapper=wrapper)
    assert code == 0, err
    lines = out.split()
    assert lines[:4] == ["sock1", "sock2", "extra", "no-6"], lines
    assert "LISTEN_FDS=2" in lines and "LISTEN_PID=1" in lines, lines


def test_listen_fds_of_another_pid_are_ignored(runtime, bundle):
    bundle.set_args(sh(SHOW_FDS))
    env = dict(os.environ, LISTEN_PID="1", LISTEN_FDS="2")
    code, out, err = run_with_fds(runtime, bundle, [b"a", b"b"], env=env)
    assert code == 0, err
    assert out.split()[:2] == ["no-3", "no-4"]


@pytest.mark.parametrize("command", ["create", "run"])
def test_preserve_fds_not_open_fails_and_leaves_nothing(runtime, bundle, command):
    bundle.set_args(["true"])
    call = runtime.create if command == "create" else runtime.run
    r = call(bundle, "--preserve-fds", "50")
    assert r.rc != 0, "--preserve-fds of fds that are not open succeeded"
    assert r.err.strip()
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.berth_only("checks berth's message")
def test_preserve_fds_message_names_the_fd(runtime, bundle):
    bundle.set_args(["true"])
    r = runtime.create(bundle, "--preserve-fds", "50")
    assert r.rc != 0
    assert "--preserve-fds" in r.err and "not open" in r.err
