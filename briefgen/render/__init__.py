"""Stage 3: turn a variant's HTML into the bytes of each output format."""

from __future__ import annotations

from pathlib import Path

from briefgen.brand import load_brand

FORMATS = ("pdf", "docx")


def render(fmt: str, html: str, templates_dir: Path, content_dir: Path) -> bytes:
    """Render one format; the renderers are imported lazily so `check` never pays for them."""
    if fmt == "pdf":
        from briefgen.render.pdf import render_pdf

        return render_pdf(html, content_dir, (content_dir, templates_dir))
    if fmt == "docx":
        from briefgen.render.docx import render_docx

        return render_docx(html, load_brand(templates_dir / "brand.yaml"), templates_dir)
    raise ValueError(f"unknown format {fmt!r}")
