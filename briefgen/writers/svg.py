"""A chart as SVG, written by hand: a small writer whose output depends only on the chart.

Every word stays text (in the brand's heading font), so the PDF keeps it searchable and
selectable with the font embedded, and a browser zooms it sharp. Layout is arithmetic on the
chart's numbers with fixed rounding, so the same data always gives the same bytes. The look is
a think tank's: a headline, the unit under it, light horizontal gridlines, no frame, the series
in the brand's primary colour and its tints, and what the editor highlights in the accent colour,
its value printed beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from babel.numbers import format_decimal
from markupsafe import Markup

from briefgen.brand import Brand
from briefgen.document import Chart

WIDTH = 640
TITLE_SIZE = 15
TEXT_SIZE = 11
CHAR = 0.56  # average advance of a character, in ems, for estimating label widths
PAD = 4


def number_format(locale: str) -> Callable[[float], str]:
    """Numbers as the brief's readers write them (1,234.5 in English, 1 234,5 in Russian)."""
    return lambda value: format_decimal(value, format="#,##0.##", locale=locale)


def palette(brand: Brand, count: int) -> list[str]:
    """Series colours: the primary colour, its tints and the muted grey, in that order. Word's
    chart and the SVG take the same list, so a series keeps its colour in every format."""
    primary, muted = brand.colours.primary, brand.colours.muted
    base = [primary, mix(primary, "#FFFFFF", 0.45), muted, mix(muted, "#FFFFFF", 0.5),
            mix(primary, "#FFFFFF", 0.75)]
    return [base[i % len(base)] for i in range(count)]


def mix(colour: str, other: str, share: float) -> str:
    """colour moved share of the way towards other (#RRGGBB both)."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02X}" for x, y in zip(a, b, strict=True))


def colours(chart: Chart, brand: Brand) -> list[list[str]]:
    """The fill of every point, series by series: the palette, the accent where highlighted."""
    accent = brand.colours.accent
    base = palette(brand, len(chart.series))
    return [[accent if series.highlight or i in chart.points else base[s]
             for i in range(len(chart.categories))]
            for s, series in enumerate(chart.series)]


def nice_scale(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """An axis from a round number to a round number, in round steps, including zero."""
    low, high = min(0.0, low), max(0.0, high)
    if high - low == 0:
        high = low + 1
    raw = (high - low) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    return (round(math.floor(low / step + 1e-9) * step, 10),
            round(math.ceil(high / step - 1e-9) * step, 10), step)


def extent(chart: Chart) -> tuple[float, float]:
    """The lowest and highest value the value axis must reach (sums when stacked)."""
    if chart.stacked:
        ups = [sum(max(0.0, s.values[i]) for s in chart.series)
               for i in range(len(chart.categories))]
        downs = [sum(min(0.0, s.values[i]) for s in chart.series)
                 for i in range(len(chart.categories))]
        return min(downs, default=0.0), max(ups, default=0.0)
    values = [v for s in chart.series for v in s.values]
    return min(values, default=0.0), max(values, default=0.0)


def _n(value: float) -> str:
    """A coordinate, rounded so that the bytes never depend on floating-point noise."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _width(text: str, size: float) -> float:
    return len(text) * size * CHAR


def _wrap(text: str, room: float, size: float, lines: int = 3) -> list[str]:
    """Words of a label broken into lines that fit room, at most lines of them."""
    out: list[str] = []
    for word in text.split():
        if out and _width(f"{out[-1]} {word}", size) <= room:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[:lines - 1], " ".join(out[lines - 1:])]
    return out or [""]


class _Canvas:
    """Collects SVG elements; every text and attribute escaped."""

    def __init__(self, font: str, text_colour: str) -> None:
        self.items: list[str] = []
        self.font = font
        self.text_colour = text_colour

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.items.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" '
                          f'height="{_n(max(h, 0))}" fill="{fill}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str,
             width: float = 1) -> None:
        self.items.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                          f'stroke="{stroke}" stroke-width="{_n(width)}"/>')

    def text(self, x: float, y: float, words: str, size: float = TEXT_SIZE,
             anchor: str = "start", colour: str | None = None, bold: bool = False) -> None:
        weight = ' font-weight="bold"' if bold else ""
        self.items.append(Markup(
            '<text x="{}" y="{}" font-family="{}" font-size="{}" fill="{}" '
            'text-anchor="{}"{}>{}</text>').format(
            _n(x), _n(y), self.font, _n(size), colour or self.text_colour, anchor,
            Markup(weight), words))


