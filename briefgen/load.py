"""Stage 1: read a content file, validate it, and return a Brief or every problem with its line.

YAML is composed into nodes with PyYAML's safe composer and turned into plain data by hand, so
that every value keeps its position, duplicate keys are caught, and scalars stay the text the
editor typed (``NO`` stays "NO", ``1.0`` stays "1.0"); the model then decides what is a date.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from briefgen.errors import ContentError, Problem
from briefgen.model import MARKER_LIKE, Brief, marker_ids

MAX_NODES = 100_000  # far above any real brief; stops alias bombs from expanding
NULLS = {"", "~", "null", "Null", "NULL"}
Loc = tuple[str | int, ...]


@dataclass
class Parsed:
    """Plain data from one YAML file, plus where each value and key sits in the text."""

    path: str
    text: str
    data: Any
    values: dict[Loc, yaml.Node] = field(default_factory=dict)
    keys: dict[Loc, yaml.Node] = field(default_factory=dict)

    def problem(self, loc: Loc, message: str, hint: str = "", at_key: bool = False) -> Problem:
        """A Problem placed at the value (or key) for loc, falling back to its nearest parent."""
        node = None
        if at_key:
            node = self.keys.get(loc)
        probe = loc
        while node is None:
            node = self.values.get(probe)
            if not probe:
                break
            probe = probe[:-1]
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        return Problem(self.path, line, col, format_loc(loc), message, hint)


def format_loc(loc: Loc) -> str:
    """Turn ('sections', 2, 'body') into sections[2].body, the way editors read a field path."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def slug_of(path: Path) -> str:
    """The brief's slug is its file name stem, so renaming the file renames the outputs."""
    return path.stem


def load_brief(path: Path, display: str | None = None) -> Brief:
    """Read, parse and validate one content file; raise ContentError listing every problem."""
    shown = display or str(path)
    parsed = parse_yaml(read_text(path, shown), shown)
    if not isinstance(parsed.data, dict):
        got = _kind(parsed.data)
        raise ContentError([Problem(shown, 1, 1, "", f"the top level must be a mapping of keys "
                                    f"such as title: and date: (got {got})")])
    try:
        brief = Brief.model_validate(parsed.data)
    except ValidationError as exc:
        problems = [_explain(parsed, err) for err in exc.errors()]
        raise ContentError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0))) from None
    problems = check_references(brief, parsed)
    if problems:
        raise ContentError(problems)
    return brief


def read_text(path: Path, shown: str) -> str:
    """Read a content file as UTF-8, pointing at the first byte that is not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(shown, None, None, "", f"cannot read file: {exc.strerror}")]) \
            from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError([Problem(shown, line, col, "", "file is not valid UTF-8 text",
                                    "save the file as UTF-8")]) from None


def parse_yaml(text: str, shown: str) -> Parsed:
    """Compose YAML safely and convert it to plain data while recording node positions."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ContentError([Problem(shown, None, None, "", "file is nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = (exc.problem or exc.context or "invalid YAML").strip()
        hint = "indent with spaces, not tabs" if "\\t" in message else ""
        if not hint and exc.context and exc.context_mark and exc.context_mark is not mark:
            what = exc.context.strip().removeprefix("while parsing ")
            start = exc.context_mark
            hint = f"check {what} that starts at line {start.line + 1}, column {start.column + 1}"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ContentError([Problem(shown, line, col, "", f"YAML syntax error: {message}", hint)]) \
            from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(shown, None, None, "", f"YAML error: {exc}")]) from None
    if root is None:
        required = ", ".join(k for k, f in Brief.model_fields.items() if f.is_required())
        raise ContentError([Problem(shown, 1, 1, "", "file is empty",
                                    f"a brief needs at least {required}")])
    parsed = Parsed(shown, text, None)
    problems: list[Problem] = []
    try:
        parsed.data = _convert(root, (), parsed, [MAX_NODES], set(), problems)
    except RecursionError:
        raise ContentError([Problem(shown, None, None, "", "file is nested too deeply")]) from None
    if problems:
        raise ContentError(problems)
    return parsed


