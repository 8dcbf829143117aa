"""The command line: thin commands that find the briefs and hand them to the pipeline."""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from briefgen import __version__
from briefgen.brand import Brand
from briefgen.config import PDF_VARIANTS, Config, load_config
from briefgen.errors import BuildError, ContentError, printable
from briefgen.project import Project, briefs_in, shown_path
from briefgen.scaffold import SLUG, clean_title, new_brief
from briefgen.theme import Theme
from briefgen.write import write_files
from briefgen.writers import DEFAULT_FORMATS, FORMATS

if TYPE_CHECKING:
    from briefgen.build import Result  # also imported where it is used at run time
    from briefgen.corpus import Shard
    from briefgen.manifest import BriefEntry

# Commands import the rest of the pipeline when they run: `check` never loads the renderers
# or the worker pool, which keeps checking a hundred briefs under a second.


class _ShardType(click.ParamType):
    """K/N with 1 <= K <= N."""

    name = "shard"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            part, parts = (int(x) for x in str(value).split("/"))
        except ValueError:
            self.fail(f"{value!r} is not K/N, e.g. 2/4", param, ctx)
        if not 1 <= part <= parts:
            self.fail(f"{value!r}: K must be between 1 and N", param, ctx)
        return part, parts


SHARD = _ShardType()
CONTENT = click.argument("content", nargs=-1, type=click.Path(path_type=Path),
                         metavar="[CONTENT]...")


_LEVEL, _DEBUG = "briefgen.level", "briefgen.debug"  # set by --quiet/--verbose, --debug


def _root_meta() -> dict:
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().meta if ctx is not None else {}


def _set_level(level: int) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.find_root().meta[_LEVEL] = level
    return callback


def _merge_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """--debug before the command (briefgen --debug build) or after it (build --debug)."""
    root = ctx.find_root().meta
    root[_DEBUG] = bool(value or root.get(_DEBUG))
    return root[_DEBUG]


def _output_options(command: Callable, exposed_debug: bool = True) -> Callable:
    command = click.option("-v", "--verbose", is_flag=True, expose_value=False,
                           callback=_set_level(2),
                           help="Say more: where templates and settings come from, and every "
                                "brief, even on a terminal.")(command)
    command = click.option("-q", "--quiet", is_flag=True, expose_value=False,
                           callback=_set_level(0),
                           help="Print only problems and errors.")(command)
    return click.option("--debug", is_flag=True, expose_value=exposed_debug,
                        callback=_merge_debug,
                        help="Show full tracebacks for failures.")(command)


def debug_option(command: Callable) -> Callable:
    """--debug, --quiet and --verbose on every command, as well as before it."""
    return _output_options(command)


def _say(message: str = "", err: bool = False) -> None:
    """What a command did or found; left out with --quiet. Escaped as _tell escapes."""
    if _root_meta().get(_LEVEL, 1) >= 1:
        click.echo(printable(message), err=err)


def _detail(message: str) -> None:
    """Background for --verbose: which files a command reads."""
    if _root_meta().get(_LEVEL, 1) >= 2:
        click.echo(printable(message), err=True)


