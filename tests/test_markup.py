"""The Markdown dialect of text fields: what HTML a reader's text becomes, and nothing more."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from briefgen.compose import Builder
from briefgen.document import Document, Meta, Paragraph
from briefgen.markup import parse_inline
from briefgen.model import Brief
from briefgen.passes import number_citations
from briefgen.writers.html import HtmlWriter


class Citations:
    """A document that grows by one field at a time, numbered as the build numbers it: each
    render shows the field's HTML with the numbers the whole document gives it so far."""

    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        self.document = Document(Meta("T", None, "", "full", "en", False, dt.date(2025, 7, 4),
                                      "U", "O", ["A"], "", [], "", ("", "", "")), [])

    def add(self, blocks: list) -> str:
        self.document.blocks += blocks
        number_citations(self.document, self.brief, str)
        writer = HtmlWriter(self.document)
        return str(writer.blocks(blocks)) if len(blocks) != 1 or not isinstance(
            blocks[0], Paragraph) else str(writer.inlines(blocks[0].text))

    @property
    def cited(self) -> list:
        return [(e.number, e.source) for e in sorted(self.document.sources.values(),
                                                     key=lambda e: e.number)]


@pytest.fixture
def citations() -> Citations:
    brief = Brief.model_validate({
        "title": "T", "date": "2025-07-04", "classification": "U", "authors": ["A"],
        "organisation": "O", "summary": "S", "key_points": ["k"], "outlook": ["o"],
        "sources": [{"id": i, "title": f"Title {i}", "publisher": "P"} for i in ("a", "b", "c")],
    })
    return Citations(brief)


def render(text: str, citations: Citations) -> str:
    return citations.add([Paragraph(parse_inline(text))])


def blocks(body: str, citations: Citations) -> str:
    builder = Builder(citations.brief, None, Path("."))  # type: ignore[arg-type]
    builder.body(body)
    return citations.add(builder.blocks)


def numbers(html: str) -> list[str]:
    """The citation numbers in rendered HTML, in reading order."""
    return re.findall(r'<a class="cite" href="#source-(\d+)"', html)


def test_bold_italic_and_links(citations: Citations) -> None:
    html = render("**bold**, *italic*, _also_ and [a link](https://example.org/?a=1&b=2)",
                  citations)
    assert html == ('<strong>bold</strong>, <em>italic</em>, <em>also</em> and '
                    '<a href="https://example.org/?a=1&amp;b=2">a link</a>')


def test_nested_emphasis_and_mailto(citations: Citations) -> None:
    assert render("[**bold link**](https://x.org)", citations) == (
        '<a href="https://x.org"><strong>bold link</strong></a>')
    assert render("write to [us](mailto:a@b.org)", citations) == (
        'write to <a href="mailto:a@b.org">us</a>')


@pytest.mark.parametrize("href", ["javascript:alert", "JavaScript:alert", "data:text/html,x",
                                  "/relative/path", "vbscript:x"])
def test_unsafe_links_keep_their_words_but_not_the_target(citations: Citations,
                                                          href: str) -> None:
    html = render(f"see [the words]({href}) here", citations)
    assert html == "see the words here"
    assert "href" not in html


def test_html_is_escaped(citations: Citations) -> None:
    html = render('<script>alert("x")</script> & <b>', citations)
    assert "<script>" not in html and "<b>" not in html
    assert html == ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;")


def test_jinja_syntax_stays_literal(citations: Citations) -> None:
    assert render("{{ 7*7 }} and {% if x %}", citations) == "{{ 7*7 }} and {% if x %}"


def test_backslash_escapes(citations: Citations) -> None:
    assert render(r"\*not italic\* and \[@a\]", citations) == "*not italic* and [@a]"
    assert numbers(render(r"\[@a\]", citations)) == []


def test_lone_asterisks_are_text(citations: Citations) -> None:
    assert render("a * b * c and snake_case_name", citations) == "a * b * c and snake_case_name"


def test_citations_numbered_by_first_use_and_reused(citations: Citations) -> None:
    html = render("x [@b] y [@c] z [@b] w [@a]", citations)
    assert numbers(html) == ["1", "2", "1", "3"]
    # The space before a marker is dropped, so the number sits on the word.
    assert html.startswith('x<sup class="cite">')
    assert [(n, s.id) for n, s in citations.cited] == [(1, "b"), (2, "c"), (3, "a")]


def test_one_marker_many_sources(citations: Citations) -> None:
    html = render("claim [@a; @b]", citations)
    assert numbers(html) == ["1", "2"]
    assert html.count('<sup class="cite">') == 1
    assert '>1</a>,<a class="cite"' in html  # one superscript: 1,2


def test_numbering_carries_across_fields(citations: Citations) -> None:
    render("first [@c]", citations)
    assert numbers(str(blocks("- item [@a]\n- item [@c]", citations))) == ["2", "1"]


def test_blocks_paragraphs_and_bullets(citations: Citations) -> None:
    html = blocks("One line\ncontinued.\n\n- first *item*\n- second\n\nLast <i>.", citations)
    assert html.split("\n") == [
        "<p>One line continued.</p>",
        "<ul>", "  <li>first <em>item</em></li>", "  <li>second</li>", "</ul>",
        "<p>Last &lt;i&gt;.</p>",
    ]


def test_a_wrapped_item_stays_one_item(citations: Citations) -> None:
    html = blocks("- a dash\nthen text", citations)
    assert html == "<ul>\n  <li>a dash then text</li>\n</ul>"


def test_lists_after_a_paragraph_line_numbered_and_wrapped(citations: Citations) -> None:
    body = ("Three routes matter:\n- first\n- second\n\n- a long item the editor wrapped\n"
            "  onto a second line\n-\n\n1. numbered\n2) two\n\nAfter the list.")
    assert blocks(body, citations) == (
        "<p>Three routes matter:</p>\n"
        "<ul>\n  <li>first</li>\n  <li>second</li>\n  <li>a long item the editor wrapped onto a "
        "second line</li>\n</ul>\n<ol>\n  <li>numbered</li>\n  <li>two</li>\n</ol>\n"
        "<p>After the list.</p>"
    )
