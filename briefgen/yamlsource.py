"""Reading content files: YAML composed safely into plain data that remembers positions.

YAML is composed into nodes with PyYAML's safe composer and turned into plain data by hand, so
that every value keeps its line and column, duplicate keys are caught, aliases cannot expand
without bound, and scalars stay the text the editor typed (``NO`` stays "NO", ``1.0`` stays
"1.0"); the model, not YAML, decides what is a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import ContentError, Problem
from briefgen.model import Brief

# libyaml's composer when PyYAML has it: the same safe nodes and positions, ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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

    def position(self, index: int) -> tuple[int, int]:
        """1-based line and column of a character offset in the file's text."""
        line = self.text.count("\n", 0, index) + 1
        return line, index - (self.text.rfind("\n", 0, index) + 1) + 1

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


def read_text(path: Path, shown: str) -> str:
    """Read a content file as UTF-8, pointing at the first byte that is not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContentError([Problem(shown, None, None, "", "file not found")]) from None
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


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml for speed; when the YAML is broken, compose again with PyYAML,
    whose error messages name the offending character."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
        return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, shown: str) -> Parsed:
    """Compose YAML safely and convert it to plain data while recording node positions."""
    try:
        root = _compose(text)
    except RecursionError:
        raise ContentError([Problem(shown, None, None, "", "file is nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:
        raise ContentError([_syntax_problem(exc, shown)]) from None
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


# What usually causes each of PyYAML's messages when an editor writes a brief, as a hint.
SYNTAX_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "a value containing ': ' must be in quotes, e.g. "
     'title: "Russia: first mover"; otherwise check the indentation of this line'),
    ("cannot start any token", "a value starting with @, ` or % must be in quotes"),
    ("expected alphabetic or numeric character", "a value starting with * or & must be in "
     'quotes, e.g. - "**Bold** start of a point"'),
    ("could not find expected ':'", "this line needs a ':' after its key, or it continues a "
     "value above and must be indented like it"),
    ("expected the end of a block", "check this line's indentation against the lines above; "
     "a value that starts with a quote must also end with it"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, shown: str) -> Problem:
    """One line for a YAML syntax error, at the line the editor must change, with a hint."""
    message = (exc.problem or exc.context or "invalid YAML").strip()
    message = message.replace("found '?'", "found a key")
    message = message.replace("<block end>", "the end of a block")
    mark = exc.problem_mark or exc.context_mark
    if "simple key" in (exc.context or "") and exc.context_mark:
        mark = exc.context_mark  # the key missing its ':' is where the scan started
    hint = next((h for needle, h in SYNTAX_HINTS if needle in message), "")
    if not hint and exc.context and exc.context_mark and exc.context_mark is not mark:
        start = exc.context_mark
        what = exc.context.strip().removeprefix("while parsing ").removeprefix("while scanning ")
        hint = f"check {what} that starts at line {start.line + 1}, column {start.column + 1}"
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return Problem(shown, line, col, "", f"YAML syntax error: {message}", hint)


_EATEN_COMMENT = re.compile(r"[ \t]+#[^\s#]")


def _convert(node: yaml.Node, loc: Loc, parsed: Parsed, budget: list[int],
             open_nodes: set[int], problems: list[Problem]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ContentError([Problem(parsed.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, format_loc(loc),
                                    "file expands to too many values (YAML alias bomb?)")])
    parsed.values[loc] = node
    if isinstance(node, yaml.ScalarNode):
        if not node.style and _EATEN_COMMENT.match(parsed.text, node.end_mark.index):
            problems.append(Problem(
                parsed.path, node.end_mark.line + 1, node.end_mark.column + 2, format_loc(loc),
                "the text after ' #' is dropped: YAML reads it as a comment",
                "put the whole value in quotes"))
        return None if not node.style and node.value in NULLS else node.value
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
