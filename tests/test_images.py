"""Images in content: embedded in both formats with their alt text, refused when they could
reach outside the content folder or say nothing to a screen reader."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import MINIMAL_BRIEF, REPO, run_cli, write_brief
from docx import Document
from docx.oxml.ns import qn

SECTION = """sections:
  - heading: With a picture
    body: |
      Text before.

      {line}

      Text after.
"""


def project(tmp: Path, line: str) -> Path:
    path = write_brief(tmp, "im", MINIMAL_BRIEF + SECTION.format(line=line))
    (path.parent / "images").mkdir()
    shutil.copy(REPO / "templates" / "logo.png", path.parent / "images" / "map.png")
    return tmp


def test_image_is_embedded_with_its_alt_text_and_caption(tmp_path: Path) -> None:
    project(tmp_path, "![Map of the region](images/map.png)")
    result = run_cli(["build", "--variant", "full"], tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "output" / "im" / "im-full.pdf"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == 2  # the logo and the map
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Map of the region" in text  # the caption
    doc = Document(str(tmp_path / "output" / "im" / "im-full.docx"))
    alts = [p.get("descr") for p in doc.element.body.iter(qn("wp:docPr"))]
    assert alts == ["Halden Centre for Strategic Affairs", "Map of the region"]
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[styles.index("Image") + 1] == "Caption"


def test_bad_images_are_refused_at_their_line(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    shutil.copy(REPO / "templates" / "logo.png", outside)
    project(tmp_path, "![](images/map.png)\n\n      ![Up](../secret.png)\n\n"
                      "      ![Web](https://example.org/x.png)\n\n      ![Gone](images/no.png)"
                      "\n\n      ![Etc](/etc/passwd)\n\n      ![Link](images/link.png)"
                      "\n\n      ![Text](images/notes.png)")
    images = tmp_path / "content" / "images"
    (images / "link.png").symlink_to(outside)
    (images / "notes.png").write_text("not an image")
    result = run_cli(["check"], tmp_path)
    assert result.returncode == 1
    lines = [line.split(": sections[0].body: ", 1)[1] for line in result.stdout.splitlines()]
    assert [line.split(" (hint")[0] for line in lines] == [
        "image without alt text",
        "image '../secret.png' leads outside the content folder",
        "image 'https://example.org/x.png' is not a file in the content folder",
        "image 'images/no.png' not found",
        "image '/etc/passwd' is not a file in the content folder",
        "image 'images/link.png' leads outside the content folder",
        "image 'images/notes.png' is not a PNG or JPEG file",
    ]
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"content/im.yaml:{len(MINIMAL_BRIEF.splitlines()) + 6}:7: error: ")
    assert first.endswith("[image-alt]")
    assert result.stdout.splitlines()[1].endswith("[image-path]")
