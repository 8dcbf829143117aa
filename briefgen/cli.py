"""The command line: thin commands that find the briefs and hand them to the pipeline."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefgen import __version__
from briefgen.brand import Brand, load_brand
from briefgen.config import PDF_VARIANTS, Config, load_config
from briefgen.errors import BuildError, ContentError, printable
from briefgen.project import Project, briefs_in, shown_path
from briefgen.render import DEFAULT_FORMATS, FORMATS
from briefgen.scaffold import SLUG, new_brief
from briefgen.variant import VARIANTS
from briefgen.write import write_files

if TYPE_CHECKING:
    from briefgen.build import Result  # also imported where it is used at run time
    from briefgen.corpus import Shard
    from briefgen.manifest import BriefEntry

# Commands import the rest of the pipeline when they run: `check` never loads the renderers
# or the worker pool, which keeps checking a hundred briefs under a second.


# Missing files are not a usage error: they are reported like any broken brief, and the
# other briefs are still built.
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


def debug_option(command: Callable) -> Callable:
    """--debug on every command: show tracebacks instead of one-line errors."""
    return click.option("--debug", is_flag=True, help="Show full tracebacks for failures.")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """Build policy briefs from YAML content into PDF and Word documents."""


def _content_files(project: Project, given: tuple[Path, ...]) -> list[Path]:
    """Named files, the briefs inside named folders, or all of content/ when none are named.

    A usage error (exit 2) when that comes to no brief at all: nothing could be attempted.
    """
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


def _settings(project: Project) -> Config:
    """The project's briefgen.yaml and brand file, checked once before any brief: a mistake in
    either is reported once, not once per brief, and stops the run (exit 1)."""
    _brand(project)
    try:
        return load_config(project.config_file)
    except ContentError as exc:
        for problem in exc.problems:
            _say(str(problem), err=True)
        sys.exit(1)


def _brand(project: Project) -> Brand:
    """The project's brand; a mistake in it is reported a line per problem (exit 1)."""
    try:
        return load_brand(project.templates_dir / "brand.yaml")
    except ContentError as exc:
        for problem in exc.problems:
            _say(str(problem), err=True)
        sys.exit(1)


def _say(line: str = "", err: bool = False) -> None:
    """Print one line for a person: file names and messages come from files anyone may have
    written, so whatever would act on the terminal (a newline, an escape, a bidi override) is
    shown escaped and a line stays a line."""
    click.echo(printable(line), err=err)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@main.command(short_help="Build briefs into PDF and Word files.")
@CONTENT
@click.option("--variant", "variants", multiple=True, type=click.Choice(VARIANTS),
              help="Variant to build (repeatable). Default: all.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Output format (repeatable). Default: pdf and docx; html gives a "
                   "self-contained web page.")
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
@debug_option
def build(content: tuple[Path, ...], variants: tuple[str, ...], formats: tuple[str, ...],
          out: Path | None, pdf_variant: str | None, jobs: int | None, force: bool,
          shard: Shard | None, debug: bool) -> None:
    """Build briefs into PDF and Word files.

    CONTENT names brief files (.yaml) or folders of them; without it, every brief in content/
    is built. Files go to OUT/<slug>/<slug>-<variant>.<ext>, where the slug is the file name,
    with OUT/manifest.json and OUT/index.html listing every brief. A brief is rebuilt only when
    it, the templates, the fonts, the settings or briefgen changed. Every brief is attempted;
    one that fails is reported and keeps its previous files.
    """
    from briefgen.corpus import Request, build_corpus, default_jobs, in_shard
    from briefgen.load import slug_of

    project = Project(Path.cwd())
    files = _content_files(project, content)
    config = _settings(project)
    if pdf_variant:
        config = config.model_copy(update={"pdf_variant": pdf_variant})
    request = Request(project, config, variants or VARIANTS, formats or DEFAULT_FORMATS,
                      out or project.output_dir, jobs or default_jobs(), force, shard,
                      whole=not content, debug=debug)
    started = time.perf_counter()
    report = _Report(sum(in_shard(slug_of(f), shard) for f in files))
    try:
        manifest = build_corpus(request, [(f, shown_path(f)) for f in files], report.add)
    except BuildError as exc:
        report.close()
        if debug:
            raise
        for line in exc.messages:
            _say(line, err=True)
        sys.exit(1)
    report.close()
    counts = {s: sum(b.status == s for b in manifest.briefs if b.slug in report.seen)
              for s in ("built", "unchanged", "failed")}
    summary = (f"{_plural(counts['built'], 'brief')} built, {counts['unchanged']} unchanged, "
               f"{counts['failed']} failed in {time.perf_counter() - started:.1f} s")
    _say(summary, err=bool(counts["failed"]))
    if counts["failed"]:
        _say("Failed:", err=True)
        for entry in manifest.failed:
            if entry.slug in report.seen:
                _say(f"  {entry.error}", err=True)
    sys.exit(1 if counts["failed"] else 0)


