"""Compose: a Brief, a variant and a theme become one typed Document.

The variant's parts are macros of the theme's parts.j2, run in the order the variant registry
lists them. They add nodes through a Builder (`doc` in the template): which parts, their order
and their fixed wording stay in the templates, for every format, while the result is data that
no writer has to parse. Then the passes (passes.py) number the citations and fill the contents
list over the finished document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from briefgen.assets import KINDS
from briefgen.charts import chart_data, generated_alt, placed_ids
from briefgen.document import (
    ROLES,
    Block,
    Cell,
    Chart,
    ChartSeries,
    Citation,
    Contents,
    Document,
    Heading,
    Image,
    ItemList,
    Meta,
    Paragraph,
    Part,
    Quote,
    Run,
    SourceList,
    Table,
    Text,
    as_inlines,
)
from briefgen.errors import BuildError
from briefgen.labels import Labels, long_date
from briefgen.markup import IMAGE, markdown, parse_blocks, parse_inline
from briefgen.model import AUTO_ALT, Brief, Figure
from briefgen.model import Chart as ChartModel
from briefgen.passes import fill_contents, number_citations
from briefgen.templating import template_errors
from briefgen.theme import Theme
from briefgen.variants import Variant

PARTS = "parts.j2"
DRIVER = ('{% import "parts.j2" as parts with context %}{{ parts.kind() }}\0'
          "{% for name in names %}{{ parts[name]() }}{% endfor %}")
# What parts.j2 is given, for the hint on an undefined name.
GIVEN = "brief, labels, brand, variant, variant_label, doc, md, text and cite"


class Builder:
    """`doc` in parts.j2: each call adds a node where the template stands. Call blocks
    ({% call doc.part(...) %}) nest: what their body adds goes inside them."""

    def __init__(self, brief: Brief, theme: Theme, base: Path) -> None:
        self.brief = brief
        self.theme = theme
        self.base = base
        self._stack: list[list[Block]] = [[]]
        self._rows: list[list[list[Cell]]] = []

    @property
    def blocks(self) -> list[Block]:
        """The blocks added at the top level."""
        return self._stack[0]

    def _add(self, block: Block) -> str:
        self._stack[-1].append(block)
        return ""

    def _inside(self, caller: Callable[[], str]) -> list[Block]:
        self._stack.append([])
        try:
            caller()
        finally:
            inner = self._stack.pop()
        return inner

    def part(self, role: str, heading: Any = None, id: str | None = None,
             caller: Callable[[], str] | None = None) -> str:
        """A part of the brief with its heading (level 1, listed in the contents)."""
        _check_name(role, "part role")
        blocks: list[Block] = []
        if heading is not None:
            blocks.append(Heading(1, as_inlines(heading), id or _slug(heading)))
        if caller is not None:
            blocks += self._inside(caller)
        return self._add(Part(role, blocks))

    def heading(self, text: Any, level: int = 2, id: str | None = None) -> str:
        """A heading of its own: level 1 enters the contents, level 2 does not."""
        if level not in (1, 2):
            raise ValueError(f"heading level must be 1 or 2, not {level!r}")
        return self._add(Heading(level, as_inlines(text), id or _slug(text)))

    def paragraph(self, text: Any, role: str = "body") -> str:
        """A paragraph of text (as it is) or of md(...) content, in a role of document.ROLES."""
        if role not in ROLES:
            raise ValueError(f"unknown paragraph role {role!r} (known: {', '.join(ROLES)})")
        return self._add(Paragraph(as_inlines(text), role))

    def list(self, items: Iterable[Any], ordered: bool = False, role: str = "") -> str:
        """A bulleted (or numbered) list of texts or md(...) items."""
        if role:
            _check_name(role, "list role")
        return self._add(ItemList([as_inlines(i) for i in items], ordered, role))

    def body(self, markdown: str) -> str:
        """A section body: paragraphs, lists, ### subheadings and image lines."""
        for kind, texts in parse_blocks(markdown):
            if kind == "h3":
                self._add(Heading(2, parse_inline(texts[0]), _slug(texts[0])))
            elif kind == "img":
                self._add(self._image(texts[0]))
            elif kind == "chart":
                self._add(self._chart(next(c for c in self.brief.charts if c.id == texts[0])))
            elif kind in ("ul", "ol"):
                self._add(ItemList([parse_inline(t) for t in texts], kind == "ol"))
            else:
                self._add(Paragraph(parse_inline(texts[0])))
        return ""

    def _image(self, line: str) -> Image:
        match = IMAGE.fullmatch(line)
        assert match is not None  # parse_blocks only calls a line an image when it is one
        data = (self.base / match["src"]).read_bytes()  # checked to stay inside content/
        mime = next(f"image/{k}" for magic, k in KINDS.items() if data.startswith(magic))
        return Image(data, mime, match["alt"], (Text(match["alt"]),))

    def chart(self, chart: ChartModel) -> str:
        """One chart of the brief, drawn from its data by each writer."""
        return self._add(self._chart(chart))

    def unplaced(self, charts: Iterable[ChartModel]) -> tuple[ChartModel, ...]:
        """The charts no section body places (a body's ```chart ID block shows one there)."""
        placed = placed_ids(self.brief)
        return tuple(chart for chart in charts if chart.id not in placed)

    def _chart(self, chart: ChartModel) -> Chart:
        data = chart_data(chart, self.base)  # the loader has checked it
        wanted = set(chart.highlight)
        series = [ChartSeries(name, values, name in wanted) for name, values in data.series]
        points = [i for i, category in enumerate(data.categories) if category in wanted]
        source = self.brief.source(chart.source)
        labels = self.theme.labels(self.brief.language)
        credit = f"{labels.chart_source}: {source.publisher if source else chart.source}"
        caption = (*(markdown(chart.caption) + " " if chart.caption else ()), Text(credit),
                   Citation((chart.source,)))
        alt = generated_alt(chart, data) if chart.alt == AUTO_ALT else chart.alt
        return Chart(chart.id, chart.type, chart.title, data.categories, series, alt,
                     tuple(caption), chart.units or "", chart.category_axis or "",
                     chart.value_axis or "", points)

    def table(self, kind: str, role: str, caption: str, header: Iterable[Any] = (),
              widths: Iterable[float] | None = None, width: float = 100.0,
              caller: Callable[[], str] | None = None) -> str:
        """A table: kind "data" (its first column names each row) or "cards"; its rows come
        from doc.row() calls in the call block."""
        if kind not in ("data", "cards"):
            raise ValueError(f"table kind must be 'data' or 'cards', not {kind!r}")
        _check_name(role, "table role")
        rows: list[list[Cell]] = []
        head = [Cell([Paragraph(as_inlines(h), "table-heading")], header=True) for h in header]
        if head:
            rows.append(head)
        self._rows.append(rows)
        try:
            if caller is not None:
                caller()
        finally:
            self._rows.pop()
        return self._add(Table(kind, role, caption, rows, list(widths) if widths else None,
                               width))

    def row(self, cells: Iterable[Any]) -> str:
        """One row of the table being built: texts or md(...) content, one per column. The
        first cell names the row, so it is the row's header cell when there are others to name
        (a screen reader then announces it with each cell of the row)."""
        if not self._rows:
            raise ValueError("doc.row() belongs inside a doc.table() call block")
        cells = list(cells)
        self._rows[-1].append([
            Cell([Paragraph(as_inlines(c), "table-key" if i == 0 else "table-text")],
                 header=i == 0 and len(cells) > 1)
            for i, c in enumerate(cells)])
        return ""

    def cards(self, figures: Iterable[Figure], caption: str = "", per_row: int = 4) -> str:
        """Headline figures as cards, per_row to a row; a card keeps its share of the width,
        so one or two figures do not stretch."""
        figures = list(figures)
        rows = [[Cell([Paragraph((Text(f.value),), "figure-value"),
                       Paragraph((Text(f.label), Citation((f.source,))), "figure-label")])
                 for f in figures[i:i + per_row]] for i in range(0, len(figures), per_row)]
        share = min(100.0, 100.0 / per_row * len(figures))
        return self._add(Table("cards", "figures", caption, rows, None, share))

    def quote(self, text: Any, attribution: Any, lang: str | None = None) -> str:
        """An attributed quotation; lang when its language is not the brief's."""
        return self._add(Quote(as_inlines(text), as_inlines(attribution), lang))

    def sources(self) -> str:
        """The numbered list of the sources this variant cites (filled once it is whole)."""
        return self._add(SourceList())


