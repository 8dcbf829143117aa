"""The brand file: one description of an organisation's look for both the PDF and the DOCX."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from briefgen.errors import BuildError

Hex = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Colours(_Part):
    """Hex colours; the names say where they are used."""

    primary: Hex
    accent: Hex
    text: Hex
    muted: Hex
    rule: Hex
    tint: Hex
    classification: Hex


class Fonts(_Part):
    """Font family names, as fontconfig (PDF) and Word (DOCX) know them."""

    body: str
    heading: str


class Sizes(_Part):
    """Type sizes in points."""

    body: float = Field(gt=5, lt=30)
    small: float = Field(gt=4, lt=20)
    title: float = Field(gt=8, lt=72)
    heading1: float = Field(gt=6, lt=48)
    heading2: float = Field(gt=6, lt=36)


class Brand(_Part):
    """Everything about the look that an organisation may change without touching code."""

    colours: Colours
    fonts: Fonts
    sizes: Sizes


@cache
def load_brand(path: Path) -> Brand:
    """Read the brand file; a broken one stops the build before any brief is rendered."""
    try:
        return Brand.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise BuildError(f"{path}: invalid brand file: {exc}") from None
