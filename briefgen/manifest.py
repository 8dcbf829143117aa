"""output/manifest.json and output/index.html: what was built, what failed, what changed.

The manifest is also the build cache: each brief's entry keeps the key of the inputs it was
built from (fingerprint.py), so the next build knows what it can skip. It holds no wall-clock
time, so two clean builds of the same input write the same manifest.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from briefgen import __version__
from briefgen.build import Output, Result
from briefgen.theme import Theme
from briefgen.writers import FORMATS

MANIFEST = "manifest.json"
INDEX = "index.html"


FileEntry = Output  # one record of a file, in results and in the manifest


@dataclass
class BriefEntry:
    """One brief: built, unchanged since the last build, or failed (keeping its last files)."""

    slug: str
    source: str
    title: str
    date: str
    status: str  # "built", "unchanged" or "failed"
    error: str = ""
    key: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)

    @property
    def variants(self) -> list[str]:
        """The variants this brief has files for, in build order."""
        return list(dict.fromkeys(f.variant for f in self.files))


@dataclass
class Manifest:
    """Every brief of one build, sorted by slug, and the changes since the previous build."""

    briefs: list[BriefEntry] = field(default_factory=list)
    changes: dict[str, list] = field(default_factory=lambda: {"new": [], "updated": [],
                                                              "removed": []})
    generator: str = f"briefgen {__version__}"

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
                        data.get("generator", ""))
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


def changes(previous: Manifest, current: Manifest) -> dict[str, list]:
    """New, updated (with the fields that changed) and removed briefs since the last build."""
    before, after = previous.by_slug(), current.by_slug()
    updated = []
    for slug, entry in after.items():
        old = before.get(slug)
        if old is None or entry.status != "built" or not old.files:
            continue
        if {f.path: f.sha256 for f in old.files} != {f.path: f.sha256 for f in entry.files}:
            fields = sorted(k for k in entry.fields.keys() | old.fields.keys()
                            if entry.fields.get(k) != old.fields.get(k))
            updated.append({"slug": slug, "fields": fields})
    return {"new": sorted(s for s in after if s not in before),
            "updated": updated,
            "removed": sorted(s for s in before if s not in after)}


def merge(manifests: list[tuple[Path, Manifest]], out_dir: Path) -> Manifest:
    """Join the manifests of a sharded build into one, paths made relative to out_dir."""
    merged: dict[str, BriefEntry] = {}
    for folder, manifest in manifests:
        for entry in manifest.briefs:
            for f in entry.files:
                f.path = _relative(folder / f.path, out_dir)
            merged[entry.slug] = entry
    return Manifest([merged[s] for s in sorted(merged)])


def index_html(manifest: Manifest, theme: Theme, title: str) -> bytes:
    """The page a person opens to see every brief, from the theme's index.html.j2."""
    page = theme.environment.get_template("index.html.j2").render(
        manifest=manifest, title=title, kinds={f.name: f.label for f in FORMATS.values()})
    return page.encode()


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