class _Report:
    """Progress: a bar on a terminal; one plain line per brief otherwise (CI logs)."""

    def __init__(self, total: int) -> None:
        self.seen: set[str] = set()
        self.bar = None
        if sys.stderr.isatty() and total > 1:
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
                _say("", err=True)
                for line in item.problems:
                    _say(line, err=True)
            return
        if isinstance(item, BriefEntry):
            _say(f"unchanged {item.source}")
        elif item.ok:
            _say(f"built {item.source} -> {shown_path(item.files[0].parent)}/ "
                  f"({_plural(len(item.files), 'file')}, {item.seconds:.1f} s)")
        else:
            for line in item.problems:
                _say(line, err=True)

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
    config = _settings(project)
    problems, count = check_all(project, files, config.lint)
    if fmt == "json":
        text = json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
        click.echo("\n".join(printable(line) for line in text.split("\n")))
    else:
        for problem in problems:
            _say(problem.lint_line())
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
    from briefgen.render.wordref import generated_reference

    project = Project(Path.cwd())
    brand = _brand(project)
    try:
        write_files({target: generated_reference(brand)})
    except (BuildError, OSError) as exc:
        if debug:
            raise
        reason = exc if isinstance(exc, BuildError) else f"cannot write {target}: {exc.strerror}"
        _say(str(reason), err=True)
        sys.exit(1)
    _say(f"wrote {shown_path(target)}: restyle it in Word, then set reference_docx in "
          f"{shown_path(project.templates_dir / 'brand.yaml')}")


@main.command("merge-manifests", short_help="Join the manifests of a sharded build.")
@click.argument("manifests", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the joined manifest.json and index.html. Default: output/.")
def merge_manifests(manifests: tuple[Path, ...], out: Path | None) -> None:
    """Join the manifests of the parts of a sharded build (`build --shard K/N`) into one
    manifest.json and index.html, with file paths relative to OUT.

    The changes since the previous build are worked out against OUT/manifest.json, if any.
    """
    from briefgen.corpus import merge_into

    project = Project(Path.cwd())
    out_dir = out or project.output_dir
    try:
        merged = merge_into(out_dir, list(manifests), project.templates_dir)
    except (BuildError, ContentError) as exc:
        for line in exc.messages if isinstance(exc, BuildError) else map(str, exc.problems):
            _say(line, err=True)
        sys.exit(1)
    failed = len(merged.failed)
    _say(f"merged {_plural(len(manifests), 'manifest')}: "
          f"{_plural(len(merged.briefs), 'brief')}, {failed} failed -> "
          f"{shown_path(out_dir / 'index.html')}")
    sys.exit(1 if failed else 0)


@main.command(short_help="Start a new brief from a commented example.")
@click.argument("slug")
@click.option("--title", help="The brief's title. Default: made from the slug.")
def new(slug: str, title: str | None) -> None:
    """Write content/SLUG.yaml: every field present, each with a comment, valid as written,
    so `briefgen build content/SLUG.yaml` works at once. Never overwrites a file.

    Also writes schema/brief.schema.json, which the first line of every brief points editors'
    YAML tooling at (autocomplete and checking while typing).
    """
    if not SLUG.fullmatch(slug):
        raise click.BadParameter("use lower-case letters, digits and dashes, e.g. "
                                 "russia-taliban-2025", param_hint="SLUG")
    project = Project(Path.cwd())
    target = project.content_dir / f"{slug}.yaml"
    if target.exists():
        _say(f"{shown_path(target)} already exists; choose another slug or edit it",
              err=True)
        sys.exit(1)
    from briefgen.reference import json_schema

    organisation = _brand(project).name
    text = new_brief(title or slug.replace("-", " ").capitalize(), organisation,
                     dt.date.today())
    schema = project.root / "schema" / "brief.schema.json"
    write_files({target: text.encode(), schema: json_schema().encode()})
    _say(f"wrote {shown_path(target)} (and {shown_path(schema)} for your editor)")
    _say(f"next: briefgen check {shown_path(target)}, then briefgen serve "
          f"{shown_path(target)}")


@main.command(short_help="Print the JSON Schema of the content format.")
def schema() -> None:
    """Print the JSON Schema of a brief, generated from the same model that validates it.

    Point your editor at it (VS Code's YAML extension reads the `# yaml-language-server:
    $schema=...` first line that `briefgen new` writes).
    """
    from briefgen.reference import json_schema

    click.echo(json_schema(), nl=False)


@main.command(short_help="Preview briefs in the browser, reloading on every save.")
@CONTENT
@click.option("--variant", type=click.Choice(VARIANTS), default="full", show_default=True,
              help="Variant shown first.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
def serve(content: tuple[Path, ...], variant: str, port: int) -> None:
    """Serve the HTML of briefs on http://127.0.0.1:PORT/, rebuilt from the files on every
    request; the page reloads by itself when a brief or template is saved. A content error
    shows in the page, with its file and line, until the file is fixed.

    CONTENT names brief files or folders; without it, an index of every brief in content/.
    """
    from briefgen.serve import make_server

    project = Project(Path.cwd())
    files = [f for path in content for f in (briefs_in(path) if path.is_dir() else [path])]
    _settings(project)
    try:
        server = make_server(project, files, variant, port)
    except OSError as exc:
        _say(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} (hint: try --port 0)",
              err=True)
        sys.exit(1)
    _say(f"previewing on http://127.0.0.1:{server.server_address[1]}/ "
          "(Ctrl+C to stop)", err=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        _say("stopped", err=True)
    finally:
        server.server_close()
