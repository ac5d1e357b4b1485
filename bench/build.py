#!/usr/bin/python3
"""bench/build.py: `berth build` and `berth pull` side by side with their peers, in one run.

  - a 10-step Dockerfile (FROM, ENV, WORKDIR, COPY, RUN, COPY, RUN, LABEL, EXPOSE, CMD) built
    cold (--no-cache), fully cached, and with the second COPY's source file changed, by
    `berth build`, `podman build --format docker --layers` and, when a private dockerd
    starts, `docker build` (the classic builder, DOCKER_BUILDKIT=0); the engines take
    turns in every round;
  - pull of a 3-layer image from a private docker-registry on 127.0.0.1 by `berth pull`,
    `podman pull` and `skopeo copy` (to an OCI layout), each into a fresh root.

bench/engine.py's private world (the busybox image of tests/clients/image.py, Podman's and
a private dockerd's configs and roots, a network namespace, one cgroup parent; all removed
at the end). It measures; it passes or fails nothing. See bench/README.md ("Build").

  bench/build.py [-n 5] [--engines berth,podman,docker]
"""

import argparse
import importlib.machinery
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import engine as eng

TOP = eng.TOP
images = importlib.machinery.SourceFileLoader(
    "bench_images", os.path.join(TOP, "bench", "images")).load_module()

DOCKERFILE = """\
FROM %s
ENV APP=/app MODE=bench
WORKDIR /app
COPY a.txt /app/a.txt
RUN cat /app/a.txt > /app/a.copy && mkdir -p /app/data
COPY b.txt /app/b.txt
RUN wc -c /app/b.txt > /app/b.size
LABEL bench=build
EXPOSE 8080
CMD ["cat", "/app/b.size"]
""" % eng.image.IMAGE
TAG = "localhost/bench-build:latest"


def build_argv(engine, ctx, no_cache):
    extra = ["--no-cache"] if no_cache else []
    if engine.name == "berth":
        return engine.argv("build", "-q", "--runtime", engine.runtimes["runc"],
                           "--cgroup-parent", engine.cgroup, *extra, "-t", TAG, ctx)
    if engine.name == "podman":
        return engine.p.argv("runc", "build", "-q", "--format", "docker", "--layers",
                             "--pull=never", "--network", "none", *extra, "-t", TAG, ctx)
    return ["/usr/bin/docker", "-H", "unix://" + engine.d.sock, "build", "-q", "--network",
            "none", *extra, "-t", TAG, ctx]


def timed(engine, argv):
    env = dict(os.environ, DOCKER_BUILDKIT="0")
    env.update(getattr(engine, "env", {}) or {})
    t = time.monotonic()
    p = subprocess.run(argv, env=env, capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), p.stderr.decode(errors="replace")))
    return (time.monotonic() - t) * 1000


def bench_builds(engines, world, n):
    """{(engine, kind): [ms]} for kind cold, cached, changed; the engines take turns."""
    ctx = {}
    for e in engines:
        d = world.path("ctx-" + e.name)
        os.makedirs(d)
        for name, text in (("Dockerfile", DOCKERFILE), ("a.txt", "a\n" * 1000),
                           ("b.txt", "b0\n")):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        ctx[e.name] = d
        timed(e, build_argv(e, d, True))  # warm-up: page cache, and the cache filled
    times = {}
    for i in range(n):
        for kind in ("cold", "cached", "changed"):
            for e in engines:
                if kind == "changed":
                    with open(os.path.join(ctx[e.name], "b.txt"), "w") as f:
                        f.write("b%d\n" % (i + 1))
                ms = timed(e, build_argv(e, ctx[e.name], kind == "cold"))
                times.setdefault((e.name, kind), []).append(ms)
    return times


