"""The brand file: one description of an organisation's look for both the PDF and the DOCX."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from briefgen.docxpackage import package_problem
from briefgen.errors import BuildError, ContentError
from briefgen.load import load_model
from briefgen.project import shown_path

Hex = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
# A font family as fontconfig and Word name it ("Noto Serif CJK SC", "M+ 1p"): it is written
# into the CSS and handed to fc-match, so nothing that could end a CSS string or start an option.
FontName = Annotated[str, StringConstraints(pattern=r"^\w[\w .+-]{0,99}$")]


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

    body: FontName
    heading: FontName
    arabic: FontName = Field("Noto Naskh Arabic",
                             description="Arabic script: Arabic, Pashto, Dari.")
    cjk: FontName = Field("Noto Serif CJK SC", description="Chinese, Japanese and Korean.")


class Sizes(_Part):
    """Type sizes in points."""

    body: float = Field(gt=5, lt=30)
    small: float = Field(gt=4, lt=20)
    title: float = Field(gt=8, lt=72)
    heading1: float = Field(gt=6, lt=48)
    heading2: float = Field(gt=6, lt=36)


AssetName = Annotated[str, StringConstraints(pattern=r"^[\w][\w.-]*$")]


class Logo(_Part):
    """An image (PNG or JPEG) in templates/, shown at the top of every brief."""

    file: AssetName
    alt: str = Field(min_length=1, description="What a screen reader says for the logo.")
    width: float = Field(40, gt=5, lt=170, description="Printed width in millimetres.")


class Brand(_Part):
    """Everything about the look that an organisation may change without touching code."""

    name: str = Field(min_length=1)
    letterhead: str | None = Field(None, description="First-page header text; default: name.")
    logo: Logo | None = None
    colours: Colours
    fonts: Fonts
    sizes: Sizes
    reference_docx: AssetName | None = Field(
        None, description="A Word document in templates/ whose styles the DOCX uses instead of "
        "the ones generated from this file (`briefgen reference-doc` writes a starting point).")


def load_brand(path: Path, find: Callable[[str], Path | None] | None = None) -> Brand:
    """Read the brand file; a broken one stops the build before any brief is rendered.

    find looks a brand file (logo, reference document) up in the theme; by default, next to
    the brand file. Neither may lead out of the folder it is found in."""
    brand, parsed = load_model(path, Brand, shown_path(path))
    for loc, asset in ((("logo", "file"), brand.logo and brand.logo.file),
                       (("reference_docx",), brand.reference_docx)):
        if not asset:
            continue
        try:
            target = find(asset) if find else _beside(path, asset)
        except BuildError:
            raise ContentError([parsed.problem(
                loc, f"{asset} leads outside {shown_path(path.parent)}/",
                "copy the file into the templates folder instead of linking it")]) from None
        if target is None:
            raise ContentError([parsed.problem(
                loc, f"{asset} not found", f"brand files live next to the brand file, in "
                f"{path.parent}/")])
        if loc == ("reference_docx",) and (why := package_problem(target)):
            raise ContentError([parsed.problem(loc, f"{asset} {why}", REFERENCE_HINT)])
    return brand


def _beside(path: Path, asset: str) -> Path | None:
    target = path.parent / asset
    if not target.exists():
        return None
    if not target.resolve().is_relative_to(path.parent.resolve()):
        raise BuildError(f"{asset} leads outside")
    return target


REFERENCE_HINT = "save it again from Word, or start from `briefgen reference-doc`"
