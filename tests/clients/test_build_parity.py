"""`berth build` against `podman build --format docker` (buildah) on the same Dockerfiles
(berth issue 15): for each Dockerfile below, both build it from the same context on the
harness's busybox image, both images are saved as docker archives, and the image config
fields, the layers (count, and every member's name, type, mode, owner, link target and
content hash; not mtimes) and the history (created_by, empty_layer) must be equal.

Where buildah differs from docker's classic builder, berth follows docker and the test
asserts docker's behaviour instead, with a comment saying what buildah does; the
`normalize_podman` and `without_workdir_layers` steps are the complete list of those
differences. When the harness's dockerd is up (`DOCKER_BUILDKIT=0 docker build`, the classic builder), the same
comparison is made against docker too, with no exceptions at all."""

import hashlib
import io
import json
import os
import subprocess
import tarfile

import pytest

import drivers
import harness
import image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINE = os.environ.get("BERTH_ENGINE", os.path.join(REPO, "build", "berth"))
RUNTIME = os.environ.get("BERTH_RUNTIME", os.path.join(REPO, "build", "berth-runtime"))
BUILD_TIMEOUT = 300

CONFIG_FIELDS = ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "Labels", "ExposedPorts",
                 "Volumes", "StopSignal", "Healthcheck", "OnBuild", "Shell"]


class Berth:
    def __init__(self, world, image_tar):
        self.root = world.path("berth-build-parity")
        self.cgroup_parent = world.cgroup_parent + "/berth-build-parity"
        drivers.check(self.cli("load", "-i", image_tar), "berth load")

    def cli(self, *args, timeout=drivers.TIMEOUT):
        return drivers.execute([ENGINE, "--root", self.root] + list(args), timeout=timeout)

    def build(self, ctx, tag):
        return self.cli("build", "--runtime", RUNTIME, "--cgroup-parent", self.cgroup_parent,
                        "-t", tag, ctx, timeout=BUILD_TIMEOUT)

    def save(self, tag, out):
        return self.cli("save", "-o", out, tag, timeout=BUILD_TIMEOUT)


@pytest.fixture(scope="module")
def berth(world, image_tar):
    b = Berth(world, image_tar)
    yield b
    for mp in harness.cgroup_mountpoints():
        if os.path.isdir(mp + b.cgroup_parent):
            harness.remove_cgroup(mp + b.cgroup_parent)


@pytest.fixture(scope="module")
def podman(podman_setup):
    return podman_setup


def podman_build(p, ctx, tag):
    return p.cli("runc", "build", "--format", "docker", "--layers", "--pull=never",
                 "--network", "none", "-t", tag, ctx, timeout=BUILD_TIMEOUT, cwd=ctx)


def podman_save(p, tag, out):
    return p.cli("runc", "save", "--format", "docker-archive", "-o", out, tag,
                 timeout=BUILD_TIMEOUT)


def docker_build(d, ctx, tag):
    return drivers.execute(["/usr/bin/docker", "-H", "unix://" + d.sock, "build",
                            "--network", "none", "-t", tag, ctx],
                           env=dict(d.env, DOCKER_BUILDKIT="0"), timeout=BUILD_TIMEOUT)


def members(data):
    """One layer tar: sorted (name, type, mode, uid, gid, link, sha256) per member."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            name = m.name[2:] if m.name.startswith("./") else m.name
            name = name.rstrip("/")
            digest = ""
            if m.isfile():
                digest = hashlib.sha256(t.extractfile(m).read()).hexdigest()[:16]
            kind = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d",
                    tarfile.SYMTYPE: "l", tarfile.LNKTYPE: "h"}.get(m.type, repr(m.type))
            out.append((name, kind, "%o" % m.mode, m.uid, m.gid, m.linkname, digest))
    return sorted(out)


def snapshot(archive):
    """A docker-archive reduced to what must agree: config fields, layers, history."""
    with tarfile.open(archive) as t:
        manifest = json.load(t.extractfile("manifest.json"))[0]
        config = json.load(t.extractfile(manifest["Config"]))
        layers = [members(t.extractfile(name).read()) for name in manifest["Layers"]]
    cfg = config.get("config") or {}
    fields = {k: cfg.get(k) or None for k in CONFIG_FIELDS}
    history = [(h.get("created_by", ""), bool(h.get("empty_layer")))
               for h in config.get("history", [])]
    return {"config": fields, "layers": layers, "history": history}


FROM = "FROM " + image.IMAGE + "\n"

# name -> (context files, Dockerfile); every instruction and COPY/ADD flag appears in one
CASES = {
    "config": ({}, FROM + """\
