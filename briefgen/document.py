"""The typed brief document: what every writer reads, and the one contract between the stages.

compose.py builds it from a Brief, a variant and a theme; passes.py numbers its citations and
fills its contents list; the writers (briefgen/writers/) turn it into HTML, PDF, DOCX and
Markdown. It is a small, closed set of node types. Nothing in it is markup: text is text, an
image is bytes, and how each paragraph looks is named by a role (ROLES), never by a CSS class
or a Word style, so the writers cannot disagree about what a part is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from briefgen.model import Source

# ---- Inlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Plain text, exactly as written (writers escape it for their format)."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Strong importance: bold in print."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    """Stress emphasis: italic in print."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """A link to an http, https or mailto address (compose drops any other target)."""

    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Citation:
    """A citation of one or more sources; passes.number_citations gives them numbers."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class LineBreak:
    """A forced line break inside a paragraph."""


@dataclass(frozen=True)
class Inserted:
    """Words a redline (redline.py) shows as added since the previous version."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Deleted:
    """Words a redline shows as removed since the previous version."""

    children: tuple[Inline, ...]


Inline = Text | Strong | Emphasis | Link | Citation | LineBreak | Inserted | Deleted
Inlines = tuple[Inline, ...]


class Run(tuple):
    """Inline content a template can join with +: md(...) + cite(...), text(...) + "..."."""

    def __add__(self, other: object) -> Run:
        return Run((*self, *as_inlines(other)))

    def __radd__(self, other: object) -> Run:
        return Run((*as_inlines(other), *self))


def as_inlines(value: object) -> Inlines:
    """Inline content as given, or a text (taken as it is, never as Markdown) as one Text."""
    if isinstance(value, tuple):
        return value
    if value is None:
        return ()
    return (Text(str(value)),)

# ---- Blocks --------------------------------------------------------------------------------

# Paragraph roles and what each becomes: (Word style, CSS class). This table is the one mapping
# from the document to the look; an unknown role is refused when a template names it.
ROLES: dict[str, tuple[str, str]] = {
    "body": ("Normal", ""),
    "lead": ("Bottom Line", "lead"),
    "figure-value": ("Figure Value", "figure-value"),
    "figure-label": ("Figure Label", "figure-label"),
    "quote-text": ("Quote", "quote-text"),
    "attribution": ("Quote Attribution", "attribution"),
    "caption": ("Caption", "caption"),
    "table-text": ("Table Text", ""),
    "table-key": ("Table Key", "key"),
    "table-heading": ("Table Heading", ""),
    "note": ("Normal", "note"),
}


@dataclass
class Heading:
    """A heading: level 1 heads a part (and enters the contents), level 2 a subsection."""

    level: int
    text: Inlines
    id: str


@dataclass
class Paragraph:
    """A paragraph of inline content; role says what it is (see ROLES)."""

    text: Inlines
    role: str = "body"


@dataclass
class ItemList:
    """A bulleted or numbered list; role names a list with a look of its own (key points)."""

    items: list[Inlines]
    ordered: bool = False
    role: str = ""


@dataclass
class Cell:
    """A table cell: one or more paragraphs. A header cell names its column when its whole
    row is header cells (the first row), and names its row otherwise."""

    blocks: list[Paragraph]
    header: bool = False


@dataclass
class Table:
    """A table. kind "data" is a data table with a header row; kind "cards" lays out headline
    figures side by side. widths are percentages of the table's width, itself a percentage of
    the text width."""

    kind: str
    role: str
    caption: str
    rows: list[list[Cell]]
    widths: list[float] | None = None
    width: float = 100.0


@dataclass
class Image:
    """A PNG or JPEG, as bytes, with the words that say what it shows."""

    data: bytes
    mime: str
    alt: str
    caption: Inlines = ()
    width_mm: float | None = None


@dataclass
class ChartSeries:
    """One series of a chart: its name, one value per category, and whether it is highlighted."""

    name: str
    values: list[float]
    highlight: bool = False


@dataclass
class Chart:
    """A chart as data: every writer draws it its own way (SVG, a native Word chart, a table).

    kind is column, bar, line, stacked-column or stacked-bar; points are the indexes of the
    highlighted categories; alt says what the chart shows; caption ends with the citation of
    its source, numbered like any other."""

    id: str
    kind: str
    title: str
    categories: list[str]
    series: list[ChartSeries]
    alt: str
    caption: Inlines = ()
    units: str = ""
    category_axis: str = ""
    value_axis: str = ""
    points: list[int] = field(default_factory=list)

    @property
    def stacked(self) -> bool:
        """Whether the series are stacked on each other rather than side by side."""
        return self.kind.startswith("stacked-")

    @property
    def horizontal(self) -> bool:
        """Whether categories run down the side and values across (bar charts)."""
        return self.kind in ("bar", "stacked-bar")


@dataclass
class Quote:
    """An attributed quotation; lang is the quotation's language when not the brief's."""

    text: Inlines
    attribution: Inlines
    lang: str | None = None


@dataclass
class ContentsEntry:
    """One line of the contents list: a level-1 heading's id and text."""

    id: str
    text: Inlines


