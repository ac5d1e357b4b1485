"""`berth system service`: the networks and volumes endpoints of the Docker Engine API
(issue 17), driven by Debian's docker CLI (20.10), by docker-py (python3-docker) and by raw
HTTP for the error answers; the engine's own `berth network|volume ...` on the same --root
must see the same.

The network tests run the service in a network namespace of their own (test_engine_network's
`nb`, whose teardown checks the host's routes, rules, sysctls and links are unchanged):
network create makes bridges and nftables rules. The volume tests need no namespace (the
containers they make are on --network none, berth's default)."""

import json
import os
import re
import shutil
import subprocess

import pytest

import oci

from test_engine_api import api, docker, request, serve  # noqa: F401 (api: the fixture)
from test_engine_network import nb  # noqa: F401 (the fixture)


@pytest.fixture
def napi(nb, tmp_path):  # noqa: F811
    """The API's socket, its service (and so its bridges) in nb's network namespace."""
    yield from serve(nb, tmp_path)


def http(sock, method, url, body=None):
    """Status and decoded JSON body (None when empty) of one request."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    r, data = request(sock, method, url, json.dumps(body) if body is not None else None,
                      headers)
    return r.status, (json.loads(data) if data else None)


def run_d(berth, sock, *args):
    return docker(sock, "run", "-d", "--runtime", berth.runtime, "--cgroup-parent",
                  berth.cgroup_parent, *args).stdout.strip()


# --- volumes ---------------------------------------------------------------------------

def test_volumes_docker_cli(berth, api):  # noqa: F811
    assert docker(api, "volume", "create", "--label", "team=a", "v1").stdout == "v1\n"
    anon = docker(api, "volume", "create").stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", anon)
    assert sorted(docker(api, "volume", "ls", "-q").stdout.split()) == sorted(["v1", anon])
    assert sorted(berth("volume", "ls", "-q").out.split()) == sorted(["v1", anon])
    assert docker(api, "volume", "ls", "-q", "--filter", "label=team=a").stdout == "v1\n"
    assert docker(api, "volume", "ls", "-q", "--filter", "name=v1").stdout == "v1\n"
    v = json.loads(docker(api, "volume", "inspect", "v1").stdout)
    assert v == json.loads(berth("volume", "inspect", "v1").out)
    assert v[0]["Name"] == "v1" and v[0]["Driver"] == "local" and v[0]["Scope"] == "local"
    assert v[0]["Labels"] == {"team": "a"}
    assert v[0]["Mountpoint"] == berth.root + "/volumes/v1/_data"

    # in use by a container (created, not started): refused, as dockerd refuses it
    cid = docker(api, "create", "--runtime", berth.runtime, "--cgroup-parent",
                 berth.cgroup_parent, "-v", "v1:/data", "--label", "role=db", "busybox",
                 "true").stdout.strip()
    assert berth.inspect(cid)["Config"]["Labels"]["role"] == "db"  # api_create's Labels
    r = docker(api, "volume", "rm", "v1", check=False)
    assert r.returncode != 0 and "remove v1: volume is in use - [%s]" % cid in r.stderr
    status, body = http(api, "DELETE", "/v1.41/volumes/v1")
    assert status == 409 and body["message"] == "remove v1: volume is in use - [%s]" % cid
    assert docker(api, "volume", "ls", "-q", "--filter", "dangling=true").stdout == anon + "\n"
    out = docker(api, "volume", "prune", "-f").stdout
    assert "Deleted Volumes:\n%s\n" % anon in out and "Total reclaimed space" in out
    docker(api, "rm", cid)
    assert docker(api, "volume", "rm", "v1").stdout == "v1\n"
    assert docker(api, "volume", "ls", "-q").stdout == ""
    assert berth("volume", "ls", "-q").out == ""


def test_volumes_docker_py(berth, api):  # noqa: F811
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + api, version="1.41")
    v = client.volumes.create("pyvol", driver="local", labels={"k": "v"},
                              driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=1m"})
    assert v.name == "pyvol" and v.attrs["Options"] == {"type": "tmpfs", "device": "tmpfs",
                                                          "o": "size=1m"}
    assert client.volumes.get("pyvol").attrs["Labels"] == {"k": "v"}
    assert [x.name for x in client.volumes.list(filters={"label": "k=v"})] == ["pyvol"]
    assert client.volumes.list(filters={"label": "k=other"}) == []
    # docker's create is idempotent: the same volume back
    assert client.volumes.create("pyvol").attrs["Labels"] == {"k": "v"}
    client.volumes.create("other")
    assert client.volumes.prune(filters={"label": "k=v"})["VolumesDeleted"] == ["pyvol"]
    with pytest.raises(docker_py.errors.NotFound):
        client.volumes.get("pyvol")
    client.volumes.get("other").remove()
    assert client.volumes.list() == []
    assert berth("volume", "ls", "-q").out == ""
    client.close()


def test_volume_errors(api):  # noqa: F811
    assert http(api, "GET", "/v1.41/volumes/nosuch") == \
        (404, {"message": "get nosuch: no such volume"})
    assert http(api, "DELETE", "/v1.41/volumes/nosuch") == \
        (404, {"message": "get nosuch: no such volume"})
    assert http(api, "DELETE", "/v1.41/volumes/nosuch?force=1") == (204, None)
    status, body = http(api, "POST", "/v1.41/volumes/create", {"Name": "a/b"})
    assert status == 400 and "includes invalid characters" in body["message"]
    status, body = http(api, "POST", "/v1.41/volumes/create", {"Name": "xx", "Driver": "nfs"})
    assert status == 404 and 'plugin "nfs" not found' in body["message"]
    status, body = http(api, "POST", "/v1.41/volumes/create",
                        {"Name": "xx", "DriverOpts": {"bogus": "1"}})
    assert status == 400 and "invalid option key" in body["message"]
    status, body = http(api, "GET", "/v1.41/volumes?filters=%7B%22bogus%22%3A%5B%221%22%5D%7D")
    assert status == 400
    status, body = http(api, "POST", "/v1.41/volumes/create", {})
    assert status == 201 and re.fullmatch(r"[0-9a-f]{64}", body["Name"])
    assert http(api, "GET", "/v1.41/volumes") == (200, {"Volumes": [body], "Warnings": None})
    status, pruned = http(api, "POST", "/v1.41/volumes/prune")
    assert status == 200 and pruned["VolumesDeleted"] == [body["Name"]]


# --- networks --------------------------------------------------------------------------

def test_networks_docker_cli(nb, napi):  # noqa: F811
    nid = docker(napi, "network", "create", "--subnet", "10.78.0.0/24", "--label", "team=a",
                 "-o", "com.docker.network.bridge.name=brapi0", "n1").stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", nid)
    out = docker(napi, "network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").stdout
    assert sorted(out.splitlines()) == ["bridge bridge local", "host host local", "n1 bridge local",
                                   "none null local"]
    assert docker(napi, "network", "ls", "-q", "--no-trunc", "--filter",
                  "label=team=a").stdout == nid + "\n"
    assert nb("network", "ls", "-q", "--no-trunc", "--filter", "name=n1").out == nid + "\n"
    doc = json.loads(docker(napi, "network", "inspect", "n1").stdout)
    assert doc == json.loads(nb("network", "inspect", "n1").out)
    assert doc[0]["Id"] == nid and doc[0]["Labels"] == {"team": "a"}
    assert doc[0]["IPAM"]["Config"] == [{"Subnet": "10.78.0.0/24", "Gateway": "10.78.0.1"}]
    r = docker(napi, "network", "create", "n1", check=False)
    assert r.returncode != 0 and "network with name n1 already exists" in r.stderr

    cid = run_d(nb, napi, "--network", "n1", "--name", "web", "busybox", "sleep", "60")
    ctrs = json.loads(docker(napi, "network", "inspect", "n1").stdout)[0]["Containers"]
    assert list(ctrs) == [cid] and ctrs[cid]["Name"] == "web"
    assert ctrs[cid]["IPv4Address"].startswith("10.78.0.")
    assert ctrs == json.loads(nb("network", "inspect", "n1").out)[0]["Containers"]
    r = docker(napi, "network", "rm", "n1", check=False)
    assert r.returncode != 0 and \
        "network n1 id %s has active endpoints" % nid in r.stderr, r.stderr
    status, body = http(napi, "DELETE", "/v1.41/networks/n1")
    assert status == 403 and "has active endpoints" in body["message"]
    assert docker(napi, "network", "prune", "-f").stdout == ""
    docker(napi, "rm", "-f", "web")
    assert docker(napi, "network", "rm", "n1").stdout == "n1\n"
    docker(napi, "network", "create", "n2")
    assert docker(napi, "network", "prune", "-f").stdout == "Deleted Networks:\nn2\n\n"
    assert nb("network", "ls", "-q").out.count("\n") == 3  # bridge, host and none


def test_network_container_and_mac_address_docker_cli(nb, napi):  # noqa: F811
    """docker run --network container:NAME and --mac-address through the API: docker's
    CLI sends HostConfig.NetworkMode and Config.MacAddress; dockerd's checks answer."""
    docker(napi, "network", "create", "--subnet", "10.76.0.0/24", "an")
    did = run_d(nb, napi, "--name", "adonor", "--network", "an", "--mac-address",
                "92:d0:c6:0a:29:66", "busybox", "sleep", "60")
    run_d(nb, napi, "--name", "ajoiner", "--network", "container:adonor", "busybox", "sleep",
          "60")
    d, j = (json.loads(docker(napi, "inspect", n).stdout)[0] for n in ("adonor", "ajoiner"))
    assert d["Config"]["MacAddress"] == "92:d0:c6:0a:29:66"
    assert d["NetworkSettings"]["Networks"]["an"]["MacAddress"] == "92:d0:c6:0a:29:66"
    assert j["HostConfig"]["NetworkMode"] == "container:" + did
    assert j["NetworkSettings"]["Networks"] == {}
    assert "link/ether 92:d0:c6:0a:29:66 " in \
        docker(napi, "exec", "ajoiner", "ip", "link", "show", "eth0").stdout
    r = docker(napi, "run", "--rm", "--network", "container:adonor", "-p", "80", "busybox",
               "true", check=False)
    assert r.returncode != 0 and "conflicting options: port publishing and the container " \
        "type network mode" in r.stderr, r.stderr
    docker(napi, "rm", "-f", "ajoiner", "adonor")
    docker(napi, "network", "rm", "an")


