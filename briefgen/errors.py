"""Problems found in content, reported as one line each for the person who must fix them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a terminal would act on instead of showing: C0 and C1 controls (newlines included), the
# bidi embeddings, overrides and isolates, the directional marks and the line separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Text safe to show on one terminal line: every character that would move the cursor,
    reorder what follows, change the colours or start a new line is written as its escape, the
    way JSON writes it (\\n, \\u001b, \\u202e). Names and values come from files anyone may
    have written, and a problem must stay the one line it claims to be. Applying it twice
    changes nothing more, and on JSON text (line by line) it keeps the JSON valid."""
    return _UNSAFE.sub(lambda m: _NAMED.get(m[0]) or f"\\u{ord(m[0]):04x}", text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file, pinned to the line an editor must change."""

    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning": only `check --strict` fails on those
    rule: str = "schema"  # the lint rule's id, for `check` output and for tools

    def __str__(self) -> str:
        return f"{self.where()}: {self._body()}"

    def _body(self) -> str:
        text = f"{self.field}: {self.message}" if self.field else self.message
        return printable(f"{text} (hint: {self.hint})" if self.hint else text)

    def where(self) -> str:
        """path:line:col, or path alone when the problem has no place in the file."""
        if self.line is None:
            return printable(self.path)
        return f"{printable(self.path)}:{self.line}:{self.column or 1}"

    def lint_line(self) -> str:
        """The `check` form: path:line:col: severity: field: message (hint: ...) [rule-id]."""
        return f"{self.where()}: {self.severity}: {self._body()} [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        """The same, for `check --format json`."""
        return {"path": self.path, "line": self.line, "column": self.column,
                "severity": self.severity, "rule": self.rule, "field": self.field,
                "message": self.message, "hint": self.hint}


class ContentError(Exception):
    """Raised when a brief cannot be built; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class BuildError(Exception):
    """Raised when rendering or writing fails for a reason that is not the content's fault.
    It may carry several one-line messages (one per broken template), printed a line each."""

    def __init__(self, message: str, *more: str) -> None:
        super().__init__("\n".join((message, *more)))
        self.messages = [message, *more]


class TemplateProblem(BuildError):
    """A template that cannot be compiled or rendered, named by its file and line."""

    def __init__(self, path: str, line: int | None, message: str, hint: str = "") -> None:
        self.path, self.line, self.message, self.hint = path, line, message, hint
        super().__init__(self.during(""))

    def during(self, brief: str) -> str:
        """The one line, saying which brief was being built when the template failed."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: template error: {self.message}"
        text += f", while building {brief}" if brief else ""
        return printable(text + (f" (hint: {self.hint})" if self.hint else ""))
