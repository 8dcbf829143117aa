"""Markdown: the typed document as CommonMark with YAML front matter, for email, wikis and
Pandoc users.

Headings, paragraphs, lists, quotations and pipe tables are plain CommonMark (pipe tables and
footnotes as GitHub and Pandoc read them). Citations become footnote references [^N], and the
notes at the end hold the same words as the numbered source list. Images are embedded as data:
URIs, so the file stands alone. Every text is escaped, so nothing an editor typed becomes markup
it was not meant to be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from briefgen.document import (
    Block,
    Chart,
    Citation,
    Contents,
    Deleted,
    Document,
    Emphasis,
    Heading,
    Image,
    Inlines,
    Inserted,
    ItemList,
    LineBreak,
    Link,
    Paragraph,
    Part,
    Quote,
    SourceList,
    Strong,
    Table,
    Text,
)
from briefgen.theme import Theme
from briefgen.writers import Options, Written
from briefgen.writers.html import data_uri
from briefgen.writers.svg import number_format

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_BLOCK_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))")


def write(document: Document, theme: Theme, options: Options) -> Written:
    """The Markdown file's bytes (UTF-8, LF line ends)."""
    writer = _Markdown(document, number_format(theme.labels(document.meta.language).locale))
    parts = [front_matter(document), *writer.blocks(document.blocks)]
    notes = [f"[^{e.number}]: {writer.inlines(e.text)}"
             for e in sorted(document.sources.values(), key=lambda e: e.number)]
    if notes:
        parts.append("\n".join(notes))
    return Written(("\n\n".join(p for p in parts if p) + "\n").encode())


def front_matter(document: Document) -> str:
    """YAML front matter, every value a JSON string (valid YAML, whatever it holds)."""
    meta = document.meta
    fields = {"title": meta.title, "subtitle": meta.subtitle, "date": meta.date.isoformat(),
              "lang": meta.language, "author": meta.authors, "organisation": meta.organisation,
              "classification": meta.classification, "variant": meta.variant,
              "keywords": meta.keywords}
    lines = ["---"]
    for key, value in fields.items():
        if value:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    heading = f"*{escape(meta.kind)}*\n\n# {escape(meta.title)}"
    if meta.subtitle:
        heading += f"\n\n{escape(meta.subtitle)}"
    return "\n".join(lines) + "\n\n" + heading + f"\n\n{escape(meta.byline)}"


def escape(text: str) -> str:
    """Text as CommonMark reads it literally: punctuation that could start markup is escaped,
    and line ends become spaces (a paragraph is one line here)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()) if "\n" in text else text)


def _paragraph(text: str) -> str:
    """A paragraph's line, with a leading character that would start a heading, list or
    quotation escaped."""
    return _BLOCK_START.sub(
        lambda m: m[1] + ("\\" + m[2] if m[2] else m[3] + "\\" + m[4]), text, count=1)


class _Markdown:
    """Writes blocks and inlines as Markdown; one method per node type."""

    def __init__(self, document: Document, number: Callable[[float], str] = str) -> None:
        self.document = document
        self.number = number

    def blocks(self, blocks: list[Block]) -> list[str]:
        out: list[str] = []
        for block in blocks:
            if isinstance(block, Part):
                out += self.blocks(block.blocks)
            else:
                out.append(self.block(block))
        return out

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            return f"{'#' * (block.level + 1)} {self.inlines(block.text)}"
        if isinstance(block, Paragraph):
            return _paragraph(self.inlines(block.text))
        if isinstance(block, ItemList):
            return "\n".join(f"{f'{i}.' if block.ordered else '-'} {_paragraph(self.inlines(item))}"
                             for i, item in enumerate(block.items, 1))
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Quote):
            return f"> {self.inlines(block.text)}\n>\n> — {self.inlines(block.attribution)}"
        if isinstance(block, Image):
            caption = f"\n\n*{self.inlines(block.caption)}*" if block.caption else ""
            return f"![{escape(block.alt)}]({data_uri(block)}){caption}"
        if isinstance(block, Chart):
            return self.chart(block)
        if isinstance(block, Contents):
            return ""  # a Markdown reader's own outline lists the headings
        if isinstance(block, SourceList):
            return "\n".join(f"{e.number}. {self.inlines(e.text)}" for e in block.entries)
        raise TypeError(f"no Markdown for {type(block).__name__}")

    def chart(self, chart: Chart) -> str:
        """A chart as its data: the title, a pipe table (categories down, one column per
        series), and the caption with its source."""
        unit = f" ({escape(chart.units)})" if chart.units else ""
        rows = [[escape(chart.category_axis), *(escape(s.name) for s in chart.series)]]
        rows += [[escape(category), *(escape(self.number(s.values[i])) for s in chart.series)]
                 for i, category in enumerate(chart.categories)]
        cells = rows  # escape() has escaped every | already
        lines = [f"**{escape(chart.title)}**{unit}", "",
                 f"| {' | '.join(cells[0])} |", f"|---|{'--:|' * len(chart.series)}"]
        lines += [f"| {' | '.join(r)} |" for r in cells[1:]]
        if chart.caption:
            lines += ["", f"*{self.inlines(chart.caption)}*"]
        return "\n".join(lines)

    def table(self, table: Table) -> str:
        if table.kind == "cards":  # headline figures: a list reads better than a grid
            return "\n".join(
                f"- **{self.inlines(cell.blocks[0].text)}** "
                + " ".join(self.inlines(p.text) for p in cell.blocks[1:])
                for row in table.rows for cell in row if cell.blocks)
        rows = [[" ".join(self.inlines(p.text) for p in cell.blocks).replace("|", "\\|")
                 for cell in row] for row in table.rows]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        if not all(c.header for c in table.rows[0]):
            rows.insert(0, [""] * width)  # pipe tables need a header row
        lines = [f"| {' | '.join(rows[0])} |", f"|{'---|' * width}"]
        lines += [f"| {' | '.join(r)} |" for r in rows[1:]]
        return "\n".join(lines)

    def inlines(self, inlines: Inlines) -> str:
        out: list[str] = []
        for node in inlines:
            if isinstance(node, Text):
                out.append(escape(node.text))
            elif isinstance(node, Strong):
                out.append(f"**{self.inlines(node.children)}**")
            elif isinstance(node, Emphasis):
                out.append(f"*{self.inlines(node.children)}*")
            elif isinstance(node, Link):
                href = node.href.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
                out.append(f"[{self.inlines(node.children)}](<{href}>)"
                           if "<" not in href and ">" not in href else self.inlines(node.children))
            elif isinstance(node, Citation):
                out.append("".join(f"[^{self.document.sources[i].number}]" for i in node.ids
                                   if i in self.document.sources))
            elif isinstance(node, LineBreak):
                out.append("\\\n")
            elif isinstance(node, Inserted):  # a redline: raw HTML, which CommonMark keeps
                out.append(f"<ins>{self.inlines(node.children)}</ins>")
            elif isinstance(node, Deleted):
                out.append(f"<del>{self.inlines(node.children)}</del>")
        return "".join(out)