class _Briefgen(click.Group):
    """The command group: colours off under NO_COLOR, and an unexpected failure reported in one
    line unless --debug asks for the traceback."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        if os.environ.get("NO_COLOR"):  # https://no-color.org: set and not empty
            extra["color"] = False
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.meta.get(_DEBUG):
                raise
            click.echo(f"briefgen: internal error: {printable(str(exc)) or type(exc).__name__} "
                       "(hint: run again with --debug for the traceback, and report it)",
                       err=True)
            ctx.exit(1)


@click.group(cls=_Briefgen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
@_output_options
def main(debug: bool) -> None:
    """Build policy briefs from YAML content into PDF and Word documents.

    Run it in the folder that holds content/ (`briefgen init` starts one). --quiet, --verbose
    and --debug work before a command or after it. Colours are left out when NO_COLOR is set.
    """


def _content_files(project: Project, given: tuple[Path, ...]) -> list[Path]:
    """Named files, the briefs inside named folders, or all of content/ when none are named.

    A usage error (exit 2) when that comes to no brief at all: nothing could be attempted.
    """
    _no_mistyped_paths(given)
    found: list[Path] = []
    for path in given:
        found.extend(briefs_in(path) if path.is_dir() else [path])
    if not given and project.content_dir.is_dir():
        found = briefs_in(project.content_dir)
    if not found:
        where = ", ".join(f"{shown_path(f)}/" for f in given or [project.content_dir])
        hint = "add a .yaml file there or name one" if given else (
            "run briefgen in the folder that holds content/, or name the files to build")
        raise click.UsageError(f"no briefs found in {printable(where)} ({hint})")
    return found


def _no_mistyped_paths(given: tuple[Path, ...]) -> None:
    """A named file or folder that does not exist is a usage error (exit 2, one line each),
    caught before anything is built: a typo must never enter the manifest as a failed brief,
    nor leave it as a removed one at the next full build."""
    missing = [path for path in given if not path.exists()]
    for path in missing:
        near = []
        if path.parent.is_dir():
            near = difflib.get_close_matches(path.name, [p.name for p in briefs_in(path.parent)],
                                             n=1)
        hint = (f"did you mean {shown_path(path.parent / near[0])}?" if near
                else "name a brief file or a folder of them")
        _tell(f"{shown_path(path)}: no such file or folder (hint: {hint})")
    if missing:
        sys.exit(2)


def _settings(project: Project) -> tuple[Theme, Config]:
    """The project's theme (brand, variants) and briefgen.yaml, checked once before any brief:
    a mistake in either is reported once, not once per brief, and stops the run (exit 1)."""
    theme = Theme.for_project(project)
    try:
        theme.brand  # noqa: B018  (loaded now, so its mistakes come first)
        return theme, load_config(project.config_file, list(theme.variants))
    except (ContentError, BuildError) as exc:
        _stop(exc)


def _variants(theme: Theme, asked: tuple[str, ...]) -> tuple[str, ...]:
    """The variants asked for (all the theme has when none), each one the theme knows."""
    for name in asked:
        if name not in theme.variants:
            raise click.BadParameter(f"{name!r} is not one of {', '.join(theme.variants)}",
                                     param_hint="'--variant'")
    return asked or tuple(theme.variants)


def _brand(project: Project) -> Brand:
    """The project's brand, found through its theme; a mistake in it is reported a line per
    problem (exit 1)."""
    try:
        return Theme.for_project(project).brand
    except (ContentError, BuildError) as exc:
        _stop(exc)


def _stop(exc: ContentError | BuildError) -> NoReturn:
    """Report a broken brand, template or settings file a line per problem, and exit 1."""
    lines = map(str, exc.problems) if isinstance(exc, ContentError) else exc.messages
    for line in lines:
        _tell(line)
    sys.exit(1)


def _tell(line: str) -> None:
    """Print a problem for a person, on stderr, whatever --quiet says: file names and
    messages come from files anyone may have written, so whatever would act on the terminal
    (a newline, an escape, a bidi override) is shown escaped and a line stays a line."""
    click.echo(printable(line), err=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@main.command(short_help="Build briefs into PDF and Word files.")
@CONTENT
@click.option("--variant", "variants", multiple=True, metavar="NAME",
              help="Variant to build (repeatable): summary, full, or one of the project's "
                   "variants.yaml. Default: all.")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(FORMATS)),
              help="Output format (repeatable). Default: pdf and docx; html gives a "
                   "self-contained web page, markdown a CommonMark file.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder. Default: output/.")
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS),
              help="PDF flavour: pdf/ua-1 (tagged, accessible; the default) or a PDF/A for "
                   "archiving. Default: pdf_variant in briefgen.yaml.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Briefs built at once, in worker processes. Default: every core.")
@click.option("--force", is_flag=True, help="Rebuild every brief, changed or not.")
@click.option("--shard", type=SHARD, metavar="K/N",
              help="Build only the K-th of N stable parts of the briefs (for CI matrices); "
                   "the manifest is written as manifest.shard-K-of-N.json.")
@click.option("--watch", is_flag=True,
              help="Keep running: build, then build again each time a brief, a template or "
                   "briefgen.yaml is saved. Ctrl+C stops.")
@click.option("--redline", is_flag=True,
              help="Also write <slug>-<variant>-changes.docx and .pdf for each brief whose "
                   "content changed since the previous --redline build (tracked changes).")
@debug_option
def build(content: tuple[Path, ...], variants: tuple[str, ...], formats: tuple[str, ...],
          out: Path | None, pdf_variant: str | None, jobs: int | None, force: bool,
          shard: Shard | None, watch: bool, redline: bool, debug: bool) -> None:
    """Build briefs into PDF and Word files.

    CONTENT names brief files (.yaml) or folders of them; without it, every brief in content/
    is built. Files go to OUT/<slug>/<slug>-<variant>.<ext>, where the slug is the file name,
    with OUT/manifest.json and OUT/index.html listing every brief. A brief is rebuilt only when
    it, the templates, the fonts, the settings or briefgen changed. Every brief is attempted;
    one that fails is reported and keeps its previous files.

    \b
    Examples:
      briefgen build                          every brief in content/
      briefgen build content/water.yaml --variant summary --format pdf
      briefgen build --watch                  rebuild on every save
      briefgen build --redline                also mark what changed since the last build
    """
    project = Project(Path.cwd())

    def once() -> int:
        return _build_once(project, content, variants, formats, out, pdf_variant, jobs, force,
                           shard, debug, redline)

    if not watch:
        sys.exit(once())
    _watch(project, content, out or project.output_dir, once)


def _build_once(project: Project, content: tuple[Path, ...], variants: tuple[str, ...],
                formats: tuple[str, ...], out: Path | None, pdf_variant: str | None,
                jobs: int | None, force: bool, shard: Shard | None, debug: bool,
                redline: bool = False) -> int:
    """One build, as `briefgen build` without --watch runs it: the exit code it would give."""
    from briefgen.corpus import Request, build_corpus, default_jobs, in_shard
    from briefgen.load import slug_of

    files = _content_files(project, content)
    theme, config = _settings(project)
    if pdf_variant:
        config = config.model_copy(update={"pdf_variant": pdf_variant})
    _detail("templates: " + " over ".join(f"{shown_path(f)}/" for f in theme.folders)
            + "; settings: "
            + (shown_path(project.config_file) if project.config_file.is_file() else "defaults"))
    request = Request(project, theme, config, _variants(theme, variants),
                      formats or DEFAULT_FORMATS,
                      out or project.output_dir, jobs or default_jobs(), force, shard,
                      whole=not content, debug=debug, redline=redline)
    started = time.perf_counter()
    report = _Report(sum(in_shard(slug_of(f), shard) for f in files))
    try:
        manifest = build_corpus(request, [(f, shown_path(f)) for f in files], report.add)
    except BuildError as exc:
        report.close()
        if debug:
            raise
        for line in exc.messages:
            _tell(line)
        return 1
    report.close()
    counts = {s: sum(b.status == s for b in manifest.briefs if b.slug in report.seen)
              for s in ("built", "unchanged", "failed")}
    summary = (f"{_plural(counts['built'], 'brief')} built, {counts['unchanged']} unchanged, "
               f"{counts['failed']} failed in {time.perf_counter() - started:.1f} s")
    if counts["failed"]:
        _tell(summary)
        _tell("Failed:")
        for entry in manifest.failed:
            if entry.slug in report.seen:
                _tell(f"  {entry.error}")
    else:
        _say(summary)
    return 1 if counts["failed"] else 0


def _watched(project: Project, content: tuple[Path, ...], out_dir: Path) -> dict[Path, tuple]:
    """Modification time and size of every file a build reads: the briefs (and their images),
    the templates and briefgen.yaml. Polled, so it needs no file-system events and works on
    every platform and network drive."""
    roots = [*content] if content else [project.content_dir]
    roots += [project.templates_dir, project.config_file]
    seen: dict[Path, tuple] = {}
    out = out_dir.resolve()
    for root in roots:
        paths = root.rglob("*") if root.is_dir() else [root]
        for path in paths:
            try:
                if path.resolve().is_relative_to(out):
                    continue
                stat = path.stat()
            except OSError:
                continue  # gone between listing and looking: the next poll sees the change
            seen[path] = (stat.st_mtime_ns, stat.st_size)
    return seen


def _watch(project: Project, content: tuple[Path, ...], out_dir: Path,
           once: Callable[[], int], interval: float = 0.5) -> None:
    """Build, then build again whenever a watched file changes, until Ctrl+C.

    A mistake (a broken brief, a typo in briefgen.yaml, no brief left) is reported and the
    watch goes on, waiting for the fix. A stop signal during a build ends the watch once the
    build has recorded what it finished.
    """
    from briefgen.interrupt import Interrupted

    def run() -> None:
        try:
            once()
        except click.UsageError as exc:
            _tell(f"Error: {exc.format_message()}")
        except SystemExit:
            pass  # _settings() already said what is wrong with the settings
        except BuildError as exc:  # --debug re-raises; a stop signal ends the watch
            if isinstance(exc.__cause__, Interrupted):
                raise KeyboardInterrupt from exc
            for line in exc.messages:
                _tell(line)
        _say(f"watching for changes (Ctrl+C to stop) at {dt.datetime.now():%H:%M:%S}", err=True)

    try:
        seen = _watched(project, content, out_dir)
        run()
        while True:
            time.sleep(interval)
            now = _watched(project, content, out_dir)
            if now != seen:
                changed = sorted(shown_path(p) for p in now.keys() ^ seen.keys()
                                 | {p for p in now.keys() & seen.keys() if now[p] != seen[p]})
                seen = now
                _say(f"changed: {', '.join(changed[:3])}{' ...' * (len(changed) > 3)}",
                     err=True)
                run()
    except KeyboardInterrupt:
        _say("stopped watching", err=True)


class _Report:
    """Progress: a bar on a terminal; one plain line per brief otherwise (CI logs)."""

    def __init__(self, total: int) -> None:
        self.seen: set[str] = set()
        self.bar = None
        self.level = _root_meta().get(_LEVEL, 1)
        if sys.stderr.isatty() and total > 1 and self.level == 1:
            self.bar = click.progressbar(length=total, label="building", file=sys.stderr,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()

    def add(self, item: Result | BriefEntry) -> None:
        """Report one brief as it finishes."""
        from briefgen.build import Result
        from briefgen.manifest import BriefEntry

        self.seen.add(item.slug)
        if self.bar is not None:
            self.bar.update(1)
            if isinstance(item, Result) and not item.ok:
                click.echo("", err=True)
                for line in item.problems:
                    _tell(line)
            return
        if isinstance(item, BriefEntry):
            _say(f"unchanged {item.source}")
        elif item.ok:
            _say(f"built {item.source} -> {shown_path(item.files[0].parent)}/ "
                 f"({_plural(len(item.files), 'file')}, {item.seconds:.1f} s)")
        else:
            for line in item.problems:
                _tell(line)

    def close(self) -> None:
        """End the progress bar, if any."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command(short_help="Validate and lint briefs without building them.")
