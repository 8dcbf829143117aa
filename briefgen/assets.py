"""Images in content: `![alt text](images/map.png)` lines in section bodies.

An image must be a PNG or JPEG file inside the content folder (symlinks are followed before the
check, so none leads out), and must say what it shows. The loader refuses anything else at the
line of the image; the renderers then embed the file as a data: URI, so neither WeasyPrint nor
the DOCX writer ever opens a path from content.
"""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

from briefgen.errors import Problem
from briefgen.markup import IMAGE
from briefgen.model import Brief
from briefgen.yamlsource import Parsed

KINDS = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}
MAX_BYTES = 10 * 1024 * 1024
# Pixels, checked in the file's header before decoding: a full A4 page at 300 dpi is 2480 x
# 3508 (8.7 million), so these leave room for any print use while bounding each worker's
# memory (about 4 bytes a pixel decoded: 100 MB) and WeasyPrint's time.
MAX_SIDE = 10_000
MAX_PIXELS = 25_000_000


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
    return _decodes(src, target)


def _decodes(src: str, target: Path) -> tuple[str, str]:
    """Read the image's size from its header and refuse one too large to lay out before
    decoding anything (a 30000 x 30000 PNG is a few kB on disk and gigabytes in memory, and
    WeasyPrint drops it without a word); then decode it whole, so a damaged file is refused
    here rather than dropped from the PDF or failing the Word file with no message."""
    from PIL import Image  # WeasyPrint's own image library; loaded only for briefs with images

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # ours is lower
            image = Image.open(target, formats=["PNG", "JPEG"])
        with image:
            width, height = image.size
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                return (f"image {src!r} is {width} x {height} pixels, over the limit of "
                        f"{MAX_SIDE} on a side and {MAX_PIXELS // 1_000_000} million in all",
                        "save a smaller version: 300 dpi across a page is 2500 pixels")
            image.load()
    except Image.DecompressionBombError:  # Pillow's own guard, far above ours
        return (f"image {src!r} is over the limit of {MAX_SIDE} pixels on a side and "
                f"{MAX_PIXELS // 1_000_000} million in all", "save a smaller version")
    except Exception as exc:  # Pillow raises many kinds for a damaged file
        detail = " ".join(str(exc).replace(str(target), src).split())[:120]
        detail = detail or type(exc).__name__
        return (f"image {src!r} is damaged and cannot be read ({detail})",
                "export it again as PNG or JPEG")
    return "", ""


def image_uri(src: str, base: Path) -> str:
    """The checked image as a data: URI for the HTML both renderers read."""
    data = (base / src).read_bytes()
    kind = next(k for magic, k in KINDS.items() if data.startswith(magic))
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"
