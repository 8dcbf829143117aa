"""The PDFs as a reader sees them: text through pdftotext, pages, fonts and metadata."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import (
    VARIANTS,
    cited_in_order,
    headings,
    output_file,
    slice_of,
    spoken_date,
    squash,
)
from pypdf import PdfReader

from briefgen.model import Brief


def pdftotext(pdf: Path, page: int | None = None) -> str:
    """The text of a PDF (or of one page) in reading order, as poppler extracts it."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"],
                            capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def pdf(built: Path, variant: str) -> Path:
    return output_file(built, variant, "pdf")


@pytest.fixture(scope="module")
def text(pdf: Path) -> str:
    return pdftotext(pdf)


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_title_is_shown(text: str, brief: Brief) -> None:
    assert squash(brief.title) in squash(text)


def test_every_key_point_is_shown(text: str, brief: Brief) -> None:
    for point in brief.key_points:
        assert squash(slice_of(point)) in squash(text), f"key point missing: {slice_of(point)!r}"


def test_headings_appear_in_order(text: str, brief: Brief, variant: str) -> None:
    # Case-folded: some headings are set in capitals by the CSS ("BOTTOM LINE").
    shown = squash(text).casefold()
    position = 0
    for heading in headings(brief, variant):
        found = shown.find(squash(heading).casefold(), position)
        assert found >= 0, f"heading {heading!r} missing or out of order"
        position = found + 1


def test_sources_are_numbered_in_order_of_first_citation(text: str, brief: Brief,
                                                          variant: str) -> None:
    assert "Sources" in lines(text)
    order = cited_in_order(brief, variant)
    assert len(order) >= 2, "the brief should cite several sources"
    listing = text[text.rindex("Sources"):]
    for number, source_id in enumerate(order, start=1):
        source = brief.source(source_id)
        assert source is not None
        entry = f"{number}. {source.publisher}, “{source.title}”"
        assert squash(entry) in squash(listing), f"source {number} should be {source_id}"
    numbers = [int(m[1]) for m in re.finditer(r"^(\d{1,2})\. \S", listing, re.MULTILINE)]
    assert numbers == list(range(1, len(order) + 1))


def test_page_counts(built: Path) -> None:
    assert page_count(output_file(built, "summary", "pdf")) <= 2, "the summary must fit on 2 pages"
    assert page_count(output_file(built, "full", "pdf")) >= 4


def test_every_font_is_embedded(pdf: Path) -> None:
    report = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = report.stdout.splitlines()[2:]  # after the header and the dashed rule
    assert rows, "pdffonts listed no fonts"
    for row in rows:
        match = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row)
        assert match, f"unexpected pdffonts row: {row!r}"
        assert match[1] == "yes", f"font not embedded: {row.split()[0]}"


def test_every_page_has_marking_and_page_number(pdf: Path, brief: Brief) -> None:
    total = page_count(pdf)
    for page in range(1, total + 1):
        shown = pdftotext(pdf, page)
        assert shown.count(brief.classification) >= 2, (
            f"page {page}: classification should be marked at the top and the bottom")
        assert f"Page {page} of {total}" in shown


def test_metadata_matches_the_brief(pdf: Path, brief: Brief) -> None:
    meta = PdfReader(pdf).metadata
    assert meta is not None
    assert meta.title == brief.title
    assert meta.author == ", ".join(brief.authors)


def test_full_variant_shows_everything(built: Path, brief: Brief) -> None:
    full = squash(pdftotext(output_file(built, "full", "pdf")))
    expected = [
        *(spoken_date(event.date) for event in brief.timeline),
        *(slice_of(event.event) for event in brief.timeline),
        *(actor.name for actor in brief.actors),
        *(actor.role for actor in brief.actors),
        *(figure.value for figure in brief.figures),
        *(figure.label for figure in brief.figures),
        *(f"“{quote.text}”" for quote in brief.quotes),
        *(quote.speaker for quote in brief.quotes),
        *(section.heading for section in brief.sections),
        *(slice_of(item) for item in brief.recommendations),
    ]
    missing = [item for item in expected if squash(item) not in full]
    assert not missing


def test_summary_leaves_out_the_analysis(built: Path, brief: Brief) -> None:
    text = pdftotext(output_file(built, "summary", "pdf"))
    shown = lines(text)
    for heading in ("Timeline", "Actors", "In numbers", "In their words", "Recommendations",
                    *(s.heading for s in brief.sections)):
        assert heading not in shown
    squashed = squash(text)
    for actor in brief.actors:
        assert squash(actor.role) not in squashed
    for event in brief.timeline:
        assert squash(slice_of(event.event)) not in squashed
    for quote in brief.quotes:
        assert squash(quote.text) not in squashed
    for figure in brief.figures:
        assert squash(figure.label) not in squashed
