"""Publication-grade PDF: tagged and accessible, archivable on request, structurally sound,
subset with HarfBuzz, reproducible, laid out with care, and within its page budget."""

from __future__ import annotations

import logging
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import (
    MINIMAL_BRIEF,
    VARIANTS,
    build_default,
    headings,
    output_file,
    render_html,
    run_cli,
    write_brief,
)
from pypdf import PdfReader

from briefgen.load import load_brief
from briefgen.model import Brief
from briefgen.writers.pdf import render_pdf

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def xmp(pdf: Path) -> str:
    """The PDF's XMP metadata packet, where PDF/UA and PDF/A declare themselves."""
    root = PdfReader(str(pdf)).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode()


def qpdf_check(pdf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True,
                          check=False)


@pytest.fixture(params=VARIANTS)
def pdf(built: Path, request: pytest.FixtureRequest) -> Path:
    return output_file(built, request.param, "pdf")


def test_default_pdf_is_tagged_pdf_ua_with_title_and_language(pdf: Path, brief: Brief) -> None:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(brief.title)}$", info, re.M)
    reader = PdfReader(str(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == brief.language
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]  # readers show the title, not a file
    assert 'pdfuaid:part="1"' in xmp(pdf)
    assert "/StructTreeRoot" in root


def test_outline_follows_the_headings(pdf: Path, brief: Brief) -> None:
    """Bookmarks: the title, and under it every heading of the variant, in reading order."""
    outline = PdfReader(str(pdf)).outline
    assert outline[0].title == brief.title
    variant = "full" if pdf.stem.endswith("full") else "summary"
    assert [item.title for item in outline[1] if not isinstance(item, list)] == headings(
        brief, variant)


def test_logo_has_alt_text_in_the_structure_tree(pdf: Path) -> None:
    reader = PdfReader(str(pdf))
    figures = []

    def walk(node) -> None:
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(node.get("/Alt"))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert figures == ["Halden Centre for Strategic Affairs"]


def test_qpdf_finds_no_errors(pdf: Path) -> None:
    result = qpdf_check(pdf)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_fonts_are_embedded_and_subset(pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts
    for row in fonts:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", name), row


def test_fonts_are_subset_with_harfbuzz_not_fonttools(brief: Brief,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """WeasyPrint falls back to fontTools, slowly and with a warning, without
    libharfbuzz-subset; scripts/setup installs it."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "libharfbuzz-subset0 missing: run scripts/setup"
    assert harfbuzz.hb_version_atleast(4, 1, 0)
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            render_pdf(render_html(brief, "summary", TEMPLATES), TEMPLATES, (TEMPLATES,))
    finally:
        logger.setLevel(level)
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]


@pytest.mark.parametrize("variant,part,conformance", [("pdf/a-3b", "3", "B"),
                                                      ("pdf/a-2u", "2", "U")])
def test_pdf_a_on_request_and_reproducible(tmp_path: Path, variant: str, part: str,
                                           conformance: str) -> None:
    """--pdf-variant gives archival PDF/A (still tagged), byte-identical when rebuilt."""
    write_brief(tmp_path, "a")
    outputs = []
    for run in ("one", "two"):
        result = run_cli(["build", "--format", "pdf", "--variant", "summary", "--pdf-variant",
                          variant, "--out", f"out-{run}"], tmp_path)
        assert result.returncode == 0, result.stderr
        outputs.append(tmp_path / f"out-{run}" / "a" / "a-summary.pdf")
    meta = xmp(outputs[0])
    assert f'pdfaid:part="{part}"' in meta and f'pdfaid:conformance="{conformance}"' in meta
    assert PdfReader(str(outputs[0])).trailer["/Root"].get("/OutputIntents")
    assert PdfReader(str(outputs[0])).trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert qpdf_check(outputs[0]).returncode == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()


def test_config_file_sets_the_variant_and_the_flag_overrides_it(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    (tmp_path / "briefgen.yaml").write_text("pdf_variant: pdf/a-3b\n", encoding="utf-8")
    pdf = tmp_path / "output" / "a" / "a-summary.pdf"
    assert run_cli(["build", "--format", "pdf"], tmp_path).returncode == 0
    assert 'pdfaid:part="3"' in xmp(pdf)
    assert run_cli(["build", "--format", "pdf", "--pdf-variant", "pdf/ua-1"],
                   tmp_path).returncode == 0
    assert 'pdfuaid:part="1"' in xmp(pdf) and "pdfaid" not in xmp(pdf)


def test_config_mistakes_are_reported_by_line(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    (tmp_path / "briefgen.yaml").write_text("pdf_variant: pdf/x\npage_budgets:\n  summary: 1\n",
                                            encoding="utf-8")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "briefgen.yaml:1:14: pdf_variant: must be one of 'pdf/ua-1', 'pdf/ua-2', 'pdf/a-2b', "
        "'pdf/a-3b', 'pdf/a-2u', 'pdf/a-3u' or 'pdf/a-4u' (got text 'pdf/x')",
        "briefgen.yaml:2:1: page_budgets: unknown key (hint: did you mean 'page_budget'?)",
    ]
    assert not (tmp_path / "output").exists()


def test_rebuild_of_the_default_brief_is_byte_identical(built: Path, tmp_path: Path) -> None:
    again = build_default(tmp_path)
    for variant in VARIANTS:
        first, second = output_file(built, variant, "pdf"), output_file(again, variant, "pdf")
        assert first.read_bytes() == second.read_bytes()
        assert PdfReader(str(first)).metadata["/CreationDate"].startswith("D:20250704")


# --- the page budget ---

LONG_POINT = "A key point that goes on and on about the situation in the region " * 6


def test_summary_over_budget_fails_and_the_others_still_build(tmp_path: Path) -> None:
    long_brief = MINIMAL_BRIEF.replace("  - Second point.", "\n".join(
        f"  - {LONG_POINT}" for _ in range(30)))
    write_brief(tmp_path, "long", long_brief)
    write_brief(tmp_path, "short")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    line = next(x for x in result.stderr.splitlines() if x.startswith("content/long.yaml"))
    pages = int(re.search(r"is (\d+) pages", line)[1])
    assert pages > 2
    assert line == (f"content/long.yaml: summary variant is {pages} pages, budget is 2; "
                    "shorten key_points or summary")
    assert not (tmp_path / "output" / "long").exists(), "nothing of a failed brief is written"
    assert len(list((tmp_path / "output" / "short").iterdir())) == 4


def test_budget_is_configurable(tmp_path: Path) -> None:
    long_brief = MINIMAL_BRIEF.replace("  - Second point.", "\n".join(
        f"  - {LONG_POINT}" for _ in range(30)))
    write_brief(tmp_path, "long", long_brief)
    (tmp_path / "briefgen.yaml").write_text("page_budget:\n  summary: null\n  full: 1\n",
                                            encoding="utf-8")
    result = run_cli(["build", "--variant", "summary"], tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli(["build", "--variant", "full"], tmp_path)
    assert result.returncode == 1
    assert "full variant is" in result.stderr and "budget is 1" in result.stderr


# --- layout quality, measured on WeasyPrint's own layout of a stress brief ---

STRESS = textwrap.dedent("""\
    title: Stress test for the layout
    date: 2025-07-04
    classification: UNCLASSIFIED
    authors: [Ann Author]
    organisation: Test Org
    summary: Bottom line with an unbreakable word {word} [@src-a].
    key_points:
      - A point [@src-a].
    outlook:
      - Watch this.
    sections:
    {sections}
    timeline:
    {timeline}
    sources:
      - id: src-a
        title: A source with a very long address
        publisher: Pub A
        url: https://example.org/{path}
    """)


@pytest.fixture(scope="module")
def stress_pages() -> list:
    """The stress brief's full variant laid out by WeasyPrint: sections of growing length (so
    headings land at every height on a page), a long timeline that crosses pages, a 90-letter
    word and a 300-character URL."""
    sections = "\n".join(
        f"  - heading: Section {n} about the question\n    body: >\n      "
        + "This sentence fills the section so the next heading moves down the page. " * n
        for n in range(1, 25))
    timeline = "\n".join(
        f"  - date: 2020-{1 + n % 12:02d}\n    event: >\n      "
        + "An event described at length to make this row tall and the table long. " * (1 + n % 4)
        for n in range(40))
    text = STRESS.format(word="Z" * 90, sections=sections, timeline=timeline,
                         path="a" * 300)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stress.yaml"
        path.write_text(text, encoding="utf-8")
        brief = load_brief(path)
    from weasyprint import HTML

    document = HTML(string=render_html(brief, "full", TEMPLATES),
                    base_url=str(TEMPLATES)).render()
    return document.pages


def _boxes(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


def _flow(page):
    """Boxes in the page's body, without the margin boxes (header and footer)."""
    html = page._page_box.children[0]
    return list(_boxes(html))


def test_no_heading_is_left_alone_at_the_bottom_of_a_page(stress_pages: list) -> None:
    assert len(stress_pages) > 5
    for number, page in enumerate(stress_pages[:-1], start=1):
        lines = [b for b in _flow(page) if type(b).__name__ == "LineBox"]
        last = lines[-1]
        tags = {getattr(b, "element_tag", None) for b in _boxes(last)}
        assert not tags & {"h2", "h3"}, f"page {number} ends with a heading"
        ancestors = [b for b in _flow(page) if getattr(b, "element_tag", None) in ("h2", "h3")
                     and last in list(_boxes(b))]
        assert not ancestors, f"page {number} ends with a heading"


def test_table_rows_never_split_across_pages(stress_pages: list) -> None:
    seen: dict[int, int] = {}  # header rows repeat on every page by design; body rows may not
    for number, page in enumerate(stress_pages, start=1):
        rows = {id(b.element) for b in _flow(page) if getattr(b, "element_tag", None) == "tr"
                and not any(getattr(c, "element_tag", None) == "th"
                            and c.element.get("scope") == "col" for c in _boxes(b))}
        for row in rows:
            assert row not in seen or seen[row] == number, "a table row is split over pages"
            seen[row] = number
    assert len(set(seen.values())) > 1, "the stress timeline should cross a page"


def test_long_words_and_urls_wrap_inside_the_margins(stress_pages: list) -> None:
    for number, page in enumerate(stress_pages, start=1):
        box = page._page_box
        right = box.margin_left + box.padding_left + box.width + 0.5  # CSS px
        for line in (b for b in _flow(page) if type(b).__name__ == "LineBox"):
            for child in _boxes(line):
                if type(child).__name__ == "TextBox":
                    assert child.position_x + child.width <= right, (
                        f"page {number}: text runs off the page: {child.text[:40]!r}")
