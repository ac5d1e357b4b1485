"""The configuration snippets README.md gives for containerd, Docker and Podman are read
by the clients themselves, with berth-runtime where the snippet says
/usr/local/bin/berth-runtime."""

import json
import os
import re

import pytest

import drivers
import image

README = os.path.join(image.REPO, "README.md")
SNIPPET_PATH = "/usr/local/bin/berth-runtime"


def blocks(lang):
    with open(README) as f:
        text = f.read()
    return re.findall(r"```%s\n(.*?)```" % lang, text, re.S)


def block_with(lang, needle):
    found = [b for b in blocks(lang) if needle in b]
    assert found, "README.md has no ```%s block with %r" % (lang, needle)
    return found[0]


def test_containerd_config(tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text(block_with("toml", "io.containerd.runc.v2"))
    r = drivers.execute(["containerd", "--config", str(conf), "config", "dump"])
    assert r.rc == 0, r
    section = r.out.split('containerd.runtimes.berth]', 1)[1].split("\n\n      [", 1)[0]
    assert 'runtime_type = "io.containerd.runc.v2"' in section, section
    assert 'BinaryName = "%s"' % SNIPPET_PATH in r.out, r.out
    assert "SystemdCgroup = false" in r.out


def need_berth(runtimes):
    if "berth" not in runtimes:
        pytest.skip("berth is not in BERTH_TEST_RUNTIMES")


def test_docker_daemon_json(world, docker_daemon, runtimes):
    """The snippet's keys are those the test daemon runs with (docker_daemon), which
    passes the scenarios."""
    need_berth(runtimes)
    snippet = json.loads(block_with("json", '"runtimes"'))
    assert snippet["runtimes"] == {"berth": {"path": SNIPPET_PATH}}
    assert snippet["exec-opts"] == docker_daemon.config["exec-opts"]
    assert snippet["cgroup-parent"].startswith("/")
    assert docker_daemon.config["runtimes"]["berth"] == {"path": runtimes["berth"]}
    r = docker_daemon.cli("info", "--format", "{{json .Runtimes}}")
    assert r.rc == 0 and '"berth"' in r.out, r


def test_podman_containers_conf(world, podman_setup, runtimes, tmp_path):
    need_berth(runtimes)
    conf = block_with("toml", "[engine.runtimes]").replace(SNIPPET_PATH, runtimes["berth"])
    conf += "\n" + block_with("toml", "default_ulimits")
    path = tmp_path / "containers.conf"
    path.write_text(conf)
    env = dict(podman_setup.env, CONTAINERS_CONF=str(path))
    argv = podman_setup.argv("berth", "info", "--format",
                             "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}} "
                             "{{.Host.CgroupManager}}")
    r = drivers.execute(argv, env=env, cwd=str(tmp_path))
    assert r.rc == 0, r
    assert r.out.split() == ["berth", runtimes["berth"], "cgroupfs"], r
