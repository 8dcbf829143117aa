"""Test helper (not a test module): the DOCX as LibreOffice shows it, and what a reader sees.

- LibreOffice headless opens a DOCX as a reader's office suite would, fills in its table of
  contents and fields, and exports what it shows to PDF. `soffice --convert-to pdf` leaves TOC
  fields as they were saved, so the conversion runs a small Basic macro, installed in a private
  user profile, that updates every index and field first.
- poppler (pdftotext, pdfinfo) reads a PDF back, page by page, without its page furniture.
- python-docx and lxml read the DOCX: paragraph styles, the text a reader sees with its citation
  numbers, footnotes, running headers and footers.

Shared by test_libreoffice.py and test_parity.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pytest
from conftest import VARIANTS, output_file, squash
from docx import Document
from lxml import etree

TIMEOUT = 120  # seconds for one conversion; a first start of LibreOffice takes a few seconds

MACRO = """\
Sub ToPdf(source As String, target As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, args())
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next
  doc.getTextFields().refresh()
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = "FilterName"
  out(0).Value = "writer_pdf_Export"
  doc.storeToURL(ConvertToURL(target), out())
  doc.close(True)
End Sub

Sub EditCharts(source As String, target As String, listing As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, args())
  objects = doc.getEmbeddedObjects()
  names = objects.getElementNames()
  f = FreeFile
  Open listing For Output As #f
  For i = 0 To UBound(names)
    chart = objects.getByName(names(i)).getEmbeddedObject()
    If chart.supportsService("com.sun.star.chart.ChartDocument") Then
      data = chart.getData()
      rows = data.getData()
      Print #f, "chart" & Chr(9) & chart.getTitle().String
      labels = data.getRowDescriptions()
      For r = 0 To UBound(rows)
        line = labels(r)
        For c = 0 To UBound(rows(r))
          line = line & Chr(9) & CStr(rows(r)(c))
        Next
        Print #f, line
      Next
      rows(0)(0) = 9999
      data.setData(rows)
      labels(0) = "Edited"
      data.setRowDescriptions(labels)
    End If
  Next
  Close #f
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = "FilterName"
  out(0).Value = "writer_pdf_Export"
  doc.storeToURL(ConvertToURL(target), out())
  doc.close(True)
