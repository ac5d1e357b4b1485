"""`berth system service` driven by Debian's docker-compose 1.29 (docker-py underneath,
issue 17): two services on a user-defined network, a named volume, a published port,
depends_on a healthy service, environment, healthcheck; `up -d`, `ps`, `logs`, `exec`,
`down -v`. The services reach each other by name and alias (aardvark-dns on the network)
and the published port answers from the engine's network namespace.

The service runs in a network namespace of the test's own (test_engine_api_netvol's
`napi` over test_engine_network's `nb`, whose teardown checks the host's network is
unchanged)."""

import json
import os
import shutil
import subprocess

import pytest

import oci
from test_engine_api import serve  # noqa: F401
from test_engine_api_netvol import http, napi  # noqa: F401 (napi: the fixture)
from test_engine_dns import AARDVARK, aardvark_pids
from test_engine_network import nb  # noqa: F401 (the fixture)

PORT = 18080

COMPOSE_FILE = """version: "2.4"
x-common: &common
  image: busybox
  runtime: %(runtime)s
  cgroup_parent: %(cgroup_parent)s
services:
  db:
    <<: *common
    command: ["sh", "-c", "echo \\"$$GREETING from db\\" > /data/index.html && echo db up && exec httpd -f -p 8080 -h /data"]
    environment:
      GREETING: hello
    volumes:
      - data:/data
    networks:
      back:
        aliases: [database]
        ipv4_address: 10.91.0.50
    healthcheck:
      test: ["CMD-SHELL", "test -f /data/index.html"]
      interval: 1s
      timeout: 5s
      retries: 30
  web:
    <<: *common
    command: ["sh", "-c", "mkdir -p /www && echo \\"web of $$ROLE\\" > /www/index.html && echo web up && exec httpd -f -p 80 -h /www"]
    environment:
      - ROLE=front
    depends_on:
      db:
        condition: service_healthy
    ports:
      - "%(port)d:80"
    networks:
      - back
networks:
  back:
    ipam:
      config:
        - subnet: 10.91.0.0/24
volumes:
  data:
"""

GET = "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc %s 8080"


@pytest.fixture
def compose(nb, napi, tmp_path):  # noqa: F811
    """docker-compose -p cp in a project directory, DOCKER_HOST the service in nb's netns;
    `down -v` at the end whatever the test did."""
    if not shutil.which("docker-compose"):
        oci.skip("docker-compose (Debian's, 1.29) is needed")
    if not os.access(AARDVARK, os.X_OK):
        oci.skip("aardvark-dns is needed (%s)" % AARDVARK)
    if not shutil.which("curl"):
        oci.skip("curl is needed")
    subprocess.run(["ip", "-n", nb.netns, "link", "set", "lo", "up"], check=True)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "docker-compose.yml").write_text(COMPOSE_FILE % {
        "runtime": nb.runtime, "cgroup_parent": nb.cgroup_parent, "port": PORT})
    env = dict(os.environ, DOCKER_HOST="unix://" + napi)

    def run(*args, check=True):
        p = subprocess.run(["docker-compose", "-p", "cp"] + list(args), cwd=proj, env=env,
                           capture_output=True, text=True, timeout=180,
                           stdin=subprocess.DEVNULL)
        if check:
            assert p.returncode == 0, "docker-compose %s: %s%s" % (args, p.stdout, p.stderr)
        return p

    try:
        yield run
    finally:
        run("down", "-v", check=False)
        oci.wait_for(lambda: not aardvark_pids(nb.root), 10)


def fetch(netns, port):
    p = subprocess.run(["nsenter", "--net=/run/netns/" + netns, "curl", "--noproxy", "*",
                        "-sS", "-m", "5", "http://127.0.0.1:%d/index.html" % port],
                       capture_output=True, text=True, timeout=30)
    return p.stdout if p.returncode == 0 else p.stderr


