"""Stage 2: turn a Brief into the HTML of one variant through the Jinja templates.

The templates are the one place that decides what a variant shows. Every output format starts
from this HTML: WeasyPrint lays it out as PDF, and the DOCX writer maps its elements to Word styles.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from functools import cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from briefgen.assets import image_uri
from briefgen.brand import load_brand
from briefgen.labels import load_labels, long_date
from briefgen.markup import Citations, blocks, dir_attr, inline
from briefgen.model import Brief

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
    """Render one variant of a brief to a complete, self-contained HTML document."""
    html = _render(brief, variant, templates_dir, base, toc_entries=[])
    if '<nav class="contents">' in html:  # a second pass, now that the headings are known
        headings = [(id_, Markup(text)) for id_, text in _HEADING.findall(html)]
        html = _render(brief, variant, templates_dir, base, toc_entries=headings)
    return html


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
    css = environment(templates_dir).get_template("brief.css.j2").render(brand=brand)
    return Markup(css.replace("</", "<\\/"))  # cannot close the <style> element it sits in


@pass_context
def _long_date(context: Context, value: dt.date | str) -> str:
    return long_date(value, context["labels"].locale)


@cache
def asset_uri(templates_dir: Path, name: str) -> str:
    """A brand image as a data: URI, so the HTML is self-contained and no renderer reads files.

    The brand file only accepts bare file names, so this never reads outside templates/.
    """
    data = (templates_dir / name).read_bytes()
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
