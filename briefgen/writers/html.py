"""HTML: the typed document as one self-contained web page (CSS inline, images embedded).

The PDF is WeasyPrint's layout of this page; `--format html` and the preview serve it as it is.
The page around the brief comes from the theme's page.html.j2; the brief itself is written here,
node by node, every text escaped. Paragraph roles become CSS classes through document.ROLES.
"""

from __future__ import annotations

import base64

from markupsafe import Markup, escape

from briefgen.document import (
    ROLES,
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
    plain_text,
)
from briefgen.markup import direction
from briefgen.templating import template_errors
from briefgen.theme import Theme
from briefgen.writers import Options, Written
from briefgen.writers.svg import chart_svg, number_format

PAGE = "page.html.j2"


def write(document: Document, theme: Theme, options: Options) -> Written:
    """The page's bytes (UTF-8)."""
    return Written(page(document, theme).encode())


def page(document: Document, theme: Theme) -> str:
    """The whole page as text, for the PDF writer and the preview."""
    body = HtmlWriter(document, theme).blocks(document.blocks)
    with template_errors(theme.folders, "meta, body, css, dir, data_uri and revision"):
        return theme.environment.get_template(PAGE).render(
            meta=document.meta, body=body, css=theme.stylesheet, dir=_dir, data_uri=data_uri,
            labels=theme.labels(document.meta.language), revision=document.revision)


def data_uri(image: Image) -> str:
    """An image embedded in the page, so it is self-contained and no renderer reads files."""
    return f"data:{image.mime};base64,{base64.b64encode(image.data).decode()}"


def _dir(text: str | Inlines) -> Markup:
    """ dir="rtl" for an element holding right-to-left text, nothing otherwise."""
    words = text if isinstance(text, str) else plain_text(text)
    return Markup(' dir="rtl"') if direction(words) == "rtl" else Markup("")


def _role_class(role: str) -> Markup:
    css = ROLES[role][1]
    return Markup(' class="{}"').format(css) if css else Markup("")


