"""Word-native structures in the DOCX: footnotes, the TOC field, numbering, language, alt text,
styles only, and a reference document that restyles every brief."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import (
    MINIMAL_BRIEF,
    REPO,
    SLUG,
    cited_in_order,
    headings,
    output_file,
    run_cli,
    write_brief,
)
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from libreoffice import require_soffice
from lxml import etree

from briefgen.brand import load_brand
from briefgen.model import Brief
from briefgen.writers.wordstyles import REQUIRED_STYLES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BRAND = load_brand(REPO / "templates" / "brand.yaml")


def part_xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def text_of(element: etree._Element) -> str:
    return " ".join("".join(t.text or "" for t in element.iter(f"{W}t")).split())


def notes(path: Path) -> list[etree._Element]:
    """The footnotes a reader sees, in id order (separators excluded)."""
    root = part_xml(path, "word/footnotes.xml")
    return [n for n in root.iter(f"{W}footnote") if int(n.get(f"{W}id")) > 0]


def test_citations_are_footnotes_holding_their_source(built: Path, brief: Brief,
                                                      variant: str) -> None:
    """One Word footnote per cited source, in citation order, saying what the source list says."""
    path = output_file(built, variant, "docx")
    cited = [brief.source(i) for i in cited_in_order(brief, variant)]
    found = notes(path)
    assert len(found) == len(cited)
    for note, source in zip(found, cited, strict=True):
        assert note.find(f".//{W}footnoteRef") is not None  # Word prints the number itself
        assert text_of(note).startswith(f"{source.publisher}, “{source.title}”")
        if source.url:
            links = note.findall(f".//{W}hyperlink")
            assert [text_of(link) for link in links] == [source.url]
    document = part_xml(path, "word/document.xml")
    refs = [r.get(f"{W}id") for r in document.iter(f"{W}footnoteReference")]
    assert refs == [n.get(f"{W}id") for n in found]  # Word numbers notes in this order


def test_repeated_citations_refer_back_to_the_first_note(built: Path, variant: str) -> None:
    """A source cited again shows its first note's number through a NOTEREF field."""
    document = part_xml(output_file(built, variant, "docx"), "word/document.xml")
    marks = {b.get(f"{W}name") for b in document.iter(f"{W}bookmarkStart")}
    refs = [i.text.split() for i in document.iter(f"{W}instrText") if "NOTEREF" in i.text]
    assert refs, "the default brief cites some sources more than once"
    for ref in refs:
        assert ref[0] == "NOTEREF" and ref[1] in marks
        number = int(ref[1].removeprefix("_BriefNote"))
        start = next(b for b in document.iter(f"{W}bookmarkStart")
                     if b.get(f"{W}name") == ref[1])
        assert start.getnext().find(f"{W}footnoteReference") is not None
        assert 1 <= number <= len(notes(output_file(built, variant, "docx")))


def test_full_variant_has_a_table_of_contents_field(built: Path, brief: Brief) -> None:
    """A TOC field over Heading 1, prefilled with linked headings, updated when Word opens it."""
    path = output_file(built, "full", "docx")
    document = part_xml(path, "word/document.xml")
    codes = [i.text.strip() for i in document.iter(f"{W}instrText")]
    assert [c for c in codes if c.startswith("TOC")] == ['TOC \\o "1-1" \\h \\z \\u']
    entries = [p for p in document.iter(f"{W}p")
               if p.find(f"{W}pPr/{W}pStyle") is not None
               and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "toc1"]
    assert [text_of(p) for p in entries] == headings(brief, "full")
    marks = {b.get(f"{W}name") for b in document.iter(f"{W}bookmarkStart")}
    anchors = [p.find(f"{W}hyperlink").get(f"{W}anchor") for p in entries]
    assert set(anchors) <= marks
    settings = part_xml(path, "word/settings.xml")
    assert settings.find(f"{W}updateFields").get(f"{W}val") == "true"
    assert settings.find(f"{W}proofState") is None  # Word spell-checks the new text
    summary = part_xml(output_file(built, "summary", "docx"), "word/settings.xml")
    assert summary.find(f"{W}updateFields") is None


def test_lists_use_numbering_definitions(doc: DocumentObject) -> None:
    """Bullets and numbers come from numbering.xml, never typed characters."""
    numbering = doc.part.numbering_part.element
    for style_name, fmt in (("List Bullet", "bullet"), ("List Number", "decimal")):
        num_id = doc.styles[style_name].element.pPr.numPr.numId.val
        abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
        abstract = next(a for a in numbering.iter(qn("w:abstractNum"))
                        if a.get(qn("w:abstractNumId")) == str(abstract_id))
        assert abstract.find(f"{W}lvl/{W}numFmt").get(f"{W}val") == fmt
        if fmt == "bullet":  # a real bullet, not Symbol's private-use U+F0B7
            assert abstract.find(f"{W}lvl/{W}lvlText").get(f"{W}val") == "\u2022"
    items = [p for p in doc.paragraphs if p.style.name in ("List Bullet", "List Number")]
    assert items
    assert not [p.text for p in items if p.text.lstrip()[:1] in "\u2022-\u2013*\u00b7"]


def test_document_language_is_the_briefs(doc: DocumentObject, brief: Brief) -> None:
    """w:lang on the defaults and on Normal, so spell checking uses the brief's language."""
    normal = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert normal.get(qn("w:val")) == brief.language
    default = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(qn("w:val")) == brief.language
    assert doc.core_properties.language == brief.language


