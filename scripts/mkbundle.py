#!/usr/bin/python3
"""Make an OCI bundle from Debian's busybox-static.

    mkbundle.py DIR [--hostname H] [--cgroups-path P] [--terminal] [-- ARGS...]

writes DIR/rootfs (busybox, one symlink per applet, /etc/passwd and /etc/group, empty
proc sys dev tmp) and DIR/config.json (the defaults of `runc spec`, with terminal off,
the cgroup namespace and the given args, hostname and cgroupsPath).

The integration tests import make_rootfs() and default_config(). Standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

BUSYBOX = "/bin/busybox"
OCI_VERSION = "1.0.2"

# uid 1000 is the unprivileged user the tests switch to.
PASSWD = """\
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
tester:x:1000:1000:tester:/home/tester:/bin/sh
"""
GROUP = """\
root:x:0:
tester:x:1000:
nogroup:x:65534:
"""

# The capabilities `runc spec` gives the process (runc 1.1, every set).
DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]

MASKED_PATHS = [
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
    "/proc/scsi",
]
READONLY_PATHS = [
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
]


def busybox_applets(busybox=BUSYBOX):
    """Paths relative to / of every applet, e.g. 'bin/sh', 'usr/bin/[' (busybox --list-full)."""
    out = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def make_rootfs(path, busybox=BUSYBOX):
    """Create a busybox root filesystem at path (which must not exist or be empty)."""
    os.makedirs(path, exist_ok=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "home/tester",
              "proc", "sys", "dev", "tmp"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    os.chmod(os.path.join(path, "tmp"), 0o1777)
    os.chown(os.path.join(path, "home/tester"), 1000, 1000)
    shutil.copy2(busybox, os.path.join(path, "bin/busybox"))
    for applet in busybox_applets(busybox):
        link = os.path.join(path, applet)
        if applet == "bin/busybox" or os.path.lexists(link):
            continue
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink("/bin/busybox", link)
    with open(os.path.join(path, "etc/passwd"), "w") as f:
        f.write(PASSWD)
    with open(os.path.join(path, "etc/group"), "w") as f:
        f.write(GROUP)


def default_config(args=("sh",), hostname="berth", cgroups_path=None, terminal=False):
    """The config.json of `runc spec` as a dict, adjusted as the module docstring says."""
    config = {
        "ociVersion": OCI_VERSION,
        "process": {
            "terminal": terminal,
            "user": {"uid": 0, "gid": 0},
            "args": list(args),
            "env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
            ],
            "cwd": "/",
            "capabilities": {s: list(DEFAULT_CAPS) for s in
                             ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": hostname,
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                         "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in
                           ("pid", "network", "ipc", "uts", "mount", "cgroup")],
            "maskedPaths": list(MASKED_PATHS),
            "readonlyPaths": list(READONLY_PATHS),
        },
    }
    if cgroups_path is not None:
        if not cgroups_path.startswith("/"):
            raise ValueError("cgroups path must be absolute: %r" % cgroups_path)
        config["linux"]["cgroupsPath"] = cgroups_path
    return config


def write_config(bundle, config):
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def main(argv=None):
    p = argparse.ArgumentParser(description="Make an OCI bundle from busybox-static.")
    p.add_argument("dir", help="bundle directory to create")
    p.add_argument("--hostname", default="berth")
    p.add_argument("--cgroups-path", help="absolute linux.cgroupsPath")
    p.add_argument("--terminal", action="store_true", help="set process.terminal")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = []
    if "--" in argv:
        i = argv.index("--")
        argv, args = argv[:i], argv[i + 1:]
    p.epilog = "Process args follow --; the default is sh."
    opts = p.parse_args(argv)
    rootfs = os.path.join(opts.dir, "rootfs")
    if os.path.exists(rootfs) and os.listdir(rootfs):
        p.error("%s exists and is not empty" % rootfs)
    make_rootfs(rootfs)
    write_config(opts.dir, default_config(args or ["sh"], opts.hostname,
                                          opts.cgroups_path, opts.terminal))
    return 0


if __name__ == "__main__":
    sys.exit(main())
