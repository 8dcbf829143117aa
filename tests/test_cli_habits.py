"""The habits of a command-line tool: `init`, `list`, `build --watch`, `serve --host/--open`,
--quiet/--verbose/--debug everywhere, NO_COLOR, `python -m briefgen`, shell completion, help
for every command, the CHANGELOG's version and the pre-commit hook.

init, list and --watch run both on a pseudo-terminal (as a person at a terminal sees them)
and through pipes (as CI and editors' tools see them).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import pty
import re
import signal
import subprocess
import sys
import sysconfig
import termios
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import yaml
from conftest import BRIEFGEN, REPO, run_cli, write_brief

from briefgen import __version__
from briefgen.cli import main
from briefgen.config import Config, load_config

ANSI = re.compile(r"\x1b\[[0-9;]*m")
STARTER = ["content/example-brief.yaml", "briefgen.yaml", ".gitignore",
           ".github/workflows/weekly-briefs.yml", "schema/brief.schema.json"]


class Session:
    """A briefgen command running in the background, on a pseudo-terminal (tty=True) or
    through a pipe, whose output is collected as it comes."""

    def __init__(self, args: list[str | Path], cwd: Path, tty: bool,
                 env: dict[str, str] | None = None) -> None:
        self.output = ""
        self.tty = tty
        self._lock = threading.Lock()
        command = [str(BRIEFGEN), *(str(a) for a in args)]
        if tty:
            self.master, slave = pty.openpty()
            self.proc = subprocess.Popen(  # the pty becomes the controlling terminal: Ctrl+C
                command, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
                start_new_session=True,
                preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
            os.close(slave)
            read: Callable[[], bytes] = lambda: os.read(self.master, 4096)  # noqa: E731
        else:
            self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            read = lambda: os.read(self.proc.stdout.fileno(), 4096)  # noqa: E731
        self._reader = threading.Thread(target=self._read, args=(read,), daemon=True)
        self._reader.start()

    def _read(self, read: Callable[[], bytes]) -> None:
        while True:
            try:
                chunk = read()
            except OSError:  # EIO: the terminal's other end closed
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk.decode(errors="replace")

    def wait_for(self, text: str, count: int = 1, limit: float = 240) -> str:
        """Wait until `text` has appeared `count` times; the output so far."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self._lock:
                if self.output.count(text) >= count:
                    return self.output
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r} x{count}; output:\n{self.output}")

    def interrupt(self) -> int:
        """Ctrl+C: typed on the terminal, or SIGINT as a shell sends it. The exit code."""
        if self.tty:
            os.write(self.master, b"\x03")
        else:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=60)
        self._reader.join(timeout=10)
        if self.tty:
            os.close(self.master)
        return code

    def finish(self) -> int:
        """Wait for the command to end by itself. The exit code."""
        code = self.proc.wait(timeout=300)
        self._reader.join(timeout=10)
        if self.tty:
            os.close(self.master)
        return code


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "TERM": "xterm", **extra}


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- init -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_init_starts_a_project_that_checks_clean(tmp_path: Path, tty: bool) -> None:
    """Every starter file is written, the example brief passes `check --strict` as written,
    and its first line points editors at the schema written next to it."""
    session = Session(["init", "briefs"], tmp_path, tty, _env())
    assert session.finish() == 0, session.output
    assert "started a briefgen project in briefs/ (5 files)" in session.output
    assert "next: cd briefs && briefgen new" in session.output
    project = tmp_path / "briefs"
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == \
        sorted(STARTER)
    brief = (project / "content" / "example-brief.yaml").read_text(encoding="utf-8")
    assert brief.startswith("# yaml-language-server: $schema=../schema/brief.schema.json\n")
    assert (project / ".gitignore").read_text().splitlines()[-1] == "/output/"
    check = run_cli(["check", "--strict"], cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stderr.strip() == "1 brief OK"


def test_init_in_the_current_folder_and_quietly(tmp_path: Path) -> None:
    """`briefgen init` with no DIR starts the project here; --quiet says nothing."""
    proc = run_cli(["init", "--quiet"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == proc.stderr == ""
    assert all((tmp_path / name).is_file() for name in STARTER)


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, tty: bool) -> None:
    """One existing starter file stops init before it writes anything."""
    (tmp_path / ".gitignore").write_text("mine\n")
    session = Session(["init"], tmp_path, tty, _env())
    assert session.finish() == 1
    assert ".gitignore already exists; nothing written" in session.output
    assert (tmp_path / ".gitignore").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore"]


def test_init_twice_is_refused(tmp_path: Path) -> None:
    """A second init of the same folder lists every file it would overwrite."""
    assert run_cli(["init", "p"], cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()}
    proc = run_cli(["init", "p"], cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("p/content/example-brief.yaml, p/briefgen.yaml, ")
    assert proc.stderr.rstrip().endswith("already exist; nothing written (hint: init a new "
                                         "folder, or move those files away)")
    assert {p: p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file()} == before


def test_the_commented_settings_are_every_setting_at_its_default(tmp_path: Path) -> None:
    """briefgen.yaml as init writes it means the defaults; with every line uncommented it
    still loads, to the same defaults, and names every setting, lint: included."""
    assert run_cli(["init", "-q"], cwd=tmp_path).returncode == 0
    settings = tmp_path / "briefgen.yaml"
    assert load_config(settings) == Config()
    text = settings.read_text(encoding="utf-8")
    uncommented = "\n".join(line[2:] for line in text.splitlines()
                            if line.startswith("# ") and not line.startswith(("# briefgen",
                                                                              "# commented")))
    settings.write_text(uncommented, encoding="utf-8")
    # The page budgets written out are the variants' own defaults (templates/variants.yaml).
    assert load_config(settings) == Config(page_budget={"summary": 2, "full": None})
    data = yaml.safe_load(uncommented)
    assert set(data) == set(Config.model_fields)
    assert set(data["lint"]) == {"summary_words", "key_point_words", "stale_after_days"}


def test_the_weekly_workflow_installs_briefgen_with_pip() -> None:
    """The workflow init writes builds a content repository's shards with an installed
    briefgen of this version, and joins them, as the checkout's own workflow does."""
    from briefgen.starter import starter_files

    files = starter_files("Org", dt.date(2025, 1, 1))
    flow = yaml.safe_load(files[Path(".github/workflows/weekly-briefs.yml")])
    assert flow["env"]["BRIEFGEN"] == f"briefgen=={__version__}"
    runs = [step.get("run", "") for job in flow["jobs"].values() for step in job["steps"]]
    assert any('pip install "$BRIEFGEN"' in run for run in runs)
    assert "briefgen build --shard ${{ matrix.shard }}/${{ env.SHARDS }} --out output" in runs
    assert not any("scripts/setup" in run or ".venv" in run for run in runs)


# --- list -----------------------------------------------------------------------------------


def _listed_project(tmp_path: Path) -> Path:
    """Three briefs: one built, one never built, one broken."""
    write_brief(tmp_path, "alpha")
    build = run_cli(["build", "content/alpha.yaml", "--format", "pdf", "--variant", "summary"],
                    cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    write_brief(tmp_path, "beta", (tmp_path / "content" / "alpha.yaml").read_text()
                .replace("A small brief", "Second brief").replace("2025-07-04", "2025-08-01"))
    write_brief(tmp_path, "gamma", "title: Broken\ndate: soon\n")
    return tmp_path


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_list_shows_title_date_and_last_build(tmp_path: Path, tty: bool) -> None:
    """A table a person reads: each brief's title, date and last build status; colours on a
    terminal only."""
    project = _listed_project(tmp_path)
    session = Session(["list"], project, tty, _env())
    assert session.finish() == 0, session.output
    plain = ANSI.sub("", session.output).replace("\r\n", "\n")
    assert plain.splitlines() == [
        "SLUG   TITLE          DATE        STATUS",
        "alpha  A small brief  2025-07-04  built",
        "beta   Second brief   2025-08-01  not built",
        "gamma                             invalid",
    ]
    assert (ANSI.search(session.output) is not None) == tty


def test_list_without_colour_under_no_color(tmp_path: Path) -> None:
    """NO_COLOR (no-color.org) leaves the colours out even on a terminal."""
    project = _listed_project(tmp_path)
    session = Session(["list"], project, tty=True, env=_env(NO_COLOR="1"))
    assert session.finish() == 0
    assert "alpha  A small brief  2025-07-04  built" in session.output
    assert ANSI.search(session.output) is None


def test_list_as_json_gives_the_reasons(tmp_path: Path) -> None:
    """--format json, for tools: the rows with the file and, for a broken brief, its first
    problem by line."""
    project = _listed_project(tmp_path)
    proc = run_cli(["list", "--format", "json"], cwd=project)
    rows = json.loads(proc.stdout)
    assert [(r["slug"], r["status"]) for r in rows] == [
        ("alpha", "built"), ("beta", "not built"), ("gamma", "invalid")]
    assert rows[0]["file"] == "content/alpha.yaml"
    assert rows[2]["error"] == "content/gamma.yaml:1:1: classification: is required"


def test_list_escapes_control_characters_from_the_manifest(tmp_path: Path) -> None:
    """A manifest is a file anyone may have edited: its text reaches the terminal escaped."""
    project = _listed_project(tmp_path)
    manifest = project / "output" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"built"', '"built\\u001b[2J"'))
    proc = run_cli(["list"], cwd=project)
    assert "\x1b" not in proc.stdout
    assert "built\\u001b[2J" in proc.stdout


# --- build --watch --------------------------------------------------------------------------


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_watch_rebuilds_on_save_and_stops_cleanly(tmp_path: Path, tty: bool) -> None:
    """Saving a brief rebuilds it; a broken save is reported and the watch waits for the fix;
    Ctrl+C ends it with exit 0 and no temporary file left."""
    brief = write_brief(tmp_path, "w")
    pdf = tmp_path / "output" / "w" / "w-summary.pdf"
    session = Session(["build", "--watch", "--jobs", "1", "--variant", "summary",
                       "--format", "pdf"], tmp_path, tty, _env())
    session.wait_for("watching for changes")
    assert "A small brief" in _pdf_text(pdf)

    brief.write_text(brief.read_text().replace("A small brief", "A renamed brief"))
    session.wait_for("watching for changes", 2)
    assert "changed: content/w.yaml" in session.output
    assert "A renamed brief" in _pdf_text(pdf)

    brief.write_text(brief.read_text().replace("date: 2025-07-04", "date: 2025-13-04"))
    output = session.wait_for("watching for changes", 3)
    assert "content/w.yaml:2:7: date: " in output
    assert "A renamed brief" in _pdf_text(pdf), "a failed build keeps the previous file"

    assert session.interrupt() == 0
    assert "stopped watching" in session.output
    assert "Traceback" not in session.output
    leftovers = [p.name for p in (tmp_path / "output").rglob("*") if ".tmp" in p.name]
    assert not leftovers


def test_watch_picks_up_a_new_brief_and_survives_bad_settings(tmp_path: Path) -> None:
    """With no CONTENT, a brief added to content/ is built too; a typo in briefgen.yaml is
    reported by line and the watch goes on."""
    write_brief(tmp_path, "one")
    session = Session(["build", "--watch", "-j", "1", "--format", "pdf", "--variant", "summary"],
                      tmp_path, tty=False, env=_env())
    session.wait_for("watching for changes")
    (tmp_path / "briefgen.yaml").write_text("pdf_variant: pdf/x\n")
    session.wait_for("watching for changes", 2)
    assert "briefgen.yaml:1:14: pdf_variant: " in session.output
    (tmp_path / "briefgen.yaml").unlink()
    write_brief(tmp_path, "two")
    session.wait_for("built content/two.yaml")
    assert session.interrupt() == 0
    assert (tmp_path / "output" / "two" / "two-summary.pdf").is_file()


# --- verbosity, debug, colours ---------------------------------------------------------------


def test_quiet_and_verbose_before_or_after_the_command(tmp_path: Path) -> None:
    """--quiet leaves out what went well, never a problem; --verbose says where the templates
    and settings come from."""
    write_brief(tmp_path, "ok")
    for args in (["-q", "check"], ["check", "--quiet"]):
        proc = run_cli(args, cwd=tmp_path)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    write_brief(tmp_path, "bad", "title: x\n")
    proc = run_cli(["check", "-q"], cwd=tmp_path)
    assert proc.returncode == 1
    assert "content/bad.yaml:1:1: error: date: is required [schema]" in proc.stdout
    assert proc.stderr == ""
    (tmp_path / "content" / "bad.yaml").unlink()
    proc = run_cli(["--verbose", "build", "--format", "pdf", "--variant", "summary"],
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"templates: {REPO / 'templates'}/; settings: defaults" in proc.stderr
    assert proc.stdout.startswith("built content/ok.yaml -> output/ok/ (1 file, ")


def test_debug_on_every_command_and_before_it(tmp_path: Path) -> None:
    """Every command takes --debug, --quiet and --verbose; --debug given before the command
    turns its one-line error into the traceback."""
    for name, command in main.commands.items():
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert {"--debug", "--quiet", "--verbose"} <= options, name
    target = tmp_path / "missing" / "ref.docx"
    (tmp_path / "missing").write_text("a file, not a folder")
    plain = run_cli(["reference-doc", target], cwd=tmp_path)
    assert plain.returncode == 1
    assert len(plain.stderr.splitlines()) == 1 and "Traceback" not in plain.stderr
    debug = run_cli(["--debug", "reference-doc", target], cwd=tmp_path)
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr


def test_every_command_has_help_for_a_person(tmp_path: Path) -> None:
    """`briefgen COMMAND --help` works for every command, with a description and the
    options explained; the top level lists every command."""
    top = run_cli(["--help"], cwd=tmp_path)
    for name, command in main.commands.items():
        assert f"  {name} " in top.stdout, name
        proc = run_cli([name, "--help"], cwd=tmp_path)
        assert proc.returncode == 0, name
        assert len((command.help or "").split()) >= 8, name
        assert command.short_help, name
        undocumented = [p.name for p in command.params
                        if isinstance(p, click.Option) and not p.help]
        assert not undocumented, (name, undocumented)


def test_python_dash_m_and_the_changelog_version(tmp_path: Path) -> None:
    """`python -m briefgen` is the same command; its version is the CHANGELOG's newest."""
    proc = subprocess.run([sys.executable, "-m", "briefgen", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    newest = re.search(r"^## \[?v?(\d+\.\d+\.\d+\S*?)\]?(\s|$)",
                       (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert newest is not None, "CHANGELOG.md has no version heading"
    assert proc.stdout.strip() == f"briefgen, version {newest.group(1)}"
    assert newest.group(1) == __version__


def test_shell_completion_completes_commands_and_options(tmp_path: Path) -> None:
    """The completion the README documents (click's): commands and options complete."""
    env = _env(_BRIEFGEN_COMPLETE="bash_complete", COMP_WORDS="briefgen li", COMP_CWORD="1")
    proc = subprocess.run([str(BRIEFGEN)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=False)
    assert "plain,list" in proc.stdout.splitlines()
    env.update(COMP_WORDS="briefgen serve --o", COMP_CWORD="2")
    proc = subprocess.run([str(BRIEFGEN)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=False)
    assert "plain,--open" in proc.stdout.splitlines()
    source = subprocess.run([str(BRIEFGEN)], cwd=tmp_path, capture_output=True, text=True,
                            env=_env(_BRIEFGEN_COMPLETE="bash_source"), check=False)
    assert "complete -o nosort -F _briefgen_completion briefgen" in source.stdout


# --- serve --host, --open --------------------------------------------------------------------


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Session:
    write_brief(tmp_path, "s")
    return Session(["serve", "--port", "0", *args], tmp_path, tty=False, env=env or _env())


def test_serve_listens_on_this_computer_only_by_default(tmp_path: Path) -> None:
    """127.0.0.1 by default, with no warning."""
    session = _serve(tmp_path)
    output = session.wait_for("(Ctrl+C to stop)")
    url = re.search(r"http://127\.0\.0\.1:\d+/", output).group(0)
    with urllib.request.urlopen(url, timeout=60) as page:
        assert "content/s.yaml" in page.read().decode()
    assert session.interrupt() == 0
    assert "warning" not in session.output


def test_serve_warns_when_listening_on_every_network(tmp_path: Path) -> None:
    """--host 0.0.0.0 serves, but says who can read the briefs now."""
    session = _serve(tmp_path, "--host", "0.0.0.0")
    output = session.wait_for("(Ctrl+C to stop)")
    assert ("warning: listening on 0.0.0.0, not only on this computer: anyone who can reach "
            "it on the network can read these briefs") in output
    port = re.search(r"http://0\.0\.0\.0:(\d+)/", output).group(1)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as page:
        assert page.status == 200
    assert session.interrupt() == 0


def test_serve_open_hands_the_url_to_the_browser(tmp_path: Path) -> None:
    """--open starts the user's browser (the BROWSER variable names it, as Python's
    webbrowser module reads it) on the preview's address."""
    record = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {record}\n")
    browser.chmod(0o755)
    session = _serve(tmp_path, "--open", env=_env(BROWSER=f"{browser} %s"))
    output = session.wait_for("(Ctrl+C to stop)")
    url = re.search(r"http://127\.0\.0\.1:\d+/", output).group(0)
    deadline = time.monotonic() + 60
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session.interrupt() == 0
    assert record.read_text().strip() == url


# --- the pre-commit hook ---------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="try-repo needs briefgen as a git "
                    "repository (a clone)")
def test_pre_commit_hook_checks_the_briefs_a_commit_changes(tmp_path: Path) -> None:
    """`pre-commit try-repo` on this checkout installs briefgen into pre-commit's own
    environment and runs `briefgen check --strict` on the staged briefs only.

    Offline, as on CI: pip may use no index (PIP_NO_INDEX), installs briefgen alone
    (PIP_NO_DEPS) with the test environment's setuptools (no build isolation), and the
    dependencies are lent from the test environment through PYTHONPATH, which runs none of
    its .pth files, so the briefgen that runs is the one pre-commit installed.
    """
    content = tmp_path / "briefs"
    content.mkdir()
    _git(["init", "-q"], content)
    assert run_cli(["init", "-q"], cwd=content).returncode == 0
    write_brief(content, "old", "title: committed long ago, broken, and not touched\n")
    _git(["add", "-A"], content)
    _git(["commit", "-q", "--no-verify", "-m", "start"], content)
    env = {**_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PIP_NO_INDEX": "1",
           "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
           "PYTHONPATH": sysconfig.get_path("purelib")}
    pre_commit = [str(Path(sys.executable).parent / "pre-commit"), "try-repo", str(REPO),
                  "briefgen-check"]
    lent = subprocess.run([sys.executable, "-S", "-c", "import briefgen"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=False)
    assert "No module named 'briefgen'" in lent.stderr, "the lent packages must not hold it"

    example = content / "content" / "example-brief.yaml"
    example.write_text(example.read_text().replace("An example brief", "A good change"))
    _git(["add", str(example)], content)
    good = subprocess.run(pre_commit, cwd=content, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"briefgen check --strict\.+Passed", good.stdout), good.stdout

    example.write_text(example.read_text().replace("  - The third one.",
                                                   "  - " + "word " * 70))
    _git(["add", str(example)], content)
    bad = subprocess.run(pre_commit, cwd=content, env=env, capture_output=True, text=True,
                         timeout=600, check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "content/example-brief.yaml:" in bad.stdout
    assert "[key-point-length]" in bad.stdout
    assert "old.yaml" not in bad.stdout
