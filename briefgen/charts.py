"""Chart data: inline in the brief or from a CSV file in the content folder, checked by position.

A chart's numbers come from `categories` and `series` in the YAML, or from `csv: file.csv` beside
the brief. Either way the loader checks them before anything is drawn: rows of the wrong length,
values that are not numbers, highlights naming nothing, charts without data, and section bodies
placing a chart the brief does not have. Problems in the YAML are reported at file:line:col,
problems in a CSV at file:row:col (col counts fields). A CSV is read with the standard library,
must stay inside the content folder (symlinks are followed before the check) and is bounded in
size, like images (assets.py).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from briefgen.errors import Problem
from briefgen.markup import parse_blocks
from briefgen.model import AUTO_ALT, Brief, Chart
from briefgen.yamlsource import Parsed

MAX_CSV_BYTES = 1_000_000
MAX_VALUES = 10_000  # far beyond a legible chart; stops a pasted data dump
# Categories a reader can still tell apart, by chart type; `briefgen check` warns above them.
LEGIBLE_CATEGORIES = {"column": 16, "stacked-column": 16, "bar": 25, "stacked-bar": 25,
                      "line": 60}


@dataclass(frozen=True)
class ChartData:
    """The numbers behind a chart, whichever way they were given."""

    categories: list[str]
    series: list[tuple[str, list[float]]]


class DataProblem(Exception):
    """One problem in a chart's data file, at its row and field."""

    def __init__(self, row: int | None, col: int | None, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.row, self.col, self.message, self.hint = row, col, message, hint


def chart_data(chart: Chart, base: Path, root: Path | None = None) -> ChartData:
    """The chart's categories and series. A CSV is read from base (the brief's folder) and must
    lie inside root (the content folder); raises DataProblem when the data is not usable."""
    if chart.csv is not None:
        return read_csv(_csv_path(chart.csv, base, root or base))
    categories = list(chart.categories or [])
    series = [(s.name, list(s.values)) for s in chart.series or []]
    return ChartData(categories, series)


def _csv_path(src: str, base: Path, root: Path) -> Path:
    if ":" in src.split("/")[0] or src.startswith(("/", "\\", "~")):
        raise DataProblem(None, None, f"csv {src!r} is not a file in the content folder",
                          "copy the file next to the brief and write its relative path")
    target = (base / src).resolve()
    if not target.is_relative_to(root.resolve()):
        raise DataProblem(None, None, f"csv {src!r} leads outside the content folder",
                          "copy the file into the content folder")
    if not target.is_file():
        raise DataProblem(None, None, f"csv {src!r} not found", f"looked for {target}")
    if target.stat().st_size > MAX_CSV_BYTES:
        raise DataProblem(None, None, f"csv {src!r} is larger than 1 MB",
                          "a chart shows a few dozen numbers: keep only those")
    return target


def read_csv(path: Path) -> ChartData:
    """A chart's data from CSV: a header row (category column, then one name per series), then
    one row per category. Blank lines are skipped; every other row must be as long as the header
    and hold a number in each series column."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataProblem(None, None, "is not UTF-8 text", "save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, [cell.strip() for cell in row]))
            if len(rows) * max(1, len(row)) > MAX_VALUES:
                raise DataProblem(reader.line_num, 1, f"more than {MAX_VALUES} values",
                                  "a chart shows a few dozen numbers: keep only those")
    except csv.Error as exc:
        raise DataProblem(reader.line_num, 1, f"is not valid CSV ({exc})") from None
    if not rows:
        raise DataProblem(1, 1, "has no rows", "write a header row, then one row per category")
    (_, header), body = rows[0], rows[1:]
    if len(header) < 2:
        raise DataProblem(rows[0][0], 1, "the header row names no series",
                          "write the category column's name, then one name per series")
    for col, name in enumerate(header[1:], 2):
        if not name:
            raise DataProblem(rows[0][0], col, "series without a name",
                              "name every column in the header row")
    if not body:
        raise DataProblem(rows[0][0], 1, "has no data rows", "add one row per category")
    values: list[list[float]] = [[] for _ in header[1:]]
    categories = []
    for line, row in body:
        if len(row) != len(header):
            raise DataProblem(line, min(len(row), len(header)) + 1,
                              f"row has {len(row)} field{'s' * (len(row) != 1)}, the header has "
                              f"{len(header)}",
                              "give every category one value per series")
        if not row[0]:
            raise DataProblem(line, 1, "row without a category", "name the category")
        categories.append(row[0])
        for col, cell in enumerate(row[1:], 2):
            number = _number(cell)
            if number is None:
                raise DataProblem(line, col, f"{cell!r} is not a number",
                                  "write digits with a decimal point, e.g. 1234.5, without "
                                  "units or thousands separators")
            values[col - 2].append(number)
    return ChartData(categories, list(zip(header[1:], values, strict=True)))


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def placed_ids(brief: Brief) -> dict[str, int]:
    """The charts section bodies place (```chart ID blocks), each with the index of the first
    section that places it."""
    placed: dict[str, int] = {}
    for index, section in enumerate(brief.sections):
        for kind, texts in parse_blocks(section.body):
            if kind == "chart":
                placed.setdefault(texts[0], index)
    return placed


def check_charts(brief: Brief, parsed: Parsed, root: Path, base: Path) -> list[Problem]:
    """Every problem with the brief's charts, each at its own position: duplicate ids, charts
    without data, ragged rows, bad CSV files, unknown highlights, and bodies placing a chart the
    brief does not have."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, chart in enumerate(brief.charts):
        loc = ("charts", i)
        if chart.id in seen:
            problems.append(_rule(parsed.problem((*loc, "id"), f"duplicate chart id '{chart.id}'",
                                                 "give each chart its own id"), "chart-data"))
        seen.add(chart.id)
        problems += _check_data(chart, parsed, loc, root, base)
    known = [c.id for c in brief.charts]
    for index, section in enumerate(brief.sections):
        for kind, texts in parse_blocks(section.body):
            if kind == "chart" and texts[0] not in known:
                close = difflib.get_close_matches(texts[0], known, n=1)
                problems.append(_rule(_at_text(parsed, ("sections", index, "body"),
                                               f"```chart {texts[0]}",
                                               f"places unknown chart '{texts[0]}'",
                                               f"did you mean '{close[0]}'?" if close else
                                               "add it to charts, with this id"), "unknown-chart"))
    return problems