@dataclass
class Contents:
    """The contents list; passes.fill_contents lists every level-1 heading after it is built."""

    heading: str
    entries: list[ContentsEntry] = field(default_factory=list)


@dataclass
class SourceEntry:
    """One numbered source as the reader sees it in the list and in a footnote."""

    number: int
    source: Source
    text: Inlines


@dataclass
class SourceList:
    """The numbered sources; passes.number_citations fills it with every source the document
    cites, wherever in the document this list stands."""

    entries: list[SourceEntry] = field(default_factory=list)


@dataclass
class Part:
    """A part of the brief (bottom line, key points, a section...); role names it for the look."""

    role: str
    blocks: list[Block] = field(default_factory=list)


Block = (Heading | Paragraph | ItemList | Table | Image | Chart | Quote | Contents | SourceList
         | Part)


@dataclass
class Meta:
    """What the page furniture, the title block and the document properties show."""

    title: str
    subtitle: str | None
    kind: str
    variant: str
    language: str
    rtl: bool
    date: dt.date
    classification: str
    organisation: str
    authors: list[str]
    byline: str
    keywords: list[str]
    letterhead: str
    page_of: tuple[str, str, str]  # the words before, between and after "page" and "pages"
    logo: Image | None = None


@dataclass
class Revision:
    """What makes a document a redline: who the tracked changes are by (the brand's name), the
    date they carry (the brief's), and the previous version's date, for "What changed since"."""

    author: str
    date: dt.date
    since: dt.date


@dataclass
class Document:
    """One variant of one brief, ready for any writer.

    sources maps each cited source id to its entry: the footnote a DOCX gives a citation, and the
    number every format prints. It is filled by passes.number_citations."""

    meta: Meta
    blocks: list[Block]
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    revision: Revision | None = None  # set on a redline only

    @property
    def has_contents(self) -> bool:
        """Whether the document carries a contents list (Word then updates fields on opening)."""
        return any(isinstance(b, Contents) for b in walk(self.blocks))


def walk(blocks: list[Block]) -> Iterator[Block]:
    """Every block in reading order, parts entered."""
    for block in blocks:
        yield block
        if isinstance(block, Part):
            yield from walk(block.blocks)


def block_inlines(block: Block) -> Iterator[Inlines]:
    """Every run of inline content a block holds, in reading order (not entering parts)."""
    if isinstance(block, Heading | Paragraph):
        yield block.text
    elif isinstance(block, ItemList):
        yield from block.items
    elif isinstance(block, Table):
        for row in block.rows:
            for cell in row:
                for paragraph in cell.blocks:
                    yield paragraph.text
    elif isinstance(block, Quote):
        yield block.text
        yield block.attribution
    elif isinstance(block, Image | Chart):
        yield block.caption


def inline_nodes(inlines: Inlines) -> Iterator[Inline]:
    """Every inline node, depth first, in reading order."""
    for node in inlines:
        yield node
        if isinstance(node, Strong | Emphasis | Link | Inserted | Deleted):
            yield from inline_nodes(node.children)


def plain_text(inlines: Inlines) -> str:
    """The words of inline content, without formatting or citation numbers."""
    return "".join(n.text if isinstance(n, Text) else " " if isinstance(n, LineBreak) else ""
                   for n in inline_nodes(inlines))
