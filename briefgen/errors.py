"""Problems found in content, reported as one line each for the person who must fix them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file, pinned to the line an editor must change."""

    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.field}: " if self.field else f"{where}: "
        text += self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class ContentError(Exception):
    """Raised when a brief cannot be built; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class BuildError(Exception):
    """Raised when rendering or writing fails for a reason that is not the content's fault."""
