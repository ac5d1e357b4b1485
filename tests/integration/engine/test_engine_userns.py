"""User namespaces of rootful containers (--userns=auto, --uidmap/--gidmap): root in the
container is an unprivileged uid on the host, the image's layers are idmapped (never
chowned), ranges of live containers never overlap and rm frees them, bad maps leave nothing.

The subordinate ids come from /etc/subuid and /etc/subgid for user `berth`: the fixture
adds the user and a line for it in each file if it has none (the host's other lines are
left as they are).
"""

import json
import os
import pwd
import shutil
import subprocess

import pytest

import oci

SUBID_USER = "berth"
SUBID_LINE = "berth:400000:1048576\n"
AUTO_SIZE = 65536


def subid_ranges(path):
    ranges = []
    with open(path) as f:
        for line in f:
            parts = line.strip().split(":")
            if len(parts) == 3 and parts[0] == SUBID_USER:
                ranges.append((int(parts[1]), int(parts[2])))
    return ranges


@pytest.fixture(scope="session")
def subids():
    """The user `berth` and its subordinate ids; returns its first subuid range."""
    try:
        pwd.getpwnam(SUBID_USER)
    except KeyError:
        if not shutil.which("useradd"):
            oci.skip("useradd is needed to make the user whose subordinate ids berth uses")
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", SUBID_USER], check=True)
    for path in ("/etc/subuid", "/etc/subgid"):
        if not os.path.exists(path) or not subid_ranges(path):
            with open(path, "a") as f:
                f.write(SUBID_LINE)
    first = subid_ranges("/etc/subuid")[0]
    if first[1] < 3 * AUTO_SIZE:
        oci.skip("user berth's first subuid range holds fewer than three auto ranges")
    return first


RUN_DIR = "/run/berth-userns"


def run_entries():
    return set(os.listdir(RUN_DIR)) if os.path.isdir(RUN_DIR) else set()


def created_ids(berth):
    """The ids of the containers this engine root made (its events.log): RUN_DIR is shared
    with the tests of other roots that may run meanwhile."""
    path = os.path.join(berth.root, "events.log")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        events = [json.loads(line) for line in f if line.strip()]
    return {e["id"] for e in events if e.get("Type") == "container" and e.get("Action") == "create"}


@pytest.fixture(autouse=True)
def run_dir_released(berth):
    """Each container's RUN_DIR/<id> (its rootfs bound for the runtime) is gone after rm,
    and nothing stays mounted there (the engine fixture checks only under --root)."""
    before = run_entries()
    yield
    for c in berth.containers():
        berth("rm", "-f", c, check=False)
    left = (run_entries() - before) & created_ids(berth)
    with open("/proc/self/mountinfo") as f:
        mounts = [line.split()[4] for line in f if " %s/" % RUN_DIR in line]
    mounted = [m for m in mounts if m.split("/")[3] in left]
    assert not left and not mounted, (left, mounted)


