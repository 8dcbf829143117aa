"""The CLI at a real terminal (a pseudo-terminal, as a person's shell gives it) and off one (a
pipe, as CI gives it): every command both ways, the progress bar of a real PDF build, a failure
among the briefs, Ctrl-C halfway through a build, and `serve` started and stopped with Ctrl-C.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BRIEFGEN, MINIMAL_BRIEF, REPO, run_cli, write_brief
from pypdf import PdfReader

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100", "TERM": "xterm"}


class Terminal:
    """One briefgen command on its own pseudo-terminal, which is its controlling terminal: what
    it prints is read back as a person would see it, and a typed Ctrl-C reaches the command's
    whole process group, workers included, as it does in a shell."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: becomes briefgen
            try:
                os.chdir(cwd)
                os.execve(str(BRIEFGEN), [str(BRIEFGEN), *args], ENV)
            finally:
                os._exit(127)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        self.pid, self.fd, self.output, self.status = pid, fd, "", None

    def _read(self, until: float) -> bool:
        """Read what is there by `until`; False once the command closed the terminal."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every process holding the terminal has ended
            data = b""
        self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(data)

    def expect(self, pattern: str, seconds: float = 120) -> re.Match[str]:
        """Wait until the output matches pattern."""
        deadline = time.monotonic() + seconds
        while not (match := re.search(pattern, self.output)):
            if time.monotonic() > deadline or not self._read(deadline):
                raise AssertionError(f"never printed {pattern!r}; it printed:\n{self.output}")
        return match

    def type(self, keys: bytes) -> None:
        """Keys typed at the terminal: b"\\x03" is Ctrl-C."""
        os.write(self.fd, keys)

    def wait(self, seconds: float = 300) -> int:
        """Read everything to the end; the exit code."""
        deadline = time.monotonic() + seconds
        while self._read(deadline):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                raise AssertionError(f"did not end; it printed:\n{self.output}")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run a command on a terminal to its end: (exit code, everything it printed)."""
    term = Terminal(args, cwd)
    code = term.wait()
    return code, term.output


def off_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """The same through pipes, as in CI: stdout then stderr."""
    proc = run_cli(args, cwd)
    return proc.returncode, proc.stdout + proc.stderr


def assert_one_line_each(output: str) -> None:
    assert "Traceback" not in output, output
    assert "\x1b[" not in output.replace("\x1b[?25l", "").replace("\x1b[?25h", "").replace(
        "\x1b[K", ""), output  # no stray escape sequences beyond the bar's own


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name == ".briefgen.lock"]


def brief_titled(project: Path, name: str, title: str, extra: str = "") -> Path:
    return write_brief(project, name, MINIMAL_BRIEF.replace("A small brief", title) + extra)


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


# --- every command, on a terminal and off one


def _built_shard(project: Path) -> None:
    write_brief(project, "one")
    proc = run_cli(["build", "--shard", "1/1", "--format", "html", "--variant", "summary"],
                   project)
    assert proc.returncode == 0, proc.stderr


def _one_brief(project: Path) -> None:
    write_brief(project, "one")


def _bad_brief(project: Path) -> None:
    write_brief(project, "bad", MINIMAL_BRIEF.replace("date: 2025-07-04", "date: 04/07/2025"))


def _broken_brand(project: Path) -> None:
    write_brief(project, "one")
    shutil.copytree(REPO / "templates", project / "templates")
    brand = project / "templates" / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("body: Noto Serif ", "body: -V "),
                     encoding="utf-8")


BROKEN_BRAND = (r"^templates/brand\.yaml:22:9: fonts\.body: is not in the expected form \(got "
                r"text '-V'\) \(hint: write a font family as fontconfig knows it")

