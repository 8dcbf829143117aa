"""Building many briefs: skip what has not changed, render the rest in worker processes, and
record everything in the manifest and the index page.

Workers are forked once and kept for the whole build, so WeasyPrint, the fonts, the templates
and the reference document are loaded once per worker, not once per brief.

A build holds the output folder's lock (lock.py) from start to end, and stops cleanly on
SIGINT, SIGTERM or SIGHUP (interrupt.py): the workers are stopped, their temporaries removed, the
briefs finished so far are recorded in the manifest, and the next build does the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from briefgen.build import Result, build_brief
from briefgen.config import Config
from briefgen.errors import BuildError
from briefgen.fingerprint import brief_key, inputs_fingerprint
from briefgen.interrupt import Interrupted, hold_from_now, in_worker, stop_on_signals
from briefgen.load import slug_of
from briefgen.lock import output_lock
from briefgen.manifest import (
    INDEX,
    MANIFEST,
    BriefEntry,
    Manifest,
    build_date,
    changes,
    entry_for,
    index_html,
    kept,
    load_manifest,
    manifest_json,
    merge,
    read_manifest,
)
from briefgen.project import Project, read_regular, shown_path
from briefgen.templating import template_errors
from briefgen.theme import Theme
from briefgen.write import remove_temporaries, write_files
from briefgen.writers import preload
from briefgen.yamlsource import MAX_BYTES

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
Shard = tuple[int, int]  # (K, N): this run builds the K-th of N parts


@dataclass(frozen=True)
class Request:
    """What one `briefgen build` asks for."""

    project: Project
    theme: Theme
    config: Config
    variants: tuple[str, ...]
    formats: tuple[str, ...]
    out_dir: Path
    jobs: int = 1
    force: bool = False
    shard: Shard | None = None
    whole: bool = True  # the whole content folder: briefs gone from it leave the manifest
    debug: bool = False
    redline: bool = False  # keep each brief's content, and write redlines of what changed


def default_jobs() -> int:
    """Every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def in_shard(slug: str, shard: Shard | None) -> bool:
    """A stable split: a brief's shard depends on its slug only, never on the other briefs, so
    adding a brief does not move the rest between CI runners."""
    if shard is None:
        return True
    part, parts = shard
    return int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16) % parts == part - 1


def manifest_name(shard: Shard | None) -> str:
    """manifest.json, or manifest.shard-K-of-N.json for one part of a sharded build."""
    return MANIFEST if shard is None else f"manifest.shard-{shard[0]}-of-{shard[1]}.json"


