"""The three clients behind one interface: Docker, Podman and containerd's ctr.

Each driver is bound to one OCI runtime (berth-runtime or runc) and offers what the
scenarios need: run (foreground, optionally on a terminal), start (detached), exec, logs,
stop, kill, rm, pause/unpause, top, inspect (status, exit code, OOM, host pid), and the
places where the runtime keeps its state, for leak counts.

Every command runs with a timeout; a client that hangs fails the test, not the lane.
"""

import json
import os
import pty
import secrets
import select
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import harness
import image

TIMEOUT = 60  # seconds for one client command


class Result(NamedTuple):
    rc: int
    out: str
    err: str

    def __str__(self):
        return "rc=%d\n--- stdout\n%s\n--- stderr\n%s" % (self.rc, self.out, self.err)


class ClientError(AssertionError):
    pass


@dataclass
class Opts:
    """What a scenario asks of `run`: the same meaning for every client."""
    env: dict = field(default_factory=dict)
    workdir: Optional[str] = None
    user: Optional[str] = None          # "uid:gid"
    read_only: bool = False
    tty: bool = False
    memory: Optional[int] = None        # bytes
    pids: Optional[int] = None
    cpus: Optional[float] = None
    cap_drop: list = field(default_factory=list)   # names without CAP_
    network: Optional[str] = None       # Docker only: a network name


@dataclass
class State:
    status: str            # created, running, paused, exited
    exit_code: Optional[int]
    oom_killed: bool
    pid: int               # host pid of the container's init, 0 when not running


def execute(argv, env=None, timeout=TIMEOUT, stdin=subprocess.DEVNULL, cwd=None):
    full = dict(os.environ)
    full.update(env or {})
    try:
        p = subprocess.run(argv, stdin=stdin, capture_output=True, env=full, timeout=timeout,
                           cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise ClientError("timed out after %ds: %s\n--- stdout\n%s\n--- stderr\n%s" % (
            timeout, " ".join(argv), (e.stdout or b"").decode(errors="replace"),
            (e.stderr or b"").decode(errors="replace")))
    return Result(p.returncode, p.stdout.decode(errors="replace"),
                  p.stderr.decode(errors="replace"))


def execute_pty(argv, env=None, timeout=TIMEOUT, cwd=None):
    """Run argv with a pseudo-terminal as stdin, stdout and stderr; out is all it printed."""
    full = dict(os.environ)
    full.update(env or {})
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=full,
                             start_new_session=True, close_fds=True, cwd=cwd)
    finally:
        os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    exited_at = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                p.kill()
                p.wait()
                raise ClientError("timed out after %ds on a terminal: %s\n--- output\n%s" % (
                    timeout, " ".join(argv), b"".join(chunks).decode(errors="replace")))
            ready, _, _ = select.select([master], [], [], min(left, 0.1))
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every slave fd is closed
                    data = b""
                if not data:
                    break
                chunks.append(data)
                continue
            # Nothing to read: once the client has exited (and a grandchild may still hold
            # the terminal), what it wrote is in the buffer; drain it for a moment.
            if p.poll() is not None:
                exited_at = exited_at or time.monotonic()
                if time.monotonic() - exited_at > 0.5:
                    break
        rc = p.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        os.close(master)
    return Result(rc, b"".join(chunks).decode(errors="replace").replace("\r\n", "\n"), "")


def check(res, what):
    if res.rc != 0:
        raise ClientError("%s failed:\n%s" % (what, res))
    return res


def unique_name(tag):
    return "bc-%s-%s" % (tag, secrets.token_hex(4))


