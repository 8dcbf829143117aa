"""The Word documents read back with python-docx: styles, fields, properties, tables, links."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import (
    VARIANTS,
    build_default,
    cited_in_order,
    headings,
    output_file,
    plain,
    spoken_date,
)
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from briefgen.brand import load_brand
from briefgen.model import Brief

BRAND = load_brand(Path(__file__).parent.parent / "templates" / "brand.yaml")


def runs_of(paragraph: Paragraph):
    """Every run in reading order, including the runs inside hyperlinks."""
    for item in paragraph.iter_inner_content():
        yield from getattr(item, "runs", [item])


def is_mark(run) -> bool:
    """Citation marks: footnote references and NOTEREF fields, in the footnote reference style."""
    return run.style is not None and run.style.name == "footnote reference"


def mark_text(run) -> str:
    """What Word prints for a mark: a footnote reference shows its note's number."""
    ref = run._r.find(qn("w:footnoteReference"))
    if ref is None:
        return run.text
    order = [r.get(qn("w:id")) for r in run.part.element.iter(qn("w:footnoteReference"))]
    return str(order.index(ref.get(qn("w:id"))) + 1)


def body_text(paragraph: Paragraph) -> str:
    """What the paragraph says without its citation marks."""
    text = "".join(run.text for run in runs_of(paragraph) if not is_mark(run))
    return " ".join(text.split())


def superscripts(paragraph: Paragraph) -> list[str]:
    """The citation numbers of a paragraph, one string per marker, e.g. ['1,2', '3']."""
    groups: list[str] = []
    previous = False
    for run in runs_of(paragraph):
        if is_mark(run):
            if previous:
                groups[-1] += mark_text(run)
            else:
                groups.append(mark_text(run))
        previous = is_mark(run) or (previous and not run.text)
    return groups


def numbers_for(text: str, order: list[str]) -> list[str]:
    """The citation numbers a reader should see for each marker in a Markdown text."""
    return [",".join(str(order.index(i.strip().lstrip("@")) + 1) for i in m[1].split(";"))
            for m in re.finditer(r"\[@([^\]]+)\]", text)]


def styled(doc: DocumentObject, style: str) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p.style.name == style]


def section_after(doc: DocumentObject, heading: str) -> list[Paragraph]:
    """The paragraphs between a Heading 1 and the next one."""
    out: list[Paragraph] = []
    inside = False
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            inside = p.text == heading
        elif inside:
            out.append(p)
    return out


def cell_text(cell) -> str:
    return " ".join(body_text(p) for p in cell.paragraphs).strip()


def test_title_uses_title_style(doc: DocumentObject, brief: Brief) -> None:
    assert [p.text for p in styled(doc, "Title")] == [brief.title]
    assert [p.text for p in styled(doc, "Subtitle")] == [brief.subtitle]


def test_bottom_line(doc: DocumentObject, brief: Brief, variant: str) -> None:
    (lead,) = styled(doc, "Bottom Line")
    assert body_text(lead) == plain(brief.summary)
    assert superscripts(lead) == numbers_for(brief.summary, cited_in_order(brief, variant))


def test_key_points_are_bullets_with_their_citation_numbers(doc: DocumentObject, brief: Brief,
                                                              variant: str) -> None:
    order = cited_in_order(brief, variant)
    shown = section_after(doc, "Key points")
    assert [p.style.name for p in shown] == ["List Bullet"] * len(brief.key_points)
    for paragraph, point in zip(shown, brief.key_points, strict=True):
        assert body_text(paragraph) == plain(point)
        assert superscripts(paragraph) == numbers_for(point, order)


def test_bold_survives(doc: DocumentObject) -> None:
    # key_points[4] and the summary say **We assess** / **Our assessment:** in bold.
    bold = {run.text.strip() for p in doc.paragraphs for run in p.runs if run.bold}
    assert {"We assess", "Our assessment:"} <= bold


def test_sources_are_numbered_source_paragraphs(doc: DocumentObject, brief: Brief,
                                                variant: str) -> None:
    order = cited_in_order(brief, variant)
    shown = section_after(doc, "Sources")
    assert [p.style.name for p in shown] == ["Source"] * len(order)
    for number, (paragraph, source_id) in enumerate(zip(shown, order, strict=True), start=1):
        source = brief.source(source_id)
        assert source is not None
        assert paragraph.text.startswith(f"{number}.\t{source.publisher}, “{source.title}”")
        if source.url:
            assert paragraph.text.endswith(source.url)


def test_headings_use_heading_styles(doc: DocumentObject, brief: Brief, variant: str) -> None:
    expected = headings(brief, variant)
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == expected
    # '### ' subheadings inside section bodies are Heading 2, in order.
    subheadings = [line.strip()[4:] for s in brief.sections for line in s.body.splitlines()
                   if line.strip().startswith("### ")] if variant == "full" else []
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 2"] == subheadings
    assert subheadings or variant == "summary", "the default brief should show a subheading"
    # Every section heading from the YAML is a real Heading 1, never bold Normal text.
    for section in brief.sections if variant == "full" else []:
        assert [p.style.name for p in doc.paragraphs if p.text == section.heading
                and p.style.name != "toc 1"] == ["Heading 1"]
    fake = [p.text for p in doc.paragraphs if p.style.name == "Normal" and p.runs
            and all(r.bold for r in p.runs if r.text.strip())]
    assert not fake, f"bold Normal paragraphs posing as headings: {fake}"
    # Heading 1 is an outline level, so it shows in Word's navigation pane and TOC.
    outline = doc.styles["Heading 1"].element.pPr.find(qn("w:outlineLvl"))
    assert outline is not None and outline.get(qn("w:val")) == "0"