def test_networks_docker_py(nb, napi):  # noqa: F811
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url="unix://" + napi, version="1.41")
    ipam = docker_py.types.IPAMConfig(pool_configs=[docker_py.types.IPAMPool(
        subnet="10.79.0.0/16", iprange="10.79.3.0/24", gateway="10.79.0.254")])
    n = client.networks.create("pynet", driver="bridge", ipam=ipam, internal=True,
                               labels={"app": "x"}, check_duplicate=True)
    assert client.networks.get(n.id[:12]).name == "pynet"
    got = client.networks.get("pynet").attrs
    assert got["Internal"] is True and got["Labels"] == {"app": "x"}
    assert got["IPAM"]["Config"] == [{"Subnet": "10.79.0.0/16", "IPRange": "10.79.3.0/24",
                                      "Gateway": "10.79.0.254"}]
    assert [x.name for x in client.networks.list(names=["pynet"])] == ["pynet"]
    assert [x.name for x in client.networks.list(filters={"type": "custom"})] == ["pynet"]
    assert sorted(x.name for x in client.networks.list()) == ["bridge", "host", "none", "pynet"]
    with pytest.raises(docker_py.errors.APIError) as e:
        client.networks.create("pynet")
    assert e.value.status_code == 409
    client.networks.create("keep", labels={"keep": "1"})
    assert client.networks.prune(filters={"label": "app=x"})["NetworksDeleted"] == ["pynet"]
    with pytest.raises(docker_py.errors.NotFound):
        client.networks.get("pynet")
    client.networks.get("keep").remove()
    assert "keep" not in nb("network", "ls").out
    client.close()