def _check_data(chart: Chart, parsed: Parsed, loc: tuple, root: Path,
                base: Path) -> list[Problem]:
    if chart.csv is None and not chart.categories and not chart.series:
        return [_rule(parsed.problem(loc, "chart has no data", "add categories and series, or "
                                     "csv: a file in content/"), "chart-data")]
    if chart.csv is not None:
        shown = str(PurePosixPath(parsed.path).parent / chart.csv)
        try:
            data = chart_data(chart, base, root)
        except DataProblem as exc:
            if exc.row is None:
                return [_rule(parsed.problem((*loc, "csv"), exc.message, exc.hint), "chart-data")]
            return [Problem(shown, exc.row, exc.col, "", exc.message, exc.hint, rule="chart-data")]
    problems = []
    if chart.csv is None:
        if not chart.categories:
            problems.append(_rule(parsed.problem((*loc, "categories"), "chart has no categories",
                                                 "list one category per value"), "chart-data"))
        if not chart.series:
            problems.append(_rule(parsed.problem((*loc, "series"), "chart has no series",
                                                 "add a series with a name and its values"),
                                  "chart-data"))
        for j, series in enumerate(chart.series or []):
            if chart.categories and len(series.values) != len(chart.categories):
                problems.append(_rule(parsed.problem(
                    (*loc, "series", j, "values"),
                    f"has {len(series.values)} values for {len(chart.categories)} categories",
                    "give one value per category, in the order of categories"), "chart-data"))
        data = ChartData(list(chart.categories or []),
                         [(s.name, list(s.values)) for s in chart.series or []])
    names = [name for name, _ in data.series] + data.categories
    for k, wanted in enumerate(chart.highlight):
        if wanted not in names:
            close = difflib.get_close_matches(wanted, names, n=1)
            problems.append(_rule(parsed.problem(
                (*loc, "highlight", k), f"'{wanted}' is neither a series nor a category",
                f"did you mean '{close[0]}'?" if close else
                f"name one of: {', '.join(names[:8])}"), "chart-highlight"))
    return problems


def _rule(problem: Problem, rule: str) -> Problem:
    return replace(problem, rule=rule)


def _at_text(parsed: Parsed, loc: tuple, needle: str, message: str, hint: str) -> Problem:
    """A problem at the place in the file where needle stands inside the value at loc."""
    at = parsed.problem(loc, message, hint)
    node = parsed.values.get(loc)
    if node is not None:
        raw = parsed.text.find(needle, node.start_mark.index)
        if raw >= 0:
            line, col = parsed.position(raw)
            return replace(at, line=line, column=col)
    return at


def chart_warnings(brief: Brief, parsed: Parsed, base: Path) -> list[Problem]:
    """Lint: a generated alt text to replace, and more categories than the type shows legibly."""
    problems = []
    for i, chart in enumerate(brief.charts):
        if chart.alt == AUTO_ALT:
            problems.append(replace(parsed.problem(
                ("charts", i, "alt"), "alt text is generated from the data",
                "write your own: what the chart shows, and the numbers that matter"),
                severity="warning", rule="chart-alt"))
        try:
            data = chart_data(chart, base)
        except DataProblem:
            continue  # reported by the loader
        limit = LEGIBLE_CATEGORIES[chart.type]
        if len(data.categories) > limit:
            problems.append(replace(parsed.problem(
                ("charts", i, "csv" if chart.csv else "categories"),
                f"{len(data.categories)} categories; a {chart.type} chart shows about {limit} "
                f"legibly", "group or drop categories, or use a line chart"),
                severity="warning", rule="chart-categories"))
    return problems


def generated_alt(chart: Chart, data: ChartData, number: str = "{:g}") -> str:
    """What `alt: auto` stands for: the type, the series, and each series' range."""
    kind = chart.type.replace("-", " ")
    unit = f" {chart.units}" if chart.units else ""
    parts = [f"{kind.capitalize()} chart: {chart.title}."]
    if data.categories:
        parts.append(f"{len(data.categories)} categories, from {data.categories[0]} to "
                     f"{data.categories[-1]}.")
    for name, values in data.series:
        if values:
            low, high = min(values), max(values)
            at_low = data.categories[values.index(low)]
            at_high = data.categories[values.index(high)]
            parts.append(f"{name}: lowest {number.format(low)}{unit} ({at_low}), highest "
                         f"{number.format(high)}{unit} ({at_high}).")
    return " ".join(parts)
