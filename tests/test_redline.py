"""Redlines: `briefgen build --redline` writes, for a brief whose content changed since the
previous --redline build, <slug>-<variant>-changes.docx (Word tracked changes) and .pdf (marked
insertions and deletions, opening with "What changed since DATE"). Read as a reader gets them:
the DOCX's w:ins / w:del, LibreOffice's PDF of it, and the PDF's text."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, run_cli, write_brief
from libreoffice import to_pdf
from lxml import etree

from briefgen.document import (
    Citation,
    Deleted,
    Emphasis,
    Inserted,
    ItemList,
    Paragraph,
    Part,
    Strong,
    Text,
)
from briefgen.redline import diff_blocks, diff_inlines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BRAND = "Halden Centre for Strategic Affairs"  # templates/brand.yaml's name
EDITED = (MINIMAL_BRIEF.replace("Watch this.", "Watch the harbour.")
          .replace("date: 2025-07-04", "date: 2025-07-11"))


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built with --redline, its brief edited (one outlook item, the date), built
    again with --redline."""
    project = tmp_path_factory.mktemp("redline")
    write_brief(project, "port")
    first = run_cli(["build", "--redline", "--variant", "summary", "-j", "1"], project)
    assert first.returncode == 0, first.stderr
    assert not list((project / "output" / "port").glob("*-changes.*"))  # nothing to compare
    write_brief(project, "port", EDITED)
    second = run_cli(["build", "--redline", "--variant", "summary", "-j", "1"], project)
    assert second.returncode == 0, second.stderr
    return project / "output" / "port"


def tracked(docx: Path, kind: str) -> list[tuple[str, dict[str, str]]]:
    """The text of each w:ins or w:del of the body, with its attributes."""
    body = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    return [("".join(el.itertext()), {k.removeprefix(W): v for k, v in el.attrib.items()})
            for el in body.iter(f"{W}{kind}") if "".join(el.itertext())]


def test_the_redline_docx_tracks_the_edited_words_and_nothing_else(edited: Path) -> None:
    docx = edited / "port-summary-changes.docx"
    inserted, deleted = tracked(docx, "ins"), tracked(docx, "del")
    assert [text for text, _ in inserted] == ["the harbour."]
    assert [text for text, _ in deleted] == ["this."]
    for _, attrs in inserted + deleted:
        assert attrs["author"] == BRAND
        assert attrs["date"] == "2025-07-11T00:00:00Z"  # the brief's date, not the clock
    body = zipfile.ZipFile(docx).read("word/document.xml").decode()
    assert "<w:delText" in body  # deleted words are delText, or Word shows them as kept


