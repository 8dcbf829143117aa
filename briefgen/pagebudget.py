"""A cheap lower bound on a variant's pages, so a brief far over its page budget fails in
milliseconds instead of after minutes of layout (15,000 key points take minutes to lay out
and would fail the budget anyway).

The bound is deliberately generous to the brief: every block of text (a paragraph, a list
item, a table row) takes at least one line of at most CHARS_PER_LINE characters, and a page
holds at most LINES_PER_PAGE lines, more than an A4 page of the smallest type in the brand's
range. So the estimate never refuses a brief that would fit: only one clearly over.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from briefgen.document import Document, SourceList, Table, block_inlines, plain_text, walk
from briefgen.errors import Problem

CHARS_PER_LINE = 130  # A4 text width at 8 pt; the brand's body text sets about 90
LINES_PER_PAGE = 80  # A4 height at 8 pt with no margins; real pages hold about 50


def least_pages(blocks: Iterable[str]) -> int:
    """The fewest pages the blocks of text could take, whatever the layout."""
    lines = sum(max(1, math.ceil(len(text) / CHARS_PER_LINE)) for text in blocks)
    return max(1, math.ceil(lines / LINES_PER_PAGE))


def document_blocks(document: Document) -> list[str]:
    """The text of each block of a composed variant (paragraph, list item, table row,
    heading, quotation, source): what least_pages counts."""
    texts: list[str] = [document.meta.title]
    for block in walk(document.blocks):
        if isinstance(block, Table):
            texts += [" ".join(plain_text(p.text) for cell in row for p in cell.blocks)
                      for row in block.rows]
        elif isinstance(block, SourceList):
            texts += [plain_text(entry.text) for entry in block.entries]
        else:
            texts += [plain_text(inlines) for inlines in block_inlines(block)]
    return texts


def over_budget(shown: str, variant: str, blocks: Iterable[str], budget: int | None,
                hint: str) -> Problem | None:
    """The problem to report when the blocks cannot fit the budget, else None."""
    if budget is None:
        return None
    pages = least_pages(blocks)
    if pages <= budget:
        return None
    return Problem(shown, None, None, "", f"{variant} variant is at least {pages} pages, budget "
                   f"is {budget}; {hint}", rule="page-budget")
