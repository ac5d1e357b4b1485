"""docker's `userns-remap` as berth's engine configuration (BERTH_CONFIG, here a file in
tmp_path): a container made without --userns, --uidmap or --gidmap gets the user's
subordinate ids, one mapping shared by all the remapped containers (docker's); "auto" gives
each its own range; --userns=host opts out; --privileged must; a bad file is a clear error
that names the file and the key, on every command, and leaves nothing behind.
"""

import grp
import json
import os
import pwd

import pytest

import oci
from test_engine_api import request, serve  # noqa: F401
from test_engine_userns import (AUTO_SIZE, run_dir_released, start_sleeper,  # noqa: F401
                                subid_ranges, subids, uid_line, uid_map)

MSG_PRIVILEGED = ("privileged mode is incompatible with user namespaces.  You must run the "
                  "container in the host namespace when running privileged mode")


@pytest.fixture
def remap(tmp_path, monkeypatch):
    """remap(VALUE) writes {"userns-remap": VALUE} to a file that BERTH_CONFIG names."""
    path = tmp_path / "berth.json"

    def write(value):
        path.write_text(json.dumps({"userns-remap": value}) + "\n")
        monkeypatch.setenv("BERTH_CONFIG", str(path))
        return str(path)
    return write


def docker_map(path):
    """moby's createIDMap of user berth: its lines sorted by start, container ids from 0."""
    out, next_id = [], 0
    for start, count in sorted(subid_ranges(path)):
        out.append((next_id, start, count))
        next_id += count
    return out


def gid_map(pid):
    with open("/proc/%d/gid_map" % pid) as f:
        return [tuple(int(x) for x in line.split()) for line in f if line.strip()]


