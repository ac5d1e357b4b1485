"""HEALTHCHECK and ONBUILD in `berth build`, written to the image config as docker does."""

import io
import tarfile

import oci
import pytest

from test_engine_build import images, store_leftovers, write


def built_config(berth, tmp_path, dockerfile, tag="t"):
    ctx = tmp_path / ("ctx-" + tag)
    write(ctx, {"Dockerfile": dockerfile, "hello.txt": "hello\n"})
    r = berth("build", "-t", tag, str(ctx))
    return berth.inspect(tag)["Config"], r.out


def test_healthcheck_config_fields(berth, tmp_path):
    cfg, _ = built_config(berth, tmp_path, """\
FROM busybox
HEALTHCHECK --interval=1m30s --timeout=3s --start-period=500ms --start-interval=2s \\
    --retries=4 CMD test -e /x || exit 1
""", "shell")
    assert cfg["Healthcheck"] == {"Test": ["CMD-SHELL", "test -e /x || exit 1"],
                                  "Interval": 90 * 10**9, "Timeout": 3 * 10**9,
                                  "StartPeriod": 500 * 10**6, "StartInterval": 2 * 10**9,
                                  "Retries": 4}
    cfg, _ = built_config(berth, tmp_path, 'FROM busybox\nHEALTHCHECK CMD ["true", "a b"]\n',
                          "exec")
    # zero fields are left out
    assert cfg["Healthcheck"] == {"Test": ["CMD", "true", "a b"]}
    # a child inherits its base's check; NONE turns it off
    cfg, _ = built_config(berth, tmp_path, "FROM exec\nENV X=1\n", "inherit")
    assert cfg["Healthcheck"] == {"Test": ["CMD", "true", "a b"]}
    cfg, _ = built_config(berth, tmp_path, "FROM exec\nHEALTHCHECK NONE\n", "none")
    assert cfg["Healthcheck"] == {"Test": ["NONE"]}


@pytest.mark.parametrize("line,message", [
    ("HEALTHCHECK --interval=x CMD true", "--interval"),
    ("HEALTHCHECK --retries=-1 CMD true", "--retries cannot be negative"),
    ("HEALTHCHECK --timeout=10us CMD true", "cannot be less than 1ms"),
    ("HEALTHCHECK --bogus=1 CMD true", "unknown flag: '--bogus=1'"),
    ("HEALTHCHECK NONE true", "HEALTHCHECK NONE takes no arguments"),
    ("HEALTHCHECK RUN true", 'Unknown type "RUN" in HEALTHCHECK (try CMD)'),
    ("HEALTHCHECK CMD", "HEALTHCHECK CMD requires a command"),
])
def test_healthcheck_errors(berth, tmp_path, line, message):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": "FROM busybox\n" + line + "\n"})
    base = images(berth)
    r = berth("build", str(ctx), check=False)
    assert r.rc == 1 and message in r.err, r
    assert images(berth) == base and store_leftovers(berth) == []


def test_healthcheck_built_image_runs_healthy(berth, tmp_path):
    built_config(berth, tmp_path, """\
FROM busybox
HEALTHCHECK --interval=100ms --retries=2 CMD test -e /tmp/ready && echo fine
CMD ["sh", "-c", "touch /tmp/ready; sleep 1000"]
""", "hc")
    berth("run", "-d", "--name", "hcrun", "hc")
    try:
        ok = oci.wait_for(lambda: (berth.inspect("hcrun")["State"].get("Health") or {})
                          .get("Status") == "healthy", timeout=30)
        state = berth.inspect("hcrun")["State"]
        assert ok, state
        assert state["Health"]["Log"][-1]["Output"] == "fine\n"
    finally:
        berth("rm", "-f", "hcrun")


def test_onbuild_triggers_run_after_from(berth, tmp_path):
    cfg, _ = built_config(berth, tmp_path, """\
FROM busybox
onbuild copy hello.txt /from-trigger.txt
ONBUILD RUN echo "trigger ran" > /ran
ONBUILD ENV TRIGGERED=yes
""", "obbase")
    assert cfg["OnBuild"] == ["COPY hello.txt /from-trigger.txt",
                              'RUN echo "trigger ran" > /ran', "ENV TRIGGERED=yes"]
    # the base itself did not run them
    assert berth("run", "--rm", "obbase", "sh", "-c", "test -e /ran || echo none").out \
        == "none\n"
    cfg, out = built_config(berth, tmp_path, "FROM obbase\nRUN cat /ran /from-trigger.txt\n",
                            "obchild")
    assert "# Executing 3 build triggers" in out.splitlines()
    assert "trigger ran\nhello\n" in out
    assert "TRIGGERED=yes" in cfg["Env"]
    # docker's: the triggers are not inherited by the child
    assert not cfg.get("OnBuild")
    assert berth("run", "--rm", "obchild", "cat", "/ran").out == "trigger ran\n"


@pytest.mark.parametrize("line,message", [
    ("ONBUILD ONBUILD RUN true", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
    ("ONBUILD FROM busybox", "FROM isn't allowed as an ONBUILD trigger"),
    ("ONBUILD MAINTAINER me", "MAINTAINER isn't allowed as an ONBUILD trigger"),
    ("ONBUILD", "ONBUILD requires at least one argument"),
])
def test_onbuild_errors(berth, tmp_path, line, message):
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": "FROM busybox\n" + line + "\n"})
    r = berth("build", str(ctx), check=False)
    assert r.rc == 1 and message in r.err, r
    assert store_leftovers(berth) == []


def test_failing_trigger_fails_the_child_build(berth, tmp_path):
    built_config(berth, tmp_path, "FROM busybox\nONBUILD RUN exit 3\n", "obfail")
    ctx = tmp_path / "ctx"
    write(ctx, {"Dockerfile": "FROM obfail\nENV X=1\n"})
    r = berth("build", str(ctx), check=False)
    assert r.rc == 1 and "returned a non-zero code: 3" in r.err, r
    assert "ONBUILD trigger 'RUN exit 3'" in r.err
    assert store_leftovers(berth) == []


def test_commit_change_healthcheck_and_onbuild(berth):
    berth("create", "--name", "src", "busybox", "true")
    try:
        image_id = berth("commit", "-c", "HEALTHCHECK --retries=3 CMD [\"true\"]",
                         "-c", "ONBUILD RUN echo hi", "src").out.strip()
    finally:
        berth("rm", "src")
    cfg = berth.inspect(image_id)["Config"]
    assert cfg["Healthcheck"] == {"Test": ["CMD", "true"], "Retries": 3}
    assert cfg["OnBuild"] == ["RUN echo hi"]


def test_import_change_healthcheck(berth, tmp_path):
    tar = tmp_path / "root.tar"
    with tarfile.open(tar, "w") as t:
        info = tarfile.TarInfo("hello")
        info.size = 3
        t.addfile(info, io.BytesIO(b"hi\n"))
    berth("import", "-c", "HEALTHCHECK --interval=2s --start-period=1m CMD exit 0",
          "-c", "ONBUILD RUN true", str(tar), "imported:hc")
    cfg = berth.inspect("imported:hc")["Config"]
    assert cfg["Healthcheck"] == {"Test": ["CMD-SHELL", "exit 0"], "Interval": 2 * 10**9,
                                  "StartPeriod": 60 * 10**9}
    assert cfg["OnBuild"] == ["RUN true"]
    r = berth("import", "-c", "HEALTHCHECK --retries=x CMD true", str(tar), check=False)
    assert r.rc != 0 and "--retries" in r.err, r
