#!/usr/bin/python3
"""bench/engine.py: the engine side by side with Podman and Docker, in one run.

  - `run --rm IMAGE true` latency, wall clock from the command's start to its exit, for
    `berth`, `podman` and `docker` (a private dockerd), each with berth-runtime and runc;
    and `berth-api`: the docker CLI through `berth system service` (issue 17), against the
    docker CLI through dockerd;
  - the idle memory of the API's server: `berth system service` against dockerd plus its
    containerd (VmRSS from /proc/PID/status, after the latency runs' requests);
  - the memory of the process that watches one detached container: berth-monitor,
    Podman's conmon, Docker's containerd-shim-runc-v2 (RSS and PSS from smaps_rollup);
  - what `--userns=auto` adds to berth's `run --rm IMAGE true` (the two runs taking turns);
  - what a bridge network adds to each engine's `run --rm IMAGE true` against the same run
    on `none` (berth-runtime, taking turns): berth's default network `bridge` (berth0, NAT),
    podman's `podman` (netavark), docker's: a user-defined bridge network (the bench's
    dockerd runs with iptables off and no docker0, as the client tests', so it makes no
    firewall rules: it does less than berth and podman there).

Every engine runs the same image (tests/clients/image.py: busybox-static, loaded from one
`docker save` archive) with cgroupfs under one private parent, in a private world (podman
and dockerd configs, roots and a network namespace from tests/clients/harness.py), removed
at the end. It measures; it passes or fails nothing. See bench/README.md ("Engine").

  bench/engine.py [-n 20] [--engines berth,berth-api,podman,docker] [--runtimes berth,runc]
                  [--containers 5] [--no-network]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "clients"))
import drivers  # noqa: E402
import harness  # noqa: E402
import image  # noqa: E402

BERTH = os.path.abspath(os.environ.get("BERTH_ENGINE", os.path.join(TOP, "build", "berth")))
BERTH_RUNTIME = os.path.abspath(os.environ.get("BERTH_RUNTIME",
                                               os.path.join(TOP, "build", "berth-runtime")))


def smaps(pid):
    """(RSS, PSS) in KiB of a process, from /proc/PID/smaps_rollup."""
    rss = pss = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def pids_named(name, needle):
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == name and any(needle in a for a in argv):
            found.append(int(d))
    return found


class Berth:
    name = "berth"

    def __init__(self, world, runtimes, archive, root="berth"):
        self.root = world.path(root)
        self.runtimes = runtimes
        self.cgroup = world.cgroup_parent
        self.world = world
        self.cli("load", "-i", archive)

    def argv(self, *args):
        return self.world.in_netns([BERTH, "--root", self.root] + list(args))

    def cli(self, *args):
        return drivers.check(drivers.execute(self.argv(*args)), "berth " + " ".join(args))

    def run_argv(self, runtime, *flags, network="none"):
        return self.argv("run", "--rm", "--runtime", self.runtimes[runtime], "--cgroup-parent",
                         self.cgroup, "--network", network, *flags, image.IMAGE, "true")

    def bridge(self):
        return "bridge"   # docker's default network: berth0, made on first use

    def start(self, runtime):
        return self.cli("run", "-d", "--runtime", self.runtimes[runtime], "--cgroup-parent",
                        self.cgroup, "--network", "none", image.IMAGE, "sleep", "600").out.strip()

    def watcher(self, cid):
        return int(self.cli("inspect", "-f", "{{.State.MonitorPid}}", cid).out)

    def remove_all(self):
        ids = self.cli("ps", "-aq").out.split()
        if ids:
            drivers.execute(self.argv("rm", "-f", *ids), timeout=120)


def vm_rss(pid):
    """VmRSS in KiB of a process, from /proc/PID/status."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class BerthAPI:
    """The docker CLI through `berth system service` on a root of its own."""
    name = "berth-api"

    def __init__(self, world, runtimes, archive):
        self.b = Berth(world, runtimes, archive, root="berth-api")
        self.sock = world.path("berth-api.sock")
        self.env = {"DOCKER_CONFIG": world.path("berth-api-cli")}
        self.daemon = harness.Daemon(
            world, "berth-api", [BERTH, "--root", self.b.root, "system", "service",
                                 "unix://" + self.sock],
            ready=lambda: os.path.exists(self.sock) and self.cli("version").rc == 0)

    def cli(self, *args):
        return drivers.execute(["/usr/bin/docker", "-H", "unix://" + self.sock] + list(args),
                               env=self.env, timeout=120)

    def run_argv(self, runtime):
        return ["/usr/bin/docker", "-H", "unix://" + self.sock, "run", "--rm", "--network",
                "none", "--runtime", self.b.runtimes[runtime], "--cgroup-parent", self.b.cgroup,
                image.IMAGE, "true"]

    def start(self, runtime):
        return self.b.start(runtime)

    def watcher(self, cid):
        return self.b.watcher(cid)

    def remove_all(self):
        self.b.remove_all()

    def service_rss(self):
        return {"berth system service": vm_rss(self.daemon.proc.pid)}


