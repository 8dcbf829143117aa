"""PDF through WeasyPrint: the document's HTML page and its print CSS, laid out on A4 pages."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from briefgen.document import Document
from briefgen.theme import Theme
from briefgen.writers import Options, Written
from briefgen.writers.html import page
from briefgen.writers.pdftags import finish

# WeasyPrint reports unsupported CSS and refused fetches as warnings; the build reports its own.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class LocalOnlyFetcher(URLFetcher):
    """Fetch nothing from the network, and no file outside the folders a build may read."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self._allowed = tuple(p.resolve() for p in allowed)

    def fetch(self, url: str, headers: dict[str, str] | None = None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            target = Path(unquote(parts.path)).resolve()
            if not any(target.is_relative_to(root) for root in self._allowed):
                raise ValueError(f"refusing to read {url}: outside the project's assets")
        elif parts.scheme != "data":
            raise ValueError(f"refusing to fetch {url}: builds never use the network")
        return super().fetch(url, headers)


def render_pdf(html: str, base_dir: Path, allowed: tuple[Path, ...],
               variant: str = "pdf/ua-1") -> tuple[bytes, int]:
    """Lay the HTML out as a tagged PDF of the given variant (PDF/UA or PDF/A), its structure
    tree finished by pdftags.finish; returns the bytes and the page count. Relative asset paths
    resolve against base_dir."""
    fetcher = LocalOnlyFetcher(allowed)
    document = HTML(string=html, base_url=f"{base_dir}/", url_fetcher=fetcher).render()
    return (document.write_pdf(pdf_variant=variant, pdf_tags=True, finisher=finish),
            len(document.pages))


def write(document: Document, theme: Theme, options: Options) -> Written:
    """The tagged PDF of a document, and its page count (the page budget is measured on it)."""
    base = options.allowed[0] if options.allowed else Path(".")
    data, pages = render_pdf(page(document, theme), base, options.allowed + theme.folders,
                             options.pdf_variant)
    return Written(data, pages)
