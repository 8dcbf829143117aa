"""DOCX through python-docx, from the same variant HTML that WeasyPrint lays out.

The HTML is semantic (headings, lists, tables, classes naming each part), so this module maps
elements to named Word styles and never decides what a variant shows: the templates already did.
It never formats text directly either: every look comes from the reference document's styles.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import lxml.html
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from briefgen.brand import Brand
from briefgen.render.wordref import open_reference, text_width
from briefgen.render.wordstyles import CARDS_STYLE, TABLE_STYLE
from briefgen.render.wordxml import (
    bookmark,
    describe_picture,
    field_runs,
    footnote_mark,
    footnote_reference,
    footnotes_part,
    insert_in_order,
    new_footnote,
    stable_zip,
    styled_run,
    update_fields_on_open,
    w_element,
)

# Paragraph classes in the HTML and the Word style each becomes.
CLASS_STYLES = {
    "kind": "Brief Kind",
    "subtitle": "Subtitle",
    "byline": "Byline",
    "lead": "Bottom Line",
    "figure-value": "Figure Value",
    "figure-label": "Figure Label",
    "quote-text": "Quote",
    "attribution": "Quote Attribution",
    "logo": "Logo",
    "contents-heading": "TOC Heading",
}
HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2"}
CONTAINERS = {"header", "main", "section", "div", "body", "article", "blockquote"}
_SPACE = re.compile(r"\s+")


def render_docx(html: str, brand: Brand, templates_dir: Path) -> bytes:
    """Build the Word document for one variant's HTML; identical input gives identical bytes."""
    page = lxml.html.document_fromstring(html)
    meta = {m.get("name"): m.get("content", "") for m in page.iter("meta") if m.get("name")}
    meta["title"] = page.findtext(".//title") or ""
    language = page.get("lang", "en")
    doc = open_reference(brand, templates_dir)
    _language(doc, language)
    _page_furniture(doc, meta)
    _properties(doc, meta, language)
    writer = _Writer(doc, page)
    writer.blocks(page.find("body"), doc)
    if writer.has_contents:
        update_fields_on_open(doc)
    for stale in doc.settings.element.findall(qn("w:proofState")):
        doc.settings.element.remove(stale)  # "already checked" would stop Word spell-checking
    return stable_zip(doc, meta["dcterms.created"])