End Sub
"""

MODULE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN"'
    ' "module.dtd">\n'
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
    ' script:language="StarBasic">'
    f"{escape(MACRO, quote=True).replace('&#x27;', '&apos;')}"
    "</script:module>"
)


class ConversionError(RuntimeError):
    """LibreOffice did not produce the PDF it was asked for."""


def soffice_path() -> str | None:
    """The LibreOffice binary on PATH (soffice, or libreoffice as some distributions name it)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The soffice binary. Without it the test fails, never skips: a suite that passes without
    LibreOffice has not checked the Word documents."""
    path = soffice_path()
    if path is None:
        pytest.fail("LibreOffice (soffice) not installed: run scripts/setup-tests", pytrace=False)
    return path


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def _install_macro(soffice: str, profile: Path) -> None:
    """Create the private profile (once) and put the ToPdf macro in its Standard library."""
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    if not module.is_file():
        profile.mkdir(parents=True, exist_ok=True)
        _run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
              "--terminate_after_init"])
    if not module.is_file():
        raise ConversionError(f"LibreOffice did not initialise its profile in {profile}")
    if module.read_text(encoding="utf-8") != MODULE:
        module.write_text(MODULE, encoding="utf-8")


def to_pdf(docx: Path, out_dir: Path, profile: Path) -> Path:
    """Convert DOCX to out_dir/<stem>.pdf in LibreOffice, updating its TOC and fields first."""
    soffice = soffice_path()
    if soffice is None:
        raise ConversionError("LibreOffice (soffice) not installed: run scripts/setup-tests")
    _install_macro(soffice, profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    source, target = docx.resolve(), (out_dir / f"{docx.stem}.pdf").resolve()
    target.unlink(missing_ok=True)
    for path in (source, target):
        if '"' in str(path):
            raise ConversionError(f"a path with a double quote cannot go into the macro: {path}")
    macro = f'macro:///Standard.Module1.ToPdf("{source}","{target}")'
    try:
        proc = _run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                     "--norestore", macro])
    except subprocess.TimeoutExpired as error:
        raise ConversionError(f"LibreOffice took over {TIMEOUT} s converting {docx}") from error
    if not target.is_file() or target.stat().st_size == 0:
        raise ConversionError(
            f"LibreOffice produced no PDF for {docx} (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return target


def edit_charts(docx: Path, out_dir: Path, profile: Path) -> tuple[Path, str]:
    """Open DOCX in LibreOffice as a reader would, list the data of every chart as LibreOffice
    holds it (a line "chart<TAB>title", then "category<TAB>value..." rows), then edit each
    chart's data (first value 9999, first category "Edited") and print the result to PDF.
    Returns the PDF and the listing."""
    soffice = require_soffice()
    _install_macro(soffice, profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = docx.resolve()
    target = (out_dir / f"{docx.stem}-edited.pdf").resolve()
    listing = (out_dir / f"{docx.stem}-charts.txt").resolve()
    for path in (source, target, listing):
        if '"' in str(path):
            raise ConversionError(f"a path with a double quote cannot go into the macro: {path}")
    macro = f'macro:///Standard.Module1.EditCharts("{source}","{target}","{listing}")'
    proc = _run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                 "--norestore", macro])
    if not target.is_file() or not listing.is_file():
        raise ConversionError(f"LibreOffice did not edit the charts of {docx} "
                              f"(exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return target, listing.read_text(encoding="utf-8", errors="replace")


_CONVERTED: dict[Path, dict[str, Path]] = {}


def libreoffice_pdfs(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """LibreOffice's PDF of each built DOCX by variant, converted from copies, once per session.

    Test modules wrap this in their own session fixture; the cache makes the conversion run once
    however many modules ask for it.
    """
    require_soffice()
    if built not in _CONVERTED:
        work = tmp_path_factory.mktemp("libreoffice")
        profile = work / "profile"
        pdfs: dict[str, Path] = {}
        for variant in VARIANTS:
            docx = Path(shutil.copy(output_file(built, variant, "docx"), work))
            pdfs[variant] = to_pdf(docx, work / "pdf", profile)
        _CONVERTED[built] = pdfs
    return _CONVERTED[built]


# --- Reading a PDF back with poppler ---


def pdftotext(pdf: Path, page: int | None = None, layout: bool = False) -> str:
    """The text of a PDF (or of one page, counted from 1), as poppler's pdftotext extracts it."""
    options = ["-layout"] if layout else []
    if page is not None:
        options += ["-f", str(page), "-l", str(page)]
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def page_count(pdf: Path) -> int:
    """The number of pages pdfinfo reports."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert found, f"pdfinfo gave no page count for {pdf}:\n{info}"
    return int(found[1])


def pages_of(pdf: Path) -> list[str]:
    """The text of each page in reading order (pdftotext ends every page with a form feed)."""
    pages = pdftotext(pdf).split("\f")
    count = page_count(pdf)
    assert len(pages) == count + 1 and not pages[-1].strip(), "pdftotext and pdfinfo disagree"
    return pages[:count]


def fold(text: str) -> str:
    """The squashed (no whitespace or hyphens), case-folded form two texts are compared in.

    Case folding because the PDF may set a heading in capitals with CSS or a caps style.
    """
    return squash(text).casefold()


_PAGE_NUMBER = re.compile(r"Page\s+\d+\s+of\s+\d+")
_TOC_LINE = re.compile(r".*?(?:\.\s?){3,}\s*\d+\s*")


def is_toc_line(line: str) -> bool:
    """A table-of-contents line: an entry, a dot leader and a page number."""
    return bool(_TOC_LINE.fullmatch(line.strip()))


def is_furniture(line: str, furniture: Iterable[str]) -> bool:
    """A running header or footer line: only furniture pieces and 'Page N of M' (or blank)."""
    rest = fold(_PAGE_NUMBER.sub("", line))
    for piece in sorted({fold(p) for p in furniture if p.strip()}, key=len, reverse=True):
        rest = rest.replace(piece, "")
    return not rest


def body_lines(pages: list[str], furniture: Iterable[str]) -> list[list[str]]:
    """Each page's non-blank lines without the running header and footer."""
    furniture = list(furniture)
    return [[line for line in page.splitlines() if not is_furniture(line, furniture)]
            for page in pages]


