"""Regressions for inputs that once crashed or misled: aliases, malformed citations, odd links,
Word XML that must follow the schema's element order to open cleanly in Word, and words and
URLs too long for a line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, SLUG, output_file, render_html, run_cli, write_brief
from docx import Document
from lxml import etree
from pypdf import PdfReader
from test_errors import REST, assert_reported, check
from test_publishing import TEMPLATES, _boxes
from weasyprint import HTML

from briefgen.document import Link, Text
from briefgen.load import load_brief
from briefgen.markup import parse_inline
from briefgen.writers.wordxml import SCHEMA_ORDER

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_self_referencing_alias_is_a_content_error(tmp_path: Path) -> None:
    proc = check(tmp_path, "title: &a [*a]\n")
    assert_reported(proc, "content/x.yaml:1:8: title[0]: an alias here refers to a value "
                          "that contains it")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    proc = check(tmp_path, "\n".join(lines) + "\n")
    assert proc.returncode == 1
    assert "too many values" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_malformed_citation_is_reported_not_printed(tmp_path: Path) -> None:
    text = MINIMAL_BRIEF.replace("- Second point.", "- Second point [@Src-A].")
    proc = check(tmp_path, text)
    assert_reported(proc, "content/x.yaml:10:18: key_points[1]: malformed citation '[@Src-A]' "
                          "(hint: write [@id] or [@id; @other-id] with lower-case ids)")


def test_each_unknown_citation_gets_its_own_column(tmp_path: Path) -> None:
    text = "title: T\ndate: 2025-07-04\n" + REST.replace(
        "key_points: [A point.]", "key_points:\n  - see [@nope-x] and [@nope] ok"
    )
    proc = check(tmp_path, text)
    assert_reported(
        proc,
        "content/x.yaml:8:9: key_points[0]: cites unknown source 'nope-x' "
        "(hint: add a sources list with this id)",
        "content/x.yaml:8:23: key_points[0]: cites unknown source 'nope' "
        "(hint: add a sources list with this id)",
    )


def test_links_with_parentheses() -> None:
    assert parse_inline("[x](https://en.wikipedia.org/wiki/Foo_(bar)) after") == (
        Link("https://en.wikipedia.org/wiki/Foo_(bar)", (Text("x"),)), Text(" after"))
    assert parse_inline("[click](javascript:alert(1)) after") == (Text("click after"),)


def test_docx_properties_follow_schema_order(built: Path) -> None:
    """Word rejects out-of-order children; check every pPr, tcPr and tblPr we write."""
    for variant in ("summary", "full"):
        path = output_file(built, variant, "docx")
        with zipfile.ZipFile(path) as package:
            for part in ("word/document.xml", "word/styles.xml"):
                root = etree.fromstring(package.read(part))
                for name, order in SCHEMA_ORDER.items():
                    rank = {f"{W}{n}": i for i, n in enumerate(order.split())}
                    for element in root.iter(f"{W}{name}"):
                        seen = [rank[c.tag] for c in element if c.tag in rank]
                        assert seen == sorted(seen), f"{SLUG} {variant} {part}: {name} order"


# --- a 400-character word and a 300-character URL: built, and wrapped inside the page

WORD = "W" * 400
URL = "https://example.org/" + "a" * 280
LONG_EVERYWHERE = f"""\
title: Long words
subtitle: Sub
date: 2025-07-04
classification: UNCLASSIFIED
authors: [Ann Author]
organisation: Org {WORD}
summary: Summary {WORD}, see [{URL}]({URL}) [@src-a].
key_points:
  - Point {WORD} [@src-a].
  - {URL}
sections:
  - heading: Background
    body: |
      Body {WORD}

      - item {WORD} {URL}
timeline:
  - date: 2020
    event: Event {WORD}
actors:
  - name: Name
    role: Role {WORD}
    stance: Stance {WORD}
figures:
  - value: "1{WORD}"
    label: Label {WORD}
    source: src-a
quotes:
  - text: Quote {WORD}
    speaker: Speaker {WORD}
    role: Role {WORD}
    source: src-a
outlook:
  - Outlook {WORD}
recommendations:
  - Recommendation {WORD}
sources:
  - id: src-a
    title: Title {WORD}
    publisher: Pub {WORD}
    url: {URL}
"""


def overflowing(brief_text: str, tmp_path: Path) -> list[str]:
    """Text that runs past the right edge of a page, in either variant, header and footer
    included: (variant, page, element, text) for each."""
    path = tmp_path / "long.yaml"
    path.write_text(brief_text, encoding="utf-8")
    brief = load_brief(path)
    found = []
    for variant in ("summary", "full"):
        document = HTML(string=render_html(brief, variant, TEMPLATES),
                        base_url=str(TEMPLATES)).render()
        for number, page in enumerate(document.pages, start=1):
            box = page._page_box
            right = box.margin_left + box.padding_left + box.width + 0.5  # CSS px
            for child in _boxes(box):
                if type(child).__name__ == "TextBox" and child.position_x + child.width > right:
                    found.append(f"{variant} p{number} <{getattr(child, 'element_tag', None)}> "
                                 f"{child.text[:20]}")
    return found


def test_long_words_and_urls_build_and_wrap_in_every_text_field(tmp_path: Path) -> None:
    write_brief(tmp_path, "long", LONG_EVERYWHERE)
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  summary: null\n", encoding="utf-8")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "output" / "long"
    for variant in ("summary", "full"):
        text = "".join(p.extract_text() for p in PdfReader(
            str(folder / f"long-{variant}.pdf")).pages)
        assert text.count("W" * 20) >= 20  # the words are there, wrapped over lines
        assert Document(str(folder / f"long-{variant}.docx")).paragraphs
    assert overflowing(LONG_EVERYWHERE, tmp_path) == []


@pytest.mark.parametrize("field,line", [("title", "title: Long words"),
                                        ("classification", "classification: UNCLASSIFIED"),
                                        ("heading", "  - heading: Background")])
def test_long_words_wrap_in_titles_headings_and_page_margins(tmp_path: Path, field: str,
                                                             line: str) -> None:
    assert overflowing(LONG_EVERYWHERE.replace(line, f"{line} {WORD}"), tmp_path) == []


@pytest.mark.parametrize("line,long", [
    ("subtitle: Sub", f"subtitle: Sub {WORD}"),
    ("authors: [Ann Author]", f"authors: [Ann {WORD}]"),
    ("  - name: Name", "  - name: " + ", ".join(f"Actor number {n}" for n in range(20))),
])
def test_docx_metadata_longer_than_255_characters_builds(tmp_path: Path, line: str,
                                                         long: str) -> None:
    write_brief(tmp_path, "long", LONG_EVERYWHERE.replace(line, long))
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  summary: null\n", encoding="utf-8")
    result = run_cli(["build", "--format", "docx"], tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("date", ["1979-12-31", "2108-01-01"])
def test_a_brief_dated_outside_zip_years_builds_its_docx(tmp_path: Path, date: str) -> None:
    write_brief(tmp_path, "old", MINIMAL_BRIEF.replace("date: 2025-07-04", f"date: {date}"))
    result = run_cli(["build", "--format", "docx"], tmp_path)
    assert result.returncode == 0, result.stderr
