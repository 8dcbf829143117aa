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
import secrets
import stat
from pathlib import Path

from briefgen.interrupt import held

# .<name>.briefgen-<pid>-<16 hex>.tmp, as write_files names them: a name no person or other
# program writes by accident, so the clean-up never touches a file of anyone else's.
_TEMPORARY = re.compile(r"^\..+\.briefgen-(\d+)-[0-9a-f]{16}\.tmp$")


def temporary_for(target: Path) -> Path:
    """The name a file is written under before it is moved into place: briefgen's own mark,
    the writing process's pid (so a build can tell its workers' leftovers) and a random part
    (so nobody can plant a file or link there in advance)."""
    return target.with_name(f".{target.name}.briefgen-{os.getpid()}-{secrets.token_hex(8)}.tmp")


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file atomically; on any failure remove the temporaries and keep the old files.

    An OSError names the file that could not be written (never its temporary name)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = temporary_for(target)
            try:
                with open(temp, "xb") as handle:  # never through a link planted there
                    staged.append((temp, target))
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
    those of processes no longer running (only safe while the folder's build lock is held).
    Only regular files named as write_files names them are removed, never a link or anything
    a person saved there. Returns what it removed."""
    removed: list[Path] = []
    candidates = [Path(where, name) for where, _, names in os.walk(folder)  # links not followed
                  for name in names]
    for path in candidates:
        match = _TEMPORARY.match(path.name)
        if not match or not _removable(int(match[1]), pids):
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISREG(path.lstat().st_mode):
                path.unlink()
                removed.append(path)
    return removed


def _removable(pid: int, pids: set[int] | None) -> bool:
    if pids is not None:
        return pid in pids
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True  # its writer is gone: a leftover of a build killed outright
    except OSError:
        return False  # running, under another user
    return False  # still running: may be writing it now

