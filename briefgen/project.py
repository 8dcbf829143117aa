"""Where a project's content, templates and outputs live."""

from __future__ import annotations

import atexit
import functools
import importlib.resources
import os
import shutil
import stat
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
    cwd = Path.cwd().resolve()
    for form in (Path(os.path.normpath(path.absolute())), path.resolve()):  # a link as named
        if form.is_relative_to(cwd):
            return str(form.relative_to(cwd))
    return str(path)


def content_root(path: Path, project: Project) -> Path:
    """The folder a brief (and its images) must stay inside: the project's content/ when the
    brief is named in it, else the brief's own folder. Decided by where the file is named, not
    where a link leads, so a link out of content/ is caught (load.check_source)."""
    here = Path(os.path.normpath(path.absolute()))  # where the file is named, links unresolved
    inside = here.is_relative_to(Path(os.path.normpath(project.content_dir.absolute())))
    return project.content_dir.resolve() if inside else here.parent


class NotAFile(ValueError):
    """A path that names a named pipe, a device, a socket or a folder: reading one could hang
    (a FIFO) or never end (/dev/zero), so only regular files are read."""


class TooLarge(ValueError):
    """A file over the size allowed for its kind, refused before it is read whole."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over the limit of {limit}")
        self.size, self.limit = size, limit


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most limit bytes. Raises NotAFile or TooLarge (both
    ValueError) before reading anything else, and OSError when it cannot be opened.

    The file is opened without blocking and checked on the open descriptor, so a FIFO put in
    a file's place never hangs the build, and a file growing while read stops at the limit."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
            raise NotAFile(f"is {kind}, not a file")
        if info.st_size > limit:
            raise TooLarge(info.st_size, limit)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)
