"""The reference Word document: the page set-up and every style a brief names.

It is generated from the brand file, or it is the organisation's own Word template (brand.yaml's
reference_docx). Every DOCX starts as a copy of it with the body emptied, so restyling the
reference in Word restyles every brief without touching code, the way pandoc's reference.docx
works.
"""

from __future__ import annotations

import io
from functools import cache

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.styles import BabelFish

from briefgen.brand import REFERENCE_HINT, Brand
from briefgen.docxpackage import data_problem
from briefgen.errors import BuildError
from briefgen.writers.wordstyles import CARDS_STYLE, REQUIRED_STYLES, TABLE_STYLE, apply_brand
from briefgen.writers.wordxml import footnotes_part, stable_zip, w_element

MARGINS = {"left": Mm(20), "right": Mm(20), "top": Mm(24), "bottom": Mm(22)}
SAMPLE_DATE = "2025-01-01"


@cache
def generated_reference(brand: Brand) -> bytes:
    """The reference document for a brand: A4 pages, brand styles, a sample of each style.

    The samples are there for whoever opens it in Word to restyle it; briefs never see them.
    """
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.header_distance = section.footer_distance = Mm(10)
    apply_brand(doc, brand)
    settings = doc.settings.element  # hyphenate by each paragraph's language, as the PDF does
    settings.find(qn("w:defaultTabStop")).addnext(w_element("w:autoHyphenation"))
    footnotes_part(doc)
    _samples(doc)
    doc.core_properties.title = f"{brand.name}: briefgen reference document"
    doc.core_properties.author = "briefgen"
    return stable_zip(doc, SAMPLE_DATE)


def open_reference(brand: Brand, own: bytes | None = None, shown: str = "") -> WordDocument:
    """A fresh copy of the reference with an empty body and empty headers and footers.

    A reference that lacks a style the writer names stops the build with the list of what is
    missing, rather than producing a document that silently falls back to Word's defaults.
    own is the organisation's reference document (brand.yaml's reference_docx), shown its name.
    """
    if own is not None:
        why = data_problem(own)  # checked with the brand too; the file may change since
        if why:
            raise BuildError(f"{shown}: {why} (hint: {REFERENCE_HINT})")
        try:
            doc = Document(io.BytesIO(own))
        except Exception as exc:  # python-docx raises several kinds for a file that is not DOCX
            raise BuildError(f"{shown}: not a Word document ({exc})") from None
        missing = _match_style_names(doc)
        if missing:
            raise BuildError(
                f"{shown}: missing styles {', '.join(missing)} "
                "(hint: start from `briefgen reference-doc` and restyle that file in Word)")
    else:
        doc = Document(io.BytesIO(generated_reference(brand)))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    for section in doc.sections:
        for story in (section.header, section.first_page_header, section.even_page_header,
                      section.footer, section.first_page_footer, section.even_page_footer):
            if not story.is_linked_to_previous:
                for child in list(story._element):
                    story._element.remove(child)
                story._element.add_p()
    return doc


def _match_style_names(doc: WordDocument) -> list[str]:
    """Accept a required style under any capitalisation ("Footnote Text" as LibreOffice saves
    it, "footnote text" as Word does) by renaming it to the name the writer uses; return the
    names still missing."""
    by_lower = {s.element.name_val.lower(): s for s in doc.styles if s.element.name_val}
    missing = []
    for name in REQUIRED_STYLES:
        stored = BabelFish.ui2internal(name)  # python-docx looks "Heading 1" up as "heading 1"
        style = by_lower.get(stored.lower())
        if style is None:
            missing.append(name)
        elif style.element.name_val != stored:
            style.element.name_val = stored
    return missing


def text_width(doc: WordDocument) -> int:
    """The width between the margins, in EMU: tables and pictures are sized against it."""
    section = doc.sections[-1]
    # A reference always sets its page size and margins (the generated one does; Word and
    # LibreOffice write them into every document they save).
    return int(section.page_width or 0) - int(section.left_margin or 0) - int(
        section.right_margin or 0)


def _samples(doc: WordDocument) -> None:
    doc.add_paragraph("Logo", style="Logo")
    doc.add_paragraph("Policy brief · Summary", style="Brief Kind")
    doc.add_paragraph("Title of the brief", style="Title")
    doc.add_paragraph("Subtitle: the question the brief answers", style="Subtitle")
    doc.add_paragraph("Organisation · 1 January 2025 · Authors", style="Byline")
    doc.add_paragraph("Contents", style="TOC Heading")
    doc.add_paragraph("A heading in the table of contents\t1", style="toc 1")
    doc.add_paragraph("Heading 1", style="Heading 1")
    doc.add_paragraph("The bottom line of a brief, in one paragraph.", style="Bottom Line")
    doc.add_paragraph("Body text, with a note", style="Normal").add_run(
        "1", style="footnote reference")
    doc.add_paragraph("Heading 2", style="Heading 2")
    doc.add_paragraph("A bulleted list item", style="List Bullet")
    doc.add_paragraph("A numbered list item", style="List Number")
    doc.add_paragraph("A quotation from an official.", style="Quote")
    doc.add_paragraph("Speaker, role", style="Quote Attribution")
    doc.add_paragraph("Caption", style="Caption")
    cards = doc.add_table(rows=1, cols=2, style=CARDS_STYLE)
    for cell, (value, label) in zip(cards.rows[0].cells, (("42", "A figure"), ("7%", "Another")),
                                    strict=True):
        cell.paragraphs[0].style = doc.styles["Figure Value"]
        cell.paragraphs[0].add_run(value)
        cell.add_paragraph(label, style="Figure Label")
    table = doc.add_table(rows=3, cols=2, style=TABLE_STYLE)
    for row, (key, text) in zip(table.rows, (("Heading", "Heading"), ("Key", "Table text"),
                                             ("Key", "Banded row")), strict=True):
        for cell, value in zip(row.cells, (key, text), strict=True):
            cell.paragraphs[0].add_run(value)
            cell.paragraphs[0].style = doc.styles[
                "Table Heading" if row is table.rows[0] else
                "Table Key" if value == "Key" else "Table Text"]
    doc.add_paragraph("1.\tPublisher, “Title of a source”, 1 January 2025.", style="Source")
    doc.add_paragraph("A footnote's text", style="footnote text")
    marking = doc.sections[0].header.paragraphs[0]
    marking.add_run("CLASSIFICATION", style="Classification")
