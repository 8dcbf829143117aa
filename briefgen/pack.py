"""`briefgen pack`: the briefs a reader should read this week, as one PDF and one DOCX.

Which briefs: those named (all of content/ by default), narrowed to those new or updated in the
last build (--changed, from the manifest's changes) or dated on or after a day (--since). Each
is loaded and composed in one variant as on its own; writers/pack.py puts them together. The
pack goes to OUT/pack/pack-<variant>.pdf and .docx and is listed in the manifest's `packs`, so
the index links it above the briefs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from briefgen.build import Output
from briefgen.compose import compose
from briefgen.config import Config
from briefgen.corpus import index_title
from briefgen.errors import BuildError, printable
from briefgen.labels import long_date
from briefgen.load import load_brief, slug_of
from briefgen.lock import output_lock
from briefgen.manifest import INDEX, MANIFEST, build_date, index_html, load_manifest, manifest_json
from briefgen.model import Brief
from briefgen.project import Project, content_root, shown_path
from briefgen.templating import template_errors
from briefgen.theme import Theme
from briefgen.write import write_files
from briefgen.writers import Options
from briefgen.writers.pack import Cover, write_docx, write_pdf

FOLDER = "pack"


@dataclass(frozen=True)
class Packed:
    """What `briefgen pack` wrote: the files (paths relative to the output folder) and the
    briefs in them, in order."""

    files: list[Output]
    slugs: list[str]


def changed_slugs(out_dir: Path) -> set[str]:
    """The briefs new or updated in the last build, from its manifest. A BuildError when there
    is no build to ask: --changed has nothing to compare with."""
    try:
        manifest = load_manifest(out_dir / MANIFEST, _warn)
    except (OSError, ValueError):
        raise BuildError(f"{shown_path(out_dir / MANIFEST)}: no build to take the changes from "
                         "(hint: run briefgen build first, or leave out --changed)") from None
    return {c["slug"] for key in ("new", "updated") for c in manifest.changes.get(key, [])}


def select(briefs: list[tuple[Path, Brief]], changed: set[str] | None,
           since: dt.date | None) -> list[tuple[Path, Brief]]:
    """The briefs a pack holds, newest first (ties by title), as the index lists them."""
    chosen = [(path, brief) for path, brief in briefs
              if (changed is None or slug_of(path) in changed)
              and (since is None or brief.date >= since)]
    chosen.sort(key=lambda pb: pb[1].title.casefold())
    return sorted(chosen, key=lambda pb: pb[1].date, reverse=True)


def make_pack(project: Project, theme: Theme, config: Config, files: list[Path], variant: str,
              out_dir: Path, changed: bool = False, since: dt.date | None = None
              ) -> Packed | None:
    """Load, select, compose and write the pack; record it in the manifest and the index when
    the output folder holds a build. None when no brief is selected (nothing is written).

    A brief that does not load raises ContentError: a pack missing a brief silently would be
    worse than no pack."""
    wanted = changed_slugs(out_dir) if changed else None
    loaded = [(path, load_brief(path, shown_path(path), theme.languages,
                                content_root(path, project)))
              for path in files if wanted is None or slug_of(path) in wanted]
    chosen = select(loaded, wanted, since)
    if not chosen:
        return None
    documents = [compose(brief, theme.variants[variant], theme, path.parent)
                 for path, brief in chosen]
    cover = _cover([b for _, b in chosen], theme, variant)
    options = Options(config.pdf_variant, (project.content_dir,))
    target = out_dir / FOLDER / f"pack-{variant}"
    written = {"pdf": write_pdf(documents, cover, theme, options),
               "docx": write_docx(documents, cover, theme, options)}
    outputs = [Output(f"{FOLDER}/{target.name}.{fmt}", variant, fmt, len(w.data),
                      hashlib.sha256(w.data).hexdigest(), w.pages, "pack")
               for fmt, w in written.items()]
    with output_lock(out_dir):
        write_files({target.with_suffix(f".{fmt}"): w.data for fmt, w in written.items()})
        _record(out_dir, outputs, theme)
    return Packed(outputs, [slug_of(path) for path, _ in chosen])


def _cover(briefs: list[Brief], theme: Theme, variant: str) -> Cover:
    """The cover: the brand's organisation, the build's week and day (SOURCE_DATE_EPOCH's, else
    the newest brief's), every classification the briefs carry, in the briefs' main language."""
    language = Counter(b.language for b in briefs).most_common(1)[0][0]
    labels = theme.labels(language)
    day = build_date([]) or max(b.date for b in briefs).isoformat()
    date = dt.date.fromisoformat(day)
    year, week, _ = date.isocalendar()
    first = theme.variants[variant]
    logo = None
    if theme.brand.logo:
        from briefgen.document import Image

        data = theme.asset(theme.brand.logo.file)
        logo = Image(data, "image/png" if data.startswith(b"\x89PNG") else "image/jpeg",
                     theme.brand.logo.alt, (), theme.brand.logo.width)
    return Cover(
        title=labels.briefing_pack, organisation=theme.brand.name,
        week=f"{labels.week.format(week=week)}, {year}", date=date,
        date_text=long_date(date, labels.locale),
        classification=" / ".join(dict.fromkeys(b.classification for b in briefs)),
        variant=variant, variant_label=theme.variant_label(first, labels),
        contents=labels.contents, language=language,
        letterhead=theme.brand.letterhead or theme.brand.name, page_of=labels.page_parts(),
        logo=logo)


def _record(out_dir: Path, outputs: list[Output], theme: Theme) -> None:
    """List the pack in the manifest and the index, replacing an older pack of the same
    variant; nothing when the folder holds no build (no manifest)."""
    try:
        manifest = load_manifest(out_dir / MANIFEST, _warn)
    except (OSError, ValueError):
        return
    paths = {o.path for o in outputs}
    manifest.packs = [p for p in manifest.packs if p.path not in paths
                      and (out_dir / p.path).is_file()] + outputs
    with template_errors(theme.folders):
        index = index_html(manifest, theme, index_title(theme))
    write_files({out_dir / MANIFEST: manifest_json(manifest), out_dir / INDEX: index})


def _warn(message: str) -> None:
    """A bad entry in the manifest: said on stderr and left out."""
    print(printable(message), file=sys.stderr)
