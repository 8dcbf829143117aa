"""The content model of a brief: the one definition behind validation, JSON Schema and docs.

Every text field an editor writes is a plain string; fields described as Markdown accept inline
**bold**, *italic*, [links](https://example.org) and citation markers such as ``[@un-2023]``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# A citation marker: [@id] or [@id; @other]. MARKER_LIKE finds anything an editor meant as one,
# so a malformed marker is reported instead of printed as literal text. Neither
# scans past the next '[' on a failed attempt, so finding them takes linear time.
CITATION = re.compile(r"\[@(?P<ids>[a-z0-9][a-z0-9._-]*(?:\s*;\s*@[a-z0-9][a-z0-9._-]*)*)\]")
MARKER_LIKE = re.compile(r"\[@[^\[\]]*\]")  # stops at the next '[': linear on '[@[@[@...'



def _check_partial_date(value: str) -> str:
    if not PARTIAL_DATE.match(value):
        raise ValueError("must be a date written YYYY, YYYY-MM or YYYY-MM-DD")
    if len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a real date, YYYY-MM-DD expected") from None
    return value


def marker_ids(marker: str) -> list[str] | None:
    """The source ids of one citation marker, or None when it is not well formed."""
    match = CITATION.fullmatch(marker)
    if match is None:
        return None
    return [part.strip().lstrip("@") for part in match.group("ids").split(";")]


# Bounds on what a page can lay out in reasonable time: a word the line breaker cannot break
# costs time growing with the square of its length (10,000 characters: a minute), so words,
# and fields, are limited where they are read, at their line.
MAX_WORD = 500  # characters between two break opportunities: a long URL; 2,000 take 2 s
MAX_TEXT = 2_000  # a title, a name, a label: one line or a few
MAX_MARKDOWN = 50_000  # a field of paragraphs: a long section body is 15,000
# Where a line may break: spaces, hyphens and slashes, and scripts written without spaces
# (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar), which break between letters.
_BREAK = (r"\s\-\u00ad\u2010-\u2015/\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff"
          r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f")
_LONG_WORD = re.compile(rf"(?<![^{_BREAK}])[^{_BREAK}]{{{MAX_WORD + 1},}}")  # from a run's start
_LINK_TARGET = re.compile(r"\]\([^\s()]*\)")  # a link's address is not printed


def _layable(value: str) -> str:
    """Refuse a word too long to lay out: linear, and only where a value has one."""
    match = _LONG_WORD.search(_LINK_TARGET.sub("]", value) if "](" in value else value)
    if match:
        raise PydanticCustomError("long_word", "has an unbroken word of {length} characters",
                                  {"length": len(match.group()), "limit": MAX_WORD})
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
                 AfterValidator(_layable)]
Markdown = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MARKDOWN),
    AfterValidator(_layable),
    Field(json_schema_extra={"contentMediaType": "text/markdown"}),
]
PartialDate = Annotated[
    str,
    AfterValidator(_check_partial_date),
    Field(examples=["2025", "2025-07", "2025-07-03"]),
]
LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    # Tags are case-insensitive; write them the conventional way (en-GB, zh-Hant-TW).
    AfterValidator(lambda tag: "-".join(
        p.lower() if i == 0 else p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p
        for i, p in enumerate(tag.split("-"))
    )),
]
SourceId = Annotated[
    str,
    StringConstraints(pattern=SOURCE_ID.pattern),
    Field(description="Lower-case id of an entry in `sources`, e.g. `unodc-2023`."),
]


class Strict(BaseModel):
    """Base for every part of a brief: unknown keys are errors, so typos never vanish silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(Strict):
    """A titled part of the full analysis."""

    heading: Text = Field(description="Section heading.")
    body: Markdown = Field(
        description="Paragraphs split by a blank line; `- ` starts a bullet, `1. ` (or `1) `) an "
        "item of a numbered list, numbered from 1 in order whatever numbers are typed, `### ` a "
        "subheading, and a line `![Map of the region](images/map.png)` shows a PNG or JPEG from "
        "the content folder, its alt text as the caption."
    )


class TimelineEvent(Strict):
    """One dated event; the full analysis shows them as a table."""

    date: PartialDate = Field(description="When it happened: YYYY, YYYY-MM or YYYY-MM-DD.")
    event: Markdown = Field(description="What happened, in one sentence.")


class Actor(Strict):
    """A government, body or person whose position matters."""

    name: Text = Field(description="Name of the actor.")
    role: Text = Field(description="Their part in the story, in a few words.")
    stance: Markdown = Field(description="Their position, as a short phrase.")


class Figure(Strict):
    """A headline number shown as a stat card."""

    value: Text = Field(description='The number with its unit, e.g. "95%" or "$540m".')
    label: Text = Field(description="What the number measures.")
    source: SourceId


class Quote(Strict):
    """A short attributed quotation."""

    text: Text = Field(description="The quoted words, without quotation marks.")
    speaker: Text = Field(description="Who said it.")
    role: Text = Field(description="The speaker's office or function.")
    source: SourceId
    language: LanguageTag | None = Field(
        None, description="Language of the quoted words when not the brief's, e.g. `ps` or "
        "`zh`: screen readers and hyphenation follow it.")


