"""berth history (image history) as docker prints it: the config's history newest first,
the image id on the top row and <missing> below, each layer's size on its row (0B for an
empty_layer step), CREATED BY with tabs as spaces and cut to 45 characters (an ellipsis
last, never half a UTF-8 character) unless --no-trunc, -q, -H=false (bytes, RFC 3339
dates), --format."""

import re

import pytest

from images import Layout, skopeo

LONG = "RUN /bin/sh -c\\techo ääääääääää" + "x" * 40


@pytest.fixture
def hist_image(engine, tmp_path):
    lay = Layout(tmp_path / "layout")
    history = [
        {"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:a in / "},
        {"created": "2024-01-02T00:00:00Z", "created_by": '/bin/sh -c #(nop)  CMD ["sh"]',
         "empty_layer": True},
        {"created": "2024-01-03T00:00:00Z", "created_by": LONG.replace("\\t", "\t"),
         "comment": "buildkit.dockerfile.v0"},
    ]
    desc = lay.image([[("a", b"a" * 3000)], [("b", b"b" * 7000)]], history=history)
    lay.tag(desc, "v1")
    archive = tmp_path / "h.tar"
    skopeo("copy", "oci:%s:v1" % lay.path, "docker-archive:%s:example/hist:v1" % archive)
    engine("load", "-i", str(archive))
    return engine.inspect("example/hist:v1")["Id"]


def test_history_table(engine, hist_image):
    out = engine("image", "history", "example/hist:v1").out.splitlines()
    assert re.match(r"IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$", out[0])
    assert len(out) == 4
    cut = LONG.replace("\\t", " ")[:44] + "\u2026"
    assert out[1].startswith(hist_image[7:19] + "   ")
    assert cut in out[1] and "buildkit.dockerfile.v0" in out[1] and "\t" not in out[1]
    assert out[2].startswith("<missing>") and re.search(r'CMD \["sh"\]\s+0B\s*$', out[2])
    assert out[3].startswith("<missing>") and "ADD file:a in /" in out[3]


def test_history_flags(engine, hist_image):
    fmt = "{{.ID}}|{{.CreatedSince}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}"
    rows = [r.split("|") for r in
            engine("history", "--no-trunc", "-H=false", "--format", fmt,
                   "example/hist:v1", env={"TZ": "UTC"}).out.splitlines()]
    assert [r[0] for r in rows] == [hist_image, "<missing>", "<missing>"]
    assert rows[0][2] == LONG.replace("\\t", " ")
    assert [r[1] for r in rows] == ["2024-01-03T00:00:00Z", "2024-01-02T00:00:00Z",
                                    "2024-01-01T00:00:00Z"]
    sizes = [int(r[3]) for r in rows]
    assert sizes[1] == 0 and sizes[0] >= 7000 and 3000 <= sizes[2] < 7000
    assert rows[0][4] == "buildkit.dockerfile.v0"
    assert engine("history", "-q", "example/hist:v1").out.split() == [
        hist_image[7:19], "<missing>", "<missing>"]
    r = engine("history", "nothere", check=False)
    assert r.rc == 1 and "nothere" in r.err