def _language(doc: Document, language: str) -> None:
    """w:lang on the document defaults and Normal, so Word spell-checks in the brief's language."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    targets = [doc.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None and defaults.find(qn("w:rPrDefault")) is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default.find(qn("w:rPr")) is None:
            rpr_default.append(OxmlElement("w:rPr"))
        targets.append(rpr_default.find(qn("w:rPr")))
    for rpr in targets:
        insert_in_order(rpr, w_element("w:lang", val=language, eastAsia=language, bidi=language))


def _page_furniture(doc: Document, meta: dict[str, str]) -> None:
    """Header and footer as in the PDF: classification on every page, "Page X of Y", and the
    letterhead on the first page where later pages carry the title."""
    section = doc.sections[0]
    width = text_width(doc)
    classification = meta.get("briefgen:classification", "")
    before, rest = meta.get("briefgen:page-of", "Page {page} of {pages}").split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    marking = doc.styles["Classification"].style_id
    section.different_first_page_header_footer = True
    for header, left in ((section.first_page_header, meta.get("briefgen:letterhead", "")),
                         (section.header, meta["title"])):
        paragraph = header.paragraphs[0]
        paragraph.style = doc.styles["Header"]
        paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run(left + "\t")
        paragraph.add_run(classification, style="Classification")
    for footer in (section.first_page_footer, section.footer):
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles["Footer"]
        paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph._p.append(_text_run(classification, marking))
        paragraph.add_run("\t" + before)
        paragraph._p.extend(field_runs("PAGE", "1"))
        paragraph.add_run(middle)
        paragraph._p.extend(field_runs("NUMPAGES", "1"))
        if after:
            paragraph.add_run(after)


def _text_run(text: str, style_id: str | None = None):
    run = styled_run(style_id)
    shown = OxmlElement("w:t")
    shown.set(qn("xml:space"), "preserve")
    shown.text = text
    run.append(shown)
    return run


def _properties(doc: Document, meta: dict[str, str], language: str) -> None:
    props = doc.core_properties  # python-docx caps each property at 255 characters
    props.title = meta["title"][:255]
    props.author = meta.get("author", "")[:255]
    props.subject = meta.get("description", "")[:255]
    props.keywords = meta.get("keywords", "")[:255]
    props.category = "Policy brief"
    props.comments = f"{meta.get('briefgen:variant', '')} variant, generated by briefgen"
    props.language = language
    props.last_modified_by = "briefgen"
    props.revision = 1
    stamp = dt.datetime.fromisoformat(meta["dcterms.created"])
    props.created = props.modified = stamp
    props.last_printed = stamp


class _Story:
    """The parent python-docx expects of a paragraph: here, one living in the footnotes part."""

    def __init__(self, part) -> None:
        self.part = part


class _Writer:
    """Walks the HTML body once, appending Word paragraphs and tables in reading order."""

    def __init__(self, doc: Document, page) -> None:
        self.doc = doc
        self.lang = page.get("lang", "en")
        self.width = text_width(doc)
        self.ids = {name: doc.styles[name].style_id
                    for name in ("footnote reference", "footnote text", "Hyperlink", "toc 1")}
        self.sources = {li.get("value"): li for li in page.iter("li")
                        if (li.get("id") or "").startswith("source-")}
        self.notes = footnotes_part(doc)
        self.noted: set[str] = set()
        self.style_ids: dict[str, str] = {}
        self.marks = 0
        self.has_contents = False

    def blocks(self, element, container) -> None:
        """Append every block-level child of element to container (document or table cell)."""
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag in HEADING_STYLES:
                self.heading(child, container)
            elif tag == "p":
                style = next((CLASS_STYLES[c] for c in _classes(child) if c in CLASS_STYLES),
                             "Normal")
                self.paragraph(child, container, style)
            elif tag in ("ul", "ol"):
                self.list(child, container)
            elif tag == "table":
                self.table(child, container)
            elif tag == "nav" and "contents" in _classes(child):
                self.contents(child, container)
            elif tag == "figure":
                self.figure(child, container)
            elif tag in CONTAINERS:
                self.blocks(child, container)

    def new_paragraph(self, container, style: str) -> Paragraph:
        """An empty paragraph in a named style. Style ids are looked up once per document:
        python-docx's own lookup scans every style on each call, most of a brief's time."""
        if style not in self.style_ids:
            self.style_ids[style] = self.doc.styles[style].style_id
        para = container.add_paragraph()
        para._p.style = self.style_ids[style]
        return para

    def paragraph(self, element, container, style: str) -> Paragraph:
        """One Word paragraph in the given style, holding the element's inline content.

        Right-to-left paragraphs get w:bidi; text in another language than the brief's (a
        quotation in Pashto) gets its w:lang, so Word spell-checks it as what it is.
        """
        para = self.new_paragraph(container, style)
        if element.get("dir") == "rtl":
            insert_in_order(para._p.get_or_add_pPr(), w_element("w:bidi"))
        lang = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
        self.inline(element, para, {"lang": lang[0]} if lang and lang[0] != self.lang else {})
        _trim(para)
        return para

    def heading(self, element, container) -> None:
        """A heading, bookmarked under its HTML id so the table of contents can link to it."""
        para = self.paragraph(element, container, HEADING_STYLES[element.tag])
        if element.get("id"):
            self.marks += 1
            runs = [c for c in para._p if c.tag != qn("w:pPr")]
            bookmark(para._p, _bookmark_name(element.get("id")), self.marks, runs)

    def contents(self, element, container) -> None:
        """A TOC field over Heading 1. Until a program updates it (Word on opening, LibreOffice
        on request) it shows the headings, linked, without page numbers."""
        self.has_contents = True
        heading = element.find("p")
        if heading is not None:
            self.paragraph(heading, container, "TOC Heading")
        links = element.findall(".//a")
        for index, link in enumerate(links):
            para = self.new_paragraph(container, "toc 1")
            if index == 0:
                para._p.extend(field_runs('TOC \\o "1-1" \\h \\z \\u', "", dirty=True)[:3])
            anchor = element_with_text(
                "w:hyperlink", _text_run("".join(link.itertext())),
                anchor=_bookmark_name(link.get("href", "#").lstrip("#")), history="1")
            para._p.append(anchor)
            if index == len(links) - 1:
                para._p.append(styled_run())
                para._p[-1].append(w_element("w:fldChar", fldCharType="end"))

    def list(self, element, container) -> None:
        """Bulleted and numbered lists; the sources list keeps the numbers the text cites."""
        numbered = element.tag == "ol"
        is_sources = "sources" in _classes(element)
        restart = self.restarted_numbering() if numbered and not is_sources else None
        for item in element.findall("li"):
            if is_sources:
                para = self.new_paragraph(container, "Source")
                para.add_run(f"{item.get('value')}.\t")
                self.inline(item, para, {})
                _trim(para)
            else:
                para = self.paragraph(item, container, "List Number" if numbered else "List Bullet")
                if restart is not None:
                    para._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = restart

    def restarted_numbering(self) -> int:
        """A new Word list instance of the List Number style that starts again at 1.

        Without it every numbered list in a document continues the previous one's count.
        """
        style_num = self.doc.styles["List Number"].element.pPr.numPr.numId.val
        numbering = self.doc.part.numbering_part.element
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return num.numId

    def table(self, element, container) -> None:
        """Data tables and figure cards, each look a table style; the header row repeats."""
        rows = element.findall(".//tr")
        if not rows:
            return
        ncols = max(len(r.findall("th") + r.findall("td")) for r in rows)
        is_figures = "figures" in _classes(element)
        table: Table = container.add_table(rows=0, cols=ncols)
        table.style = self.doc.styles[CARDS_STYLE if is_figures else TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        caption = element.getparent().find("h2") if element.getparent() is not None else None
        if caption is not None:  # a table's name for screen readers
            insert_in_order(table._tbl.tblPr, element_with_text(
                "w:tblCaption", None, val="".join(caption.itertext()).strip()))
        widths = self.column_widths(element, ncols)
        table.autofit = False
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = width
        for row in rows:
            cells = row.findall("th") + row.findall("td")
            header = all(c.tag == "th" for c in cells)
            word_row = table.add_row()
            _row_flags(word_row, header)
            for col, (cell_el, cell) in enumerate(zip(cells, word_row.cells, strict=False)):
                cell.width = widths[col]
                self.cell(cell_el, cell, header)

    def cell(self, element, cell: _Cell, header: bool) -> None:
        """Fill one table cell: block content if it has some, else one styled paragraph."""
        cell._tc.remove(cell.paragraphs[0]._p)
        if any(isinstance(c.tag, str) and c.tag in ("p", "ul", "ol") for c in element):
            self.blocks(element, cell)
        elif header:
            self.paragraph(element, cell, "Table Heading")
        else:
            key = _classes(element) & {"date", "name"}
            self.paragraph(element, cell, "Table Key" if key else "Table Text")

    def column_widths(self, element, ncols: int) -> list[int]:
        """Column widths from the template's <table style="width: N%"> and
        <col style="width: N%">, the same numbers the PDF is laid out with."""
        total = self.width * (_percent(element) or 100) / 100
        shares = [_percent(col) for col in element.findall(".//col")]
        if len(shares) != ncols or None in shares:
            shares = [100 / ncols] * ncols
        return [int(total * share / 100) for share in shares]

    def inline(self, element, para: Paragraph, fmt: dict[str, Any]) -> None:
        """Append the element's text and inline children as runs, carrying bold/italic/links."""
        if element.text:
            self.run(para, element.text, fmt)
        for child in element:
            if isinstance(child.tag, str):
                tag = child.tag
                inner = dict(fmt)
                if tag in ("strong", "b"):
                    inner["bold"] = True
                elif tag in ("em", "i"):
                    inner["italic"] = True
                if tag == "br":
                    para.add_run().add_break()
                elif tag == "sup" and "cite" in _classes(child):
                    self.citation(child, para)
                elif tag == "img":
                    self.picture(child, para)
                elif tag == "a" and (child.get("href") or "").startswith(("http", "mailto:")):
                    self.hyperlink(para, child, inner)
                else:
                    self.inline(child, para, inner)
            if child.tail:
                self.run(para, child.tail, fmt)

    def run(self, para: Paragraph, text: str, fmt: dict[str, Any], parent=None) -> list:
        """Runs for a piece of text, whitespace collapsed as in the HTML. Right-to-left stretches
        (an Arabic-script name inside English) get their own run marked w:rtl, which is how
        Word knows to lay them out right to left in its complex-script font."""
        text = _SPACE.sub(" ", text)
        runs = []
        for piece, rtl in _direction_pieces(text):
            run = para.add_run(piece)
            run.bold = fmt.get("bold") or None
            run.italic = fmt.get("italic") or None
            props = run._r.get_or_add_rPr()
            if rtl:
                insert_in_order(props, w_element("w:rtl"))
            if fmt.get("lang"):
                insert_in_order(props, w_element("w:lang", val=fmt["lang"], bidi=fmt["lang"],
                                                 eastAsia=fmt["lang"]))
            if parent is not None:
                parent.append(run._r)
            runs.append(run)
        return runs

    def citation(self, element, para: Paragraph) -> None:
        """Citations become Word footnotes holding the source, numbered by Word. A source cited
        again gets a NOTEREF field showing its first note's number, so the note numbers match
        the numbered source list, as in the PDF."""
        reference = self.ids["footnote reference"]
        for index, link in enumerate(element.findall("a")):
            if index:
                para._p.append(_text_run(",", reference))
            number = link.text or ""
            name = f"_BriefNote{number}"
            if number in self.noted or number not in self.sources:
                para._p.extend(field_runs(f"NOTEREF {name} \\f \\h", number, reference))
                continue
            self.noted.add(number)
            note_id, note = new_footnote(self.notes)
            self.marks += 1
            bookmark(para._p, name, self.marks, [footnote_reference(note_id, reference)])
            self.footnote(note, self.sources[number])

    def footnote(self, note, source) -> None:
        """The note's text: the same words as the source's entry in the numbered list."""
        p = OxmlElement("w:p")
        note.append(p)
        para = Paragraph(p, _Story(self.notes))
        para._p.get_or_add_pPr().append(w_element("w:pStyle", val=self.ids["footnote text"]))
        para._p.append(footnote_mark(self.ids["footnote reference"]))
        para.add_run(" ")
        self.inline(source, para, {})
        _trim(para)

    def figure(self, element, container) -> None:
        """An image from the content, as wide as the text, and its caption below it."""
        image = element.find(".//img")
        if image is not None:
            para = self.new_paragraph(container, "Image")
            self.picture(image, para, self.width)
        caption = element.find("figcaption")
        if caption is not None:
            self.paragraph(caption, container, "Caption")

    def picture(self, element, para: Paragraph, width: int | None = None) -> None:
        """An inline image from a data: URI, at the width the HTML gives, with its alt text."""
        match = re.match(r"data:image/[\w+.-]+;base64,(.*)", element.get("src") or "", re.S)
        if not match:
            return  # briefs carry no other images; a remote one would never be fetched
        styled = re.search(r"width:\s*([\d.]+)mm", element.get("style") or "")
        run = para.add_run()
        shape = run.add_picture(io.BytesIO(base64.b64decode(match.group(1))),
                                width=Mm(float(styled.group(1))) if styled else width)
        describe_picture(shape._inline, element.get("alt") or "")

    def hyperlink(self, para: Paragraph, element, fmt: dict[str, Any]) -> None:
        """A real w:hyperlink with an external relationship, in the Hyperlink character style."""
        rel = para.part.relate_to(element.get("href"), RELATIONSHIP_TYPE.HYPERLINK,
                                  is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel)
        para._p.append(link)
        for run in self.run(para, "".join(element.itertext()), fmt, parent=link):
            insert_in_order(run._r.get_or_add_rPr(),
                            element_with_text("w:rStyle", None, val=self.ids["Hyperlink"]))


