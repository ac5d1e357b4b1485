"""berth commit and berth build: images made from containers and Dockerfiles."""

import io
import json
import os
import signal
import subprocess
import tarfile

import oci
import pytest


def layer_members(berth, tmp_path, image):
    """Names in each layer tar of `berth save image` (a docker-archive), top layer last."""
    out = tmp_path / "saved.tar"
    berth("save", "-o", str(out), image)
    layers = []
    with tarfile.open(out) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        for name in manifest[0]["Layers"]:
            with tarfile.open(fileobj=io.BytesIO(t.extractfile(name).read())) as lt:
                layers.append(sorted(lt.getnames()))
    return layers


def test_commit_changes_whiteouts_and_run(berth, tmp_path):
    berth("run", "--name", "changer", "busybox", "sh", "-c",
          "echo new > /etc/new; echo changed > /etc/passwd.x; rm /bin/ls; "
          "rm -r /var; mkdir -p /var/only; echo v > /var/only/f; "
          "mkdir /made; echo m > /made/f; ln -s /made/f /lnk")
    r = berth("commit", "-m", "first", "-a", "me <me@x>", "-c", "ENV ADDED=1",
              "-c", 'CMD ["cat", "/made/f"]', "changer", "committed:v1")
    image_id = r.out.strip()
    assert image_id.startswith("sha256:") and len(image_id) == 71
    berth("rm", "changer")
    img = berth.inspect("committed:v1")
    assert img["Id"] == image_id
    assert img["Author"] == "me <me@x>"
    assert "ADDED=1" in img["Config"]["Env"]
    assert img["Config"]["Cmd"] == ["cat", "/made/f"]
    out = berth("run", "--rm", "committed:v1").out
    assert out == "m\n"
    out = berth("run", "--rm", "committed:v1", "sh", "-c",
                "cat /etc/new /var/only/f; ls /var; test -e /bin/ls || echo gone; "
                "readlink /lnk; echo $ADDED").out
    assert out == "new\nv\nonly\ngone\n/made/f\n1\n"
    layers = layer_members(berth, tmp_path, "committed:v1")
    assert len(layers) == 2
    top = layers[-1]
    assert "bin/.wh.ls" in top
    assert "var/.wh..wh..opq" in top
    assert "etc/new" in top and "made/f" in top and "lnk" in top
    assert not any(n.startswith("etc/host") or n == "etc/resolv.conf" for n in top)
    hist = berth("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}",
                 "committed:v1").out.splitlines()
    assert hist[0].startswith("berth commit ") and hist[0].endswith("|first")


def test_commit_running_container_pauses_and_resumes(berth):
    berth("run", "-d", "--name", "live", "busybox", "sh", "-c",
          "echo hi > /hello; touch /ready; sleep 60")
    berth.wait_status("live", "running")
    oci.wait_for(lambda: berth("exec", "live", "test", "-e", "/ready", check=False).rc == 0)
    image_id = berth("commit", "live").out.strip()
    assert berth.inspect("live")["State"]["Status"] == "running"
    assert berth("run", "--rm", image_id, "cat", "/hello").out == "hi\n"
    assert berth.inspect(image_id)["RepoTags"] == []
    berth("rm", "-f", "live")


def test_commit_errors(berth):
    r = berth("commit", "nosuch", check=False)
    assert r.rc == 1 and "nosuch" in r.err
    berth("create", "--name", "c1", "busybox", "true")
    r = berth("commit", "-c", "RUN echo", "c1", check=False)
    assert r.rc == 1 and "RUN is not supported" in r.err
    r = berth("commit", "c1", "Bad:Name:x", check=False)
    assert r.rc == 1
    berth("rm", "c1")


def write(d, files):
    for name, text in files.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def images(berth):
    return sorted(set(berth("images", "-q", "--no-trunc").out.split()))


def store_leftovers(berth):
    left = []
    for sub in ("image/tmp", "image/snapshots", "containers"):
        d = os.path.join(berth.root, sub)
        if os.path.isdir(d) and os.listdir(d):
            left.append("%s: %s" % (sub, os.listdir(d)))
    return left