def test_header_and_footer(doc: DocumentObject, brief: Brief) -> None:
    section = doc.sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    footer = "\n".join(p.text for p in section.footer.paragraphs)
    assert brief.classification in header
    assert brief.title in header
    assert brief.classification in footer
    assert "Page" in footer
    footer_xml = section.footer._element
    fields = [el.text.strip() for el in footer_xml.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    kinds = [el.get(qn("w:fldCharType")) for el in footer_xml.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2
    # Page 1, like the PDF's, carries the brand's letterhead instead of the title.
    assert section.different_first_page_header_footer
    first = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert first == f"{BRAND.letterhead}\t{brief.classification}"
    first_footer = section.first_page_footer._element
    assert [el.text.strip() for el in first_footer.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]


def test_core_properties(doc: DocumentObject, brief: Brief) -> None:
    props = doc.core_properties
    assert props.title == brief.title
    assert props.author == ", ".join(brief.authors)
    assert props.subject == (brief.subtitle or brief.title)
    assert props.keywords == ", ".join(brief.keywords or [a.name for a in brief.actors])
    assert props.keywords
    assert props.created is not None and props.created.date() == brief.date
    assert props.modified is not None and props.modified.date() == brief.date


def test_summary_has_no_tables(built: Path) -> None:
    assert Document(str(output_file(built, "summary", "docx"))).tables == []


def _full(built: Path) -> DocumentObject:
    return Document(str(output_file(built, "full", "docx")))


def _data_tables(doc: DocumentObject) -> list[Table]:
    return [t for t in doc.tables if t.style is not None and t.style.name == "Brief Table"]


def test_data_tables_use_brand_style_and_repeat_their_header(built: Path) -> None:
    tables = _data_tables(_full(built))
    assert tables, "no table uses the 'Brief Table' style"
    for table in tables:
        first, second = table.rows[0]._tr, table.rows[1]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        assert second.trPr is None or second.trPr.find(qn("w:tblHeader")) is None


def test_timeline_and_actors_tables(built: Path, brief: Brief) -> None:
    timeline, actors = _data_tables(_full(built))
    rows = [[cell_text(c) for c in row.cells] for row in timeline.rows]
    assert rows[0] == ["Date", "Event"]
    assert rows[1:] == [[spoken_date(e.date), plain(e.event)] for e in brief.timeline]
    rows = [[cell_text(c) for c in row.cells] for row in actors.rows]
    assert rows[0] == ["Actor", "Role", "Stance"]
    assert rows[1:] == [[a.name, a.role, plain(a.stance)] for a in brief.actors]


def test_figures_and_quotes(built: Path, brief: Brief) -> None:
    doc = _full(built)
    cards = [p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    assert [p.text for p in cards if p.style.name == "Figure Value"] == [
        f.value for f in brief.figures]
    assert [body_text(p) for p in cards if p.style.name == "Figure Label"] == [
        f.label for f in brief.figures]
    assert [p.text for p in styled(doc, "Quote")] == [f"“{q.text}”" for q in brief.quotes]
    assert [body_text(p) for p in styled(doc, "Quote Attribution")] == [
        f"{q.speaker}, {q.role}" for q in brief.quotes]


def test_recommendations_are_numbered(built: Path, brief: Brief) -> None:
    shown = section_after(_full(built), "Recommendations")
    assert [p.style.name for p in shown] == ["List Number"] * len(brief.recommendations)
    assert [body_text(p) for p in shown] == [plain(r) for r in brief.recommendations]


def test_hyperlinks_are_real_external_links(doc: DocumentObject, brief: Brief,
                                            variant: str) -> None:
    links = [h for h in doc.element.body.iter(qn("w:hyperlink")) if h.get(qn("r:id"))]
    targets = []
    for link in links:
        rel = doc.part.rels[link.get(qn("r:id"))]
        assert rel.is_external
        assert rel.reltype == RELATIONSHIP_TYPE.HYPERLINK
        text = "".join(t.text for t in link.iter(qn("w:t")))
        assert text == rel.target_ref  # the sources list shows the address it links to
        targets.append(rel.target_ref)
    cited = [brief.source(i) for i in cited_in_order(brief, variant)]
    assert targets == [s.url for s in cited if s is not None and s.url]


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    again = build_default(tmp_path)
    for variant in VARIANTS:
        for ext in ("pdf", "docx"):
            first, second = output_file(built, variant, ext), output_file(again, variant, ext)
            assert first.read_bytes() == second.read_bytes(), f"{first.name} differs between builds"