class HtmlWriter:
    """Writes blocks and inlines as HTML; one method per node type."""

    def __init__(self, document: Document, theme: Theme | None = None,
                 prefix: str = "") -> None:
        self.document = document
        self.theme = theme  # the brand's fonts and colours, for charts
        self.prefix = prefix  # before every id: several briefs share one page in a pack

    def blocks(self, blocks: list[Block]) -> Markup:
        return Markup("\n").join(self.block(b) for b in blocks)

    def block(self, block: Block) -> Markup:
        method = getattr(self, f"_{type(block).__name__.lower()}")
        return method(block)

    def _part(self, part: Part) -> Markup:
        return (Markup('<section class="{}">\n').format(part.role) + self.blocks(part.blocks)
                + Markup("\n</section>\n"))

    def _heading(self, heading: Heading) -> Markup:
        tag = f"h{heading.level + 1}"
        ident = Markup(' id="{}{}"').format(self.prefix, heading.id) \
            if heading.level == 1 else Markup("")
        return Markup(f"<{tag}{{}}{{}}>{{}}</{tag}>").format(ident, _dir(heading.text),
                                                            self.inlines(heading.text))

    def _paragraph(self, paragraph: Paragraph) -> Markup:
        return Markup("<p{}{}>{}</p>").format(_role_class(paragraph.role), _dir(paragraph.text),
                                              self.inlines(paragraph.text))

    def _itemlist(self, block: ItemList) -> Markup:
        tag = "ol" if block.ordered else "ul"
        css = Markup(' class="{}"').format(block.role) if block.role else Markup("")
        items = Markup("\n").join(Markup("  <li{}>{}</li>").format(_dir(i), self.inlines(i))
                                  for i in block.items)
        return Markup(f"<{tag}{{}}>\n{{}}\n</{tag}>").format(css, items)

    def _table(self, table: Table) -> Markup:
        if table.kind == "cards":
            return self._cards(table)
        out = [Markup('<table class="data {}">').format(table.role)]
        if table.widths:
            out.append(Markup("<colgroup>") + Markup("").join(
                Markup('<col style="width: {}%">').format(_number(w)) for w in table.widths)
                + Markup("</colgroup>"))
        body_rows = table.rows
        if table.rows and all(c.header for c in table.rows[0]):
            cells = Markup("").join(Markup('<th scope="col">{}</th>').format(self.cell(c))
                                    for c in table.rows[0])
            out.append(Markup("<thead><tr>{}</tr></thead>").format(cells))
            body_rows = table.rows[1:]
            out.append(Markup("<tbody>"))
        for row in body_rows:
            cells = Markup("").join(self._td(c) for c in row)
            out.append(Markup("<tr>{}</tr>").format(cells))
        if body_rows is not table.rows:
            out.append(Markup("</tbody>"))
        out.append(Markup("</table>"))
        return Markup("\n").join(out)

    def _cards(self, table: Table) -> Markup:
        """Headline figures are a list of figures, not a table: nothing in them is a column a
        reader could ask about. The grid keeps each card its share of the width."""
        cards = [cell for row in table.rows for cell in row]
        per_row = round(len(table.rows[0]) * 100 / table.width) if cards else 1
        items = Markup("\n").join(
            Markup("  <li>{}</li>").format(Markup("").join(self._paragraph(p)
                                                           for p in cell.blocks))
            for cell in cards)
        return Markup('<ul class="{}" style="grid-template-columns: repeat({}, minmax(0, 1fr))">'
                      '\n{}\n</ul>').format(table.role, per_row, items)

    def _td(self, cell) -> Markup:
        tag = Markup('th scope="row"') if cell.header else Markup("td")
        end = Markup("th") if cell.header else Markup("td")
        if len(cell.blocks) == 1 and cell.blocks[0].role in ("table-key", "table-text"):
            paragraph = cell.blocks[0]
            return Markup("<{}{}{}>{}</{}>").format(tag, _role_class(paragraph.role),
                                                    _dir(paragraph.text),
                                                    self.inlines(paragraph.text), end)
        return Markup("<{}>{}</{}>").format(tag, Markup("").join(self._paragraph(p)
                                                                 for p in cell.blocks), end)

    def cell(self, cell) -> Markup:
        return Markup(" ").join(self.inlines(p.text) for p in cell.blocks)

    def _image(self, image: Image) -> Markup:
        return Markup('<figure class="image"><img src="{}" alt="{}">'
                      '<figcaption>{}</figcaption></figure>').format(
            data_uri(image), image.alt, self.inlines(image.caption))

    def _chart(self, chart: Chart) -> Markup:
        """The chart as inline SVG, then its data as a table that assistive technology reads
        and the eye does not see (visually hidden, on screen and on paper), then the caption
        with the cited source."""
        if self.theme is None:
            raise ValueError("a chart needs the theme (brand colours and fonts) to be drawn")
        number = number_format(self.theme.labels(self.document.meta.language).locale)
        svg = chart_svg(chart, self.theme.brand, number)
        head = Markup("").join(Markup('<th scope="col">{}</th>').format(s.name)
                               for s in chart.series)
        rows = Markup("\n").join(
            Markup('<tr><th scope="row">{}</th>{}</tr>').format(category, Markup("").join(
                Markup("<td>{}</td>").format(number(s.values[i])) for s in chart.series))
            for i, category in enumerate(chart.categories))
        unit = f" ({chart.units})" if chart.units else ""
        table = Markup(
            '<div class="visually-hidden"><table class="chart-data">\n<caption>{}{}</caption>\n'
            '<thead><tr><th scope="col">{}</th>{}</tr></thead>\n<tbody>\n{}\n</tbody>\n'
            '</table></div>').format(chart.title, unit, chart.category_axis, head, rows)
        caption = Markup('<figcaption class="caption">{}</figcaption>').format(
            self.inlines(chart.caption)) if chart.caption else Markup("")
        return Markup('<figure class="chart" id="chart-{}">\n{}\n{}\n</figure>\n{}').format(
            chart.id, svg, caption, table)

    def _quote(self, quote: Quote) -> Markup:
        lang = Markup(' lang="{}"').format(quote.lang) if quote.lang else Markup("")
        return Markup('<blockquote{}{}>\n  <p class="quote-text"{}>{}</p>\n'
                      '  <p class="attribution"{}>{}</p>\n</blockquote>').format(
            lang, _dir(quote.text), _dir(quote.text), self.inlines(quote.text),
            _dir(quote.attribution), self.inlines(quote.attribution))

    def _contents(self, contents: Contents) -> Markup:
        items = Markup("\n").join(
            Markup('    <li><a href="#{}{}">{}</a></li>').format(self.prefix, e.id,
                                                                  self.inlines(e.text))
            for e in contents.entries)
        return Markup('<nav class="contents">\n  <p class="contents-heading">{}</p>\n  <ol>\n'
                      '{}\n  </ol>\n</nav>\n').format(contents.heading, items)

    def _sourcelist(self, sources: SourceList) -> Markup:
        items = Markup("\n").join(
            Markup('  <li id="{p}source-{n}" value="{n}">{}</li>').format(
                self.inlines(e.text), n=e.number, p=self.prefix)
            for e in sources.entries)
        return Markup('<ol class="sources">\n{}\n</ol>').format(items)

    def inlines(self, inlines: Inlines) -> Markup:
        out: list[Markup] = []
        for node in inlines:
            if isinstance(node, Text):
                out.append(escape(node.text))
            elif isinstance(node, Strong):
                out.append(Markup("<strong>{}</strong>").format(self.inlines(node.children)))
            elif isinstance(node, Emphasis):
                out.append(Markup("<em>{}</em>").format(self.inlines(node.children)))
            elif isinstance(node, Link):
                out.append(Markup('<a href="{}">{}</a>').format(node.href,
                                                                self.inlines(node.children)))
            elif isinstance(node, Citation):
                out.append(self.citation(node))
            elif isinstance(node, LineBreak):
                out.append(Markup("<br>"))
            elif isinstance(node, Inserted):
                out.append(Markup("<ins>{}</ins>").format(self.inlines(node.children)))
            elif isinstance(node, Deleted):
                out.append(Markup("<del>{}</del>").format(self.inlines(node.children)))
        return Markup("").join(out)

    def citation(self, citation: Citation) -> Markup:
        entries = [self.document.sources[i] for i in citation.ids if i in self.document.sources]
        links = [Markup('<a class="cite" href="#{p}source-{n}" data-source="{id}">{n}</a>')
                 .format(n=e.number, id=e.source.id, p=self.prefix) for e in entries]
        return Markup('<sup class="cite">') + Markup(",").join(links) + Markup("</sup>")


def _number(value: float) -> str:
    return f"{value:g}"
