"""Every script and language a brief can hold: fonts embedded, text that round-trips, right to
left where it should be, labels and dates in the brief's language."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, REPO, run_cli, squash, write_brief
from docx import Document
from lxml import etree

from briefgen.load import load_brief

DATA = Path(__file__).parent / "data"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The multilingual test brief built once, both variants, both formats."""
    project = tmp_path_factory.mktemp("multilingual")
    shutil.copy(DATA / "multilingual.yaml", write_brief(project, "multilingual").parent)
    result = run_cli(["build"], project)
    assert result.returncode == 0, result.stderr
    return project / "output" / "multilingual"


def letters(text: str) -> str:
    """Only the letters and digits, in logical order: what 'the same text' means across PDF
    extraction, which adds bidi marks, drops zero-width joiners and moves edge punctuation."""
    text = unicodedata.normalize("NFC", text).replace("\u2010\n", "")
    return "".join(ch for ch in text if ch.isalnum())


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_every_script_has_an_embedded_font(multilingual: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(multilingual / "multilingual-full.pdf")],
                           capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" in row[-5:-3] and row[-5] == "yes" for row in rows), fonts
    names = " ".join(row[0] for row in rows)
    for family in ("Noto-Serif", "Noto-Sans", "Noto-Naskh-Arabic", "Noto-Serif-CJK-SC"):
        assert family in names, f"{family} not embedded:\n{fonts}"
    assert "Oblique" not in names, "Arabic or CJK quotations were slanted"


def test_text_in_every_script_round_trips(multilingual: Path) -> None:
    """pdftotext gives back each quotation, name and paragraph, whatever its script."""
    brief = load_brief(DATA / "multilingual.yaml")
    text = letters(pdftotext(multilingual / "multilingual-full.pdf"))
    samples = [q.text for q in brief.quotes] + [a.name for a in brief.actors]
    samples += [p for p in brief.sections[0].body.split("\n\n")[1:]]
    for sample in samples:
        assert letters(sample) in text, f"missing or garbled: {sample}"
    assert "\ufffd" not in pdftotext(multilingual / "multilingual-full.pdf")


def test_right_to_left_text_is_marked_in_the_html_and_pdf(multilingual: Path) -> None:
    """The Dari paragraph and Arabic-script quotations are laid out right to left: the PDF text
    layer carries them in right-to-left embedding, and the lines are set flush right."""
    raw = pdftotext(multilingual / "multilingual-full.pdf")
    assert "\u202b" in raw  # poppler marks what the layout set right to left
    layout = subprocess.run(["pdftotext", "-layout", str(multilingual / "multilingual-full.pdf"),
                             "-"], capture_output=True, text=True, check=True).stdout
    dari = next(line for line in layout.splitlines() if "روابط دو کشور مهم است و" in line)
    english = next(line for line in layout.splitlines() if "Each government spoke" in line)
    indent = len(dari) - len(dari.lstrip())
    assert indent > len(english) - len(english.lstrip()) + 20, "Dari paragraph not flush right"


def test_docx_marks_right_to_left_paragraphs_and_runs(multilingual: Path) -> None:
    """w:bidi on right-to-left paragraphs; w:rtl on every run of Arabic script, and only there;
    the quotation's own language in w:lang."""
    with zipfile.ZipFile(multilingual / "multilingual-full.docx") as package:
        body = etree.fromstring(package.read("word/document.xml"))
    for p in body.iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t")).strip()
        bidi = p.find(f"{W}pPr/{W}bidi") is not None
        if text and ARABIC.match(text.lstrip("“")):
            assert bidi, f"right-to-left paragraph without w:bidi: {text}"
        elif text and not ARABIC.search(text):
            assert not bidi, f"left-to-right paragraph marked w:bidi: {text}"
    for run in body.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if text.strip():
            rtl = run.find(f"{W}rPr/{W}rtl") is not None
            assert rtl == bool(ARABIC.search(text)), f"w:rtl wrong on run {text!r}"
            if rtl:
                assert not re.search("[A-Za-z]", text), f"Latin inside an rtl run: {text!r}"
    doc = Document(str(multilingual / "multilingual-full.docx"))
    pashto = next(p for p in doc.paragraphs if "پرېکړه" in p.text)
    langs = {r._r.find(f"{W}rPr/{W}lang").get(f"{W}val") for r in pashto.runs if r.text.strip()}
    assert langs == {"ps"}


def test_word_styles_name_fonts_for_every_script(multilingual: Path) -> None:
    doc = Document(str(multilingual / "multilingual-full.docx"))
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(f"{W}ascii") == "Noto Serif"
    assert fonts.get(f"{W}cs") == "Noto Naskh Arabic"
    assert fonts.get(f"{W}eastAsia") == "Noto Serif CJK SC"


def test_russian_brief_speaks_russian(tmp_path: Path) -> None:
    """Labels, dates and page numbers follow the brief's language, in the PDF and the DOCX."""
    text = MINIMAL_BRIEF.replace("A small brief", "Краткая записка") + "language: ru\n"
    write_brief(tmp_path, "ru", text)
    result = run_cli(["build", "--variant", "summary"], tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = pdftotext(tmp_path / "output" / "ru" / "ru-summary.pdf")
    seen = squash(pdf).casefold()  # small-caps labels come out letter-spaced and upper-case
    for words in ("Аналитическая записка · Краткая версия", "Главное", "Ключевые тезисы",
                  "Перспективы: на что обратить внимание", "Источники", "4 июля 2025 г.",
                  "Стр. 1 из 1"):
        assert squash(words).casefold() in seen, words
    for english in ("Key points", "Sources", "July", "Page"):
        assert english not in pdf
    doc = Document(str(tmp_path / "output" / "ru" / "ru-summary.docx"))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "Главное", "Ключевые тезисы", "Перспективы: на что обратить внимание", "Источники"]
    footer = doc.sections[0].footer.paragraphs[0].text
    assert footer.startswith("UNCLASSIFIED\tСтр. ") and " из " in footer


def test_english_dates_are_british(tmp_path: Path) -> None:
    write_brief(tmp_path, "en")
    assert run_cli(["build", "--format", "pdf", "--variant", "summary"], tmp_path).returncode == 0
    assert "4 July 2025" in pdftotext(tmp_path / "output" / "en" / "en-summary.pdf")


def test_language_without_labels_is_refused_at_its_line(tmp_path: Path) -> None:
    write_brief(tmp_path, "de", MINIMAL_BRIEF + "language: de\n")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    line = len(MINIMAL_BRIEF.splitlines()) + 1
    assert result.stderr.splitlines()[0] == (
        f"content/de.yaml:{line}:11: language: no labels for 'de' (hint: briefgen has labels "
        "for en, ru; add templates/labels/de.yaml to print in it)")
    assert run_cli(["check"], tmp_path).returncode == 1


def test_a_label_set_must_be_complete(tmp_path: Path) -> None:
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    labels = tmp_path / "templates" / "labels" / "de.yaml"
    labels.write_text("locale: de\npolicy_brief: Kurzanalyse\n", encoding="utf-8")
    write_brief(tmp_path, "de", MINIMAL_BRIEF + "language: de\n")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    assert "templates/labels/de.yaml:1:1: summary: is required" in result.stderr
    assert "Traceback" not in result.stderr
