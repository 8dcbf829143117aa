"""The corpus of bad inputs: every file an editor (or a broken tool, or an attacker) might hand
briefgen, built through the real CLI. Each gives its exact one-line messages and exit code 1,
never a traceback, and leaves no output for the brief; the few that are not mistakes (NO, yes
and 1.0 typed where text belongs, empty optional lists) build, keeping what was typed.

Cases are made in code rather than kept as files: several are binary (control characters,
non-UTF-8 bytes, a 10 MB file) and would not survive editors and git as files. Line numbers in
the messages refer to MINIMAL_BRIEF, laid out in its comment below.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, run_cli
from pypdf import PdfReader

# MINIMAL_BRIEF, line by line:
#  1 title: A small brief           7 summary: The bottom line [@src-a].   13 sources:
#  2 date: 2025-07-04               8 key_points:                          14   - id: src-a
#  3 classification: UNCLASSIFIED   9   - First point [@src-a].            15     title: Source A
#  4 authors:                      10   - Second point.                    16     publisher: Pub A
#  5   - Ann Author                11 outlook:                             17     url: https://...
#  6 organisation: Test Org        12   - Watch this.
X = "content/x.yaml"
REQUIRED = "title, date, classification, authors, organisation, summary, key_points, outlook"
CONTROL_HINT = "(hint: delete it: it is invisible in most editors, and PDF and Word cannot hold it)"
TOO_LARGE_HINT = "(hint: a brief is text only: split it, or remove what was pasted in by mistake)"


def brief(**replace: str) -> bytes:
    """MINIMAL_BRIEF with some of its lines replaced: point= replaces line 10's text,
    date= line 2's value, tail= is appended."""
    text = MINIMAL_BRIEF
    if "point" in replace:
        text = text.replace("  - Second point.", f"  - {replace['point']}")
    if "date" in replace:
        text = text.replace("date: 2025-07-04", f"date: {replace['date']}")
    return (text + replace.get("tail", "")).encode("utf-8", "surrogatepass")


def alias_bomb() -> bytes:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expected: tuple[str, ...]  # the exact problem lines, in order
    seconds: float = 15.0  # refused within this (the CLI starts in well under a second)


def case(name: str, data: bytes, *expected: str, seconds: float = 15.0) -> Case:
    return Case(name, data, expected, seconds)


