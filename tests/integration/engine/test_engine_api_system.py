"""`berth system service`: GET /system/df, as `docker system df` reads it, against what
`berth system df` prints over the same store."""

import json

import oci
from test_engine_api import api, docker, request  # noqa: F401 (api: fixture)


def rows(out):
    """`system df` table rows as {TYPE: [TOTAL, ACTIVE, SIZE, RECLAIMABLE]}."""
    got = {}
    for line in out.splitlines()[1:]:
        cells = [c for c in line.split("  ") if c.strip()]
        got[cells[0].strip()] = [c.strip() for c in cells[1:]]
    return got


def test_system_df(berth, api, tmp_path):
    docker(api, "volume", "create", "dfvol")
    docker(api, "run", "-d", "--name", "dfa", "-v", "dfvol:/data", "--runtime", berth.runtime,
           "--cgroup-parent", berth.cgroup_parent, "busybox", "sh", "-c",
           "dd if=/dev/zero of=/data/f bs=1k count=64 2>/dev/null; "
           "dd if=/dev/zero of=/rw bs=1k count=32 2>/dev/null; exec sleep 600")
    docker(api, "create", "--name", "dfb", "--runtime", berth.runtime, "--cgroup-parent",
           berth.cgroup_parent, "busybox", "true")
    # the files are written before the sleep: wait for it
    assert oci.wait_for(lambda: docker(api, "top", "dfa").stdout.count("sleep 600") == 1, 10)
    # the docker CLI's totals from the API, and berth's own
    via_api = rows(docker(api, "system", "df").stdout)
    own = rows(berth("system", "df").out)
    assert set(via_api) == {"Images", "Containers", "Local Volumes", "Build Cache"}
    assert via_api == own, (via_api, own)
    assert via_api["Containers"][:2] == ["2", "1"]
    assert via_api["Local Volumes"][:2] == ["1", "1"]
    r, body = request(api, "GET", "/v1.41/system/df")
    doc = json.loads(body)
    assert r.status == 200 and doc["LayersSize"] > 0
    (img,) = [i for i in doc["Images"] if "busybox:latest" in i["RepoTags"]]
    assert img["Containers"] == 2 and img["SharedSize"] >= 0
    ctrs = {c["Names"][0]: c for c in doc["Containers"]}
    assert ctrs["/dfa"]["SizeRw"] >= 32 * 1024
    assert ctrs["/dfa"]["SizeRootFs"] == ctrs["/dfa"]["SizeRw"] + img["Size"]
    (vol,) = doc["Volumes"]
    assert vol["Name"] == "dfvol" and vol["UsageData"]["RefCount"] == 1
    assert vol["UsageData"]["Size"] >= 64 * 1024
    docker(api, "rm", "-f", "dfa", "dfb")
    docker(api, "volume", "rm", "dfvol")