def bench_pulls(engines, world, n):
    """{tool: [ms]}: a 3-layer image (busybox and two built layers) from a local registry."""
    berth = next((e for e in engines if e.name == "berth"), None)
    if berth is None:
        return {}
    work = tempfile.mkdtemp(prefix="berth-bench-build.", dir="/var/tmp")
    reg = None
    try:
        d = world.path("ctx-pull")
        os.makedirs(d)
        with open(os.path.join(d, "Dockerfile"), "w") as f:
            f.write("FROM %s\nCOPY one /one\nCOPY two /two\n" % eng.image.IMAGE)
        for name in ("one", "two"):
            with open(os.path.join(d, name), "wb") as f:
                f.write(os.urandom(1 << 20))
        berth.cli("build", "-q", "--runtime", berth.runtimes["runc"], "--cgroup-parent",
                  berth.cgroup, "-t", "localhost/pull3:1", d)
        archive = os.path.join(work, "pull3.tar")
        berth.cli("save", "-o", archive, "localhost/pull3:1")
        reg = images.Registry(work)
        ref = reg.host + "/bench/pull3:1"
        images.run(["skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
                    "docker-archive:" + archive, "docker://" + ref])
        fns = {"berth": lambda: images.pull_berth(eng.BERTH, ref, work),
               "podman": lambda: images.pull_podman(ref, work),
               "skopeo": lambda: skopeo_copy(ref, work)}
        for f in fns.values():  # warm-up
            f()
        times = {t: [] for t in fns}
        for _ in range(n):
            for t, f in fns.items():
                times[t].append(f() * 1000)
        return times
    finally:
        if reg:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)


def skopeo_copy(ref, work):
    d = tempfile.mkdtemp(dir=work, prefix="skopeo-")
    t = images.timed(lambda: images.run(["skopeo", "--insecure-policy", "copy",
                                         "--src-tls-verify=false", "docker://" + ref,
                                         "oci:%s/layout:bench" % d]))
    shutil.rmtree(d)
    return t


def p90(v):
    v = sorted(v)
    return v[max(0, int(len(v) * 0.9) - 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--iterations", type=int, default=5)
    ap.add_argument("--engines", default="berth,podman,docker")
    a = ap.parse_args()
    runtimes = {"runc": shutil.which("runc") or "runc"}
    world = eng.harness.World()
    classes = {"berth": eng.Berth, "podman": eng.Podman, "docker": eng.Docker}
    engines, builds, pulls = [], {}, {}
    try:
        archive = world.path("image.tar")
        eng.image.build(archive)
        for name in a.engines.split(","):
            try:
                engines.append(classes[name](world, runtimes, archive))
            except Exception as e:  # an engine that is not installed is left out
                print("# %s: left out (%s)" % (name, str(e).splitlines()[0]), file=sys.stderr)
        builds = bench_builds(engines, world, a.iterations)
        pulls = bench_pulls(engines, world, a.iterations)
    finally:
        for e in engines:
            e.remove_all()
        for p in world.cleanup():
            print("# cleanup: " + p, file=sys.stderr)
    print("## `build` of a 10-step Dockerfile (runc under every engine; %d rounds, ms)\n"
          % a.iterations)
    print("| engine | cold median | p90 | / berth | cached median | p90 | / berth "
          "| one file changed median | p90 | / berth |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for e in engines:
        cells = []
        for kind in ("cold", "cached", "changed"):
            v, base = builds[(e.name, kind)], builds.get(("berth", kind))
            ratio = statistics.median(v) / statistics.median(base) if base else 0
            cells += ["%.0f" % statistics.median(v), "%.0f" % p90(v), "%.2f" % ratio]
        print("| %s | %s |" % (e.name, " | ".join(cells)))
    if ("berth", "cold") in builds and ("podman", "cold") in builds:
        print("\nberth / podman: cold %.2f (goal <= 0.5), cached %.2f (goal <= 0.2), "
              "changed %.2f" % tuple(statistics.median(builds[("berth", k)]) /
                                     statistics.median(builds[("podman", k)])
                                     for k in ("cold", "cached", "changed")))
    if pulls:
        print("\n## pull of a 3-layer image (2 MiB of random data on busybox) from a local "
              "docker-registry (%d rounds, ms)\n" % a.iterations)
        print("| tool | median | p90 | / berth |")
        print("|---|---|---|---|")
        base = statistics.median(pulls["berth"])
        for t, v in pulls.items():
            print("| %s | %.0f | %.0f | %.2f |" % (t, statistics.median(v), p90(v),
                                                   statistics.median(v) / base))


if __name__ == "__main__":
    main()
