"""What a brief's output depends on, hashed: the key that decides whether to rebuild it.

A brief is rebuilt when its key changes, and its key changes when anything it depends on does:
its content file, every file of the templates folder (templates, CSS, labels, brand, logo,
reference document), the font files the brand names, the settings, the variants and formats
asked for, and briefgen's own version. Hashing is cheap next to rendering (a few milliseconds
for the whole project), so a no-op rebuild of a large corpus costs well under a second.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from briefgen import __version__
from briefgen.charts import MAX_CSV_BYTES
from briefgen.config import Config
from briefgen.theme import Theme

# Template files no brief's output depends on.
INDEPENDENT = {"index.html.j2", "pack.html.j2"}


def inputs_fingerprint(theme: Theme, config: Config, variants: tuple[str, ...],
                       formats: tuple[str, ...]) -> str:
    """One hash of everything every brief of the project depends on: the files of the theme
    as it resolves them (a project's own file, else the bundled one)."""
    digest = hashlib.sha256()
    digest.update(f"briefgen {__version__}\n".encode())
    digest.update(f"{sorted(variants)} {sorted(formats)}\n".encode())
    digest.update(config.model_dump_json().encode())
    for name, path in theme.files().items():
        if name not in INDEPENDENT:
            digest.update(f"\n{name}\n".encode())
            digest.update(path.read_bytes())
    for font in font_files(theme):
        stat = font.stat()
        digest.update(f"\n{font} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()


_CSV = re.compile(rb"^\s*csv:\s*[\"']?([^\s\"'#]+)", re.MULTILINE)


def brief_key(content: bytes, inputs: str, folder: Path | None = None) -> str:
    """The key of one brief: its content file's bytes, the bytes of the CSV files its charts
    read (found next to it, in folder), and the project's inputs. A CSV that cannot be read
    counts as empty: the build then reports it."""
    digest = hashlib.sha256(inputs.encode() + b"\0" + content)
    if folder is not None:
        for name in _CSV.findall(content):
            target = folder / name.decode("utf-8", "replace")
            try:  # a regular file of bounded size only: never a device or a pipe
                small = target.is_file() and target.stat().st_size <= MAX_CSV_BYTES
                data = target.read_bytes() if small else b""
            except (OSError, ValueError):
                data = b""
            digest.update(b"\0" + name + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def font_files(theme: Theme) -> list[Path]:
    """The files fontconfig picks for the brand's families: an updated font package changes the
    PDFs, so it must change the keys. Without fontconfig's fc-match, fonts are not tracked."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return []
    fonts = theme.brand.fonts
    found = []
    for family in (fonts.body, fonts.heading, fonts.arabic, fonts.cjk):
        for style in ("", ":bold"):
            pattern = re.sub(r"([\\:,=-])", r"\\\1", family) + style  # fontconfig's syntax
            path = subprocess.run([fc_match, "--format=%{file}", "--", pattern],
                                  capture_output=True, text=True, check=False).stdout.strip()
            if path:
                found.append(Path(path))
    return sorted(set(found))
