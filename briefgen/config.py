"""The project's build settings, from an optional briefgen.yaml next to content/.

Validated like a brief, so a typo gets a line, a column and a did-you-mean. Command-line options
override it for one run.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin

from pydantic import Field

from briefgen.errors import ContentError
from briefgen.load import load_model
from briefgen.model import Strict
from briefgen.project import read_regular, shown_path

# WeasyPrint variants worth offering: tagged and accessible (UA), or archival (A). The archival
# ones are tagged too, so choosing PDF/A never costs screen-reader users their structure.
PDF_VARIANTS = ("pdf/ua-1", "pdf/ua-2", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u",
                "pdf/a-4u")
PdfVariant = Literal["pdf/ua-1", "pdf/ua-2", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u",
                     "pdf/a-4u"]


PageCount = Annotated[int, Field(ge=1)]


class Lint(Strict):
    """Thresholds of the warnings `briefgen check` gives."""

    summary_words: int = Field(120, ge=1, description="Words the bottom line may take.")
    key_point_words: int = Field(60, ge=1, description="Words each key point may take.")
    stale_after_days: int = Field(180, ge=1, description="Age of `reviewed` that is stale.")


class Config(Strict):
    """Settings for every build of the project."""

    pdf_variant: PdfVariant = Field(
        "pdf/ua-1", description="PDF/UA (tagged, accessible) by default; PDF/A for archiving.")
    page_budget: dict[str, PageCount | None] = Field(
        default_factory=dict, description="The most pages each variant may take in the PDF "
        "(null: no limit), by variant name; a variant not named keeps the budget its entry in "
        "variants.yaml gives (summary: 2). A brief over budget fails to build.")
    lint: Lint = Lint()


def load_config(path: Path, variants: Collection[str] = ()) -> Config:
    """The project's settings; defaults when it has no briefgen.yaml, or one with nothing but
    comments (as `briefgen init` writes it). page_budget may only name the variants there are."""
    if not path.is_file() or _only_comments(path):
        return Config()
    config, parsed = load_model(path, Config, shown_path(path))
    unknown = [name for name in config.page_budget if variants and name not in variants]
    if unknown:
        raise ContentError([parsed.problem(
            ("page_budget", name), "unknown variant", f"the variants are {', '.join(variants)}",
            at_key=True) for name in unknown])
    return config


def _only_comments(path: Path) -> bool:
    """Comments and blank lines only, at least one comment: settings all left at their
    defaults, as `briefgen init` writes them. (A file with nothing in it at all is a mistake
    load_model reports with a message of its own.)"""
    try:
        head = read_regular(path, 65536)
    except (OSError, ValueError):
        return False  # load_model reports why it cannot be read
    lines = [line.strip() for line in head.decode("utf-8", errors="replace").splitlines()]
    return any(lines) and all(not line or line.startswith("#") for line in lines)


def commented_settings(page_budgets: dict[str, int | None] | None = None) -> str:
    """A briefgen.yaml with every setting present but commented out at its default, each with
    its description: `briefgen init` writes it so a project sees what it may change.

    Generated from the models above, so a new setting appears in new projects by itself.
    """
    lines = ["# briefgen settings for this project. Every setting is shown at its default value,",
             "# commented out: uncomment a line (and its section) to change it.", ""]
    lines += _commented(Config(page_budget=page_budgets or {}), Config, 0)
    return "\n".join(lines) + "\n"


def _commented(values: Strict, model: type[Strict], depth: int) -> list[str]:
    lines = []
    indent = "  " * depth
    for name, field in model.model_fields.items():
        value = getattr(values, name)
        about = field.description or (field.annotation.__doc__ or "").strip()
        if get_origin(field.annotation) is Literal:
            about += " One of: " + ", ".join(get_args(field.annotation)) + "."
        if isinstance(value, dict):  # page_budget: one line per variant
            lines.append(f"# {indent}{name}:".ljust(34) + f"# {about}".rstrip())
            lines += [f"# {indent}  {key}: {'null' if v is None else v}" for key, v in
                      value.items()]
        elif isinstance(value, Strict):
            lines.append(f"# {indent}{name}:".ljust(34) + f"# {about}".rstrip())
            lines += _commented(value, type(value), depth + 1)
        else:
            shown = "null" if value is None else str(value)
            lines.append(f"# {indent}{name}: {shown}".ljust(34) + f"# {about}".rstrip())
    return lines
