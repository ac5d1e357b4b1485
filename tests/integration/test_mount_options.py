"""Mount options beyond the basics (config.md, Linux mount options): propagation of mounts
and of the rootfs, recursive attributes (rro, rnoexec, ...), idmap/ridmap, tmpcopyup, and
maskedPaths/readonlyPaths as mountinfo shows them."""

import os

import pytest

import oci
from oci import sh

SEP = "=====mountinfo====="


def run_mounts(runtime, bundle, script="true"):
    """Run script then print mountinfo; (output, {mount point: last row for it})."""
    bundle.set_args(sh("%s; echo %s; cat /proc/self/mountinfo" % (script, SEP)))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    out, _, info = r.out.partition(SEP + "\n")
    return out, {m["mount_point"]: m for m in oci.parse_mountinfo(info)}


def propagation(row):
    """'shared', 'slave', 'shared+slave', 'unbindable' or 'private', from the optional fields."""
    kinds = {f.split(":")[0] for f in row["optional"]}
    if "unbindable" in kinds:
        return "unbindable"
    if "shared" in kinds and "master" in kinds:
        return "shared+slave"
    if "shared" in kinds:
        return "shared"
    if "master" in kinds:
        return "slave"
    return "private"


@pytest.fixture
def tree(tmp_path, host_mount):
    """A host directory with a tmpfs submount at sub/, both shared mounts on the host (so
    that a slave copy has a master: this host's / is private)."""
    d = tmp_path / "tree"
    d.mkdir()
    host_mount("--bind", str(d), target=str(d))
    subprocess_ok(["mount", "--make-shared", str(d)])
    (d / "file").write_text("top\n")
    (d / "sub").mkdir()
    host_mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", target=str(d / "sub"))
    subprocess_ok(["mount", "--make-shared", str(d / "sub")])
    (d / "sub" / "inner").write_text("inner\n")
    return d


def subprocess_ok(argv):
    import subprocess
    subprocess.run(argv, check=True)


@pytest.mark.parametrize("option,top,sub", [
    ("shared", "shared", None),
    ("slave", "slave", None),
    ("private", "private", None),
    ("unbindable", "unbindable", None),
    ("rshared", "shared", "shared"),
    ("rslave", "slave", "slave"),
    ("rprivate", "private", "private"),
    ("runbindable", "unbindable", "unbindable"),
])
def test_bind_mount_propagation(runtime, bundle, tree, option, top, sub):
    bundle.add_mount("/data", "bind", str(tree), ["rbind", option])
    _, mounts = run_mounts(runtime, bundle)
    assert propagation(mounts["/data"]) in (top, "shared+slave" if top == "shared" else top), \
        mounts["/data"]
    if sub:
        got = propagation(mounts["/data/sub"])
        assert got == sub or (sub == "shared" and got == "shared+slave"), mounts["/data/sub"]


def test_slave_mount_sees_host_mounts_private_does_not(runtime, bundle, tree, tmp_path):
    """A slave copy receives what is mounted on the host afterwards; a private one not."""
    bundle.add_mount("/slave", "bind", str(tree), ["rbind", "rslave"])
    bundle.add_mount("/private", "bind", str(tree), ["rbind", "rprivate"])
    bundle.set_args(["sleep", "1000"])
    pid_file = str(tmp_path / "pid")
    assert runtime.create(bundle, pid_file=pid_file).rc == 0
    pid = int(open(pid_file).read())
    runtime.remember_pid(pid)
    late = tree / "sub" / "late"
    late.mkdir()
    subprocess_ok(["mount", "-t", "tmpfs", "-o", "size=16k", "late", str(late)])
    try:
        seen = {m["mount_point"] for m in oci.parse_mountinfo(
            open("/proc/%d/mountinfo" % pid).read())}
        assert "/slave/sub/late" in seen
        assert "/private/sub/late" not in seen
    finally:
        subprocess_ok(["umount", "-l", str(late)])


@pytest.fixture
def shared_bundle(bundle, host_mount):
    """The bundle on a shared mount of its own: the rootfs then has a peer group on the
    host, so that a slave rootfs has a master (this host's / is private)."""
    host_mount("--bind", bundle.path, target=bundle.path)
    subprocess_ok(["mount", "--make-shared", bundle.path])
    return bundle