def reading_text(pages: list[str], furniture: Iterable[str],
                 notes: Iterable[tuple[int, str]] = ()) -> str:
    """The folded text a reader follows across pages, so a paragraph broken by a page reads on.

    Running headers and footers, table-of-contents lines and footnote blocks (each footnote's
    number followed by its text, as LibreOffice sets them at the foot of a page) are left out.
    """
    lines = [line for page in body_lines(pages, furniture) for line in page
             if not is_toc_line(line)]
    text = fold("".join(lines))
    for number, note in notes:
        text = text.replace(fold(f"{number}{note}"), "")
    return text


def find_in_order(text: str, items: list[str]) -> list[str]:
    """The items not found one after another in a folded text (each search starts after the
    previous hit; a missing item does not move the start)."""
    missing: list[str] = []
    start = 0
    for item in items:
        hit = text.find(fold(item), start)
        if hit < 0:
            missing.append(item)
        else:
            start = hit + len(fold(item))
    return missing


def heading_line(lines: list[str], heading: str, start: int = 0) -> int:
    """Index of the first line from start that is the heading (alone, or wrapped over two
    lines), never a table-of-contents entry; -1 if there is none."""
    want = fold(heading)
    for index in range(start, len(lines)):
        if is_toc_line(lines[index]):
            continue
        if fold(lines[index]) == want:
            return index
        if index + 1 < len(lines) and fold(lines[index] + lines[index + 1]) == want:
            return index
    return -1


# --- Reading the DOCX: what a reader sees in Word or LibreOffice ---

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    """A WordprocessingML tag in Clark notation."""
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Para:
    """A body paragraph: its style name, its shown text and whether it sits in a table."""

    style: str
    text: str
    in_table: bool


@dataclass(frozen=True)
class DocxReading:
    """The parts of a DOCX the LibreOffice and parity tests compare with PDFs."""

    paragraphs: list[Para]
    notes: list[str]  # footnote texts, by id (1, 2, ...)
    shown_notes: list[tuple[int, str]]  # (number shown, text) of each note, in document order
    note_ids_in_order: list[int]  # w:footnoteReference ids in document order
    furniture: list[str]  # the pieces of the running headers and footers (split at tabs)

    def styled(self, style: str, in_table: bool | None = None) -> list[str]:
        """The shown text of every paragraph in a style (optionally only in or out of tables)."""
        return [p.text for p in self.paragraphs
                if p.style == style and (in_table is None or p.in_table == in_table)]

    def section(self, heading: str) -> list[Para]:
        """The paragraphs between a Heading 1 with that text and the next Heading 1."""
        out: list[Para] = []
        inside = False
        for p in self.paragraphs:
            if p.style == "Heading 1":
                inside = p.text == heading
            elif inside:
                out.append(p)
        return out

    @property
    def headings(self) -> list[str]:
        return self.styled("Heading 1")

    @property
    def key_points(self) -> list[str]:
        return [p.text for p in self.section("Key points") if p.style == "List Bullet"]

    @property
    def sources(self) -> list[str]:
        return self.styled("Source")

    @property
    def figure_values(self) -> list[str]:
        return self.styled("Figure Value", in_table=True)

    @property
    def figure_labels(self) -> list[str]:
        return self.styled("Figure Label", in_table=True)


