"""Stage 1: load a content file and validate it into a Brief, or report every problem by line.

Reading YAML lives in yamlsource.py; this module turns the model's verdicts into sentences an
editor can act on, and checks what the model alone cannot: that citations name real sources.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from briefgen.assets import check_images
from briefgen.charts import check_charts
from briefgen.errors import ContentError, Problem
from briefgen.model import MARKER_LIKE, Brief, marker_ids
from briefgen.yamlsource import Loc, Parsed, parse_yaml, read_text, slug_of

__all__ = ["label_language", "load_brief", "load_model", "read_brief", "slug_of"]
M = TypeVar("M", bound=BaseModel)


def load_brief(path: Path, display: str | None = None,
               languages: Collection[str] | None = None, root: Path | None = None) -> Brief:
    """Read, parse and validate one content file; raise ContentError listing every problem.

    languages, when given, are those the templates have labels for; a brief in another
    language is refused here, at its `language:` line, rather than half-translated later.
    """
    return read_brief(path, display, languages, root)[0]


def read_brief(path: Path, display: str | None = None, languages: Collection[str] | None = None,
               root: Path | None = None) -> tuple[Brief, Parsed]:
    """load_brief, also returning the parsed file, for checks that report by line (lint)."""
    source_problems = check_source(path, display or str(path), root or path.parent)
    if source_problems:
        raise ContentError(source_problems)
    brief, parsed = load_model(path, Brief, display)
    problems = check_references(brief, parsed)
    problems += check_images(brief, parsed, root or path.parent, path.parent)
    problems += check_charts(brief, parsed, root or path.parent, path.parent)
    if languages is not None and label_language(brief.language, languages) is None:
        problems.append(replace(parsed.problem(
            ("language",), f"no labels for {brief.language!r}",
            f"briefgen has labels for {', '.join(sorted(languages))}; "
            f"add templates/labels/{brief.language.split('-')[0]}.yaml to print in it"),
            rule="language"))
    if problems:
        raise ContentError(problems)
    return brief, parsed


def check_source(path: Path, shown: str, root: Path) -> list[Problem]:
    """Refuse, before reading it, a content file that is a link leading out of its content
    folder (root: its text would be built, published and quoted in error lines), and one whose
    name does not make a plain folder name for its outputs (`...yaml` would build into
    `output/../`)."""
    try:
        outside = not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        outside = True
    if outside:
        return [Problem(shown, None, None, "", f"is a link leading outside {root.name or root}/",
                        "copy the file into the content folder instead of linking it")]
    why = unsafe_slug(slug_of(path))
    if why:
        return [Problem(shown, None, None, "", f"file name {slug_of(path)!r} {why}, so it cannot "
                        "name its output folder", "rename the file with letters, digits and "
                        "dashes, e.g. water-security.yaml")]
    return []


_SLUG_UNSAFE = re.compile(r"[/\\:]")


def unsafe_slug(slug: str) -> str:
    """Why a slug cannot be an output folder's name, or "" when it can: any name in any script,
    but not empty, not hidden or an option (leading '.' or '-': '..' among them), with no
    path separator, drive or scheme colon, and no invisible character."""
    if not slug:
        return "is empty"
    if slug.startswith((".", "-")):
        return f"starts with {slug[0]!r}"
    if _SLUG_UNSAFE.search(slug):
        return "holds '/', '\\' or ':'"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in slug):
        return "holds an invisible or control character"
    return ""


def label_language(tag: str, languages: Collection[str]) -> str | None:
    """The label set for a language tag: exact (pt-BR), else its language (ru-RU -> ru)."""
    for candidate in (tag, tag.split("-")[0]):
        if candidate in languages:
            return candidate
    return None


def load_model(path: Path, model: type[M], display: str | None = None) -> tuple[M, Parsed]:
    """Read and validate any YAML file against a model (briefs, the brand, the project config),
    reporting problems at the line and column of the value to fix."""
    shown = display or str(path)
    parsed = parse_yaml(read_text(path, shown), shown, _empty_hint(model))
    if not isinstance(parsed.data, dict):
        keys = [f"{name}:" for name, f in model.model_fields.items() if f.is_required()][:2]
        such_as = f" such as {' and '.join(keys)}" if keys else ""
        raise ContentError([Problem(shown, 1, 1, "", f"the top level must be a mapping of keys"
                                    f"{such_as} (got {_kind(parsed.data)})")])
    try:
        return model.model_validate(_given(parsed.data, model)), parsed
    except ValidationError as exc:
        problems = [explain(parsed, err, model) for err in _merge_misspellings(exc.errors())]
        raise ContentError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0))) from None


def _empty_hint(model: type[BaseModel]) -> str | None:
    """What an empty file of this kind needs; None for a brief, whose hint yamlsource gives.
    A file of settings that are all optional (briefgen.yaml) is told so, not a brief's needs."""
    if model is Brief:
        return None
    required = [name for name, f in model.model_fields.items() if f.is_required()]
    if required:
        return f"it needs at least {', '.join(required)}"
    return (f"every setting is optional: write one ({', '.join(model.model_fields)}), "
            "or delete the file to use the defaults")


