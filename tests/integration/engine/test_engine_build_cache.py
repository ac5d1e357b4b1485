"""berth build's cache (docker's classic builder): reused steps, misses, --no-cache, prune."""

import os
import shutil

from test_engine_build import write

DOCKERFILE = """\
FROM busybox
ENV A=1
RUN echo first >> /log
COPY f.txt /f.txt
RUN cat /f.txt >> /log && echo ran-after-copy
CMD ["cat", "/log"]
"""


def build(berth, ctx, *args):
    """The output lines and the short id of the result."""
    lines = berth("build", *args, str(ctx)).out.splitlines()
    built = [l for l in lines if l.startswith("Successfully built ")]
    return lines, built[0].split()[-1]


def cached_steps(lines):
    """The step numbers whose result came from the cache."""
    steps, cur = [], None
    for line in lines:
        if line.startswith("Step "):
            cur = int(line.split()[1].split("/")[0])
        elif line == " ---> Using cache":
            steps.append(cur)
    return steps


def test_rebuild_reuses_every_step_and_copy_change_reruns(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"f.txt": "one\n", "Dockerfile": DOCKERFILE})
    lines, first = build(berth, ctx)
    assert cached_steps(lines) == [] and "ran-after-copy" in lines
    lines, again = build(berth, ctx)
    assert cached_steps(lines) == [2, 3, 4, 5, 6], lines
    assert not any(l.startswith(" ---> Running in") for l in lines)
    assert "ran-after-copy" not in lines
    assert again == first
    # one source changes: the steps before its COPY are reused, the RUN after it runs
    (ctx / "f.txt").write_text("two\n")
    lines, changed = build(berth, ctx)
    assert cached_steps(lines) == [2, 3], lines
    assert "ran-after-copy" in lines and changed != first
    assert berth("run", "--rm", changed).out == "first\ntwo\n"
    # the mode is part of the source's content as COPY stores it
    (ctx / "f.txt").chmod(0o600)
    lines, _ = build(berth, ctx)
    assert cached_steps(lines) == [2, 3], lines
    # back to the first content: its entries are still there
    (ctx / "f.txt").write_text("one\n")
    (ctx / "f.txt").chmod(0o644)
    lines, back = build(berth, ctx)
    assert cached_steps(lines) == [2, 3, 4, 5, 6] and back == first


def test_no_cache_runs_every_step(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"f.txt": "one\n", "Dockerfile": DOCKERFILE})
    build(berth, ctx)
    lines, _ = build(berth, ctx, "--no-cache")
    assert cached_steps(lines) == [] and "ran-after-copy" in lines
    assert sum(l.startswith(" ---> Running in") for l in lines) == 2
    # it still records what it built: the next build reuses those steps
    lines, nocache = build(berth, ctx, "--no-cache")
    lines, after = build(berth, ctx)
    assert cached_steps(lines) == [2, 3, 4, 5, 6] and after == nocache


