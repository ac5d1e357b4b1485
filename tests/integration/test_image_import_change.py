"""berth import --change: docker's instructions (CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME,
USER, WORKDIR, STOPSIGNAL, ONBUILD) set the new image's config as docker's import does;
anything else is refused before the tarball is read, with docker's words."""

import json

import pytest

import images


@pytest.fixture
def rootfs(tmp_path):
    path = tmp_path / "rootfs.tar"
    path.write_bytes(images.tar_bytes([("./", None), ("./hello", b"world\n")]))
    return str(path)


def test_import_changes(engine, rootfs):
    changes = ['CMD ["/bin/sh", "-c", "echo hi"]', "entrypoint echo a", 'ENV A=1 B="two words"',
               "ENV A 3 4", "LABEL a=b 'c d'=e", "EXPOSE 80 53/udp 8000-8002",
               'VOLUME ["/data", "/x"]', "VOLUME /y", "USER nobody", "WORKDIR /app",
               "WORKDIR sub", "STOPSIGNAL SIGTERM", "ONBUILD RUN echo x"]
    args = [a for c in changes for a in ("--change", c)]
    engine("import", *args, "-m", "msg", rootfs, "changed:1")
    cfg = json.loads(engine("image", "inspect", "-f", "{{json .Config}}", "changed:1").out)
    assert cfg["Cmd"] == ["/bin/sh", "-c", "echo hi"]
    assert cfg["Entrypoint"] == ["/bin/sh", "-c", "echo a"]
    assert cfg["Env"] == ["A=3 4", "B=two words"]
    assert cfg["Labels"] == {"a": "b", "c d": "e"}
    assert cfg["ExposedPorts"] == {p: {} for p in
                                   ("80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp")}
    assert cfg["Volumes"] == {"/data": {}, "/x": {}, "/y": {}}
    assert cfg["User"] == "nobody" and cfg["WorkingDir"] == "/app/sub"
    assert cfg["StopSignal"] == "SIGTERM" and cfg["OnBuild"] == ["RUN echo x"]
    # -c is --change
    engine("import", "-c", "CMD sleep 1", rootfs, "changed:2")
    cfg = json.loads(engine("image", "inspect", "-f", "{{json .Config}}", "changed:2").out)
    assert cfg["Cmd"] == ["/bin/sh", "-c", "sleep 1"]


@pytest.mark.parametrize("change,message", [
    ("RUN echo x", "--change 'RUN echo x': run is not a valid change command"),
    ("FROM x", "from is not a valid change command"),
    ("CMD", "CMD requires at least one argument"),
    ('ENV A="x', "unterminated \" quote"),
    ("ENV =x", "ENV names can not be blank"),
    ("EXPOSE 70000", "invalid port '70000'"),
    ("EXPOSE 80/ftp", "invalid port '80/ftp'"),
    ("ONBUILD ONBUILD RUN x", "ONBUILD isn't allowed as an ONBUILD trigger"),
])
def test_import_bad_changes(engine, rootfs, change, message):
    r = engine("import", "--change", change, rootfs, "bad:1", check=False)
    assert r.rc == 125 and message in r.err, r
    assert engine("images", "-q").out == ""
