"""Word styles from the brand file, so the DOCX and the PDF share one look.

The document writer only names styles; this module is the one place that says what they look
like. Restyling a style in Word restyles every paragraph that uses it, as readers expect.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle

from briefgen.brand import Brand
from briefgen.writers.wordxml import insert_in_order, w_element

# Styles the writer creates when the base document lacks them: name -> (based on, heading font?)
CUSTOM_PARAGRAPH_STYLES = {
    "Brief Kind": ("Normal", True),
    "Byline": ("Normal", True),
    "Bottom Line": ("Normal", False),
    "Figure Value": ("Normal", True),
    "Figure Label": ("Normal", True),
    "Quote Attribution": ("Normal", True),
    "Source": ("Normal", False),
    "Table Text": ("Normal", True),
    "Table Key": ("Table Text", True),
    "Table Heading": ("Normal", True),
    "Logo": ("Normal", False),
    "Image": ("Normal", False),
    "footnote text": ("Normal", True),
    "toc 1": ("Normal", True),
    "TOC Heading": ("Normal", True),
    "Caption": ("Normal", True),
}
CHARACTER_STYLES = ("footnote reference", "Hyperlink", "Classification")
TABLE_STYLE = "Brief Table"
CARDS_STYLE = "Figure Cards"
# Every style the document writer names; a reference document must define them all.
REQUIRED_STYLES = (*CUSTOM_PARAGRAPH_STYLES, "Normal", "Title", "Subtitle", "Heading 1",
                   "Heading 2", "List Bullet", "List Number", "Quote", "Header", "Footer",
                   *CHARACTER_STYLES, TABLE_STYLE, CARDS_STYLE)


def rgb(hex_colour: str) -> RGBColor:
    """#16365C -> RGBColor, for python-docx."""
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def set_font(style: BaseStyle, family: str) -> None:
    """Name a font for every script slot, dropping theme fonts that would otherwise win in Word."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), family)


def paragraph_border(style: BaseStyle, side: str, colour: str, size_eighths: int,
                     space: int = 4) -> None:
    """Give a paragraph style a border on one side (Word has no style API for it)."""
    ppr = style.element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        insert_in_order(ppr, borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), colour.lstrip("#"))
    for old in borders.findall(qn(f"w:{side}")):
        borders.remove(old)
    sides = ("top", "left", "bottom", "right", "between", "bar")
    later = [qn(f"w:{n}") for n in sides[sides.index(side) + 1 :]]
    position = next((i for i, e in enumerate(borders) if e.tag in later), len(borders))
    borders.insert(position, edge)


def shade(element_pr, fill: str) -> None:
    """Background fill for a paragraph (w:pPr) or table cell (w:tcPr)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#"))
    insert_in_order(element_pr, shd)


def _style(doc: Document, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> Any:
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, kind)
        style.quick_style = True
        return style


def _text(style: CharacterStyle, family: str, size: float, colour: str, bold: bool = False,
          italic: bool = False) -> None:
    set_font(style, family)
    style.font.size = Pt(size)
    style.font.color.rgb = rgb(colour)
    style.font.bold = bold
    style.font.italic = italic


def _spacing(style: ParagraphStyle, before: float, after: float, line: float | None = None) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line:
        fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
        fmt.line_spacing = line