@pytest.mark.parametrize("prop", [
    pytest.param("shared", marks=pytest.mark.berth_only(
        "runc 1.1.5 fails to bind a rootfs below a shared mount with rootfsPropagation shared")),
    pytest.param("slave", marks=pytest.mark.berth_only(
        "runc 1.1.5 leaves the container's / private for slave")),
    "private",
    pytest.param("unbindable", marks=pytest.mark.berth_only(
        "runc 1.1.5 leaves the container's / private for unbindable"))])
def test_rootfs_propagation(runtime, shared_bundle, prop):
    bundle = shared_bundle
    bundle.linux["rootfsPropagation"] = prop
    _, mounts = run_mounts(runtime, bundle)
    got = propagation(mounts["/"])
    want = {"shared": ("shared", "shared+slave"), "slave": ("slave",),
            "private": ("private",), "unbindable": ("unbindable",)}[prop]
    assert got in want, mounts["/"]


def test_rootfs_default_propagation_is_not_shared_with_the_host(runtime, bundle):
    """Without rootfsPropagation nothing the container mounts propagates to the host."""
    _, mounts = run_mounts(runtime, bundle)
    assert propagation(mounts["/"]) in ("slave", "private"), mounts["/"]


@pytest.mark.berth_only("runc 1.1.5 has no recursive mount attributes (rro, rnoexec, ...)")
def test_recursive_read_only_and_attributes(runtime, bundle, tree):
    bundle.add_mount("/ro", "bind", str(tree), ["rbind", "ro"])
    bundle.add_mount("/rro", "bind", str(tree), ["rbind", "rro", "rnoexec", "rnosuid"])
    out, mounts = run_mounts(runtime, bundle, "touch /ro/sub/x 2>/dev/null && echo ro-sub-rw; "
                             "touch /rro/sub/x 2>/dev/null || echo rro-sub-ro")
    assert "ro" in mounts["/ro"]["opts"] and "rw" in mounts["/ro/sub"]["opts"]
    assert {"ro", "noexec", "nosuid"} <= mounts["/rro"]["opts"]
    assert {"ro", "noexec", "nosuid"} <= mounts["/rro/sub"]["opts"]
    assert out.split() == ["ro-sub-rw", "rro-sub-ro"]


@pytest.mark.berth_only("runc 1.1.5 has no recursive mount attributes (rro, ...)")
def test_rrw_clears_read_only_below(runtime, bundle, tree, host_mount):
    host_mount("-o", "remount,ro,bind", target=str(tree / "sub"))
    bundle.add_mount("/d", "bind", str(tree), ["rbind", "rrw"])
    _, mounts = run_mounts(runtime, bundle)
    assert "rw" in mounts["/d/sub"]["opts"]


def test_tmpfs_size_and_mode(runtime, bundle):
    bundle.add_mount("/t", "tmpfs", "tmpfs", ["size=2m", "mode=700", "uid=5", "gid=6"])
    out, mounts = run_mounts(runtime, bundle, "stat -c '%a %u %g' /t; df -k /t | tail -1")
    lines = out.splitlines()
    assert lines[0] == "700 5 6"
    assert lines[1].split()[1] == "2048"
    assert {"size=2048k", "mode=700", "uid=5", "gid=6"} <= mounts["/t"]["super_opts"]


def test_tmpcopyup(runtime, bundle):
    etc = os.path.join(bundle.rootfs, "etc")
    os.makedirs(os.path.join(etc, "deep/er"))
    with open(os.path.join(etc, "deep/er/f"), "w") as f:
        f.write("copied\n")
    os.chmod(os.path.join(etc, "deep/er/f"), 0o604)
    os.chown(os.path.join(etc, "deep/er/f"), 7, 8)
    os.symlink("deep/er/f", os.path.join(etc, "link"))
    bundle.add_mount("/etc", "tmpfs", "tmpfs", ["tmpcopyup", "size=1m"])
    out, mounts = run_mounts(runtime, bundle, "cat /etc/deep/er/f /etc/link; "
                             "stat -c '%a %u %g' /etc/deep/er/f; grep -c tester /etc/passwd; "
                             "echo new > /etc/new && echo writable")
    assert out.splitlines() == ["copied", "copied", "604 7 8", "1", "writable"]
    assert mounts["/etc"]["fstype"] == "tmpfs"
    # The copy is the container's: the rootfs is untouched.
    assert not os.path.exists(os.path.join(etc, "new"))