def chart_svg(chart: Chart, brand: Brand, number: Callable[[float], str]) -> Markup:
    """The chart as an inline <svg> element: role="img", named by its title and alt text
    (<title>, which the PDF's structure tree takes as the Figure's Alt), described by <desc>."""
    font = f"{brand.fonts.heading}, sans-serif"
    ink, muted, rule = brand.colours.text, brand.colours.muted, brand.colours.rule
    canvas = _Canvas(font, ink)
    fills = colours(chart, brand)
    y = 18.0
    for line in _wrap(chart.title, WIDTH - 2 * PAD, TITLE_SIZE, 2):
        canvas.text(0, y, line, TITLE_SIZE, colour=brand.colours.primary, bold=True)
        y += TITLE_SIZE * 1.3
    y += 2
    if chart.value_axis or chart.units:
        canvas.text(0, y, chart.value_axis or chart.units, TEXT_SIZE, colour=muted)
        y += TEXT_SIZE * 1.6
    if len(chart.series) > 1:
        y = _legend(canvas, chart, brand, y)
    top = y + 4
    low, high = extent(chart)
    scale = nice_scale(low, high)
    if chart.horizontal:
        height = _bars(canvas, chart, fills, scale, top, number, rule, muted,
                       brand.colours.accent)
    else:
        height = _columns(canvas, chart, fills, scale, top, number, rule, muted, brand)
    label = f"{chart.title}. {chart.alt}"
    ident = f"chart-{chart.id}"
    summary = (f"{chart.kind.replace('-', ' ').capitalize()} chart, "
               f"{len(chart.series)} series over {len(chart.categories)} categories"
               f"{'; values in ' + chart.units if chart.units else ''}. "
               f"The data table follows the chart.")
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-graphic" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-label="{label}" '
        'aria-describedby="{ident}-desc">\n<title>{label}</title>\n'
        '<desc id="{ident}-desc">{summary}</desc>\n').format(
        w=WIDTH, h=_n(math.ceil(height)), label=label, ident=ident, summary=summary)
    return head + Markup("\n".join(str(i) for i in canvas.items)) + Markup("\n</svg>")


def _legend(canvas: _Canvas, chart: Chart, brand: Brand, y: float) -> float:
    base = palette(brand, len(chart.series))
    x = 0.0
    for s, series in enumerate(chart.series):
        room = 14 + _width(series.name, TEXT_SIZE) + 16
        if x and x + room > WIDTH:
            x, y = 0.0, y + TEXT_SIZE * 1.6
        colour = brand.colours.accent if series.highlight else base[s]
        canvas.rect(x, y - 9, 10, 10, colour)
        canvas.text(x + 14, y, series.name)
        x += room
    return y + TEXT_SIZE * 1.2


