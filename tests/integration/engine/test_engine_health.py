"""Health checks as docker's (berth issue 16): --health-* flags and the image's
HEALTHCHECK, run by the container's monitor through `berth exec`; ps shows (healthy),
inspect .State.Health the status, the failing streak and the last five results. No test
waits a fixed time: each waits for the state it expects (or for a number of probes)."""

import hashlib
import io
import json
import re
import tarfile
import time

import pytest

import oci


@pytest.fixture(autouse=True)
def removed(berth):
    yield
    ids = berth.containers()
    if ids:
        berth("rm", "-f", *ids)


def health(berth, name):
    return berth.inspect(name)["State"].get("Health")


def wait_health(berth, name, pred, timeout=30):
    assert oci.wait_for(lambda: pred(health(berth, name)), timeout), health(berth, name)
    return health(berth, name)


def test_healthy_then_unhealthy_without_a_restart(berth):
    berth("run", "-d", "--name", "hc", "--restart", "on-failure",
          "--health-cmd", "test -e /tmp/ok && echo fine", "--health-interval", "100ms",
          "--health-retries", "2", "busybox", "sh", "-c", "touch /tmp/ok; sleep 1000")
    h = wait_health(berth, "hc", lambda h: h["Status"] == "healthy")
    assert h["FailingStreak"] == 0
    assert h["Log"][-1]["ExitCode"] == 0 and h["Log"][-1]["Output"] == "fine\n"
    assert re.search(r"Up .* \(healthy\)", berth("ps").out), berth("ps").out
    cfg = berth.inspect("hc")["Config"]["Healthcheck"]
    assert cfg["Test"] == ["CMD-SHELL", "test -e /tmp/ok && echo fine"]
    assert cfg["Interval"] == 100 * 10**6 and cfg["Retries"] == 2

    berth("exec", "hc", "rm", "/tmp/ok")
    h = wait_health(berth, "hc", lambda h: h["Status"] == "unhealthy")
    assert h["FailingStreak"] >= 2 and h["Log"][-1]["ExitCode"] == 1
    assert "(unhealthy)" in berth("ps").out
    # docker keeps the last five results
    h = wait_health(berth, "hc", lambda h: h["FailingStreak"] >= 7)
    assert len(h["Log"]) == 5
    # unhealthy is not a failure of the process: on-failure restarts nothing
    st = berth.inspect("hc")["State"]
    assert st["Status"] == "running" and berth.inspect("hc")["RestartCount"] == 0


def test_a_probe_past_its_timeout_is_killed(berth):
    berth("run", "-d", "--name", "slow", "--health-cmd", "sleep 100",
          "--health-timeout", "300ms", "--health-interval", "100ms", "--health-retries", "1",
          "busybox", "sleep", "1000")
    h = wait_health(berth, "slow", lambda h: h["Status"] == "unhealthy")
    assert h["Log"][-1]["ExitCode"] == -1
    assert h["Log"][-1]["Output"] == "Health check exceeded timeout (300ms)"


def test_failures_in_the_start_period_do_not_count(berth):
    berth("run", "-d", "--name", "warm", "--health-cmd", "false", "--health-interval", "1h",
          "--health-start-period", "1h", "--health-start-interval", "100ms",
          "--health-retries", "1", "busybox", "sleep", "1000")
    h = wait_health(berth, "warm", lambda h: h and len(h["Log"]) >= 3)
    assert h["Status"] == "starting" and h["FailingStreak"] == 0, h
    assert "(health: starting)" in berth("ps").out


def test_a_command_in_exec_form_and_a_restart_starts_over(berth):
    berth("run", "-d", "--name", "ex", "--health-cmd", "cat /etc/hostname",
          "--health-interval", "100ms", "busybox", "sleep", "1000")
    h = wait_health(berth, "ex", lambda h: h["Status"] == "healthy")
    assert h["Log"][-1]["Output"].strip() == berth.inspect("ex")["Config"]["Hostname"]
    berth("stop", "-t", "0", "ex")
    # stopped: the last state stays, no probe runs
    assert health(berth, "ex")["Status"] == "healthy"
    assert "(healthy)" not in berth("ps", "-a").out
    berth("start", "ex")
    berth.wait_status("ex", "running")
    wait_health(berth, "ex", lambda h: h["Status"] == "healthy")


