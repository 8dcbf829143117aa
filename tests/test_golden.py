"""Golden files: the default brief and the multilingual test brief, as each format holds them.

They guard refactorings of the pipeline: a change to what a reader gets shows as a diff here,
to be reviewed and explained, never as a silent drift. Run with BRIEFGEN_UPDATE_GOLDEN=1 to
write the files anew after such a review.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import zipfile
from pathlib import Path

import lxml.etree as etree
import pytest
from conftest import REPO, output_file, run_cli

GOLDEN = Path(__file__).parent / "golden"
BRIEFS = {"default": REPO / "content" / "russia-recognises-taliban.yaml",
          "multilingual": REPO / "tests" / "data" / "multilingual.yaml"}
UPDATE = os.environ.get("BRIEFGEN_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def golden_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each golden brief built once, in every format, with the real CLI."""
    out = tmp_path_factory.mktemp("golden")
    folders = {}
    for name, path in BRIEFS.items():
        proc = run_cli(["build", path, "--out", out, "--format", "pdf", "--format", "docx",
                        "--format", "html"], cwd=REPO)
        assert proc.returncode == 0, proc.stderr
        folders[name] = out / path.stem
    return folders


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def _html(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # The embedded images and the stylesheet are guarded elsewhere; keep the diff readable.
    head, sep, body = text.partition("<body")
    return "\n".join(line for line in (head.split("<style>")[0] + sep + body).splitlines()
                     if "base64," not in line)


EXTRACT = {"html": _html, "pdf": _pdf_text, "docx": _document_xml}


@pytest.mark.parametrize("brief", sorted(BRIEFS))
@pytest.mark.parametrize("variant", ["summary", "full"])
@pytest.mark.parametrize("fmt", sorted(EXTRACT))
def test_golden(golden_builds: dict[str, Path], brief: str, variant: str, fmt: str) -> None:
    """What each format holds for each variant equals the reviewed golden file."""
    got = EXTRACT[fmt](output_file(golden_builds[brief], variant, fmt))
    golden = GOLDEN / f"{brief}-{variant}.{fmt}.txt"
    if UPDATE or not golden.exists():
        golden.write_text(got, encoding="utf-8")
    want = golden.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            str(golden.name), "built", n=2))
        pytest.fail(f"{golden.name} differs (review, then BRIEFGEN_UPDATE_GOLDEN=1):\n"
                    + diff[:6000])
