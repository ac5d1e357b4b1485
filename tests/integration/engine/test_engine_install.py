"""make install (PREFIX, DESTDIR), and what it installs: the completion scripts and man
pages generated from the command tables (`berth __commands`, `berth completion`,
scripts/gen-man.py), checked against what `--help` prints.

Only the name completion test uses the `berth` fixture (a created container, never started).
"""

import json
import os
import re
import shutil
import subprocess

import pytest

import oci
from enginehelp import ENGINE

BUILD = os.path.dirname(ENGINE)
RUNTIME = os.path.join(BUILD, "berth-runtime")
PREFIX = "/usr"


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, "%s: rc=%d\n%s%s" % (cmd, r.returncode, r.stdout, r.stderr)
    return r.stdout


def commands(binary):
    return [json.loads(line) for line in run([binary, "__commands"]).splitlines()]


def help_options(binary, path):
    """The long options `BINARY PATH... --help` lists (hidden aliases have no line)."""
    out = run([binary] + path + ["--help"])
    return re.findall(r"^  (?:-\w, )?\s*--([\w-]+)", out, re.M)


@pytest.fixture(scope="module")
def dest(tmp_path_factory):
    d = tmp_path_factory.mktemp("install")
    run(["make", "-s", "install", "BUILD=" + BUILD, "DESTDIR=%s" % d, "PREFIX=" + PREFIX],
        cwd=oci.REPO)
    return d


def installed(dest, path):
    return os.path.join(str(dest), PREFIX.lstrip("/"), path)


