"""Charts from data: what a reader finds in each format, and the mistakes an editor is told of.

The test brief (tests/data/drought/) has a column chart read from a CSV file and placed in a
section body, and a stacked bar chart with inline data shown in the charts part.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli
from libreoffice import edit_charts, find_in_order, fold, to_pdf
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader

DATA = REPO / "tests" / "data" / "drought"
FORMATS = ("pdf", "docx", "html", "markdown")
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
STORAGE_TITLE = "Reservoir storage in August, 2016–2025"
WITHDRAWALS_TITLE = "Who takes the water"


def make_project(tmp: Path) -> Path:
    """A project whose content folder holds the drought brief and its CSV file."""
    shutil.copytree(DATA, tmp / "content")
    return tmp


def build(project: Path, *extra: str) -> Path:
    args = ["build", "--variant", "full", *(a for f in FORMATS for a in ("--format", f)),
            *extra]
    result = run_cli(args, project)
    assert result.returncode == 0, result.stderr
    return project / "output" / "drought"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The drought brief built once, full variant, every format."""
    return build(make_project(tmp_path_factory.mktemp("charts")))


@pytest.fixture(scope="module")
def source() -> dict:
    """The brief as written, and its CSV, independently of briefgen's reader."""
    brief = yaml.safe_load((DATA / "drought.yaml").read_text(encoding="utf-8"))
    rows = list(csv.reader(io.StringIO((DATA / "storage.csv").read_text(encoding="utf-8"))))
    brief["storage_rows"] = rows
    return brief


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- PDF and HTML: vector SVG, real text, tagged ------------------------------------------------


def test_pdf_chart_text_is_real_text(built: Path) -> None:
    """Titles, the value-axis label, category-axis label, tick and category labels, the legend
    and the highlighted value are text in the PDF, not pixels."""
    text = pdftotext(built / "drought-full.pdf", "-layout")
    for words in (STORAGE_TITLE, "Storage (% of capacity)", "Year", "2016", "2025",
                  WITHDRAWALS_TITLE, "Withdrawals (million m³)", "Season", "Summer 2025",
                  "Irrigation", "Households", "Industry", "1,000",
                  "Source: Aral Basin Water Authority1"):
        assert words in text, words
    assert re.search(r"\b41\b", text)  # the highlighted 2025 value, printed beside its column


def test_pdf_chart_is_vector_with_embedded_fonts(built: Path) -> None:
    """No picture stands for a chart (the only image is the logo), and every font is embedded."""
    pdf = built / "drought-full.pdf"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == 1  # the logo
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert any("Noto-Sans" in line for line in fonts)  # the brand's heading font, in the charts