ARG WHO=world
ENV GREETING="hello ${WHO}" OTHER=${UNSET:-dflt}
ENV SPACED a b
LABEL a=b "c d"=e
EXPOSE 80 53/udp
VOLUME ["/vol", "/vol2"]
VOLUME /vol3
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=4 CMD test -e /
ONBUILD RUN echo triggered
SHELL ["/bin/sh", "-ec"]
USER 1000:1000
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $GREETING"]
"""),
    "run": ({}, FROM + """\
RUN echo shell > /shell && mkdir -p /d/e && echo x > /d/e/f && chmod 700 /d/e
RUN ["/bin/sh", "-c", "echo exec > /exec; rm /bin/ls; rm -r /var; mkdir /var; touch /var/n"]
ARG N=5
RUN echo $N > /argn
RUN true
SHELL ["/bin/sh", "-ec"]
RUN echo shell2 > /shell2 && ln -s /shell /link && ln /shell /hard
CMD echo shell form
"""),
    "workdir-user": ({}, FROM + """\
WORKDIR /work
WORKDIR rel
WORKDIR /etc
USER nobody
RUN id -u > /tmp/id && id -g >> /tmp/id
ENTRYPOINT echo shell entry
"""),
    "copy": ({"a.txt": "hello\n", "sub/s1": "s\n", "sub/deep/s2": "t\n", "x.sh": "#!/bin/sh\n",
              "ig/skip": "no\n", "keep.log": "k\n", "drop.log": "d\n",
              ".dockerignore": "ig\n*.log\n!keep.log\n"}, FROM + """\
COPY a.txt /opt/
COPY sub /data
COPY --chown=1000:1000 a.txt sub/s1 /owned/
COPY --chown=nobody:nogroup a.txt /own2
COPY *.log /logs/
COPY . /all/
"""),
    "copy-chmod": ({"x.sh": "#!/bin/sh\n", "d/f": "f\n"}, FROM + """\
COPY --chmod=0750 x.sh /bin/x.sh
COPY --chown=nobody --chmod=600 x.sh /own2
COPY --chown=nobody x.sh /own3
COPY --chmod=0700 d /d2/
"""),
    "add": ({"a.txt": "add\n"}, FROM + """\
ADD a.txt /added
ADD tree.tar /untarred/
ADD --chown=1:1 a.txt /added2
"""),
    "multistage": ({"a.txt": "m\n"}, "ARG BASE=" + image.IMAGE + "\n" + """\
