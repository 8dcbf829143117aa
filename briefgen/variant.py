"""Stage 2: turn a Brief into the HTML of one variant through the Jinja templates.

The templates are the one place that decides what a variant shows. Every output format starts
from this HTML: WeasyPrint lays it out as PDF, and the DOCX writer maps its elements to Word styles.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from briefgen.assets import image_uri
from briefgen.brand import load_brand
from briefgen.errors import BuildError, ContentError, TemplateProblem
from briefgen.labels import load_labels, long_date
from briefgen.markup import Citations, blocks, dir_attr, inline
from briefgen.model import Brief
from briefgen.project import shown_path

VARIANTS = ("summary", "full")
_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)


@cache
def environment(templates_dir: Path) -> Environment:
    """One Jinja environment per templates folder, kept for the life of the process.

    Autoescaping is on for HTML templates and undefined variables are errors, so editors' text
    can never become markup and a template typo never becomes a silent blank.
    """
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(["html.j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = _long_date
    env.filters["css_string"] = css_string
    env.filters["dir_attr"] = dir_attr
    env.filters["asset_uri"] = lambda name: asset_uri(templates_dir, name)
    return env


def render_html(brief: Brief, variant: str, templates_dir: Path,
                base: Path | None = None) -> str:
    """Render one variant of a brief to a complete, self-contained HTML document.

    A template that fails raises TemplateProblem, naming the template file and line."""
    with template_errors(templates_dir, _GIVEN):
        html = _render(brief, variant, templates_dir, base, toc_entries=[])
        if '<nav class="contents">' in html:  # a second pass, now that the headings are known
            headings = [(id_, Markup(text)) for id_, text in _HEADING.findall(html)]
            html = _render(brief, variant, templates_dir, base, toc_entries=headings)
    return html


# What _render gives the variant templates, for the hint on an undefined name.
_GIVEN = ("brief, labels, brand, variant, css, md, md_blocks, cite, citations and "
          "toc_entries")


@contextmanager
def template_errors(templates_dir: Path, given: str = "") -> Iterator[None]:
    """Turn an error raised inside a template into a TemplateProblem at its file and line;
    given lists the names the template receives, for the hint on an undefined one."""
    try:
        yield
    except Exception as exc:
        problem = template_problem(exc, templates_dir, given)
        if problem is None:
            raise
        raise problem from exc


def template_problem(exc: Exception, templates_dir: Path,
                     given: str = "") -> TemplateProblem | None:
    """The one-line report for an error in a template: a Jinja error anywhere, or any other
    error raised while a template of templates_dir was running (a filter given the wrong
    value). None for errors that are not the templates' (content, files, briefgen's own)."""
    if isinstance(exc, BuildError | ContentError) or (
            isinstance(exc, OSError) and not isinstance(exc, TemplateNotFound)):
        return None
    root = templates_dir.resolve()
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        filename, line = exc.filename, exc.lineno
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(".j2") or _inside(f.filename, root)]
        if not frames and not isinstance(exc, TemplateError):
            return None
        filename, line = (frames[-1].filename, frames[-1].lineno) if frames else (
            str(templates_dir), None)
    message = " ".join(str(exc).split()) or type(exc).__name__
    hint = ""
    if isinstance(exc, TemplateNotFound):
        message = f"template {exc.name!r} not found"
        hint = f"templates are looked for in {shown_path(templates_dir)}/"
    elif isinstance(exc, UndefinedError):
        message = re.sub(r"'[\w.]+\.(\w+) object'", r"'\1'", message)
        hint = f"check the spelling; this template is given {given}" if given else (
            "check the spelling")
    elif not isinstance(exc, TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return TemplateProblem(shown_path(Path(filename)), line, message, hint)


def _inside(filename: str, root: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


def check_templates(templates_dir: Path) -> None:
    """Compile every template of the folder once, before any brief is built: a syntax error
    stops the build with one line per broken template, instead of failing every brief."""
    env = environment(templates_dir)
    problems = []
    for path in sorted(templates_dir.rglob("*.j2")):
        try:
            env.get_template(path.relative_to(templates_dir).as_posix())
        except Exception as exc:
            problem = template_problem(exc, templates_dir)
            if problem is None:
                raise
            problems.append(str(problem))
    if problems:
        raise BuildError(*problems)


def _render(brief: Brief, variant: str, templates_dir: Path, base: Path | None,
            toc_entries: list[tuple[str, Markup]]) -> str:
    citations = Citations(brief)
    return environment(templates_dir).get_template(f"{variant}.html.j2").render(
        toc_entries=toc_entries,
        labels=load_labels(templates_dir, brief.language),
        brief=brief,
        variant=variant,
        brand=load_brand(templates_dir / "brand.yaml"),
        css=stylesheet(templates_dir),
        citations=citations,
        md=lambda text: inline(text, citations.marker),
        md_blocks=lambda text: blocks(text, citations.marker,
                                      lambda src: image_uri(src, base or Path("."))),
        cite=lambda source_id: citations.marker([source_id]),
    )


@cache
def stylesheet(templates_dir: Path) -> Markup:
    """The CSS for every brief, rendered from the brand once per process."""
    brand = load_brand(templates_dir / "brand.yaml")
    with template_errors(templates_dir, "brand"):
        css = environment(templates_dir).get_template("brief.css.j2").render(brand=brand)
    return Markup(css.replace("</", "<\\/"))  # cannot close the <style> element it sits in


@pass_context
def _long_date(context: Context, value: dt.date | str) -> str:
    return long_date(value, context["labels"].locale)


@cache
def asset_uri(templates_dir: Path, name: str) -> str:
    """A brand image as a data: URI, so the HTML is self-contained and no renderer reads files.

    The brand file only accepts bare file names, and a symlink among them may not lead out
    of templates/ either: this never reads outside it.
    """
    path = templates_dir / name
    if not path.resolve().is_relative_to(templates_dir.resolve()):
        raise BuildError(f"{shown_path(templates_dir)}/{name}: leads outside "
                         f"{shown_path(templates_dir)}/ "
                         "(hint: copy the file into the templates folder instead of linking it)")
    data = path.read_bytes()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def css_string(value: str) -> Markup:
    """Quote text as a CSS string, escaping anything that could end the string or the style."""
    out = []
    for char in value:
        if char.isalnum() or char in " .,:;/()-_&'!?":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')
