"""Checking a Word file before python-docx opens it: the reference document (brand.yaml's
reference_docx) is a file from outside, and a DOCX is a zip of XML.

A small zip can hold a part that inflates to gigabytes, and an XML part can declare a DTD,
whose entities python-docx leaves unresolved and writes back as a document Word cannot open.
Both are refused with one line before anything is parsed: sizes come from the zip's directory
(Python's zip reader never returns more than the size stated there), and each XML part is
parsed with DTDs neither loaded nor resolved, only to see whether it has one.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from briefgen.project import NotAFile, TooLarge, read_regular

MAX_FILE = 20 * 1024 * 1024  # a Word template with a logo is under 1 MB
MAX_PART = 50 * 1024 * 1024  # uncompressed, each part
MAX_TOTAL = 200 * 1024 * 1024  # uncompressed, all parts
MAX_PARTS = 2000


def package_problem(path: Path) -> str:
    """Why the Word file at path must not be opened, or "" when it may."""
    try:
        data = read_regular(path, MAX_FILE)
    except TooLarge as exc:
        mb = 1024 * 1024
        return f"is {exc.size // mb} MB, over the limit of {MAX_FILE // mb} MB"
    except (NotAFile, OSError) as exc:
        return f"cannot be read ({exc.strerror if isinstance(exc, OSError) else exc})"
    return data_problem(data)


def data_problem(data: bytes) -> str:
    """Why a Word package held in memory must not be opened, or "" when it may."""
    if len(data) > MAX_FILE:
        mb = 1024 * 1024
        return f"is {len(data) // mb} MB, over the limit of {MAX_FILE // mb} MB"
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return "is not a Word document (not a zip package)"
    if len(members) > MAX_PARTS:
        return f"holds {len(members)} parts, over the limit of {MAX_PARTS}"
    if sum(m.file_size for m in members) > MAX_TOTAL:
        return f"unpacks to more than {MAX_TOTAL // (1024 * 1024)} MB"
    for member in members:
        if member.file_size > MAX_PART:
            return (f"part {member.filename!r} unpacks to {member.file_size // (1024 * 1024)} MB, "
                    f"over the limit of {MAX_PART // (1024 * 1024)} MB")
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=False)
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        try:
            root = etree.fromstring(package.read(member), parser)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError, EOFError, OSError):
            return f"part {member.filename!r} is not well-formed XML"
        if root.getroottree().docinfo.doctype:
            return (f"part {member.filename!r} declares a DTD, which Word documents never do")
    return ""
