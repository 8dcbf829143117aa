"""`briefgen pack`: several briefs as one tagged PDF (one WeasyPrint layout, a bookmark and a
contents entry per brief, each brief's own running title) and one DOCX (a section per brief),
chosen by --changed or --since, recorded in the manifest and linked from the index."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, run_cli, write_brief
from docx import Document
from libreoffice import to_pdf
from lxml import etree
from pypdf import PdfReader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# slug: (title, date, classification); the pack lists the newest first.
BRIEFS = {"port": ("The port deal", "2025-07-04", "UNCLASSIFIED"),
          "grain": ("Grain corridor talks", "2025-07-10", "RESTRICTED"),
          "dam": ("A dam on the border", "2025-06-20", "UNCLASSIFIED")}
NEWEST_FIRST = ["Grain corridor talks", "The port deal", "A dam on the border"]


def text_of(slug: str, outlook: str = "Watch this.") -> str:
    title, date, marking = BRIEFS[slug]
    return (MINIMAL_BRIEF.replace("A small brief", title).replace("2025-07-04", date)
            .replace("UNCLASSIFIED", marking).replace("Watch this.", outlook))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three briefs built, then packed (summary variant)."""
    root = tmp_path_factory.mktemp("pack")
    for slug in BRIEFS:
        write_brief(root, slug, text_of(slug))
    built = run_cli(["build", "--variant", "summary", "--format", "pdf"], root)
    assert built.returncode == 0, built.stderr
    packed = run_cli(["pack"], root)
    assert packed.returncode == 0, packed.stderr
    assert packed.stdout.startswith("packed 3 briefs (summary) -> output/pack/pack-summary.pdf (")
    return root


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_the_pdf_has_one_bookmark_per_brief_newest_first(project: Path) -> None:
    reader = PdfReader(str(project / "output" / "pack" / "pack-summary.pdf"))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == NEWEST_FIRST
    # Each bookmark opens the page its brief starts on.
    starts = [reader.get_destination_page_number(item) for item in reader.outline
              if not isinstance(item, list)]
    for title, start in zip(NEWEST_FIRST, starts, strict=True):
        assert title in reader.pages[start].extract_text()


def test_the_contents_lists_each_brief_with_the_page_it_starts_on(project: Path) -> None:
    shown = pages(project / "output" / "pack" / "pack-summary.pdf")
    assert "Briefing pack" in shown[0] and "Week 28, 2025" in shown[0]  # the newest's week
    assert "RESTRICTED / UNCLASSIFIED" in shown[0] and "10 July 2025" in shown[0]
    contents = shown[1]
    entries = re.findall(r"^\s*(\S.*?\S)\s{2,}(\d+)\s*$", contents, re.M)
    assert [title for title, _ in entries] == NEWEST_FIRST
    for title, number in entries:
        page = shown[int(number) - 1]
        body = page.split("\n", 2)[2]  # below the running header
        assert title in body, (title, number)


def test_each_brief_has_its_own_running_title_and_marking(project: Path) -> None:
    shown = pages(project / "output" / "pack" / "pack-summary.pdf")
    for page in shown[2:]:
        header = next(line for line in page.splitlines() if line.strip())
        title = next(t for t in NEWEST_FIRST if t in page.split("\n", 2)[2] or t in header)
        marking = next(m for t, _, m in BRIEFS.values() if t == title)
        assert header.split() == [*title.split(), marking], header