def test_compose_two_services(nb, compose):  # noqa: F811
    compose("up", "-d")
    # depends_on service_healthy: web was started only once db was healthy
    db = nb.inspect("cp_db_1")
    assert db["State"]["Health"]["Status"] == "healthy"
    assert db["Config"]["Healthcheck"]["Test"] == ["CMD-SHELL", "test -f /data/index.html"]
    assert db["Config"]["Healthcheck"]["Interval"] == 1000000000
    assert "GREETING=hello" in db["Config"]["Env"]
    assert db["NetworkSettings"]["Networks"]["cp_back"]["IPAddress"] == "10.91.0.50"
    assert nb.status("cp_web_1") == "running"

    ps = compose("ps").stdout
    assert "cp_db_1" in ps and "cp_web_1" in ps and "Up (healthy)" in ps, ps
    assert "0.0.0.0:%d->80/tcp" % PORT in ps, ps
    assert oci.wait_for(lambda: "db up" in compose("logs", "db").stdout, 10)
    assert "web up" in compose("logs", "--no-color", "web").stdout

    # the published port answers in the engine's network namespace
    assert oci.wait_for(lambda: fetch(nb.netns, PORT) == "web of front\n", 20), \
        fetch(nb.netns, PORT)
    # web reaches db by its service name and its alias, db reaches web (aardvark-dns)
    for name in ("db", "database", "cp_db_1"):
        out = compose("exec", "-T", "web", "sh", "-c", GET % name).stdout
        assert out.splitlines()[-1] == "hello from db", (name, out)
    web_ip = nb.inspect("cp_web_1")["NetworkSettings"]["Networks"]["cp_back"]["IPAddress"]
    out = compose("exec", "-T", "db", "nslookup", "web").stdout
    assert "Address: " + web_ip in out, out
    assert compose("exec", "-T", "web", "sh", "-c", "echo $ROLE").stdout == "front\n"
    # the named volume holds db's page
    vol = json.loads(nb("volume", "inspect", "cp_data").out)[0]
    with open(vol["Mountpoint"] + "/index.html") as f:
        assert f.read() == "hello from db\n"

    compose("down", "-v")
    assert nb("ps", "-aq").out == ""
    assert nb("network", "ls", "--format", "{{.Name}}").out.split() == ["bridge", "host", "none"]
    assert nb("volume", "ls", "-q").out == ""


def test_create_compose_fields(nb, napi):  # noqa: F811
    """What docker-py sends for compose, by raw HTTP: the endpoint, PortBindings,
    ExposedPorts, Volumes, Healthcheck; and dockerd's 400s for what berth cannot do."""
    nb("network", "create", "--subnet", "10.92.0.0/24", "cn")
    base = {"Image": "busybox", "Cmd": ["true"],
            "HostConfig": {"NetworkMode": "cn", "Runtime": nb.runtime,
                           "CgroupParent": nb.cgroup_parent,
                           "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1",
                                                        "HostPort": "18081"}],
                                            "81/tcp": [{"HostIp": "", "HostPort": ""}]}},
            "ExposedPorts": {"82/udp": {}},
            "Volumes": {"/anon": {}},
            "Healthcheck": {"Test": ["CMD", "true"], "Interval": 2000000000, "Retries": 4},
            "NetworkingConfig": {"EndpointsConfig": {"cn": {
                "Aliases": ["al1"], "IPAMConfig": {"IPv4Address": "10.92.0.9"}}}}}
    status, body = http(napi, "POST", "/v1.41/containers/create?name=full", base)
    assert status == 201, body
    c = nb.inspect("full")
    assert c["HostConfig"]["PortBindings"]["80/tcp"] == [{"HostIp": "127.0.0.1",
                                                          "HostPort": "18081"}]
    assert "81/tcp" in c["HostConfig"]["PortBindings"]
    assert set(c["Config"]["ExposedPorts"]) == {"80/tcp", "81/tcp", "82/udp"}
    assert [m["Destination"] for m in c["Mounts"] if m["Type"] == "volume"] == ["/anon"]
    assert c["Config"]["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 2000000000,
                                          "Retries": 4}
    ep = c["NetworkSettings"]["Networks"]["cn"]
    assert "al1" in ep["Aliases"] and ep["IPAMConfig"]["IPv4Address"] == "10.92.0.9"
    nb("rm", "-v", "full")

    def refused(change, words):
        body = json.loads(json.dumps(base))
        change(body)
        status, reply = http(napi, "POST", "/v1.41/containers/create", body)
        assert status == 400 and words in reply["message"], (status, reply)

    refused(lambda b: b["NetworkingConfig"]["EndpointsConfig"].update({"other": {}}),
            "cannot be connected to network endpoints")
    refused(lambda b: b["NetworkingConfig"].update({"EndpointsConfig": {"other": {}}}),
            "a network other than HostConfig.NetworkMode 'cn'")
    refused(lambda b: b["Healthcheck"].update({"Interval": 10}),
            "Interval in Healthcheck cannot be less than 1ms")
    refused(lambda b: b["Healthcheck"].update({"Retries": -1}),
            "Retries in Healthcheck cannot be negative")
    refused(lambda b: b["HostConfig"].update({"PortBindings": {"80/tcp": "x"}}),
            "HostConfig.PortBindings")
    refused(lambda b: b["HostConfig"]["PortBindings"].update(
        {"99999/tcp": [{"HostPort": "1"}]}), "99999")
    assert nb("ps", "-aq").out == ""
    nb("network", "rm", "cn")