CASES = [
    # --- nothing, or not a mapping
    case("empty", b"", f"{X}:1:1: file is empty (hint: a brief needs at least {REQUIRED})"),
    case("only-blank-lines", b"\n  \n\n", f"{X}:1:1: file is empty (hint: a brief needs at "
         f"least {REQUIRED})"),
    case("only-document-markers", b"---\n...\n", f"{X}:1:1: the top level must be a mapping of "
         "keys such as title: and date: (got nothing)"),
    case("top-level-list", b"- title: T\n- date: 2025-07-04\n", f"{X}:1:1: the top level must "
         "be a mapping of keys such as title: and date: (got a list)"),
    case("top-level-scalar", b"just some words\n", f"{X}:1:1: the top level must be a mapping "
         "of keys such as title: and date: (got text 'just some words')"),
    case("top-level-number", b"1.0\n", f"{X}:1:1: the top level must be a mapping of keys such "
         "as title: and date: (got text '1.0')"),
    case("two-documents", brief(tail="---\ntitle: Another\n"), f"{X}:18:1: YAML syntax error: "
         "but found another document (hint: a brief is one YAML document: remove the '---' line "
         "and what follows it, or make it a brief of its own)"),
    case("unclosed-quote", brief().replace(b"title: A small", b'title: "A small'),
         f"{X}:18:1: YAML syntax error: found unexpected end of stream (hint: check a quoted "
         "scalar that starts at line 1, column 8)"),
    case("complex-key", brief(tail="? [a, b]\n: c\n"), f"{X}:18:3: keys must be plain words"),
    case("list-given-as-text", brief().replace(b"key_points:\n  - First point [@src-a].\n",
                                               b"key_points: First point [@src-a].\n")
         .replace(b"  - Second point.\n", b""),
         f"{X}:8:13: key_points: must be a list (got text 'First point [@src-a].') "
         "(hint: write one '- item' per line below the key, or [first, second])"),
    # --- tabs
    case("tab-indenting-a-list-item", brief().replace(b"  - Second", b"\t- Second"),
         f"{X}:10:1: YAML syntax error: found character '\\t' that cannot start any token "
         "(hint: indent with spaces, not tabs)"),
    case("tab-indenting-a-nested-key", brief().replace(b"    publisher", b"\tpublisher"),
         f"{X}:16:1: YAML syntax error: found character '\\t' that cannot start any token "
         "(hint: indent with spaces, not tabs)"),
    # --- duplicate keys, at any depth
    case("duplicate-key-in-a-source", brief().replace(b"    publisher: Pub A\n",
                                                      b"    publisher: Pub A\n    title: B\n"),
         f"{X}:17:5: sources[0].title: duplicate key (first given on line 15) "
         "(hint: keep one of them)"),
    case("duplicate-key-in-a-section", brief(tail="sections:\n  - heading: H\n    body: B\n"
                                                  "    heading: H2\n"),
         f"{X}:21:5: sections[0].heading: duplicate key (first given on line 19) "
         "(hint: keep one of them)"),
    # --- dates
    case("date-day-and-month-ambiguous", brief(date="07/04/2025"),
         f"{X}:2:7: date: must be a date written YYYY-MM-DD (got text '07/04/2025') "
         "(hint: day and month are ambiguous: write 2025-04-07 or 2025-07-04)"),
    case("date-two-digit-year", brief(date="04.07.25"),
         f"{X}:2:7: date: must be a date written YYYY-MM-DD (got text '04.07.25') "
         "(hint: write the year in full, as YYYY-MM-DD: a two-digit year is ambiguous)"),
    case("date-year-first-with-slashes", brief(date="2025/7/4"),
         f"{X}:2:7: date: must be a date written YYYY-MM-DD (got text '2025/7/4') "
         "(hint: write 2025-07-04)"),
    case("date-without-a-day", brief(date="July 2025"),
         f"{X}:2:7: date: must be a date written YYYY-MM-DD (got text 'July 2025') "
         "(hint: give the day too: 2025-07-DD)"),
    case("date-impossible", brief(date="2025-13-01"), f"{X}:2:7: date: 2025-13-01 is not a "
         "real date"),
    case("timeline-dates-in-other-forms",
         brief(tail="timeline:\n  - date: 07/2025\n    event: E.\n  - date: March 2024\n"
                    "    event: F.\n"),
         f"{X}:19:11: timeline[0].date: must be a date written YYYY, YYYY-MM or YYYY-MM-DD "
         "(got text '07/2025') (hint: write 2025-07)",
         f"{X}:21:11: timeline[1].date: must be a date written YYYY, YYYY-MM or YYYY-MM-DD "
         "(got text 'March 2024') (hint: write 2024-03)"),
    # --- characters a PDF or a Word document cannot hold: typed into the file (reported at the
    # character) or spelt as an escape in quoted text (reported at the value)
    case("raw-nul", brief(point="Second\x00 point."), f"{X}:10:11: key_points[1]: contains "
         f"the control character U+0000 (NUL) {CONTROL_HINT}"),
    case("raw-vertical-tab", brief(point="Second\x0b point."), f"{X}:10:11: key_points[1]: "
         f"contains the control character U+000B (vertical tab) {CONTROL_HINT}"),
    case("raw-escape", brief(point="Second \x1b[31mred\x1b[0m point."),
         f"{X}:10:12: key_points[1]: contains the control character U+001B (escape) "
         f"{CONTROL_HINT}"),
    case("raw-delete-and-c1", brief(point="Second\x7f point.").replace(b"Watch this.",
                                                                     "Watch\x9b this.".encode()),
         f"{X}:10:11: key_points[1]: contains the control character U+007F (delete) "
         f"{CONTROL_HINT}",
         f"{X}:12:10: outlook[0]: contains the control character U+009B {CONTROL_HINT}"),
    case("raw-control-in-a-key", brief().replace(b"organisation:", b"organ\x01isation:"),
         f"{X}:6:6: contains the control character U+0001 {CONTROL_HINT}"),
    case("raw-control-in-a-comment", brief(tail="# a bell \x07 in a comment\n"),
         f"{X}:18:10: contains the control character U+0007 (bell) {CONTROL_HINT}"),
    case("raw-line-separator", brief(point="Second\u2028point."),
         f"{X}:10:11: key_points[1]: contains the line separator U+2028 (hint: replace it with "
         "a space or a new line: YAML reads it as a line break)"),
    case("escaped-nul", brief(point='"Second\\0 point."'), f"{X}:10:5: key_points[1]: "
         f"contains the control character U+0000 (NUL) {CONTROL_HINT}"),
    case("escaped-vertical-tab", brief(point='"Second\\v point."'), f"{X}:10:5: key_points[1]: "
         f"contains the control character U+000B (vertical tab) {CONTROL_HINT}"),
    case("escaped-escape", brief(point='"Second\\e[31m point."'), f"{X}:10:5: key_points[1]: "
         f"contains the control character U+001B (escape) {CONTROL_HINT}"),
    case("escaped-unpaired-surrogate", brief(point='"Second \\ud800 point."'),
         f"{X}:10:5: key_points[1]: contains an unpaired surrogate U+D800, which is not a "
         "character (hint: write the character itself, not \\u escapes for its two halves)"),
    case("escaped-surrogate-halves", brief(point='"Smile \\ud83d\\ude00"'),
         f"{X}:10:5: key_points[1]: contains an unpaired surrogate U+D83D, which is not a "
         "character (hint: write the character itself, not \\u escapes for its two halves)"),
    case("escaped-non-character", brief(point='"Second \\uFFFF point."'),
         f"{X}:10:5: key_points[1]: contains the non-character U+FFFF {CONTROL_HINT}"),
    # --- bytes that are not UTF-8 text
    case("latin-1", MINIMAL_BRIEF.replace("Second point.", "Second p\xe9int.").encode("latin-1"),
         f"{X}:10:13: file is not valid UTF-8 text (hint: save the file as UTF-8)"),
    case("utf-8-encoded-surrogate", brief().replace(b"Second point.", b"Second \xed\xa0\x80."),
         f"{X}:10:12: file is not valid UTF-8 text (hint: save the file as UTF-8)"),
    case("utf-16", MINIMAL_BRIEF.encode("utf-16"),
         f"{X}:1:1: file is not valid UTF-8 text (hint: it is saved as UTF-16: save it as "
         "UTF-8)"),
    case("binary", bytes(range(256)) * 4,
         # bytes 0-127 are ASCII; 10 ends line 1, so byte 128 is line 2, column 118
         f"{X}:2:118: file is not valid UTF-8 text (hint: save the file as UTF-8)"),
    case("nul-bytes", b"\x00" * 64, f"{X}:1:1: contains the control character U+0000 (NUL) "
         f"{CONTROL_HINT}"),
    # --- too big, too deep, too many: refused quickly, before memory or time runs away
    case("ten-megabytes", brief(tail="keywords:\n" + "  - padding padding padding\n" * 380_000),
         f"{X}: file is too large (10.6 MB; the limit is 1 MB) {TOO_LARGE_HINT}", seconds=5),
    # 9^9 values if expanded; refused at the 100,000th, inside the sixth level
    case("alias-bomb", alias_bomb(), f"{X}:1:11: f[0][3][3][7][2][1]: file expands to too many "
         "values (YAML alias bomb?)", seconds=10),
    case("nested-too-deeply", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
         f"{X}: file is nested too deeply", seconds=10),
    # --- YAML that would build objects in a less careful loader
    case("python-tag", brief().replace(b"title: A small brief",
                                       b"title: !!python/object/apply:os.system [echo hi]"),
         f"{X}:1:8: title: YAML tag !!python/object/apply:os.system is not allowed "
         "(hint: remove it: briefgen reads every value as the text typed)"),
    case("binary-tag", brief().replace(b"title: A small brief", b"title: !!binary aGk="),
         f"{X}:1:8: title: YAML tag !!binary is not allowed "
         "(hint: remove it: briefgen reads every value as the text typed)"),
    # --- empty values where something is needed
    case("empty-title", brief().replace(b"title: A small brief", b"title:"),
         f"{X}:1:7: title: is empty (hint: write its text after the colon)"),
    case("empty-key-points", brief().replace(b"  - First point [@src-a].\n  - Second point.\n",
                                             b""),
         f"{X}:8:12: key_points: is empty (hint: write one '- item' per line below the key)"),
    case("empty-section-item", brief(tail="sections:\n  -\n"),
         f"{X}:19:4: sections[0]: is an empty item (hint: write its keys below the dash, or "
         "delete the line)"),
    case("empty-section-body", brief(tail="sections:\n  - heading: H\n    body:\n"),
         f"{X}:20:10: sections[0].body: is empty (hint: write its text after the colon)"),
    case("blank-section-body", brief(tail="sections:\n  - heading: H\n    body: '   '\n"),
         f"{X}:20:11: sections[0].body: must not be empty (got text '   ')"),
]


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path, bad: Case) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / X).write_bytes(bad.data)
    started = time.monotonic()
    proc = run_cli(["build", X, "--out", "out"], tmp_path)
    seconds = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output and "Error" not in output
    assert [line for line in proc.stderr.splitlines() if line.startswith(X)] == list(
        bad.expected), output
    assert seconds < bad.seconds
    assert not (tmp_path / "out" / "x").exists()


