"""The Word documents as LibreOffice shows them: opened headless, fields and the table of contents
updated, exported to PDF and read back with poppler.

Without LibreOffice these tests fail (run scripts/setup-tests): they never skip, so the suite
never passes without them. The footnote test reads the DOCX only and always runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import output_file
from libreoffice import (
    DocxReading,
    body_lines,
    fold,
    heading_line,
    is_toc_line,
    page_count,
    pages_of,
    read_docx,
    reading_text,
)

from briefgen.model import Brief

pytestmark = pytest.mark.slow  # drives LibreOffice or Chromium


@pytest.fixture(scope="module")
def reading(built: Path, variant: str) -> DocxReading:
    """The variant's DOCX read with python-docx and lxml."""
    return read_docx(output_file(built, variant, "docx"))


@pytest.fixture(scope="module")
def pages(lo_pdfs: dict[str, Path], variant: str) -> list[str]:
    """The text of each page of LibreOffice's PDF of the variant."""
    return pages_of(lo_pdfs[variant])


def test_page_counts(lo_pdfs: dict[str, Path]) -> None:
    """In LibreOffice the summary fits on two pages and the full brief runs longer."""
    summary, full = page_count(lo_pdfs["summary"]), page_count(lo_pdfs["full"])
    assert summary <= 2, f"the summary takes {summary} pages in LibreOffice"
    assert full > summary


def test_headings_key_points_and_footnotes_are_shown(pages: list[str],
                                                     reading: DocxReading) -> None:
    """Every Heading 1, key point and footnote text of the DOCX shows in LibreOffice's PDF."""
    assert reading.headings and reading.key_points and reading.notes
    text = reading_text(pages, reading.furniture, reading.shown_notes)
    everything = fold("".join(pages))
    missing = [h for h in reading.headings if fold(h) not in text]
    missing += [p for p in reading.key_points if fold(p) not in text]
    missing += [n for n in reading.notes if fold(n) not in everything]
    assert not missing, f"not shown by LibreOffice: {missing}"


def _heading_pages(pages: list[str], reading: DocxReading) -> dict[str, int]:
    """The page (from 1) on which each Heading 1 stands in the body, searched in order."""
    lines = body_lines(pages, reading.furniture)
    found: dict[str, int] = {}
    page, start = 0, 0
    for heading in reading.headings:
        while page < len(lines):
            index = heading_line(lines[page], heading, start)
            if index >= 0:
                found[heading], start = page + 1, index + 1
                break
            page, start = page + 1, 0
        assert heading in found, f"heading {heading!r} not found on a line of its own, in order"
    return found


def test_table_of_contents_is_filled_with_true_page_numbers(lo_pdfs: dict[str, Path],
                                                            built: Path) -> None:
    """After CONTENTS the full brief lists each Heading 1 with the page it is on in LibreOffice."""
    reading = read_docx(output_file(built, "full", "docx"))
    pages = pages_of(lo_pdfs["full"])
    lines = [line.strip() for page in body_lines(pages, reading.furniture) for line in page
             if line.strip()]
    assert "contents" in [fold(line) for line in lines], "no CONTENTS line"
    after = lines[[fold(line) for line in lines].index("contents") + 1:]
    entries = after[:len(reading.headings)]
    assert all(is_toc_line(line) for line in entries), (
        f"the table of contents is not filled with one line per heading: {entries}")
    parsed = [re.fullmatch(r"(.*?)[\s.\u2026]+(\d+)", line) for line in entries]
    listed = [(" ".join(m[1].split()), int(m[2])) for m in parsed if m]
    actual = _heading_pages(pages, reading)
    assert listed == [(heading, actual[heading]) for heading in reading.headings]


def test_every_page_shows_page_n_of_m_and_the_marking(pages: list[str], brief: Brief) -> None:
    """Each page's footer says 'Page N of M' with the true N and M; each page is marked."""
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        shown = re.findall(r"Page\s+(\d+)\s+of\s+(\d+)", page)
        assert shown == [(str(number), str(total))], f"page {number} shows {shown}"
        assert brief.classification in page, f"page {number} has no classification marking"


def test_footnotes_match_the_numbered_sources(reading: DocxReading) -> None:
    """One footnote per numbered source, numbered in order, note k saying what source k says."""
    sources = reading.sources
    assert len(reading.notes) == len(sources) > 0
    first_marks = list(dict.fromkeys(reading.note_ids_in_order))
    assert first_marks == list(range(1, len(sources) + 1)), (
        "footnotes must be referenced in the order of their ids, so Word numbers note k as k")
    assert len(first_marks) == len(reading.note_ids_in_order), "a note is referenced twice"
    for number, (note, source) in enumerate(zip(reading.notes, sources, strict=True), start=1):
        prefix = f"{number}. "  # the shown text turns the tab after "k." into a space
        assert source.startswith(prefix), f"source {number} is numbered {source.split()[0]!r}"
        assert note == source.removeprefix(prefix), f"footnote {number} differs from source"
