"""The small Markdown dialect editors write in text fields, turned into escaped HTML.

Only what a brief needs: **bold**, *italic*, [links](https://...), citation markers [@id], and in
section bodies paragraphs and "- " bullets. Everything else is text, escaped. Citation numbers are
handed out in reading order by a Citations object, so each variant numbers only what it shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from briefgen.model import CITATION, Brief, Source

SAFE_SCHEMES = ("http://", "https://", "mailto:")
_INLINE = re.compile(
    rf"(?P<cite>\s*{CITATION.pattern})"
    r"|(?P<link>\[(?P<ltext>[^\]]+)\]\((?P<href>(?:[^()\s]|\([^()\s]*\))+)\))"
    r"|(?P<esc>\\[\\*_\[\]])"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"
    r"|(?<![\w])_(?P<em2>[^_\s](?:[^_]*[^_\s])?)_(?![\w])",
    re.DOTALL,
)
_BULLET = re.compile(r"^\s*[-*]\s+")


class Citations:
    """Numbers sources in the order a rendered variant first cites them."""

    def __init__(self, brief: Brief) -> None:
        self._brief = brief
        self._numbers: dict[str, int] = {}

    def number(self, source_id: str) -> int:
        """The note number of a source, assigned on first citation."""
        if source_id not in self._numbers:
            self._numbers[source_id] = len(self._numbers) + 1
        return self._numbers[source_id]

    def marker(self, ids: list[str]) -> Markup:
        """Superscript note numbers linking to the numbered source list."""
        links = [
            Markup('<a class="cite" href="#source-{n}" data-source="{id}">{n}</a>').format(
                n=self.number(i), id=i
            )
            for i in ids
        ]
        return Markup('<sup class="cite">') + Markup(",").join(links) + Markup("</sup>")

    @property
    def cited(self) -> list[tuple[int, Source]]:
        """(number, source) for every source cited so far, in number order."""
        pairs = [(self._numbers[s.id], s) for s in self._brief.sources if s.id in self._numbers]
        return sorted(pairs, key=lambda pair: pair[0])


def inline(text: str, cite: Callable[[list[str]], Markup]) -> Markup:
    """Render one paragraph's inline Markdown to safe HTML."""
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        pos = m.end()
        if m.group("cite"):
            out.append(cite([p.strip().lstrip("@") for p in m.group("ids").split(";")]))
        elif m.group("link"):
            label = inline(m.group("ltext"), cite)
            href = m.group("href")
            if href.lower().startswith(SAFE_SCHEMES):
                out.append(Markup('<a href="{}">{}</a>').format(href, label))
            else:
                out.append(label)  # unsafe or relative link: keep the words, drop the target
        elif m.group("esc"):
            out.append(escape(m.group("esc")[1]))
        elif m.group("bold"):
            out.append(Markup("<strong>{}</strong>").format(inline(m.group("bold"), cite)))
        else:
            body = m.group("em") or m.group("em2")
            out.append(Markup("<em>{}</em>").format(inline(body, cite)))
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def blocks(text: str, cite: Callable[[list[str]], Markup]) -> Markup:
    """Render a multi-paragraph body: blank lines separate paragraphs, '- ' lines make a list,
    and a paragraph starting with '### ' is a subheading."""
    html: list[Markup] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if lines and lines[0].lstrip().startswith("### "):
            heading = lines.pop(0).lstrip()[4:].strip()
            html.append(Markup("<h3>{}</h3>").format(inline(heading, cite)))
        if lines and all(_BULLET.match(line) for line in lines):
            items = [Markup("<li>{}</li>").format(inline(_BULLET.sub("", line), cite))
                     for line in lines]
            html.append(Markup("<ul>") + Markup("").join(items) + Markup("</ul>"))
        elif lines:
            joined = " ".join(line.strip() for line in lines)
            html.append(Markup("<p>{}</p>").format(inline(joined, cite)))
    return Markup("\n").join(html)