@pytest.mark.berth_only("checks berth's message for tmpcopyup on a non-tmpfs mount")
def test_tmpcopyup_only_for_tmpfs(runtime, bundle, tmp_path):
    bundle.add_mount("/x", "bind", str(tmp_path), ["rbind", "tmpcopyup"])
    r = runtime.create(bundle)
    assert r.rc != 0
    assert "mounts[%d].options" % (len(bundle.config["mounts"]) - 1) in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_masked_paths_in_mountinfo(runtime, bundle):
    """Files are masked with /dev/null (a bind of it), directories with a read-only tmpfs."""
    os.makedirs(os.path.join(bundle.rootfs, "secret/dir"))
    with open(os.path.join(bundle.rootfs, "secret/file"), "w") as f:
        f.write("secret\n")
    with open(os.path.join(bundle.rootfs, "secret/dir/x"), "w") as f:
        f.write("x\n")
    bundle.linux["maskedPaths"] += ["/secret/file", "/secret/dir", "/secret/absent"]
    bundle.linux["readonlyPaths"] += ["/secret"]
    bundle.config["root"]["readonly"] = False
    out, mounts = run_mounts(runtime, bundle, "cat /secret/file | wc -c; ls -A /secret/dir | "
                             "wc -l; touch /secret/y 2>/dev/null || echo secret-ro; "
                             "touch /tmp/ok && echo root-rw")
    assert out.split() == ["0", "0", "secret-ro", "root-rw"]
    f, d = mounts["/secret/file"], mounts["/secret/dir"]
    assert f["fstype"] == "devtmpfs" or f["root"] == "/null" or f["source"] in ("udev", "devtmpfs")
    assert d["fstype"] == "tmpfs" and "ro" in d["opts"]
    assert "ro" in mounts["/secret"]["opts"]
    assert "/secret/absent" not in mounts
    assert "ro" in mounts["/proc/sys"]["opts"]


@pytest.mark.berth_only("runc 1.1.5 has no idmapped mounts")
def test_idmap_mount_with_its_own_mapping(runtime, bundle, tmp_path):
    """No user namespace: files owned by 0 on disk appear as 1000 through the mapping."""
    d = tmp_path / "owned"
    d.mkdir()
    if why := oci.idmap_unsupported(d):
        oci.skip_in_vm(why)
    (d / "f").write_text("x")
    os.chown(d / "f", 0, 0)
    bundle.config["mounts"].append({
        "destination": "/mapped", "type": "bind", "source": str(d), "options": ["bind", "idmap"],
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
        "gidMappings": [{"containerID": 0, "hostID": 2000, "size": 10}]})
    bundle.config["root"]["readonly"] = False
    out, mounts = run_mounts(runtime, bundle, "stat -c '%u %g' /mapped/f; touch /mapped/new")
    assert out.split() == ["1000", "2000"]
    assert "idmapped" in mounts["/mapped"]["opts"]
    # A file made through the mapping by root (uid 0, unmapped back) is refused, or
    # stored as the disk id the mapping gives: 0 from 1000 is not mapped, so EOVERFLOW.
    assert not (d / "new").exists() or os.stat(d / "new").st_uid == 0


@pytest.mark.berth_only("runc 1.1.5 has no idmapped mounts")
@pytest.mark.parametrize("option", ["idmap", "ridmap"])
def test_idmap_mount_with_the_containers_mapping(runtime, open_bundle, option):
    """In a user namespace mapping 0 to 100000, a root-owned host file is nobody; through
    an idmapped mount with the container's mapping it is root's. ridmap maps the
    submounts too."""
    import subprocess
    bundle = open_bundle()
    base = 100000
    bundle.linux["namespaces"].append({"type": "user"})
    m = [{"containerID": 0, "hostID": base, "size": 65536}]
    bundle.linux["uidMappings"] = m
    bundle.linux["gidMappings"] = m
    for dirpath, dirnames, filenames in os.walk(bundle.rootfs):
        for n in [dirpath] + [os.path.join(dirpath, x) for x in dirnames + filenames]:
            st = os.lstat(n)
            os.lchown(n, base + st.st_uid, base + st.st_gid)
    top = os.path.dirname(bundle.path)
    data = os.path.join(top, "data")
    if why := oci.idmap_unsupported(top):
        oci.skip_in_vm(why)
    os.makedirs(os.path.join(data, "sub"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=755", "sub",
                    os.path.join(data, "sub")], check=True)
    try:
        # ridmap maps the tmpfs below too
        if option == "ridmap" and (why := oci.idmap_unsupported(os.path.join(data, "sub"))):
            oci.skip_in_vm(why)
        for p in (os.path.join(data, "f"), os.path.join(data, "sub", "g")):
            with open(p, "w") as f:
                f.write("x")
        bundle.config["mounts"].append({"destination": "/data", "type": "bind", "source": data,
                                        "options": ["rbind", option]})
        bundle.config["mounts"].append({"destination": "/plain", "type": "bind", "source": data,
                                        "options": ["rbind"]})
        out, mounts = run_mounts(runtime, bundle, "stat -c '%u' /data/f /data/sub/g /plain/f")
        assert out.split() == ["0", "0" if option == "ridmap" else "65534", "65534"]
        assert "idmapped" in mounts["/data"]["opts"]
    finally:
        subprocess.run(["umount", "-l", os.path.join(data, "sub")], check=False)


