"""Bad content through the real CLI: one exact line per problem, pinned to line and column.

Each fixture is written inline; the numbered comments give the line numbers the messages use.
`briefgen check` is used where no rendering is needed, to keep the suite fast.
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, run_cli, write_brief

import briefgen

SHOWN = "content/x.yaml"  # how the CLI names the file when run from the project folder

# The required keys after title and date, reused by the fixtures below (6 lines).
REST = """\
classification: UNCLASSIFIED
authors: [Ann Author]
organisation: Test Org
summary: The bottom line.
key_points: [A point.]
outlook: [Watch this.]
"""


def output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


_LINT = re.compile(r"^(?P<where>\S+?): (?:error|warning): (?P<rest>.*) \[[a-z-]+\]$")


def problems(proc: subprocess.CompletedProcess[str], shown: str = SHOWN) -> list[str]:
    """The lines of the CLI's output that report a problem in the file, in the build's form
    (`check` adds the severity after the place and the rule id at the end)."""
    lines = [line for line in output(proc).splitlines() if line.startswith(f"{shown}:")]
    return [_LINT.sub(r"\g<where>: \g<rest>", line) for line in lines]


def check(project: Path, text: str) -> subprocess.CompletedProcess[str]:
    write_brief(project, "x", textwrap.dedent(text))
    return run_cli(["check", SHOWN], cwd=project)


def assert_reported(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert proc.returncode == 1, output(proc)
    assert "Traceback" not in output(proc)
    assert problems(proc) == list(expected), output(proc)


CASES = {
    # (a) An unclosed flow list: PyYAML notices on line 4, where `outlook:` cannot be a list item;
    # the hint points back at the '[' that opened the list on line 3, column 13.
    "yaml-unclosed-list": (
        """\
        title: T
        date: 2025-07-04
        key_points: [a, b
        outlook: [o]
        """,
        #  1 title / 2 date / 3 key_points: [a, b  ('[' is column 13) / 4 outlook: (':' col 8)
        f"{SHOWN}:4:8: YAML syntax error: expected ',' or ']', but got ':' "
        "(hint: check a flow sequence that starts at line 3, column 13)",
    ),
    # (a) A key indented by one space under a scalar value: the ':' on line 3 is column 9.
    "yaml-bad-indent": (
        """\
        title: T
        date: 2025-07-04
         summary: x
        """,
        f"{SHOWN}:3:9: YAML syntax error: mapping values are not allowed here (hint: a value "
        "containing ': ' must be in quotes, e.g. title: \"Russia: first mover\"; otherwise "
        "check the indentation of this line)",
    ),
    # (b) No title: the error sits at the start of the top-level mapping.
    "missing-title": (
        "date: 2025-07-04\n" + REST,
        f"{SHOWN}:1:1: title: is required",
    ),
    # (c) The third key point (index 2) is a mapping; its first key is line 10, column 5.
    "wrong-type": (
        """\
        title: T
        date: 2025-07-04
        classification: UNCLASSIFIED
        authors: [Ann Author]
        organisation: Test Org
        summary: The bottom line.
        key_points:
          - one
          - two
          - text: three
        outlook: [Watch this.]
        """,
        #  7 key_points: / 8 - one / 9 - two / 10 "  - text: three" ('t' is column 5)
        f"{SHOWN}:10:5: key_points[2]: must be a string (got a mapping)",
    ),
    # (g) A tab in the indentation on line 4: the tab is column 1.
    "tab-indent": (
        "title: T\ndate: 2025-07-04\nauthors:\n\t- Ann Author\n",
        f"{SHOWN}:4:1: YAML syntax error: found character '\\t' that cannot start any token "
        "(hint: indent with spaces, not tabs)",
    ),
    # (h) An empty file.
    "empty": (
        "",
        f"{SHOWN}:1:1: file is empty (hint: a brief needs at least title, date, classification, "
        "authors, organisation, summary, key_points, outlook)",
    ),
    # (h) Only a comment is as good as empty.
    "only-comment": (
        "# nothing here yet\n",
        f"{SHOWN}:1:1: file is empty (hint: a brief needs at least title, date, classification, "
        "authors, organisation, summary, key_points, outlook)",
    ),
    # (i) A list at the top level.
    "top-level-list": (
        """\
        - title: T
        - date: 2025-07-04
        """,
        f"{SHOWN}:1:1: the top level must be a mapping of keys such as title: and date: "
        "(got a list)",
    ),
    # (j) A day-first date on line 2; the value starts at column 7.
    "day-first-date": (
        "title: T\ndate: 04/07/2025\n" + REST,
        f"{SHOWN}:2:7: date: must be a date written YYYY-MM-DD (got text '04/07/2025') "
        "(hint: day and month are ambiguous: write 2025-04-07 or 2025-07-04)",
    ),
    # (j) An impossible ISO date is also caught, at the value.
    "impossible-date": (
        "title: T\ndate: 2025-02-30\n" + REST,
        f"{SHOWN}:2:7: date: 2025-02-30 is not a real date",
    ),
    # Empty key_points list on line 7 (title, date, then the 5th line of REST): "[" is column 13.
    "empty-list": (
        "title: T\ndate: 2025-07-04\n" + REST.replace("key_points: [A point.]", "key_points: []"),
        f"{SHOWN}:7:13: key_points: must have at least 1 item",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_line_per_problem(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert_reported(check(tmp_path, text), expected)


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    proc = check(tmp_path, "title: T\ndate: 2025-07-04\n" + REST.replace("summary:", "sumary:"))
    # Line 6 holds the misspelt key; one line says so, not a second "summary: is required".
    assert_reported(proc, f"{SHOWN}:6:1: sumary: unknown key (hint: did you mean 'summary'?)")


def test_unknown_key_in_a_nested_mapping(tmp_path: Path) -> None:
    proc = check(tmp_path, "title: T\ndate: 2025-07-04\n" + REST + textwrap.dedent("""\
        sources:
          - id: src-a
            title: Source A
            publisher: Pub A
            ulr: https://example.org/
        """))
    # 9 sources: / 10 - id / 11 title / 12 publisher / 13 "    ulr:" (column 5)
    assert_reported(proc, f"{SHOWN}:13:5: sources[0].ulr: unknown key (hint: did you mean 'url'?)")


def test_unknown_citation_points_at_the_marker(tmp_path: Path) -> None:
    proc = check(tmp_path, """\
        title: T
        date: 2025-07-04
        classification: UNCLASSIFIED
        authors: [Ann Author]
        organisation: Test Org
        summary: The bottom line [@src-a].
        key_points:
          - >-
            A folded point whose second line
            has the bad marker [@nope] in it.
        outlook: [Watch this.]
        sources:
          - id: src-a
            title: Source A
            publisher: Pub A
        """)
    # Line 10 is "    has the bad marker [@nope] in it.": 4 spaces + 19 characters, '[' at 24.
    assert_reported(proc, f"{SHOWN}:10:24: key_points[0]: cites unknown source 'nope' "
                          "(hint: add it to sources)")


def test_near_miss_citation_suggests_the_source(tmp_path: Path) -> None:
    proc = check(tmp_path, MINIMAL_BRIEF.replace("Second point.", "Second point [@src-b]."))
    # MINIMAL_BRIEF line 10 is "  - Second point [@src-b].": '[' is column 18.
    assert_reported(proc, f"{SHOWN}:10:18: key_points[1]: cites unknown source 'src-b' "
                          "(hint: did you mean 'src-a'?)")


def test_duplicate_key(tmp_path: Path) -> None:
    proc = check(tmp_path, "title: T\ndate: 2025-07-04\ntitle: U\n" + REST)
    # The second title is line 3.
    assert_reported(proc, f"{SHOWN}:3:1: title: duplicate key (first given on line 1) "
                          "(hint: keep one of them)")


def test_every_problem_is_reported_in_line_order(tmp_path: Path) -> None:
    proc = check(tmp_path, """\
        title: T
        date: someday
        classification: UNCLASSIFIED
        authors: []
        organisation: Test Org
        summary: The bottom line.
        key_points: [A point.]
        outlook: [Watch this.]
        language: English
        """)
    assert_reported(
        proc,
        f"{SHOWN}:2:7: date: must be a date written YYYY-MM-DD (got text 'someday')",
        f"{SHOWN}:4:10: authors: must have at least 1 item",
        f"{SHOWN}:9:11: language: is not in the expected form (got text 'English') "
        "(hint: use a language tag such as en or ru)",
    )
    assert proc.stderr.strip().splitlines()[-1] == "3 errors, 0 warnings in 1 brief"


def test_good_brief_checks_clean(tmp_path: Path) -> None:
    write_brief(tmp_path, "good")
    proc = run_cli(["check"], cwd=tmp_path)
    assert proc.returncode == 0, output(proc)
    assert proc.stderr.strip() == "1 brief OK"


def test_broken_brief_does_not_stop_a_good_one(tmp_path: Path) -> None:
    write_brief(tmp_path, "good")
    write_brief(tmp_path, "broken", "title: T\ndate: 04/07/2025\n" + REST)
    out = tmp_path / "out"
    proc = run_cli(["build", "content/broken.yaml", "content/good.yaml", "--out", out],
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in output(proc)
    assert problems(proc, "content/broken.yaml") == [
        "content/broken.yaml:2:7: date: must be a date written YYYY-MM-DD (got text '04/07/2025') "
        "(hint: day and month are ambiguous: write 2025-04-07 or 2025-07-04)"
    ]
    assert "built content/good.yaml -> out/good/ (4 files" in proc.stdout
    tail = proc.stderr.strip().splitlines()[-3:]
    assert tail[0].startswith("1 brief built, 0 unchanged, 1 failed in ")
    assert tail[1:] == ["Failed:", f"  {problems(proc, 'content/broken.yaml')[0]}"]
    assert sorted(p.name for p in (out / "good").iterdir()) == [
        "good-full.docx", "good-full.pdf", "good-summary.docx", "good-summary.pdf"]
    assert all(p.stat().st_size > 1000 for p in (out / "good").iterdir())
    assert not (out / "broken").exists()
    assert sorted(p.name for p in out.iterdir()) == ["good", "index.html", "manifest.json"]


@pytest.mark.parametrize("command", ["build", "check"])
def test_debug_still_prints_one_line_for_content_errors(tmp_path: Path, command: str) -> None:
    write_brief(tmp_path, "x", "title: T\ndate: 04/07/2025\n" + REST)
    args = [command, "--debug", SHOWN] + (["--out", tmp_path / "out"] if command == "build" else [])
    proc = run_cli(args, cwd=tmp_path)
    assert_reported(proc, f"{SHOWN}:2:7: date: must be a date written YYYY-MM-DD "
                          "(got text '04/07/2025') "
                          "(hint: day and month are ambiguous: write 2025-04-07 or 2025-07-04)")
    # No brief's files: only the manifest and index that record the failure.
    out = tmp_path / "out"
    assert not out.exists() or sorted(p.name for p in out.iterdir()) == [
        "index.html", "manifest.json"]


def test_version(tmp_path: Path) -> None:
    proc = run_cli(["--version"], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"briefgen, version {briefgen.__version__}"


def test_unknown_variant_is_a_usage_error(tmp_path: Path) -> None:
    write_brief(tmp_path, "good")
    proc = run_cli(["build", "--variant", "nope", "--out", tmp_path / "out"], cwd=tmp_path)
    assert proc.returncode == 2
    assert "Invalid value for '--variant'" in proc.stderr
    assert "Traceback" not in output(proc)
    assert not (tmp_path / "out").exists()


def test_no_briefs_found_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    proc = run_cli(["check"], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "Error: no briefs found in content/ (run briefgen in the folder that holds content/, "
        "or name the files to build)")
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli(["build", "empty"], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "Error: no briefs found in empty/ (add a .yaml file there or name one)")


def test_folders_hold_yaml_and_yml_briefs(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    (tmp_path / "content" / "a.yaml").rename(tmp_path / "content" / "b.yml")
    proc = run_cli(["check", "content"], cwd=tmp_path)
    assert proc.returncode == 0, output(proc)
    assert proc.stderr.strip() == "1 brief OK"


def test_a_mistyped_path_is_a_usage_error_before_anything_is_built(tmp_path: Path) -> None:
    write_brief(tmp_path, "good")
    for command in (["build", "--out", "out"], ["check"]):
        proc = run_cli([*command, "content/god.yaml", "content/good.yaml"], cwd=tmp_path)
        assert proc.returncode == 2, command
        assert proc.stderr == ("content/god.yaml: no such file or folder "
                               "(hint: did you mean content/good.yaml?)\n")
        assert proc.stdout == ""
    assert not (tmp_path / "out").exists()
    proc = run_cli(["build", "elsewhere/x.yaml"], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == ("elsewhere/x.yaml: no such file or folder "
                           "(hint: name a brief file or a folder of them)\n")


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    write_brief(tmp_path, "good")
    (tmp_path / "blocker").write_text("a file where the output folder should go")
    proc = run_cli(["build", "content/good.yaml", "--format", "docx", "--out", "blocker/out"],
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in output(proc)
    assert problems(proc, "content/good.yaml") == [
        "content/good.yaml: cannot write blocker/out/good: Not a directory"]
    assert proc.stderr.splitlines()[-1] == "cannot write blocker/out: Not a directory"