def test_build_arg_change_invalidates_its_users(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": """\
FROM busybox
RUN echo base >> /log
ARG V=1
LABEL x=y
ENV FROM_ARG=$V
RUN echo "v=$V" > /v
"""})
    lines, one = build(berth, ctx, "--build-arg", "V=1")
    lines, two = build(berth, ctx, "--build-arg", "V=2")
    # the ARG and the LABEL do not use the value; the ENV and the RUN do
    assert cached_steps(lines) == [2, 3, 4], lines
    assert two != one
    assert berth("run", "--rm", two, "cat", "/v").out == "v=2\n"
    lines, again = build(berth, ctx, "--build-arg", "V=1")
    assert cached_steps(lines) == [2, 3, 4, 5, 6] and again == one


def test_cache_survives_image_removal_and_a_missing_layer_is_a_miss(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"f.txt": "one\n", "Dockerfile": DOCKERFILE})
    _, first = build(berth, ctx, "-t", "cached")
    full = berth.inspect("cached")["Id"]
    top_layer = berth.inspect("cached")["RootFS"]["Layers"][-1]
    berth("rmi", "cached")
    berth("image", "prune", "-f")
    lines, again = build(berth, ctx)
    assert cached_steps(lines) == [2, 3, 4, 5, 6] and again == first
    berth("rmi", full)
    # the last RUN's layer disappears from the store: that step runs again, no crash
    layer_dir = os.path.join(berth.root, "image", "layers", top_layer.split(":")[1])
    shutil.rmtree(layer_dir)
    lines, _ = build(berth, ctx)
    assert cached_steps(lines) == [2, 3, 4], lines
    assert "ran-after-copy" in lines


def test_builder_prune(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"f.txt": "one\n", "Dockerfile": DOCKERFILE})
    build(berth, ctx)
    cache_dir = os.path.join(berth.root, "image", "build-cache")
    assert len(os.listdir(cache_dir)) == 5
    # system df counts the entries; what they alone hold (the RUN and COPY layers of
    # step images no image record names) is reclaimable
    row = berth("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Reclaimable}}") \
        .out.splitlines()[-1].split("|")
    assert row[:2] == ["Build Cache", "5"], row
    help_out = berth("builder", "--help").out
    assert "prune" in help_out and "build" in help_out
    r = berth("builder", "prune", input="n\n")
    assert "WARNING! This will remove all dangling build cache." in r.out
    assert r.out.rstrip().endswith("Total reclaimed space: 0B")
    assert len(os.listdir(cache_dir)) == 5
    r = berth("builder", "prune", "-f", "-a")
    assert "Deleted build cache objects:" in r.out
    reclaimed = r.out.splitlines()[-1]
    assert reclaimed.startswith("Total reclaimed space: ") and reclaimed != \
        "Total reclaimed space: 0B", r.out
    assert os.listdir(cache_dir) == []
    lines, _ = build(berth, ctx)
    assert cached_steps(lines) == []


def test_broken_entries_are_misses(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"f.txt": "one\n", "Dockerfile": DOCKERFILE})
    build(berth, ctx)
    cache_dir = os.path.join(berth.root, "image", "build-cache")
    names = sorted(os.listdir(cache_dir))
    assert len(names) == 5
    bad = ["", "not json", '{"image": 1}',
           '{"image": "sha256:%s", "manifest": "sha256:%s"}' % ("0" * 64, "0" * 64),
           '{"image": "../../x", "manifest": "/etc/passwd"}']
    for name, text in zip(names, bad):
        with open(os.path.join(cache_dir, name), "w") as f:
            f.write(text)
    lines, _ = build(berth, ctx)
    assert cached_steps(lines) == [], lines
    # the build wrote them again
    lines, _ = build(berth, ctx)
    assert cached_steps(lines) == [2, 3, 4, 5, 6], lines
    r = berth("builder", "prune", "-f", "-a")
    assert r.out.splitlines()[-1].startswith("Total reclaimed space: ")


def test_system_prune_takes_the_build_cache(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"f.txt": "one\n", "Dockerfile": DOCKERFILE})
    build(berth, ctx, "-t", "kept")
    r = berth("system", "prune", input="n\n")
    assert "  - all dangling build cache" in r.out, r
    cache_dir = os.path.join(berth.root, "image", "build-cache")
    # without -a: the entries of step images no record holds go, the result's stays
    r = berth("system", "prune", "-f")
    assert "Deleted build cache objects:" in r.out, r
    assert len(os.listdir(cache_dir)) == 1
    r = berth("system", "prune", "-f", "-a")
    assert os.listdir(cache_dir) == [] and "Deleted build cache objects:" in r.out, r


def test_multistage_rebuild_is_cached(berth, tmp_path):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": """\
FROM busybox AS builder
RUN echo built > /artifact
FROM busybox
COPY --from=builder /artifact /copied
CMD ["cat", "/copied"]
"""})
    lines, first = build(berth, ctx)
    assert cached_steps(lines) == []
    lines, again = build(berth, ctx)
    assert cached_steps(lines) == [2, 4, 5], lines
    assert again == first
    assert berth("run", "--rm", again).out == "built\n"
