"""One build at a time per output folder: an flock on OUT/.briefgen.lock, held for the whole build.

A second `briefgen build` into the same folder stops at once with one line naming the first
one's pid, instead of the two interleaving their files and manifests. The lock file is removed
when the build ends (after checking, on taking it, that it is still the file on disk), so a
finished build leaves nothing behind, and a build killed outright leaves a file that locks
nothing: the kernel drops an flock with its process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.errors import BuildError
from briefgen.project import shown_path

LOCK_NAME = ".briefgen.lock"


_held: set[int] = set()  # lock descriptors this process holds, closed in forked children


def _close_in_child() -> None:
    """A forked worker inherits the lock's descriptor; closing its copy (which does not
    unlock: the parent's copy still holds the flock) means the lock lives exactly as long as
    the build's own process, so no worker outliving a killed build keeps the folder locked."""
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def output_lock(out_dir: Path, notice: Callable[[str], None] | None = None) -> Iterator[bool]:
    """Hold the output folder's lock for the block, or raise BuildError if another process
    holds it. Yields whether the folder is locked: one that cannot be created or written is
    not (nothing can be written there either, and each brief reports that in its own words),
    nor one on a filesystem without locks.

    A lock file left by a build that is gone is taken over, saying so through notice. A lock
    file that is a link or a folder is not briefgen's: BuildError, and nothing is written."""
    fd = _acquire(out_dir, notice or (lambda line: None))
    if fd is not None:
        _held.add(fd)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            _held.discard(fd)
            with contextlib.suppress(OSError):
                (out_dir / LOCK_NAME).unlink()  # still ours: nobody else can hold it now
            os.close(fd)


def _acquire(out_dir: Path, notice: Callable[[str], None]) -> int | None:
    path = out_dir / LOCK_NAME
    shown = shown_path(path)
    while True:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise BuildError(f"{shown} is a symbolic link, not briefgen's lock file (hint: "
                                 "remove it; briefgen never writes through a link)") from None
            if exc.errno == errno.EISDIR:
                raise BuildError(f"{shown} is a folder, not briefgen's lock file "
                                 "(hint: remove or rename it)") from None
            if exc.errno == errno.ENOSPC:
                raise _no_room(shown, exc) from None
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise BuildError(f"{shown} is not a regular file, not briefgen's lock file "
                             "(hint: remove it)")
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
            current = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:  # not a file its last holder removed between our open and our lock
            left = _holder(fd)
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError as exc:
                os.close(fd)
                with contextlib.suppress(OSError):
                    path.unlink()
                raise _no_room(shown, exc) if exc.errno == errno.ENOSPC else BuildError(
                    f"cannot write {shown}: {exc.strerror or exc}") from None
            if left is not None and left != os.getpid():
                notice(f"{shown}: taking over the lock of briefgen process {left}, which "
                       "stopped without releasing it")
            return fd
        os.close(fd)


def _no_room(shown: str, exc: OSError) -> BuildError:
    return BuildError(f"cannot write {shown}: {exc.strerror or 'No space left on device'} "
                      "(hint: free some space on that disk, or build elsewhere with --out)")


def _holder(fd: int) -> int | None:
    """The pid the holder wrote into the lock file, if it has yet."""
    try:
        text = os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