def test_network_errors(nb, napi):  # noqa: F811
    assert http(napi, "GET", "/v1.41/networks/nosuch") == \
        (404, {"message": "network nosuch not found"})
    assert http(napi, "DELETE", "/v1.41/networks/nosuch") == \
        (404, {"message": "network nosuch not found"})
    assert http(napi, "DELETE", "/v1.41/networks/none") == \
        (403, {"message": "none is a pre-defined network and cannot be removed"})
    status, body = http(napi, "POST", "/v1.41/networks/create",
                        {"Name": "v6", "EnableIPv6": True})
    assert status == 400 and "IPv6" in body["message"]
    status, body = http(napi, "POST", "/v1.41/networks/create", {"Name": "x", "Driver": "overlay"})
    assert status == 404 and 'plugin "overlay" not found' in body["message"]
    status, body = http(napi, "POST", "/v1.41/networks/create", {"Name": "bad name"})
    assert status == 400 and "invalid network name" in body["message"]
    status, body = http(napi, "GET", "/v1.41/networks?filters=%7B%22bogus%22%3A%5B%221%22%5D%7D")
    assert status == 400 and body["message"] == "Invalid filter 'bogus'"
    status, body = http(napi, "POST", "/v1.41/networks/create", {"Name": "e1"})
    assert status == 201 and body["Warning"] == "" and re.fullmatch(r"[0-9a-f]{64}", body["Id"])
    assert http(napi, "POST", "/v1.41/networks/e1/connect", {"Container": "x"}) == \
        (501, {"message": "berth: network connect is not implemented"})
    assert http(napi, "POST", "/v1.41/networks/e1/disconnect", {"Container": "x"}) == \
        (501, {"message": "berth: network disconnect is not implemented"})
    assert http(napi, "DELETE", "/v1.41/networks/" + body["Id"][:12]) == (204, None)
    assert "e1" not in nb("network", "ls", "--format", "{{.Name}}").out.split()


