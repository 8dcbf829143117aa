"""output/manifest.json and output/index.html: what was built, what failed, what changed.

The manifest is also the build cache: each brief's entry keeps the key of the inputs it was
built from (fingerprint.py), so the next build knows what it can skip. It holds no wall-clock
time, so two clean builds of the same input write the same manifest: its build date is
SOURCE_DATE_EPOCH's day when that is set (the reproducible-builds convention), else the newest
brief's date.

A status always says what happened to a brief in *this* build: built, unchanged (its key
matched), failed, or kept (not part of this build: only some briefs were named, or the build
was stopped first). What changed since the previous build is in `changes`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from briefgen import __version__
from briefgen.build import Output, Result
from briefgen.errors import BuildError
from briefgen.project import read_regular, shown_path
from briefgen.theme import Theme
from briefgen.writers import FORMATS

MANIFEST = "manifest.json"
INDEX = "index.html"


FileEntry = Output  # one record of a file, in results and in the manifest


@dataclass
class BriefEntry:
    """One brief: built, unchanged since the last build, failed (keeping its last files), or
    kept from an earlier build without being attempted in this one."""

    slug: str
    source: str
    title: str
    date: str
    status: str  # "built", "unchanged", "failed" or "kept"
    error: str = ""
    key: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)

    @property
    def variants(self) -> list[str]:
        """The variants this brief has files for, in build order."""
        return list(dict.fromkeys(f.variant for f in self.files if not f.kind))

    @property
    def redlines(self) -> list[FileEntry]:
        """The redlines of this build: what changed in the brief since the previous one."""
        return [f for f in self.files if f.kind == "changes"]


@dataclass
class Manifest:
    """Every brief of one build, sorted by slug, and the changes since the previous build."""

    briefs: list[BriefEntry] = field(default_factory=list)
    changes: dict[str, list] = field(default_factory=lambda: {"new": [], "updated": [],
                                                              "removed": []})
    generator: str = f"briefgen {__version__}"
    build_date: str = ""  # YYYY-MM-DD, see build_date()
    packs: list[FileEntry] = field(default_factory=list)  # `briefgen pack`'s files

    def by_slug(self) -> dict[str, BriefEntry]:
        """Entries keyed by slug."""
        return {b.slug: b for b in self.briefs}

    @property
    def failed(self) -> list[BriefEntry]:
        """The briefs whose last build failed."""
        return [b for b in self.briefs if b.status == "failed"]


MAX_BYTES = 64 * 1024 * 1024  # a manifest of 10,000 briefs is about 10 MB
# The extensions of the formats briefgen writes: the only files a manifest may name.
KINDS = tuple(f.extension for f in FORMATS.values())
Warn = Callable[[str], None]


def read_manifest(path: Path, warn: Warn) -> Manifest:
    """The previous build's manifest; an empty one when there is none. A damaged one only
    costs a full rebuild: warn says so in one line, and the build goes on."""
    if not os.path.lexists(path):
        return Manifest()
    try:
        return load_manifest(path, warn)
    except (OSError, ValueError) as exc:
        reason = exc if isinstance(exc, ValueError) else (
            f"{shown_path(path)}: cannot read it ({exc.strerror or exc})")
        warn(f"{reason}; every brief will be rebuilt")
        return Manifest()


def load_manifest(path: Path, warn: Warn) -> Manifest:
    """A manifest from disk, every value checked: a hand-edited or damaged one can name any
    path, and builds delete and link what it names. A brief entry that is not sound (a path
    outside the output folder or of a kind briefgen does not write, a field of the wrong type)
    is left out with a one-line warning; ValueError, in one line, when the file is not a
    manifest at all."""
    shown = shown_path(path)
    try:
        data = json.loads(read_regular(path, MAX_BYTES).decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSON, UTF-8, FIFO, size, nesting
        detail = "nested too deeply" if isinstance(exc, RecursionError) else _one_line(exc)
        raise ValueError(f"{shown}: not a briefgen manifest ({detail})") from None
    if not isinstance(data, dict) or not isinstance(data.get("briefs"), list):
        raise ValueError(f"{shown}: not a briefgen manifest (no list of briefs)")
    briefs = []
    for i, raw in enumerate(data["briefs"]):
        try:
            briefs.append(_brief_entry(raw))
        except ValueError as exc:
            warn(f"{shown}: briefs[{i}]: {exc}; entry ignored")
    changes = data.get("changes")
    if not (isinstance(changes, dict) and all(
            isinstance(changes.get(k), list) for k in ("new", "updated", "removed"))):
        changes = Manifest().changes
    generator, built_on = data.get("generator"), data.get("build_date")
    packs = []
    raw_packs = data.get("packs", [])
    for j, raw in enumerate(raw_packs if isinstance(raw_packs, list) else []):
        try:
            packs.append(_file_entry(raw, j))
        except ValueError as exc:
            warn(f"{shown}: packs: {exc}; entry ignored")
    return Manifest(briefs, changes, generator if isinstance(generator, str) else "",
                    built_on if isinstance(built_on, str) else "", packs)


def _brief_entry(raw: object) -> BriefEntry:
    if not isinstance(raw, dict):
        raise ValueError("not a mapping")
    texts = {}
    for name in ("slug", "source", "title", "date", "status", "error", "key"):
        value = raw.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"{name}: must be text")
        texts[name] = value
    if not texts["slug"]:
        raise ValueError("slug: missing")
    if texts["status"] not in ("built", "unchanged", "failed", "kept"):
        raise ValueError(f"status: unknown {_one_line(texts['status'])!r}")
    fields = raw.get("fields", {})
    if not (isinstance(fields, dict) and all(isinstance(v, str) for v in fields.values())):
        raise ValueError("fields: must map names to text")
    files = raw.get("files", [])
    if not isinstance(files, list):
        raise ValueError("files: must be a list")
    return BriefEntry(**texts, fields=dict(fields),
                      files=[_file_entry(f, j) for j, f in enumerate(files)])


def _file_entry(raw: object, j: int) -> FileEntry:
    if not isinstance(raw, dict):
        raise ValueError(f"files[{j}]: not a mapping")
    path, fmt, kind = raw.get("path"), raw.get("format"), raw.get("kind", "")
    if kind not in FILE_KINDS:
        raise ValueError(f"files[{j}].kind: unknown {_one_line(kind)!r}")
    if kind == "snapshot":  # the content a brief was built from, kept for its redline
        if not (isinstance(path, str) and path.endswith(SNAPSHOT_SUFFIX) and fmt == "yaml"
                and safe_output_path(path)):
            raise ValueError(f"files[{j}].path: {_one_line(path)!r} is not a snapshot inside "
                             "the output folder")
    elif not isinstance(path, str) or not safe_output_path(path):
        raise ValueError(f"files[{j}].path: {_one_line(path)!r} is not a file inside the output "
                         f"folder ({', '.join(KINDS)})")
    if kind != "snapshot" and (fmt not in KINDS or not path.endswith(f".{fmt}")):
        raise ValueError(f"files[{j}].format: must be one of {', '.join(KINDS)}, as the path")
    size, pages = raw.get("size"), raw.get("pages")
    if type(size) is not int or size < 0 or not (pages is None or type(pages) is int):
        raise ValueError(f"files[{j}]: size and pages must be whole numbers")
    variant, digest = raw.get("variant"), raw.get("sha256")
    if not isinstance(variant, str) or not isinstance(digest, str):
        raise ValueError(f"files[{j}]: variant and sha256 must be text")
    return FileEntry(path, variant, fmt, size, digest, pages, kind)


SNAPSHOT_SUFFIX = ".content.yaml"
FILE_KINDS = ("", "changes", "snapshot", "pack")  # a brief's file, its redline, its content
# snapshot, a briefing pack
_UNSAFE = re.compile(r"[\\:\x00-\x1f\x7f]")


def safe_output_path(path: str) -> bool:
    """Whether a path read from a manifest may be opened, deleted or linked: relative, in
    forward slashes, with no '..', '.', empty or hidden part, no drive, scheme (':') or
    control character, and ending in a format briefgen writes. Such a path can only name a
    file under the output folder (links inside it are checked where files are deleted), and
    never reads as a URL of its own (javascript:, data:)."""
    parts = path.split("/")
    stem, snapshot, rest = path.partition(SNAPSHOT_SUFFIX)  # a redline's snapshot of content
    extension = "md" if snapshot and not rest else path.rsplit(".", 1)[-1]
    return (bool(stem) and not _UNSAFE.search(path)
            and all(part and not part.startswith(".") for part in parts)
            and extension in KINDS)


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text[:200] + "..." if len(text) > 200 else text


def manifest_json(manifest: Manifest) -> bytes:
    """The manifest as stable, readable JSON."""
    data = asdict(manifest)
    data["briefs"] = [{**asdict(b), "variants": b.variants} for b in manifest.briefs]
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def entry_for(result: Result, key: str, out_dir: Path, previous: BriefEntry | None) -> BriefEntry:
    """The manifest entry of a brief just attempted. A failed brief keeps its previous files
    (they are still in place) and is marked failed with its first error line."""
    if not result.ok:
        return BriefEntry(result.slug, result.source, previous.title if previous else "",
                          previous.date if previous else "", "failed", result.problems[0],
                          "", previous.fields if previous else {},
                          previous.files if previous else [])
    files = [replace(o, path=_relative(Path(o.path), out_dir)) for o in result.outputs]
    return BriefEntry(result.slug, result.source, result.title, result.date, "built", "", key,
                      result.fields, files)


def kept(entry: BriefEntry) -> BriefEntry:
    """An earlier build's entry carried into this one without the brief being attempted: its
    files and key stay, its status no longer claims what happened then."""
    return replace(entry, status="kept")


def changes(previous: Manifest, current: Manifest) -> dict[str, list]:
    """New, updated (with the fields that changed) and removed briefs since the last build, each
    with its title (the index shows titles; a removed brief's is the one it last had)."""
    before, after = previous.by_slug(), current.by_slug()
    updated = []
    for slug, entry in after.items():
        old = before.get(slug)
        if old is None or entry.status != "built" or not old.files:
            continue
        if {f.path: f.sha256 for f in old.files} != {f.path: f.sha256 for f in entry.files}:
            fields = sorted(k for k in entry.fields.keys() | old.fields.keys()
                            if entry.fields.get(k) != old.fields.get(k))
            updated.append({"slug": slug, "title": entry.title, "fields": fields})
    return {"new": [{"slug": s, "title": e.title} for s, e in after.items() if s not in before],
            "updated": updated,
            "removed": [{"slug": s, "title": e.title} for s, e in before.items()
                        if s not in after]}


def build_date(briefs: list[BriefEntry]) -> str:
    """The date a build is shown as made on, without reading the clock, so the same input gives
    the same manifest and index: SOURCE_DATE_EPOCH's day (UTC) when it is set, as CI sets it to
    the run's day, else the newest brief's date ("" for a build with no dated brief)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise BuildError(f"SOURCE_DATE_EPOCH: {epoch!r} is not a time (hint: seconds since "
                             "1970-01-01 UTC, e.g. $(date +%s))") from None
    return max((b.date for b in briefs if b.date), default="")


def reading_order(manifest: Manifest) -> list[BriefEntry]:
    """The index's order: briefs new or updated in this build first, then the newest; ties by
    title. The manifest itself stays sorted by slug, for stable diffs."""
    changed = {c["slug"] for key in ("new", "updated") for c in manifest.changes[key]}
    by_title = sorted(manifest.briefs, key=lambda b: (b.title or b.slug).casefold())
    by_date = sorted(by_title, key=lambda b: b.date, reverse=True)
    return sorted(by_date, key=lambda b: b.slug not in changed)


def merge(manifests: list[tuple[Path, Manifest]], out_dir: Path, warn: Warn) -> Manifest:
    """Join the manifests of a sharded build into one, paths made relative to out_dir. A brief
    whose files would then lie outside out_dir is left out with a warning: the joined manifest
    must pass the same checks as any other."""
    merged: dict[str, BriefEntry] = {}
    for folder, manifest in manifests:
        for entry in manifest.briefs:
            paths = [_relative(folder / f.path, out_dir) for f in entry.files]
            bad = next((p for p in paths if not safe_output_path(p)), None)
            if bad is not None:
                warn(f"{shown_path(folder)}: {entry.slug!r}: {bad!r} is outside "
                     f"{shown_path(out_dir)}/; entry left out (hint: merge into the folder that "
                     "holds the shards)")
                continue
            for f, path in zip(entry.files, paths, strict=True):
                f.path = path
            merged[entry.slug] = entry
    return Manifest([merged[s] for s in sorted(merged)])


def index_html(manifest: Manifest, theme: Theme, title: str,
               packs: list[FileEntry] | None = None) -> bytes:
    """The page a person opens to see every brief, from the theme's index.html.j2. packs are
    files about the whole build (a briefing pack), linked above the briefs when there are any;
    by default the manifest's own."""
    packs = manifest.packs if packs is None else packs
    changed = {key: {c["slug"]: c for c in manifest.changes[key]} for key in ("new", "updated")}
    page = theme.environment.get_template("index.html.j2").render(
        manifest=manifest, title=title, briefs=reading_order(manifest), changed=changed,
        packs=packs or [], kinds={f.name: f.label for f in FORMATS.values()})
    return page.encode()


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
