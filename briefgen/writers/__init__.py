"""The format registry: each output format is one writer module and one row here.

A writer module has one function, `write(document, theme, options) -> Written`, and reads only
the typed document (and the theme, for the look): never another writer's output. Build, corpus,
manifest and the command line know formats only through this registry, so adding a format is
adding its module and its row.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from briefgen.document import Document
    from briefgen.theme import Theme


@dataclass(frozen=True)
class Format:
    """One output format."""

    name: str  # on the command line and in the manifest
    extension: str
    label: str  # how the index page names its files
    paged: bool  # whether the writer lays out pages (and so knows the page count)
    default: bool  # built when no --format is given
    module: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("pdf", "pdf", "PDF", paged=True, default=True, module="briefgen.writers.pdf"),
    Format("docx", "docx", "Word", paged=False, default=True, module="briefgen.writers.docx"),
    Format("html", "html", "Web", paged=False, default=False, module="briefgen.writers.html"),
    Format("markdown", "md", "Markdown", paged=False, default=False,
           module="briefgen.writers.markdown"),
)}
DEFAULT_FORMATS = tuple(name for name, f in FORMATS.items() if f.default)


@dataclass(frozen=True)
class Options:
    """What a build tells every writer beyond the document and the theme."""

    pdf_variant: str = "pdf/ua-1"
    allowed: tuple[Path, ...] = ()  # folders a renderer may read (none reads the network)


@dataclass(frozen=True)
class Written:
    """A writer's result: the file's bytes, and its page count where the writer lays out
    pages."""

    data: bytes
    pages: int | None = None


class Writer(Protocol):
    """What a writer module's write function looks like."""

    def __call__(self, document: Document, theme: Theme, options: Options) -> Written: ...


def writer(name: str) -> Writer:
    """The write function of a format, its module imported on first use, so `check` never
    pays for the renderers."""
    return importlib.import_module(FORMATS[name].module).write


def preload(names: tuple[str, ...]) -> None:
    """Import the writers of these formats now (before forking workers, so each starts with
    them loaded)."""
    for name in names:
        importlib.import_module(FORMATS[name].module)
