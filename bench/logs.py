#!/usr/bin/python3
"""bench/logs.py: container logs at scale, berth side by side with Podman and Docker.

  - flood: a container writes N MB of 64-byte lines to stdout (`yes LINE | head -c N`),
    detached; the time from `run -d` to the return of `wait` (the container has exited
    and its output is logged), and the peak RSS of the process that watches it
    (berth-monitor, conmon, containerd-shim-runc-v2: sampled every 20 ms; docker's log
    is written by dockerd, not the shim);
  - tail: `logs --tail 10` of that container's log (median of --tail-runs calls).

The engines take turns on one image (bench/engine.py's private world: Podman's and a
private dockerd's configs and roots, one cgroup parent, all removed at the end), each with
runc, each with its file log driver: berth json-file, Podman k8s-file (conmon writes it),
Docker json-file (dockerd writes it). It measures; it passes or fails nothing.

  bench/logs.py [-n 3] [--mb 100] [--tail-runs 10] [--engines berth,podman,docker]
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine as eng  # noqa: E402

LINE = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"   # + "\n": 64 bytes


def flood_cmd(mb):
    return ["sh", "-c", "yes %s | head -c %d" % (LINE, mb * 1000 * 1000)]


class Adapter:
    """argv of run -d / wait / logs --tail / rm for one engine, runc as the runtime."""

    def __init__(self, name, e):
        self.name, self.e = name, e
        self.env = dict(os.environ)
        self.env.update(getattr(e, "env", {}) or {})

    def base(self):
        if self.name == "berth":
            return self.e.argv()
        if self.name == "podman":
            return self.e.p.argv("runc")
        return ["/usr/bin/docker", "-H", "unix://" + self.e.d.sock]

    def run_argv(self, cmd):
        if self.name == "berth":
            opts = ["--network", "none", "--runtime", self.e.runtimes["runc"], "--cgroup-parent",
                    self.e.cgroup]
        elif self.name == "podman":
            opts = ["--network", "none", "--log-driver", "k8s-file"]
        else:
            opts = ["--network", "none", "--runtime", "runc", "--log-driver", "json-file"]
        return self.base() + ["run", "-d"] + opts + [eng.image.IMAGE] + cmd

    def call(self, *args, timeout=600):
        p = subprocess.run(self.base() + list(args), env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("%s %s: %s" % (self.name, " ".join(args), p.stderr))
        return p.stdout


def sample_rss(pid_fn, stop, out):
    pid = None
    while not stop.is_set():
        pid = pid or pid_fn()
        if pid:
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            out.append(int(line.split()[1]))
            except OSError:
                pass
        time.sleep(0.02)


def flood(a, mb):
    """(seconds from run -d to wait's return, peak RSS KiB of the watcher, container id)."""
    t = time.monotonic()
    p = subprocess.run(a.run_argv(flood_cmd(mb)), env=a.env, capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s run: %s" % (a.name, p.stderr))
    cid = p.stdout.strip().splitlines()[-1]
    stop, rss = threading.Event(), []

    def watcher():
        try:
            return a.e.watcher(cid)
        except Exception:
            return None
    th = threading.Thread(target=sample_rss, args=(watcher, stop, rss))
    th.start()
    a.call("wait", cid)
    secs = time.monotonic() - t
    stop.set()
    th.join()
    return secs, max(rss) if rss else None, cid


def tail(a, cid, runs):
    times = []
    for _ in range(runs + 1):
        t = time.monotonic()
        out = a.call("logs", "--tail", "10", cid)
        times.append(time.monotonic() - t)
        if out.count("\n") != 10:
            raise RuntimeError("%s logs --tail 10: %d lines" % (a.name, out.count("\n")))
    return statistics.median(times[1:])   # the first warms the page cache


def log_size(a, cid):
    fmt = {"berth": "{{.LogPath}}", "podman": "{{.HostConfig.LogConfig.Path}}",
           "docker": "{{.LogPath}}"}[a.name]
    try:
        return os.path.getsize(a.call("inspect", "-f", fmt, cid).strip())
    except (OSError, RuntimeError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--iterations", type=int, default=3)
    ap.add_argument("--mb", type=int, default=100, help="MB of stdout per flood")
    ap.add_argument("--tail-runs", type=int, default=10)
    ap.add_argument("--engines", default="berth,podman,docker")
    args = ap.parse_args()
    runtimes = {"runc": eng.shutil.which("runc") or "runc"}
    world = eng.harness.World()
    classes = {"berth": eng.Berth, "podman": eng.Podman, "docker": eng.Docker}
    res = {}
    try:
        archive = world.path("image.tar")
        eng.image.build(archive)
        adapters = []
        for name in args.engines.split(","):
            try:
                adapters.append(Adapter(name, classes[name](world, runtimes, archive)))
            except Exception as e:   # an engine that cannot run here is left out, and why
                print("# %s: left out (%s)" % (name, str(e).splitlines()[0]), file=sys.stderr)
        for i in range(args.iterations):       # the engines take turns
            for a in adapters:
                secs, rss, cid = flood(a, args.mb)
                r = res.setdefault(a.name, {"secs": [], "rss": [], "tail": []})
                r["secs"].append(secs)
                r["rss"].append(rss)
                if i == args.iterations - 1:
                    r["tail"].append(tail(a, cid, args.tail_runs))
                    r["size"] = log_size(a, cid)
                a.call("rm", "-f", cid)
    finally:
        for p in world.cleanup():
            print("# cleanup: " + p, file=sys.stderr)
    report(res, args)


def report(res, args):
    base = res.get("berth")
    print("## %d MB of stdout in 64-byte lines (%d runs each; tail: median of %d)\n"
          % (args.mb, args.iterations, args.tail_runs))
    print("| engine | run -d to wait, s (median) | / berth | MB/s | watcher peak RSS KiB "
          "| log file MB | `logs --tail 10` ms | / berth |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in res.items():
        s = statistics.median(r["secs"])
        t = r["tail"][0] * 1000
        rss = [x for x in r["rss"] if x]
        print("| %s | %.2f | %s | %.0f | %s | %s | %.1f | %s |" % (
            name, s, "%.2f" % (s / statistics.median(base["secs"])) if base else "-",
            args.mb / s, max(rss) if rss else "n/a",
            "%.0f" % (r["size"] / 1e6) if r.get("size") else "n/a", t,
            "%.2f" % (t / (base["tail"][0] * 1000)) if base else "-"))


if __name__ == "__main__":
    main()