def maps_inside(berth, *flags):
    r = berth("run", "--rm", *flags, "busybox", "cat", "/proc/self/uid_map",
              "/proc/self/gid_map")
    lines = [tuple(int(x) for x in line.split()) for line in r.out.splitlines()]
    return lines[:len(lines) // 2], lines[len(lines) // 2:]


def test_default_maps_root_onto_the_users_subordinate_ids(berth, subids, remap):
    remap("default")
    uids, gids = docker_map("/etc/subuid"), docker_map("/etc/subgid")
    pid = start_sleeper(berth, "rm1")
    assert uid_map(pid) == uids and gid_map(pid) == gids, (uid_map(pid), uids)
    assert uid_line(pid) == [uids[0][1]] * 4, uid_line(pid)
    assert berth("exec", "rm1", "id", "-u").out.strip() == "0"
    # docker's: the mode stays what the user asked, the maps are the remap's
    hc = berth.inspect("rm1")["HostConfig"]
    assert hc["UsernsMode"] == "", hc["UsernsMode"]
    # every remapped container shares the one mapping
    pid2 = start_sleeper(berth, "rm2")
    assert uid_map(pid2) == uids and gid_map(pid2) == gids
    berth("rm", "-f", "rm1", "rm2")


@pytest.mark.parametrize("spelling", ["name", "name:group", "uid", "uid:gid"])
def test_a_user_by_name_or_number(berth, subids, remap, spelling):
    pw = pwd.getpwnam("berth")
    try:
        gr = grp.getgrnam("berth")  # subgid(5) names users: the group must be named alike
    except KeyError:
        oci.skip("user berth has no group berth (useradd without a user group)")
    value = {"name": "berth", "name:group": "berth:berth", "uid": str(pw.pw_uid),
             "uid:gid": "%d:%d" % (pw.pw_uid, gr.gr_gid)}[spelling]
    remap(value)
    assert maps_inside(berth) == (docker_map("/etc/subuid"), docker_map("/etc/subgid"))


def test_userns_host_and_explicit_maps_opt_out(berth, subids, remap):
    remap("default")
    assert maps_inside(berth, "--userns=host") == ([(0, 0, 4294967295)], [(0, 0, 4294967295)])
    berth("create", "--name", "rmhost", "--userns=host", "busybox", "true")
    assert berth.inspect("rmhost")["HostConfig"]["UsernsMode"] == "host"
    berth("rm", "rmhost")
    base = subids[0] + subids[1] - 1000
    m = [(0, base, 1000)]
    assert maps_inside(berth, "--uidmap", "0:%d:1000" % base) == (m, m)


def test_auto_gives_each_container_its_own_range(berth, subids, remap):
    remap("auto")
    a = uid_map(start_sleeper(berth, "rma"))
    b = uid_map(start_sleeper(berth, "rmb"))
    assert len(a) == 1 and len(b) == 1 and a[0][2] == b[0][2] == AUTO_SIZE, (a, b)
    assert a[0][1] + AUTO_SIZE <= b[0][1] or b[0][1] + AUTO_SIZE <= a[0][1], (a, b)
    assert berth.inspect("rma")["HostConfig"]["UsernsMode"] == ""
    berth("rm", "-f", "rma", "rmb")


def test_privileged_must_opt_out(berth, subids, remap):
    """docker refuses a privileged container under userns-remap unless --userns=host."""
    remap("default")
    r = berth("run", "--rm", "--privileged", "busybox", "true", check=False)
    assert r.rc == 125 and MSG_PRIVILEGED in r.err, r
    assert berth.containers() == []
    berth("run", "--rm", "--privileged", "--userns=host", "busybox", "true")


def test_host_pid_is_refused_as_with_explicit_maps(berth, subids, remap):
    remap("default")
    r = berth("run", "--rm", "--pid", "host", "busybox", "true", check=False)
    assert r.rc == 125 and "--userns host does" in r.err, r
    assert berth.containers() == []


def test_info_lists_userns(berth, subids, remap):
    opts = json.loads(berth("info", "--format", "{{json .SecurityOptions}}").out)
    assert "name=userns" not in opts, opts
    remap("default")
    opts = json.loads(berth("info", "--format", "{{json .SecurityOptions}}").out)
    assert "name=userns" in opts, opts
    assert "\n  userns\n" in berth("info").out


@pytest.mark.parametrize("text,message", [
    ('{"userns-remap": "default"', "berth.json: unexpected end of document"),
    ('{"userns_remap": "default"}', "berth.json: userns_remap: unknown key"),
    ('{"userns-remap": 1}', "berth.json: userns-remap: must be a string"),
    ('{"userns-remap": "a:b:c"}', "berth.json: userns-remap: invalid value 'a:b:c'"),
    ('{"userns-remap": "host"}', "berth.json: userns-remap: invalid value 'host'"),
    ('["default"]', "berth.json: expected a JSON object"),
])
def test_a_bad_file_is_refused_by_every_command(berth, subids, tmp_path, monkeypatch, text,
                                                message):
    path = tmp_path / "berth.json"
    path.write_text(text)
    monkeypatch.setenv("BERTH_CONFIG", str(path))
    for args in (["run", "--rm", "busybox", "true"], ["ps"], ["info"]):
        r = berth(*args, check=False)
        assert r.rc == 125 and r.err.startswith("berth: " + str(tmp_path)), (args, r)
        assert message in r.err, (args, r)
    assert berth.containers() == []


def test_a_file_that_is_not_there_or_not_a_file(berth, subids, tmp_path, monkeypatch):
    target = tmp_path / "real.json"
    target.write_text('{"userns-remap": "default"}')
    os.symlink(str(target), str(tmp_path / "link.json"))
    for name, message in (("missing.json", "cannot open: no such file or directory"),
                          ("link.json", "not a regular file")):
        monkeypatch.setenv("BERTH_CONFIG", str(tmp_path / name))
        r = berth("run", "--rm", "busybox", "true", check=False)
        assert r.rc == 125 and "%s/%s: %s" % (tmp_path, name, message) in r.err, r
    assert berth.containers() == []


def test_a_user_without_subordinate_ids(berth, subids, remap):
    path = remap("nobody")
    r = berth("run", "--rm", "busybox", "true", check=False)
    assert r.rc == 125, r
    assert "%s: userns-remap: /etc/subuid has no subordinate uids for user 'nobody'" % path \
        in r.err, r
    assert berth.containers() == []


def test_the_api_service_remaps_too(berth, subids, remap, tmp_path):
    """The service reads the file at its start; docker clients' UsernsMode "host" opts out."""
    remap("default")
    for sock in serve(berth, tmp_path):
        for name, mode in (("rmapi", ""), ("rmapihost", "host")):
            body = {"Image": "busybox", "Cmd": ["sleep", "1000"],
                    "HostConfig": {"Runtime": berth.runtime, "UsernsMode": mode,
                                   "CgroupParent": berth.cgroup_parent}}
            r, data = request(sock, "POST", "/containers/create?name=" + name,
                              json.dumps(body), {"Content-Type": "application/json"})
            assert r.status == 201, data
            r, data = request(sock, "POST", "/containers/%s/start" % name)
            assert r.status == 204, data
        info = json.loads(request(sock, "GET", "/info")[1])
        assert "name=userns" in info["SecurityOptions"], info["SecurityOptions"]
    assert uid_map(berth.pid("rmapi")) == docker_map("/etc/subuid")
    assert uid_map(berth.pid("rmapihost")) == [(0, 0, 4294967295)]
    berth("rm", "-f", "rmapi", "rmapihost")


def test_build_and_commit_keep_the_containers_ids(berth, subids, remap, tmp_path):
    """A remapped RUN or container writes host ids in its upper layer; the layer it is
    committed to has the container's (moby's ToContainer), not 400000 for root."""
    remap("default")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox\nRUN touch /x && mkdir /d && touch /d/f && chown 7:8 /d/f\n")
    berth("build", "-q", "-t", "rmbuild", str(ctx))
    berth("run", "--name", "rmc", "busybox", "sh", "-c", "touch /y && chown 5:6 /y")
    berth("commit", "rmc", "rmcommit")
    berth("rm", "rmc")
    for image, paths, owners in (("rmbuild", ["/x", "/d", "/d/f"], ["0:0", "0:0", "7:8"]),
                                 ("rmcommit", ["/y", "/bin/busybox"], ["5:6", "0:0"])):
        r = berth("run", "--rm", "--userns=host", image, "stat", "-c", "%u:%g", *paths)
        assert r.out.split() == owners, (image, r.out)