@CONTENT
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text: one line per problem; json: a list of objects, for tools.")
@click.option("--strict", is_flag=True, help="Fail on warnings as well as errors.")
@debug_option
def check(content: tuple[Path, ...], fmt: str, strict: bool, debug: bool) -> None:
    """Validate and lint briefs without building them, one line per problem:

    path:line:col: severity: field: message (hint: ...) [rule-id]

    Exit 1 if any error (or, with --strict, any warning). CONTENT names brief files or folders
    of them; without it, every brief in content/.
    """
    from briefgen.lint import check_all

    project = Project(Path.cwd())
    files = _content_files(project, content)
    theme, config = _settings(project)
    summary = theme.variants.get("summary")
    budget = config.page_budget.get("summary", summary.page_budget) if summary else None
    problems, count = check_all(project, theme, files, config.lint, budget=budget,
                                hint=summary.over_budget_hint if summary else "")
    if fmt == "json":
        text = json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
        click.echo("\n".join(printable(line) for line in text.split("\n")))
    else:
        for problem in problems:  # the problems are the answer: printed whatever --quiet says
            click.echo(printable(problem.lint_line()))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        _say(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in "
             f"{_plural(count, 'brief')}", err=True)
    else:
        _say(f"{_plural(count, 'brief')} OK", err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command("reference-doc", short_help="Write the Word reference document to restyle.")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@debug_option
def reference_doc(target: Path, debug: bool) -> None:
    """Write the Word document whose styles every DOCX brief uses, generated from the brand.

    Restyle it in Word (fonts, colours, spacing of the named styles), save it in templates/ and
    name it in brand.yaml as `reference_docx: <file name>`: briefs built afterwards take their
    look from it, with no change to code or templates.
    """
    from briefgen.writers.wordref import generated_reference

    project = Project(Path.cwd())
    brand = _brand(project)
    try:
        write_files({target: generated_reference(brand)})
    except (BuildError, OSError) as exc:
        if debug:
            raise
        if isinstance(exc, BuildError):
            for line in exc.messages:
                _tell(line)
        else:
            _tell(f"cannot write {target}: {exc.strerror}")
        sys.exit(1)
    _say(f"wrote {shown_path(target)}: restyle it in Word, then set reference_docx in "
         f"{shown_path(project.templates_dir / 'brand.yaml')}")


@main.command("merge-manifests", short_help="Join the manifests of a sharded build.")
@click.argument("manifests", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the joined manifest.json and index.html. Default: output/.")
@debug_option
def merge_manifests(manifests: tuple[Path, ...], out: Path | None, debug: bool) -> None:
    """Join the manifests of the parts of a sharded build (`build --shard K/N`) into one
    manifest.json and index.html, with file paths relative to OUT.

    The changes since the previous build are worked out against OUT/manifest.json, if any.
    """
    from briefgen.corpus import merge_into

    project = Project(Path.cwd())
    out_dir = out or project.output_dir
    try:
        merged = merge_into(out_dir, list(manifests), Theme.for_project(project))
    except (BuildError, ContentError) as exc:
        if debug:
            raise
        for line in exc.messages if isinstance(exc, BuildError) else map(str, exc.problems):
            _tell(line)
        sys.exit(1)
    failed = len(merged.failed)
    _say(f"merged {_plural(len(manifests), 'manifest')}: "
         f"{_plural(len(merged.briefs), 'brief')}, {failed} failed -> "
         f"{shown_path(out_dir / 'index.html')}")
    sys.exit(1 if failed else 0)


@main.command(short_help="One PDF and one Word file holding several briefs.")
@CONTENT
@click.option("--variant", default="summary", show_default=True, metavar="NAME",
              help="The variant every brief is packed in: summary, full, or one of the "
                   "project's variants.yaml.")
@click.option("--changed", is_flag=True,
              help="Only the briefs new or updated in the last build (OUT/manifest.json).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only the briefs dated on or after this day.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder; the pack goes to OUT/pack/. Default: output/.")
@debug_option
def pack(content: tuple[Path, ...], variant: str, changed: bool, since: dt.datetime | None,
         out: Path | None, debug: bool) -> None:
    """Write a briefing pack: OUT/pack/pack-<variant>.pdf and .docx, one file each holding a
    cover (organisation, week, date, classification), a contents list with page numbers, then
    each brief with its own running title, marking and numbered sources.

    CONTENT names brief files or folders (default: every brief in content/). The pack is
    listed in OUT/manifest.json and OUT/index.html when OUT holds a build.

    \b
    Examples:
      briefgen pack                           every brief, summary variant
      briefgen pack --changed                 what the last build added or updated
      briefgen pack --since 2025-07-01 --variant full
    """
    from briefgen.pack import make_pack

    if changed and since:
        raise click.UsageError("--changed and --since choose briefs in two ways: give one")
    project = Project(Path.cwd())
    files = _content_files(project, content)
    theme, config = _settings(project)
    (variant,) = _variants(theme, (variant,))
    out_dir = out or project.output_dir
    try:
        packed = make_pack(project, theme, config, files, variant, out_dir, changed,
                           since.date() if since else None)
    except ContentError as exc:
        if debug:
            raise
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except BuildError as exc:
        if debug:
            raise
        click.echo(str(exc), err=True)
        sys.exit(1)
    if packed is None:
        why = ("no brief was new or updated in the last build" if changed else
               f"no brief is dated on or after {since.date()}" if since else "no brief")
        _say(f"{why}: no pack written")
        return
    shown = ", ".join(f"{shown_path(out_dir / f.path)}"
                      + (f" ({_plural(f.pages, 'page')})" if f.pages else "")
                      for f in packed.files)
    _say(f"packed {_plural(len(packed.slugs), 'brief')} ({variant}) -> {shown}")


@main.command(short_help="Start a new brief from a commented example.")
@click.argument("slug")
@click.option("--title", help="The brief's title. Default: made from the slug.")
@debug_option
def new(slug: str, title: str | None, debug: bool) -> None:
    """Write content/SLUG.yaml: every field present, each with a comment, valid as written,
    so `briefgen build content/SLUG.yaml` works at once. Never overwrites a file.

    Also writes schema/brief.schema.json, which the first line of every brief points editors'
    YAML tooling at (autocomplete and checking while typing).

    \b
    Example:
      briefgen new water-security --title "Water security in Central Asia"
    """
    if not SLUG.fullmatch(slug):
        raise click.BadParameter("use lower-case letters, digits and dashes, e.g. "
                                 "russia-taliban-2025", param_hint="SLUG")
    if title is not None:
        try:
            title = clean_title(title)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--title") from None
    project = Project(Path.cwd())
    target = project.content_dir / f"{slug}.yaml"
    if target.exists():
        _say(f"{shown_path(target)} already exists; choose another slug or edit it",
              err=True)
        sys.exit(1)
    from briefgen.reference import json_schema

    organisation = _organisation(project)
    text = new_brief(title or slug.replace("-", " ").capitalize(), organisation,
                     dt.date.today())
    schema = project.root / "schema" / "brief.schema.json"
    _write_or_exit({target: text.encode(), schema: json_schema().encode()}, debug)
    _say(f"wrote {shown_path(target)} (and {shown_path(schema)} for your editor)")
    _say(f"next: briefgen check {shown_path(target)}, then briefgen serve "
         f"{shown_path(target)}")


def _organisation(project: Project) -> str:
    """The brand's organisation name, for the byline of a new brief."""
    return _brand(project).name


def _write_or_exit(files: dict[Path, bytes], debug: bool) -> None:
    """Write new files together; a folder that cannot be written is one line and exit 1."""
    try:
        write_files(files)
    except OSError as exc:
        if debug:
            raise
        where = shown_path(Path(exc.filename)) if exc.filename else "the files"
        _tell(f"cannot write {where}: {exc.strerror or exc}")
        sys.exit(1)


@main.command(short_help="Start a project: content/, settings, CI workflow.")
@click.argument("folder", default=".", metavar="[DIR]",
                type=click.Path(file_okay=False, path_type=Path))
@debug_option
def init(folder: Path, debug: bool) -> None:
    """Start a briefgen project in DIR (default: the current folder), for an organisation
    that keeps its briefs in a repository of its own:

    \b
      content/example-brief.yaml   an example brief that builds as written
      briefgen.yaml                every setting, commented, at its default
      .gitignore                   keeps output/ out of the repository
      .github/workflows/weekly-briefs.yml
                                   rebuilds every brief each Monday (GitHub)
      schema/brief.schema.json     autocomplete and checking in editors

    Nothing is overwritten: if any of these files exists, nothing is written. The bundled
    templates are used until the project adds a templates/ folder of its own.
    """
    from briefgen.starter import starter_files

    files = {folder / name: data for name, data in
             starter_files(_organisation(Project(folder)), dt.date.today()).items()}
    existing = [shown_path(path) for path in files if path.exists() or path.is_symlink()]
    if existing:
        click.echo(f"{', '.join(existing)} already exist{'s' * (len(existing) == 1)}; "
                   "nothing written (hint: init a new folder, or move those files away)",
                   err=True)
        sys.exit(1)
    _write_or_exit(files, debug)
    for path in files:
        _detail(f"wrote {shown_path(path)}")
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {shown_path(folder)} && "
    _say(f"started a briefgen project in {shown_path(folder)}/ ({_plural(len(files), 'file')})")
    _say(f"next: {go}briefgen new my-first-brief, then briefgen serve, then briefgen build")


@main.command("list", short_help="List the briefs: title, date and last build.")
@CONTENT
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder whose manifest.json gives the last build. Default: output/.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text: a table; json: a list of objects, for tools.")
@debug_option
def list_briefs(content: tuple[Path, ...], out: Path | None, fmt: str, debug: bool) -> None:
    """List the briefs with their title, date and the status of their last build: built,
    unchanged or failed, as OUT/manifest.json records it; "not built" when it has no record;
    "invalid" when the brief does not load now (`briefgen check` says why).

    CONTENT names brief files or folders; without it, every brief in content/.
    """
    from briefgen.listing import brief_rows

    project = Project(Path.cwd())
    files = _content_files(project, content)
    rows = brief_rows(files, out or project.output_dir)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    columns = [c for c in ("slug", "title", "date", "kind", "status") if any(c in r for r in rows)]
    table = [[printable(str(r.get(c, ""))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in table)) for i, c in enumerate(columns)]
    colours = {"built": "green", "unchanged": "green", "failed": "red", "invalid": "red",
               "not built": "yellow"}
    click.echo(click.style("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths,
                                                                         strict=True)).rstrip(),
                           bold=True))
    for row, raw in zip(table, rows, strict=True):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        cells[-1] = click.style(row[-1], fg=colours.get(raw["status"]))
        click.echo("  ".join(cells).rstrip())


