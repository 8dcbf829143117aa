"""A project's own theme: files overlay the bundled ones one by one, variants are data, and the
document's passes hold whatever order the parts come in."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from conftest import MINIMAL_BRIEF, REPO, run_cli, write_brief
from docx import Document


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_one_file_overlays_the_bundled_theme(tmp_path: Path) -> None:
    """Only brand.yaml in the project's templates/: everything else comes from briefgen."""
    (tmp_path / "templates").mkdir()
    brand = (REPO / "templates" / "brand.yaml").read_text(encoding="utf-8")
    (tmp_path / "templates" / "brand.yaml").write_text(
        brand.replace("letterhead: Halden Centre for Strategic Affairs · Policy Analysis Unit",
                      "letterhead: Ostrava Policy Lab").replace("logo:\n  file: logo.png",
                                                                 "logo:\n  file: mark.png"),
        encoding="utf-8")
    (tmp_path / "templates" / "mark.png").write_bytes(
        (REPO / "templates" / "logo.png").read_bytes())
    write_brief(tmp_path, "b")
    result = run_cli(["build", "--variant", "summary"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Ostrava Policy Lab" in pdf_text(tmp_path / "output" / "b" / "b-summary.pdf")


ONE_PAGER = """\
variants:
  - name: one-pager
    label: one_pager
    parts: [bottom_line, key_points, sources]
    page_budget: 1
    over_budget_hint: keep it to the bottom line and three points
"""


def test_a_one_pager_is_a_registry_entry_and_a_label(tmp_path: Path) -> None:
    """No Python: a variants.yaml entry and one label give a new variant in every format."""
    (tmp_path / "templates" / "labels").mkdir(parents=True)
    (tmp_path / "templates" / "variants.yaml").write_text(ONE_PAGER, encoding="utf-8")
    (tmp_path / "templates" / "labels" / "en.yaml").write_text("one_pager: One-pager\n",
                                                               encoding="utf-8")
    write_brief(tmp_path, "b")
    result = run_cli(["build", "--variant", "one-pager", "--format", "pdf", "--format", "docx",
                      "--format", "html", "--format", "markdown"], tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "output" / "b"
    assert sorted(p.name for p in folder.iterdir()) == [
        "b-one-pager.docx", "b-one-pager.html", "b-one-pager.md", "b-one-pager.pdf"]
    text = pdf_text(folder / "b-one-pager.pdf")
    assert "Second point" in text and "Watch this" not in text  # no outlook
    html = (folder / "b-one-pager.html").read_text(encoding="utf-8")
    assert '<p class="kind">Policy brief · One-pager</p>' in html
    assert "Pub A" in text  # its sources part lists what it cites
    doc = Document(str(folder / "b-one-pager.docx"))
    assert doc.paragraphs[1].text == "Policy brief · One-pager"
    assert "One-pager" in (folder / "b-one-pager.md").read_text(encoding="utf-8")
    # The bundled variants are still there, beside the new one.
    assert run_cli(["build", "--variant", "summary", "--format", "html"], tmp_path).returncode == 0


def test_page_budget_names_only_known_variants(tmp_path: Path) -> None:
    write_brief(tmp_path, "b")
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  sumary: 1\n", encoding="utf-8")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "briefgen.yaml:2:3: page_budget.sumary: unknown variant (hint: the variants are "
        "summary, full)"]
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  summary: 1\n", encoding="utf-8")
    long = MINIMAL_BRIEF.replace("  - Second point.", "\n".join(
        f"  - Point {i}, long enough to take a line or two of the page when laid out in full."
        for i in range(40)))
    write_brief(tmp_path, "b", long)
    result = run_cli(["build", "--variant", "summary", "--format", "pdf"], tmp_path)
    assert result.returncode == 1
    assert re.search(r"content/b\.yaml: summary variant is \d pages, budget is 1; shorten "
                     r"key_points or summary", result.stderr)


def test_unknown_variant_is_a_usage_error(tmp_path: Path) -> None:
    write_brief(tmp_path, "b")
    result = run_cli(["build", "--variant", "one-pager"], tmp_path)
    assert result.returncode == 2
    assert "'one-pager' is not one of summary, full" in result.stderr


SOURCES_FIRST = """\
variants:
  - name: summary
    label: summary
    parts: [bottom_line, key_points, sources, outlook]
    page_budget: 2
"""


def test_sources_before_the_outlook_still_list_what_the_outlook_cites(tmp_path: Path) -> None:
    """Citation numbers are a pass over the whole document, not a side effect of the order
    the parts render in: the list holds the outlook's source, and Word's repeated citations
    point at notes that exist."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "variants.yaml").write_text(SOURCES_FIRST, encoding="utf-8")
    brief = MINIMAL_BRIEF.replace("  - Watch this.", "  - Watch this [@src-b; @src-a].").replace(
        "sources:\n", "sources:\n  - id: src-b\n    title: Source B\n    publisher: Pub B\n")
    write_brief(tmp_path, "b", brief)
    result = run_cli(["build", "--variant", "summary"], tmp_path)
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "output" / "b" / "b-summary.pdf")
    sources = text[text.index("Sources"):text.index("Outlook")]
    assert "Pub A" in sources and "Pub B" in sources
    with zipfile.ZipFile(tmp_path / "output" / "b" / "b-summary.docx") as package:
        xml = package.read("word/document.xml").decode()
        notes = package.read("word/footnotes.xml").decode()
    bookmarks = set(re.findall(r'w:bookmarkStart [^>]*w:name="([^"]+)"', xml))
    refs = set(re.findall(r"NOTEREF (\S+)", xml))
    assert refs and refs <= bookmarks
    assert "Pub B" in notes