def build_corpus(request: Request, files: list[tuple[Path, str]],
                 on_result: Callable[[Result | BriefEntry], None],
                 warn: Callable[[str], None] | None = None) -> Manifest:
    """Build the briefs that need it and write the manifest (and, unsharded, the index).

    files are (path, shown) pairs. on_result is called once per brief as it finishes: with
    its Result when built or failed, with its manifest entry when skipped as unchanged.
    warn gets one line for what the build works around (a damaged manifest, a stale lock);
    by default it goes to stderr.

    Raises BuildError, for one line and exit 1, when a template does not compile, when another
    build holds the output folder, and when a signal stopped the build (after recording the
    briefs it finished).
    """
    warn = warn or _to_stderr
    request.theme.check()
    with output_lock(request.out_dir, warn) as locked, stop_on_signals():
        if locked:  # left by a build killed outright; no other build is writing here now
            remove_temporaries(request.out_dir)
        return _build_locked(request, files, on_result, warn)


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _build_locked(request: Request, files: list[tuple[Path, str]],
                  on_result: Callable[[Result | BriefEntry], None],
                  warn: Callable[[str], None]) -> Manifest:
    out_dir = request.out_dir
    build_date([])  # a bad SOURCE_DATE_EPOCH stops the build before it starts
    previous = read_manifest(out_dir / manifest_name(request.shard), warn)
    before = previous.by_slug()
    inputs = inputs_fingerprint(request.theme, request.config, request.variants,
                                request.formats + (("redline",) if request.redline else ()))
    entries: dict[str, BriefEntry] = {}
    todo: list[tuple[Path, str, str, int]] = []
    done = 0
    try:
        for path, shown in files:
            slug = slug_of(path)
            if not in_shard(slug, request.shard):
                continue
            try:
                content = read_regular(path, MAX_BYTES)
            except (OSError, ValueError):
                content = b""  # build_brief reports it (missing, a FIFO...) in the usual words
            key = brief_key(content, inputs, path.parent)
            old = before.get(slug)
            if (not request.force and old is not None and old.status != "failed"
                    and old.key == key and _intact(old, out_dir)):
                entries[slug] = _without_redlines(replace(old, status="unchanged", source=shown),
                                                  out_dir)
                on_result(entries[slug])
            else:
                todo.append((path, shown, key, len(content)))
        late: list[tuple[Result, str]] = []  # finished as a signal stopped the build
        with contextlib.closing(_run(request, todo, late)) as runs:
            for result, key in runs:
                entries[result.slug] = entry_for(result, key, out_dir, before.get(result.slug))
                if result.ok and result.slug in before:
                    _remove_stale(before[result.slug], entries[result.slug], out_dir)
                done += 1
                on_result(result)
        stopped = None
    except Interrupted as exc:
        stopped = exc
    hold_from_now()  # the manifest and index are written whole, whatever arrives now
    for result, key in late if stopped else []:  # their files are written: record them
        entries[result.slug] = entry_for(result, key, out_dir, before.get(result.slug))
        done += 1
        on_result(result)
    if request.whole and not stopped:
        for slug, gone in before.items():
            if slug not in entries:
                _remove_files(gone, out_dir)
    else:  # stopped, or only some briefs named: the others keep their entries and files
        for slug, earlier in before.items():
            if slug not in entries:
                entries[slug] = kept(earlier)
    manifest = Manifest([entries[s] for s in sorted(entries)])
    manifest.changes = changes(previous, manifest)
    manifest.build_date = build_date(manifest.briefs)
    # A pack stays listed while its files are there; `briefgen pack` makes it anew.
    manifest.packs = [f for f in previous.packs if (out_dir / f.path).is_file()]
    outputs = {out_dir / manifest_name(request.shard): manifest_json(manifest)}
    if request.shard is None:
        with template_errors(request.theme.folders):
            outputs[out_dir / INDEX] = index_html(manifest, request.theme,
                                                  index_title(request.theme))
    try:
        write_files(outputs)
    except OSError as exc:
        target = shown_path(Path(exc.filename)) if exc.filename else str(out_dir)
        raise BuildError(f"cannot write {target}: {exc.strerror or exc}") from None
    if stopped:
        left = len(todo) - done
        raise BuildError(f"build stopped by {stopped.name}: {done} of {len(todo)} briefs "
                         f"finished and recorded; the other {left} keep their previous files "
                         "(hint: run the same build again to finish it)") from stopped
    return manifest


def _run(request: Request, todo: list[tuple[Path, str, str, int]],
         late: list[tuple[Result, str]] | None = None):
    """Build each (path, shown, key, size): in this process for one brief or one job, else in a
    pool of forked workers, biggest briefs first so no worker is left with a long one at the
    end. Yields (result, key) as briefs finish. Stopped early, it puts in late the briefs a
    worker finished (files written) that were not yielded yet."""
    global _theme
    args = (request.project, request.variants, request.formats, request.out_dir, request.config)
    jobs = min(request.jobs, len(todo))
    if jobs <= 1:
        for path, shown, key, _ in todo:
            yield build_brief(path, shown, args[0], request.theme, *args[1:],
                              debug=request.debug, redline=request.redline), key
        return
    preload(request.formats)  # before forking, so workers start with the writers loaded
    _theme = request.theme  # workers are forked: they inherit it instead of unpickling it
    order = sorted(todo, key=lambda task: -task[3])
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_started,
                               initargs=(os.getpid(),))
    finished = False
    futures: dict = {}
    try:
        futures = {pool.submit(_work, path, shown, *args, debug=request.debug,
                               redline=request.redline):
                   (path, shown, key) for path, shown, key, _ in order}
        for future in as_completed(futures):
            path, shown, key = futures.pop(future)
            try:
                yield future.result(), key
            except Exception as exc:  # a worker killed mid-brief: that brief failed, no more
                yield Result(shown, slug_of(path), problems=[
                    f"{shown}: build failed: worker stopped ({type(exc).__name__}: {exc})"]), key
        finished = True
    finally:  # also on Interrupted, and when build_corpus stops reading (GeneratorExit)
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop_workers(pool, request.out_dir)
            for future, (_, _, key) in futures.items() if late is not None else ():
                if future.done() and not future.cancelled() and future.exception() is None:
                    result = future.result()
                    if result.ok:
                        late.append((result, key))


_busy = False  # in a worker: whether it is building a brief now
_theme: Theme | None = None  # the build's theme, inherited by forked workers


def _worker_started(parent: int) -> None:
    """Set a worker up: its signals (interrupt.py), and its end with the build's process. If
    that process is killed outright (SIGKILL, the OOM killer), the kernel sends the worker
    SIGTERM, so no orphan renders on for nobody; the lock dies with the parent (lock.py)."""
    in_worker(lambda: _busy)
    _die_with(parent)


