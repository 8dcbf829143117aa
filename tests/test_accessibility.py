"""Accessibility, checked the way outside checkers check it.

The PDF's structure tree is walked with pypdf for the machine-checkable PDF/UA-1 conditions a
screen reader depends on (the Matterhorn Protocol's: tables with header cells that say what
they head, figures with alternative text, headings in order, links with a description,
quotations in their own language, page furniture as artifacts). The DOCX's document XML is
checked for what Word's accessibility checker reports. Every HTML page (`--format html`, the
index page, the `serve` pages) is run through axe-core's WCAG 2.1 AA and best-practice rules in
Chromium. Every variant of the default brief, the multilingual test brief and every example is
checked.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree as etree
import pytest
import yaml
from conftest import BRIEFGEN, MINIMAL_BRIEF, REPO, run_cli, write_brief
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NullObject
from test_serve import browser, free_port  # noqa: F401  (browser is a fixture)

BRIEFS = [REPO / "content" / "russia-recognises-taliban.yaml",
          REPO / "tests" / "data" / "multilingual.yaml",
          *sorted(p for p in (REPO / "examples").glob("**/*.yaml")
                  if p.parent.name in ("examples", "content"))]
AXE = REPO / ".venv" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _project(brief: Path) -> Path:
    """The project a brief belongs to: the folder above content/, else the repository."""
    return brief.parent.parent if brief.parent.name == "content" else REPO


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each brief built once, every variant, as PDF, DOCX and HTML, with the real CLI."""
    out = tmp_path_factory.mktemp("a11y")
    folders = {}
    for brief in BRIEFS:
        proc = run_cli(["build", brief, "--out", out, "--format", "pdf", "--format", "docx",
                        "--format", "html"], cwd=_project(brief))
        assert proc.returncode == 0, proc.stderr
        folders[brief.stem] = out / brief.stem
    return folders


def _files(builds: dict[str, Path], name: str, ext: str) -> list[Path]:
    files = sorted(builds[name].glob(f"*.{ext}"))
    assert files, f"no {ext} built for {name}"
    return files


# ---- PDF: the structure tree ---------------------------------------------------------------


class StructTree:
    """A PDF's structure tree as a screen reader walks it: from the root, in reading order."""

    def __init__(self, path: Path) -> None:
        self.reader = PdfReader(path)
        self.root = self.reader.trailer["/Root"]["/StructTreeRoot"]
        self.pages = {page.indirect_reference.idnum: i
                      for i, page in enumerate(self.reader.pages)}

    def kids(self, element: DictionaryObject) -> list[Any]:
        kids = element.get("/K")
        if kids is None:
            return []
        kids = kids.get_object()
        return [k.get_object() for k in (kids if isinstance(kids, ArrayObject) else [kids])]

    def elements(self, element: DictionaryObject | None = None) -> Iterator[DictionaryObject]:
        """Every structure element under element (the root by default), depth first."""
        for kid in self.kids(element if element is not None else self.root):
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                yield kid
                yield from self.elements(kid)

    def marked_content(self) -> dict[int, set[int]]:
        """The marked-content ids each page's elements own, by page index."""
        owned: dict[int, set[int]] = {}
        for element in self.elements():
            for kid in self.kids(element):
                if isinstance(kid, int):
                    page = self.pages[element.raw_get("/Pg").idnum]
                    owned.setdefault(page, set()).add(kid)
                elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
                    pg = kid.raw_get("/Pg") if "/Pg" in kid else element.raw_get("/Pg")
                    page = self.pages[pg.idnum]
                    owned.setdefault(page, set()).add(int(kid["/MCID"]))
        return owned


def _attributes(element: DictionaryObject) -> list[DictionaryObject]:
    value = element.get("/A")
    if value is None:
        return []
    value = value.get_object()
    items = value if isinstance(value, ArrayObject) else [value]
    return [a.get_object() for a in items if isinstance(a.get_object(), DictionaryObject)]


def _quote_languages(brief: Path) -> list[str | None]:
    """The language of each quotation the brief holds, None where it is the brief's own."""
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    own = data.get("language", "en")
    return [q.get("language") if q.get("language") not in (None, own) else None
            for q in data.get("quotes") or []]


def heading_problems(levels: list[int]) -> list[str]:
    """Headings start at level 1 and never go down more than one level at a time."""
    problems = [f"the first heading is level {levels[0]}"] if levels and levels[0] != 1 else []
    problems += [f"heading level skips from {before} to {after}"
                 for before, after in itertools.pairwise(levels) if after > before + 1]
    return problems


def _folded(items: list[str]) -> list[str]:
    return [item for i, item in enumerate(items) if i == 0 or items[i - 1] != item]


