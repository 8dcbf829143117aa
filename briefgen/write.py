"""Stage 4: put a brief's files in place all at once, or not at all.

Each file is written to a temporary name beside its target and moved over it only when every
file of the brief is complete, so a crash never leaves a half-written or mixed set in output/.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file atomically; on any failure remove the temporaries and keep the old files."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            staged.append((temp, target))
            with open(temp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
