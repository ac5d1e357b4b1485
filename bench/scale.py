#!/usr/bin/python3
"""bench/scale.py: `ps -a`, `images` and `rm -f` with N containers, berth beside Podman and Docker.

For each N (default 10, 100, 1000) and each engine in turn: `create` N unnamed containers
of the image running `true` (created, never started: 1000 running containers would not fit
the machine), one after the other; then `ps -a` and `images`, each the median of --runs
calls after one warm-up; then one `rm -f` of all N ids. The same two listings are timed
in each round before the creates, with no container at all, so that a listing's cost per
container is (time with N - time with 0) / N. `create` and `rm -f` are reported as
total / N, and a single `create` in the first and in the last tenth of the N (median).

bench/engine.py's private world and engine classes (the clients' busybox image loaded into
each engine; Podman's and a private dockerd's configs and roots in a network namespace of
their own, one cgroup parent; all removed at the end), runc as every engine's runtime. It
measures; it passes or fails nothing. See bench/README.md ("Scale").

  bench/scale.py [--sizes 10,100,1000] [--runs 5] [--engines berth,podman,docker]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine as eng  # noqa: E402
import logs  # noqa: E402  (logs.Adapter: each engine's argv, runc as the runtime)


class Adapter(logs.Adapter):
    def create_argv(self):
        if self.name == "berth":
            opts = ["--runtime", self.e.runtimes["runc"], "--cgroup-parent", self.e.cgroup]
        elif self.name == "podman":
            opts = ["--network", "none"]
        else:
            opts = ["--network", "none", "--runtime", "runc"]
        return self.base() + ["create"] + opts + [eng.image.IMAGE, "true"]

    def timed(self, argv, timeout=1800):
        t = time.monotonic()
        p = subprocess.run(argv, env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        secs = time.monotonic() - t
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(argv[-3:]), p.stderr.strip()))
        return secs, p.stdout

    def listing(self, what, runs, expect):
        """median seconds of `ps -a` / `images` over runs calls, after one warm-up."""
        argv = self.base() + (["ps", "-a"] if what == "ps" else ["images"])
        times = []
        for _ in range(runs + 1):
            secs, out = self.timed(argv)
            times.append(secs)
        lines = len(out.splitlines()) - 1      # the header
        if lines != expect:
            raise RuntimeError("%s %s: %d rows, expected %d" % (self.name, what, lines, expect))
        return statistics.median(times[1:])


def measure(a, n, runs, images_rows):
    """time ps -a and images empty, create N, time them again, rm -f all N: a dict."""
    r = {"ps0": a.listing("ps", runs, 0), "images0": a.listing("images", runs, images_rows)}
    ids, each = [], []
    t = time.monotonic()
    for _ in range(n):
        secs, out = a.timed(a.create_argv())
        each.append(secs)
        ids.append(out.strip().splitlines()[-1])
    r["create"] = time.monotonic() - t
    tenth = max(1, n // 10)                    # does one create get dearer as N grows?
    r["first"], r["last"] = statistics.median(each[:tenth]), statistics.median(each[-tenth:])
    r["ps"] = a.listing("ps", runs, n)
    r["images"] = a.listing("images", runs, images_rows)
    r["rm"] = a.timed(a.base() + ["rm", "-f"] + ids)[0]
    left = a.call("ps", "-aq").split()
    if left:
        raise RuntimeError("%s: %d containers left after rm -f" % (a.name, len(left)))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--runs", type=int, default=5, help="timed calls of each listing")
    ap.add_argument("--engines", default="berth,podman,docker")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    world = eng.harness.World()
    classes = {"berth": eng.Berth, "podman": eng.Podman, "docker": eng.Docker}
    runtimes = {"runc": eng.shutil.which("runc") or "runc"}
    res, rows = {}, {}
    start, load = time.monotonic(), os.getloadavg()[0]
    try:
        archive = world.path("image.tar")
        eng.image.build(archive)
        adapters = []
        for name in args.engines.split(","):
            try:
                adapters.append(Adapter(name, classes[name](world, runtimes, archive)))
            except Exception as e:   # an engine that cannot run here is left out, and why
                print("# %s: left out (%s)" % (name, str(e).splitlines()[0]), file=sys.stderr)
        for a in adapters:
            rows[a.name] = len(a.call("images").splitlines()) - 1
        for n in sizes:                        # the engines take turns at each N
            for a in adapters:
                res[(a.name, n)] = measure(a, n, args.runs, rows[a.name])
                print("# %s N=%d: %s" % (a.name, n, res[(a.name, n)]), file=sys.stderr)
    finally:
        for p in world.cleanup():
            print("# cleanup: " + p, file=sys.stderr)
    report(res, sizes, [a.name for a in adapters], args,
           (time.monotonic() - start, load, os.getloadavg()[0]))


def per(r, what, n):
    """ms per container: total / N for create and rm, (t_N - t_0) / N for the listings."""
    t = r[what] - r.get(what + "0", 0)
    return t * 1000 / n


def ratio(res, n, what, other, f):
    if ("berth", n) not in res or (other, n) not in res:
        return "-"
    o = f(other)
    return "%.2f" % (f("berth") / o) if o > 0 else "-"


def report(res, sizes, names, args, run):
    print("## Scale: N created containers (busybox `true`, runc; listings: median of %d)\n"
          % args.runs)
    print("Whole run: %.0f s, load average %.1f at the start, %.1f at the end. Per container: "
          "`create` and `rm -f` total / N; `ps -a` and `images` (time with N - time with 0, "
          "both measured in that round) / N; `create` first / last: median of one `create` "
          "in the first and the last tenth of the N.\n" % run)
    print("| N | engine | `create` ×N s | ms/ctr | first / last ms | `ps -a` 0 / N ms | ms/ctr "
          "| `images` 0 / N ms | `rm -f` N s | ms/ctr |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        for name in names:
            r = res.get((name, n))
            if not r:
                continue
            print("| %d | %s | %.2f | %.1f | %.0f / %.0f | %.1f / %.1f | %.3f | %.1f / %.1f "
                  "| %.2f | %.1f |" % (
                      n, name, r["create"], per(r, "create", n), r["first"] * 1000,
                      r["last"] * 1000, r["ps0"] * 1000, r["ps"] * 1000, per(r, "ps", n),
                      r["images0"] * 1000, r["images"] * 1000, r["rm"], per(r, "rm", n)))
    print("\nberth's time over the other's (totals at each N; < 1: berth is faster)\n")
    print("| N | vs | `create` ×N | `ps -a` | `ps -a` per ctr | `images` | `rm -f` |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        for other in names:
            if other == "berth":
                continue
            cells = [ratio(res, n, w, other, lambda e, w=w: res[(e, n)][w])
                     for w in ("create", "ps", "images", "rm")]
            cells.insert(2, ratio(res, n, "ps", other, lambda e: per(res[(e, n)], "ps", n)))
            print("| %d | %s | %s |" % (n, other, " | ".join(cells)))

if __name__ == "__main__":
    main()
