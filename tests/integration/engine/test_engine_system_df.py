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