@main.command(short_help="Print the JSON Schema of the content format.")
@debug_option
def schema(debug: bool) -> None:
    """Print the JSON Schema of a brief, generated from the same model that validates it.

    Point your editor at it (VS Code's YAML extension reads the `# yaml-language-server:
    $schema=...` first line that `briefgen new` writes).
    """
    from briefgen.reference import json_schema

    click.echo(json_schema(), nl=False)


@main.command(short_help="Preview briefs in the browser, reloading on every save.")
@CONTENT
@click.option("--variant", default="full", show_default=True, metavar="NAME",
              help="Variant shown first.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this computer can reach 127.0.0.1; another "
                   "address (0.0.0.0: every network) shows the briefs to anyone who can reach "
                   "this computer.")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the preview in the default web browser.")
@debug_option
def serve(content: tuple[Path, ...], variant: str, port: int, host: str, open_browser: bool,
          debug: bool) -> None:
    """Serve the HTML of briefs on http://HOST:PORT/, rebuilt from the files on every
    request; the page reloads by itself when a brief or template is saved. A content error
    shows in the page, with its file and line, until the file is fixed.

    CONTENT names brief files or folders; without it, an index of every brief in content/.

    \b
    Example:
      briefgen serve content/water-security.yaml --open
    """
    from briefgen.serve import make_server

    project = Project(Path.cwd())
    files = [f for path in content for f in (briefs_in(path) if path.is_dir() else [path])]
    theme, _ = _settings(project)
    _variants(theme, (variant,))
    try:
        server = make_server(project, files, variant, port, host)
    except (OSError, OverflowError) as exc:
        if debug:
            raise
        reason = getattr(exc, "strerror", None) or str(exc)
        _tell(f"cannot listen on {host}:{port}: {reason} "
              "(hint: try --port 0, or --host 127.0.0.1)")
        sys.exit(1)
    if not _loopback(host):
        _tell(f"warning: listening on {host}, not only on this computer: "
              "anyone who can reach it on the network can read these briefs "
              "(hint: leave out --host to preview on 127.0.0.1 only)")
    bound = server.server_address[0]
    shown_host = f"[{bound}]" if ":" in str(bound) else bound
    url = f"http://{shown_host}:{server.server_address[1]}/"
    _say(f"previewing on {url} (Ctrl+C to stop)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url.replace("0.0.0.0", "127.0.0.1"))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        _say("stopped", err=True)
    finally:
        server.server_close()


def _loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this computer only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
