"""Where a project's content, templates and outputs live."""

from __future__ import annotations

import atexit
import functools
import importlib.resources
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

# In a source checkout (and its editable install) the templates sit at the top of the repository.
_CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@functools.cache
def bundled_templates() -> Path:
    """The templates that ship with briefgen, as a real folder Jinja, WeasyPrint and the
    fingerprint can read.

    An installed wheel carries them as package data (briefgen/templates/, mapped from the
    repository's top-level templates/ by pyproject.toml); a source checkout has them next to
    the package. A package imported from a zip file has no folder to point at, so its
    templates are copied once into a temporary folder removed at exit.
    """
    packaged = importlib.resources.files("briefgen") / "templates"
    if isinstance(packaged, Path):
        return packaged if packaged.is_dir() else _CHECKOUT_TEMPLATES
    if not packaged.is_dir():
        return _CHECKOUT_TEMPLATES
    folder = Path(tempfile.mkdtemp(prefix="briefgen-templates-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _copy_tree(packaged, folder)
    return folder


def _copy_tree(source: Traversable, target: Path) -> None:
    for item in source.iterdir():
        if item.is_dir():
            (target / item.name).mkdir()
            _copy_tree(item, target / item.name)
        else:
            (target / item.name).write_bytes(item.read_bytes())


@dataclass(frozen=True)
class Project:
    """A folder holding content/ and optionally its own templates/, replacing the bundled ones."""

    root: Path

    @property
    def content_dir(self) -> Path:
        """Where `briefgen build` looks for briefs when none are named."""
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        """The project's templates/ if it has one, else the templates that ship with briefgen."""
        own = self.root / "templates"
        return own if own.is_dir() else bundled_templates()

    @property
    def config_file(self) -> Path:
        """Optional build settings (briefgen.yaml): PDF variant, page budgets."""
        return self.root / "briefgen.yaml"

    @property
    def output_dir(self) -> Path:
        """Default destination of built files."""
        return self.root / "output"


def briefs_in(folder: Path) -> list[Path]:
    """Every brief (*.yaml, *.yml) in a folder, in a stable order so logs are reproducible."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def content_root(path: Path, project: Project) -> Path:
    """The folder a brief's images must stay inside: the project's content/ when the brief is
    in it, else the brief's own folder."""
    root = project.content_dir.resolve()
    return root if path.resolve().is_relative_to(root) else path.parent