def structure_problems(path: Path, quotes: list[str | None]) -> list[str]:
    """Every failure of the conditions below in one PDF, as lines for a reader."""
    tree = StructTree(path)
    problems: list[str] = []
    elements = list(tree.elements())
    kinds = [str(e["/S"]) for e in elements]
    assert "/Document" in kinds and "/P" in kinds, f"{path.name}: the PDF is not tagged"
    for element in elements:
        kind = element["/S"]
        if kind == "/Table" and not any(e["/S"] == "/TH" for e in tree.elements(element)):
            problems.append("a /Table without /TH (layout tagged as a data table)")
        if kind == "/TH" and not any("/Scope" in a or "/Headers" in a
                                     for a in _attributes(element)):
            problems.append("a /TH without /Scope or /Headers")
        if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
            problems.append("a /Figure without /Alt")
    problems += heading_problems([int(k[2:]) for k in kinds if re.fullmatch(r"/H[1-6]", k)])
    for number, page in enumerate(tree.reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and not str(annot.get("/Contents", "")).strip():
                problems.append(f"page {number}: a link annotation without /Contents")
    # Quotations: one /BlockQuote per quotation and page it is laid out on, so compare the
    # languages in reading order with repeats folded.
    shown = [str(e["/Lang"]) for e in elements if e["/S"] == "/BlockQuote" and "/Lang" in e]
    quotations = sum(1 for e in elements if e["/S"] == "/BlockQuote")
    foreign = [lang for lang in quotes if lang]
    if quotations and _folded(shown) != _folded(foreign):
        problems.append(f"quotations' /Lang in reading order are {shown}, expected {foreign}")
    # Page furniture: every marked-content sequence of real content belongs to the tree, and
    # the running title, marking and page numbers are artifacts.
    owned = tree.marked_content()
    for index, page in enumerate(tree.reader.pages):
        marked, artifacts = set(), 0
        for operands, operator in ContentStream(page.get_contents(), tree.reader).operations:
            if operator == b"BDC" and isinstance(operands[1], DictionaryObject):
                if "/MCID" in operands[1]:
                    marked.add(int(operands[1]["/MCID"]))
                if operands[0] == "/Artifact" and operands[1].get("/Type") == "/Pagination":
                    artifacts += 1
        if marked - owned.get(index, set()):
            problems.append(f"page {index + 1}: marked content outside the structure tree "
                            f"(ids {sorted(marked - owned.get(index, set()))})")
        if artifacts < 2:
            problems.append(f"page {index + 1}: page furniture is not marked as artifacts")
    parent_tree = tree.root["/ParentTree"]["/Nums"]
    for value in parent_tree[1::2]:
        value = value.get_object()
        if isinstance(value, ArrayObject) and any(
                not isinstance(v.get_object(), NullObject | DictionaryObject) for v in value):
            problems.append("the parent tree maps content to something not an element")
    return sorted(set(problems))


@pytest.mark.parametrize("brief", BRIEFS, ids=[b.stem for b in BRIEFS])
def test_pdf_structure_tree(builds: dict[str, Path], brief: Path) -> None:
    """Every variant's structure tree: data tables with scoped header cells, no layout as a
    table, figures with /Alt, headings that never skip a level, links with /Contents,
    quotations in another language with their /Lang, page furniture as artifacts."""
    failures = {pdf.name: structure_problems(pdf, _quote_languages(brief))
                for pdf in _files(builds, brief.stem, "pdf")}
    assert not any(failures.values()), failures


def test_data_tables_have_scoped_headers_and_cards_are_a_list(builds: dict[str, Path]) -> None:
    """The timeline and actors tables name their columns and rows; the stat cards read as a
    list of four figures, in the order they are shown."""
    pdf = builds["russia-recognises-taliban"] / "russia-recognises-taliban-full.pdf"
    tree = StructTree(pdf)
    scopes = [a.get("/Scope") for e in tree.elements() if e["/S"] == "/TH"
              for a in _attributes(e)]
    assert scopes.count("/Column") >= 5 and scopes.count("/Row") >= 20, scopes
    cells = [e for e in tree.elements() if e["/S"] == "/TD"]
    assert cells and all(any(a.get("/Headers") for a in _attributes(c)) for c in cells)
    lists = [e for e in tree.elements() if e["/S"] == "/L"
             and len([k for k in tree.kids(e) if isinstance(k, DictionaryObject)
                      and k.get("/S") == "/LI"]) == 4]
    assert lists, "the four stat cards are not a list of four items"
    text = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r">95%\s+\$540m\s+130\+\s+~15,000", text), text[:1500]


def test_html_has_scoped_headers_and_landmarks(builds: dict[str, Path]) -> None:
    """The HTML the PDF is made from: th with scope, the cards as a list, the landmarks."""
    html = (builds["russia-recognises-taliban"] / "russia-recognises-taliban-full.html"
            ).read_text(encoding="utf-8")
    assert html.count('<th scope="col">') == 5 and html.count('<th scope="row"') >= 20
    assert '<ul class="figures"' in html and '<table class="figures"' not in html
    for landmark in ("<header>", "<main>", '<nav class="contents">', '<footer class="marking">'):
        assert landmark in html