@pytest.mark.parametrize("mount,needle", [
    ({"destination": "/x", "type": "bind", "source": "/tmp", "options": ["bind", "idmap"]},
     "options: 'idmap' needs"),
    ({"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"],
      "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}],
      "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]},
     "only supported on bind mounts"),
    ({"destination": "/x", "type": "bind", "source": "/tmp", "options": ["bind", "idmap"],
      "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]},
     "uidMappings and gidMappings must be given together"),
    ({"destination": "/x", "type": "bind", "source": "/tmp", "options": ["bind"],
      "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}],
      "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]},
     "without the 'idmap' or 'ridmap' option"),
])
@pytest.mark.berth_only("checks berth's messages for idmapped mounts (runc 1.1.5 has none)")
def test_bad_idmap_mounts_are_refused(runtime, bundle, mount, needle):
    bundle.config["mounts"].append(mount)
    r = runtime.create(bundle)
    assert r.rc != 0
    assert needle in r.err and "mounts[" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))
    assert oci.cgroup_dirs(bundle.cgroups_path) == []


@pytest.mark.parametrize("prop", ["sideways", "rshared-ish"])
def test_bad_rootfs_propagation_is_refused(runtime, bundle, prop):
    bundle.linux["rootfsPropagation"] = prop
    r = runtime.create(bundle)
    assert r.rc != 0
    if runtime.name == "berth":
        assert "linux.rootfsPropagation" in r.err, r.err
    assert not os.path.exists(os.path.join(runtime.root, bundle.id))


def test_relative_bind_source_is_relative_to_the_bundle(runtime, bundle):
    """A bind source without a leading slash names a path in the bundle (runtime-spec),
    whatever the runtime's working directory."""
    os.makedirs(os.path.join(bundle.path, "data"))
    with open(os.path.join(bundle.path, "data", "marker"), "w") as f:
        f.write("from-the-bundle\n")
    bundle.config["mounts"].append({"destination": "/mnt", "type": "bind",
                                    "source": "data", "options": ["bind", "ro"]})
    bundle.config["mounts"].append({"destination": "/opt", "type": "bind",
                                    "source": ".", "options": ["rbind", "ro"]})
    bundle.set_args(oci.sh("cat /mnt/marker /opt/data/marker"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out == "from-the-bundle\n" * 2


def test_tmpfs_without_mode_takes_the_mount_points_mode(runtime, bundle):
    """A tmpfs without mode= gets the mode of the directory it covers (0750 here, where a
    fresh tmpfs is 1777), as runc does."""
    os.makedirs(os.path.join(bundle.rootfs, "private"))
    os.chmod(os.path.join(bundle.rootfs, "private"), 0o750)
    bundle.config["mounts"].append({"destination": "/private", "type": "tmpfs",
                                    "source": "tmpfs", "options": ["nosuid"]})
    # read-only too (runc's bats "tmpfs mount with absolute symlink", --tmpfs X:ro)
    os.makedirs(os.path.join(bundle.rootfs, "ro"), mode=0o700)
    bundle.config["mounts"].append({"destination": "/ro", "type": "tmpfs",
                                    "source": "tmpfs", "options": ["ro"]})
    bundle.set_args(sh("stat -c %a /private; stat -c %a /ro; touch /ro/x 2>/dev/null || "
                       "echo ro"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["750", "700", "ro"]


@pytest.mark.berth_only("runc 1.1.5 gives the mount point's mode even with mode=")
def test_tmpfs_mode_option_wins(runtime, bundle):
    os.makedirs(os.path.join(bundle.rootfs, "given"))
    bundle.config["mounts"].append({"destination": "/given", "type": "tmpfs",
                                    "source": "tmpfs", "options": ["mode=700"]})
    bundle.set_args(sh("stat -c %a /given"))
    r = runtime.run(bundle)
    assert r.rc == 0, str(r)
    assert r.out.split() == ["700"]
