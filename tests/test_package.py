"""The Word documents as packages (OPC zip files): parts parse, relationships resolve, every part
has a content type and every picture has alt text."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import VARIANTS, output_file
from lxml import etree

CONTENT_TYPES = "[Content_Types].xml"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


@pytest.fixture(scope="module", params=VARIANTS)
def package(request: pytest.FixtureRequest, built: Path) -> dict[str, bytes]:
    """Every entry of the variant's DOCX zip, by name (folders left out)."""
    with zipfile.ZipFile(output_file(built, request.param, "docx")) as docx:
        assert docx.testzip() is None, "a zip entry is corrupt"
        return {name: docx.read(name) for name in docx.namelist() if not name.endswith("/")}


def xml_parts(package: dict[str, bytes]) -> dict[str, etree._Element]:
    """Every .xml and .rels part parsed with lxml."""
    return {name: etree.fromstring(data) for name, data in package.items()
            if name.endswith((".xml", ".rels"))}


def source_folder(rels_name: str) -> str:
    """The folder a .rels file's targets are relative to: that of the part it describes."""
    folder, file = posixpath.split(rels_name)  # e.g. word/_rels, document.xml.rels
    assert posixpath.basename(folder) == "_rels" and file.endswith(".rels"), rels_name
    return posixpath.dirname(folder)  # _rels/.rels -> "" (the package root)


def extension(name: str) -> str:
    """A part name's extension as OPC reads it: after the last dot, so '_rels/.rels' -> 'rels'."""
    base = posixpath.basename(name)
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def test_every_part_is_well_formed_xml(package: dict[str, bytes]) -> None:
    """Every .xml and .rels entry parses as XML."""
    broken = []
    for name, data in package.items():
        if name.endswith((".xml", ".rels")):
            try:
                etree.fromstring(data)
            except etree.XMLSyntaxError as error:
                broken.append(f"{name}: {error}")
    assert CONTENT_TYPES in package and "_rels/.rels" in package
    assert not broken


def test_every_internal_relationship_resolves(package: dict[str, bytes]) -> None:
    """Each internal relationship target in each .rels file names an entry of the zip."""
    dangling: list[str] = []
    for name, root in xml_parts(package).items():
        if not name.endswith(".rels"):
            continue
        folder = source_folder(name)
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        if name != "_rels/.rels":
            assert source in package, f"{name} describes a part that does not exist: {source}"
        for rel in root.iter(f"{{{RELS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = unquote(rel.get("Target", ""))
            path = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target)))
            if path not in package:
                dangling.append(f"{name}: {rel.get('Id')} -> {target}")
    assert not dangling, f"relationships to missing parts: {dangling}"


def test_every_part_has_a_content_type(package: dict[str, bytes]) -> None:
    """[Content_Types].xml covers every part, by a Default extension or an Override part name."""
    types = etree.fromstring(package[CONTENT_TYPES])
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{{{TYPES}}}Default")}
    overrides = {o.get("PartName", "").lower() for o in types.iter(f"{{{TYPES}}}Override")}
    uncovered = [name for name in package if name != CONTENT_TYPES
                 and f"/{name}".lower() not in overrides
                 and extension(name) not in defaults]
    assert not uncovered, f"parts without a content type: {uncovered}"


def test_every_picture_has_alt_text(package: dict[str, bytes]) -> None:
    """Each drawing's wp:docPr carries a non-empty descr, the alt text screen readers announce."""
    pictures = [(name, pr) for name, root in xml_parts(package).items()
                for pr in root.iter(f"{{{WP}}}docPr")]
    assert pictures, "the brief shows the logo, so there should be at least one picture"
    bare = [f"{name}: {pr.get('name')}" for name, pr in pictures
            if not (pr.get("descr") or "").strip()]
    assert not bare, f"pictures without alt text: {bare}"
