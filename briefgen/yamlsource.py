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
from briefgen.project import NotAFile, TooLarge, read_regular

# libyaml's composer when PyYAML has it: the same safe nodes and positions, ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 100_000  # far above any real brief; stops alias bombs from expanding
MAX_BYTES = 1_000_000  # a long brief is 50 kB; a bigger file is a mistake, refused before reading
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
    # Offsets of characters YAML cannot read (control characters typed into the file), masked
    # so that the rest still parses and each can be reported at its field.
    controls: dict[int, str] = field(default_factory=dict)

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
        raw = read_regular(path, MAX_BYTES)
    except TooLarge as exc:
        raise ContentError([Problem(
            shown, None, None, "", f"file is too large ({_size(exc.size)}; the limit is "
            f"{_size(MAX_BYTES)})", "a brief is text only: split it, or remove what was "
            "pasted in by mistake")]) from None
    except NotAFile as exc:
        raise ContentError([Problem(shown, None, None, "", str(exc),
                                    "name a .yaml file saved on disk")]) from None
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
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        raise ContentError([Problem(shown, line, col, "", "file is not valid UTF-8 text",
                                    "it is saved as UTF-16: save it as UTF-8" if utf16 else
                                    "save the file as UTF-8")]) from None


def _size(count: int) -> str:
    text = f"{count / 1_000_000:.1f}".removesuffix(".0")
    return f"{text} MB" if count >= 100_000 else f"{count / 1000:.0f} kB"


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml for speed; when the YAML is broken, compose again with PyYAML,
    whose error messages name the offending character."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
        return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, shown: str, empty_hint: str | None = None) -> Parsed:
    """Compose YAML safely and convert it to plain data while recording node positions."""
    controls = {m.start(): m.group() for m in _UNREADABLE.finditer(text)}
    if controls:  # reported by field below, at each character, rather than as a YAML error
        text = _UNREADABLE.sub(_MASK, text)
    try:
        root = _compose(text)
    except RecursionError:
        raise ContentError([Problem(shown, None, None, "", "file is nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:
        raise ContentError(_control_problems(Parsed(shown, text, None, controls=controls))
                           or [_syntax_problem(exc, shown)]) from None
    except yaml.YAMLError as exc:
        raise ContentError(_control_problems(Parsed(shown, text, None, controls=controls))
                           or [Problem(shown, None, None, "", f"YAML error: {exc}")]) from None
    if root is None:
        if empty_hint is None:
            required = ", ".join(k for k, f in Brief.model_fields.items() if f.is_required())
            empty_hint = f"a brief needs at least {required}"
        raise ContentError([Problem(shown, 1, 1, "", "file is empty", empty_hint)])
    parsed = Parsed(shown, text, None, controls=controls)
    problems: list[Problem] = []
    try:
        parsed.data = _convert(root, (), parsed, [MAX_NODES], set(), problems)
    except RecursionError:
        raise ContentError([Problem(shown, None, None, "", "file is nested too deeply")]) from None
    problems += _control_problems(parsed)
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
    ("found another document", "a brief is one YAML document: remove the '---' line and "
     "what follows it, or make it a brief of its own"),
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


# The tags YAML gives plain values by itself; any other was written by hand, e.g. !!python/name.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in (
    "null", "bool", "int", "float", "timestamp", "str", "merge", "value", "yaml", "seq", "map")}


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


_EATEN_COMMENT = re.compile(r"[ \t]+#[^\s#]")


def _convert(node: yaml.Node, loc: Loc, parsed: Parsed, budget: list[int],
             open_nodes: set[int], problems: list[Problem]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ContentError([Problem(parsed.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, format_loc(loc),
                                    "file expands to too many values (YAML alias bomb?)")])
    parsed.values[loc] = node
    if node.tag not in _PLAIN_TAGS:  # !!python/object, !!binary, !custom: never constructed
        problems.append(Problem(parsed.path, node.start_mark.line + 1,
                                node.start_mark.column + 1, format_loc(loc),
                                f"YAML tag {_short_tag(node.tag)} is not allowed",
                                "remove it: briefgen reads every value as the text typed"))
        return None
    if isinstance(node, yaml.ScalarNode):
        if not node.style and _EATEN_COMMENT.match(parsed.text, node.end_mark.index):
            problems.append(Problem(
                parsed.path, node.end_mark.line + 1, node.end_mark.column + 2, format_loc(loc),
                "the text after ' #' is dropped: YAML reads it as a comment",
                "put the whole value in quotes"))
        if _UNWRITABLE.search(node.value):
            problems.append(_control_problem(parsed, loc, node))
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


# Characters a PDF or a Word document cannot hold, or that only garble it: C0 and C1 control
# characters other than tab and line breaks, unpaired surrogates, and the non-characters
# U+FFFE and U+FFFF (Word's XML refuses every one of them). YAML refuses most of them typed
# into a file (_UNREADABLE), and reads the Unicode line breaks U+0085, U+2028 and U+2029 as
# new lines, which shifts every line number after them. Quoted text can still spell the others
# as escapes ("\0", "\e", "\ud800"), so every value is checked as well (_UNWRITABLE).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_UNREADABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd"
                         "\U00010000-\U0010ffff]|[\u2028\u2029]")
_BREAKS = {0x85: "next line", 0x2028: "line separator", 0x2029: "paragraph separator"}
_MASK = "\ufffd"  # one character for one, so every line and column stays where it was
_CONTROL_NAMES = {0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x0B: "vertical tab",
                  0x0C: "form feed", 0x1B: "escape", 0x7F: "delete"}


def _describe_char(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"an unpaired surrogate U+{code:04X}, which is not a character"
    if code in (0xFFFE, 0xFFFF):
        return f"the non-character U+{code:04X}"
    if code in (0x2028, 0x2029):
        return f"the {_BREAKS[code]} U+{code:04X}"
    name = _CONTROL_NAMES.get(code) or _BREAKS.get(code)
    return f"the control character U+{code:04X}" + (f" ({name})" if name else "")


_CONTROL_HINT = "delete it: it is invisible in most editors, and PDF and Word cannot hold it"
_BREAK_HINT = "replace it with a space or a new line: YAML reads it as a line break"
_SURROGATE_HINT = "write the character itself, not \\u escapes for its two halves"


def _control_problem(parsed: Parsed, loc: Loc, node: yaml.ScalarNode) -> Problem:
    """The first unwritable character a value spells with an escape, reported at the value."""
    char = _UNWRITABLE.search(node.value).group()
    surrogate = 0xD800 <= ord(char) <= 0xDFFF
    return Problem(parsed.path, node.start_mark.line + 1, node.start_mark.column + 1,
                   format_loc(loc), f"contains {_describe_char(char)}",
                   _SURROGATE_HINT if surrogate else _CONTROL_HINT)


def _control_problems(parsed: Parsed) -> list[Problem]:
    """One problem per field (or per line outside any value) holding characters typed into the
    file that YAML cannot read, at the first such character."""
    if not parsed.controls:
        return []
    scalars = sorted(((n.start_mark.index, n.end_mark.index, loc)
                      for loc, n in parsed.values.items() if isinstance(n, yaml.ScalarNode)),
                     key=lambda span: span[1] - span[0])  # innermost first
    problems, seen = [], set()
    for index, char in sorted(parsed.controls.items())[:200]:  # a binary file has thousands
        loc = next((loc for start, end, loc in scalars if start <= index < end), None)
        line, col = parsed.position(index)
        where = format_loc(loc) if loc is not None else f"line {line}"
        if where in seen:
            continue
        seen.add(where)
        hint = _BREAK_HINT if ord(char) in _BREAKS else _CONTROL_HINT
        problems.append(Problem(parsed.path, line, col, format_loc(loc) if loc else "",
                                f"contains {_describe_char(char)}", hint))
    return problems