def test_reproducible(builds: dict[str, Path], tmp_path: Path) -> None:
    """The finished structure tree leaves the PDF byte for byte the same for the same input."""
    proc = run_cli(["build", BRIEFS[1], "--out", tmp_path, "--format", "pdf"], cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    for again in sorted((tmp_path / BRIEFS[1].stem).glob("*.pdf")):
        assert again.read_bytes() == (builds[BRIEFS[1].stem] / again.name).read_bytes()


def test_the_pdf_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """A page with each fault, laid out by the same PDF writer, fails each check: a layout
    table, a figure without alt text, a skipped heading level, an untagged quotation."""
    from briefgen.writers.pdf import render_pdf

    logo = (REPO / "templates" / "logo.png").as_uri()
    html = (f'<!DOCTYPE html><html lang="en"><body><h1>Title</h1><h3>Skipped</h3>'
            f'<table><tr><td>1</td><td>2</td></tr></table><p><img src="{logo}"></p>'
            f'<blockquote><p>Привет</p></blockquote></body></html>')
    path = tmp_path / "faults.pdf"
    path.write_bytes(render_pdf(html, REPO, (REPO,))[0])
    problems = "\n".join(structure_problems(path, ["ru"]))
    for fault in ("/Table without /TH", "/Figure without /Alt", "skips from 1 to 3",
                  "expected ['ru']"):
        assert fault in problems, problems


# ---- DOCX: what Word's accessibility checker reports ---------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}


def docx_problems(path: Path) -> list[str]:
    """Tables without a header row, pictures without alt text, headings that skip a level."""
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    problems = []
    for table in root.iter(f"{{{W}}}tbl"):
        style = table.find("w:tblPr/w:tblStyle", NS)
        if style is not None and style.get(f"{{{W}}}val") == "FigureCards":
            continue  # a row of headline figures: layout, with no column to name
        first = table.find("w:tr", NS)
        if first is None or first.find("w:trPr/w:tblHeader", NS) is None:
            problems.append("a table whose first row is not marked as its header row")
    for picture in root.iterfind(".//wp:docPr", NS):
        if not (picture.get("descr") or "").strip():
            problems.append(f"picture {picture.get('name')!r} has no alt text")
    problems += heading_problems([int(m[1]) for s in root.iterfind(".//w:pPr/w:pStyle", NS)
                                  if (m := re.fullmatch(r"Heading(\d)",
                                                        s.get(f"{{{W}}}val", "")))])
    return sorted(set(problems))


@pytest.mark.parametrize("brief", BRIEFS, ids=[b.stem for b in BRIEFS])
def test_docx(builds: dict[str, Path], brief: Path) -> None:
    """Every variant's Word file: header rows marked, alt text on every picture, headings in
    order."""
    failures = {docx.name: docx_problems(docx) for docx in _files(builds, brief.stem, "docx")}
    assert not any(failures.values()), failures


def test_the_docx_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """A Word file with each fault fails each check."""
    from docx import Document
    from docx.shared import Mm

    word = Document()
    word.add_heading("Title", 1)
    word.add_heading("Skipped", 3)
    word.add_table(rows=2, cols=2)
    word.add_picture(str(REPO / "templates" / "logo.png"), width=Mm(20))
    path = tmp_path / "faults.docx"
    word.save(str(path))
    problems = "\n".join(docx_problems(path))
    for fault in ("not marked as its header row", "has no alt text", "skips from 1 to 3"):
        assert fault in problems, problems


# ---- HTML: axe-core in Chromium ------------------------------------------------------------


def axe_violations(driver, url: str) -> list[str]:
    """axe-core's violations of WCAG 2.1 A and AA and its best practices on the page at url."""
    if not AXE.is_file():  # fail, never skip
        pytest.fail("axe-core is not installed: run scripts/setup-tests", pytrace=False)
    driver.get(url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' +"
        " v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))"
        ".catch(e => done(['axe failed: ' + e]));", AXE_RULES)
    return list(result)


@pytest.mark.slow
def test_html_pages_pass_axe(builds: dict[str, Path], browser) -> None:  # noqa: F811
    """Every --format html page, and the index page, have no axe-core violation."""
    pages = [p for name in builds for p in _files(builds, name, "html")]
    pages.append(next(iter(builds.values())).parent / "index.html")
    failures = {p.name: axe_violations(browser, p.as_uri()) for p in pages}
    assert not any(failures.values()), failures


@pytest.mark.slow
def test_serve_pages_pass_axe(tmp_path: Path, browser) -> None:  # noqa: F811
    """The preview's pages: the list of briefs, a brief, and a brief that cannot be shown."""
    write_brief(tmp_path, "good", MINIMAL_BRIEF)
    write_brief(tmp_path, "bad", MINIMAL_BRIEF.replace("date: ", "date: not-a-date # "))
    port = free_port()
    proc = subprocess.Popen([str(BRIEFGEN), "serve", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        failures = {}
        for path in ("/", "/brief/good/full", "/brief/good/summary", "/brief/bad/full"):
            failures[path] = axe_violations(browser, base + path)
        assert "cannot be shown" in urllib.request.urlopen(base + "/brief/bad/full").read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not any(failures.values()), failures
