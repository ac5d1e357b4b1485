"""The command line as docker 20.10's (issue 16's discrepancies): each test is a scenario
checked against dockerd 20.10, with docker's messages and exit codes."""

import json


def test_inspect_type_and_mixed_names(berth):
    cid = berth("create", "--name", "insp", "busybox", "true").out.strip()
    image_id = berth("images", "-q", "--no-trunc", "busybox").out.strip()
    r = berth("inspect", "--format", "{{.Id}}", "insp", "busybox", "nosuch", "insp",
              check=False)
    assert r.rc == 1 and r.out.split() == [cid, image_id, cid], r
    assert "Error: No such object: nosuch" in r.err
    docs = json.loads(berth("inspect", "insp", "busybox").out)
    assert [d["Id"] for d in docs] == [cid, image_id]
    assert json.loads(berth("inspect", "--type", "container", "insp").out)[0]["Id"] == cid
    assert json.loads(berth("inspect", "--type", "image", "busybox").out)[0]["Id"] == image_id
    r = berth("inspect", "--type", "image", "insp", check=False)
    assert (r.rc, r.out.strip()) == (1, "[]") and "Error: No such image: insp" in r.err, r
    r = berth("container", "inspect", "busybox", check=False)
    assert r.rc == 1 and "Error: No such container: busybox" in r.err, r
    r = berth("inspect", "nosuch", check=False)
    assert r.rc == 1 and "Error: No such object: nosuch" in r.err, r
    r = berth("inspect", "--type", "volume", "insp", check=False)
    assert r.rc == 1 and '"volume" is not a valid value for --type' in r.err, r
    berth("rm", "insp")