COMPOSE_FILE = """version: "2.4"
services:
  web:
    image: busybox
    command: sleep 60
    runtime: %s
    cgroup_parent: %s
    volumes:
      - data:/data
volumes:
  data:
    labels:
      app: x
"""


def test_docker_compose(nb, napi, tmp_path):  # noqa: F811
    """Debian's docker-compose 1.29 makes its project's network and volume through the
    API, its container on them, and removes all three with `down -v`."""
    if not shutil.which("docker-compose"):
        oci.skip("docker-compose (Debian's, 1.29) is needed")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "docker-compose.yml").write_text(COMPOSE_FILE % (nb.runtime, nb.cgroup_parent))
    env = dict(os.environ, DOCKER_HOST="unix://" + napi)

    def compose(*args):
        p = subprocess.run(["docker-compose", "-p", "cp"] + list(args), cwd=proj, env=env,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, "docker-compose %s: %s%s" % (args, p.stdout, p.stderr)

    compose("up", "-d")
    vol = json.loads(nb("volume", "inspect", "cp_data").out)[0]
    assert vol["Labels"]["app"] == "x" and vol["Labels"]["com.docker.compose.project"] == "cp"
    net = json.loads(nb("network", "inspect", "cp_default").out)[0]
    assert [c["Name"] for c in net["Containers"].values()] == ["cp_web_1"]
    assert nb.status("cp_web_1") == "running"
    compose("down", "-v")
    assert nb("network", "ls", "--format", "{{.Name}}").out.split() == ["bridge", "host", "none"]
    assert nb("volume", "ls", "-q").out == ""
