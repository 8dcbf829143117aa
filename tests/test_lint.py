"""`briefgen check`: lint rules with ids and severities, JSON for tools, --strict."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import MINIMAL_BRIEF, run_cli, write_brief

LONG = " ".join(["word"] * 70)


def lines(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("content/")]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_each_rule_reports_at_its_line_with_severity_and_id(tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    text = MINIMAL_BRIEF.replace("  - Second point.", f"  - {LONG}") + f"""\
  - id: src-b
    title: Never cited
    publisher: Pub B
reviewed: 2020-01-01
timeline:
  - date: 2024-05
    event: Later event.
  - date: 2023
    event: Earlier event.
  - date: {future}
    event: Far future.
"""
    write_brief(tmp_path, "x", text)
    result = run_cli(["check"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr  # warnings only
    expected = {
        "key-point-length": (line_of(text, LONG), "key_points[1]: is 70 words, budget is 60"),
        "unused-source": (line_of(text, "id: src-b"), "sources[1].id: source 'src-b' is never "
                          "cited"),
        "stale": (line_of(text, "reviewed:"), "reviewed: last reviewed"),
        "timeline-order": (line_of(text, "date: 2023"), "timeline[1].date: 2023 comes before "
                           "the previous event (2024-05)"),
        "future-date": (line_of(text, f"date: {future}"), f"timeline[2].date: {future} is in "
                        "the future"),
    }
    found = {line.rsplit("[", 1)[1].rstrip("]"): line for line in lines(result)}
    assert set(found) == set(expected)
    for rule, (number, start) in expected.items():
        line = found[rule]
        assert line.startswith(f"content/x.yaml:{number}:"), line
        assert f": warning: {start}" in line, line
    assert result.stderr.strip() == "0 errors, 5 warnings in 1 brief"
    strict = run_cli(["check", "--strict"], tmp_path)
    assert strict.returncode == 1


def test_summary_word_budget_is_configurable(tmp_path: Path) -> None:
    write_brief(tmp_path, "x", MINIMAL_BRIEF.replace("The bottom line", LONG))
    result = run_cli(["check"], tmp_path)
    assert [line.rsplit("[", 1)[1] for line in lines(result)] == []  # 70 < 120
    (tmp_path / "briefgen.yaml").write_text("lint:\n  summary_words: 50\n", encoding="utf-8")
    result = run_cli(["check"], tmp_path)
    (line,) = lines(result)
    assert ": warning: summary: is 70 words, budget is 50" in line
    assert line.endswith("[summary-length]")


def test_errors_fail_and_duplicates_across_briefs_are_errors(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    write_brief(tmp_path, "b")  # the same title as a
    (tmp_path / "content" / "sub").mkdir()
    (tmp_path / "content" / "sub" / "a.yaml").write_text(
        MINIMAL_BRIEF.replace("A small brief", "Another"), encoding="utf-8")
    write_brief(tmp_path, "c", MINIMAL_BRIEF.replace("[@src-a].\nkey", "[@nope].\nkey"))
    result = run_cli(["check", "content", "content/sub"], tmp_path)
    assert result.returncode == 1
    got = lines(result)
    assert any(x.startswith("content/c.yaml:") and ": error: summary: cites unknown source "
               "'nope'" in x and x.endswith("[unknown-source]") for x in got), got
    assert "content/b.yaml: error: title: same title as content/a.yaml (hint: make the titles "\
           "distinct) [duplicate-title]" in got
    assert any(x.startswith("content/sub/a.yaml: error: slug 'a' is also content/a.yaml")
               and x.endswith("[duplicate-slug]") for x in got), got


def test_json_format_gives_the_same_problems(tmp_path: Path) -> None:
    write_brief(tmp_path, "x", MINIMAL_BRIEF + "  - id: src-b\n    title: B\n    publisher: P\n")
    text = run_cli(["check"], tmp_path)
    data = json.loads(run_cli(["check", "--format", "json"], tmp_path).stdout)
    assert len(data) == len(lines(text)) == 1
    (item,) = data
    assert item["severity"] == "warning" and item["rule"] == "unused-source"
    assert item["path"] == "content/x.yaml" and isinstance(item["line"], int)
    assert item["field"] == "sources[1].id"


def test_default_brief_is_clean(tmp_path: Path) -> None:
    result = run_cli(["check", "--strict", "content"], Path(__file__).parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
