"""Templates and their errors: a template that fails is reported at its own file and line.

Every Jinja template of a theme (parts.j2, page.html.j2, brief.css.j2, index.html.j2) runs
through template_errors, so a mistake in an organisation's own templates reads like a mistake in
a brief: one line, the file, the line, and a hint.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from markupsafe import Markup

from briefgen.errors import BuildError, ContentError, TemplateProblem
from briefgen.project import shown_path


@contextmanager
def template_errors(folders: Sequence[Path], given: str = "") -> Iterator[None]:
    """Turn an error raised inside a template into a TemplateProblem at its file and line;
    given lists the names the template receives, for the hint on an undefined one."""
    try:
        yield
    except Exception as exc:
        problem = template_problem(exc, folders, given)
        if problem is None:
            raise
        raise problem from exc


def template_problem(exc: Exception, folders: Sequence[Path],
                     given: str = "") -> TemplateProblem | None:
    """The one-line report for an error in a template: a Jinja error anywhere, or any other
    error raised while a template of the theme's folders was running (a filter given the wrong
    value). None for errors that are not the templates' (content, files, briefgen's own)."""
    if isinstance(exc, BuildError | ContentError) or (
            isinstance(exc, OSError) and not isinstance(exc, TemplateNotFound)):
        return None
    roots = [folder.resolve() for folder in folders]
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        filename, line = exc.filename, exc.lineno
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(".j2") or _inside(f.filename, roots)]
        if not frames and not isinstance(exc, TemplateError):
            return None
        filename, line = (frames[-1].filename, frames[-1].lineno) if frames else (
            str(folders[0]), None)
    message = " ".join(str(exc).split()) or type(exc).__name__
    hint = ""
    if isinstance(exc, TemplateNotFound):
        message = f"template {exc.name!r} not found"
        hint = "templates are looked for in " + " and then ".join(
            f"{shown_path(f)}/" for f in folders)
    elif isinstance(exc, UndefinedError):
        message = re.sub(r"'[\w.]+\.(\w+) object'", r"'\1'", message)
        hint = f"check the spelling; this template is given {given}" if given else (
            "check the spelling")
    elif not isinstance(exc, TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return TemplateProblem(shown_path(Path(filename)), line, message, hint)


def _inside(filename: str, roots: list[Path]) -> bool:
    try:
        return any(Path(filename).resolve().is_relative_to(root) for root in roots)
    except (OSError, ValueError):
        return False


def css_string(value: str) -> Markup:
    """Quote text as a CSS string, escaping anything that could end the string or the style."""
    out = []
    for char in value:
        if char.isalnum() or char in " .,:;/()-_&'!?":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')
