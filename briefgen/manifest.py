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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from briefgen import __version__
from briefgen.build import Output, Result
from briefgen.errors import BuildError
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


def read_manifest(path: Path) -> Manifest:
    """A manifest from disk; an empty one when there is none or it cannot be read (a damaged
    cache only costs a full rebuild)."""
    try:
        return load_manifest(path)
    except (OSError, ValueError):
        return Manifest()


def load_manifest(path: Path) -> Manifest:
    """A manifest from disk; ValueError when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        briefs = [BriefEntry(**{**{k: v for k, v in b.items() if k != "variants"},
                                "files": [FileEntry(**f) for f in b["files"]]})
                  for b in data["briefs"]]
        return Manifest(briefs, data.get("changes", Manifest().changes),
                        data.get("generator", ""), data.get("build_date", ""),
                        [FileEntry(**f) for f in data.get("packs", [])])
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a briefgen manifest ({exc})") from None


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


def merge(manifests: list[tuple[Path, Manifest]], out_dir: Path) -> Manifest:
    """Join the manifests of a sharded build into one, paths made relative to out_dir."""
    merged: dict[str, BriefEntry] = {}
    for folder, manifest in manifests:
        for entry in manifest.briefs:
            for f in entry.files:
                f.path = _relative(folder / f.path, out_dir)
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
