"""berth system df and system prune, as docker 20.10's (berth issue 16)."""

import pytest

import oci


@pytest.fixture(autouse=True)
def removed(berth):
    yield
    ids = berth.containers()
    if ids:
        berth("rm", "-f", *ids)


def df(berth):
    out = berth("system", "df", "--format",
                "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}").out
    return {row.split("|")[0]: row.split("|")[1:] for row in out.splitlines()}


def test_df_counts_and_sizes(berth):
    berth("volume", "create", "spare")
    berth("run", "--name", "stopped", "-v", "spare:/v", "busybox", "sh", "-c",
          "head -c 100000 /dev/zero > /big; head -c 20000 /dev/zero > /v/f")
    berth("run", "-d", "--name", "up", "-v", "data:/d", "busybox", "sh", "-c",
          "head -c 50000 /dev/zero > /d/f; touch /ready; sleep 1000")
    berth.wait_status("up", "running")
    assert oci.wait_for(lambda: berth("exec", "up", "test", "-e", "/ready", check=False).rc == 0)
    rows = df(berth)
    assert list(rows) == ["Images", "Containers", "Local Volumes", "Build Cache"]
    assert rows["Images"][:2] == ["1", "1"], rows
    assert rows["Images"][3].startswith("0B (0%)"), rows
    # the stopped one's 100 kB are reclaimable, the running one's are not
    assert rows["Containers"][:2] == ["2", "1"], rows
    assert rows["Containers"][3].startswith("100kB"), rows
    assert rows["Local Volumes"][:2] == ["2", "2"], rows
    assert rows["Build Cache"][:2] == ["0", "0"]
    table = berth("system", "df").out.splitlines()
    assert table[0].split() == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]


def test_prune_asks_then_removes(berth):
    berth("volume", "create", "unused")
    berth("run", "--name", "done", "busybox", "sh", "-c", "head -c 30000 /dev/zero > /f")
    cid = berth.inspect("done")["Id"]
    berth("run", "-d", "--name", "keep", "busybox", "sleep", "1000")
    r = berth("system", "prune", input="n\n")
    assert "This will remove:" in r.out + r.err and "Total reclaimed space: 0B" in r.out, r
    assert berth.status("done") == "exited"
    r = berth("system", "prune", "-f")
    assert "Deleted Containers:\n%s\n" % cid in r.out, r
    assert "Total reclaimed space: 30kB" in r.out, r
    assert berth.status("done") is None and berth.status("keep") == "running"
    # volumes only with --volumes
    assert "unused" in berth("volume", "ls", "-q").out
    r = berth("system", "prune", "-f", "--volumes")
    assert "Deleted Volumes:\nunused\n" in r.out, r
    # -a: the image the running container uses stays
    r = berth("system", "prune", "-f", "-a")
    assert "busybox" in berth("images").out, r


def test_df_verbose(berth):
    berth("volume", "create", "vv")
    berth("run", "--name", "c1", "-v", "vv:/v", "busybox", "sh", "-c",
          "head -c 5000 /dev/zero > /v/f; head -c 3000 /dev/zero > /x")
    out = berth("system", "df", "-v").out
    sections = ["Images space usage:", "Containers space usage:",
                "Local Volumes space usage:", "Build cache usage: 0B"]
    assert [l for l in out.splitlines() if l in sections or l.startswith("Build cache")] \
        == sections, out
    lines = out.splitlines()
    img = lines[lines.index("Images space usage:") + 3]
    head = lines[lines.index("Images space usage:") + 2].split()
    assert head[:2] == ["REPOSITORY", "TAG"] and head[-1] == "CONTAINERS", out
    assert img.split()[:2] == ["busybox", "latest"] and img.split()[-1] == "1", out
    ctr = lines[lines.index("Containers space usage:") + 3]
    assert ctr.split()[-1] == "c1" and " 3kB " in ctr, out
    vol = lines[lines.index("Local Volumes space usage:") + 3]
    assert vol.split() == ["vv", "1", "5kB"], out


def test_prune_filters(berth):
    berth("run", "--name", "keepme", "--label", "keep=yes", "busybox", "true")
    berth("run", "--name", "dropme", "--label", "keep=no", "busybox", "true")
    r = berth("container", "prune", "-f", "--filter", "label!=keep=yes")
    assert berth.status("keepme") == "exited" and berth.status("dropme") is None, r
    # until: created before the time given, none here (an hour ago)
    r = berth("system", "prune", "-f", "--filter", "until=1h")
    assert berth.status("keepme") == "exited", r
    r = berth("system", "prune", "-f", "--filter", "label=keep=yes")
    assert berth.status("keepme") is None, r
    r = berth("system", "prune", "-f", "--filter", "bogus=1", check=False)
    assert r.rc == 1 and "invalid filter 'bogus'" in r.err, r