def test_build_steps_output_and_config(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"a.txt": "hello\n", "sub/s1": "s\n", "Dockerfile": """\
# a comment
FROM busybox
ARG WHO=world
ENV GREETING="hello ${WHO}" \\
    # comments inside a continuation are dropped
    OTHER=${UNSET:-dflt} ALT=${WHO:+set}
RUN echo "$GREETING $WHO" > /greet && \\
    rm /bin/ls && rm -r /var && mkdir /var && touch /var/new
COPY a.txt /opt/
COPY sub /data
WORKDIR /work
WORKDIR rel
LABEL a=b "c d"=e
EXPOSE 80 53/udp
USER 1000:1000
STOPSIGNAL SIGUSR1
VOLUME ["/vol"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /greet"]
"""})
    base = images(berth)
    r = berth("build", "-t", "demo:1", "-t", "demo2", "--build-arg", "WHO=you", str(ctx))
    lines = r.out.splitlines()
    assert lines[0] == "Step 1/15 : FROM busybox"
    assert lines[1].startswith(" ---> ") and len(lines[1]) == 18
    assert "Step 4/15 : RUN echo \"$GREETING $WHO\" > /greet && " \
           "    rm /bin/ls && rm -r /var && mkdir /var && touch /var/new" in lines
    assert any(l.startswith(" ---> Running in ") for l in lines)
    assert any(l.startswith("Removing intermediate container ") for l in lines)
    short = lines[-3].split()[-1]
    assert lines[-3] == "Successfully built " + short
    assert lines[-2:] == ["Successfully tagged demo:1", "Successfully tagged demo2:latest"]
    img = berth.inspect("demo:1")
    assert img["Id"].split(":")[1].startswith(short)
    cfg = img["Config"]
    assert "GREETING=hello you" in cfg["Env"] and "OTHER=dflt" in cfg["Env"]
    assert "ALT=set" in cfg["Env"]
    assert cfg["WorkingDir"] == "/work/rel"
    assert cfg["Labels"] == {"a": "b", "c d": "e"}
    assert sorted(cfg["ExposedPorts"]) == ["53/udp", "80/tcp"]
    assert cfg["User"] == "1000:1000" and cfg["StopSignal"] == "SIGUSR1"
    assert list(cfg["Volumes"]) == ["/vol"]
    assert cfg["Entrypoint"] == ["/bin/sh", "-c"] and cfg["Cmd"] == ["cat /greet"]
    assert berth("run", "--rm", "demo:1").out == "hello you you\n"
    out = berth("run", "--rm", "-u", "0", "--entrypoint", "sh", "demo:1", "-c",
                "cat /opt/a.txt /data/s1; ls /var; test -e /bin/ls || echo gone").out
    assert out == "hello\ns\nnew\ngone\n"
    # one layer per RUN/COPY and per WORKDIR of a new directory (docker's), the other
    # steps are history only; step images are gone
    hist = berth("history", "--no-trunc", "--format", "{{.CreatedBy}}", "demo:1").out
    assert "/bin/sh -c #(nop)  CMD [\"cat /greet\"]" in hist
    assert "/bin/sh -c #(nop) WORKDIR /work/rel" in hist
    layers = layer_members(berth, tmp_path, "demo:1")
    assert len(layers) == 6 and layers[4:] == [["work"], ["work", "work/rel"]], layers
    assert images(berth) == sorted(base + [img["Id"]])
    assert store_leftovers(berth) == []