def bash_complete(dest, *words):
    """COMPREPLY of the installed bash completion for the words (the last one being typed),
    with the berth under test first in PATH (the script asks it for names)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _berth; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    comp = installed(dest, "share/bash-completion/completions/berth")
    env = dict(os.environ, PATH=BUILD + ":" + os.environ.get("PATH", ""))
    return run(["bash", "-c", script, "bash", comp] + list(words), env=env).split()


def test_install_puts_every_file(dest):
    for b in ("berth", "berth-runtime", "berth-monitor", "berth-init"):
        assert os.access(installed(dest, "bin/" + b), os.X_OK), b
    for f in ("share/bash-completion/completions/berth", "share/zsh/vendor-completions/_berth",
              "share/fish/vendor_completions.d/berth.fish", "share/man/man8/berth-runtime.8",
              "share/man/man1/berth.1", "share/man/man1/berth-run.1",
              "share/man/man1/berth-image-ls.1"):
        assert os.path.getsize(installed(dest, f)) > 0, f
    # a page for every command and subcommand the tables have, found by the walk
    for c in commands(ENGINE):
        page = "share/man/man1/%s.1" % "-".join(["berth"] + c["path"])
        assert os.path.isfile(installed(dest, page)), page
    unit = open(installed(dest, "lib/systemd/system/berth-boot.service")).read()
    assert "ExecStart=%s/bin/berth system boot\n" % PREFIX in unit
    assert "Type=oneshot" in unit and "After=network-online.target" in unit
    # the API's units: the socket as dockerd's (root:root 0660), the service it activates
    sock = open(installed(dest, "lib/systemd/system/berth.socket")).read()
    assert "ListenStream=/run/berth/docker.sock\n" in sock and "SocketMode=0660\n" in sock
    svc = open(installed(dest, "lib/systemd/system/berth.service")).read()
    assert "ExecStart=%s/bin/berth system service\n" % PREFIX in svc
    assert "Requires=berth.socket" in svc


def test_uninstall_removes_what_install_put(tmp_path):
    make = ["make", "-s", "BUILD=" + BUILD, "DESTDIR=%s" % tmp_path, "PREFIX=/opt/b"]
    run(make + ["install"], cwd=oci.REPO)
    assert os.path.isfile(tmp_path / "opt/b/bin/berth")
    run(make + ["uninstall"], cwd=oci.REPO)
    left = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path) for f in fs]
    assert not left, left


def test_install_without_a_build_says_so(tmp_path):
    r = subprocess.run(["make", "-s", "install", "BUILD=%s" % (tmp_path / "none"),
                        "DESTDIR=%s" % tmp_path], cwd=oci.REPO, capture_output=True, text=True)
    assert r.returncode != 0
    assert "run 'make' first" in r.stderr


def test_commands_match_help():
    """__commands reads the very tables --help prints: same options, command by command."""
    for binary in (ENGINE, RUNTIME):
        cmds = commands(binary)
        assert cmds[0]["path"] == [] and cmds[0]["subcommands"]
        for c in cmds:
            assert [o["long"] for o in c["options"]] == help_options(binary, c["path"]), c["path"]
    paths = [c["path"] for c in commands(ENGINE)]
    for p in (["run"], ["image"], ["image", "ls"], ["container", "rm"], ["completion"]):
        assert p in paths, p


def test_bash_completion(dest):
    run(["bash", "-n", installed(dest, "share/bash-completion/completions/berth")])
    assert bash_complete(dest, "berth", "ru") == ["run"]
    assert bash_complete(dest, "berth", "run", "--rm", "--na") == ["--name"]
    assert "ls" in bash_complete(dest, "berth", "image", "l")
    # a global option's argument is skipped: "image" is still the command
    assert "--all" in bash_complete(dest, "berth", "--root", "/x", "image", "ls", "--a")
    # an option's argument is not taken for a command: "ru" after --name completes nothing
    assert bash_complete(dest, "berth", "run", "--name", "ru") == []


def test_every_run_option_is_in_the_man_page_and_completion(dest):
    opts = help_options(ENGINE, ["run"])
    assert len(opts) > 20
    page = run(["man", "-l", installed(dest, "share/man/man1/berth-run.1")],
               env=dict(os.environ, MANWIDTH="200", LC_ALL="C"))
    offered = bash_complete(dest, "berth", "run", "--")
    for o in opts:
        assert "--" + o in page, o
        assert "--" + o in offered, o


def test_man_pages_render_without_warnings(dest):
    if not shutil.which("man"):
        pytest.skip("no man (man-db): scripts/install-deps.sh installs it")
    pages = []
    for sec in ("man1", "man8"):
        d = installed(dest, "share/man/" + sec)
        pages += [os.path.join(d, f) for f in sorted(os.listdir(d))]
    for p in pages:
        r = subprocess.run(["man", "--warnings", "-l", p], capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH="80"))
        assert r.returncode == 0 and not r.stderr, "%s:\n%s" % (p, r.stderr)
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION"):
            assert re.search("^" + section + "$", r.stdout, re.M), (p, section)
    runtime = open(installed(dest, "share/man/man8/berth-runtime.8")).read()
    for c in commands(RUNTIME)[1:]:
        assert ".SS %s\n" % c["path"][0] in runtime, c["path"]


def test_zsh_completion_parses(dest):
    if not shutil.which("zsh"):
        pytest.skip("no zsh: scripts/install-deps.sh installs it")
    script = installed(dest, "share/zsh/vendor-completions/_berth")
    run(["zsh", "-n", script])

    def offered(*words):
        """What _berth hands compadd (the prefix filtering is compadd's: not done here)."""
        stubs = ('compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }; '
                 '_files() { print FILES; }; source $1; shift; words=("$@"); '
                 'CURRENT=$#; _berth')
        return run(["zsh", "-f", "-c", stubs, "zsh", script] + list(words)).split()

    assert "run" in offered("berth", "ru")
    assert "create-busybox" in offered("berth", "--root", "/x", "image", "l")
    assert "create-busybox" not in offered("berth", "ru")
    assert "--name" in offered("berth", "run", "--rm", "--na")
    assert offered("berth", "run", "--name", "x") == ["FILES"]


def test_fish_completion(dest):
    if not shutil.which("fish"):
        pytest.skip("no fish: scripts/install-deps.sh installs it")
    script = installed(dest, "share/fish/vendor_completions.d/berth.fish")
    run(["fish", "-n", script])

    def complete(line):
        out = run(["fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]",
                   script, line])
        return [l.split("\t")[0] for l in out.splitlines()]

    assert complete("berth ru") == ["run"]
    assert complete("berth run --rm --na") == ["--name"]
    assert "ls" in complete("berth image l")


def test_bash_completes_container_and_image_names(dest, berth):
    berth("create", "--name", "compl-one", "busybox", "true")
    root = ["berth", "--root", berth.root]
    try:
        assert bash_complete(dest, *root, "rm", "compl") == ["compl-one"]
        assert bash_complete(dest, *root, "container", "stop", "-t", "1", "c") == ["compl-one"]
        assert bash_complete(dest, *root, "run", "--rm", "bus") == ["busybox:latest"]
        # bash splits --name=x into --name, =, x: x is the option's, not run's IMAGE
        assert bash_complete(dest, *root, "run", "--name", "=", "x", "bus") == ["busybox:latest"]
        # run's IMAGE is one word: the command after it is not an image
        assert bash_complete(dest, *root, "run", "busybox", "bus") == []
    finally:
        berth("rm", "compl-one")
