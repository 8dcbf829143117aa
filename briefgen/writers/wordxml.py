"""WordprocessingML that python-docx has no API for: fields, bookmarks, footnotes, alt text.

Thin helpers over the XML, in the manner of python-docx's own oxml layer; the document writer
(docx.py) decides where they go.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

# python-docx loads parts it has no class for as opaque bytes; footnotes must stay editable XML,
# whether they come from the generated reference or an organisation's own Word template.
PartFactory.part_type_for[CONTENT_TYPE.WML_FOOTNOTES] = XmlPart

# Child order that the WordprocessingML schema requires inside each properties element; Word
# reports a file as damaged when children come out of order, so every insert goes through here.
SCHEMA_ORDER = {
    "pPr": ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
            "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap "
            "overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid "
            "spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
            "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"),
    "tcPr": ("cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
             "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"),
    "tblPr": ("tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize "
              "tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook "
              "tblCaption tblDescription tblPrChange"),
    "rPr": ("rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss "
            "imprint noProof snapToGrid vanish webHidden color spacing w kern position sz szCs "
            "highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout "
            "specVanish oMath"),
}
# CT_Settings children that come after w:updateFields.
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults footnotePr endnotePr compat docVars rsids attachedSchema themeFontLang "
    "clrSchemeMapping doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions "
    "readModeInkLockDown smartTagType schemaLibrary shapeDefaults doNotEmbedSmartTags "
    "decimalSymbol listSeparator")
_SEPARATORS = f"""<w:footnotes {nsdecls("w")}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240"
 w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"
 w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
</w:footnotes>"""


def insert_in_order(parent, child) -> None:
    """Insert child into a w:pPr, w:rPr, w:tcPr or w:tblPr where the schema wants it,
    replacing any element of the same name."""
    order = SCHEMA_ORDER[parent.tag.rsplit("}", 1)[-1]].split()
    name = child.tag.rsplit("}", 1)[-1]
    for old in parent.findall(child.tag):
        parent.remove(old)
    later = {qn(f"w:{n}") for n in order[order.index(name) + 1 :]}
    for index, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(index, child)
            return
    parent.append(child)


def w_element(tag: str, **attrs: str):
    """A w: element with w: attributes, for the few lines that build XML by hand."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def styled_run(style_id: str | None = None):
    """An empty w:r, carrying a character style when one is given."""
    run = OxmlElement("w:r")
    if style_id:
        props = OxmlElement("w:rPr")
        props.append(w_element("w:rStyle", val=style_id))
        run.append(props)
    return run


def field_runs(instruction: str, shown: str, style_id: str | None = None,
               dirty: bool = False) -> list:
    """The runs of a complex field: instruction, then the result a reader sees until the
    program recomputes it. dirty asks Word to recompute it on opening."""
    begin = w_element("w:fldChar", fldCharType="begin")
    if dirty:
        begin.set(qn("w:dirty"), "true")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    runs = [styled_run(style_id) for _ in range(5)]
    runs[0].append(begin)
    runs[1].append(code)
    runs[2].append(w_element("w:fldChar", fldCharType="separate"))
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = shown
    runs[3].append(text)
    runs[4].append(w_element("w:fldChar", fldCharType="end"))
    return runs


def bookmark(paragraph_element, name: str, number: int, inner: list) -> None:
    """Append inner runs to a paragraph, wrapped in a named bookmark (a cross-reference target)."""
    paragraph_element.append(w_element("w:bookmarkStart", id=str(number), name=name))
    for item in inner:
        paragraph_element.append(item)
    paragraph_element.append(w_element("w:bookmarkEnd", id=str(number)))


def footnotes_part(doc: Document) -> XmlPart:
    """The document's footnotes part, emptied of notes and created when the base lacks one."""
    for rel in doc.part.rels.values():
        if rel.reltype == RELATIONSHIP_TYPE.FOOTNOTES and not rel.is_external:
            part = rel.target_part
            for note in part.element.findall(qn("w:footnote")):
                if note.get(qn("w:type")) not in ("separator", "continuationSeparator",
                                                  "continuationNotice"):
                    part.element.remove(note)
            return part
    part = XmlPart(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES,
                   parse_xml(_SEPARATORS), doc.part.package)
    doc.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    return part


def new_footnote(part: XmlPart):
    """Append an empty w:footnote with the next free id; returns (id, note element)."""
    ids = [int(n.get(qn("w:id"))) for n in part.element.findall(qn("w:footnote"))]
    number = max([0, *ids]) + 1
    note = w_element("w:footnote", id=str(number))
    part.element.append(note)
    return number, note


def footnote_reference(note_id: int, style_id: str):
    """The run in the text where Word prints a footnote's number."""
    run = styled_run(style_id)
    run.append(w_element("w:footnoteReference", id=str(note_id)))
    return run


def footnote_mark(style_id: str):
    """The run at the start of a note where Word repeats the note's number."""
    run = styled_run(style_id)
    run.append(OxmlElement("w:footnoteRef"))
    return run


def describe_picture(inline, alt: str) -> None:
    """Alt text for an inline picture, read by screen readers and Word's accessibility checker."""
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("descr", alt)
    doc_pr.set("title", alt)


def update_fields_on_open(doc: Document) -> None:
    """Ask Word to recompute fields (the table of contents) when the document is opened."""
    settings = doc.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    flag = w_element("w:updateFields", val="true")
    # w:updateFields comes after these in CT_Settings; inserting before the rest keeps it valid.
    later = {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS.split()}
    position = next((i for i, e in enumerate(settings) if e.tag in later), len(settings))
    settings.insert(position, flag)


def stable_zip(doc: Document, date: str) -> bytes:
    """Save with every zip entry stamped with the brief's date, so rebuilds are byte-identical."""
    raw = io.BytesIO()
    doc.save(raw)
    day = min(max(dt.date.fromisoformat(date), dt.date(1980, 1, 1)), dt.date(2107, 12, 31))
    stamp = day.timetuple()[:6]  # zip entries can only hold 1980-2107
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
