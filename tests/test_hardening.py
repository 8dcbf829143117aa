"""Regressions for inputs that once crashed or misled: aliases, malformed citations, odd links,
Word XML that must follow the schema's element order to open cleanly in Word, and words and
URLs too long for a line."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, REPO, SLUG, output_file, render_html, run_cli, write_brief
from docx import Document
from lxml import etree
from pypdf import PdfReader
from test_errors import REST, assert_reported, check
from test_publishing import TEMPLATES, _boxes
from weasyprint import HTML

from briefgen.config import Lint
from briefgen.document import Link, Text
from briefgen.lint import _words, check_file
from briefgen.load import load_brief
from briefgen.markup import parse_blocks, parse_inline
from briefgen.model import MARKER_LIKE
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


# --- bounds on work and memory, refused by `check` at the line to change


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is width x height: a few bytes on disk, gigabytes once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_images_too_large_or_damaged_are_refused_by_check(tmp_path: Path) -> None:
    images = tmp_path / "content" / "images"
    images.mkdir(parents=True)
    good = (REPO / "templates" / "logo.png").read_bytes()
    (images / "huge.png").write_bytes(png_header(30000, 30000))
    (images / "big.png").write_bytes(png_header(13000, 13000))
    (images / "wide.png").write_bytes(png_header(12000, 100))
    (images / "broken.png").write_bytes(good[:80] + b"\0" * 400)
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 400)
    (images / "fine.png").write_bytes(good)
    lines = [f"![{name}](images/{name})" for name in (
        "huge.png", "big.png", "wide.png", "broken.png", "broken.jpg", "fine.png")]
    body = "\n\n".join(f"      {line}" for line in lines)
    write_brief(tmp_path, "x", MINIMAL_BRIEF + f"sections:\n  - heading: H\n    body: |\n{body}\n")
    proc = run_cli(["check"], tmp_path)
    over = ", over the limit of 10000 on a side and 25 million in all (hint: save a smaller " \
           "version: 300 dpi across a page is 2500 pixels) [image-path]"
    damaged = "(hint: export it again as PNG or JPEG) [image-path]"
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "content/x.yaml:21:7: error: sections[0].body: image 'images/huge.png' is over the "
        "limit of 10000 pixels on a side and 25 million in all (hint: save a smaller version) "
        "[image-path]",
        f"content/x.yaml:23:7: error: sections[0].body: image 'images/big.png' is 13000 x 13000 "
        f"pixels{over}",
        f"content/x.yaml:25:7: error: sections[0].body: image 'images/wide.png' is 12000 x 100 "
        f"pixels{over}",
        "content/x.yaml:27:7: error: sections[0].body: image 'images/broken.png' is damaged and "
        f"cannot be read (broken data stream when reading image file) {damaged}",
        "content/x.yaml:29:7: error: sections[0].body: image 'images/broken.jpg' is damaged and "
        f"cannot be read (cannot identify image file 'images/broken.jpg') {damaged}",
    ]


@pytest.fixture
def own_templates(tmp_path: Path) -> Path:
    """A project with its own copy of the templates and the generated Word reference in it."""
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    write_brief(tmp_path, "x")
    assert run_cli(["reference-doc", "templates/house.docx"], tmp_path).returncode == 0
    return tmp_path


def use_reference(project: Path, name: str) -> None:
    brand = project / "templates" / "brand.yaml"
    brand.write_text(re.sub(r"(?m)^reference_docx:.*$", f"reference_docx: {name}",
                            brand.read_text()))


def repacked(source: Path, target: Path, change=None, extra: int = 0) -> None:
    """source's parts into target, each passed through change(name, data); with extra, one
    more part of that many zero bytes (it deflates a thousandfold)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, change(info.filename, data) if change else data)
        if extra:
            with new.open("word/media/padding.bin", "w", force_zip64=True) as part:
                for _ in range(extra // (1 << 20)):
                    part.write(b"\0" * (1 << 20))


def test_reference_docx_that_inflates_or_declares_a_dtd_is_refused(own_templates: Path) -> None:
    project, house = own_templates, own_templates / "templates" / "house.docx"
    use_reference(project, "house.docx")
    assert run_cli(["check"], project).returncode == 0
    repacked(house, project / "templates" / "bomb.docx", extra=1 << 30)
    assert (project / "templates" / "bomb.docx").stat().st_size < 2 * 1024 * 1024

    def dtd(name: str, data: bytes) -> bytes:
        if name != "word/styles.xml":
            return data
        return data.replace(b"?>", b'?><!DOCTYPE w:styles [<!ENTITY e "boom">]>', 1)

    repacked(house, project / "templates" / "dtd.docx", dtd)
    hint = "(hint: save it again from Word, or start from `briefgen reference-doc`)"
    for name, why in (("bomb.docx", "unpacks to more than 200 MB"),
                      ("dtd.docx", "part 'word/styles.xml' declares a DTD, which Word documents "
                                   "never do")):
        use_reference(project, name)
        for command in (["check"], ["build", "--format", "docx"]):
            proc = run_cli(command, project)
            assert proc.returncode == 1
            assert proc.stderr.splitlines()[0] == (
                f"templates/brand.yaml:12:17: reference_docx: {name} {why} {hint}"), proc.stderr
        assert not (project / "output").exists()


class _Clock:
    """CPU seconds spent in a block, to bound work done: not a speed figure (those live in
    benchmarks/), but a bound of 3 s, at least four times what the linear code takes at the
    largest size and far below what the quadratic code took (8 s for 64 kB of spaces, 15 s
    for 96 kB of '[@a')."""

    def __enter__(self) -> _Clock:
        self.start = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.process_time() - self.start


HOSTILE_TEXT = {
    "spaces": lambda n: "x" + " " * n + "x",  # 64 kB took 12.5 s: '\s*' before each position
    "open-citations": lambda n: "[@a" * (n // 3),  # 96 kB took 15 s: '[^\]]*' to the end
    "open-links": lambda n: "[" * n,
    "open-images": lambda n: "![" * (n // 2),
    "many-lines": lambda n: "a few words on one line, then\n" * n,  # joined line by line
    "stars": lambda n: "**a *" * (n // 5),
}


@pytest.mark.parametrize("kind", HOSTILE_TEXT, ids=list(HOSTILE_TEXT))
def test_markup_and_citations_are_parsed_in_linear_time(kind: str, tmp_path: Path) -> None:
    """Inputs of growing size through every scan of a text field: the Markdown renderer, the
    citation checks of the loader and the word counts of lint."""
    for size in (16_000, 64_000, 128_000):
        text = HOSTILE_TEXT[kind](size)
        with _Clock() as clock:
            for _, texts in parse_blocks(text):
                for one in texts:
                    parse_inline(one)
            list(MARKER_LIKE.finditer(text))
            _words(text)
        assert clock.seconds < 3.0, f"{kind}: size {size} took {clock.seconds:.1f} s"
    quoted = json.dumps(HOSTILE_TEXT[kind](96_000))
    write_brief(tmp_path, "x", MINIMAL_BRIEF.replace("summary: The bottom line [@src-a].",
                                                     f"summary: {quoted}"))
    with _Clock() as clock:
        check_file(tmp_path / "content" / "x.yaml", "x", Lint(), frozenset({"en"}),
                   tmp_path / "content", dt.date(2025, 7, 4))
    assert clock.seconds < 3.0, f"{kind}: check took {clock.seconds:.1f} s"


def test_what_cannot_be_laid_out_in_reasonable_time_is_refused_by_check(tmp_path: Path) -> None:
    word, ideographs = "W" * 1500, "中" * 3000  # Chinese breaks between any two characters
    text = (MINIMAL_BRIEF.replace("title: A small brief", f"title: A {word}")
            .replace("  - Second point.", f"  - {ideographs}")
            .replace("organisation: Test Org", "organisation: " + "Org " * 600)
            .replace("    url: https://example.org/a", f"    url: https://example.org/{word}"))
    write_brief(tmp_path, "x", text)
    proc = run_cli(["check"], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "content/x.yaml:1:8: error: title: has an unbroken word of 1500 characters, over the "
        "limit of 500 (hint: add spaces or hyphens; put a long address in a "
        "[link](https://...)) [schema]",
        "content/x.yaml:6:15: error: organisation: is 2399 characters, over the limit of 2000 "
        "(hint: shorten it: a page could not hold it) [schema]",
        "content/x.yaml:17:10: error: sources[0].url: is 1520 characters, over the limit of "
        "1000 (hint: shorten it: a page could not hold it) [schema]",
    ]


def test_a_summary_far_over_its_page_budget_fails_before_layout(tmp_path: Path) -> None:
    points = "".join(f"  - Point number {n} about the situation.\n" for n in range(15_000))
    write_brief(tmp_path, "x", MINIMAL_BRIEF.replace(
        "  - First point [@src-a].\n  - Second point.\n", f"  - First point [@src-a].\n{points}"))
    checked = run_cli(["check"], tmp_path)
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [
        "content/x.yaml:9:3: error: key_points: summary variant is at least 188 pages, budget "
        "is 2; shorten key_points or summary [page-budget]"]
    built = run_cli(["build", "--jobs", "1"], tmp_path)
    assert built.returncode == 1
    assert built.stderr.splitlines()[0] == (
        "content/x.yaml: summary variant is at least 188 pages, budget is 2; shorten key_points "
        "or summary")
    assert not (tmp_path / "output" / "x").exists()
    # without a budget, nothing is refused on the estimate
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  summary: null\n")
    assert run_cli(["check"], tmp_path).returncode == 0


# --- small ones


def test_citation_markers_where_no_note_is_shown_are_errors(tmp_path: Path) -> None:
    text = (MINIMAL_BRIEF.replace("title: A small brief", "title: A small brief [@src-a]")
            .replace("  - Ann Author", "  - Ann Author [@src-a; @src-b]")
            + "sections:\n  - heading: Background [@src-a]\n    body: Text [@src-a].\n"
            + "actors:\n  - name: China\n    role: Partner [@src-a]\n    stance: Wary [@src-a].\n")
    write_brief(tmp_path, "x", text)
    proc = run_cli(["check"], tmp_path)
    hint = ("(hint: cite sources in Markdown fields (summary, key_points, sections' body...); "
            "figures and quotes take a source: key) [citation-field]")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"content/x.yaml:1:22: error: title: citation '[@src-a]' would print as typed: this "
        f"field shows no notes {hint}",
        f"content/x.yaml:5:16: error: authors[0]: citation '[@src-a; @src-b]' would print as "
        f"typed: this field shows no notes {hint}",
        f"content/x.yaml:19:25: error: sections[0].heading: citation '[@src-a]' would print as "
        f"typed: this field shows no notes {hint}",
        f"content/x.yaml:23:19: error: actors[0].role: citation '[@src-a]' would print as "
        f"typed: this field shows no notes {hint}",
    ]


def test_an_empty_settings_file_gets_a_message_of_its_own(tmp_path: Path) -> None:
    write_brief(tmp_path, "x")
    (tmp_path / "briefgen.yaml").write_text("\n")
    proc = run_cli(["check"], tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "briefgen.yaml:1:1: file is empty (hint: every setting is optional: write one "
        "(pdf_variant, page_budget, lint), or delete the file to use the defaults)"]


@pytest.mark.parametrize("title", ["Line one\nline two", "One\u2028two", "One\u2029two",
                                   "  Tabs\tand\r\nreturns  "])
def test_new_with_a_line_separator_in_the_title_writes_a_brief_that_passes_check(
        tmp_path: Path, title: str) -> None:
    made = run_cli(["new", "water", "--title", title], tmp_path)
    assert made.returncode == 0, made.stderr
    checked = run_cli(["check", "content/water.yaml"], tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert load_brief(tmp_path / "content" / "water.yaml").title == " ".join(title.split())


SHARDS = {
    "not-json": ("{oops", "not a briefgen manifest (Expecting property name enclosed in double "
                          "quotes: line 1 column 2 (char 1))"),
    "a-list": ("[1, 2]", "not a briefgen manifest (no list of briefs)"),
    "briefs-not-a-list": ('{"briefs": {"a": 1}}', "not a briefgen manifest (no list of briefs)"),
    "deep": ('{"briefs": ' + "[" * 100_000 + "]" * 100_000 + "}",
             "not a briefgen manifest (nested too deeply)"),
    "not-utf-8": (b"\xff\xfe{}", "not a briefgen manifest ('utf-8' codec can't decode byte "
                                 "0xff in position 0: invalid start byte)"),
}


@pytest.mark.parametrize("kind", SHARDS, ids=list(SHARDS))
def test_a_malformed_shard_manifest_is_one_line_in_merge(tmp_path: Path, kind: str) -> None:
    data, message = SHARDS[kind]
    shard = tmp_path / "manifest.shard-1-of-2.json"
    shard.write_bytes(data if isinstance(data, bytes) else data.encode())
    proc = run_cli(["merge-manifests", shard.name, "--out", "site"], tmp_path)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [f"{shard.name}: {message}"]


def test_a_fifo_given_to_merge_is_one_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "manifest.shard-1-of-2.json")
    proc = run_cli(["merge-manifests", "manifest.shard-1-of-2.json"], tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "manifest.shard-1-of-2.json: not a briefgen manifest (is a named pipe (FIFO), not a "
        "file)"]
