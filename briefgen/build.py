"""The pipeline for one brief: load + validate -> Brief -> compose (variant) -> typed document
-> writers -> atomic write.

Each brief succeeds or fails on its own; a failure is reported as lines for people and never
stops the other briefs of a batch.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.compose import compose
from briefgen.config import Config
from briefgen.document import Document
from briefgen.errors import BuildError, ContentError, Problem, TemplateProblem
from briefgen.labels import long_date
from briefgen.load import load_brief, slug_of
from briefgen.model import Brief
from briefgen.pagebudget import document_blocks, over_budget
from briefgen.project import Project, content_root, shown_path
from briefgen.theme import Theme
from briefgen.write import write_files
from briefgen.writers import FORMATS, Options, writer


@dataclass
class Output:
    """One written file, as the manifest records it: path is absolute here, relative to the
    output folder in the manifest."""

    path: str
    variant: str
    format: str
    size: int
    sha256: str
    pages: int | None
    kind: str = ""  # "" a brief's file; "changes" a redline; "snapshot" the content built from


@dataclass
class Result:
    """What happened to one brief: the files written, or the problems that stopped it."""

    source: str
    slug: str
    outputs: list[Output] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    title: str = ""
    date: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # top-level field -> hash of its value

    @property
    def files(self) -> list[Path]:
        """The paths written."""
        return [Path(o.path) for o in self.outputs]

    @property
    def ok(self) -> bool:
        """True when every requested file was written."""
        return not self.problems


def output_path(out_dir: Path, slug: str, variant: str, fmt: str, kind: str = "") -> Path:
    """output/<slug>/<slug>-<variant>.<ext>: one folder per brief, names that travel well; a
    redline is <slug>-<variant>-changes.<ext> beside it."""
    suffix = f"-{kind}" if kind else ""
    return out_dir / slug / f"{slug}-{variant}{suffix}.{FORMATS[fmt].extension}"


def snapshot_path(out_dir: Path, slug: str) -> Path:
    """The content a --redline build was made from, kept beside its files: the next build's
    "previous version"."""
    return out_dir / slug / f"{slug}.content.yaml"


def build_brief(path: Path, shown: str, project: Project, theme: Theme,
                variants: tuple[str, ...], formats: tuple[str, ...], out_dir: Path,
                config: Config, debug: bool = False, redline: bool = False) -> Result:
    """Build every requested variant and format of one brief, writing them together.

    A variant over its page budget fails the brief like any content error: nothing of it is
    written, and its previous files stay. With redline, the brief's content is kept beside its
    files, and when it differs from the content kept by the previous build, each variant also
    gets a redline (<slug>-<variant>-changes.docx and .pdf).
    """
    started = time.perf_counter()
    result = Result(shown, slug_of(path))
    try:
        brief = load_brief(path, shown, theme.languages, content_root(path, project))
        result.title, result.date = brief.title, brief.date.isoformat()
        result.fields = field_hashes(brief)
        files: dict[Path, bytes] = {}
        options = Options(config.pdf_variant, (project.content_dir,))
        for name in variants:
            variant = theme.variants[name]
            document = compose(brief, variant, theme, path.parent)
            budget = config.page_budget.get(name, variant.page_budget)
            early = over_budget(shown, name, document_blocks(document), budget,
                                variant.over_budget_hint)
            if early:  # clearly over: fail now rather than after minutes of layout
                raise ContentError([early])
            for fmt in formats:
                written = writer(fmt)(document, theme, options)
                check_budget(shown, name, written.pages, budget, variant.over_budget_hint)
                target = output_path(out_dir, result.slug, name, fmt)
                files[target] = written.data
                result.outputs.append(Output(
                    str(target), name, fmt, len(written.data),
                    hashlib.sha256(written.data).hexdigest(), written.pages))
        if redline:
            _redlines(path, project, theme, brief, variants, out_dir, options, files, result)
        write_files(files)
    except ContentError as exc:
        result.outputs = []
        result.problems = [str(p) for p in exc.problems]
    except TemplateProblem as exc:  # the template's line first: that is what to fix
        if debug:
            raise
        result.outputs = []
        result.problems = [exc.during(shown)]
    except Exception as exc:  # one brief's failure must not sink the others of a batch
        if debug:
            raise
        result.outputs = []
        result.problems = [f"{shown}: {_describe(exc)}"]
    result.seconds = time.perf_counter() - started
    return result


def _redlines(path: Path, project: Project, theme: Theme, brief: Brief,
              variants: tuple[str, ...], out_dir: Path, options: Options,
              files: dict[Path, bytes], result: Result) -> None:
    """Add the redlines of a brief whose content changed since the previous --redline build,
    and this build's snapshot of its content. A snapshot that cannot be read (damaged, or an
    image it names is gone) only means no redline: the brief itself still builds."""
    content = path.read_bytes()
    snapshot = snapshot_path(out_dir, result.slug)
    previous = None
    if snapshot.is_file() and snapshot.read_bytes() != content:
        try:
            previous = load_snapshot(snapshot, path, project)
        except ContentError:
            previous = None
    for name in variants:
        document = _redline(previous, brief, name, theme, path.parent) if previous else None
        if document is None:
            continue
        for fmt in ("docx", "pdf"):
            written = writer(fmt)(document, theme, options)
            target = output_path(out_dir, result.slug, name, fmt, "changes")
            files[target] = written.data
            result.outputs.append(Output(str(target), name, fmt, len(written.data),
                                         hashlib.sha256(written.data).hexdigest(),
                                         written.pages, "changes"))
    files[snapshot] = content
    result.outputs.append(Output(str(snapshot), "", "yaml", len(content),
                                 hashlib.sha256(content).hexdigest(), None, "snapshot"))


# A field a brief's reader knows by another label: `summary` is printed as the bottom line.
LABEL_OF = {"summary": "bottom_line"}


def _redline(previous: Brief, brief: Brief, name: str, theme: Theme, base: Path
             ) -> Document | None:
    """One variant's redline, opening with the box that says since when and which parts
    changed; None when nothing it shows changed, or the previous version no longer composes
    (a language or an image the project has dropped)."""
    from briefgen.redline import changed, redline

    variant = theme.variants[name]
    try:
        old = compose(previous, variant, theme, base)
    except (OSError, ValueError, KeyError, BuildError, TemplateProblem):
        return None
    labels = theme.labels(brief.language)
    before, after = field_hashes(previous), field_hashes(brief)
    named = labels.model_dump()
    fields = [str(named.get(LABEL_OF.get(k, k)) or k.replace("_", " "))
              for k in sorted(before.keys() | after) if before.get(k) != after.get(k)]
    document = redline(old, compose(brief, variant, theme, base), theme.brand.name,
                       previous.date,
                       labels.changes_since.format(date=long_date(previous.date,
                                                                  labels.locale)),
                       labels.changed_fields.format(fields=", ".join(fields)))
    return document if changed(document) else None


def load_snapshot(snapshot: Path, path: Path, project: Project) -> Brief:
    """The previous version of a brief, from the snapshot a build kept: validated like any
    brief, and its images checked to be inside the brief's own content folder (a snapshot
    comes from an earlier build's folder, which is untrusted like everything else)."""
    from briefgen.assets import check_images
    from briefgen.load import check_references, load_model

    brief, parsed = load_model(snapshot, Brief, shown_path(snapshot))
    problems = check_references(brief, parsed)
    problems += check_images(brief, parsed, content_root(path, project), path.parent)
    if problems:
        raise ContentError(problems)
    return brief


def field_hashes(brief: Brief) -> dict[str, str]:
    """A short hash of each top-level field, so the index can say which fields an updated
    brief changed (title, key_points, sections...)."""
    data = brief.model_dump(mode="json", exclude_none=True)
    return {name: hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False)
                                 .encode()).hexdigest()[:12]
            for name, value in data.items()}


def check_budget(shown: str, variant: str, pages: int | None, budget: int | None,
                 hint: str) -> None:
    """Fail a variant that laid out longer than its page budget."""
    if pages is not None and budget is not None and pages > budget:
        raise ContentError([Problem(
            shown, None, None, "", f"{variant} variant is {pages} pages, budget is {budget}; "
            f"{hint}")])


def _describe(exc: Exception) -> str:
    """One line for a failure that is not the content's fault."""
    if isinstance(exc, OSError):
        target = f" {shown_path(Path(exc.filename))}" if exc.filename else ""
        return f"cannot write{target}: {exc.strerror or exc}"
    if isinstance(exc, BuildError):
        return str(exc)
    detail = " ".join(str(exc).split())  # one line, whatever the library said
    if len(detail) > 200:
        detail = detail[:200] + "..."
    return f"build failed: {type(exc).__name__}: {detail} (run with --debug for the traceback)"
