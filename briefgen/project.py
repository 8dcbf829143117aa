"""Where a project's content, templates and outputs live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BUNDLED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


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
        return own if own.is_dir() else BUNDLED_TEMPLATES

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
