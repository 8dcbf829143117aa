"""Stage 4: put a brief's files in place all at once, or not at all.

Each file is written to a temporary name beside its target and moved over it only when every
file of the brief is complete, so a crash never leaves a half-written or mixed set in output/.
The renames run with stop signals held (interrupt.py), so Ctrl-C never lands between two of
them; a process killed outright (SIGKILL) may leave a temporary, which the next build into the
folder removes (remove_temporaries).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from briefgen.interrupt import held

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")  # .<name>.<pid>.tmp, as write_files names them


def temporary_for(target: Path) -> Path:
    """The name a file is written under before it is moved into place."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file atomically; on any failure remove the temporaries and keep the old files.

    An OSError names the file that could not be written (never its temporary name)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = temporary_for(target)
            staged.append((temp, target))
            try:
                with open(temp, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(target)) from exc
        with held():
            for temp, target in staged:
                try:
                    os.replace(temp, target)
                except OSError as exc:
                    raise OSError(exc.errno, exc.strerror, str(target)) from exc
    finally:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def remove_temporaries(folder: Path, pids: set[int] | None = None) -> list[Path]:
    """Delete the temporaries write_files left under folder: those of the given processes, or
    all of them (only safe while the folder's build lock is held). Returns what it removed."""
    removed = []
    try:
        candidates = list(folder.rglob(".*.tmp"))
    except OSError:
        return removed
    for path in candidates:
        match = _TEMPORARY.match(path.name)
        if match and (pids is None or int(match[1]) in pids) and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
