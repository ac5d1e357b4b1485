"""Helpers for the image tests: the engine (build/berth) with a private --root, a local
registry (Debian's docker-registry on 127.0.0.1, private config and storage), and test
images written as OCI layouts in Python and pushed with skopeo.

Everything lives under the test's tmp_path; the registry is stopped by PID.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import time
import urllib.request
from typing import NamedTuple

import oci

ENGINE = os.environ.get("BERTH_ENGINE", os.path.join(oci.REPO, "build", "berth"))
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {
    "plain": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


class Result(NamedTuple):
    rc: int
    out: str
    err: str

    def __str__(self):
        return "rc=%d\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.out, self.err)


class Engine:
    """build/berth with --root under the test's tmp_path."""

    def __init__(self, root):
        self.root = str(root)
        if not (os.path.isfile(ENGINE) and os.access(ENGINE, os.X_OK)):
            raise AssertionError("%s is not built (meson compile -C build)" % ENGINE)

    def __call__(self, *args, check=True, timeout=120, input=None, env=None):
        full = dict(os.environ)
        full.update(env or {})
        p = subprocess.run([ENGINE, "--root", self.root, *args], capture_output=True,
                           text=True, timeout=timeout, input=input, env=full)
        r = Result(p.returncode, p.stdout, p.stderr)
        if check and r.rc != 0:
            raise AssertionError("berth %s failed:\n%s" % (" ".join(args), r))
        return r

    def popen(self, *args, **kw):
        return subprocess.Popen([ENGINE, "--root", self.root, *args], **kw)

    def inspect(self, ref):
        return json.loads(self("image", "inspect", ref).out)[0]

    @property
    def store(self):
        return os.path.join(self.root, "image")

    def listdir(self, sub):
        path = os.path.join(self.store, sub)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """docker-registry on 127.0.0.1:<free port>, storage and config in a private dir."""

    def __init__(self, workdir, htpasswd=None):
        self.dir = str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        auth = ""
        if htpasswd:
            path = os.path.join(self.dir, "htpasswd")
            with open(path, "w") as f:
                f.write(htpasswd)
            auth = "auth:\n  htpasswd:\n    realm: berth-test\n    path: %s\n" % path
        config = os.path.join(self.dir, "config.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                    "storage:\n  filesystem:\n    rootdirectory: %s/data\n  delete:\n"
                    "    enabled: true\n%shttp:\n  addr: %s\n" % (self.dir, auth, self.host))
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", config], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen("http://%s/v2/" % self.host, timeout=1)
                return
            except urllib.error.HTTPError:
                return  # 401 with auth on: it is up
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise AssertionError("docker-registry did not start: see %s/log" % self.dir)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def ref(self, name):
        return "%s/%s" % (self.host, name)


def skopeo(*args, check=True):
    p = subprocess.run(["skopeo", "--insecure-policy", *args], capture_output=True, text=True,
                       timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("skopeo %s failed:\n%s%s" % (" ".join(args), p.stdout, p.stderr))
    return p


# --- test images, written as OCI layouts --------------------------------------------

def tar_bytes(entries):
    """entries: list of (name, content) where content is bytes (file), None (dir),
    ('symlink', target), ('hardlink', target), ('mode', bytes, mode) or
    ('owned', bytes, uid) (a 0644 file of uid:uid)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            data = None
            if content is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
            elif isinstance(content, tuple) and content[0] == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = content[1]
            elif isinstance(content, tuple) and content[0] == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = content[1]
            elif isinstance(content, tuple) and content[0] == "mode":
                data, info.mode = content[1], content[2]
                info.size = len(data)
            elif isinstance(content, tuple) and content[0] == "owned":
                data, info.mode = content[1], 0o644
                info.uid = info.gid = content[2]
                info.size = len(data)
            else:
                data = content
                info.size = len(data)
                info.mode = 0o644
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, capture_output=True,
                              check=True).stdout
    return data


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI image layout directory being filled with images."""

    def __init__(self, path):
        self.path = str(path)
        os.makedirs(os.path.join(self.path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(self.path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.index = []

    def blob(self, data):
        d = sha(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    def image(self, layers, arch="amd64", compression="gzip", cmd=("sh",), history=None):
        """layers: list of tar entry lists; history: the config's (default: one entry per
        layer). Returns the manifest descriptor."""
        descs, diff_ids = [], []
        for entries in layers:
            raw = tar_bytes(entries)
            comp = compress(raw, compression)
            diff_ids.append(sha(raw))
            descs.append({"mediaType": MT_LAYER[compression], "digest": self.blob(comp),
                          "size": len(comp)})
        config = json.dumps({
            "created": "2024-01-01T00:00:00Z", "architecture": arch, "os": "linux",
            "config": {"Cmd": list(cmd), "Env": ["PATH=/bin"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history if history is not None else [
                {"created": "2024-01-01T00:00:00Z", "created_by": "layer %d" % i}
                for i in range(len(layers))],
        }).encode()
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": self.blob(config),
                       "size": len(config)},
            "layers": descs,
        }).encode()
        return {"mediaType": MT_MANIFEST, "digest": self.blob(manifest), "size": len(manifest),
                "platform": {"architecture": arch, "os": "linux"}}

    def tag(self, desc, tag):
        d = dict(desc)
        d["annotations"] = {"org.opencontainers.image.ref.name": tag}
        d.pop("platform", None)
        self.index.append(d)
        self.write()

    def tag_index(self, descs, tag):
        """A multi-platform index of descs, tagged."""
        index = json.dumps({"schemaVersion": 2, "mediaType": MT_INDEX,
                            "manifests": descs}).encode()
        d = {"mediaType": MT_INDEX, "digest": self.blob(index), "size": len(index),
             "annotations": {"org.opencontainers.image.ref.name": tag}}
        self.index.append(d)
        self.write()
        return d

    def write(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": self.index}, f)

    def push(self, tag, registry, name, all_platforms=False, docker_format=False):
        """skopeo copy oci:LAYOUT:tag docker://registry/name (blobs kept as they are), or
        converted to a docker schema 2 manifest."""
        args = ["copy", "--dest-tls-verify=false"]
        args += ["--format", "v2s2"] if docker_format else ["--preserve-digests"]
        if all_platforms:
            args.append("--all")
        skopeo(*args, "oci:%s:%s" % (self.path, tag), "docker://%s" % registry.ref(name))


def base_files(extra=()):
    """A small root filesystem: a few dirs and files."""
    return [("etc/", None), ("etc/hostname", b"base\n"), ("bin/", None),
            ("bin/tool", ("mode", b"#!/bin/sh\necho tool\n", 0o755))] + list(extra)


def mounted(engine, ref, target):
    """Context manager: berth image mount REF TARGET, unmounted afterwards."""
    class _M:
        def __enter__(self):
            os.makedirs(target, exist_ok=True)
            engine("image", "mount", ref, str(target))
            return str(target)

        def __exit__(self, *exc):
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
    return _M()


def remote_digest(registry, name):
    """The manifest digest the registry holds for name (a HEAD with every Accept)."""
    req = urllib.request.Request(
        "http://%s/v2/%s" % (registry.host, name.replace(":", "/manifests/", 1)),
        method="HEAD",
        headers={"Accept": ", ".join([MT_MANIFEST, MT_INDEX,
                                      "application/vnd.docker.distribution.manifest.v2+json",
                                      "application/vnd.docker.distribution.manifest.list.v2+json"])})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers["Docker-Content-Digest"]