def _given(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """An empty value means "not given" (`sections:` with nothing after it): drop it where the
    key is optional, so it takes its default (an empty list) instead of being refused."""
    return {key: value for key, value in data.items() if value is not None
            or key not in model.model_fields or model.model_fields[key].is_required()
            or model.model_fields[key].default is None}


def _merge_misspellings(errors: list[Any]) -> list[Any]:
    """Drop "x is required" when an unknown key beside it is a misspelling of x: the
    unknown-key line already says "did you mean 'x'?", and one line per mistake is enough."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    meant = set()
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            candidates = [m[-1] for m in missing if m[:-1] == loc[:-1]]
            close = difflib.get_close_matches(str(loc[-1]), [str(c) for c in candidates], n=1)
            if close:
                meant.add((*loc[:-1], close[0]))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in meant)]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"text {value!r}" if len(str(value)) <= 30 else "text"


_MESSAGES = {
    "missing": "is required",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "string_too_short": "must not be empty",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
}


def explain(parsed: Parsed, err: dict[str, Any], model: type[BaseModel]) -> Problem:
    """Translate one pydantic error into the sentence an editor needs."""
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
        return parsed.problem(loc, "unknown key", hint, at_key=True)
    if kind == "missing":
        return parsed.problem(loc, "is required", at_key=True)
    if kind == "long_word":
        return parsed.problem(loc, f"has an unbroken word of {err['ctx']['length']} characters, "
                              f"over the limit of {err['ctx']['limit']}", "add spaces or hyphens; "
                              "put a long address in a [link](https://...)")
    if kind == "string_too_long":
        length = len(err["input"]) if isinstance(err["input"], str) else 0
        return parsed.problem(loc, f"is {length} characters, over the limit of "
                              f"{err['ctx']['max_length']}", "shorten it: a page could not "
                              "hold it")
    if kind == "too_short":
        least = err.get("ctx", {}).get("min_length", 1)
        return parsed.problem(loc, f"must have at least {least} item{'s' * (least != 1)}")
    if kind.startswith("date"):
        return _date_problem(parsed, loc, err["input"], "YYYY-MM-DD")
    if err.get("ctx", {}).get("error") and "YYYY" in err["msg"]:
        return _date_problem(parsed, loc, err["input"], "YYYY, YYYY-MM or YYYY-MM-DD")
    if kind == "string_type" and err["input"] is None and isinstance(loc[-1], int):
        return parsed.problem(loc, "is an empty item", "write its text or delete the line")
    if err["input"] is None and isinstance(loc[-1], int) and kind in _MESSAGES:
        return parsed.problem(loc, "is an empty item", "write its keys below the dash, or "
                                                       "delete the line")
    if err["input"] is None and kind in ("string_type", "list_type"):
        return parsed.problem(loc, "is empty", "write its text after the colon" if kind ==
                              "string_type" else "write one '- item' per line below the key")
    if kind == "list_type":
        return parsed.problem(loc, f"must be a list (got {_kind(err['input'])})",
                              "write one '- item' per line below the key, or [first, second]")
    if kind == "string_pattern_mismatch":
        return parsed.problem(loc, f"is not in the expected form (got {_kind(err['input'])})",
                              _pattern_hint(loc, err.get("ctx", {}).get("pattern", "")))
    if kind == "literal_error":
        return parsed.problem(loc, f"must be one of {err['ctx']['expected']} "
                                   f"(got {_kind(err['input'])})")
    if kind in _MESSAGES:
        return parsed.problem(loc, f"{_MESSAGES[kind]} (got {_kind(err['input'])})")
    message = err["msg"].removeprefix("Value error, ")
    return parsed.problem(loc, message)


def _date_problem(parsed: Parsed, loc: Loc, value: Any, form: str) -> Problem:
    """Tell an impossible date (2025-02-30) from one written another way (4 July 2025)."""
    text = str(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return parsed.problem(loc, f"{text} is not a real date")
    return parsed.problem(loc, f"must be a date written {form} (got {_kind(value)})",
                          _date_hint(text, partial="YYYY-MM " in form)
                          if isinstance(value, str) else "")


def _date_hint(text: str, partial: bool = False) -> str:
    """Suggest the ISO form of a date written another way, or name both readings if unsure."""
    text = text.strip()
    year_first = re.fullmatch(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})", text)
    if year_first and _real(*(int(g) for g in year_first.groups())):
        return f"write {dt.date(*(int(g) for g in year_first.groups())).isoformat()}"
    if re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}", text):
        return "write the year in full, as YYYY-MM-DD: a two-digit year is ambiguous"
    if partial:
        month = re.fullmatch(r"(\d{1,2})[./-](\d{4})", text)
        if month and 1 <= int(month[1]) <= 12:
            return f"write {month[2]}-{int(month[1]):02d}"
        for form in ("%B %Y", "%b %Y"):
            try:
                return f"write {dt.datetime.strptime(text, form).strftime('%Y-%m')}"
            except ValueError:
                continue
    else:
        for form in ("%B %Y", "%b %Y", "%Y-%m"):
            try:
                return f"give the day too: {dt.datetime.strptime(text, form):%Y-%m}-DD"
            except ValueError:
                continue
    numeric = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text)
    if numeric:
        a, b, year = (int(g) for g in numeric.groups())
        readings = {dt.date(year, m, d).isoformat() for d, m in ((a, b), (b, a))
                    if 1 <= m <= 12 and 1 <= d <= 31 and _real(year, m, d)}
        if len(readings) == 1:
            return f"write {readings.pop()}"
        if readings:
            return "day and month are ambiguous: write " + " or ".join(sorted(readings))
    for form in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%B %d %Y", "%b %d, %Y"):
        try:
            return f"write {dt.datetime.strptime(text, form).date().isoformat()}"
        except ValueError:
            continue
    return ""


def _real(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _pattern_hint(loc: Loc, pattern: str) -> str:
    if pattern.startswith("^#"):
        return "write a colour as #RRGGBB, e.g. #16365C"
    if pattern.startswith("^\\w[\\w .+-]"):
        return ("write a font family as fontconfig knows it (fc-list : family), e.g. Noto Serif: "
                "letters, digits, spaces, dots, dashes and plus signs")
    if pattern.startswith("^[\\w]"):
        return "write a bare file name in templates/, e.g. logo.png"
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    return {
        "id": "use lower-case letters, digits and dashes, e.g. unodc-2023",
        "source": "use the id of an entry in sources, e.g. unodc-2023",
        "url": "write a full web address starting with https://",
        "language": "use a language tag such as en or ru",
    }.get(name, "")


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Names of the keys allowed at loc, for did-you-mean hints."""
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        inner = _model_in(info.annotation) if info else None
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


def check_references(brief: Brief, parsed: Parsed) -> list[Problem]:
    """Every citation must name a source, source ids must be unique, and list items must not
    carry a typed bullet of their own."""
    problems: list[Problem] = []
    known: set[str] = set()
    for i, source in enumerate(brief.sources):
        if source.id in known:
            message = f"duplicate source id '{source.id}'"
            problems.append(replace(parsed.problem(("sources", i, "id"), message),
                                    rule="duplicate-source"))
        known.add(source.id)
    for loc, value in strings_in(brief.model_dump(mode="json"), ()):
        if loc[-1] == "source" and value not in known:
            problems.append(replace(parsed.problem(loc, f"unknown source '{value}'",
                                                   _near(value, known)), rule="unknown-source"))
        elif _shows_citations(loc):
            problems.extend(_check_markers(parsed, loc, value, known))
        elif "[@" in value:
            problems.extend(_misplaced_markers(parsed, loc, value))
        if len(loc) == 2 and isinstance(loc[1], int) and re.match(r"[-*](\s|$)", value):
            problems.append(replace(parsed.problem(
                loc, "starts with a bullet dash", "each item is already a bullet: remove the dash"),
                rule="typed-bullet"))
    return problems


def _shows_citations(loc: Loc) -> bool:
    """Whether the field at loc is Markdown, the only kind that turns [@id] into a note."""
    return tuple("*" if isinstance(part, int) else part for part in loc) in _markdown_fields()


@cache
def _markdown_fields() -> frozenset[tuple[str, ...]]:
    """The Markdown fields of a brief as paths, '*' for any list index, read from the model's
    schema (the one definition): ("summary",), ("key_points", "*"), ("sections", "*", "body")..."""
    schema = Brief.model_json_schema()
    found: set[tuple[str, ...]] = set()

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        if node.get("contentMediaType") == "text/markdown":
            found.add(path)
        for option in node.get("anyOf", []):
            walk(option, path)
        if "items" in node:
            walk(node["items"], (*path, "*"))
        for name, prop in node.get("properties", {}).items():
            walk(prop, (*path, name))

    walk(schema, ())
    return frozenset(found)


def _misplaced_markers(parsed: Parsed, loc: Loc, value: str) -> list[Problem]:
    """A citation marker in a field printed as plain text (a title, a name, a role...) would
    print as typed: an error at the marker, pointing to where notes can go."""
    found = list(MARKER_LIKE.finditer(value))
    return [replace(at, message=f"citation {match.group()!r} would print as typed: this field "
                    "shows no notes", hint="cite sources in Markdown fields (summary, "
                    "key_points, sections' body...); figures and quotes take a source: key",
                    rule="citation-field")
            for at, match in zip(_placed(parsed, loc, found), found, strict=True)]


def _check_markers(parsed: Parsed, loc: Loc, value: str, known: set[str]) -> list[Problem]:
    """Check each citation marker in one text, placing problems on the marker itself.

    The markers are found again in the file's raw text so that a marker deep inside a folded
    or literal block gets its own line and column; if that fails, the field's position is used.
    """
    found = list(MARKER_LIKE.finditer(value))
    if all((ids := marker_ids(m.group())) is not None and known.issuperset(ids) for m in found):
        return []  # the common case, and the cheap one: every marker is well formed and known
    problems = []
    for at, match in zip(_placed(parsed, loc, found), found, strict=True):
        ids = marker_ids(match.group())
        if ids is None:
            problems.append(replace(at, message=f"malformed citation {match.group()!r}",
                                    hint="write [@id] or [@id; @other-id] with lower-case ids",
                                    rule="citation-syntax"))
            continue
        for cited in ids:
            if cited not in known:
                problems.append(replace(at, message=f"cites unknown source '{cited}'",
                                        hint=_near(cited, known), rule="unknown-source"))
    return problems


def _placed(parsed: Parsed, loc: Loc, found: list[re.Match[str]]) -> list[Problem]:
    """A problem for each marker found in a value, placed on the marker itself (its message
    is the marker; callers replace it). Markers are found again in the file's raw text so that
    one deep inside a folded or literal block gets its own line and column; if that fails, the
    field's."""
    node = parsed.values.get(loc)
    raw = []
    if node is not None:
        raw = list(MARKER_LIKE.finditer(parsed.text, node.start_mark.index, node.end_mark.index))
    base = parsed.problem(loc, "")
    placed = []
    for i, match in enumerate(found):
        line, col = parsed.position(raw[i].start()) if len(raw) == len(found) else (
            base.line, base.column)
        placed.append(Problem(parsed.path, line, col, base.field, match.group()))
    return placed


def _near(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "add it to sources" if known else "add a sources list with this id"


def strings_in(data: Any, loc: Loc = ()):
    """(location, text) for every string in plain data, depth first: the citation and
    lint checks walk a brief with it."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings_in(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings_in(value, (*loc, i))
