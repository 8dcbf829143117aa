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

from briefgen.errors import Problem

CHARS_PER_LINE = 130  # A4 text width at 8 pt; the brand's body text sets about 90
LINES_PER_PAGE = 80  # A4 height at 8 pt with no margins; real pages hold about 50
BUDGET_HINTS = {"summary": "shorten key_points or summary",
                "full": "shorten sections or raise page_budget.full in briefgen.yaml"}
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "tr", "figcaption", "blockquote", "dt", "dd")


def least_pages(blocks: Iterable[str]) -> int:
    """The fewest pages the blocks of text could take, whatever the layout."""
    lines = sum(max(1, math.ceil(len(text) / CHARS_PER_LINE)) for text in blocks)
    return max(1, math.ceil(lines / LINES_PER_PAGE))


def html_blocks(html: str) -> list[str]:
    """The text of each innermost block of a variant's HTML: what least_pages counts."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    return [element.text_content() for element in root.iter(*_BLOCKS)
            if next(element.iterdescendants(*_BLOCKS), None) is None]


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