def test_the_redline_pdf_opens_with_what_changed_and_marks_both_sides(edited: Path) -> None:
    text = subprocess.run(["pdftotext", str(edited / "port-summary-changes.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    assert "What changed since 4 July 2025 Changed: Date, Outlook: what to watch." in words
    assert words.index("What changed since") < words.index("The bottom line")
    assert "Watch this. the harbour." in words  # removed then added, in place


def test_the_manifest_and_index_list_the_redlines(edited: Path) -> None:
    out = edited.parent
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = data["briefs"]
    kinds = {f["path"]: f["kind"] for f in entry["files"]}
    assert kinds == {"port/port-summary.pdf": "", "port/port-summary.docx": "",
                     "port/port-summary-changes.docx": "changes",
                     "port/port-summary-changes.pdf": "changes",
                     "port/port.content.yaml": "snapshot"}
    assert entry["variants"] == ["summary"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="./port/port-summary-changes.pdf"' in index
    assert 'href="./port/port.content.yaml"' not in index


def test_libreoffice_shows_the_tracked_changes_and_nothing_else(
        edited: Path, tmp_path: Path) -> None:
    """LibreOffice's PDF of the redline has exactly the words of LibreOffice's PDF of the new
    version, plus the deleted words and the box; nothing of the layout shows as a change."""
    profile = tmp_path / "profile"
    red = to_pdf(edited / "port-summary-changes.docx", tmp_path / "red", profile)
    new = to_pdf(edited / "port-summary.docx", tmp_path / "new", profile)

    def words(pdf: Path) -> Counter[str]:
        return Counter(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                      text=True, check=True).stdout.split())

    box = "What changed since 4 July 2025 Changed: Date, Outlook: what to watch."
    assert words(red) - words(new) == Counter(["this.", *box.split()])
    assert not words(new) - words(red)


def test_a_brief_unchanged_since_loses_its_redline(tmp_path: Path) -> None:
    write_brief(tmp_path, "port")
    for text in (MINIMAL_BRIEF, EDITED, EDITED):
        write_brief(tmp_path, "port", text)
        done = run_cli(["build", "--redline", "--variant", "summary", "--format", "pdf",
                        "-j", "1"], tmp_path)
        assert done.returncode == 0, done.stderr
        if text is EDITED and "unchanged" not in done.stdout:
            assert (tmp_path / "output" / "port" / "port-summary-changes.pdf").is_file()
    assert "1 unchanged" in done.stdout
    assert not list((tmp_path / "output" / "port").glob("*-changes.*"))
    data = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert all(f["kind"] != "changes" for f in data["briefs"][0]["files"])


def test_a_damaged_snapshot_means_no_redline_not_a_failed_brief(tmp_path: Path) -> None:
    write_brief(tmp_path, "port")
    assert run_cli(["build", "--redline", "--format", "pdf", "-j", "1"], tmp_path).returncode == 0
    (tmp_path / "output" / "port" / "port.content.yaml").write_text(
        "title: [unclosed\n", encoding="utf-8")
    write_brief(tmp_path, "port", EDITED)
    done = run_cli(["build", "--redline", "--format", "pdf", "-j", "1"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert not list((tmp_path / "output" / "port").glob("*-changes.*"))
    assert (tmp_path / "output" / "port" / "port.content.yaml").read_text(
        encoding="utf-8") == EDITED


def test_words_are_compared_with_their_formatting_and_citations_by_source() -> None:
    old = (Text("Prices rose "), Strong((Text("sharply"),)), Text(" in May"), Citation(("a",)))
    new = (Text("Prices rose "), Strong((Text("slightly"),)), Text(" in June"),
           Citation(("a",)))
    assert diff_inlines(old, new) == (
        Text("Prices rose "), Deleted((Strong((Text("sharply"),)),)), Text(" "),
        Inserted((Strong((Text("slightly"),)),)), Text(" in "), Deleted((Text("May"),)),
        Text(" "), Inserted((Text("June"),)), Citation(("a",)))
    same = (Text("Kept as "), Emphasis((Text("it was"),)), Citation(("b",)))
    assert diff_inlines(same, same) == same
    assert diff_inlines((Citation(("a",)),), (Citation(("b",)),)) == (
        Deleted((Citation(("a",)),)), Inserted((Citation(("b",)),)))


def test_removed_and_added_blocks_stand_where_they_were() -> None:
    old = [Part("key-points", [ItemList([(Text("One."),), (Text("Two."),),
                                         (Text("Three."),)])]),
           Paragraph((Text("Gone."),))]
    new = [Part("key-points", [ItemList([(Text("One."),), (Text("Three."),),
                                         (Text("Four."),)])]),
           Paragraph((Text("Added."),), "lead")]
    part, *rest = diff_blocks(old, new)
    assert isinstance(part, Part)
    assert part.blocks[0].items == [(Text("One."),), (Deleted((Text("Two."),)),),
                                    (Text("Three."),), (Inserted((Text("Four."),)),)]
    assert rest == [Paragraph((Deleted((Text("Gone."),)),)),
                    Paragraph((Inserted((Text("Added."),)),), "lead")]


def test_redline_is_an_option_of_build() -> None:
    help_ = run_cli(["build", "--help"], Path.cwd()).stdout
    assert re.search(r"--redline\s+Also write <slug>-<variant>-changes\.docx", help_)


def test_a_changed_title_shows_in_the_box(tmp_path: Path) -> None:
    write_brief(tmp_path, "port")
    assert run_cli(["build", "--redline", "--variant", "summary", "--format", "pdf",
                    "-j", "1"], tmp_path).returncode == 0
    write_brief(tmp_path, "port", MINIMAL_BRIEF.replace("A small brief", "A short brief"))
    done = run_cli(["build", "--redline", "--variant", "summary", "-j", "1"], tmp_path)
    assert done.returncode == 0, done.stderr
    docx = tmp_path / "output" / "port" / "port-summary-changes.docx"
    assert [t for t, _ in tracked(docx, "del")] == ["small"]
    assert [t for t, _ in tracked(docx, "ins")] == ["short"]