class Podman:
    name = "podman"

    def __init__(self, world, runtimes, archive):
        self.p = drivers.PodmanSetup(world, runtimes)
        self.p.load(archive)

    def run_argv(self, runtime, network="none"):
        return self.p.argv(runtime, "run", "--rm", "--network", network, image.IMAGE, "true")

    def bridge(self):
        return "podman"   # podman's default network (netavark)

    def start(self, runtime):
        r = drivers.check(self.p.cli(runtime, "run", "-d", "--network", "none", image.IMAGE,
                                     "sleep", "600"), "podman run -d")
        return r.out.strip()

    def watcher(self, cid):
        pids = pids_named("conmon", cid)
        return pids[0] if pids else None

    def remove_all(self):
        self.p.stop_all()

    @property
    def env(self):
        return self.p.env


class Docker:
    name = "docker"

    def __init__(self, world, runtimes, archive):
        self.d = drivers.DockerDaemon(world, {k: v for k, v in runtimes.items()})
        self.d.load(archive)

    def run_argv(self, runtime, network="none"):
        return ["/usr/bin/docker", "-H", "unix://" + self.d.sock, "run", "--rm", "--network",
                network, "--runtime", runtime, image.IMAGE, "true"]

    def bridge(self):
        self.d.make_bridge_network()   # no docker0 in the bench's dockerd (see the top)
        return self.d.BRIDGE_NET

    def start(self, runtime):
        r = drivers.check(self.d.cli("run", "-d", "--network", "none", "--runtime", runtime,
                                     image.IMAGE, "sleep", "600"), "docker run -d")
        return r.out.strip()

    def watcher(self, cid):
        pids = pids_named("containerd-shim-runc-v2", cid)
        return pids[0] if pids else None

    def remove_all(self):
        ids = self.d.cli("ps", "-aq").out.split()
        if ids:
            self.d.cli("rm", "-f", *ids, timeout=120)

    def service_rss(self):
        rss = {"dockerd": vm_rss(self.d.daemon.proc.pid)}
        ctrd = pids_named("containerd", self.d.config["exec-root"])
        if ctrd:
            rss["containerd"] = vm_rss(ctrd[0])
        return rss

    @property
    def env(self):
        return self.d.env


def time_argvs(engine, argvs, n):
    """(median, p90) in ms of each argv, the argvs taking turns so drift hits all alike."""
    env = dict(os.environ)
    env.update(getattr(engine, "env", {}) or {})
    for argv in argvs:
        for _ in range(2):   # warm-up
            subprocess.run(argv, env=env, capture_output=True, timeout=120)
    times = [[] for _ in argvs]
    for _ in range(n):
        for argv, ts in zip(argvs, times):
            t = time.monotonic()
            p = subprocess.run(argv, env=env, capture_output=True, timeout=120)
            ts.append((time.monotonic() - t) * 1000)
            if p.returncode != 0:
                raise RuntimeError("%s: %s" % (" ".join(argv),
                                                p.stderr.decode(errors="replace")))
    out = []
    for ts in times:
        ts.sort()
        out.append((statistics.median(ts), ts[int(len(ts) * 0.9) - 1]))
    return out


def time_runs(engine, runtime, n):
    return time_argvs(engine, [engine.run_argv(runtime)], n)[0]


def userns_cost(engine, runtimes, n):
    """berth's `run --rm --userns=auto` against the same run without it, per runtime. Needs
    subordinate ids for user berth (README.md, "User namespaces")."""
    rows = {}
    for rt in runtimes:
        try:
            rows[rt] = time_argvs(engine, [engine.run_argv(rt),
                                           engine.run_argv(rt, "--userns=auto")], n)
        except RuntimeError as e:
            print("# --userns=auto: left out (%s)" % str(e).splitlines()[-1], file=sys.stderr)
            return {}
    return rows


def network_cost(engine, runtime, n):
    """(none, bridge): `run --rm` on the engine's bridge network against the same run on
    none, taking turns."""
    try:
        net = engine.bridge()
        return time_argvs(engine, [engine.run_argv(runtime),
                                   engine.run_argv(runtime, network=net)], n)
    except (RuntimeError, AssertionError) as e:
        print("# %s on a bridge network: left out (%s)" % (engine.name, str(e).splitlines()[-1]),
              file=sys.stderr)
        return None