ChartType = Literal["column", "bar", "line", "stacked-column", "stacked-bar"]
Number = Annotated[float, Field(allow_inf_nan=False)]
# What `alt: auto` stands for: a summary generated from the data, which lint asks to replace.
AUTO_ALT = "auto"


class Series(Strict):
    """One series of a chart: its name (the legend) and one value per category."""

    name: Text = Field(description="Name of the series, shown in the legend.")
    values: list[Number] = Field(description="One number per category, in order.")


class Chart(Strict):
    """A chart drawn from data: SVG in the PDF and the web page, a native chart in Word."""

    id: Annotated[str, StringConstraints(pattern=SOURCE_ID.pattern)] = Field(
        description="This chart's own id, unique in the brief. A section body places the chart "
        "with a fenced block whose info string is `chart ID`; charts placed nowhere are shown "
        "after the headline figures of the full analysis.")
    type: ChartType = Field("column", description="column, bar, line, stacked-column or "
                            "stacked-bar.")
    title: Text = Field(description="What the chart shows, as a headline.")
    units: Text | None = Field(None, description='Unit of the values, e.g. "%" or "km³".')
    category_axis: Text | None = Field(
        None, description="Title of the category axis (horizontal for column and line charts).")
    value_axis: Text | None = Field(None, description="Title of the value axis.")
    caption: Markdown | None = Field(None, description="A sentence under the chart.")
    source: SourceId
    alt: Text = Field(
        description="What the chart shows, for readers who cannot see it: the trend and the "
        "numbers that matter. `auto` stands in a summary generated from the data, which "
        "`briefgen check` flags (write your own).")
    highlight: list[Text] = Field(
        default_factory=list, description="Series names or categories drawn in the brand's "
        "accent colour (a category highlights its points).")
    categories: list[Text] | None = Field(
        None, description="The categories (x axis of a column or line chart), in order.")
    series: list[Series] | None = Field(None, description="The data: one or more series.")
    csv: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = Field(
        None, description="Instead of `categories` and `series`: a CSV file in the content "
        "folder, relative to the brief. Its first row names the category column and each "
        "series; each further row is a category and its numbers.")

    @model_validator(mode="after")
    def _one_source_of_data(self) -> Chart:
        if self.csv is not None and (self.categories is not None or self.series is not None):
            raise ValueError("give the data either inline (categories and series) or as csv, "
                             "not both")
        return self


class Source(Strict):
    """A document the brief cites; numbered in order of first citation."""

    id: Annotated[str, StringConstraints(pattern=SOURCE_ID.pattern)] = Field(
        description="This source's own id, unique in the brief: what citations (`[@id]`) and the "
        "`source` of figures and quotes name. Lower-case letters, digits, `.`, `_` and `-`, "
        "starting with a letter or digit, e.g. `unodc-2023`.")
    title: Text = Field(description="Title of the document or statement.")
    publisher: Text = Field(description="Who published it.")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$",
                                          max_length=1000)] | None = Field(
        default=None, description="Web address (http or https)."
    )
    date: PartialDate | None = Field(default=None, description="Publication date.")


class Brief(Strict):
    """A policy brief: the single source for its summary and full-analysis variants."""

    title: Text = Field(description="Headline of the brief.")
    subtitle: Text | None = Field(default=None, description="One-line deck under the title.")
    date: dt.date = Field(description="Publication date, YYYY-MM-DD.")
    reviewed: dt.date | None = Field(
        None, description="When the substance was last checked, YYYY-MM-DD; `briefgen check` "
        "warns when it is older than `lint.stale_after_days` in briefgen.yaml.")
    language: LanguageTag = (
        Field(default="en", description="BCP 47 language tag of the text, e.g. `en` or `ru`.")
    )
    classification: Text = Field(
        description='Marking printed on every page, e.g. "UNCLASSIFIED // FOR PUBLIC RELEASE".'
    )
    authors: list[Text] = Field(min_length=1, description="Author names, in byline order.")
    organisation: Text = Field(description="The publishing organisation.")
    keywords: list[Text] = Field(
        default_factory=list, description="Optional keywords for document properties and search."
    )
    summary: Markdown = Field(description="The bottom line up front: a short paragraph.")
    key_points: list[Markdown] = Field(min_length=1, description="The points a reader must take.")
    sections: list[Section] = Field(default_factory=list, description="The full analysis.")
    timeline: list[TimelineEvent] = Field(default_factory=list, description="Dated events.")
    actors: list[Actor] = Field(default_factory=list, description="Who matters, and their stance.")
    figures: list[Figure] = Field(default_factory=list, description="Headline numbers.")
    quotes: list[Quote] = Field(default_factory=list, description="Attributed quotations.")
    charts: list[Chart] = Field(default_factory=list, description="Charts drawn from data.")
    outlook: list[Markdown] = Field(min_length=1, description="What to watch next.")
    recommendations: list[Markdown] = Field(
        default_factory=list, description="Optional policy recommendations."
    )
    sources: list[Source] = Field(default_factory=list, description="Every document cited.")

    def source(self, source_id: str) -> Source | None:
        """Look a source up by id; templates use it to number citations."""
        return next((s for s in self.sources if s.id == source_id), None)
