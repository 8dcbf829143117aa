"""Property-based tests: briefs generated at random (schema-shaped, with any Unicode text: right
to left, CJK, emoji, control characters, surrogates, Markdown-ish and template-ish punctuation),
written as YAML and run through the loader and both renderers in-process. Each either gives
problems of one line each, or a PDF that pypdf opens and a DOCX that python-docx opens and whose
XML parts all parse. Never an exception of another kind."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import yaml
from conftest import REPO
from docx import Document
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from briefgen.compose import compose
from briefgen.errors import ContentError
from briefgen.load import load_brief
from briefgen.theme import Theme
from briefgen.writers import Options, writer

TEMPLATES = REPO / "templates"
THEME = Theme([TEMPLATES])
SOURCE_IDS = ["src-a", "src-b"]

# Pieces that mean something to Markdown, YAML, Jinja, HTML, XML or the bidi algorithm.
FRAGMENTS = [
    "**", "*", "_", "[", "]", "(", ")", "](", "[@src-a]", "[@src-b; @src-a]",
    "[link](https://example.org/a_(b))", "[x](javascript:alert(1))", "https://example.org/",
    "{{", "}}", "{%", "%}", "{#", "<", ">", "&", "&amp;", "<script>", "]]>", "\\", "`", "|",
    "#", "### ", "- ", "1. ", "\n", "\n\n", "\t", "  ", ": ", " #", "---", "...", "'", '"',
    "مرحبا بالعالم", "د افغانستان", "שלום", "中文字符", "日本語", "한국어", "😀", "👍🏽",
    "👨\u200d👩\u200d👧", "e\u0301", "\u200f", "\u202e", "\u200b", "\u00ad", "\ufeff",
    "W" * 120, "NO", "yes", "1.0", "~", "null",
]
# Pieces that no document can hold, or that are not what an editor meant: refused, by line.
FORBIDDEN = ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\ud800", "\udfff",
             "\uffff", "[@nope]", "[@", "- "]

letters = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
clean = st.tuples(
    st.from_regex(r"[A-Za-z][A-Za-z .,-]{0,10}", fullmatch=True),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(letters, max_size=8)), max_size=6),
).map(lambda parts: parts[0] + "".join(parts[1]))
dirty = st.lists(st.one_of(st.sampled_from(FRAGMENTS + FORBIDDEN), st.text(max_size=8)),
                 max_size=6).map("".join)
words = st.from_regex(r"[A-Za-z][A-Za-z .,-]{0,29}", fullmatch=True)
good_dates = st.dates(dt.date(1980, 1, 1), dt.date(2107, 12, 31)).map(lambda d: d.isoformat())
odd_dates = st.sampled_from(["2025", "2025-07", "04/07/2025", "2025-02-30", "July 2025", ""])
once_in = lambda n: st.sampled_from([True] + [False] * (n - 1))  # noqa: E731


@st.composite
def briefs(draw) -> dict:
    """A brief: valid in most examples; in one of four, some of its values are dirty."""
    dirty_brief = draw(once_in(4))
    text = st.one_of(clean, dirty) if dirty_brief else clean
    dates = st.one_of(good_dates, odd_dates, text) if dirty_brief else good_dates
    cited = st.tuples(text, st.sampled_from(["", " [@src-a]", " [@src-b]"])).map("".join)

    def some(items, least: int = 0, most: int = 3):
        return draw(st.lists(items, min_size=least, max_size=most))

    data = {
        "title": draw(text),
        "subtitle": draw(st.one_of(st.none(), text)),
        "date": draw(dates),
        "language": draw(st.sampled_from(["en", "ru", "en-GB"] + ["xx"] * dirty_brief)),
        "classification": draw(st.one_of(words, text)),
        "authors": some(st.one_of(words, text), 1, 2),
        "organisation": draw(st.one_of(words, text)),
        "summary": draw(cited),
        "key_points": some(cited, 1, 4),
        "outlook": some(cited, 1, 2),
        "sections": some(st.fixed_dictionaries(
            {"heading": st.one_of(words, text),
             "body": st.lists(cited, min_size=1, max_size=4).map("\n\n".join)})),
        "timeline": some(st.fixed_dictionaries({"date": dates, "event": cited})),
        "actors": some(st.fixed_dictionaries({"name": words, "role": text, "stance": cited})),
        "figures": some(st.fixed_dictionaries(
            {"value": text, "label": words, "source": st.sampled_from(SOURCE_IDS)})),
        "quotes": some(st.fixed_dictionaries(
            {"text": text, "speaker": words, "role": text,
             "source": st.sampled_from(SOURCE_IDS)})),
        "recommendations": some(cited),
        "sources": [{"id": source_id, "title": draw(text), "publisher": draw(words),
                     "url": draw(st.sampled_from(["https://example.org/x", None]))}
                    for source_id in SOURCE_IDS],
    }
    if dirty_brief and draw(once_in(3)):  # a required key missing, or a value of a wrong shape
        del data[draw(st.sampled_from(["title", "date", "summary", "key_points"]))]
    if dirty_brief and draw(once_in(3)):
        data[draw(st.sampled_from(["key_points", "authors", "sections"]))] = draw(text)
    return {k: v for k, v in data.items() if v is not None and v != []}


def check_one_line_problems(error: ContentError, shown: str) -> None:
    assert error.problems
    for problem in error.problems:
        line = str(problem)
        assert "\n" not in line and "\r" not in line, line
        assert line.startswith(shown), line
        line.encode("utf-8")  # printable on any terminal: no surrogates


def check_pdf(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    for page in reader.pages:
        page.extract_text()


def check_docx(data: bytes) -> None:
    Document(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(data=briefs(), variant=st.sampled_from(["summary", "full"]))
def test_any_brief_builds_or_fails_in_one_line_per_problem(data: dict, variant: str) -> None:
    document = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=70)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.yaml"
        path.write_bytes(document.encode("utf-8"))
        try:
            brief = load_brief(path, "gen.yaml", THEME.languages)
        except ContentError as error:
            check_one_line_problems(error, "gen.yaml")
            event("refused")
            return
        event("rendered")
        document = compose(brief, THEME.variants[variant], THEME, Path(tmp))
        options = Options(allowed=(Path(tmp),))
        pdf = writer("pdf")(document, THEME, options)
        assert pdf.pages and pdf.pages >= 1
        check_pdf(pdf.data)
        check_docx(writer("docx")(document, THEME, options).data)


@settings(max_examples=200, deadline=None, database=None)
@given(raw=st.binary(max_size=400) | dirty.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_load_or_fail_in_one_line_per_problem(raw: bytes) -> None:
    """Not even YAML: whatever bytes a file holds, loading it gives a brief or one-line
    problems (loading only: fast enough for many examples)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raw.yaml"
        path.write_bytes(raw)
        try:
            load_brief(path, "raw.yaml", THEME.languages)
        except ContentError as error:
            check_one_line_problems(error, "raw.yaml")