def test_no_probe_while_paused(berth):
    berth("run", "-d", "--name", "pz", "--health-cmd", "true", "--health-interval", "100ms",
          "busybox", "sleep", "1000")
    wait_health(berth, "pz", lambda h: h["Status"] == "healthy")
    berth("pause", "pz")
    ends = [e["End"] for e in health(berth, "pz")["Log"]]
    # five intervals paused: not a guarantee the test needs, only time for a wrong probe
    # (an exec into a paused container fails) to show up
    time.sleep(0.5)
    berth("unpause", "pz")
    h = wait_health(berth, "pz", lambda h: h["Log"][-1]["End"] not in ends)
    assert all(e["ExitCode"] == 0 for e in h["Log"]), h
    assert h["Status"] == "healthy"


def image_with_healthcheck(berth, tmp_path, test):
    """busybox saved, its config given a Healthcheck, loaded as hcimage:latest."""
    archive = tmp_path / "bb.tar"
    berth("save", "-o", str(archive), "busybox")
    out = io.BytesIO()
    with tarfile.open(archive) as src, tarfile.open(fileobj=out, mode="w") as dst:
        manifest = json.load(src.extractfile("manifest.json"))
        old = manifest[0]["Config"]
        config = json.load(src.extractfile(old))
        config["config"]["Healthcheck"] = {"Test": test, "Interval": 100 * 10**6,
                                           "Retries": 1}
        data = json.dumps(config).encode()
        name = hashlib.sha256(data).hexdigest() + ".json"
        manifest[0]["Config"] = name
        manifest[0]["RepoTags"] = ["hcimage:latest"]
        for m in src.getmembers():
            if m.name in (old, "manifest.json", "repositories"):
                continue
            dst.addfile(m, src.extractfile(m) if m.isfile() else None)
        for n, d in ((name, data), ("manifest.json", json.dumps(manifest).encode())):
            ti = tarfile.TarInfo(n)
            ti.size = len(d)
            dst.addfile(ti, io.BytesIO(d))
    (tmp_path / "hc.tar").write_bytes(out.getvalue())
    berth("load", "-i", str(tmp_path / "hc.tar"))


def test_the_images_healthcheck_and_no_healthcheck(berth, tmp_path):
    image_with_healthcheck(berth, tmp_path, ["CMD", "false"])
    berth("run", "-d", "--name", "img", "hcimage", "sleep", "1000")
    h = wait_health(berth, "img", lambda h: h and h["Status"] == "unhealthy")
    assert h["Log"][-1]["ExitCode"] == 1
    # flags override the image's test and keep its other settings
    berth("run", "-d", "--name", "over", "--health-cmd", "true", "hcimage", "sleep", "1000")
    wait_health(berth, "over", lambda h: h and h["Status"] == "healthy")
    assert berth.inspect("over")["Config"]["Healthcheck"]["Retries"] == 1
    berth("run", "-d", "--name", "off", "--no-healthcheck", "hcimage", "sleep", "1000")
    assert berth.inspect("off")["Config"]["Healthcheck"]["Test"] == ["NONE"]
    assert health(berth, "off") is None
    berth("rmi", "-f", "hcimage")


@pytest.mark.parametrize("flags,message", [
    (["--no-healthcheck", "--health-cmd", "true"],
     "--no-healthcheck conflicts with --health-* options"),
    (["--health-interval", "500us"], "--health-interval cannot be less than 1ms"),
    (["--health-timeout", "soon"], "invalid argument \"soon\" for \"--health-timeout\" flag"),
    (["--health-retries", "-1"], "--health-retries"),
])
def test_bad_health_flags(berth, flags, message):
    r = berth("run", "--rm", *flags, "busybox", "true", check=False)
    assert r.rc == 125 and message in r.err, r
    assert berth.containers() == []


def test_health_status_events(berth):
    berth("run", "-d", "--name", "ev", "--health-cmd", "true", "--health-interval", "100ms",
          "busybox", "sleep", "1000")
    wait_health(berth, "ev", lambda h: h["Status"] == "healthy")
    r = berth("events", "--since", "0", "--until", "0s", "--filter", "event=health_status",
              "--format", "{{.Action}} {{.Actor.Attributes.name}}")
    assert r.out.splitlines() == ["health_status: healthy ev"], r