def _note_numbers(body: etree._Element) -> tuple[dict[etree._Element, int], dict[str, int]]:
    """The number a reader sees for each footnote reference mark (Word and LibreOffice number
    them in document order), and for each bookmark around a mark (what NOTEREF shows)."""
    marks: dict[etree._Element, int] = {}
    bookmarks: dict[str, int] = {}
    open_marks: dict[str, str] = {}
    for el in body.iter(w("bookmarkStart"), w("bookmarkEnd"), w("footnoteReference")):
        if el.tag == w("bookmarkStart"):
            open_marks[el.get(w("id"), "")] = el.get(w("name"), "")
        elif el.tag == w("bookmarkEnd"):
            open_marks.pop(el.get(w("id"), ""), None)
        else:
            marks[el] = len(marks) + 1
            for name in open_marks.values():
                bookmarks.setdefault(name, marks[el])
    return marks, bookmarks


def shown_text(paragraph: etree._Element, marks: dict[etree._Element, int],
               bookmarks: dict[str, int]) -> str:
    """A paragraph's text as a reader sees it once fields are updated, citation numbers included.

    A footnote reference mark shows its number; a NOTEREF field shows the number of the note its
    bookmark holds (not its cached result); other fields show their cached result.
    """
    parts: list[str] = []
    instruction: list[str] = []
    in_code = skip_result = False
    for el in paragraph.iter(w("t"), w("tab"), w("footnoteReference"), w("fldChar"),
                             w("instrText")):
        if el.tag == w("fldChar"):
            kind = el.get(w("fldCharType"))
            if kind == "begin":
                in_code, instruction = True, []
            elif kind == "separate":
                in_code = False
                words = "".join(instruction).split()
                skip_result = bool(words) and words[0] == "NOTEREF"
                if skip_result:
                    parts.append(str(bookmarks.get(words[1], "?")))
            else:
                in_code = skip_result = False
        elif el.tag == w("instrText"):
            instruction.append(el.text or "")
        elif in_code or skip_result:
            continue
        elif el.tag == w("footnoteReference"):
            parts.append(str(marks[el]))
        elif el.tag == w("tab"):
            parts.append("\t")
        else:
            parts.append(el.text or "")
    return " ".join("".join(parts).split())


def read_docx(path: Path) -> DocxReading:
    """Read a DOCX's body paragraphs, footnotes and running headers and footers."""
    doc = Document(str(path))
    names = {style.style_id: style.name for style in doc.styles}
    body = doc.element.body
    marks, bookmarks = _note_numbers(body)
    paragraphs: list[Para] = []
    for p in body.iter(w("p")):
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        name = names.get(style.get(w("val")), "") if style is not None else "Normal"
        in_table = any(a.tag == w("tbl") for a in p.iterancestors())
        paragraphs.append(Para(name, shown_text(p, marks, bookmarks), in_table))
    with zipfile.ZipFile(path) as package:
        names_in_zip = set(package.namelist())
        notes_xml = (etree.fromstring(package.read("word/footnotes.xml"))
                     if "word/footnotes.xml" in names_in_zip else None)
    notes: dict[int, str] = {}  # footnote id -> its text
    if notes_xml is not None:
        for note in notes_xml.iter(w("footnote")):
            number = int(note.get(w("id"), "0"))
            if number >= 1:
                notes[number] = " ".join("".join(t.text or "" for t in note.iter(w("t"))).split())
    furniture: list[str] = []
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if part.is_linked_to_previous:
                continue  # not defined here; reading it would add an empty definition
            for paragraph in part.paragraphs:
                furniture += [piece.strip() for piece in paragraph.text.split("\t")]
    return DocxReading(
        paragraphs=paragraphs,
        notes=[notes[k] for k in sorted(notes)],
        shown_notes=[(number, notes.get(int(mark.get(w("id"), "0")), ""))
                     for mark, number in marks.items()],
        note_ids_in_order=[int(r.get(w("id"), "0")) for r in marks],
        furniture=[piece for piece in furniture if piece and not _PAGE_NUMBER.fullmatch(piece)],
    )