def _die_with(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)  # Linux only; elsewhere a no-op
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(128 + signal.SIGTERM)


def _work(path: Path, shown: str, project: Project, *args, **kwargs) -> Result:
    """build_brief in a worker. Told to stop mid-brief, the worker removes its temporaries
    (write_files does, as Interrupted unwinds through it) and ends; the parent records the rest."""
    global _busy
    _busy = True
    try:
        assert _theme is not None
        return build_brief(path, shown, project, _theme, *args, **kwargs)
    except Interrupted as exc:
        os._exit(128 + exc.signum)
    finally:
        _busy = False


def _stop_workers(pool: ProcessPoolExecutor, out_dir: Path, grace: float = 10.0) -> None:
    """Stop a pool mid-build: cancel what has not started, ask each worker to stop (SIGTERM),
    kill any that has not within the grace period, and remove whatever temporaries the
    workers still had under out_dir. A second Ctrl-C meanwhile waits: this takes seconds."""
    hold_from_now()
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1)
    remove_temporaries(out_dir, {p.pid for p in processes if p.pid})


def _intact(entry: BriefEntry, out_dir: Path) -> bool:
    """Whether a brief's recorded files are all still there at their recorded sizes."""
    for f in entry.files:
        try:
            if (out_dir / f.path).stat().st_size != f.size:
                return False
        except OSError:
            return False
    return bool(entry.files)


def _without_redlines(entry: BriefEntry, out_dir: Path) -> BriefEntry:
    """A brief unchanged in this build: the redlines of an earlier change are removed, since a
    redline says what changed since the previous build."""
    redlines = [f for f in entry.files if f.kind == "changes"]
    _remove_files(replace(entry, files=redlines), out_dir)
    return replace(entry, files=[f for f in entry.files if f.kind != "changes"])


def _remove_stale(old: BriefEntry, new: BriefEntry, out_dir: Path) -> None:
    """Delete the files a brief's previous build wrote and this one did not (a web page from an
    earlier --format html build, a variant no longer asked for): nothing left in the output
    folder that the index does not list."""
    produced = {f.path for f in new.files}
    _remove_files(replace(old, files=[f for f in old.files if f.path not in produced]), out_dir)


def _remove_files(entry: BriefEntry, out_dir: Path) -> None:
    """Delete the files of a brief whose content file is gone (only the files it recorded)."""
    root = out_dir.resolve()
    for f in entry.files:
        target = out_dir / f.path
        if not target.parent.resolve().is_relative_to(root):
            continue  # a folder linked out of output/: nothing there is the build's to delete
        with contextlib.suppress(OSError):
            target.unlink()
        with contextlib.suppress(OSError):
            target.parent.rmdir()  # only when nothing else is left in it


def index_title(theme: Theme) -> str:
    """The index page's title: the brand's name."""
    return f"{theme.brand.name}: briefs"


def merge_into(out_dir: Path, manifests: list[Path], theme: Theme,
               warn: Callable[[str], None] | None = None) -> Manifest:
    """Join shard manifests into out_dir/manifest.json and out_dir/index.html. A shard that is
    not a manifest stops the merge with one line; a bad entry in one is left out, with a
    warning (to stderr by default)."""
    warn = warn or _to_stderr
    with output_lock(out_dir, warn):
        return _merge_locked(out_dir, manifests, theme, warn)


def _merge_locked(out_dir: Path, manifests: list[Path], theme: Theme,
                  warn: Callable[[str], None]) -> Manifest:
    previous = read_manifest(out_dir / MANIFEST, warn)
    parts = []
    for path in manifests:
        try:
            parts.append((path.parent, load_manifest(path, warn)))
        except ValueError as exc:
            raise BuildError(str(exc)) from None
        except OSError as exc:
            raise BuildError(f"{shown_path(path)}: cannot read it ({exc.strerror or exc})") \
                from None
    manifest = merge(parts, out_dir, warn)
    manifest.changes = changes(previous, manifest)
    manifest.build_date = build_date(manifest.briefs)
    title = index_title(theme)
    with template_errors(theme.folders):
        index = index_html(manifest, theme, title)
    try:
        write_files({out_dir / MANIFEST: manifest_json(manifest), out_dir / INDEX: index})
    except OSError as exc:
        target = shown_path(Path(exc.filename)) if exc.filename else shown_path(out_dir)
        raise BuildError(f"cannot write {target}: {exc.strerror or exc}") from None
    return manifest
