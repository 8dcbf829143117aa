"""Parity: the WeasyPrint PDF and the Word document (as LibreOffice prints it) show the same
headings, key points, figures and numbered sources, in the same order.

How texts are compared. Citation numbers are superscript runs glued to the word before them
("August 2021" + "1,2" reads "August 20211,2" in pdftotext), so stripping digits after words
would also eat years ("2023" + "6"). Instead each DOCX paragraph is rebuilt as a reader sees it,
citation numbers included: a footnote reference mark shows its number in document order, a
NOTEREF field the number of the note it points to (see `libreoffice.shown_text`). Both sides are
then folded (`libreoffice.fold`: no whitespace or hyphens, case-folded), so line breaks,
auto-hyphenation and headings set in capitals do not matter, while words and citation numbers
must agree exactly. The PDF side leaves out running headers and footers, contents lines and
LibreOffice's footnote blocks, so a paragraph broken by a page break still reads on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import output_file
from libreoffice import (
    DocxReading,
    body_lines,
    find_in_order,
    heading_line,
    pages_of,
    read_docx,
    reading_text,
)

pytestmark = pytest.mark.slow  # drives LibreOffice or Chromium

RENDERERS = ("weasyprint", "libreoffice")


@pytest.fixture(params=RENDERERS)
def renderer(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def reading(built: Path, variant: str) -> DocxReading:
    """The variant's DOCX read with python-docx and lxml: the expected items."""
    return read_docx(output_file(built, variant, "docx"))


@pytest.fixture
def pages(request: pytest.FixtureRequest, built: Path, variant: str, renderer: str) -> list[str]:
    """The pages of the variant's PDF from one renderer (LibreOffice only if installed)."""
    if renderer == "weasyprint":
        return pages_of(output_file(built, variant, "pdf"))
    return pages_of(request.getfixturevalue("lo_pdfs")[variant])


def test_headings_in_order(pages: list[str], reading: DocxReading) -> None:
    """Every Heading 1 of the DOCX stands on a line of its own in the PDF, in the same order."""
    assert reading.headings
    lines = [line for page in body_lines(pages, reading.furniture) for line in page]
    missing: list[str] = []
    start = 0
    for heading in reading.headings:
        index = heading_line(lines, heading, start)
        if index < 0:
            missing.append(heading)
        else:
            start = index + 1
    assert not missing, f"headings missing or out of order: {missing}"


def test_key_points_in_order(pages: list[str], reading: DocxReading) -> None:
    """Every key point, with its citation numbers, shows in the PDF in the same order."""
    assert reading.key_points
    text = reading_text(pages, reading.furniture, reading.shown_notes)
    missing = find_in_order(text, reading.key_points)
    assert not missing, f"key points missing or out of order: {missing}"


def test_figures_in_order(pages: list[str], reading: DocxReading, variant: str) -> None:
    """The full brief's figure values and labels (table cards in the DOCX) show in order."""
    if variant == "summary":
        assert not reading.figure_values, "the summary should have no figures"
        return
    assert reading.figure_values and len(reading.figure_labels) == len(reading.figure_values)
    text = reading_text(pages, reading.furniture, reading.shown_notes)
    # Values and labels separately: a renderer may set all values above all labels.
    missing = find_in_order(text, reading.figure_values)
    missing += find_in_order(text, reading.figure_labels)
    assert not missing, f"figures missing or out of order: {missing}"


def test_sources_in_order(pages: list[str], reading: DocxReading) -> None:
    """Every numbered source entry shows in the PDF, word for word, in the same order."""
    assert reading.sources
    text = reading_text(pages, reading.furniture, reading.shown_notes)
    missing = find_in_order(text, reading.sources)
    assert not missing, f"sources missing, differing or out of order: {missing}"