def apply_brand(doc: Document, brand: Brand) -> None:
    """Define every style the writer names, from the brand: the look of the reference document."""
    c, f, s = brand.colours, brand.fonts, brand.sizes
    for name, (base, heading_font) in CUSTOM_PARAGRAPH_STYLES.items():
        style = _style(doc, name)
        style.base_style = doc.styles[base]
        set_font(style, f.heading if heading_font else f.body)
    for name in CHARACTER_STYLES:
        _style(doc, name, WD_STYLE_TYPE.CHARACTER)

    normal = doc.styles["Normal"]
    _text(normal, f.body, s.body, c.text)
    _spacing(normal, 0, 6, 1.2)

    title = doc.styles["Title"]
    _text(title, f.heading, s.title, c.primary, bold=True)
    title.element.get_or_add_pPr().remove_all("w:pBdr")
    _spacing(title, 0, 6, 1.05)
    _text(doc.styles["Subtitle"], f.body, s.heading2 + 1, c.text, italic=True)
    _spacing(doc.styles["Subtitle"], 0, 8)
    doc.styles["Subtitle"].element.get_or_add_rPr().remove_all("w:spacing")

    _spacing(doc.styles["Logo"], 0, 10, 1.0)
    _spacing(doc.styles["Image"], 6, 2, 1.0)
    doc.styles["Image"].paragraph_format.keep_with_next = True  # with its caption
    kind = doc.styles["Brief Kind"]
    _text(kind, f.heading, 8, c.accent, bold=True)
    kind.font.all_caps = True
    paragraph_border(kind, "top", c.primary, 28, space=10)
    _spacing(kind, 0, 6)
    byline = doc.styles["Byline"]
    _text(byline, f.heading, s.small + 0.5, c.muted)
    paragraph_border(byline, "bottom", c.rule, 6, space=8)
    _spacing(byline, 0, 16)

    for level, size, before in ((1, s.heading1, 16), (2, s.heading2, 10)):
        heading = doc.styles[f"Heading {level}"]
        _text(heading, f.heading, size, c.primary, bold=True)
        _spacing(heading, before, 5, 1.1)
        heading.paragraph_format.keep_with_next = True
        if level == 1:
            paragraph_border(heading, "bottom", c.rule, 6, space=2)

    lead = doc.styles["Bottom Line"]
    _text(lead, f.body, s.body + 1.5, c.text)
    lead.paragraph_format.left_indent = Mm(4)
    lead.paragraph_format.right_indent = Mm(2)
    shade(lead.element.get_or_add_pPr(), c.tint)
    paragraph_border(lead, "left", c.accent, 24, space=8)
    _spacing(lead, 0, 10, 1.25)

    for name in ("List Bullet", "List Number"):
        _text(doc.styles[name], f.body, s.body, c.text)
        _spacing(doc.styles[name], 0, 5, 1.2)
    _list_marker(doc, "List Bullet", "\u2022", f.body, c.accent, bold=False)
    _list_marker(doc, "List Number", None, f.body, c.primary, bold=True)

    _text(doc.styles["Figure Value"], f.heading, 19, c.primary, bold=True)
    _spacing(doc.styles["Figure Value"], 2, 2, 1.0)
    _text(doc.styles["Figure Label"], f.heading, s.small, c.muted)
    _spacing(doc.styles["Figure Label"], 0, 2, 1.1)

    quote = doc.styles["Quote"]
    _text(quote, f.body, s.body + 2, c.primary, italic=True)
    quote.paragraph_format.left_indent = Mm(6)
    paragraph_border(quote, "left", c.rule, 16, space=10)
    _spacing(quote, 4, 2, 1.2)
    attribution = doc.styles["Quote Attribution"]
    _text(attribution, f.heading, s.small + 0.5, c.muted)
    attribution.paragraph_format.left_indent = Mm(6)
    _spacing(attribution, 0, 10)

    source = doc.styles["Source"]
    _text(source, f.body, s.small + 0.5, c.text)
    source.paragraph_format.left_indent = Mm(7)
    source.paragraph_format.first_line_indent = Mm(-7)
    source.paragraph_format.tab_stops.add_tab_stop(Mm(7))
    _spacing(source, 0, 3, 1.1)
    note = doc.styles["footnote text"]
    _text(note, f.heading, s.small, c.text)
    _spacing(note, 0, 2, 1.0)
    reference = doc.styles["footnote reference"]
    reference.font.superscript = True
    reference.font.color.rgb = rgb(c.accent)
    link = doc.styles["Hyperlink"]
    link.font.color.rgb = rgb(c.primary)
    link.font.underline = True
    marking = doc.styles["Classification"]
    marking.font.bold = True
    marking.font.color.rgb = rgb(c.classification)

    contents = doc.styles["TOC Heading"]
    _text(contents, f.heading, s.small + 1, c.accent, bold=True)
    contents.font.all_caps = True
    _spacing(contents, 0, 4)
    entry = doc.styles["toc 1"]
    _text(entry, f.heading, s.small + 1, c.text)
    _spacing(entry, 0, 2, 1.0)
    entry.paragraph_format.tab_stops.add_tab_stop(
        Mm(170), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    _text(doc.styles["Caption"], f.heading, s.small, c.muted, italic=True)

    _text(doc.styles["Table Text"], f.heading, s.small + 0.5, c.text)
    _spacing(doc.styles["Table Text"], 2, 2, 1.1)
    _text(doc.styles["Table Key"], f.heading, s.small + 0.5, c.primary, bold=True)
    _text(doc.styles["Table Heading"], f.heading, s.small, "#FFFFFF", bold=True)
    doc.styles["Table Heading"].font.all_caps = True
    _spacing(doc.styles["Table Heading"], 2, 2, 1.0)

    for name in ("Header", "Footer"):  # the base template's stops are set for US Letter
        _text(doc.styles[name], f.heading, 7.5, c.muted)
        doc.styles[name].paragraph_format.tab_stops.clear_all()
    _table_style(doc, brand)
    _cards_style(doc, brand)
    _script_fonts(doc, brand)


def _script_fonts(doc: Document, brand: Brand) -> None:
    """Word picks a run's font by script: w:cs for Arabic script (and any run marked w:rtl),
    w:eastAsia for CJK. Pointing those slots at the brand's Arabic and CJK fonts in every style
    and in the document defaults gives Word the same fallbacks as the PDF's font stacks."""
    styles = doc.styles.element
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None and defaults.find(qn("w:rFonts")) is None:
        defaults.insert(0, OxmlElement("w:rFonts"))
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in ("w:csTheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        fonts.set(qn("w:cs"), brand.fonts.arabic)
        fonts.set(qn("w:eastAsia"), brand.fonts.cjk)


def _list_marker(doc: Document, style_name: str, text: str | None, family: str, colour: str,
                 bold: bool) -> None:
    """Bullets and numbers as in the PDF: a real U+2022 bullet (screen readers and text
    extraction get a bullet, not Symbol's private-use glyph) in the brand's colours."""
    numbering = doc.part.numbering_part.element
    num_id = doc.styles[style_name].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
    abstract = next(a for a in numbering.iter(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(abstract_id))
    level = abstract.find(qn("w:lvl"))
    if text is not None:
        level.find(qn("w:lvlText")).set(qn("w:val"), text)
    rpr = level.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        level.append(rpr)
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(w_element("w:rFonts", ascii=family, hAnsi=family, cs=family))
    if bold:
        rpr.append(OxmlElement("w:b"))
    rpr.append(w_element("w:color", val=colour.lstrip("#")))


def _table_style(doc: Document, brand: Brand) -> None:
    """Rules between rows and a brand-coloured header row, all in the style, so restyling the
    table style in Word restyles every table. (No banded rows: LibreOffice ignores band1Horz.)"""
    el = _fresh_table_style(doc, TABLE_STYLE)
    rule = brand.colours.rule.lstrip("#")
    tbl_pr = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "bottom", "insideH"):
        borders.append(w_element(f"w:{side}", val="single", sz="4", space="0", color=rule))
    insert_in_order(tbl_pr, borders)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(w_element(f"w:{side}", w="100", type="dxa"))
    insert_in_order(tbl_pr, margins)
    el.append(tbl_pr)
    header = w_element("w:tblStylePr", type="firstRow")
    tc_pr = OxmlElement("w:tcPr")
    shade(tc_pr, brand.colours.primary)
    header.append(tc_pr)
    el.append(header)


def _cards_style(doc: Document, brand: Brand) -> None:
    """Figure cards: tinted cells with an accent rule on top, spaced apart, no table borders."""
    el = _fresh_table_style(doc, CARDS_STYLE)
    tbl_pr = OxmlElement("w:tblPr")
    insert_in_order(tbl_pr, w_element("w:tblCellSpacing", w="60", type="dxa"))
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(w_element(f"w:{side}", val="nil"))
    insert_in_order(tbl_pr, borders)
    el.append(tbl_pr)
    tc_pr = OxmlElement("w:tcPr")
    cell_borders = OxmlElement("w:tcBorders")
    cell_borders.append(w_element("w:top", val="single", sz="24", space="0",
                                color=brand.colours.accent.lstrip("#")))
    insert_in_order(tc_pr, cell_borders)
    shade(tc_pr, brand.colours.tint)
    el.append(tc_pr)


def _fresh_table_style(doc: Document, name: str):
    style = _style(doc, name, WD_STYLE_TYPE.TABLE)
    style.base_style = None
    el = style.element
    for tag in ("w:tblPr", "w:tcPr", "w:tblStylePr"):
        for old in el.findall(qn(tag)):
            el.remove(old)  # the style's children end pPr, rPr, tblPr, trPr, tcPr, tblStylePr
    return el
