"""The pipeline for one brief: load + validate -> Brief -> variant HTML -> render -> write.

Each brief succeeds or fails on its own; a failure is reported as lines for people and never
stops the other briefs of a batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import BuildError, ContentError
from briefgen.load import load_brief, slug_of
from briefgen.project import Project
from briefgen.render import render
from briefgen.variant import render_html
from briefgen.write import write_files


@dataclass
class Result:
    """What happened to one brief: the files written, or the problems that stopped it."""

    source: str
    slug: str
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every requested file was written."""
        return not self.problems


def output_path(out_dir: Path, slug: str, variant: str, fmt: str) -> Path:
    """output/<slug>/<slug>-<variant>.<ext>: one folder per brief, names that travel well."""
    return out_dir / slug / f"{slug}-{variant}.{fmt}"


def build_brief(path: Path, shown: str, project: Project, variants: tuple[str, ...],
                formats: tuple[str, ...], out_dir: Path, debug: bool = False) -> Result:
    """Build every requested variant and format of one brief, writing them together."""
    started = time.perf_counter()
    result = Result(shown, slug_of(path))
    try:
        brief = load_brief(path, shown)
        files: dict[Path, bytes] = {}
        for variant in variants:
            html = render_html(brief, variant, project.templates_dir)
            for fmt in formats:
                data = render(fmt, html, project.templates_dir, project.content_dir)
                files[output_path(out_dir, result.slug, variant, fmt)] = data
        write_files(files)
        result.files = list(files)
    except ContentError as exc:
        result.problems = [str(p) for p in exc.problems]
    except Exception as exc:  # one brief's failure must not sink the others of a batch
        if debug:
            raise
        result.problems = [f"{shown}: {_describe(exc)}"]
    result.seconds = time.perf_counter() - started
    return result


def _describe(exc: Exception) -> str:
    """One line for a failure that is not the content's fault."""
    if isinstance(exc, OSError):
        target = f" {exc.filename}" if exc.filename else ""
        return f"cannot write{target}: {exc.strerror or exc}"
    if isinstance(exc, BuildError):
        return str(exc)
    return f"build failed: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def check_brief(path: Path, shown: str) -> list[str]:
    """Validate one brief without rendering it; returns one line per problem."""
    try:
        load_brief(path, shown)
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    return []