def test_the_pdf_is_tagged_and_passes_qpdf(project: Path) -> None:
    pdf = project / "output" / "pack" / "pack-summary.pdf"
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    root = PdfReader(str(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]


def test_each_brief_numbers_its_own_sources(project: Path) -> None:
    shown = pages(project / "output" / "pack" / "pack-summary.pdf")
    lists = [p for p in shown if re.search(r"^\s*Sources\s*$", p, re.M)]
    assert len(lists) == 3
    for page in lists:
        assert re.search(r"^\s*1\.\s+Pub A, “Source A”", page, re.M)


def test_the_docx_has_a_section_per_brief_with_its_title_and_marking(project: Path) -> None:
    docx = project / "output" / "pack" / "pack-summary.docx"
    doc = Document(str(docx))
    assert len(doc.sections) == 1 + len(BRIEFS)  # the cover and contents, then each brief
    for section, title in zip(doc.sections[1:], NEWEST_FIRST, strict=True):
        marking = next(m for t, _, m in BRIEFS.values() if t == title)
        assert section.header.paragraphs[0].text == f"{title}\t{marking}"
        assert marking in section.footer.paragraphs[0].text
    body = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    restarts = body.findall(f".//{W}sectPr/{W}footnotePr/{W}numRestart")
    assert [r.get(f"{W}val") for r in restarts] == ["eachSect"] * 4
    titles = [p.text for p in doc.paragraphs if p.style.name == "Title"]
    assert titles == NEWEST_FIRST
    contents = [p.text for p in doc.paragraphs if p.style.name == "toc 1"]
    assert contents == NEWEST_FIRST


def test_the_manifest_and_index_link_the_pack(project: Path) -> None:
    out = project / "output"
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(p["path"], p["kind"]) for p in data["packs"]] == [
        ("pack/pack-summary.pdf", "pack"), ("pack/pack-summary.docx", "pack")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="./pack/pack-summary.pdf"' in index and 'href="./pack/pack-summary.docx"' in index
    again = run_cli(["build", "--variant", "summary", "--format", "pdf"], project)
    assert again.returncode == 0
    assert 'href="./pack/pack-summary.pdf"' in (out / "index.html").read_text(encoding="utf-8")


def test_changed_packs_only_what_the_last_build_changed(tmp_path: Path) -> None:
    for slug in BRIEFS:
        write_brief(tmp_path, slug, text_of(slug))
    assert run_cli(["build", "--format", "pdf", "--variant", "summary"], tmp_path).returncode == 0
    write_brief(tmp_path, "dam", text_of("dam", "Watch the river."))
    assert run_cli(["build", "--format", "pdf", "--variant", "summary"], tmp_path).returncode == 0
    done = run_cli(["pack", "--changed", "--variant", "full"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("packed 1 brief (full) -> output/pack/pack-full.pdf")
    reader = PdfReader(str(tmp_path / "output" / "pack" / "pack-full.pdf"))
    assert [i.title for i in reader.outline if not isinstance(i, list)] == [
        "A dam on the border"]
    since = run_cli(["pack", "--since", "2025-07-04"], tmp_path)
    assert since.returncode == 0, since.stderr
    reader = PdfReader(str(tmp_path / "output" / "pack" / "pack-summary.pdf"))
    assert [i.title for i in reader.outline if not isinstance(i, list)] == NEWEST_FIRST[:2]
    none = run_cli(["pack", "--since", "2030-01-01"], tmp_path)
    assert (none.returncode, none.stdout) == (
        0, "no brief is dated on or after 2030-01-01: no pack written\n")


def test_changed_without_a_build_and_both_choices_are_refused(tmp_path: Path) -> None:
    write_brief(tmp_path, "port", text_of("port"))
    done = run_cli(["pack", "--changed"], tmp_path)
    assert done.returncode == 1
    assert done.stderr == ("output/manifest.json: no build to take the changes from (hint: run "
                           "briefgen build first, or leave out --changed)\n")
    both = run_cli(["pack", "--changed", "--since", "2025-01-01"], tmp_path)
    assert both.returncode == 2 and "give one" in both.stderr
    bad = run_cli(["pack", "--variant", "nope"], tmp_path)
    assert bad.returncode == 2 and "'nope' is not one of summary, full" in bad.stderr


@pytest.mark.slow
def test_libreoffice_fills_the_docx_contents_with_the_page_each_brief_starts_on(
        project: Path, tmp_path: Path) -> None:
    pdf = to_pdf(project / "output" / "pack" / "pack-summary.docx", tmp_path, tmp_path / "lo")
    shown = pages(pdf)
    entries = re.findall(r"^\s*(\S.*?\S)\.{3,}\s*(\d+)\s*$", shown[0], re.M)
    assert [title for title, _ in entries] == NEWEST_FIRST
    for title, number in entries:
        assert title in shown[int(number) - 1].split("\n", 2)[2], (title, number)
