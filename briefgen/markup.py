"""The small Markdown dialect editors write in text fields, turned into escaped HTML.

Only what a brief needs: **bold**, *italic*, [links](https://...), citation markers [@id], and in
section bodies paragraphs and "- " bullets. Everything else is text, escaped. Citation numbers are
handed out in reading order by a Citations object, so each variant numbers only what it shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from markupsafe import Markup, escape

from briefgen.model import CITATION, Brief, Source

SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Linear time: no alternative may scan past the next opener of its own kind on a failed
# attempt, so every character is looked at a bounded number of times. The spaces before a
# citation are taken only from the start of a run of spaces (`(?<!\s)`), and link text stops
# at a '[' as well as a ']'.
_INLINE = re.compile(
    rf"(?P<cite>(?:(?<!\s)\s+)?{CITATION.pattern})"
    r"|(?P<link>\[(?P<ltext>[^\[\]]+)\]\((?P<href>(?:[^()\s]|\([^()\s]*\))+)\))"
    r"|(?P<esc>\\[\\*_\[\]])"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"
    r"|(?<![\w])_(?P<em2>[^_\s](?:[^_]*[^_\s])?)_(?![\w])",
    re.DOTALL,
)
# A body line of its own: ![alt text](images/map.png). The alt text is the caption, too.
IMAGE = re.compile(r"!\[(?P<alt>[^\[\]]*)\]\((?P<src>[^)\s]*)\)")
_BULLET = re.compile(r"^\s*[-*](\s+|$)")
_NUMBER = re.compile(r"^\s*\d{1,3}[.)](\s+|$)")


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


def parse_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Split a body into blocks: ("h3", [text]), ("p", [text]), ("ul" or "ol", [item, ...]).

    A list may follow a paragraph line directly, an item may wrap onto following lines, and
    lists of the same kind separated only by blank lines are one list, as in Markdown.
    """
    # Each text is kept as its list of lines and joined once at the end: appending to a growing
    # string would copy it for every line, quadratic in a paragraph of many short lines.
    found: list[tuple[str, list[list[str]]]] = []
    current: tuple[str, list[list[str]]] | None = None
    after_blank = False
    for line in text.strip().splitlines():
        stripped = line.strip()
        marker = _BULLET.match(line) or _NUMBER.match(line)
        if not stripped:
            if current and current[0] == "p":
                current = None
            after_blank = True
            continue
        continues = line[:1].isspace() or not after_blank
        after_blank = False
        if stripped.startswith("### "):
            found.append(("h3", [[stripped[4:].strip()]]))
            current = None
        elif IMAGE.fullmatch(stripped):
            found.append(("img", [[stripped]]))
            current = None
        elif marker:
            kind = "ul" if _BULLET.match(line) else "ol"
            if not (current and current[0] == kind):
                previous = found[-1] if found else None
                current = previous if previous and previous[0] == kind else (kind, [])
                if current is not previous:
                    found.append(current)
            current[1].append([line[marker.end():].strip()])
        elif current and current[0] in ("ul", "ol") and continues and current[1]:
            current[1][-1].append(stripped)
        elif current and current[0] == "p":
            current[1][0].append(stripped)
        else:
            current = ("p", [[stripped]])
            found.append(current)
    joined = [(kind, [" ".join(lines).strip() for lines in texts]) for kind, texts in found]
    return [(kind, [t for t in texts if t]) for kind, texts in joined if any(texts)]


def blocks(text: str, cite: Callable[[list[str]], Markup],
           image: Callable[[str], str] | None = None) -> Markup:
    """Render a multi-paragraph body: paragraphs, '- ' or '1. ' lists, '### ' subheadings and
    '![alt text](file.png)' images (image() turns the path into the data: URI to embed; the
    loader has already refused paths outside the content folder). A paragraph or item written
    right to left says so, for both renderers."""
    html: list[Markup] = []
    for kind, texts in parse_blocks(text):
        if kind == "img":
            match = IMAGE.fullmatch(texts[0])
            src = image(match["src"]) if image else ""
            html.append(Markup('<figure class="image"><img src="{}" alt="{}">'
                               '<figcaption>{}</figcaption></figure>').format(
                src, match["alt"], match["alt"]))
        elif kind in ("ul", "ol"):
            items = Markup("").join(Markup("<li{}>{}</li>").format(dir_attr(t), inline(t, cite))
                                    for t in texts)
            html.append(Markup(f"<{kind}>") + items + Markup(f"</{kind}>"))
        else:
            html.append(Markup(f"<{kind}{{}}>{{}}</{kind}>").format(dir_attr(texts[0]),
                                                                    inline(texts[0], cite)))
    return Markup("\n").join(html)


def direction(text: str) -> str:
    """"rtl" when the first letter is from a right-to-left script (Arabic, Hebrew...), as the
    Unicode bidi algorithm decides a paragraph's direction; else "ltr"."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def dir_attr(text: str) -> Markup:
    """ dir="rtl" for an element holding right-to-left text, nothing otherwise."""
    return Markup(' dir="rtl"') if direction(text) == "rtl" else Markup("")