def _columns(canvas: _Canvas, chart: Chart, fills: list[list[str]],
             scale: tuple[float, float, float], top: float, number: Callable[[float], str],
             rule: str, muted: str, brand: Brand) -> float:
    """Column and line charts: categories along the bottom, values up the left."""
    low, high, step = scale
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    left = max(_width(number(t), TEXT_SIZE) for t in ticks) + 8
    plot_w = WIDTH - left - PAD
    plot_h = 230.0
    count = max(1, len(chart.categories))
    band = plot_w / count
    # Every category labelled if the labels fit (wrapped at spaces onto up to three lines),
    # else every second, third... one.
    need = max((max(max(_width(w, TEXT_SIZE) for w in c.split() or [""]),
                    _width(c, TEXT_SIZE) / 3) + 6 for c in chart.categories), default=0)
    every = max(1, math.ceil(need * count / plot_w))
    labels = [_wrap(c, band * every - 4, TEXT_SIZE) for c in chart.categories]
    depth = max((len(lines) for lines in labels), default=1)

    def at(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    for tick in ticks:
        canvas.line(left, at(tick), WIDTH - PAD, at(tick), rule, 0.6)
        canvas.text(left - 6, at(tick) + 4, number(tick), anchor="end", colour=muted)
    if chart.kind == "line":
        _lines(canvas, chart, fills, at, left, band, number, brand)
    else:
        inner = band * (0.62 if chart.stacked or len(chart.series) == 1 else 0.8)
        width = inner if chart.stacked else inner / len(chart.series)
        for i in range(len(chart.categories)):
            up = down = 0.0
            for s, series in enumerate(chart.series):
                value = series.values[i]
                x = left + band * i + (band - inner) / 2 + (0 if chart.stacked else s * width)
                start, end, up, down = _span(chart, value, up, down)
                canvas.rect(x, min(at(start), at(end)), width - (0 if chart.stacked else 1),
                            abs(at(end) - at(start)), fills[s][i])
                if fills[s][i] == brand.colours.accent and not chart.stacked and (
                        i in chart.points or len(chart.series) == 1):
                    canvas.text(x + width / 2, at(end) - 4 if value >= 0 else at(end) + 12,
                                number(value), anchor="middle", colour=brand.colours.accent,
                                bold=True)
    canvas.line(left, at(0), WIDTH - PAD, at(0), brand.colours.text, 1)
    bottom = top + plot_h
    for i, lines in enumerate(labels):
        if i % every:
            continue
        for k, line in enumerate(lines):
            canvas.text(left + band * (i + 0.5), bottom + 15 + k * TEXT_SIZE * 1.2, line,
                        anchor="middle", colour=muted)
    bottom += 15 + depth * TEXT_SIZE * 1.2
    if chart.category_axis:
        canvas.text(left + plot_w / 2, bottom + 8, chart.category_axis, anchor="middle",
                    colour=muted)
        bottom += 8 + TEXT_SIZE
    return bottom + PAD


def _span(chart: Chart, value: float, up: float,
          down: float) -> tuple[float, float, float, float]:
    """Where a bar starts and ends; stacked bars go on from the stack's top (or bottom, for a
    negative value), which is returned moved."""
    if not chart.stacked:
        return 0.0, value, up, down
    if value >= 0:
        return up, up + value, up + value, down
    return down, down + value, up, down + value


def _lines(canvas: _Canvas, chart: Chart, fills: list[list[str]], at: Callable[[float], float],
           left: float, band: float, number: Callable[[float], str], brand: Brand) -> None:
    base = palette(brand, len(chart.series))
    for s, series in enumerate(chart.series):
        colour = brand.colours.accent if series.highlight else base[s]
        points = " ".join(f"{_n(left + band * (i + 0.5))},{_n(at(v))}"
                          for i, v in enumerate(series.values))
        canvas.items.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                            f'stroke-width="2.25" stroke-linejoin="round"/>')
        for i, value in enumerate(series.values):
            if i in chart.points:
                x, y = left + band * (i + 0.5), at(value)
                canvas.items.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" '
                                    f'fill="{brand.colours.accent}"/>')
                canvas.text(x, y - 8, number(value), anchor="middle",
                            colour=brand.colours.accent, bold=True)


def _bars(canvas: _Canvas, chart: Chart, fills: list[list[str]],
          scale: tuple[float, float, float], top: float, number: Callable[[float], str],
          rule: str, muted: str, accent: str) -> float:
    """Bar charts: categories down the left, values along the bottom."""
    low, high, step = scale
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    longest = max((_width(c, TEXT_SIZE) for c in chart.categories), default=0)
    left = min(longest, WIDTH * 0.35) + 10
    labels = [_wrap(c, left - 10, TEXT_SIZE) for c in chart.categories]
    right = WIDTH - PAD - _width(number(high), TEXT_SIZE) / 2
    per = 1 if chart.stacked else len(chart.series)
    if chart.category_axis:
        canvas.text(left - 8, top + 8, chart.category_axis, anchor="end", colour=muted)
        top += 16
    row = max(22.0, 14.0 * per + 10, max((len(lines) for lines in labels), default=1) * 14 + 6)

    def at(value: float) -> float:
        return left + (right - left) * (value - low) / (high - low)

    plot_h = row * len(chart.categories)
    for tick in ticks:
        canvas.line(at(tick), top, at(tick), top + plot_h, rule, 0.6)
        canvas.text(at(tick), top + plot_h + 15, number(tick), anchor="middle", colour=muted)
    thickness = (row - 10) / per
    for i, lines in enumerate(labels):
        y0 = top + row * i + 5
        up = down = 0.0
        for s, series in enumerate(chart.series):
            value = series.values[i]
            start, end, up, down = _span(chart, value, up, down)
            y = y0 if chart.stacked else y0 + s * thickness
            canvas.rect(min(at(start), at(end)), y, abs(at(end) - at(start)),
                        thickness - (0 if chart.stacked else 1), fills[s][i])
            if fills[s][i] == accent and not chart.stacked:
                # A highlighted bar's value: past its end, or inside it (in white) when
                # negative, where the category labels would be in the way.
                inside = value < 0
                canvas.text(at(end) + 4, y + thickness / 2 + 3.5, number(value),
                            colour="#FFFFFF" if inside else accent, bold=True)
        middle = top + row * i + row / 2 - (len(lines) - 1) * 7 + 4
        for k, line in enumerate(lines):
            canvas.text(left - 8, middle + k * 14, line, anchor="end")
    canvas.line(at(0), top, at(0), top + plot_h, canvas.text_colour, 1)
    return top + plot_h + 15 + TEXT_SIZE + PAD