def memory(engine, runtime, count):
    rows = []
    for _ in range(count):
        cid = engine.start(runtime)
        time.sleep(0.3)
        pid = engine.watcher(cid)
        if pid:
            rows.append(smaps(pid))
    engine.remove_all()
    if not rows:
        return None
    return (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--iterations", type=int, default=20)
    ap.add_argument("--engines", default="berth,berth-api,podman,docker")
    ap.add_argument("--runtimes", default="berth,runc")
    ap.add_argument("--containers", type=int, default=5, help="detached containers per engine")
    ap.add_argument("--no-network", action="store_true", help="leave out the bridge's cost")
    a = ap.parse_args()
    runtimes = {"berth": BERTH_RUNTIME, "runc": shutil.which("runc") or "runc"}
    runtimes = {k: v for k, v in runtimes.items() if k in a.runtimes.split(",")}
    world = harness.World()
    classes = {"berth": Berth, "berth-api": BerthAPI, "podman": Podman, "docker": Docker}
    latency, mem, userns, served, network = {}, {}, {}, {}, {}
    try:
        archive = world.path("image.tar")
        image.build(archive)
        for name in a.engines.split(","):
            try:
                engine = classes[name](world, runtimes, archive)
            except Exception as e:  # an engine that is not installed is left out
                print("# %s: left out (%s)" % (name, str(e).splitlines()[0]), file=sys.stderr)
                continue
            for rt in runtimes:
                latency[(name, rt)] = time_runs(engine, rt, a.iterations)
                mem[(name, rt)] = memory(engine, rt, a.containers)
            if name == "berth":
                userns = userns_cost(engine, runtimes, a.iterations)
            if hasattr(engine, "bridge") and not a.no_network and "berth" in runtimes:
                network[name] = network_cost(engine, "berth", a.iterations)
            if hasattr(engine, "service_rss"):
                served[name] = engine.service_rss()
    finally:
        problems = world.cleanup()
        for p in problems:
            print("# cleanup: " + p, file=sys.stderr)
    base = latency.get(("berth", "berth"))
    print("## `run --rm busybox true` (%d runs each, ms)\n" % a.iterations)
    print("| engine | runtime | median | p90 | median / berth's |")
    print("|---|---|---|---|---|")
    for (name, rt), (med, p90) in latency.items():
        ratio = "%.2f" % (med / base[0]) if base else "-"
        print("| %s | %s | %.1f | %.1f | %s |" % (name, rt, med, p90, ratio))
    api, dockerd = latency.get(("berth-api", "berth")), latency.get(("docker", "berth"))
    if api and dockerd:
        print("\nThe docker CLI through berth's API / through dockerd (berth-runtime): %.2f"
              % (api[0] / dockerd[0]))
    if served:
        print("\n## The API's server, idle after the runs (VmRSS, KiB)\n")
        print("| engine | process | VmRSS |")
        print("|---|---|---|")
        for name, procs in served.items():
            for pname, rss in procs.items():
                print("| %s | %s | %d |" % (name, pname, rss))
        total = {n: sum(p.values()) for n, p in served.items()}
        if total.get("berth-api") and total.get("docker"):
            print("\nberth system service / (dockerd + containerd): %.3f"
                  % (total["berth-api"] / total["docker"]))
    if userns:
        print("\n## berth `run --rm --userns=auto busybox true` against the same run without"
              " it (%d runs each, taking turns, ms)\n" % a.iterations)
        print("| runtime | median without | median with | added | p90 with |")
        print("|---|---|---|---|---|")
        for rt, ((m0, _), (m1, p90)) in userns.items():
            print("| %s | %.1f | %.1f | %+.1f | %.1f |" % (rt, m0, m1, m1 - m0, p90))
    network = {k: v for k, v in network.items() if v}
    if network:
        print("\n## `run --rm busybox true` on a bridge network against `--network none` "
              "(berth-runtime, %d runs each, taking turns, ms)\n" % a.iterations)
        print("| engine | median none | median bridge | added | p90 bridge | bridge / berth's |")
        print("|---|---|---|---|---|---|")
        mine = network.get("berth")
        for name, ((m0, _), (m1, p90)) in network.items():
            ratio = "%.2f" % (m1 / mine[1][0]) if mine else "-"
            print("| %s | %.1f | %.1f | %+.1f | %.1f | %s |" % (name, m0, m1, m1 - m0, p90,
                                                               ratio))
    print("\n## The per-container process (median of %d detached containers, KiB)\n"
          % a.containers)
    print("| engine | runtime | process | RSS | PSS |")
    print("|---|---|---|---|---|")
    proc = {"berth": "berth-monitor", "berth-api": "berth-monitor", "podman": "conmon",
            "docker": "containerd-shim-runc-v2"}
    for (name, rt), m in mem.items():
        if m:
            print("| %s | %s | %s | %d | %d |" % (name, rt, proc[name], m[0], m[1]))


if __name__ == "__main__":
    main()
