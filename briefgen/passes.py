"""Passes over a composed document: the work that needs the whole of it.

Citation numbers and the contents list depend on everything a variant shows, so they are worked
out here, after composing, whatever order the parts were composed in: a source list placed
before the outlook still lists the sources the outlook cites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from briefgen.document import (
    Block,
    Citation,
    Contents,
    ContentsEntry,
    Document,
    Heading,
    Inlines,
    Link,
    Part,
    SourceEntry,
    SourceList,
    Text,
    block_inlines,
    inline_nodes,
    walk,
)
from briefgen.model import Brief, Source


def number_citations(document: Document, brief: Brief,
                     long_date: Callable[[dt.date | str], str]) -> None:
    """Number the sources in the order the document first cites them, in reading order, and
    fill every source list with them. A part holding nothing but its heading and an empty
    source list (nothing cited) is dropped."""
    numbers: dict[str, int] = {}
    for block in walk(document.blocks):
        for inlines in block_inlines(block):
            for node in inline_nodes(inlines):
                if isinstance(node, Citation):
                    for source_id in node.ids:
                        numbers.setdefault(source_id, len(numbers) + 1)
    by_id = {s.id: s for s in brief.sources}
    document.sources = {
        source_id: SourceEntry(number, by_id[source_id], source_text(by_id[source_id], long_date))
        for source_id, number in numbers.items() if source_id in by_id}
    entries = sorted(document.sources.values(), key=lambda e: e.number)
    for block in walk(document.blocks):
        if isinstance(block, SourceList):
            block.entries = list(entries)
    if not entries:
        document.blocks = _without_empty_source_parts(document.blocks)


def source_text(source: Source, long_date: Callable[[dt.date | str], str]) -> Inlines:
    """A source as the reader sees it: publisher, "title", date. address."""
    text = f"{source.publisher}, “{source.title}”"
    if source.date:
        text += f", {long_date(source.date)}"
    text += "."
    if source.url:
        return (Text(text + " "), Link(source.url, (Text(source.url),)))
    return (Text(text),)


def _without_empty_source_parts(blocks: list[Block]) -> list[Block]:
    kept: list[Block] = []
    for block in blocks:
        if isinstance(block, SourceList):
            continue
        if isinstance(block, Part):
            had_list = any(isinstance(b, SourceList) for b in block.blocks)
            block.blocks = _without_empty_source_parts(block.blocks)
            if had_list and all(isinstance(b, Heading) for b in block.blocks):
                continue
        kept.append(block)
    return kept


def fill_contents(document: Document) -> None:
    """List every level-1 heading of the document in its contents list, if it has one."""
    entries = [ContentsEntry(b.id, b.text) for b in walk(document.blocks)
               if isinstance(b, Heading) and b.level == 1]
    for block in walk(document.blocks):
        if isinstance(block, Contents):
            block.entries = entries
