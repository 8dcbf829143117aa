"""The variant registry: each variant of a brief is one entry of a theme's variants.yaml.

An entry names the variant, the parts it shows in order (macros of parts.j2), the label that
prints its name, its default page budget, the hint for a brief over that budget, and whether it
opens with a contents list. An organisation adds a "one-pager" by adding an entry (and its label)
to its own templates/ folder, without touching Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints

from briefgen.load import load_model
from briefgen.model import Strict
from briefgen.project import shown_path

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Variant(Strict):
    """One variant: what it shows, what it is called, and how long it may be."""

    name: Name = Field(description="Used in file names and on the command line, e.g. `summary`.")
    label: Key = Field(description="Key of the variant's printed name in labels/<language>.yaml.")
    parts: list[Key] = Field(min_length=1, description="Macros of parts.j2, in reading order.")
    page_budget: int | None = Field(
        None, ge=1, description="Most pages in the PDF (null: no limit); briefgen.yaml's "
        "page_budget overrides it.")
    over_budget_hint: str = Field("shorten it", description="What to do when over budget.")
    contents: bool = Field(False, description="Whether it opens with a contents list.")


class VariantsFile(Strict):
    """A variants.yaml file."""

    variants: list[Variant] = Field(min_length=1)


def load_variants(paths: list[Path]) -> dict[str, Variant]:
    """The registry from the variants.yaml of each theme folder, bundled first: an entry of a
    later file replaces the one of the same name, and new names are added after the others."""
    registry: dict[str, Variant] = {}
    for path in paths:
        for variant in load_model(path, VariantsFile, shown_path(path))[0].variants:
            registry[variant.name] = variant
    return registry