# (arguments, set-up, exit code, what the output says, what the command leaves on disk)
COMMANDS: dict[str, tuple[list[str], Callable[[Path], None], int, str, str]] = {
    "build": (["build", "--format", "html", "--variant", "summary"], _one_brief, 0,
              r"built content/one\.yaml -> output/one/ \(1 file, [\d.]+ s\)\n"
              r"1 brief built, 0 unchanged, 0 failed in [\d.]+ s", "output/one/one-summary.html"),
    "build-failing": (["build", "--format", "html", "content/bad.yaml"], _bad_brief, 1,
                      r"0 briefs built, 0 unchanged, 1 failed in [\d.]+ s\nFailed:\n"
                      r"  content/bad\.yaml:2:7: date: must be a date", "output/manifest.json"),
    "build-mistyped": (["build", "content/gone.yaml"], _one_brief, 2,
                       r"content/gone\.yaml: no such file or folder \(hint: did you mean "
                       r"content/one\.yaml\?\)", ""),
    "check": (["check"], _one_brief, 0, r"1 brief OK", ""),
    "check-failing": (["check", "content/bad.yaml"], _bad_brief, 1,
                      r"content/bad\.yaml:2:7: error: date: must be a date", ""),
    "new": (["new", "water", "--title", "Water security"], lambda p: None, 0,
            r"wrote content/water\.yaml \(and schema/brief\.schema\.json for your editor\)\n"
            r"next: briefgen check content/water\.yaml", "content/water.yaml"),
    "new-usage": (["new", "Not A Slug"], lambda p: None, 2,
                  r"Error: Invalid value for SLUG: use lower-case letters", ""),
    "schema": (["schema"], lambda p: None, 0, r'"\$schema": "https://json-schema\.org/', ""),
    "merge-manifests": (["merge-manifests", "output/manifest.shard-1-of-1.json", "--out",
                         "output"], _built_shard, 0,
                        r"merged 1 manifest: 1 brief, 0 failed -> output/index\.html",
                        "output/index.html"),
    "reference-doc": (["reference-doc", "house.docx"], lambda p: None, 0,
                      r"wrote house\.docx: restyle it in Word", "house.docx"),
    "reference-doc-broken-brand": (["reference-doc", "house.docx"], _broken_brand, 1,
                                   BROKEN_BRAND, ""),
    "new-broken-brand": (["new", "water"], _broken_brand, 1, BROKEN_BRAND, ""),
    "build-broken-brand": (["build"], _broken_brand, 1, BROKEN_BRAND, ""),
    "version": (["--version"], lambda p: None, 0, r"briefgen, version \d", ""),
    "help": (["--help"], lambda p: None, 0,
             r"Usage: briefgen (?s:.*)build .*\n +check .*\n +init .*\n +list .*\n"
             r" +merge-manifests .*\n +new .*\n +pack .*\n +reference-doc .*\n +schema .*\n"
             r" +serve ", ""),
    "serve-help": (["serve", "--help"], lambda p: None, 0, r"Usage: briefgen serve", ""),
}