def _figures(pdf: Path) -> list[str]:
    """The Alt text of every Figure in the PDF's structure tree, in order."""
    found: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object()  # type: ignore[attr-defined]
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid)

    walk(PdfReader(str(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_pdf_chart_is_a_figure_with_alt_text(built: Path, source: dict) -> None:
    figures = _figures(built / "drought-full.pdf")
    alts = {c["id"]: " ".join(c["alt"].split()) for c in source["charts"]}
    assert f"{WITHDRAWALS_TITLE}. {alts['withdrawals']}" in figures
    assert f"{STORAGE_TITLE}. {alts['storage']}" in figures


def test_html_chart_is_inline_svg_with_a_data_table(built: Path, source: dict) -> None:
    page = (built / "drought-full.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", page, re.DOTALL)
    assert len(svgs) == 2
    storage = next(s for s in svgs if STORAGE_TITLE in s)
    assert 'role="img"' in storage and "<title>" in storage and "<desc " in storage
    assert 'aria-label="Reservoir storage in August, 2016–2025. Column chart' in storage
    assert "<image" not in storage  # text stays text
    assert "Noto Sans" in storage
    # The data table behind the chart: every category and value of the CSV, as table cells.
    table = page[page.index('<table class="chart-data">', page.index(STORAGE_TITLE)):]
    table = table[:table.index("</table>")]
    for year, value in source["storage_rows"][1:]:
        assert f'<th scope="row">{year}</th><td>{value}</td>' in table


def test_html_hides_the_data_table_from_the_eye_only(built: Path) -> None:
    """The table stays in the page (for screen readers) but is clipped out of sight, and kept
    off the printed page, so the PDF's visible text does not repeat the numbers."""
    page = (built / "drought-full.html").read_text(encoding="utf-8")
    assert '<div class="visually-hidden"><table class="chart-data">' in page
    assert re.search(r"\.visually-hidden \{[^}]*clip: rect\(0 0 0 0\)", page)
    text = pdftotext(built / "drought-full.pdf")
    assert "Season Irrigation Households Industry" not in " ".join(text.split())


def test_markdown_has_the_data_as_a_pipe_table(built: Path, source: dict) -> None:
    text = (built / "drought-full.md").read_text(encoding="utf-8")
    assert f"**{STORAGE_TITLE}** (% of capacity)" in text
    assert "| Season | Irrigation | Households | Industry |" in text
    assert "| Summer 2025 | 820 | 120 | 70 |" in text
    for year, value in source["storage_rows"][1:]:
        assert f"| {year} | {value} |" in text
    assert "Source: Aral Basin Water Authority[^1]" in text


# --- DOCX: a native chart and its workbook ----------------------------------------------------


def test_docx_holds_chart_parts_relationships_and_workbooks(built: Path, source: dict) -> None:
    with zipfile.ZipFile(built / "drought-full.docx") as package:
        names = package.namelist()
        rels = package.read("word/_rels/document.xml.rels").decode()
        types = package.read("[Content_Types].xml").decode()
        charts = {n: package.read(n) for n in names
                  if re.fullmatch(r"word/charts/chart\d+\.xml", n)}
        assert len(charts) == 2
        for name, xml in charts.items():
            assert f'Target="charts/{name.rsplit("/", 1)[1]}"' in rels
            assert f'PartName="/{name}"' in types
            chart_rels = package.read(name.replace("charts/", "charts/_rels/") + ".rels").decode()
            target = re.search(r'Target="\.\./embeddings/([^"]+)"', chart_rels)
            assert target, chart_rels
            tree = etree.fromstring(xml)
            assert tree.find(f"{C}externalData") is not None
            book = load_workbook(io.BytesIO(package.read(f"word/embeddings/{target[1]}")))
            sheet = [list(row) for row in book.active.iter_rows(values_only=True)]
            title = "".join(tree.find(f"{C}chart/{C}title").itertext())
            if title == STORAGE_TITLE:
                expected = [[r[0], float(r[1])] for r in source["storage_rows"][1:]]
                assert [[str(r[0]), float(r[1])] for r in sheet[1:]] == expected
                assert sheet[0] == ["Year", "Storage"]
            else:
                chart = next(c for c in source["charts"] if c["id"] == "withdrawals")
                assert [r[0] for r in sheet[1:]] == chart["categories"]
                for col, series in enumerate(chart["series"], 1):
                    assert sheet[0][col] == series["name"]
                    assert [r[col] for r in sheet[1:]] == series["values"]
                # The cached numbers in the chart part are the same as the workbook's.
                cached = [float(v.text) for v in tree.iter(f"{C}v")
                          if v.getparent().getparent().tag == f"{C}numCache"]
                assert cached == [float(v) for s in chart["series"] for v in s["values"]]


def test_docx_chart_frame_has_alt_text_and_brand_colours(built: Path, source: dict) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(built / "drought-full.docx"))
    frames = {p.get("title"): p.get("descr") for p in doc.element.body.iter(qn("wp:docPr"))}
    for chart in source["charts"]:
        assert frames[chart["title"]] == " ".join(chart["alt"].split())
    brand = yaml.safe_load((REPO / "templates" / "brand.yaml").read_text(encoding="utf-8"))
    accent = brand["colours"]["accent"].lstrip("#").upper()
    primary = brand["colours"]["primary"].lstrip("#").upper()
    with zipfile.ZipFile(built / "drought-full.docx") as package:
        xml = next(x for n in package.namelist() if n.startswith("word/charts/chart")
                   and STORAGE_TITLE in (x := package.read(n).decode()))  # 2025 highlighted
    tree = etree.fromstring(xml.encode())
    series = tree.find(f".//{C}ser")
    assert series.find(f"{C}spPr").find(".//{*}srgbClr").get("val") == primary
    point = series.find(f"{C}dPt")
    assert point.find(f"{C}idx").get("val") == "9"  # 2025, the tenth year
    assert point.find(".//{*}srgbClr").get("val") == accent
    assert brand["fonts"]["heading"] in xml


def test_rebuilds_are_byte_identical(tmp_path: Path, built: Path) -> None:
    """A second build from scratch gives the same bytes in every format, workbooks included."""
    again = build(make_project(tmp_path))
    for name in ("drought-full.pdf", "drought-full.docx", "drought-full.html",
                 "drought-full.md"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


# --- LibreOffice draws the chart from its own data ---------------------------------------------


@pytest.fixture(scope="module")
def lo_pdf(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("lo-charts")
    shutil.copy(built / "drought-full.docx", work / "drought-full.docx")
    return to_pdf(work / "drought-full.docx", work, work / "profile")


@pytest.mark.slow
def test_libreoffice_draws_the_native_charts(lo_pdf: Path) -> None:
    """LibreOffice, opening the DOCX, draws both charts: their titles, axis titles, categories
    and value-axis numbers come out of its PDF as text (the DOCX carries no picture of them)."""
    text = pdftotext(lo_pdf, "-layout")
    for words in (STORAGE_TITLE, "Storage (% of capacity)", "Year", "2016", "2025",
                  WITHDRAWALS_TITLE, "Withdrawals (million m³)", "Season", "Summer 2025",
                  "Irrigation", "Households", "Industry", "1,000"):
        assert words in text, words


@pytest.mark.slow
def test_libreoffice_edits_the_chart_data(built: Path, source: dict,
                                          tmp_path: Path) -> None:
    """In LibreOffice each chart's data is data: it holds the YAML's and the CSV's numbers, and
    a chart redraws from an edit (first value 9999, first category renamed)."""
    shutil.copy(built / "drought-full.docx", tmp_path / "drought-full.docx")
    pdf, listing = edit_charts(tmp_path / "drought-full.docx", tmp_path / "out",
                               tmp_path / "profile")
    charts: dict[str, list[list[str]]] = {}
    for line in listing.splitlines():
        cells = line.split("\t")
        if cells[0] == "chart":
            rows = charts.setdefault(cells[1], [])
        elif line:
            rows.append(cells)
    assert charts[STORAGE_TITLE] == source["storage_rows"][1:]
    withdrawals = next(c for c in source["charts"] if c["id"] == "withdrawals")
    assert charts[WITHDRAWALS_TITLE] == [
        [category, *(str(s["values"][i]) for s in withdrawals["series"])]
        for i, category in enumerate(withdrawals["categories"])]
    text = pdftotext(pdf, "-layout")
    assert "Edited" in text and "2016" not in text.split(STORAGE_TITLE)[1]
    assert "10,000" in text  # the value axis grew to show 9999


@pytest.mark.slow
def test_charts_agree_between_the_pdf_and_word(built: Path, lo_pdf: Path) -> None:
    """Parity: both renderers show the chart titles and captions (with their citation numbers)
    in the same order."""
    expected = [WITHDRAWALS_TITLE, "Source: Ministry of Water Resources2", STORAGE_TITLE,
                "Storage in the three reservoirs that supply the capital, each August. "
                "Source: Aral Basin Water Authority1"]
    for pdf in (built / "drought-full.pdf", lo_pdf):
        missing = find_in_order(fold(pdftotext(pdf)), [fold(e) for e in expected])
        assert not missing, (pdf, missing)


# --- Mistakes, each at its place ---------------------------------------------------------------


def check(tmp: Path, edit: dict[str, str] | None = None, csv_text: str | None = None) -> str:
    """`briefgen check` on the drought brief after replacing text in it; its output."""
    project = make_project(tmp)
    brief = project / "content" / "drought.yaml"
    text = brief.read_text(encoding="utf-8")
    for old, new in (edit or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    brief.write_text(text, encoding="utf-8")
    if csv_text is not None:
        (project / "content" / "storage.csv").write_text(csv_text, encoding="utf-8")
    result = run_cli(["check", "--strict"], project)
    return result.stdout + result.stderr


def line_of(tmp: Path, needle: str) -> int:
    lines = (tmp / "content" / "drought.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_test_brief_is_clean(tmp_path: Path) -> None:
    assert check(tmp_path).strip() == "1 brief OK"


def test_ragged_inline_row(tmp_path: Path) -> None:
    out = check(tmp_path, {"values: [120, 110]": "values: [120]"})
    line = line_of(tmp_path, "values: [120]")
    assert (f"content/drought.yaml:{line}:17: error: charts[1].series[1].values: has 1 values "
            "for 2 categories") in out


def test_value_that_is_not_a_number(tmp_path: Path) -> None:
    out = check(tmp_path, {"values: [820, 310]": "values: [820, n/a]"})
    line = line_of(tmp_path, "values: [820, n/a]")
    assert (f"content/drought.yaml:{line}:23: error: charts[1].series[0].values[1]: must be a "
            "number (got text 'n/a')") in out


def test_csv_problems_at_row_and_field(tmp_path: Path) -> None:
    out = check(tmp_path, csv_text="Year,Storage\n2016,68\n2017,7O\n")
    assert "content/storage.csv:3:2: error: '7O' is not a number" in out
    out = check(tmp_path / "b", csv_text="Year,Storage\n2016,68\n2017\n")
    assert "content/storage.csv:3:2: error: row has 1 field, the header has 2" in out


def test_csv_outside_the_content_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("a,b\nx,1\n", encoding="utf-8")
    out = check(tmp_path / "p", {"csv: storage.csv": "csv: ../../secret.csv"})
    assert "charts[0].csv: csv '../../secret.csv' leads outside the content folder" in out


def test_highlight_naming_nothing(tmp_path: Path) -> None:
    out = check(tmp_path, {"highlight: [Irrigation]": "highlight: [Irigation]"})
    line = line_of(tmp_path, "highlight: [Irigation]")
    assert (f"content/drought.yaml:{line}:17: error: charts[1].highlight[0]: 'Irigation' is "
            "neither a series nor a category (hint: did you mean 'Irrigation'?)") in out


def test_chart_without_data(tmp_path: Path) -> None:
    out = check(tmp_path, {"    csv: storage.csv\n": ""})
    line = line_of(tmp_path, "- id: storage")
    assert f"content/drought.yaml:{line}:5: error: charts[0]: chart has no data" in out


def test_body_placing_an_unknown_chart(tmp_path: Path) -> None:
    out = check(tmp_path, {"```chart storage": "```chart storag"})
    line = line_of(tmp_path, "```chart storag")
    assert (f"content/drought.yaml:{line}:7: error: sections[0].body: places unknown chart "
            "'storag' (hint: did you mean 'storage'?) [unknown-chart]") in out


def test_lint_too_many_categories_and_generated_alt(tmp_path: Path) -> None:
    years = "\n".join(f"{y},{y % 7 + 40}" for y in range(1990, 2026))
    out = check(tmp_path, {"alt: >\n      Column chart of reservoir storage each August from "
                           "2016 to 2025. Storage stayed between\n      58% and 72% of capacity "
                           "until 2020, then fell in four of five years to 41% in 2025.\n":
                           "alt: auto\n"}, csv_text=f"Year,Storage\n{years}\n")
    assert re.search(r"warning: charts\[0\]\.alt: alt text is generated from the data .*"
                     r"\[chart-alt\]", out)
    assert re.search(r"warning: charts\[0\]\.csv: 36 categories; a column chart shows about 16 "
                     r"legibly .*\[chart-categories\]", out)


def test_generated_alt_stands_in_when_asked_for(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    brief = project / "content" / "drought.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(re.sub(r"alt: >\n      Column chart.*?2025\.\n", "alt: auto\n", text,
                            flags=re.DOTALL), encoding="utf-8")
    result = run_cli(["build", "--variant", "full", "--format", "html"], project)
    assert result.returncode == 0, result.stderr
    page = (project / "output" / "drought" / "drought-full.html").read_text(encoding="utf-8")
    assert ('aria-label="Reservoir storage in August, 2016–2025. Column chart: Reservoir '
            "storage in August, 2016–2025. 10 categories, from 2016 to 2025. Storage: lowest "
            '41 % of capacity (2025), highest 72 % of capacity (2017)."') in page


def test_chart_text_is_escaped_in_every_format(tmp_path: Path) -> None:
    """Titles, names and categories are text wherever they land: in the SVG, the data table, the
    Word chart part and its workbook, nothing an editor types becomes markup."""
    project = make_project(tmp_path)
    brief = project / "content" / "drought.yaml"
    nasty = '<script>alert(1)</script> & "Q"'
    text = brief.read_text(encoding="utf-8")
    text = text.replace("title: Who takes the water", f"title: '{nasty}'")
    text = text.replace("- name: Households", "- name: <b>Households</b>")
    text = text.replace("categories: [Summer 2025, Winter 2024–25]",
                        "categories: [Summer 2025, \"]]></c:v><x/>\"]")
    brief.write_text(text, encoding="utf-8")
    result = run_cli(["build", "--variant", "full", "--format", "html", "--format", "docx"],
                     project)
    assert result.returncode == 0, result.stderr
    page = (project / "output" / "drought" / "drought-full.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>Households" not in page and "<x/>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Q&#34;" in page
    with zipfile.ZipFile(project / "output" / "drought" / "drought-full.docx") as package:
        parts = [etree.fromstring(package.read(n)) for n in package.namelist()
                 if re.fullmatch(r"word/charts/chart\d+\.xml", n)]
        books = [n for n in package.namelist() if n.startswith("word/embeddings/")]
        chart = next(p for p in parts if "".join(p.find(f"{C}chart/{C}title").itertext())
                     == nasty)
        assert "]]></c:v><x/>" in [v.text for v in chart.iter(f"{C}v")]
        sheets = [list(load_workbook(io.BytesIO(package.read(b))).active.values) for b in books]
    assert any(row[0] == "]]></c:v><x/>" for sheet in sheets for row in sheet)