def test_russian_brief_is_marked_russian(tmp_path: Path) -> None:
    write_brief(tmp_path, "ru", MINIMAL_BRIEF + "language: ru\n")
    result = run_cli(["build", "--format", "docx", "--variant", "summary"], tmp_path)
    assert result.returncode == 0, result.stderr
    doc = Document(str(tmp_path / "output" / "ru" / "ru-summary.docx"))
    assert doc.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "ru"


def test_every_picture_has_alt_text(doc: DocumentObject) -> None:
    pictures = list(doc.element.body.iter(qn("wp:docPr")))
    assert len(pictures) == 1  # the brand's logo
    assert [p.get("descr") for p in pictures] == [BRAND.logo.alt]
    (logo,) = [p for p in doc.paragraphs if p.style.name == "Logo"]
    assert logo._p.find(f".//{W}drawing") is not None


def test_body_names_styles_and_never_formats_directly(built: Path, variant: str) -> None:
    """Restyling works only if no paragraph carries its own font, size, colour or shading."""
    document = part_xml(output_file(built, variant, "docx"), "word/document.xml")
    body = document.find(f"{W}body")
    direct = {f"{W}{n}" for n in ("rFonts", "sz", "color", "shd", "highlight", "u")}
    offenders = {el.tag.removeprefix(W) for el in body.iter() if el.tag in direct}
    assert not offenders, f"direct formatting in the body: {sorted(offenders)}"


def _project_with_reference(tmp: Path) -> Path:
    shutil.copytree(REPO / "templates", tmp / "templates")
    shutil.copy(REPO / "content" / f"{SLUG}.yaml", write_brief(tmp, SLUG).parent)
    result = run_cli(["reference-doc", "templates/house.docx"], tmp)
    assert result.returncode == 0, result.stderr
    return tmp / "templates" / "house.docx"


def use_reference(project: Path) -> None:
    """Point the project's brand file at templates/house.docx, as an organisation would."""
    brand = project / "templates" / "brand.yaml"
    brand.write_text(brand.read_text().replace("reference_docx: null",
                                               "reference_docx: house.docx"))


def test_reference_doc_defines_every_style_a_brief_names(tmp_path: Path) -> None:
    reference = Document(str(_project_with_reference(tmp_path)))
    names = {s.name for s in reference.styles}
    assert set(REQUIRED_STYLES) <= names
    assert any(r.reltype == RELATIONSHIP_TYPE.FOOTNOTES for r in reference.part.rels.values())


@pytest.mark.slow
def test_restyled_reference_restyles_the_brief(tmp_path: Path) -> None:
    """Changing the heading font in the reference, as a Word user would, changes a rebuilt
    brief without touching code; LibreOffice's rendering then embeds the new font."""
    path = _project_with_reference(tmp_path)
    house = Document(str(path))
    house.styles["Heading 1"].font.name = "DejaVu Sans"
    house.save(str(path))
    use_reference(tmp_path)
    result = run_cli(["build", "--format", "docx", "--variant", "full"], tmp_path)
    assert result.returncode == 0, result.stderr
    built = tmp_path / "output" / SLUG / f"{SLUG}-full.docx"
    doc = Document(str(built))
    assert doc.styles["Heading 1"].font.name == "DejaVu Sans"
    assert [p for p in doc.paragraphs if p.style.name == "Heading 1"]
    soffice = require_soffice()
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(built)], capture_output=True,
                   timeout=180, check=True)
    pdf = tmp_path / built.with_suffix(".pdf").name
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "DejaVuSans-Bold" in fonts


def test_reference_missing_a_style_is_refused(tmp_path: Path) -> None:
    path = _project_with_reference(tmp_path)
    house = Document(str(path))
    house.styles["Bottom Line"].element.getparent().remove(house.styles["Bottom Line"].element)
    house.save(str(path))
    use_reference(tmp_path)
    result = run_cli(["build", "--format", "docx"], tmp_path)
    assert result.returncode == 1
    assert "missing styles Bottom Line" in result.stderr
    assert "briefgen reference-doc" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_reference_saved_by_libreoffice_still_works(tmp_path: Path) -> None:
    """Other programs save built-in styles as "Footnote Text" or "TOC 1": any case matches."""
    path = _project_with_reference(tmp_path)
    house = Document(str(path))
    renamed = {"footnote text": "Footnote Text", "footnote reference": "Footnote Reference",
               "toc 1": "TOC 1", "heading 1": "Heading 1"}
    for style in house.styles:
        if style.element.name_val in renamed:
            style.element.name_val = renamed[style.element.name_val]
    house.save(str(path))
    use_reference(tmp_path)
    result = run_cli(["build", "--format", "docx", "--variant", "full"], tmp_path)
    assert result.returncode == 0, result.stderr
    doc = Document(str(tmp_path / "output" / SLUG / f"{SLUG}-full.docx"))
    assert [p for p in doc.paragraphs if p.style.name == "toc 1"]


def test_reference_symlinked_out_of_templates_is_refused(tmp_path: Path) -> None:
    path = _project_with_reference(tmp_path)
    outside = tmp_path / "elsewhere.docx"
    path.rename(outside)
    path.symlink_to(outside)
    use_reference(tmp_path)
    result = run_cli(["build", "--format", "docx"], tmp_path)
    assert result.returncode == 1
    assert "reference_docx: house.docx leads outside templates/" in result.stderr
    assert "Traceback" not in result.stderr
