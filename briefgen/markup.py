"""The small Markdown dialect editors write in text fields, parsed into document nodes.

Only what a brief needs: **bold**, *italic*, [links](https://...), citation markers [@id], and in
section bodies paragraphs, "- " and "1. " lists, "### " subheadings and image lines. Everything
else is text. Citations are nodes here; passes.py numbers them once the document is whole.
"""

from __future__ import annotations

import re
import unicodedata

from briefgen.document import Citation, Emphasis, Inline, Inlines, Link, Run, Strong, Text
from briefgen.model import CITATION

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
# A chart placed in a body: a fenced block whose info string is `chart ID`, closed by ```.
CHART_FENCE = re.compile(r"```\s*chart\s+(?P<id>[a-z0-9][a-z0-9._-]*)\s*")


def parse_inline(text: str) -> Inlines:
    """Parse one paragraph's inline Markdown into document nodes. Links keep only safe targets:
    an unsafe or relative link keeps its words and loses its target."""
    out: list[Inline] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        pos = m.end()
        if m.group("cite"):
            out.append(Citation(tuple(p.strip().lstrip("@") for p in m.group("ids").split(";"))))
        elif m.group("link"):
            label = parse_inline(m.group("ltext"))
            href = m.group("href")
            if href.lower().startswith(SAFE_SCHEMES):
                out.append(Link(href, label))
            else:
                out.extend(label)
        elif m.group("esc"):
            out.append(Text(m.group("esc")[1]))
        elif m.group("bold"):
            out.append(Strong(parse_inline(m.group("bold"))))
        else:
            out.append(Emphasis(parse_inline(m.group("em") or m.group("em2"))))
    if pos < len(text):
        out.append(Text(text[pos:]))
    return _merge_text(out)


def markdown(text: str) -> Run:
    """md(...) in templates: a Markdown field's inline content, joinable with +."""
    return Run(parse_inline(text))


def _merge_text(nodes: list[Inline]) -> Inlines:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return tuple(merged)


def parse_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Split a body into blocks: ("h3", [text]), ("p", [text]), ("ul" or "ol", [item, ...]),
    ("img", [line]) and ("chart", [id]) for a fenced block opened by ```chart ID (whatever
    stands before its closing ``` line is ignored).

    A list may follow a paragraph line directly, an item may wrap onto following lines, and
    lists of the same kind separated only by blank lines are one list, as in Markdown.
    """
    # Each text is kept as its list of lines and joined once at the end: appending to a growing
    # string would copy it for every line, quadratic in a paragraph of many short lines.
    found: list[tuple[str, list[list[str]]]] = []
    current: tuple[str, list[list[str]]] | None = None
    after_blank = False
    in_fence = False
    for line in text.strip().splitlines():
        stripped = line.strip()
        if in_fence:
            in_fence = stripped != "```"
            continue
        fence = CHART_FENCE.fullmatch(stripped)
        if fence:
            found.append(("chart", [[fence["id"]]]))
            current, in_fence, after_blank = None, True, False
            continue
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
