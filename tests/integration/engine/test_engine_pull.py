"""run and create pull a missing image (--pull missing|always|never, docker's messages on
stderr, none with -q), and the registry configuration file (registries.json): docker.io's short names
resolved through a mirror on 127.0.0.1, mirrors tried in order, insecure registries, and
bad files refused with the file and the key. Nothing here talks to anything but loopback:
every registry named is a mirror on 127.0.0.1 or a closed port there."""

import json

import pytest

import images
from images import Layout

BUSYBOX = "/bin/busybox"  # busybox-static


@pytest.fixture(scope="module")
def mirror(registry, tmp_path_factory):
    """registry holding library/pullme:latest (busybox and /file), as docker.io's mirror."""
    with open(BUSYBOX, "rb") as f:
        bb = f.read()
    lay = Layout(tmp_path_factory.mktemp("layout"))
    img = lay.image([[("bin/", None), ("bin/busybox", ("mode", bb, 0o755)), ("etc/", None)],
                     [("file", b"from the mirror\n")]], cmd=("/bin/busybox", "cat", "/file"))
    lay.tag(img, "pullme")
    lay.push("pullme", registry, "library/pullme:latest")
    return registry


def closed_port():
    return "127.0.0.1:%d" % images.free_port()


def config(tmp_path, monkeypatch, data):
    path = tmp_path / "registries.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    monkeypatch.setenv("BERTH_REGISTRY_CONFIG", str(path))
    return str(path)


def test_run_pulls_missing_image_through_mirror(berth, mirror, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, {"registry-mirrors": ["http://" + mirror.host]})
    r = berth("run", "--rm", "pullme", "/bin/busybox", "cat", "/file")
    assert r.out == "from the mirror\n"
    err = r.err.splitlines()
    assert err[0] == "Unable to find image 'pullme:latest' locally"
    assert err[1] == "latest: Pulling from library/pullme"
    assert "Status: Downloaded newer image for pullme:latest" in err
    assert berth.inspect("pullme")["RepoTags"] == ["pullme:latest"]
    # present now: no pull, nothing on stderr about images
    r = berth("run", "--rm", "pullme")
    assert r.out == "from the mirror\n"
    assert "Pulling" not in r.err and "Unable to find" not in r.err


def test_create_pulls_and_pull_flag(berth, mirror, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, {"registry-mirrors": ["http://" + mirror.host]})
    r = berth("create", "--pull", "never", "pullme", check=False)
    assert r.rc == 125 and "No such image: pullme:latest" in r.err, r
    assert berth.containers() == []
    r = berth("create", "--name", "c1", "pullme")
    assert "Unable to find image 'pullme:latest' locally" in r.err
    assert len(r.out.strip()) == 64
    # always: pulls a present image again (no "Unable to find")
    r = berth("run", "--rm", "--pull", "always", "pullme")
    assert r.out == "from the mirror\n"
    assert "latest: Pulling from library/pullme" in r.err and "Unable to find" not in r.err
    assert "Status: Image is up to date for pullme:latest" in r.err
    r = berth("run", "--rm", "--pull", "sometimes", "pullme", check=False)
    assert r.rc == 125 and "invalid pull option: 'sometimes'" in r.err
    berth("rm", "c1")


def test_mirrors_in_order_and_insecure(berth, mirror, tmp_path, monkeypatch):
    # a registry on a closed port: its first mirror is closed too, the second answers
    dead = closed_port()
    config(tmp_path, monkeypatch,
           {"mirrors": {dead: ["http://" + closed_port(), "http://" + mirror.host]}})
    # -q: no pull output at all
    r = berth("run", "--rm", "-q", dead + "/library/pullme", "/bin/busybox", "cat", "/file")
    assert r.out == "from the mirror\n" and r.err == ""
    # an https mirror that speaks http: refused, unless it is an insecure registry
    cfg = {"mirrors": {dead: ["https://" + mirror.host]}}
    config(tmp_path, monkeypatch, cfg)
    r = berth("pull", dead + "/library/pullme:latest", check=False)
    assert r.rc != 0
    cfg["insecure-registries"] = [mirror.host]
    config(tmp_path, monkeypatch, cfg)
    r = berth("pull", dead + "/library/pullme:latest")
    assert "Status: Image is up to date for %s/library/pullme:latest" % dead in r.out


@pytest.mark.parametrize("data,message", [
    ('{"registry-mirrors": ', "registries.json"),
    ('{"mirrors": {"quay.io": ["ftp://x"]}}',
     "mirrors[\"quay.io\"][0]: mirror 'ftp://x': the scheme must be http or https"),
    ('{"insecure-registries": ["http://x"]}',
     '["insecure-registries"]: \'http://x\' is not HOST[:PORT]'),
    ('{"registry-mirror": []}', '["registry-mirror"]: unknown key'),
    ('[]', "expected a JSON object"),
])
def test_bad_registry_config(berth, tmp_path, monkeypatch, data, message):
    path = config(tmp_path, monkeypatch, data)
    r = berth("run", "--rm", "nothere", check=False)
    assert r.rc == 125, r
    assert "registry configuration '%s'" % path in r.err and message in r.err, r
    r = berth("--registry-config", str(tmp_path / "missing.json"), "pull", "x", check=False)
    assert r.rc != 0 and "missing.json" in r.err and "no such file" in r.err, r


def test_mirror_without_a_layer_falls_back_to_the_registry(berth, registry, tmp_path,
                                                           monkeypatch, tmp_path_factory):
    # the mirror has the manifest but lost a layer: the layer comes from the registry
    # itself (blobs are the same by digest), as the manifest would have
    import os
    with open(BUSYBOX, "rb") as f:
        bb = f.read()
    lay = Layout(tmp_path_factory.mktemp("fallback"))
    img = lay.image([[("bin/", None), ("bin/busybox", ("mode", bb, 0o755))],
                     [("file", b"layer from upstream\n")]], cmd=("/bin/busybox", "cat", "/file"))
    lay.tag(img, "fb")
    upstream = images.Registry(tmp_path_factory.mktemp("upstream"))
    try:
        lay.push("fb", upstream, "library/fb:1")
        lay.push("fb", registry, "library/fb:1")
        with open(os.path.join(lay.path, "blobs", "sha256", img["digest"][7:])) as f:
            layer = json.load(f)["layers"][1]["digest"]
        blob = os.path.join(registry.dir, "data", "docker", "registry", "v2", "blobs", "sha256",
                            layer[7:9], layer[7:], "data")
        os.unlink(blob)
        config(tmp_path, monkeypatch, {"mirrors": {upstream.host: ["http://" + registry.host]},
                                       "insecure-registries": [upstream.host]})
        r = berth("run", "--rm", "-q", upstream.host + "/library/fb:1")
        assert r.out == "layer from upstream\n", r
    finally:
        upstream.stop()
