"""The theme: everything about how briefs look and what fixed words they print, loaded once.

A theme is a stack of template folders: a project's own templates/ first, then the templates
that ship with briefgen. A file is taken from the first folder that has it, so a project that
only wants its own logo and brand file keeps just those two files. Label sets are merged key by
key the same way, and variants.yaml entry by entry.

One Theme is built per build (and per preview request, so a preview shows edits to the brand,
the CSS, the labels and the templates at once). It holds the brand, the labels, the variant
registry, the Jinja environment and the rendered stylesheet; nothing of it lives in
process-wide caches keyed by a path.
"""

from __future__ import annotations

import base64
import datetime as dt
from functools import cached_property
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from briefgen.brand import Brand, load_brand
from briefgen.errors import BuildError, ContentError
from briefgen.labels import Labels, load_label_set, long_date
from briefgen.load import label_language
from briefgen.markup import markdown
from briefgen.project import Project, bundled_templates, shown_path
from briefgen.templating import css_string, template_errors, template_problem
from briefgen.variants import Variant, load_variants


class Theme:
    """The template folders of a project, and what is loaded from them, once."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = tuple(folders)
        self._labels: dict[str, Labels] = {}

    @classmethod
    def for_project(cls, project: Project) -> Theme:
        """The project's own templates/ (when it has one) over the bundled templates."""
        own = project.root / "templates"
        folders = [own] if own.is_dir() and own.resolve() != bundled_templates().resolve() else []
        return cls([*folders, bundled_templates()])

    def find(self, name: str) -> Path | None:
        """The file for a name relative to the theme (first folder that has it), or None.

        A name or a symlink that leads out of its folder is refused: a theme reads nothing
        outside its folders."""
        for folder in self.folders:
            path = folder / name
            if not (path.is_file() or path.is_symlink()):
                continue
            if not path.resolve().is_relative_to(folder.resolve()):
                raise BuildError(
                    f"{shown_path(folder)}/{name}: leads outside {shown_path(folder)}/ "
                    "(hint: copy the file into the templates folder instead of linking it)")
            return path
        return None

    def files(self) -> dict[str, Path]:
        """Every file of the theme by its relative name, each from the folder that wins."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            if folder.is_dir():
                for path in folder.rglob("*"):
                    if path.is_file():
                        found[path.relative_to(folder).as_posix()] = path
        return dict(sorted(found.items()))

    @cached_property
    def brand(self) -> Brand:
        """The brand file, with its logo and reference document found in the theme."""
        path = self.find("brand.yaml")
        if path is None:
            raise BuildError(f"no brand.yaml in {shown_path(self.folders[0])}/")
        return load_brand(path, self.find)

    @cached_property
    def variants(self) -> dict[str, Variant]:
        """The variant registry, in build order."""
        paths = [f / "variants.yaml" for f in reversed(self.folders)
                 if (f / "variants.yaml").is_file()]
        if not paths:
            raise BuildError(f"no variants.yaml in {shown_path(self.folders[0])}/")
        return load_variants(paths)

    @cached_property
    def languages(self) -> frozenset[str]:
        """The languages the theme can print: one per labels/<language>.yaml in any folder."""
        return frozenset(p.stem for f in self.folders for p in (f / "labels").glob("*.yaml"))

    def labels(self, language: str) -> Labels:
        """The label set for a language tag (exact tag first, then its language), merged key
        by key over the theme's folders."""
        chosen = label_language(language, self.languages)
        if chosen is None:
            raise ValueError(f"no labels for {language!r}")  # load_brief reports this to editors
        if chosen not in self._labels:
            paths = [f / "labels" / f"{chosen}.yaml" for f in reversed(self.folders)]
            self._labels[chosen] = load_label_set([p for p in paths if p.is_file()])
        return self._labels[chosen]

    def variant_label(self, variant: Variant, labels: Labels) -> str:
        """The printed name of a variant in a label set; a label set without it stops the build
        with the line to add."""
        text = getattr(labels, variant.label, None)
        if not isinstance(text, str):
            raise BuildError(
                f"labels for {labels.locale} have no {variant.label!r} for variant "
                f"{variant.name!r} (hint: add `{variant.label}: ...` to labels/<language>.yaml)")
        return text

    @cached_property
    def environment(self) -> Environment:
        """The Jinja environment over the theme's folders.

        Autoescaping is on for HTML templates and undefined variables are errors, so editors'
        text can never become markup and a template typo never becomes a silent blank."""
        env = Environment(
            loader=ChoiceLoader([FileSystemLoader(f) for f in self.folders]),
            autoescape=select_autoescape(["html.j2"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["long_date"] = _long_date
        env.filters["css_string"] = css_string
        env.filters["asset_uri"] = self.asset_uri
        env.filters["md"] = markdown
        return env

    @cached_property
    def stylesheet(self) -> Markup:
        """The CSS of every brief, rendered from the brand once per theme."""
        brand = self.brand
        with template_errors(self.folders, "brand"):
            css = self.environment.get_template("brief.css.j2").render(brand=brand)
        return Markup(css.replace("</", "<\\/"))  # cannot close the <style> element it sits in

    def asset(self, name: str) -> bytes:
        """The bytes of a brand file (logo, reference document)."""
        path = self.find(name)
        if path is None:
            raise BuildError(f"{name}: not found in {shown_path(self.folders[0])}/")
        return path.read_bytes()

    def asset_uri(self, name: str) -> str:
        """A brand image as a data: URI, so the HTML is self-contained and no renderer reads
        files."""
        data = self.asset(name)
        kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
        return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"

    def check(self) -> None:
        """Compile every template once, before any brief is built: a syntax error stops the
        build with one line per broken template, instead of failing every brief."""
        problems = []
        for name in self.files():
            if not name.endswith(".j2"):
                continue
            try:
                self.environment.get_template(name)
            except Exception as exc:
                problem = template_problem(exc, self.folders)
                if problem is None:
                    raise
                problems.append(str(problem))
        if problems:
            raise BuildError(*problems)
        try:
            self.brand, self.variants  # noqa: B018  (loaded now: their mistakes come first)
        except ContentError as exc:
            raise BuildError(*(str(p) for p in exc.problems)) from None


@pass_context
def _long_date(context: Context, value: dt.date | str) -> str:
    return long_date(value, context["labels"].locale)
