"""`briefgen check`: the loader's errors plus rules an editor wants before a build.

Each rule has an id and a severity, and reports at the line of the value to change:

    content/x.yaml:12:5: warning: key_points[2]: is 74 words, budget is 60 [key-point-length]

Errors fail `check`; warnings fail it only with --strict. Rules that compare briefs (duplicate
slugs and titles) run over the whole set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from briefgen.charts import chart_warnings
from briefgen.config import Lint
from briefgen.errors import ContentError, Problem
from briefgen.load import read_brief, slug_of, strings_in
from briefgen.model import MARKER_LIKE, Brief, marker_ids
from briefgen.pagebudget import over_budget
from briefgen.project import Project, content_root, shown_path
from briefgen.theme import Theme
from briefgen.yamlsource import Parsed

Rule = Callable[[Brief, Parsed, Lint, dt.date], list[Problem]]
_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")


def check_all(project: Project, theme: Theme, files: list[Path], settings: Lint,
              today: dt.date | None = None, budget: int | None = None,
              hint: str = "") -> tuple[list[Problem], int]:
    """Every problem in the files, sorted by file and line, and the number of files. With a
    page budget for the summary, a summary that clearly cannot fit it is an error too
    (pagebudget.py); hint is the summary variant's over-budget hint."""
    today = today or dt.date.today()
    languages = theme.languages
    checked = []
    problems = []
    for path in files:
        shown = shown_path(path)
        brief, found = check_file(path, shown, settings, languages,
                                  content_root(path, project), today, budget, hint)
        checked.append((path, shown, brief))
        problems += found
    problems += across(checked)
    order = {shown: i for i, (_, shown, _) in enumerate(checked)}
    problems.sort(key=lambda p: (order.get(p.path, 0), p.line or 0, p.column or 0))
    return problems, len(files)


def check_file(path: Path, shown: str, settings: Lint, languages: frozenset[str],
               root: Path, today: dt.date,
               budget: int | None = None,
               hint: str = "") -> tuple[Brief | None, list[Problem]]:
    """The brief (None if it does not load) and every problem the rules find in it."""
    try:
        brief, parsed = read_brief(path, shown, languages, root)
    except ContentError as exc:
        return None, list(exc.problems)
    problems = [p for rule in RULES for p in rule(brief, parsed, settings, today)]
    problems += chart_warnings(brief, parsed, path.parent)
    if budget is not None:
        problems += summary_budget(brief, parsed, budget, hint)
    return brief, problems


def summary_budget(brief: Brief, parsed: Parsed, budget: int | None,
                   hint: str) -> list[Problem]:
    """A summary whose title, bottom line, key points and outlook alone cannot fit its page
    budget (a lower bound: pagebudget.py) fails at check, placed on key_points."""
    texts = [brief.title, brief.summary, *brief.key_points, *brief.outlook]
    found = over_budget(parsed.path, "summary", texts, budget, hint)
    if found is None:
        return []
    return [replace(parsed.problem(("key_points",), found.message), rule=found.rule)]


def across(briefs: list[tuple[Path, str, Brief | None]]) -> list[Problem]:
    """Rules over the whole set: two files with one slug would overwrite each other's output,
    and two briefs with one title confuse every reader of the index."""
    problems = []
    by_slug: dict[str, list[str]] = defaultdict(list)
    by_title: dict[str, list[str]] = defaultdict(list)
    for path, shown, brief in briefs:
        by_slug[slug_of(path)].append(shown)
        if brief is not None:
            by_title[brief.title.casefold()].append(shown)
    for slug, shown_list in by_slug.items():
        for shown in shown_list[1:]:
            problems.append(Problem(shown, None, None, "", f"slug '{slug}' is also "
                                    f"{shown_list[0]}: both would build into output/{slug}/",
                                    "rename one of the files", rule="duplicate-slug"))
    for shown_list in by_title.values():
        for shown in shown_list[1:]:
            problems.append(Problem(shown, None, None, "title",
                                    f"same title as {shown_list[0]}", "make the titles distinct",
                                    rule="duplicate-title"))
    return problems