def uid_line(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return [int(x) for x in line.split()[1:]]
    raise AssertionError("no Uid line for pid %d" % pid)


def uid_map(pid):
    with open("/proc/%d/uid_map" % pid) as f:
        return [tuple(int(x) for x in line.split()) for line in f if line.strip()]


def start_sleeper(berth, name, *flags):
    berth("run", "-d", "--name", name, *flags, "busybox", "sleep", "1000")
    berth.wait_status(name, "running")
    return berth.pid(name)


def test_auto_root_is_an_unprivileged_host_uid(berth, subids):
    pid = start_sleeper(berth, "ns1", "--userns=auto")
    base, size = subids
    uids = uid_line(pid)
    assert len(set(uids)) == 1 and uids[0] != 0, uids
    assert base <= uids[0] < base + size, (uids, subids)
    assert uid_map(pid) == [(0, uids[0], AUTO_SIZE)]
    r = berth("exec", "ns1", "sh", "-c", "id -u; stat -c %u /bin/busybox /etc/passwd")
    # the layers are idmapped: the image's root-owned files are root's in the container
    assert r.out.split() == ["0", "0", "0"], r.out
    berth("rm", "-f", "ns1")


def test_the_image_is_not_chowned(berth, subids):
    """The layers on the host keep the image's owners (no chown copy per mapping)."""
    berth("run", "--rm", "--userns=auto", "busybox", "touch", "/new")
    layers = os.path.join(berth.root, "image", "layers")
    owners = set()
    for top, dirs, files in os.walk(layers):
        for n in dirs + files:
            owners.add(os.lstat(os.path.join(top, n)).st_uid)
    assert owners == {0}, owners


def test_files_in_a_volume_belong_to_the_mapped_root(berth, subids):
    """docker under userns-remap: a new volume is the container root's; what the container
    writes there is owned on the host by the uid its root maps to."""
    pid = start_sleeper(berth, "ns2", "--userns=auto", "-v", "nsvol:/data")
    host_root = uid_map(pid)[0][1]
    berth("exec", "ns2", "sh", "-c", "echo hi > /data/f")
    data = os.path.join(berth.root, "volumes", "nsvol", "_data")
    st = os.stat(os.path.join(data, "f"))
    assert (st.st_uid, st.st_gid) == (host_root, host_root - subids[0] + subid_ranges(
        "/etc/subgid")[0][0]), st
    assert berth("exec", "ns2", "stat", "-c", "%u", "/data/f").out.strip() == "0"
    berth("rm", "-f", "ns2")


def test_host_files_stay_closed_to_the_container_root(berth, tmp_path, subids):
    """A bind-mounted root-owned host dir: container root is not the host's root."""
    host = tmp_path / "hostdir"
    host.mkdir(mode=0o755)
    r = berth("run", "--rm", "--userns=auto", "-v", "%s:/h" % host, "busybox",
              "touch", "/h/x", check=False)
    assert r.rc != 0 and "Permission denied" in r.err, r
    assert not (host / "x").exists()


def test_auto_ranges_are_disjoint_and_rm_frees_them(berth, subids):
    a = uid_map(start_sleeper(berth, "nsa", "--userns=auto"))[0]
    b = uid_map(start_sleeper(berth, "nsb", "--userns=auto"))[0]
    assert a[1] + a[2] <= b[1] or b[1] + b[2] <= a[1], (a, b)
    rundir = os.path.join("/run/berth-userns", berth.inspect("nsa")["Id"])
    st = os.stat(rundir)
    assert (st.st_uid, st.st_mode & 0o777) == (a[1], 0o700)
    berth("rm", "-f", "nsa")
    assert not os.path.exists(rundir)
    # the lowest free range again: the one nsa held
    c = uid_map(start_sleeper(berth, "nsc", "--userns=auto"))[0]
    assert c == a, (a, c)
    berth("rm", "-f", "nsb", "nsc")


def test_host_network_with_a_user_namespace(berth, subids):
    """sysfs cannot be mounted in the host's network namespace from a user namespace: the
    host's /sys is bound read-only instead (as docker does); runc fails without it."""
    r = berth("run", "--rm", "--userns=auto", "--network", "host", "busybox", "sh", "-c",
              "id -u; test -d /sys/class/net && grep ' /sys ' /proc/self/mountinfo")
    lines = r.out.splitlines()
    assert lines[0] == "0" and " ro," in lines[1], r.out


def test_cp_in_belongs_to_the_container_root(berth, tmp_path, subids):
    """What cp puts into a container (running, stopped, or as a tar stream) is its root's, as
    docker's under userns-remap, not the host root's (which would show as nobody)."""
    src = tmp_path / "f"
    src.write_text("x\n")
    d = tmp_path / "d"
    d.mkdir()
    (d / "in").write_text("y\n")
    os.symlink("in", str(d / "link"))
    start_sleeper(berth, "nscp", "--userns=auto")
    berth("cp", str(src), "nscp:/running")
    berth("cp", str(d), "nscp:/dir")
    berth("stop", "-t", "0", "nscp")
    berth("cp", str(src), "nscp:/stopped")
    tar = subprocess.run(["tar", "-C", str(d), "-cf", "-", "in"], capture_output=True,
                         check=True).stdout
    p = subprocess.run(berth.argv(["cp", "-", "nscp:/tmp"]), input=tar, capture_output=True)
    assert p.returncode == 0, p.stderr
    berth("start", "nscp")
    r = berth("exec", "nscp", "stat", "-c", "%u:%g %n", "/running", "/stopped", "/dir",
              "/dir/in", "/dir/link", "/tmp/in")
    assert [line.split()[0] for line in r.out.splitlines()] == ["0:0"] * 6, r.out
    berth("rm", "-f", "nscp")


def test_auto_size(berth, subids):
    pid = start_sleeper(berth, "nss", "--userns=auto:size=1000")
    assert uid_map(pid)[0][2] == 1000
    berth("rm", "-f", "nss")


def test_explicit_uidmap_and_gidmap(berth, subids):
    base = subids[0] + subids[1] - 2000
    pid = start_sleeper(berth, "nsm", "--uidmap", "0:%d:1000" % base,
                        "--gidmap", "0:%d:500" % (base + 1000))
    assert uid_map(pid) == [(0, base, 1000)]
    with open("/proc/%d/gid_map" % pid) as f:
        assert f.read().split() == ["0", str(base + 1000), "500"]
    assert uid_line(pid)[0] == base
    berth("rm", "-f", "nsm")


@pytest.mark.parametrize("flags,message", [
    (["--userns=bogus"], "invalid USER mode: 'bogus'"),
    (["--userns=auto:size=0"], "invalid --userns 'auto:size=0'"),
    (["--userns=auto:size=x"], "invalid --userns 'auto:size=x'"),
    (["--uidmap", "0:100000"], "invalid --uidmap '0:100000': want CONTAINER:HOST:SIZE"),
    (["--uidmap", "0:-1:10"], "invalid --uidmap '0:-1:10'"),
    (["--uidmap", "0:100000:0"], "the size must not be 0"),
    (["--uidmap", "0:4294967295:2"], "the range passes 4294967295"),
    (["--uidmap", "1:100000:10"], "--uidmap: container id 0 (root) must be mapped"),
    (["--uidmap", "0:100000:10", "--uidmap", "5:200000:10"], "overlaps"),
    (["--gidmap", "0:100000:10", "--gidmap", "20:100005:10"], "overlaps"),
    (["--userns=auto", "--uidmap", "0:100000:10"], "cannot be combined"),
    (["--userns=host", "--gidmap", "0:100000:10"], "cannot be combined"),
])
def test_bad_maps_are_refused_and_leave_nothing(berth, subids, flags, message):
    r = berth("run", "--rm", *flags, "busybox", "true", check=False)
    assert r.rc == 125 and message in r.err, r
    assert berth.containers() == []


def test_no_subordinate_ids_is_a_clear_error(berth, subids, tmp_path, monkeypatch):
    empty = tmp_path / "subuid"
    empty.write_text("someone:100000:65536\n")
    monkeypatch.setenv("BERTH_SUBUID_FILE", str(empty))
    r = berth("run", "--rm", "--userns=auto", "busybox", "true", check=False)
    assert r.rc == 125, r
    assert "no subordinate ids for user 'berth'" in r.err and "add a line such as" in r.err, r
    assert berth.containers() == []