def _convert(node: yaml.Node, loc: Loc, parsed: Parsed, budget: list[int],
             open_nodes: set[int], problems: list[Problem]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ContentError([Problem(parsed.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, format_loc(loc),
                                    "file expands to too many values (YAML alias bomb?)")])
    parsed.values[loc] = node
    if isinstance(node, yaml.ScalarNode):
        return None if node.style is None and node.value in NULLS else node.value
    if id(node) in open_nodes:
        raise ContentError([Problem(parsed.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, format_loc(loc),
                                    "an alias here refers to a value that contains it")])
    open_nodes.add(id(node))
    try:
        return _convert_collection(node, loc, parsed, budget, open_nodes, problems)
    finally:
        open_nodes.discard(id(node))


def _convert_collection(node: yaml.Node, loc: Loc, parsed: Parsed, budget: list[int],
                        open_nodes: set[int], problems: list[Problem]) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, i), parsed, budget, open_nodes, problems)
                for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(parsed.path, key_node.start_mark.line + 1,
                                    key_node.start_mark.column + 1, format_loc(loc),
                                    "keys must be plain words"))
            continue
        key = key_node.value
        if key in result:
            first = parsed.keys[(*loc, key)].start_mark.line + 1
            problems.append(Problem(parsed.path, key_node.start_mark.line + 1,
                                    key_node.start_mark.column + 1, format_loc((*loc, key)),
                                    f"duplicate key (first given on line {first})",
                                    "keep one of them"))
            continue
        parsed.keys[(*loc, key)] = key_node
        result[key] = _convert(value_node, (*loc, key), parsed, budget, open_nodes, problems)
    return result


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
}


def _explain(parsed: Parsed, err: dict[str, Any]) -> Problem:
    """Translate one pydantic error into the sentence an editor needs."""
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(Brief, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
        return parsed.problem(loc, "unknown key", hint, at_key=True)
    if kind == "missing":
        return parsed.problem(loc, "is required", at_key=True)
    if kind == "too_short":
        least = err.get("ctx", {}).get("min_length", 1)
        return parsed.problem(loc, f"must have at least {least} item{'s' * (least != 1)}")
    if kind.startswith("date"):
        return parsed.problem(loc, f"must be a date written YYYY-MM-DD (got {_kind(err['input'])})")
    if kind == "string_pattern_mismatch":
        return parsed.problem(loc, f"is not in the expected form (got {_kind(err['input'])})",
                              _pattern_hint(loc))
    if kind in _MESSAGES:
        return parsed.problem(loc, f"{_MESSAGES[kind]} (got {_kind(err['input'])})")
    message = err["msg"].removeprefix("Value error, ")
    return parsed.problem(loc, message)


def _pattern_hint(loc: Loc) -> str:
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
    """Every citation must name a source, and source ids must be unique."""
    problems: list[Problem] = []
    known: set[str] = set()
    for i, source in enumerate(brief.sources):
        if source.id in known:
            message = f"duplicate source id '{source.id}'"
            problems.append(parsed.problem(("sources", i, "id"), message))
        known.add(source.id)
    for loc, value in _strings(brief.model_dump(mode="json"), ()):
        if loc[-1] == "source" and value not in known:
            problems.append(parsed.problem(loc, f"unknown source '{value}'", _near(value, known)))
        elif loc[0] != "sources":
            problems.extend(_check_markers(parsed, loc, value, known))
    return problems


def _check_markers(parsed: Parsed, loc: Loc, value: str, known: set[str]) -> list[Problem]:
    """Check each citation marker in one text, placing problems on the marker itself.

    The markers are found again in the file's raw text so that a marker deep inside a folded
    or literal block gets its own line and column; if that fails, the field's position is used.
    """
    node = parsed.values.get(loc)
    found = list(MARKER_LIKE.finditer(value))
    raw = []
    if node is not None:
        raw = list(MARKER_LIKE.finditer(parsed.text, node.start_mark.index, node.end_mark.index))
    problems = []
    for i, match in enumerate(found):
        base = parsed.problem(loc, "")
        if len(raw) == len(found):
            start = raw[i].start()
            line = parsed.text.count("\n", 0, start) + 1
            col = start - (parsed.text.rfind("\n", 0, start) + 1) + 1
        else:
            line, col = base.line, base.column
        ids = marker_ids(match.group())
        if ids is None:
            problems.append(Problem(parsed.path, line, col, base.field,
                                    f"malformed citation {match.group()!r}",
                                    "write [@id] or [@id; @other-id] with lower-case ids"))
            continue
        for cited in ids:
            if cited not in known:
                problems.append(Problem(parsed.path, line, col, base.field,
                                        f"cites unknown source '{cited}'", _near(cited, known)))
    return problems


def _near(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "add it to sources" if known else "add a sources list with this id"


def _strings(data: Any, loc: Loc):
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))
