"""A registry behind TLS with a self-signed certificate: refused by default, used with
--tls-verify=false. The registry is named berth.localhost (libcurl resolves *.localhost
to the loopback address) so that berth does not take it for a plain-http loopback one."""

import os
import shutil
import ssl
import subprocess
import time
import urllib.request

import pytest

import images
import oci


@pytest.fixture(scope="module")
def tls_registry(tmp_path_factory):
    if not shutil.which("openssl") or not shutil.which("docker-registry"):
        oci.skip("needs openssl and docker-registry")
    d = tmp_path_factory.mktemp("tlsreg")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=berth.localhost", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem")], check=True, capture_output=True)
    port = images.free_port()
    config = d / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
        "storage:\n  filesystem:\n    rootdirectory: %s/data\n"
        "http:\n  addr: 127.0.0.1:%d\n  tls:\n    certificate: %s/cert.pem\n"
        "    key: %s/key.pem\n" % (d, port, d, d))
    proc = subprocess.Popen(["docker-registry", "serve", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen("https://127.0.0.1:%d/v2/" % port, timeout=1,
                                   context=ssl._create_unverified_context())
            break
        except OSError:
            time.sleep(0.1)
    yield "berth.localhost:%d" % port
    proc.terminate()
    proc.wait()


def test_tls_verify(engine, tls_registry, tmp_path):
    engine("image", "create-busybox")
    ref = "%s/tls/busybox:1" % tls_registry
    r = engine("push", "busybox", ref, check=False)
    assert r.rc == 1 and ("certificate" in r.err.lower() or "ssl" in r.err.lower()), r
    engine("push", "--tls-verify=false", "busybox", ref)
    other = images.Engine(tmp_path / "other")
    r = other("pull", ref, check=False)
    assert r.rc == 1
    other("pull", "--tls-verify=false", ref)
    assert other.inspect(ref)["Id"] == engine.inspect("busybox")["Id"]