def unused_sources(brief: Brief, parsed: Parsed, settings: Lint, today: dt.date) -> list[Problem]:
    """A source nobody cites is either a forgotten citation or clutter."""
    cited: set[str] = set()
    for loc, text in strings_in(brief.model_dump(mode="json", exclude={"sources"})):
        if loc[-1] == "source":  # figures and quotes name their source directly
            cited.add(text)
        for marker in MARKER_LIKE.findall(text):
            cited.update(marker_ids(marker) or [])
    return [_warn(parsed, ("sources", i, "id"), f"source '{s.id}' is never cited",
                  "cite it with [@" + s.id + "] or remove it", "unused-source")
            for i, s in enumerate(brief.sources) if s.id not in cited]


def word_budgets(brief: Brief, parsed: Parsed, settings: Lint, today: dt.date) -> list[Problem]:
    """The bottom line and key points are read in seconds; long ones are not read at all."""
    problems = []
    count = _words(brief.summary)
    if count > settings.summary_words:
        problems.append(_warn(parsed, ("summary",), f"is {count} words, budget is "
                              f"{settings.summary_words}", "cut it to the one thing to know",
                              "summary-length"))
    for i, point in enumerate(brief.key_points):
        count = _words(point)
        if count > settings.key_point_words:
            problems.append(_warn(parsed, ("key_points", i), f"is {count} words, budget is "
                                  f"{settings.key_point_words}", "one point, one sentence or two",
                                  "key-point-length"))
    return problems


def timeline_order(brief: Brief, parsed: Parsed, settings: Lint, today: dt.date) -> list[Problem]:
    """Readers take a timeline to run forward; an event out of order is usually a typo."""
    problems = []
    for i in range(1, len(brief.timeline)):
        before, here = brief.timeline[i - 1].date, brief.timeline[i].date
        if _sortable(here) < _sortable(before):
            problems.append(_warn(parsed, ("timeline", i, "date"),
                                  f"{here} comes before the previous event ({before})",
                                  "keep the timeline in date order", "timeline-order"))
    return problems


def future_dates(brief: Brief, parsed: Parsed, settings: Lint, today: dt.date) -> list[Problem]:
    """A date after today is almost always a wrong year."""
    dated = [(("date",), brief.date.isoformat())]
    dated += [(("timeline", i, "date"), e.date) for i, e in enumerate(brief.timeline)]
    dated += [(("sources", i, "date"), s.date) for i, s in enumerate(brief.sources) if s.date]
    return [_warn(parsed, loc, f"{value} is in the future", "check the year", "future-date")
            for loc, value in dated if _sortable(value) > _sortable(today.isoformat())]


def stale_review(brief: Brief, parsed: Parsed, settings: Lint, today: dt.date) -> list[Problem]:
    """A brief nobody has reviewed for months may no longer be true."""
    if brief.reviewed is None:
        return []
    age = (today - brief.reviewed).days
    if age <= settings.stale_after_days:
        return []
    return [_warn(parsed, ("reviewed",), f"last reviewed {age} days ago; the brief may be stale",
                  f"review it and update the date (limit: {settings.stale_after_days} days)",
                  "stale")]


RULES: tuple[Rule, ...] = (unused_sources, word_budgets, timeline_order, future_dates,
                           stale_review)


def _warn(parsed: Parsed, loc: tuple, message: str, hint: str, rule: str) -> Problem:
    return replace(parsed.problem(loc, message, hint), severity="warning", rule=rule)


def _words(markdown: str) -> int:
    return len(_WORD.findall(MARKER_LIKE.sub("", markdown)))


def _sortable(date: str) -> tuple[int, ...]:
    """2025 < 2025-03 < 2025-03-04 compare sensibly: a partial date sorts at its start."""
    parts = [int(p) for p in date.split("-")]
    return tuple(parts + [0] * (3 - len(parts)))