FROM ${BASE} AS one
RUN echo one > /one && mkdir /outdir && echo o > /outdir/f
FROM one AS two
COPY a.txt /a
FROM ${BASE}
COPY --from=one /one /from-one
COPY --from=two /outdir /copied
COPY --from=two --chown=5:6 /a /a2
"""),
}


def make_context(path, files, dockerfile):
    os.makedirs(path)
    for name, text in dict(files, Dockerfile=dockerfile).items():
        full = os.path.join(path, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    if "tree.tar" in dockerfile:
        with tarfile.open(os.path.join(path, "tree.tar"), "w") as t:
            for name, data, mode in [("t/one", b"1\n", 0o644), ("t/two", b"22\n", 0o755)]:
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.uid, info.gid = len(data), mode, 7, 8
                t.addfile(info, io.BytesIO(data))


# docker 20.10's classic builder refuses COPY --chmod (BuildKit only), and --chown=USER with
# no group of that name; berth does both as BuildKit and buildah do
NOT_IN_DOCKER = {"copy-chmod"}
# podman's build artefacts: the mount points buildah leaves in every RUN layer (and /etc,
# when etc/hostname was all it had: docker's RUN layers have neither)
PODMAN_ARTEFACTS = {"run", "etc/hostname"}


def tidy(entries, drop=()):
    """Modes without the file type bits (Go's tar writes them, libarchive does not); a
    whiteout's mode (docker 600, buildah 0) is not the file's."""
    out = []
    if drop and not any(e[0].startswith("etc/") and e[0] not in drop for e in entries):
        drop = set(drop) | {"etc"}
    for name, kind, mode, uid, gid, link, digest in entries:
        if name in drop:
            continue
        base = name.rsplit("/", 1)[-1]
        mode = "-" if base.startswith(".wh.") else "%o" % (int(mode, 8) & 0o7777)
        out.append((name, kind, mode, uid, gid, link, digest))
    return out


def docker_view(snap, drop=()):
    """Layers tidied; a layer left empty is docker's empty_layer (no layer at all)."""
    layers, flags, li = [], [], 0
    hist = snap["history"]
    for created_by, empty in hist:
        if not empty:
            entries = tidy(snap["layers"][li], drop)
            li += 1
            if entries or li == 1:
                layers.append(entries)
            else:
                empty = True
        flags.append(empty)
    return layers, flags


def normalize_podman(snap, shell_form_cmd):
    """podman's image as docker's classic builder would make it."""
    cfg = dict(snap["config"])
    labels = {k: v for k, v in (cfg["Labels"] or {}).items() if k != "io.buildah.version"}
    cfg["Labels"] = labels or None
    # buildah runs a shell-form CMD/ENTRYPOINT with "/bin/sh -c" whatever SHELL says;
    # docker with the SHELL in force
    for key in ("Cmd", "Entrypoint"):
        if shell_form_cmd.get(key) and cfg["Shell"] and cfg[key]:
            cfg[key] = cfg["Shell"] + cfg[key][2:]
    return cfg


def without_workdir_layers(snap):
    """buildah commits no layer for a WORKDIR, docker (and berth) one holding the directory
    it creates (compared with docker in test_build_matches_docker): berth's dropped."""
    layers, history, li = [], [], 0
    for created_by, empty in snap["history"]:
        if not empty:
            if instr(created_by) != "WORKDIR":
                layers.append(snap["layers"][li])
            li += 1
        history.append((created_by, empty or instr(created_by) == "WORKDIR"))
    return dict(snap, layers=layers, history=history)


def instr(created_by):
    """The instruction a history line is for."""
    text = created_by.split("#(nop)", 1)[-1].split()
    return text[0] if "#(nop)" in created_by and text else "RUN"


def build_and_snap(name, build, save, ctx, tag, out):
    r = build(ctx, tag)
    assert r.rc == 0, "%s build:\n%s" % (name, r)
    drivers.check(save(tag, out), name + " save")
    return snapshot(out)


@pytest.fixture(scope="module")
def built(world, berth):
    """case -> berth's snapshot, each case built once for both comparisons."""
    snaps = {}

    def get(case):
        if case not in snaps:
            ctx = world.path("bp-ctx-" + case)
            make_context(ctx, *CASES[case])
            snaps[case] = build_and_snap("berth", berth.build, berth.save, ctx,
                                         "localhost/bp-%s:latest" % case,
                                         world.path("bp-b-%s.tar" % case))
        return snaps[case]
    return get


def shell_forms(case):
    df = CASES[case][1]
    return {key: any(l.startswith(word + " ") and not l.split(None, 1)[1].startswith("[")
                     for l in df.splitlines())
            for key, word in (("Cmd", "CMD"), ("Entrypoint", "ENTRYPOINT"))}


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_matches_podman(world, podman, built, case):
    b = without_workdir_layers(built(case))
    ctx = world.path("bp-ctx-" + case)
    p = build_and_snap("podman", lambda c, t: podman_build(podman, c, t),
                       lambda t, o: podman_save(podman, t, o), ctx,
                       "localhost/bp-%s:latest" % case, world.path("bp-p-%s.tar" % case))
    assert b["config"] == normalize_podman(p, shell_forms(case)), case
    b_layers, b_flags = docker_view(b)
    p_layers, p_flags = docker_view(p, PODMAN_ARTEFACTS)
    assert len(b_layers) == len(p_layers), (b_layers, p_layers)
    for i, (bl, pl) in enumerate(zip(b_layers, p_layers)):
        assert bl == pl, "layer %d differs:\nberth  %s\npodman %s" % (i, bl, pl)
    # buildah's history lines are its own (one space after "#(nop)", "ARG N" without its
    # value, no "|N K=V" before a RUN, exec-form RUN as its JSON): berth writes docker's,
    # compared in test_build_matches_docker; the empty_layer marks must agree
    assert b_flags == p_flags, (b["history"], p["history"])
    assert [h[1] for h in b["history"]] == b_flags, "a layer berth wrote has no entries"


@pytest.mark.parametrize("case", sorted(set(CASES) - NOT_IN_DOCKER))
def test_build_matches_docker(world, docker_daemon, built, case):
    """The classic builder (DOCKER_BUILDKIT=0) is the reference for what podman does
    differently: the same comparison with no normalization at all."""
    b = built(case)
    ctx = world.path("bp-ctx-" + case)
    d = build_and_snap("docker", lambda c, t: docker_build(docker_daemon, c, t),
                       lambda t, o: docker_daemon.cli("save", "-o", o, t), ctx,
                       "localhost/bp-%s:latest" % case, world.path("bp-d-%s.tar" % case))
    assert b["config"] == d["config"], case
    b_layers, _ = docker_view(b)
    d_layers, _ = docker_view(d)
    assert b_layers == d_layers
    assert len(b["history"]) == len(d["history"])
    for (bc, be), (dc, de) in zip(b["history"], d["history"]):
        assert bc == dc, "history of %s" % instr(dc)
        assert be == de, "empty_layer of %r" % dc


def test_built_image_loads_into_docker_and_podman_and_pushes(world, docker_daemon, podman,
                                                            berth, built, tmp_path):
    """A built image is a normal image: `berth save` of it loads into docker and podman
    with the same image id, and `berth push` of it pulls back with skopeo, unchanged."""
    import sys
    sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
    import images
    case = sorted(CASES)[0]
    built(case)
    tag = "localhost/bp-%s:latest" % case
    tar = world.path("bp-b-%s.tar" % case)
    want = berth.cli("image", "inspect", "-f", "{{.Id}}", tag).out.strip()
    assert want.startswith("sha256:")
    drivers.check(docker_daemon.cli("load", "-i", tar), "docker load")
    assert docker_daemon.cli("image", "inspect", "-f", "{{.Id}}", tag).out.strip() == want
    drivers.check(podman.cli("runc", "load", "-i", tar), "podman load")
    got = podman.cli("runc", "image", "inspect", "--format", "{{.Id}}", tag).out.strip()
    assert "sha256:" + got.replace("sha256:", "") == want
    if not images.shutil.which("docker-registry") or not images.shutil.which("skopeo"):
        pytest.skip("docker-registry and skopeo are needed for the push")
    reg = images.Registry(tmp_path / "registry")
    try:
        ref = "%s/bp/%s:1" % (reg.host, case)
        drivers.check(berth.cli("tag", tag, ref), "berth tag")
        drivers.check(berth.cli("push", ref), "berth push")
        out = tmp_path / "pulled"
        images.skopeo("copy", "--src-tls-verify=false", "docker://" + ref, "oci:%s:x" % out)
        with open(out / "index.json") as f:
            manifest_digest = json.load(f)["manifests"][0]["digest"]
        with open(out / "blobs" / "sha256" / manifest_digest[7:]) as f:
            assert json.load(f)["config"]["digest"] == want
    finally:
        reg.stop()