def test_build_failing_run_leaves_nothing(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": "FROM busybox\nENV A=1\nRUN echo before\nRUN false\nCMD x\n"})
    base = images(berth)
    r = berth("build", "-t", "bad", str(ctx), check=False)
    assert r.rc == 1, r
    assert "The command '/bin/sh -c false' returned a non-zero code: 1" in r.err
    assert "Step 4/5 : RUN false" in r.out and "Step 5/5" not in r.out
    assert images(berth) == base
    assert berth("ps", "-aq").out == ""
    assert store_leftovers(berth) == []


def test_build_multistage_target_quiet_iidfile(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile.alt": """\
ARG BASE=busybox
FROM ${BASE} AS builder
RUN echo built > /artifact
FROM scratch AS empty
FROM $BASE AS final
COPY --from=builder /artifact /copied
COPY --from=0 /artifact /copied0
CMD ["cat", "/copied"]
FROM busybox
RUN echo never-run
"""})
    iid = tmp_path / "iid"
    r = berth("build", "-q", "-f", str(ctx / "Dockerfile.alt"), "--target", "final",
              "--iidfile", str(iid), "-t", "multi", str(ctx))
    image_id = r.out.strip()
    assert image_id.startswith("sha256:") and "Step" not in r.out and "built" not in r.out
    assert iid.read_text() == image_id
    assert berth.inspect("multi")["Id"] == image_id
    assert berth("run", "--rm", "multi", "cat", "/copied", "/copied0").out == "built\nbuilt\n"
    r = berth("build", "--target", "nosuch", "-f", str(ctx / "Dockerfile.alt"), str(ctx),
              check=False)
    assert r.rc == 1 and "nosuch" in r.err
    assert store_leftovers(berth) == []


def test_build_add_tar_glob_chown(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"one.txt": "1\n", "two.txt": "2\n", "skip.md": "no\n"})
    with tarfile.open(ctx / "arch.tar.gz", "w:gz") as t:
        data = b"inside\n"
        info = tarfile.TarInfo("dir/in.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    write(ctx, {"Dockerfile": """\
FROM busybox
ADD arch.tar.gz /x/
COPY --chown=1234:5678 *.txt /t/
COPY one.txt /renamed
COPY ["two.txt", "/tmp"]
COPY --chown=daemon one.txt /by-user
COPY --chown=nobody:daemon one.txt /by-names
COPY --chown=7 one.txt /by-uid
"""})
    berth("build", "-q", "-t", "files", str(ctx))
    out = berth("run", "--rm", "files", "sh", "-c",
                "cat /x/dir/in.txt; ls /t; stat -c '%u:%g' /t/one.txt; cat /renamed; "
                "cat /tmp/two.txt; stat -c '%a' /tmp; ls /x").out
    assert out == "inside\none.txt\ntwo.txt\n1234:5678\n1\n2\n1777\ndir\n"
    out = berth("run", "--rm", "files", "stat", "-c", "%u:%g", "/by-user", "/by-names",
                "/by-uid").out
    assert out == "1:1\n65534:1\n7:7\n"
    write(ctx, {"Dockerfile": "FROM busybox\nCOPY --chown=nosuch one.txt /x\n"})
    r = berth("build", str(ctx), check=False)
    assert r.rc == 1 and "no user 'nosuch' in the image's /etc/passwd" in r.err, r


def test_build_parser_forms(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": """\
# escape=`
FROM busybox
ENV legacy value with spaces
SHELL ["/bin/sh", "-ec"]
RUN echo "$legacy" > /l; `
    echo 'single $legacy' >> /l
CMD echo shell form
"""})
    berth("build", "-q", "-t", "forms", str(ctx))
    cfg = berth.inspect("forms")["Config"]
    assert "legacy=value with spaces" in cfg["Env"]
    assert cfg["Cmd"] == ["/bin/sh", "-ec", "echo shell form"]
    assert berth("run", "--rm", "forms", "cat", "/l").out == \
        "value with spaces\nsingle $legacy\n"


@pytest.mark.parametrize("dockerfile,message", [
    ("RUN true\n", "no build stage"),
    ("FROM busybox\nFOO bar\n", "unknown instruction: FOO"),
    ("FROM busybox\nCOPY missing /x\n", "missing"),
    ("FROM nosuch-image\n", "nosuch-image"),
    ("FROM busybox\nCOPY a b /notadir\n", "must be a directory"),
    ("FROM busybox\nADD http://example.com/x /x\n", "URL"),
])
def test_build_errors(berth, tmp_path, dockerfile, message):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": dockerfile, "a": "", "b": ""})
    base = images(berth)
    r = berth("build", str(ctx), check=False)
    assert r.rc == 1 and message in r.err, r
    assert images(berth) == base
    assert store_leftovers(berth) == []


def test_build_without_dockerfile(berth, tmp_path):
    r = berth("build", str(tmp_path), check=False)
    assert r.rc == 1 and "Dockerfile" in r.err


def test_build_dockerignore(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"keep.txt": "k\n", "secret.key": "s\n", "logs/a.log": "l\n",
                "src/x.go": "x\n", "src/deep/y.go": "y\n", "src/deep/keep.md": "m\n",
                "node_modules/m/i.js": "j\n", "node_modules/m/want.js": "w\n",
                ".dockerignore": "# comment\n*.key\n/logs\n**/*.go\n!src/deep/y.go\n"
                                 "node_modules\n!node_modules/m/want.js\n",
                "Dockerfile": "FROM busybox\nCOPY . /app/\n"})
    berth("build", "-q", "-t", "ign", str(ctx))
    out = berth("run", "--rm", "ign", "find", "/app", "-type", "f").out
    assert sorted(out.split()) == sorted(
        "/app/keep.txt /app/src/deep/y.go /app/src/deep/keep.md /app/node_modules/m/want.js "
        "/app/.dockerignore /app/Dockerfile".split())
    assert store_leftovers(berth) == []


def test_commit_layer_keeps_links_and_follows_nothing(berth, tmp_path):
    berth("run", "--name", "linker", "busybox", "sh", "-c",
          "echo data > /f; ln /f /hard; ln -s /etc/shadow-of-host /evil; "
          "mkdir /d; ln -s / /d/root; mkfifo /fifo")
    berth("commit", "linker", "links:1")
    berth("rm", "linker")
    out = tmp_path / "saved.tar"
    berth("save", "-o", str(out), "links:1")
    with tarfile.open(out) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        top = t.extractfile(manifest[0]["Layers"][-1]).read()
    with tarfile.open(fileobj=io.BytesIO(top)) as lt:
        m = {i.name: i for i in lt.getmembers()}
    assert m["evil"].issym() and m["evil"].linkname == "/etc/shadow-of-host"
    assert m["d/root"].issym() and m["d/root"].linkname == "/"
    assert m["fifo"].isfifo()
    assert {m["f"].islnk(), m["hard"].islnk()} == {True, False}
    link = m["f"] if m["f"].islnk() else m["hard"]
    assert link.linkname in ("f", "hard") and link.linkname != link.name
    out = berth("run", "--rm", "links:1", "sh", "-c",
                "cat /hard; stat -c %h /f; readlink /evil; test -p /fifo && echo fifo").out
    assert out == "data\n2\n/etc/shadow-of-host\nfifo\n"


def test_container_commit_and_image_build_spellings(berth, tmp_path):
    berth("create", "--name", "spelled", "busybox", "true")
    image_id = berth("container", "commit", "spelled", "spelled:1").out.strip()
    berth("rm", "spelled")
    write(tmp_path / "ctx", {"Dockerfile": "FROM spelled:1\nLABEL x=y\n"})
    built = berth("image", "build", "-q", str(tmp_path / "ctx")).out.strip()
    assert berth.inspect(built)["Config"]["Labels"] == {"x": "y"}
    assert built != image_id


def _build_until_running(berth, ctx, step):
    """`berth build` of ctx in a session of its own, returned once step's RUN is running."""
    # SIGINT at its default, as a terminal's foreground job has it: a build started with
    # it ignored (a shell's background job, as a CI run may be) keeps ignoring it
    p = berth.popen("build", "--no-cache", "-t", "stopped", str(ctx), stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, start_new_session=True,
                    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    out = b""
    while b" ---> Running in" not in out.partition(step)[2]:
        chunk = os.read(p.stdout.fileno(), 4096)
        assert chunk, out
        out += chunk
    step_id = out.partition(step)[2].split(b"Running in ")[1].split()[0].decode()
    berth.wait_status(step_id, "running")
    return p


def test_build_interrupted_removes_its_step(berth, tmp_path):
    # Ctrl-C (SIGINT to the build's process group): the running step's container is
    # killed and removed, nothing of the build is left, and the build dies of SIGINT
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": "FROM busybox\nRUN echo one > /one\nRUN sleep 600\n"})
    base = images(berth)
    p = _build_until_running(berth, ctx, b"Step 3/3")
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == -signal.SIGINT and b"interrupted" in err, err
    assert berth("ps", "-aq").out == ""
    assert "stopped:latest" not in berth("images", "--format", "{{.Repository}}:{{.Tag}}").out
    assert store_leftovers(berth) == []
    assert set(images(berth)) >= set(base)


def test_build_killed_leaves_a_step_the_next_build_removes(berth, tmp_path):
    # SIGKILL gives the build no chance: its running step is labelled with the build's
    # pid and start time, and the next build (or builder prune) removes it
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": "FROM busybox\nRUN sleep 600\n"})
    p = _build_until_running(berth, ctx, b"Step 2/2")
    p.kill()
    p.wait()
    p.stdout.close()
    p.stderr.close()
    left = berth("ps", "-aq", "--filter", "label=berth.build.owner").out.split()
    assert len(left) == 1
    r = berth("builder", "prune", "-f")
    assert r.rc == 0
    assert berth("ps", "-aq").out == ""
    assert store_leftovers(berth) == []
    # a step of a build still running is not touched by another's prune
    p = _build_until_running(berth, ctx, b"Step 2/2")
    try:
        berth("builder", "prune", "-f")
        assert len(berth("ps", "-q").out.split()) == 1
    finally:
        os.killpg(p.pid, signal.SIGINT)
        p.communicate(timeout=120)
    assert berth("ps", "-aq").out == "" and store_leftovers(berth) == []
