"""`berth system service` itself (issue 17): --group (docker's -G) makes the socket
root:GROUP 0660, an unknown group is a clear error; socket activation as systemd does it
(dist/systemd/berth.socket + berth.service, installed by `make install`; checked in
test_engine_install), through `systemd-socket-activate`, served to the docker CLI."""

import grp
import json
import os
import shutil
import subprocess

import oci
from test_engine_api import docker, oci_engine, pings

def stop(proc):
    proc.terminate()
    out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out


def test_group(berth, tmp_path):
    gid = grp.getgrnam("daemon").gr_gid
    sock = str(tmp_path / "g.sock")
    proc = subprocess.Popen(oci_engine(berth) + ["system", "service", "--group", "daemon",
                                                 "unix://" + sock],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert oci.wait_for(lambda: pings(sock), 10), "the service did not answer"
        st = os.stat(sock)
        assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o777)) == (0, gid, "0o660")
    finally:
        stop(proc)
    assert not os.path.exists(sock)
    # the default: root:root
    r = berth("system", "service", "-G", "nosuch-group-x", "unix://" + sock, check=False)
    assert r.rc == 125 and "group 'nosuch-group-x' not found" in r.err, r
    r = berth("system", "service", "-G", "daemon", "tcp://127.0.0.1:1", check=False)
    assert r.rc == 125 and "--group is for a unix socket" in r.err, r
    assert not os.path.exists(sock)


def test_socket_activation(berth, tmp_path):
    """systemd's protocol (LISTEN_PID, LISTEN_FDS=1, fd 3), as berth.socket hands it."""
    activate = shutil.which("systemd-socket-activate")
    if not activate:
        oci.skip("systemd-socket-activate (package systemd) is needed")
    sock = str(tmp_path / "act.sock")
    proc = subprocess.Popen([activate, "-l", sock] + oci_engine(berth) +
                            ["system", "service"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert oci.wait_for(lambda: os.path.exists(sock), 10)
        v = json.loads(docker(sock, "version", "--format", "{{json .Server}}").stdout)
        assert v["ApiVersion"] == "1.41"
    finally:
        stop(proc)