def _direction_pieces(text: str) -> list[tuple[str, bool]]:
    """Split text into (piece, right_to_left) at the edges of right-to-left stretches: from the
    first Arabic or Hebrew letter to the last one before a left-to-right letter."""
    pieces: list[tuple[str, bool]] = []
    done, start, last = 0, None, 0
    for index, char in enumerate(text + "a"):  # a final L letter closes an open stretch
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            start = index if start is None else start
            last = index + 1
        elif kind == "L" and start is not None:
            pieces += [(text[done:start], False), (text[start:last], True)]
            done, start = last, None
    pieces.append((text[done:], False))
    return [(piece, rtl) for piece, rtl in pieces if piece]


def element_with_text(tag: str, child, **attrs: str):
    """A w: element with w: attributes and, optionally, one child."""
    el = w_element(tag, **attrs)
    if child is not None:
        el.append(child)
    return el


def _bookmark_name(html_id: str) -> str:
    """Word bookmark names: letters, digits and underscores, at most 40 characters; a leading
    underscore hides them from the reader's bookmark list."""
    return "_Toc_" + re.sub(r"\W", "_", html_id)[:35]


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _percent(element) -> float | None:
    match = re.search(r"width:\s*([\d.]+)%", element.get("style", ""))
    return float(match.group(1)) if match else None


def _trim(para: Paragraph) -> None:
    """Drop the spaces that template indentation leaves at the edges of a paragraph."""
    children = [c for c in para._p if c.tag != qn("w:pPr")]
    # Direct text runs only: text inside a hyperlink, fields and pictures are not touched.
    runs = [r for r in para.runs if r._r.find(qn("w:t")) is not None
            and r._r.find(qn("w:drawing")) is None]
    if runs and children and children[0] is runs[0]._r:
        runs[0].text = runs[0].text.lstrip()
    if runs and children and children[-1] is runs[-1]._r:
        runs[-1].text = runs[-1].text.rstrip()


def _row_flags(row, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))