def compose(brief: Brief, variant: Variant, theme: Theme, base: Path) -> Document:
    """One variant of a brief as a typed document, citations numbered and contents listed.

    base is the brief's folder, against which its image paths resolve (the loader has checked
    them). A template that fails raises TemplateProblem at its file and line."""
    labels = theme.labels(brief.language)
    builder = Builder(brief, theme, base)
    variant_label = theme.variant_label(variant, labels)
    context = {
        "brief": brief, "labels": labels, "brand": theme.brand, "variant": variant.name,
        "variant_label": variant_label, "doc": builder, "text": lambda s: Run(as_inlines(s)),
        "md": markdown, "cite": lambda i: Run((Citation((i,)),)),
    }
    with template_errors(theme.folders, GIVEN):
        macros = theme.environment.get_template(PARTS).make_module(context)
        for name in variant.parts:
            if not callable(getattr(macros, name, None)):
                raise BuildError(
                    f"variant {variant.name!r} shows part {name!r}, but {PARTS} has no macro "
                    f"of that name (hint: the parts are the macros of {PARTS})")
        if variant.contents:
            builder.blocks.append(Contents(labels.contents))
        # Run through a template, not by calling the macros from Python, so that an error in
        # one is reported at its own line of parts.j2.
        kind, _ = theme.environment.from_string(DRIVER).render(
            context, names=variant.parts).split("\0")
    document = Document(_meta(brief, variant, labels, theme, " ".join(kind.split())),
                        builder.blocks)
    number_citations(document, brief, lambda value: long_date(value, labels.locale))
    fill_contents(document)
    return document


def _meta(brief: Brief, variant: Variant, labels: Labels, theme: Theme, kind: str) -> Meta:
    brand = theme.brand
    logo = None
    if brand.logo:
        data = theme.asset(brand.logo.file)
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        logo = Image(data, mime, brand.logo.alt, (), brand.logo.width)
    date = long_date(brief.date, labels.locale)
    return Meta(
        title=brief.title, subtitle=brief.subtitle, kind=kind, variant=variant.name,
        language=brief.language, rtl=labels.rtl, date=brief.date,
        classification=brief.classification, organisation=brief.organisation,
        authors=list(brief.authors),
        byline=f"{brief.organisation} · {date} · {', '.join(brief.authors)}",
        keywords=list(brief.keywords or [a.name for a in brief.actors]),
        letterhead=brand.letterhead or brand.name, page_of=labels.page_parts(), logo=logo)


def _check_name(value: str, what: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", value):
        raise ValueError(f"{what} {value!r}: lower-case letters, digits and dashes only")


def _slug(text: Any) -> str:
    words = text if isinstance(text, str) else "".join(
        n.text for n in as_inlines(text) if isinstance(n, Text))
    return re.sub(r"[^\w]+", "-", words.lower()).strip("-") or "part"

