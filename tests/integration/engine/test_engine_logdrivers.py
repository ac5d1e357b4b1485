"""--log-driver local|journald|syslog and --log-opt, as docker 20.10's (berth issue 16):
the lines reach a syslog or journal socket the test listens on, `berth logs` still reads
them (docker's dual-logging cache) unless cache-disabled, and a host without the service
gets docker's error at start."""

import os
import re
import shlex
import socket
import subprocess

import pytest


@pytest.fixture(autouse=True)
def removed(berth):
    yield
    ids = berth.containers()
    if ids:
        berth("rm", "-f", *ids)


def listener(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(path))
    s.settimeout(30)
    return s


def receive(sock, n):
    return [sock.recv(65536) for _ in range(n)]


def test_syslog_lines_and_the_cache(berth, tmp_path):
    sock = listener(tmp_path / "log")
    berth("run", "--name", "sl", "--log-driver", "syslog",
          "--log-opt", "syslog-address=unixgram://%s" % (tmp_path / "log"),
          "--log-opt", "tag=app-{{.Name}}", "busybox", "sh", "-c", "echo hello; echo oops >&2")
    got = sorted(m.decode() for m in receive(sock, 2))
    # stderr err (3), stdout info (6), facility daemon (3): <27> and <30>
    assert re.match(r"<27>\w{3} [ \d]\d \d\d:\d\d:\d\d app-sl\[\d+\]: oops$", got[0]), got
    assert re.match(r"<30>\w{3} [ \d]\d \d\d:\d\d:\d\d app-sl\[\d+\]: hello$", got[1]), got
    r = berth("logs", "sl")
    assert r.out == "hello\n" and r.err == "oops\n", r
    lc = berth.inspect("sl")["HostConfig"]["LogConfig"]
    assert lc["Type"] == "syslog" and lc["Config"]["tag"] == "app-{{.Name}}"


def test_syslog_rfc5424_facility_and_no_cache(berth, tmp_path):
    sock = listener(tmp_path / "log")
    berth("run", "--name", "s5", "--log-driver", "syslog",
          "--log-opt", "syslog-address=unixgram://%s" % (tmp_path / "log"),
          "--log-opt", "syslog-format=rfc5424", "--log-opt", "syslog-facility=local0",
          "--log-opt", "cache-disabled=true", "busybox", "echo", "five")
    msg = receive(sock, 1)[0].decode()
    short = berth.inspect("s5")["Id"][:12]
    # local0 (16) * 8 + info (6)
    assert re.match(r"<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ %s \d+ - - five$" % short,
                    msg), msg
    r = berth("logs", "s5", check=False)
    assert r.rc == 1 and "configured logging driver does not support reading" in r.err, r


def test_journald_fields(berth, tmp_path):
    """The journal socket of a private mount namespace: a tmpfs on /run there, with the
    test's socket bound at /run/systemd/journal/socket (nothing changes on the host)."""
    jdir = tmp_path / "journal"
    jdir.mkdir()
    sock = listener(jdir / "socket")
    run = berth.argv(("run", "--name", "jd", "--log-driver", "journald", "busybox", "sh",
                      "-c", "echo to-journal; echo bad >&2"))
    rm = berth.argv(("rm", "jd"))
    script = ("mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && "
              "mount --bind %s /run/systemd/journal && %s && %s" %
              (shlex.quote(str(jdir)), shlex.join(run), shlex.join(rm)))
    p = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p
    fields = []
    for raw in receive(sock, 2):
        f, rest = {}, raw
        # MESSAGE in the binary form: "MESSAGE\n", a little-endian 64-bit length, the bytes
        head, rest = rest.split(b"\n", 1)
        assert head == b"MESSAGE"
        n = int.from_bytes(rest[:8], "little")
        f["MESSAGE"] = rest[8:8 + n].decode()
        for line in rest[8 + n + 1:].decode().splitlines():
            k, v = line.split("=", 1)
            f[k] = v
        fields.append(f)
    fields.sort(key=lambda f: f["PRIORITY"])
    assert fields[0]["MESSAGE"] == "bad" and fields[0]["PRIORITY"] == "3"
    assert fields[1]["MESSAGE"] == "to-journal" and fields[1]["PRIORITY"] == "6"
    for f in fields:
        assert f["CONTAINER_NAME"] == "jd" and len(f["CONTAINER_ID_FULL"]) == 64
        assert f["CONTAINER_ID"] == f["CONTAINER_ID_FULL"][:12] == f["CONTAINER_TAG"]
        assert f["SYSLOG_IDENTIFIER"] == f["CONTAINER_TAG"] and f["IMAGE_NAME"] == "busybox"


@pytest.mark.skipif(os.path.exists("/run/systemd/journal/socket"),
                    reason="this host runs journald: the refusal cannot be seen here")
def test_journald_missing_fails_the_start(berth):
    r = berth("run", "--name", "nj", "--log-driver", "journald", "busybox", "true",
              check=False)
    assert r.rc != 0, r
    assert "failed to initialize logging driver: journald is not enabled on this host" \
        in r.err, r
    # as docker: the container was created and stays so
    assert berth.status("nj") == "created"


def test_local_driver(berth):
    berth("run", "--name", "lo", "--log-driver", "local", "busybox", "echo", "kept")
    assert berth("logs", "lo").out == "kept\n"
    assert berth.inspect("lo")["HostConfig"]["LogConfig"] == {"Type": "local", "Config": {}}


@pytest.mark.parametrize("flags,message", [
    (["--log-driver", "fluentd"], "logger: no log driver named 'fluentd' is registered"),
    (["--log-opt", "mode=sometimes"], "logger: unknown log mode: sometimes"),
    (["--log-opt", "compress=true"], "compress=true"),
    (["--log-driver", "syslog", "--log-opt", "syslog-facility=nope"],
     "invalid syslog facility: nope"),
    (["--log-driver", "syslog", "--log-opt", "syslog-address=ftp://x"],
     "unsupported scheme"),
    (["--log-driver", "journald", "--log-opt", "max-file=2"],
     "unknown log opt 'max-file' for journald log driver"),
])
def test_bad_log_options(berth, flags, message):
    r = berth("run", "--rm", *flags, "busybox", "true", check=False)
    assert r.rc == 125 and message in r.err, r
    assert berth.containers() == []


def test_non_blocking_mode_is_accepted(berth):
    r = berth("run", "--name", "nb", "--log-opt", "mode=non-blocking",
              "--log-opt", "max-buffer-size=4m", "busybox", "echo", "nb")
    assert r.out == "nb\n" and berth("logs", "nb").out == "nb\n"
