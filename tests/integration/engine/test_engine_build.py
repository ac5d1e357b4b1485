"""berth commit and berth build: images made from containers and Dockerfiles."""

import io
import json
import tarfile

import oci


def layer_members(berth, tmp_path, image):
    """Names in each layer tar of `berth save image` (a docker-archive), top layer last."""
    out = tmp_path / "saved.tar"
    berth("save", "-o", str(out), image)
    layers = []
    with tarfile.open(out) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        for name in manifest[0]["Layers"]:
            with tarfile.open(fileobj=io.BytesIO(t.extractfile(name).read())) as lt:
                layers.append(sorted(lt.getnames()))
    return layers


def test_commit_changes_whiteouts_and_run(berth, tmp_path):
    berth("run", "--name", "changer", "busybox", "sh", "-c",
          "echo new > /etc/new; echo changed > /etc/passwd.x; rm /bin/ls; "
          "rm -r /var; mkdir -p /var/only; echo v > /var/only/f; "
          "mkdir /made; echo m > /made/f; ln -s /made/f /lnk")
    r = berth("commit", "-m", "first", "-a", "me <me@x>", "-c", "ENV ADDED=1",
              "-c", 'CMD ["cat", "/made/f"]', "changer", "committed:v1")
    image_id = r.out.strip()
    assert image_id.startswith("sha256:") and len(image_id) == 71
    berth("rm", "changer")
    img = berth.inspect("committed:v1")
    assert img["Id"] == image_id
    assert img["Author"] == "me <me@x>"
    assert "ADDED=1" in img["Config"]["Env"]
    assert img["Config"]["Cmd"] == ["cat", "/made/f"]
    out = berth("run", "--rm", "committed:v1").out
    assert out == "m\n"
    out = berth("run", "--rm", "committed:v1", "sh", "-c",
                "cat /etc/new /var/only/f; ls /var; test -e /bin/ls || echo gone; "
                "readlink /lnk; echo $ADDED").out
    assert out == "new\nv\nonly\ngone\n/made/f\n1\n"
    layers = layer_members(berth, tmp_path, "committed:v1")
    assert len(layers) == 2
    top = layers[-1]
    assert "bin/.wh.ls" in top
    assert "var/.wh..wh..opq" in top
    assert "etc/new" in top and "made/f" in top and "lnk" in top
    assert not any(n.startswith("etc/host") or n == "etc/resolv.conf" for n in top)
    hist = berth("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}",
                 "committed:v1").out.splitlines()
    assert hist[0].startswith("berth commit ") and hist[0].endswith("|first")


def test_commit_running_container_pauses_and_resumes(berth):
    berth("run", "-d", "--name", "live", "busybox", "sh", "-c",
          "echo hi > /hello; touch /ready; sleep 60")
    berth.wait_status("live", "running")
    oci.wait_for(lambda: berth("exec", "live", "test", "-e", "/ready", check=False).rc == 0)
    image_id = berth("commit", "live").out.strip()
    assert berth.inspect("live")["State"]["Status"] == "running"
    assert berth("run", "--rm", image_id, "cat", "/hello").out == "hi\n"
    assert berth.inspect(image_id)["RepoTags"] == []
    berth("rm", "-f", "live")


def test_commit_errors(berth):
    r = berth("commit", "nosuch", check=False)
    assert r.rc == 1 and "nosuch" in r.err
    berth("create", "--name", "c1", "busybox", "true")
    r = berth("commit", "-c", "RUN echo", "c1", check=False)
    assert r.rc == 1 and "RUN is not supported" in r.err
    r = berth("commit", "c1", "Bad:Name:x", check=False)
    assert r.rc == 1
    berth("rm", "c1")
