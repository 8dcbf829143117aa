"""`briefgen list`: what a project holds and how its last build went, without building.

The status comes from the output folder's manifest.json, the record every build leaves, so
listing reads each brief once and renders nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from briefgen.errors import ContentError, printable
from briefgen.load import load_brief, slug_of
from briefgen.manifest import MANIFEST, read_manifest
from briefgen.model import Brief
from briefgen.project import shown_path


def brief_rows(files: list[Path], out_dir: Path) -> list[dict[str, str]]:
    """One row per brief: slug, file, title, date, kind (once briefs have one) and the status
    of its last build: built, unchanged or failed (with its error) as the manifest records
    it, "not built" when the manifest does not know the brief, "invalid" (with the first
    problem) when the brief does not load now."""
    built = read_manifest(out_dir / MANIFEST, _warn).by_slug()
    rows = []
    for path in files:
        slug = slug_of(path)
        row = {"slug": slug, "file": shown_path(path), "title": "", "date": ""}
        entry = built.get(slug)
        try:
            brief = load_brief(path, shown_path(path))
        except ContentError as exc:
            row["status"], row["error"] = "invalid", str(exc.problems[0])
            if entry is not None:
                row["title"], row["date"] = entry.title, entry.date
            rows.append(row)
            continue
        row["title"], row["date"] = brief.title, brief.date.isoformat()
        if "kind" in Brief.model_fields:  # a field another change introduces
            row["kind"] = str(getattr(brief, "kind", "") or "")
        row["status"] = entry.status if entry is not None else "not built"
        if entry is not None and entry.error:
            row["error"] = entry.error
        rows.append(row)
    return rows


def _warn(message: str) -> None:
    """A bad entry in the manifest: said on stderr, and the brief shows as not built."""
    print(printable(message), file=sys.stderr)