class Client:
    """Common parts; subclasses fill in the command lines."""

    name = "?"

    def __init__(self, world, runtime_name, runtime_path):
        self.world = world
        self.runtime_name = runtime_name
        self.runtime_path = runtime_path
        self.created = []   # container names this test made, removed by cleanup()

    def __repr__(self):
        return "%s-%s" % (self.name, self.runtime_name)

    # Interface (see the subclasses).

    def run(self, cmd, opts=None, timeout=TIMEOUT):
        raise NotImplementedError

    def host_cgroup(self, name, controller):
        """The host directory of the container's cgroup that holds controller's files."""
        pid = self.inspect(name).pid
        assert pid > 0, "%s has no running process" % name
        return harness.process_cgroup_dir(pid, controller)

    def begin_events(self):
        """Start watching for events the client reports only as events (ctr)."""

    def oom_reported(self, name):
        return self.inspect(name).oom_killed

    def wait_status(self, name, statuses, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            st = self.inspect(name)
            if st.status in statuses or time.monotonic() > deadline:
                assert st.status in statuses, "%s: status %s, expected %s after %ds" % (
                    name, st.status, statuses, timeout)
                return st
            time.sleep(0.1)

    def cleanup(self):
        for name in self.created:
            try:
                self.rm(name, force=True, check_rc=False)
            except ClientError as e:
                harness.log("cleanup of %s %s: %s" % (self, name, e))
        self.created = []


# ---------------------------------------------------------------------------- Docker

class DockerDaemon:
    """dockerd with a private data-root, exec-root, pidfile, socket and daemon.json; it
    starts its own containerd under its exec-root. Both runtimes are registered."""

    def __init__(self, world, runtimes):
        self.world = world
        d = world.path("docker")
        os.makedirs(d)
        self.sock = os.path.join(d, "docker.sock")
        self.config = {
            "data-root": os.path.join(d, "data"),
            "exec-root": os.path.join(d, "exec"),
            "pidfile": os.path.join(d, "docker.pid"),
            "hosts": ["unix://" + self.sock],
            "deprecated-key-path": os.path.join(d, "key.json"),
            # No host networking changes: no iptables, no NAT, no docker0; the daemon runs
            # in the session's network namespace anyway.
            "iptables": False,
            "ip6tables": False,
            "ip-masq": False,
            "bridge": "none",
            "userland-proxy": False,
            "exec-opts": ["native.cgroupdriver=cgroupfs"],
            # Absolute: a relative parent would be rooted in dockerd's own cgroup.
            "cgroup-parent": world.cgroup_parent,
            "storage-driver": "overlay2",
            "runtimes": {name: {"path": path} for name, path in runtimes.items()
                         if name != "runc"},
            "log-level": "warn",
        }
        self.config_file = os.path.join(d, "daemon.json")
        with open(self.config_file, "w") as f:
            json.dump(self.config, f, indent=2)
        self.env = {"DOCKER_CONFIG": os.path.join(d, "cli")}
        self.daemon = harness.Daemon(
            world, "dockerd", ["dockerd", "--config-file", self.config_file],
            ready=lambda: os.path.exists(self.sock) and self.cli("version").rc == 0)

    def cli(self, *args, timeout=TIMEOUT):
        return execute(["/usr/bin/docker", "-H", "unix://" + self.sock] + list(args),
                       env=self.env, timeout=timeout)

    def load(self, tar):
        check(self.cli("load", "-i", tar), "docker load")

    BRIDGE_NET = "bc-net"
    BRIDGE_SUBNET = "10.213.7.0/24"

    def make_bridge_network(self):
        """A user-defined bridge network: its bridge lives in the session's netns, with no
        NAT or iptables rules. Docker attaches containers to it from a prestart hook."""
        check(self.cli("network", "create", "--subnet", self.BRIDGE_SUBNET, self.BRIDGE_NET),
              "docker network create")

    def runtime_root(self, runtime_name):
        """The --root the shim gives this runtime: Docker 20.10 passes
        <exec-root>/runtime-runc/moby to every runtime it registers (berth too), so berth
        and runc share one root there."""
        return os.path.join(self.config["exec-root"], "runtime-runc", "moby")


class Docker(Client):
    name = "docker"

    def __init__(self, world, runtime_name, runtime_path, daemon):
        super().__init__(world, runtime_name, runtime_path)
        self.d = daemon

    def _opts(self, o):
        a = ["--runtime", self.runtime_name]
        if o.network:
            a += ["--network", o.network]
        for k, v in o.env.items():
            a += ["-e", "%s=%s" % (k, v)]
        if o.workdir:
            a += ["-w", o.workdir]
        if o.user:
            a += ["-u", o.user]
        if o.read_only:
            a.append("--read-only")
        if o.tty:
            a.append("-t")
        if o.memory:
            a += ["--memory", str(o.memory)]
        if o.pids:
            a += ["--pids-limit", str(o.pids)]
        if o.cpus:
            a += ["--cpus", str(o.cpus)]
        for c in o.cap_drop:
            a += ["--cap-drop", c]
        return a

    def _argv(self, *args):
        return ["/usr/bin/docker", "-H", "unix://" + self.d.sock] + list(args)

    def run(self, cmd, opts=None, timeout=TIMEOUT):
        opts = opts or Opts()
        name = unique_name("run")
        self.created.append(name)
        argv = self._argv("run", "--rm", "--name", name, *self._opts(opts), image.IMAGE, *cmd)
        if opts.tty:
            return execute_pty(argv, env=self.d.env, timeout=timeout)
        return execute(argv, env=self.d.env, timeout=timeout)

    def start(self, cmd, opts=None):
        name = unique_name("bg")
        self.created.append(name)
        check(self.d.cli("run", "-d", "--name", name, *self._opts(opts or Opts()), image.IMAGE,
                         *cmd), "docker run -d")
        return name

    def exec(self, name, cmd, user=None):
        return self.d.cli("exec", *(["-u", user] if user else []), name, *cmd)

    def logs(self, name):
        r = check(self.d.cli("logs", name), "docker logs")
        return r.out + r.err

    def stop(self, name, timeout=10):
        return check(self.d.cli("stop", "-t", str(timeout), name, timeout=timeout + TIMEOUT),
                     "docker stop")

    def kill(self, name, sig="KILL"):
        return check(self.d.cli("kill", "-s", sig, name), "docker kill")

    def rm(self, name, force=False, check_rc=True):
        r = self.d.cli("rm", *(["-f"] if force else []), name)
        if check_rc and r.rc != 0:
            raise ClientError("docker rm failed:\n%s" % r)
        return r

    def pause(self, name):
        return self.d.cli("pause", name)

    def unpause(self, name):
        return self.d.cli("unpause", name)

    def top(self, name):
        return self.d.cli("top", name)

    def wait(self, name, timeout=TIMEOUT):
        r = check(self.d.cli("wait", name, timeout=timeout), "docker wait")
        return int(r.out.strip().splitlines()[-1])

    def inspect(self, name):
        r = check(self.d.cli("inspect", name), "docker inspect")
        st = json.loads(r.out)[0]["State"]
        status = {"exited": "exited", "dead": "exited"}.get(st["Status"], st["Status"])
        return State(status, st.get("ExitCode"), bool(st.get("OOMKilled")), st.get("Pid", 0))

    def state_dirs(self):
        root = self.d.runtime_root(self.runtime_name)
        return sorted(os.listdir(root)) if os.path.isdir(root) else []


# ---------------------------------------------------------------------------- Podman

class PodmanSetup:
    """Podman's private world: containers.conf, storage.conf and registries.conf of our own
    (CONTAINERS_CONF and friends), --root/--runroot/--tmpdir under the base folder, the
    cgroupfs manager, a file events logger, and both runtimes in [engine.runtimes]."""

    def __init__(self, world, runtimes):
        self.world = world
        d = world.path("podman")
        os.makedirs(d)
        self.dir = d
        self.root = os.path.join(d, "root")
        self.runroot = os.path.join(d, "runroot")
        self.events = os.path.join(d, "events.log")
        soft_nofile, hard_nofile = _rlimit("RLIMIT_NOFILE")
        _, hard_nproc = _rlimit("RLIMIT_NPROC")
        # Podman asks for nofile and nproc = 1048576 by default, and lowers its own nproc
        # limit to 32768 when it starts; raising a hard limit needs CAP_SYS_RESOURCE, which
        # this VM does not give (runc fails too: "error setting rlimit type 6"). So the
        # defaults must stay within podman's own limits.
        nofile = min(hard_nofile, 1048576)
        nproc = min(hard_nproc, 32768)
        self.ulimits = ["nofile=%d:%d" % (nofile, nofile), "nproc=%d:%d" % (nproc, nproc)]
        runtimes_toml = "\n".join('%s = ["%s"]' % (n, p) for n, p in runtimes.items())
        supports_json = ", ".join('"%s"' % n for n in
                                  ["crun", "runc", "kata", "runsc", "krun"] +
                                  [n for n in runtimes if n not in ("runc", "crun")])
        self.containers_conf = os.path.join(d, "containers.conf")
        with open(self.containers_conf, "w") as f:
            f.write(PODMAN_CONTAINERS_CONF.format(
                ulimits=", ".join('"%s"' % u for u in self.ulimits),
                events=self.events, tmp=os.path.join(d, "tmp"),
                volumes=os.path.join(d, "volumes"), netconf=os.path.join(d, "networks"),
                supports_json=supports_json, runtimes=runtimes_toml))
        self.storage_conf = os.path.join(d, "storage.conf")
        with open(self.storage_conf, "w") as f:
            f.write('[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' % (
                self.root, self.runroot))
        self.registries_conf = os.path.join(d, "registries.conf")
        with open(self.registries_conf, "w") as f:
            f.write("unqualified-search-registries = []\n")
        self.env = {"CONTAINERS_CONF": self.containers_conf,
                    "CONTAINERS_STORAGE_CONF": self.storage_conf,
                    "CONTAINERS_REGISTRIES_CONF": self.registries_conf,
                    "XDG_CONFIG_HOME": os.path.join(d, "xdg")}

    def argv(self, runtime_name, *args):
        return self.world.in_netns(
            ["podman", "--root", self.root, "--runroot", self.runroot,
             "--tmpdir", os.path.join(self.dir, "tmp"), "--cgroup-manager", "cgroupfs",
             "--events-backend", "file", "--runtime", runtime_name] + list(args))

    def cli(self, runtime_name, *args, timeout=TIMEOUT, cwd=None):
        return execute(self.argv(runtime_name, *args), env=self.env, timeout=timeout,
                       cwd=cwd or self.dir)

    def load(self, tar):
        check(self.cli("runc", "load", "-i", tar), "podman load")

    def stop_all(self):
        self.cli("runc", "rm", "-af", "-t", "0", timeout=120)


PODMAN_CONTAINERS_CONF = """\
[containers]
# No network backend is needed: each container gets a new network namespace with lo only.
netns = "none"
# Within podman's own limits (see PodmanSetup): raising them needs CAP_SYS_RESOURCE.
default_ulimits = [{ulimits}]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{events}"
tmp_dir = "{tmp}"
volume_path = "{volumes}"
network_config_dir = "{netconf}"
# podman passes --log-format=json --log FILE to the runtimes named here and reads the
# runtime's error from that file.
runtime_supports_json = [{supports_json}]

[engine.runtimes]
{runtimes}
"""


def _rlimit(name):
    import resource
    return resource.getrlimit(getattr(resource, name))


class Podman(Client):
    name = "podman"

    def __init__(self, world, runtime_name, runtime_path, setup):
        super().__init__(world, runtime_name, runtime_path)
        self.p = setup
        # conmon 2.1 writes its "oom" file into its working directory, podman's: one per
        # test, so that a test sees only its own containers' OOM kills.
        self.cwd = os.path.join(setup.dir, unique_name("cwd"))
        os.makedirs(self.cwd)

    def cli(self, *args, timeout=TIMEOUT):
        return self.p.cli(self.runtime_name, *args, timeout=timeout, cwd=self.cwd)

    def oom_reported(self, name):
        """podman 4.3 never sets State.OOMKilled (podman#13102, fixed in 5.0: it looked for
        conmon's "oom" file in the bundle, and conmon wrote it in its working directory).
        The report of the OOM kill is conmon's file."""
        return self.inspect(name).oom_killed or os.path.exists(os.path.join(self.cwd, "oom"))

    def _opts(self, o):
        a = ["--cgroup-parent", self.world.cgroup_parent]
        for k, v in o.env.items():
            a += ["-e", "%s=%s" % (k, v)]
        if o.workdir:
            a += ["-w", o.workdir]
        if o.user:
            a += ["-u", o.user]
        if o.read_only:
            a.append("--read-only")
        if o.tty:
            a.append("-t")
        if o.memory:
            a += ["--memory", str(o.memory)]
        if o.pids:
            a += ["--pids-limit", str(o.pids)]
        if o.cpus:
            a += ["--cpus", str(o.cpus)]
        for c in o.cap_drop:
            a += ["--cap-drop", c]
        return a

    def run(self, cmd, opts=None, timeout=TIMEOUT):
        opts = opts or Opts()
        name = unique_name("run")
        self.created.append(name)
        argv = self.p.argv(self.runtime_name, "run", "--rm", "--name", name, *self._opts(opts),
                           image.IMAGE, *cmd)
        if opts.tty:
            return execute_pty(argv, env=self.p.env, timeout=timeout, cwd=self.cwd)
        return execute(argv, env=self.p.env, timeout=timeout, cwd=self.cwd)

    def start(self, cmd, opts=None):
        name = unique_name("bg")
        self.created.append(name)
        check(self.cli("run", "-d", "--name", name, *self._opts(opts or Opts()), image.IMAGE,
                       *cmd), "podman run -d")
        return name

    def exec(self, name, cmd, user=None):
        return self.cli("exec", *(["-u", user] if user else []), name, *cmd)

    def logs(self, name):
        r = check(self.cli("logs", name), "podman logs")
        return r.out + r.err

    def stop(self, name, timeout=10):
        return check(self.cli("stop", "-t", str(timeout), name, timeout=timeout + TIMEOUT),
                     "podman stop")

    def kill(self, name, sig="KILL"):
        return check(self.cli("kill", "-s", sig, name), "podman kill")

    def rm(self, name, force=False, check_rc=True):
        r = self.cli("rm", *(["-f", "-t", "0"] if force else []), name)
        if check_rc and r.rc != 0:
            raise ClientError("podman rm failed:\n%s" % r)
        return r

    def pause(self, name):
        return self.cli("pause", name)

    def unpause(self, name):
        return self.cli("unpause", name)

    def top(self, name):
        return self.cli("top", name)

    def wait(self, name, timeout=TIMEOUT):
        r = check(self.cli("wait", name, timeout=timeout), "podman wait")
        return int(r.out.strip().splitlines()[-1])

    def inspect(self, name):
        r = check(self.cli("inspect", "--type", "container", name), "podman inspect")
        st = json.loads(r.out)[0]["State"]
        status = {"exited": "exited", "stopped": "exited", "configured": "created",
                  "initialized": "created"}.get(st["Status"], st["Status"])
        return State(status, st.get("ExitCode"), bool(st.get("OOMKilled")), st.get("Pid", 0))

    def state_dirs(self):
        """Container state dirs in the runtime's root. Podman calls the runtime without
        --root: its cleanup process (conmon's exit command) does not get --runtime-flag, so
        a private root would leak every state dir. The runtime's default root is shared
        with the host, so only the dirs whose state names our base folder count."""
        root = "/run/runc" if self.runtime_name == "runc" else "/run/berth"
        found = []
        for e in (os.listdir(root) if os.path.isdir(root) else []):
            try:
                with open(os.path.join(root, e, "state.json"), errors="replace") as f:
                    ours = self.world.base in f.read()
            except OSError:
                ours = False
            if ours:
                found.append(e)
        return sorted(found)


# ---------------------------------------------------------------------------- containerd

class ContainerdDaemon:
    """containerd with its own root, state, sockets and config (no CRI plugin); ctr talks
    to it with --address, in namespace berth-clients, with private runc root and fifo dir."""

    NAMESPACE = "berth-clients"

    def __init__(self, world):
        self.world = world
        d = world.path("containerd")
        os.makedirs(d)
        self.dir = d
        self.sock = os.path.join(d, "containerd.sock")
        self.config_file = os.path.join(d, "config.toml")
        with open(self.config_file, "w") as f:
            f.write(CONTAINERD_CONFIG.format(root=os.path.join(d, "root"),
                                             state=os.path.join(d, "state"), sock=self.sock))
        self.fifo_dir = os.path.join(d, "fifo")
        self.logs_dir = os.path.join(d, "logs")
        self.specs_dir = os.path.join(d, "specs")
        for p in (self.fifo_dir, self.logs_dir, self.specs_dir):
            os.makedirs(p)
        self.daemon = harness.Daemon(
            world, "containerd", ["containerd", "--config", self.config_file],
            ready=lambda: os.path.exists(self.sock) and self.cli("version").rc == 0)
        self.rootfs = None

    def cli(self, *args, timeout=TIMEOUT):
        return execute(["ctr", "--address", self.sock, "-n", self.NAMESPACE] + list(args),
                       timeout=timeout)

    def load(self, tar):
        check(self.cli("images", "import", tar), "ctr images import")
        # For `ctr run --config` (the only way ctr sets a user or a pids limit): the image's
        # rootfs unpacked once, shared read-only.
        self.rootfs = os.path.join(self.dir, "rootfs")
        os.makedirs(self.rootfs)
        with tarfile.open(tar) as outer:
            layer = [m for m in outer.getnames() if m.endswith("/layer.tar")][0]
            with tarfile.open(fileobj=outer.extractfile(layer)) as inner:
                inner.extractall(self.rootfs, numeric_owner=True)
        self.default_spec = json.loads(check(self.cli("oci", "spec"), "ctr oci spec").out)

    def runtime_root(self, runtime_name):
        return os.path.join(self.dir, "runtime-" + runtime_name)


CONTAINERD_CONFIG = """\
version = 2
root = "{root}"
state = "{state}"
# No Kubernetes here: the CRI plugin would look for CNI and listen for kubelet.
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{sock}"

[ttrpc]
  address = "{sock}.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""
"""


class Ctr(Client):
    name = "containerd"

    def __init__(self, world, runtime_name, runtime_path, daemon):
        super().__init__(world, runtime_name, runtime_path)
        self.d = daemon
        self.rt_root = daemon.runtime_root(runtime_name)
        self.log_files = {}
        self.events_proc = None

    def _runtime_args(self):
        return ["--runc-binary", self.runtime_path, "--runc-root", self.rt_root,
                "--fifo-dir", self.d.fifo_dir]

    def _opts(self, name, o):
        a = ["--cgroup", "%s/%s" % (self.world.cgroup_parent, name)]
        for k, v in o.env.items():
            a += ["--env", "%s=%s" % (k, v)]
        if o.workdir:
            a += ["--cwd", o.workdir]
        if o.read_only:
            a.append("--read-only")
        if o.tty:
            a.append("-t")
        if o.memory:
            a += ["--memory-limit", str(o.memory)]
        if o.cpus:
            a += ["--cpus", str(o.cpus)]
        for c in o.cap_drop:
            a += ["--cap-drop", "CAP_" + c]
        return a

    def _spec_file(self, name, cmd, o):
        """ctr 1.6 has no --user or --pids-limit: those go through `ctr run --config`, a
        whole runtime spec (ctr's own default spec, our rootfs, the same options)."""
        s = json.loads(json.dumps(self.d.default_spec))
        p = s["process"]
        p["args"] = list(cmd)
        p["env"] = [image.ENV_PATH] + ["%s=%s" % kv for kv in o.env.items()]
        p["cwd"] = o.workdir or "/"
        p["terminal"] = o.tty
        if o.user:
            uid, _, gid = o.user.partition(":")
            p["user"] = {"uid": int(uid), "gid": int(gid or uid)}
        for c in o.cap_drop:
            for kind in p["capabilities"].values():
                if "CAP_" + c in kind:
                    kind.remove("CAP_" + c)
        s["root"] = {"path": self.d.rootfs, "readonly": True}
        lin = s["linux"]
        lin["cgroupsPath"] = "%s/%s" % (self.world.cgroup_parent, name)
        res = lin.setdefault("resources", {})
        if o.pids:
            res["pids"] = {"limit": o.pids}
        if o.memory:
            res.setdefault("memory", {})["limit"] = o.memory
        if o.cpus:
            res.setdefault("cpu", {}).update({"quota": int(o.cpus * 100000), "period": 100000})
        path = os.path.join(self.d.specs_dir, name + ".json")
        with open(path, "w") as f:
            json.dump(s, f)
        return path

    def run_systemd_cgroup(self, cmd, timeout=TIMEOUT):
        """`ctr run --runc-systemd-cgroup`: the shim passes --systemd-cgroup to the runtime,
        with a systemd-style cgroupsPath (slice:prefix:name)."""
        name = unique_name("sd")
        self.created.append(name)
        return self.d.cli("run", "--rm", *self._runtime_args(), "--runc-systemd-cgroup",
                          "--cgroup", "berth-clients.slice:bc:" + name, image.IMAGE, name,
                          *cmd, timeout=timeout)

    def _needs_spec(self, o):
        return bool(o.user or o.pids)

    def run(self, cmd, opts=None, timeout=TIMEOUT):
        opts = opts or Opts()
        name = unique_name("run")
        self.created.append(name)
        base = ["ctr", "--address", self.d.sock, "-n", self.d.NAMESPACE, "run", "--rm"]
        if self._needs_spec(opts):
            argv = base + self._runtime_args() + (["-t"] if opts.tty else []) + [
                "--config", self._spec_file(name, cmd, opts), name]
        else:
            argv = base + self._runtime_args() + self._opts(name, opts) + [
                image.IMAGE, name] + list(cmd)
        if opts.tty:
            return execute_pty(argv, timeout=timeout)
        return execute(argv, timeout=timeout)

    def start(self, cmd, opts=None):
        opts = opts or Opts()
        name = unique_name("bg")
        self.created.append(name)
        logf = os.path.join(self.d.logs_dir, name + ".log")
        self.log_files[name] = logf
        io = ["--log-uri", "file://" + logf]
        if self._needs_spec(opts):
            args = ["run", "-d"] + self._runtime_args() + io + [
                "--config", self._spec_file(name, cmd, opts), name]
        else:
            args = ["run", "-d"] + self._runtime_args() + io + self._opts(name, opts) + [
                image.IMAGE, name] + list(cmd)
        check(self.d.cli(*args), "ctr run -d")
        return name

    def begin_events(self):
        """Record `ctr events` from now on: ctr reports an OOM kill only as a /tasks/oom
        event (the shim watches the container's memory cgroup)."""
        if self.events_proc is None:
            self.events_file = os.path.join(self.d.logs_dir, unique_name("events"))
            with open(self.events_file, "wb") as f:
                self.events_proc = subprocess.Popen(
                    ["ctr", "--address", self.d.sock, "events"], stdin=subprocess.DEVNULL,
                    stdout=f, stderr=subprocess.STDOUT)
            time.sleep(0.3)

    def oom_reported(self, name):
        with open(self.events_file, errors="replace") as f:
            return any("/tasks/oom" in line and name in line for line in f)

    def exec(self, name, cmd, user=None):
        args = ["task", "exec", "--exec-id", unique_name("x")]
        if user:
            args += ["--user", user]
        return self.d.cli(*args, name, *cmd)

    def logs(self, name):
        with open(self.log_files[name], errors="replace") as f:
            return f.read()

    def _task(self, name):
        """(status, pid) from `ctr task ls`, or None when there is no task."""
        r = check(self.d.cli("task", "ls"), "ctr task ls")
        for line in r.out.splitlines()[1:]:
            f = line.split()
            if f and f[0] == name:
                return f[2].lower(), int(f[1])
        return None

    def stop(self, name, timeout=10):
        check(self.d.cli("task", "kill", "-s", "SIGTERM", name), "ctr task kill TERM")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self._task(name)
            if t is None or t[0] == "stopped":
                return
            time.sleep(0.1)
        check(self.d.cli("task", "kill", "-s", "SIGKILL", name), "ctr task kill KILL")

    def kill(self, name, sig="KILL"):
        return check(self.d.cli("task", "kill", "-s", "SIG" + sig, name), "ctr task kill")

    def rm(self, name, force=False, check_rc=True):
        r1 = self.d.cli("task", "rm", *(["-f"] if force else []), name)
        r2 = self.d.cli("container", "rm", name)
        bad = r2 if r2.rc != 0 else None
        if r1.rc != 0 and "not found" not in r1.err:
            bad = r1
        if check_rc and bad:
            raise ClientError("ctr rm failed:\n%s" % bad)
        return bad or r2

    def pause(self, name):
        return self.d.cli("task", "pause", name)

    def unpause(self, name):
        return self.d.cli("task", "resume", name)

    def top(self, name):
        return self.d.cli("task", "ps", name)

    def wait(self, name, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self._task(name)
            if t is None or t[0] == "stopped":
                break
            time.sleep(0.1)
        r = check(self.d.cli("task", "rm", name), "ctr task rm")
        return r

    def inspect(self, name):
        t = self._task(name)
        if t is None:
            return State("exited", None, False, 0)
        status = {"stopped": "exited"}.get(t[0], t[0])
        return State(status, None, False, t[1] if status in ("running", "paused") else 0)

    def state_dirs(self):
        root = os.path.join(self.rt_root, self.d.NAMESPACE)
        return sorted(os.listdir(root)) if os.path.isdir(root) else []

    def cleanup(self):
        super().cleanup()
        if self.events_proc is not None:
            self.events_proc.kill()
            self.events_proc.wait()
            self.events_proc = None


def runtime_binaries():
    """name -> path of the runtimes named in BERTH_TEST_RUNTIMES (default berth,runc)."""
    repo = image.REPO
    names = [n.strip() for n in os.environ.get("BERTH_TEST_RUNTIMES", "berth,runc").split(",")
             if n.strip()]
    out = {}
    for n in names:
        if n == "berth":
            out[n] = os.path.abspath(os.environ.get(
                "BERTH_RUNTIME", os.path.join(repo, "build", "berth-runtime")))
        else:
            out[n] = shutil.which(n) or n
    return out


def client_names():
    names = [n.strip() for n in
             os.environ.get("BERTH_CLIENTS", "docker,podman,containerd").split(",") if n.strip()]
    for n in names:
        if n not in ("docker", "podman", "containerd"):
            raise ValueError("BERTH_CLIENTS: unknown client %r" % n)
    return names

