"""One build at a time per output folder: an flock on OUT/.briefgen.lock, held for the whole build.

A second `briefgen build` into the same folder stops at once with one line naming the first
one's pid, instead of the two interleaving their files and manifests. The lock file is removed
when the build ends (after checking, on taking it, that it is still the file on disk), so a
finished build leaves nothing behind, and a build killed outright leaves a file that locks
nothing: the kernel drops an flock with its process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.errors import BuildError
from briefgen.project import shown_path

LOCK_NAME = ".briefgen.lock"


@contextmanager
def output_lock(out_dir: Path) -> Iterator[bool]:
    """Hold the output folder's lock for the block, or raise BuildError if another process
    holds it. Yields whether the folder is locked: one that cannot be created or written is
    not (nothing can be written there either, and each brief reports that in its own words),
    nor one on a filesystem without locks."""
    fd = _acquire(out_dir)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                (out_dir / LOCK_NAME).unlink()  # still ours: nobody else can hold it now
            os.close(fd)


def _acquire(out_dir: Path) -> int | None:
    path = out_dir / LOCK_NAME
    while True:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            by = f"another briefgen process (pid {holder})" if holder else (
                "another briefgen process")
            raise BuildError(f"{shown_path(out_dir)}/ is being built by {by}; wait for it or "
                             "use --out") from None
        except OSError:
            os.close(fd)
            return None  # a filesystem without locks: build unlocked, as before
        try:
            current = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:  # not a file its last holder removed between our open and our lock
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)


def _holder(fd: int) -> int | None:
    """The pid the holder wrote into the lock file, if it has yet."""
    try:
        text = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