def test_the_corpus_is_large() -> None:
    """The issue asks for every kind of bad input; keep the corpus from shrinking unnoticed."""
    assert len(CASES) >= 45
    assert len({c.name for c in CASES}) == len(CASES)


def test_500_key_points_fail_cleanly_on_the_page_budget(tmp_path: Path) -> None:
    points = "".join(f"  - Point number {n} about the situation.\n" for n in range(500))
    text = MINIMAL_BRIEF.replace("  - First point [@src-a].\n  - Second point.\n",
                                 f"  - First point [@src-a].\n{points}")
    (tmp_path / "content").mkdir()
    (tmp_path / X).write_text(text, encoding="utf-8")
    proc = run_cli(["build", X, "--out", "out"], tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith(X)]
    assert len(lines) == 1
    # refused on the cheap estimate (at least 7 pages, pagebudget.py), before any layout
    pages = int(re.fullmatch(rf"{X}: summary variant is at least (\d+) pages, budget is 2; "
                             r"shorten key_points or summary", lines[0])[1])
    assert pages > 5
    assert not (tmp_path / "out" / "x").exists()


def test_500_key_points_build_without_a_budget(tmp_path: Path) -> None:
    points = "".join(f"  - Point number {n} about the situation.\n" for n in range(500))
    text = MINIMAL_BRIEF.replace("  - Second point.\n", points)
    (tmp_path / "content").mkdir()
    (tmp_path / X).write_text(text, encoding="utf-8")
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  summary: null\n", encoding="utf-8")
    proc = run_cli(["build", X, "--out", "out", "--variant", "summary"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(str(tmp_path / "out" / "x" / "x-summary.pdf"))
    assert len(reader.pages) > 10
    assert "Point number 499 about" in reader.pages[-1].extract_text() + "".join(
        p.extract_text() for p in reader.pages[-3:])


def test_what_yaml_would_misread_is_kept_as_typed(tmp_path: Path) -> None:
    """NO, yes, off, 1.0, 0x1F and a date typed where text belongs stay exactly as typed; a
    byte-order mark is fine; an empty optional list is "not given"."""
    text = "\ufeff" + MINIMAL_BRIEF.replace("title: A small brief", "title: NO").replace(
        "  - Second point.", "  - yes\n  - 1.0\n  - 0x1F\n  - 2025-07-04\n  - off").replace(
        "organisation: Test Org", "organisation: 1e3") + "sections:\ntimeline: []\n"
    (tmp_path / "content").mkdir()
    (tmp_path / X).write_text(text, encoding="utf-8")
    proc = run_cli(["build", X, "--out", "out", "--variant", "summary", "--format", "pdf"],
                   tmp_path)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "out" / "x" / "x-summary.pdf"
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    lines = [line.strip() for line in words.splitlines()]
    for typed in ("NO", "yes", "1.0", "0x1F", "2025-07-04", "off"):
        assert any(line.endswith(typed) for line in lines), (typed, words)
    assert "1e3" in words
    assert PdfReader(str(pdf)).metadata["/Title"] == "NO"
