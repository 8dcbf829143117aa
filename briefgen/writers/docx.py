"""DOCX through python-docx: a visitor over the typed document, writing Word-native structures.

Each node becomes what Word has for it: headings in heading styles (bookmarked for the contents
field), lists on numbering definitions, citations as real footnotes, tables in table styles. It
never formats text directly: every look comes from the reference document's styles, named
through document.ROLES. It never decides what a variant shows either: compose did.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from typing import Any

from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

from briefgen.brand import Brand
from briefgen.document import (
    ROLES,
    Block,
    Cell,
    Chart,
    Citation,
    Contents,
    Deleted,
    Document,
    Emphasis,
    Heading,
    Image,
    Inlines,
    Inserted,
    ItemList,
    LineBreak,
    Link,
    Meta,
    Paragraph,
    Part,
    Quote,
    SourceEntry,
    SourceList,
    Strong,
    Table,
    Text,
    plain_text,
)
from briefgen.markup import direction
from briefgen.theme import Theme
from briefgen.writers import Options, Written
from briefgen.writers.wordchart import add_chart
from briefgen.writers.wordref import open_reference, text_width
from briefgen.writers.wordstyles import CARDS_STYLE, TABLE_STYLE
from briefgen.writers.wordxml import (
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

HEADING_STYLES = {0: "Title", 1: "Heading 1", 2: "Heading 2"}
_SPACE = re.compile(r"\s+")


def write(document: Document, theme: Theme, options: Options) -> Written:
    """The Word document of one variant; identical input gives identical bytes."""
    brand = theme.brand
    own = theme.asset(brand.reference_docx) if brand.reference_docx else None
    doc = open_reference(brand, own, brand.reference_docx or "")
    meta = document.meta
    _language(doc, meta.language)
    _page_furniture(doc, meta)
    _properties(doc, meta)
    writer = _Writer(doc, document, brand)
    writer.title_block(meta)
    writer.blocks(document.blocks, doc)
    if document.has_contents:
        update_fields_on_open(doc)
    for stale in doc.settings.element.findall(qn("w:proofState")):
        doc.settings.element.remove(stale)  # "already checked" would stop Word spell-checking
    return Written(stable_zip(doc, meta.date.isoformat()))


def _language(doc: WordDocument, language: str) -> None:
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


def _page_furniture(doc: WordDocument, meta: Meta, section=None, title: str | None = None
                    ) -> None:
    """Header and footer as in the PDF: classification on every page, "Page X of Y", and the
    letterhead on the first page where later pages carry the title. Given a section (a brief
    in a briefing pack), that section gets its own header and footer carrying title on every
    page."""
    width = text_width(doc)
    before, middle, after = meta.page_of
    marking = doc.styles["Classification"].style_id
    if section is None:
        section = doc.sections[0]
        section.different_first_page_header_footer = True
        headers = [(section.first_page_header, meta.letterhead), (section.header, meta.title)]
        footers = [section.first_page_footer, section.footer]
    else:
        section.different_first_page_header_footer = False
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        headers, footers = [(section.header, title or meta.title)], [section.footer]
    for header, left in headers:
        paragraph = header.paragraphs[0]
        paragraph.style = doc.styles["Header"]
        paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run(left + "\t")
        paragraph.add_run(meta.classification, style="Classification")
    for footer in footers:
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles["Footer"]
        paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph._p.append(_text_run(meta.classification, marking))
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


def _properties(doc: WordDocument, meta: Meta) -> None:
    props = doc.core_properties  # python-docx caps each property at 255 characters
    props.title = meta.title[:255]
    props.author = ", ".join(meta.authors)[:255]
    props.subject = (meta.subtitle or meta.title)[:255]
    props.keywords = ", ".join(meta.keywords)[:255]
    props.category = "Policy brief"
    props.comments = f"{meta.variant} variant, generated by briefgen"
    props.language = meta.language
    props.last_modified_by = "briefgen"
    props.revision = 1
    stamp = dt.datetime.combine(meta.date, dt.time())
    props.created = props.modified = stamp
    props.last_printed = stamp


class _Story:
    """The parent python-docx expects of a paragraph: here, one living in the footnotes part."""

    def __init__(self, part) -> None:
        self.part = part


class _Writer:
    """Visits the document's blocks once, appending Word paragraphs and tables in reading
    order; one method per node type."""

    def __init__(self, doc: WordDocument, document: Document, brand: Brand | None = None,
                 prefix: str = "", notes=None, marks: int = 0) -> None:
        self.doc = doc
        self.brand = brand
        self.document = document
        self.prefix = prefix  # before bookmark names: several briefs share a pack
        self.lang = document.meta.language
        self.width = text_width(doc)
        self.ids = {name: doc.styles[name].style_id
                    for name in ("footnote reference", "footnote text", "Hyperlink", "toc 1")}
        self.notes = notes if notes is not None else footnotes_part(doc)
        self.noted: set[int] = set()
        self.style_ids: dict[str, str] = {}
        self.marks = marks  # bookmark ids, unique in the whole Word document
        self.changes = 10000  # tracked-change ids, apart from the bookmarks' ids

    def title_block(self, meta: Meta) -> WordParagraph:
        """Logo, kind, title, subtitle and byline, as at the top of the PDF's first page;
        returns the title's paragraph."""
        if meta.logo is not None:
            self.picture(meta.logo, self.new_paragraph(self.doc, "Logo"),
                         Mm(meta.logo.width_mm or 40))
        self.paragraph((Text(meta.kind),), self.doc, "Brief Kind")
        title = self.paragraph((Text(meta.title),), self.doc, "Title")
        if meta.subtitle:
            self.paragraph((Text(meta.subtitle),), self.doc, "Subtitle")
        self.paragraph((Text(meta.byline),), self.doc, "Byline")
        return title

    def blocks(self, blocks: list[Block], container) -> None:
        """Append blocks to container (the document or a table cell)."""
        for block in blocks:
            if isinstance(block, Part):
                self.blocks(block.blocks, container)
            elif isinstance(block, Heading):
                self.heading(block, container)
            elif isinstance(block, Paragraph):
                self.paragraph(block.text, container, ROLES[block.role][0])
            elif isinstance(block, ItemList):
                self.item_list(block, container)
            elif isinstance(block, Table):
                self.table(block, container)
            elif isinstance(block, Contents):
                self.contents(block, container)
            elif isinstance(block, SourceList):
                self.source_list(block, container)
            elif isinstance(block, Quote):
                self.paragraph(block.text, container, "Quote", block.lang)
                self.paragraph(block.attribution, container, "Quote Attribution", block.lang)
            elif isinstance(block, Image):
                self.figure(block, container)
            elif isinstance(block, Chart):
                self.chart(block, container)

    def new_paragraph(self, container, style: str) -> WordParagraph:
        """An empty paragraph in a named style. Style ids are looked up once per document:
        python-docx's own lookup scans every style on each call, most of a brief's time."""
        if style not in self.style_ids:
            self.style_ids[style] = self.doc.styles[style].style_id
        para = container.add_paragraph()
        para._p.style = self.style_ids[style]
        return para

    def paragraph(self, text: Inlines, container, style: str,
                  lang: str | None = None) -> WordParagraph:
        """One Word paragraph in the given style, holding inline content.

        Right-to-left paragraphs get w:bidi; text in another language than the brief's (a
        quotation in Pashto) gets its w:lang, so Word spell-checks it as what it is.
        """
        para = self.new_paragraph(container, style)
        if direction(plain_text(text)) == "rtl":
            insert_in_order(para._p.get_or_add_pPr(), w_element("w:bidi"))
        self.inline(text, para, {"lang": lang} if lang and lang != self.lang else {})
        _trim(para)
        if len(text) == 1 and isinstance(text[0], Inserted | Deleted):
            self.track_mark(para, "ins" if isinstance(text[0], Inserted) else "del")
        return para

    def track_mark(self, para: WordParagraph, kind: str) -> None:
        """A paragraph added or removed whole: its paragraph mark is tracked too, so accepting
        the changes leaves no empty paragraph behind."""
        revision = self.document.revision
        if revision is None:
            return
        self.changes += 1
        props = OxmlElement("w:rPr")
        props.append(w_element(f"w:{kind}", id=str(self.changes), author=revision.author,
                               date=f"{revision.date.isoformat()}T00:00:00Z"))
        para._p.get_or_add_pPr().append(props)

    def heading(self, heading: Heading, container) -> None:
        """A heading, bookmarked under its id so the table of contents can link to it."""
        para = self.paragraph(heading.text, container, HEADING_STYLES[heading.level])
        if heading.level == 1:
            self.marks += 1
            runs = [c for c in para._p if c.tag != qn("w:pPr")]
            bookmark(para._p, _bookmark_name(self.prefix + heading.id), self.marks, runs)

    def contents(self, contents: Contents, container) -> None:
        """A TOC field over Heading 1. Until a program updates it (Word on opening, LibreOffice
        on request) it shows the headings, linked, without page numbers."""
        self.paragraph((Text(contents.heading),), container, "TOC Heading")
        for index, entry in enumerate(contents.entries):
            para = self.new_paragraph(container, "toc 1")
            if index == 0:
                para._p.extend(field_runs('TOC \\o "1-1" \\h \\z \\u', "", dirty=True)[:3])
            anchor = element_with_text("w:hyperlink", _text_run(plain_text(entry.text)),
                                       anchor=_bookmark_name(self.prefix + entry.id),
                                       history="1")
            para._p.append(anchor)
            if index == len(contents.entries) - 1:
                para._p.append(styled_run())
                para._p[-1].append(w_element("w:fldChar", fldCharType="end"))

    def item_list(self, block: ItemList, container) -> None:
        """Bulleted and numbered lists; each numbered list starts again at 1."""
        restart = self.restarted_numbering() if block.ordered else None
        for item in block.items:
            para = self.paragraph(item, container,
                                  "List Number" if block.ordered else "List Bullet")
            if restart is not None:
                para._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = restart

    def source_list(self, block: SourceList, container) -> None:
        """The numbered sources, with the numbers the text cites."""
        for entry in block.entries:
            para = self.new_paragraph(container, "Source")
            para.add_run(f"{entry.number}.\t")
            self.inline(entry.text, para, {})
            _trim(para)

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

    def table(self, block: Table, container) -> None:
        """Data tables and figure cards, each look a table style; the header row repeats."""
        if not block.rows:
            return
        ncols = max(len(r) for r in block.rows)
        table: WordTable = container.add_table(rows=0, cols=ncols)
        table.style = self.doc.styles[CARDS_STYLE if block.kind == "cards" else TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if block.caption:  # a table's name for screen readers
            insert_in_order(table._tbl.tblPr, element_with_text(
                "w:tblCaption", None, val=block.caption))
        total = self.width * block.width / 100
        shares = block.widths if block.widths and len(block.widths) == ncols else (
            [100 / ncols] * ncols)
        widths = [int(total * share / 100) for share in shares]
        table.autofit = False
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = Emu(width)
        for row in block.rows:
            header = all(c.header for c in row)
            word_row = table.add_row()
            _row_flags(word_row, header)
            for col, (cell, word_cell) in enumerate(zip(row, word_row.cells, strict=False)):
                word_cell.width = widths[col]
                self.cell(cell, word_cell)

    def cell(self, cell: Cell, word_cell: _Cell) -> None:
        """Fill one table cell with its paragraphs."""
        word_cell._tc.remove(word_cell.paragraphs[0]._p)
        for paragraph in cell.blocks:
            self.paragraph(paragraph.text, word_cell, ROLES[paragraph.role][0])

    def inline(self, inlines: Inlines, para: WordParagraph, fmt: dict[str, Any]) -> None:
        """Append inline content as runs, carrying bold, italic and links."""
        for node in inlines:
            if isinstance(node, Text):
                self.run(para, node.text, fmt)
            elif isinstance(node, Strong):
                self.inline(node.children, para, {**fmt, "bold": True})
            elif isinstance(node, Emphasis):
                self.inline(node.children, para, {**fmt, "italic": True})
            elif isinstance(node, Link):
                self.hyperlink(para, node, fmt)
            elif isinstance(node, Citation):
                if fmt.get("track") != "del":  # a removed citation's note is not kept
                    self.citation(node, para)
            elif isinstance(node, LineBreak):
                para.add_run().add_break()
            elif isinstance(node, Inserted):
                self.inline(node.children, para, {**fmt, "track": "ins"})
            elif isinstance(node, Deleted):
                self.inline(node.children, para, {**fmt, "track": "del"})

    def run(self, para: WordParagraph, text: str, fmt: dict[str, Any], parent=None) -> list:
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
            if fmt.get("track"):
                self.track(run._r, fmt["track"])
            runs.append(run)
        return runs

    def track(self, run, kind: str) -> None:
        """Make a run a tracked insertion or deletion (w:ins / w:del around it), by the
        redline's author on the brief's date, as Word itself records an edit."""
        revision = self.document.revision
        if revision is None:
            return
        self.changes += 1
        wrapper = w_element(f"w:{kind}", id=str(self.changes), author=revision.author,
                            date=f"{revision.date.isoformat()}T00:00:00Z")
        run.addprevious(wrapper)
        wrapper.append(run)
        if kind == "del":  # deleted text is w:delText, or Word shows it as kept
            for shown in run.findall(qn("w:t")):
                shown.tag = qn("w:delText")

    def citation(self, citation: Citation, para: WordParagraph) -> None:
        """Citations become Word footnotes holding the source, numbered by Word. A source cited
        again gets a NOTEREF field showing its first note's number, so the note numbers match
        the numbered source list, as in the PDF."""
        reference = self.ids["footnote reference"]
        entries = [self.document.sources[i] for i in citation.ids
                   if i in self.document.sources]
        for index, entry in enumerate(entries):
            if index:
                para._p.append(_text_run(",", reference))
            name = f"_BriefNote{self.prefix}{entry.number}"
            if entry.number in self.noted:
                para._p.extend(field_runs(f"NOTEREF {name} \\f \\h", str(entry.number),
                                          reference))
                continue
            self.noted.add(entry.number)
            note_id, note = new_footnote(self.notes)
            self.marks += 1
            bookmark(para._p, name, self.marks, [footnote_reference(note_id, reference)])
            self.footnote(note, entry)

    def footnote(self, note, entry: SourceEntry) -> None:
        """The note's text: the same words as the source's entry in the numbered list."""
        p = OxmlElement("w:p")
        note.append(p)
        para = WordParagraph(p, _Story(self.notes))
        para._p.get_or_add_pPr().append(w_element("w:pStyle", val=self.ids["footnote text"]))
        para._p.append(footnote_mark(self.ids["footnote reference"]))
        para.add_run(" ")
        self.inline(entry.text, para, {})
        _trim(para)

    def figure(self, image: Image, container) -> None:
        """An image from the content, as wide as the text, and its caption below it."""
        self.picture(image, self.new_paragraph(container, "Image"), self.width)
        if image.caption:
            self.paragraph(image.caption, container, "Caption")

    def chart(self, chart: Chart, container) -> None:
        """A native chart as wide as the text (its data in an embedded workbook a reader can
        edit), and the caption with the cited source below it."""
        if self.brand is None:
            raise ValueError("a chart needs the brand: pass it to the Word writer")
        para = self.new_paragraph(container, "Image")
        para.add_run()._r.append(add_chart(self.doc, chart, self.brand, self.lang,
                                           self.document.meta.date, self.width))
        if chart.caption:
            self.paragraph(chart.caption, container, "Caption")

    def picture(self, image: Image, para: WordParagraph, width: int) -> None:
        """An inline image at the given width, with its alt text."""
        shape = para.add_run().add_picture(io.BytesIO(image.data), width=width)
        describe_picture(shape._inline, image.alt)

    def hyperlink(self, para: WordParagraph, link: Link, fmt: dict[str, Any]) -> None:
        """A real w:hyperlink with an external relationship, in the Hyperlink character style."""
        rel = para.part.relate_to(link.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        element = OxmlElement("w:hyperlink")
        element.set(qn("r:id"), rel)
        para._p.append(element)
        for run in self.run(para, plain_text(link.children), fmt, parent=element):
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


def _trim(para: WordParagraph) -> None:
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
