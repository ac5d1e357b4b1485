"""A busybox image built from Debian's busybox-static, as a `docker save` archive.

The archive (manifest.json, the image config, one layer.tar) loads into every client
without a registry: `docker load`, `podman load` and `ctr images import` all read it.
Standard library only; the rootfs is scripts/mkbundle.py's, so the image and the
integration tests' bundles hold the same files.
"""

import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import mkbundle  # noqa: E402  (scripts/ is not a package)

# Fully qualified, so that no client rewrites it (docker.io/library/... and friends).
IMAGE = "localhost/berth-busybox:latest"
ENV_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EPOCH = "2024-01-01T00:00:00Z"


def _layer_tar(rootfs):
    """An uncompressed, reproducible tar of rootfs (sorted, fixed mtimes)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                full = os.path.join(dirpath, name)
                info = tar.gettarinfo(full, os.path.relpath(full, rootfs))
                info.mtime = 0
                info.uname = info.gname = ""
                if info.isfile():
                    with open(full, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return buf.getvalue()


def _add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def build(path, tag=IMAGE):
    """Write the image archive to path; returns the image id (sha256:<config digest>)."""
    with tempfile.TemporaryDirectory(prefix="berth-image-") as tmp:
        rootfs = os.path.join(tmp, "rootfs")
        mkbundle.make_rootfs(rootfs)
        layer = _layer_tar(rootfs)
    diff_id = hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": EPOCH,
        "config": {"Env": [ENV_PATH], "Cmd": ["sh"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
        "history": [{"created": EPOCH, "created_by": "berth tests/clients/image.py"}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_digest = hashlib.sha256(config_bytes).hexdigest()
    manifest = [{"Config": config_digest + ".json", "RepoTags": [tag],
                 "Layers": [diff_id + "/layer.tar"]}]
    with tarfile.open(path, "w") as tar:
        _add(tar, diff_id + "/layer.tar", layer)
        _add(tar, diff_id + "/VERSION", b"1.0")
        _add(tar, config_digest + ".json", config_bytes)
        _add(tar, "manifest.json", json.dumps(manifest).encode())
    return "sha256:" + config_digest


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else "busybox.tar"))
