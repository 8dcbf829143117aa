"""Stage 3: turn a variant's HTML into the bytes of each output format."""

from __future__ import annotations

from pathlib import Path

from briefgen.brand import load_brand

FORMATS = ("pdf", "docx", "html")
DEFAULT_FORMATS = ("pdf", "docx")  # html is asked for by name: for intranets and previews


def render(fmt: str, html: str, templates_dir: Path, content_dir: Path,
           pdf_variant: str = "pdf/ua-1") -> tuple[bytes, int | None]:
    """Render one format: its bytes, and its page count where the renderer lays out pages
    (the PDF; Word lays out the DOCX only when a reader opens it).

    The renderers are imported lazily so `check` never pays for them.
    """
    if fmt == "pdf":
        from briefgen.render.pdf import render_pdf

        return render_pdf(html, content_dir, (content_dir, templates_dir), pdf_variant)
    if fmt == "docx":
        from briefgen.render.docx import render_docx

        brand = load_brand(templates_dir / "brand.yaml")
        return render_docx(html, brand, templates_dir), None
    if fmt == "html":  # already self-contained: CSS inline, images as data: URIs
        return html.encode(), None
    raise ValueError(f"unknown format {fmt!r}")
