"""Shared fixtures: the real CLI, run as a user runs it, and the brief it builds.

Every test reads what a reader gets (PDF text, Word paragraphs, the CLI's messages); nothing is
mocked. The default brief is built once per session and shared by the PDF and DOCX tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject

from briefgen.load import load_brief
from briefgen.model import Brief

REPO = Path(__file__).resolve().parent.parent
BRIEFGEN = Path(sys.executable).parent / "briefgen"
DEFAULT_CONTENT = Path("content") / "russia-recognises-taliban.yaml"  # relative to REPO
SLUG = DEFAULT_CONTENT.stem
VARIANTS = ("summary", "full")

# The smallest brief the model accepts, with one cited source so the Sources list has an entry.
MINIMAL_BRIEF = textwrap.dedent(
    """\
    title: A small brief
    date: 2025-07-04
    classification: UNCLASSIFIED
    authors:
      - Ann Author
    organisation: Test Org
    summary: The bottom line [@src-a].
    key_points:
      - First point [@src-a].
      - Second point.
    outlook:
      - Watch this.
    sources:
      - id: src-a
        title: Source A
        publisher: Pub A
        url: https://example.org/a
    """
)


def run_cli(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `briefgen` console script, capturing its text output."""
    return subprocess.run(
        [str(BRIEFGEN), *(str(a) for a in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_brief(project: Path, name: str = "brief", text: str = MINIMAL_BRIEF) -> Path:
    """Write project/content/NAME.yaml (a valid minimal brief unless text is given)."""
    path = project / "content" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def output_file(folder: Path, variant: str, ext: str) -> Path:
    """The path of one built file inside the brief's output folder."""
    return folder / f"{folder.name}-{variant}.{ext}"


def build_default(out: Path) -> Path:
    """Build the default brief with the real CLI from the repo root; return its output folder."""
    proc = run_cli(["build", DEFAULT_CONTENT, "--out", out], cwd=REPO)
    assert proc.returncode == 0, f"build failed:\n{proc.stdout}\n{proc.stderr}"
    return out / SLUG


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default brief built once, all variants and formats: output/<slug>/ in a tmp dir."""
    folder = build_default(tmp_path_factory.mktemp("built"))
    for variant in VARIANTS:
        for ext in ("pdf", "docx"):
            assert output_file(folder, variant, ext).is_file()
    return folder


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> str:
    """Each variant in turn, for tests that hold for both."""
    return request.param


@pytest.fixture(scope="module")
def doc(built: Path, variant: str) -> DocumentObject:
    """The built DOCX of the variant, read back with python-docx."""
    return Document(str(output_file(built, variant, "docx")))


@pytest.fixture(scope="session")
def lo_pdfs(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """LibreOffice's PDF of each built DOCX (copied to a tmp dir first), by variant."""
    from libreoffice import libreoffice_pdfs

    return libreoffice_pdfs(built, tmp_path_factory)


@pytest.fixture(scope="session")
def brief() -> Brief:
    """The default brief as the content model reads it: the expectations come from here."""
    return load_brief(REPO / DEFAULT_CONTENT)


# --- What a reader should find, worked out from the content independently of the renderers ---

_MARKER = re.compile(r"\s*\[@([^\]]+)\]")
_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]*\)")


def marker_ids(text: str) -> list[str]:
    """Source ids of the citation markers in a Markdown text, in order."""
    return [part.strip().lstrip("@") for m in _MARKER.finditer(text) for part in m[1].split(";")]


def plain(markdown: str) -> str:
    """The words a reader sees for a Markdown text: no citation markers, links or emphasis."""
    text = _MARKER.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("*", "")
    return " ".join(text.split())


def slice_of(markdown: str, words: int = 8) -> str:
    """A distinctive run of words from a Markdown text that no citation number interrupts."""
    longest = max(_MARKER.split(markdown)[::2], key=len)
    return " ".join(plain(longest).lstrip(".,;: ").split()[:words])


def squash(text: str) -> str:
    """Text without whitespace or hyphens, so line breaks and auto-hyphenation do not matter."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


def cited_in_order(brief: Brief, variant: str) -> list[str]:
    """Source ids in order of first citation in a variant's reading order (= their numbers)."""
    full = variant == "full"
    ids: list[str] = []
    for text in (brief.summary, *brief.key_points):
        ids += marker_ids(text)
    if full:
        ids += [f.source for f in brief.figures]
        for section in brief.sections:
            ids += marker_ids(section.body)
        ids += [q.source for q in brief.quotes]
        for event in brief.timeline:
            ids += marker_ids(event.event)
        for actor in brief.actors:
            ids += marker_ids(actor.stance)
    for text in (*brief.outlook, *(brief.recommendations if full else ())):
        ids += marker_ids(text)
    return list(dict.fromkeys(ids))


def headings(brief: Brief, variant: str) -> list[str]:
    """The section headings a reader sees, in order, for a variant of the brief."""
    if variant == "summary":
        return ["Bottom line", "Key points", "Outlook: what to watch", "Sources"]
    return [
        "Bottom line",
        "Key points",
        *(["In numbers"] if brief.figures else []),
        *(s.heading for s in brief.sections),
        *(["In their words"] if brief.quotes else []),
        *(["Timeline"] if brief.timeline else []),
        *(["Actors"] if brief.actors else []),
        "Outlook: what to watch",
        *(["Recommendations"] if brief.recommendations else []),
        "Sources",
    ]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def spoken_date(value: str) -> str:
    """2020-02-29 -> 29 February 2020, 1979-12 -> December 1979, 2013 -> 2013."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def render_html(brief: Brief, variant: str, templates_dir: Path | None = None,
                base: Path | None = None) -> str:
    """One variant of a brief as the HTML page the PDF is laid out from, through the real
    stages: compose with the theme, then the HTML writer."""
    from briefgen.compose import compose
    from briefgen.theme import Theme
    from briefgen.writers.html import page

    theme = Theme([templates_dir or REPO / "templates"])
    return page(compose(brief, theme.variants[variant], theme, base or Path(".")), theme)