@pytest.mark.parametrize("where", ["terminal", "pipe"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_on_a_terminal_and_off_one(tmp_path: Path, command: str,
                                                 where: str) -> None:
    args, setup, code, said, leaves = COMMANDS[command]
    setup(tmp_path)
    got, output = (on_terminal if where == "terminal" else off_terminal)(args, tmp_path)
    assert got == code, output
    assert re.search(said, output, re.M), output
    assert_one_line_each(output)
    if leaves:
        assert (tmp_path / leaves).is_file()
    if command == "schema":
        json.loads(output)


# --- a build of several briefs: the progress bar, a failure, Ctrl-C


def test_progress_bar_build_of_several_briefs(tmp_path: Path) -> None:
    titles = {f"brief{n}": f"Progress brief number {n}" for n in range(3)}
    for name, title in titles.items():
        brief_titled(tmp_path, name, title)
    term = Terminal(["build", "--variant", "summary", "--format", "pdf", "--jobs", "2"],
                    tmp_path)
    term.expect(r"building")
    code = term.wait()
    assert code == 0, term.output
    assert re.search(r"building .*3/3", term.output), term.output
    assert re.search(r"3 briefs built, 0 unchanged, 0 failed in [\d.]+ s", term.output)
    assert "built content/" not in term.output  # the bar replaces the per-brief lines
    assert_one_line_each(term.output)
    out = tmp_path / "output"
    for name, title in titles.items():
        assert title in pdf_text(out / name / f"{name}-summary.pdf")
    assert {b["status"] for b in json.loads((out / "manifest.json").read_text())["briefs"]} \
        == {"built"}
    assert (out / "index.html").is_file()


def test_a_failure_among_several_on_a_terminal(tmp_path: Path) -> None:
    for n in range(3):
        brief_titled(tmp_path, f"good{n}", f"Good brief {n}")
    write_brief(tmp_path, "bad", MINIMAL_BRIEF.replace("date: 2025-07-04", "date: 04/07/2025"))
    term = Terminal(["build", "--format", "html", "--jobs", "2"], tmp_path)
    code = term.wait()
    assert code == 1, term.output
    problem = (r"content/bad\.yaml:2:7: date: must be a date written YYYY-MM-DD")
    assert re.search(r"^" + problem, term.output, re.M), term.output  # on its own line
    assert re.search(r"3 briefs built, 0 unchanged, 1 failed in [\d.]+ s\nFailed:\n  "
                     + problem, term.output), term.output
    assert_one_line_each(term.output)
    out = tmp_path / "output"
    for n in range(3):
        assert "Good brief" in (out / f"good{n}" / f"good{n}-full.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert {b["slug"]: b["status"] for b in manifest["briefs"]} == {
        "bad": "failed", "good0": "built", "good1": "built", "good2": "built"}
    assert "bad" in (out / "index.html").read_text()


LONG_SECTION = "sections:\n  - heading: Background\n    body: |\n" + "\n\n".join(
    "      " + "A sentence about the background of the question. " * 12 for _ in range(12)) + "\n"


def test_ctrl_c_halfway_stops_cleanly(tmp_path: Path) -> None:
    names = [f"brief{n:02d}" for n in range(8)]
    for name in names:
        brief_titled(tmp_path, name, f"Brief {name}", LONG_SECTION)
    term = Terminal(["build", "--jobs", "2", "--format", "pdf"], tmp_path)
    term.expect(r"\b[1-7]/8\b")  # at least one brief finished, not all
    term.type(b"\x03")
    code = term.wait(60)
    assert code == 1, term.output
    stop = re.search(r"build stopped by SIGINT: (\d) of 8 briefs finished and recorded; the "
                     r"other (\d) keep their previous files \(hint: run the same build again "
                     r"to finish it\)", term.output)
    assert stop, term.output
    done = int(stop[1])
    assert 1 <= done < 8 and int(stop[2]) == 8 - done
    assert_one_line_each(term.output)
    out = tmp_path / "output"
    assert leftovers(out) == []
    recorded = json.loads((out / "manifest.json").read_text())["briefs"]
    assert len(recorded) == done and {b["status"] for b in recorded} == {"built"}
    for entry in recorded:
        assert f"Brief {entry['slug']}" in pdf_text(out / entry["files"][0]["path"])
    assert (out / "index.html").is_file()


# --- serve: started, used, stopped with Ctrl-C


def fetch(url: str) -> str:
    return urllib.request.urlopen(url, timeout=10).read().decode()


def test_serve_on_a_terminal_stops_on_ctrl_c(tmp_path: Path) -> None:
    brief_titled(tmp_path, "live", "Live on a terminal")
    term = Terminal(["serve", "--port", "0"], tmp_path)
    port = term.expect(r"previewing on http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)")[1]
    assert 'href="/brief/live/full"' in fetch(f"http://127.0.0.1:{port}/")
    assert "Live on a terminal" in fetch(f"http://127.0.0.1:{port}/brief/live/full")
    term.type(b"\x03")
    assert term.wait(30) == 0, term.output
    assert term.output.rstrip().endswith("stopped"), term.output
    assert_one_line_each(term.output)
    with pytest.raises(OSError):
        fetch(f"http://127.0.0.1:{port}/")


def test_serve_off_a_terminal_stops_on_sigint(tmp_path: Path) -> None:
    brief_titled(tmp_path, "live", "Live in a pipe")
    proc = subprocess.Popen([str(BRIEFGEN), "serve", "--port", "0"], cwd=tmp_path, env=ENV,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        port = re.fullmatch(r"previewing on http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)\n",
                            line)[1]
        assert "Live in a pipe" in fetch(f"http://127.0.0.1:{port}/brief/live/summary")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and err == "stopped\n" and out == "", err


# --- names and keys from files are shown escaped: every problem stays one line

HOSTILE_NAME = "evil\n\x1b[31mX\u202e\u2066"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@pytest.mark.parametrize("where", ["terminal", "pipe"])
@pytest.mark.parametrize("command", [["check"], ["build", "--format", "html"]],
                         ids=["check", "build"])
def test_names_and_keys_are_escaped_on_one_line(tmp_path: Path, command: list[str],
                                                where: str) -> None:
    write_brief(tmp_path, HOSTILE_NAME)  # refused: not a plain name, said escaped
    write_brief(tmp_path, "keys", MINIMAL_BRIEF.replace(
        "date:", '"ke\\u202ey\\u2069\\nz\\u2028": 1\ndate:'))
    code, output = (on_terminal if where == "terminal" else off_terminal)(command, tmp_path)
    assert code == 1
    error = "error: " if command == ["check"] else ""
    named = rf"content/evil\n\u001b[31mX\u202e\u2066.yaml: {error}file name "
    shown = (f"content/keys.yaml:2:1: {error}"
             + r"ke\u202ey\u2069\nz\u2028: unknown key (hint: allowed keys: title, ")
    times = 1 if command == ["check"] else 2  # build: as it fails, and in the list
    assert output.count(shown) == times, output
    assert output.count(named) == times, output
    bar = output.replace("\x1b[?25l", "").replace("\x1b[?25h", "").replace("\r", "")
    assert not RAW.search(bar), output  # the progress bar's own controls aside


@pytest.mark.parametrize("where", ["terminal", "pipe"])
def test_json_problems_keep_their_text_and_stay_escaped(tmp_path: Path, where: str) -> None:
    """For tools, `check --format json` is valid JSON that gives back the name as it is, while
    nothing in it acts on the terminal it is printed to."""
    write_brief(tmp_path, "keys", MINIMAL_BRIEF.replace("date:", '"k\\u202ey\\x85": 1\ndate:'))
    code, output = (on_terminal if where == "terminal" else off_terminal)(
        ["check", "--format", "json"], tmp_path)
    assert code == 1
    assert not RAW.search(output), output
    problems = json.loads(output[:output.rindex("]") + 1])
    assert [(p["path"], p["field"]) for p in problems] == [("content/keys.yaml", "k\u202ey\x85")]


def test_a_file_name_echoed_by_a_command_is_escaped(tmp_path: Path) -> None:
    name = "ref\n\u202eerase.docx"
    code, output = on_terminal(["reference-doc", name], tmp_path)
    assert code == 0, output
    assert output.startswith(r"wrote ref\n\u202eerase.docx: restyle it in Word"), output
    assert (tmp_path / name).is_file()
    code, output = off_terminal(["check", f"content/{name}"], tmp_path)
    assert code == 2 and output.splitlines()[0] == (
        r"content/ref\n\u202eerase.docx: no such file or folder (hint: name a brief file or a "
        "folder of them)"), output
