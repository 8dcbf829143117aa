"""Every fixed word a brief prints, per language, and dates written the way its readers say them.

Label sets live in templates/labels/<language>.yaml, so adding a language is adding a file; a
brief in a language without one is refused when it is loaded (see load.py).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from pydantic import Field, field_validator

from briefgen.load import label_language, load_model
from briefgen.model import Strict
from briefgen.project import shown_path


class Labels(Strict):
    """The words of one language. Every key is required, so a new file cannot forget one."""

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
    page_of: str = Field(description="Footer page numbers, with {page} and {pages}.",
                         pattern=r"^[^{}]*\{page\}[^{}]*\{pages\}[^{}]*$")

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


def label_sets(templates_dir: Path) -> frozenset[str]:
    """The languages the templates can print: one per labels/<language>.yaml."""
    return frozenset(p.stem for p in (templates_dir / "labels").glob("*.yaml"))


@cache
def load_labels(templates_dir: Path, language: str) -> Labels:
    """The label set for a brief's language (exact tag first, then its language)."""
    chosen = label_language(language, label_sets(templates_dir))
    if chosen is None:
        raise ValueError(f"no labels for {language!r}")  # load_brief reports this to editors
    path = templates_dir / "labels" / f"{chosen}.yaml"
    return load_model(path, Labels, shown_path(path))[0]


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
