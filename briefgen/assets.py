"""Images in content: `![alt text](images/map.png)` lines in section bodies.

An image must be a PNG or JPEG file inside the content folder (symlinks are followed before the
check, so none leads out), and must say what it shows. The loader refuses anything else at the
line of the image; the renderers then embed the file as a data: URI, so neither WeasyPrint nor
the DOCX writer ever opens a path from content.
"""

from __future__ import annotations

import base64
from pathlib import Path

from briefgen.errors import Problem
from briefgen.markup import IMAGE
from briefgen.model import Brief
from briefgen.yamlsource import Parsed

KINDS = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}
MAX_BYTES = 10 * 1024 * 1024


def check_images(brief: Brief, parsed: Parsed, root: Path, base: Path) -> list[Problem]:
    """One problem per bad image line, placed on the line itself. Paths are relative to the
    brief's folder (base) and must stay inside root, the content folder."""
    problems = []
    for i, section in enumerate(brief.sections):
        loc = ("sections", i, "body")
        node = parsed.values.get(loc)
        for match in IMAGE.finditer(section.body):
            at = parsed.problem(loc, "")
            line, col = at.line, at.column
            if node is not None:
                raw = parsed.text.find(match.group(), node.start_mark.index)
                if raw >= 0:
                    line, col = parsed.position(raw)
            message, hint = _verdict(match["alt"], match["src"], root, base)
            if message:
                rule = "image-alt" if message.endswith("alt text") else "image-path"
                problems.append(Problem(parsed.path, line, col, at.field, message, hint,
                                        rule=rule))
    return problems


def _verdict(alt: str, src: str, root: Path, base: Path) -> tuple[str, str]:
    if not alt.strip():
        return ("image without alt text",
                "say what it shows between the brackets: ![Map of the region](map.png)")
    if not src:
        return "image without a file", "write the file name between the parentheses"
    if ":" in src.split("/")[0] or src.startswith(("/", "\\", "~")):
        return (f"image {src!r} is not a file in the content folder",
                "copy the image next to the brief and write its relative path")
    target = (base / src).resolve()
    if not target.is_relative_to(root.resolve()):
        return (f"image {src!r} leads outside the content folder",
                "copy the image into the content folder")
    if not target.is_file():
        return f"image {src!r} not found", f"looked for {target}"
    if target.stat().st_size > MAX_BYTES:
        return f"image {src!r} is larger than 10 MB", "save a smaller version"
    with target.open("rb") as handle:
        head = handle.read(8)
    if not any(head.startswith(magic) for magic in KINDS):
        return f"image {src!r} is not a PNG or JPEG file", "export it as PNG or JPEG"
    return "", ""


def image_uri(src: str, base: Path) -> str:
    """The checked image as a data: URI for the HTML both renderers read."""
    data = (base / src).read_bytes()
    kind = next(k for magic, k in KINDS.items() if data.startswith(magic))
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"
