"""Every fixed word a brief prints, per language, and dates written the way its readers say them.

Label sets live in templates/labels/<language>.yaml, so adding a language is adding a file; a
brief in a language without one is refused when it is loaded (see load.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from briefgen.errors import ContentError, Problem
from briefgen.load import explain
from briefgen.model import Strict
from briefgen.project import shown_path
from briefgen.yamlsource import Parsed, parse_yaml, read_text


class Labels(Strict):
    """The words of one language. Every key below is required, so a new file cannot forget one;
    further keys (a new variant's name, a part's fixed wording) are allowed, as text."""

    model_config = ConfigDict(extra="allow", frozen=True)

    locale: str = Field(description="Babel locale for dates and text direction, e.g. en_GB.")
    policy_brief: str
    summary: str
    full: str
    contents: str
    bottom_line: str
    key_points: str
    in_numbers: str
    in_their_words: str
    timeline: str
    actors: str
    outlook: str
    recommendations: str
    sources: str
    date: str
    event: str
    actor: str
    role: str
    stance: str
    charts: str = Field("Charts", description="Heading of the charts no section places.")
    chart_source: str = Field("Source", description="Before the source under each chart.")
    page_of: str = Field(description="Footer page numbers, with {page} and {pages}.",
                         pattern=r"^[^{}]*\{page\}[^{}]*\{pages\}[^{}]*$")
    changes_since: str = Field("What changed since {date}", pattern=r"^[^{}]*\{date\}[^{}]*$",
                               description="The heading of a redline's box, with {date}.")
    changed_fields: str = Field("Changed: {fields}.", pattern=r"^[^{}]*\{fields\}[^{}]*$",
                                description="The parts a redline's box lists, with {fields}.")
    briefing_pack: str = Field("Briefing pack", description="A briefing pack's cover.")
    week: str = Field("Week {week}", pattern=r"^[^{}]*\{week\}[^{}]*$",
                      description="A briefing pack's week, with {week}.")

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError  # Babel loads only when labels do

        try:
            Locale.parse(value)
        except (ValueError, UnknownLocaleError):
            raise ValueError(f"unknown locale {value!r}; use one such as en_GB or ru") from None
        return value

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left (Arabic script, Hebrew)."""
        from babel import Locale

        return Locale.parse(self.locale).character_order == "right-to-left"

    def page_parts(self) -> tuple[str, str, str]:
        """The footer's words around the two numbers: "Page {page} of {pages}" ->
        ("Page ", " of ", ""), for CSS counters and Word fields alike."""
        before, rest = self.page_of.split("{page}", 1)
        middle, after = rest.split("{pages}", 1)
        return before, middle, after


    @model_validator(mode="after")
    def _extra_are_text(self) -> Labels:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str):
                raise ValueError(f"{key}: must be text")
        return self


def load_label_set(paths: list[Path]) -> Labels:
    """One language's labels from its files in the theme's folders, bundled first: a project's
    file only needs the keys it changes or adds. Problems are placed in the file that gave the
    key."""
    merged: dict = {}
    owner: dict[str, Parsed] = {}
    last = None
    for path in paths:
        parsed = parse_yaml(read_text(path, shown_path(path)), shown_path(path))
        if not isinstance(parsed.data, dict):
            raise ContentError([Problem(parsed.path, 1, 1, "", "must be a mapping of labels")])
        merged.update(parsed.data)
        owner.update(dict.fromkeys(parsed.data, parsed))
        last = parsed
    try:
        return Labels.model_validate(merged)
    except ValidationError as exc:
        problems = [explain(owner.get(str(e["loc"][0]) if e["loc"] else "", last), e, Labels)
                    for e in exc.errors()]
        raise ContentError(problems) from None


def long_date(value: dt.date | str, locale: str) -> str:
    """4 July 2025, July 2025 or 2025 in English, and each locale's own forms elsewhere
    (Russian puts the month in the genitive). Timeline dates may be partial (YYYY or YYYY-MM),
    and are written only as precisely as they are known."""
    from babel.dates import format_date, format_skeleton

    text = value.isoformat() if isinstance(value, dt.date) else value
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return format_date(dt.date(*parts), "long", locale=locale)
    if len(parts) == 2:
        return format_skeleton("yMMMM", dt.date(parts[0], parts[1], 1), locale=locale)
    return str(parts[0])
