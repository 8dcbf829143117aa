"""Benchmark briefgen on a generated corpus, and compare it with a Pandoc pipeline.

Run from the repository root, after `benchmarks/setup` (which installs Debian's pandoc):

    .venv/bin/python benchmarks/run.py [--briefs 100] [--keep DIR]

It generates N briefs derived from content/russia-recognises-taliban.yaml in a temporary
project, checks them with `briefgen check`, then measures with the real CLI: a cold full build,
a no-op rebuild, a rebuild after one brief changed, throughput at --jobs 1 and --jobs 2, and
peak memory per worker (from /proc, VmHWM); then the per-brief cost of bare WeasyPrint and
python-docx in a warm process, and the same four files per brief made with pandoc. It prints
one plain-text table of figures against their targets.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
BRIEFGEN = VENV_BIN / "briefgen"
DEFAULT_BRIEF = ROOT / "content" / "russia-recognises-taliban.yaml"
TEMPLATES = ROOT / "templates"
VARIANTS = ("summary", "full")
FORMATS = ("pdf", "docx")

# Targets the figures are held against.
TARGET_THROUGHPUT_RATIO = 4.0  # briefgen --jobs 2 vs pandoc with 2 streams, same four files
TARGET_WARM_RATIO = 1.3  # briefgen per brief vs bare WeasyPrint + python-docx
TARGET_NOOP_SECONDS = 1.0  # no-op rebuild of the corpus (100 briefs)
TARGET_WORKER_MB = 300.0  # peak memory (VmHWM) of one worker process

# Extra key points, in the brief's register, for briefs given six of them.
EXTRA_POINTS = [
    "Kazakhstan, Uzbekistan and Turkmenistan have widened trade and energy links with Kabul"
    " and may be the first to follow Moscow [@trt-2025].",
    "Qatar remains the main intermediary between the Taliban and the wider international"
    " community [@doha-2020; @trt-2025].",
    "**We judge** that Europe gains more from narrow functional channels on terrorism,"
    " drugs and migration than from any change in formal status [@ziegler-analysis].",
]
SUMMARY_LINE = re.compile(r"(\d+) briefs? built, (\d+) unchanged, (\d+) failed in ([\d.]+) s")
CITATION = re.compile(r"\[@([^\]]+)\]")
BUILT_LINE = re.compile(r"^built (\S+) -> .*, ([\d.]+) s\)$", re.M)


# --- the corpus -------------------------------------------------------------------------------


def _keep_some(rng: random.Random, items: list[Any], keep: float, least: int) -> list[Any]:
    """Each item kept with probability `keep`, in order; at least `least` of them."""
    kept = [item for item in items if rng.random() < keep]
    if len(kept) < least:
        chosen = sorted(rng.sample(range(len(items)), min(least, len(items))))
        kept = [items[i] for i in chosen]
    return kept


def vary_brief(base: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    """One distinct, valid brief derived from the default one.

    Sections are dropped or duplicated, some timeline events, actors, figures, quotes and
    recommendations dropped, the key points cut or extended to 3-6, and the title numbered.
    Sources are kept when something left in the brief still cites them, so every citation
    names a real source and no source is left uncited.
    """
    brief = copy.deepcopy(base)
    brief["title"] = f"{base['title']} (brief {number})"

    points = list(base["key_points"])
    count = rng.randint(3, 6)
    if count <= len(points):
        points = [points[i] for i in sorted(rng.sample(range(len(points)), count))]
    else:
        points += rng.sample(EXTRA_POINTS, count - len(points))
    brief["key_points"] = points

    sections: list[dict[str, Any]] = []
    for section in base["sections"]:
        roll = rng.random()
        if roll < 0.2:
            continue  # dropped
        sections.append(section)
        if roll > 0.75:  # duplicated, under its own heading
            sections.append({**section, "heading": f"{section['heading']} (continued)"})
    brief["sections"] = sections or [base["sections"][0]]

    brief["timeline"] = _keep_some(rng, base["timeline"], 0.7, 3)
    brief["actors"] = _keep_some(rng, base["actors"], 0.7, 2)
    brief["figures"] = _keep_some(rng, base["figures"], 0.75, 1)
    brief["quotes"] = _keep_some(rng, base["quotes"], 0.5, 0)
    if not brief["quotes"]:
        del brief["quotes"]
    brief["recommendations"] = _keep_some(rng, base["recommendations"], 0.7, 0)
    if not brief["recommendations"]:
        del brief["recommendations"]
    cited = cited_ids(brief)  # a source no longer cited anywhere would be linted as unused
    brief["sources"] = [s for s in base["sources"] if s["id"] in cited]
    return brief


def cited_ids(data: Any) -> set[str]:
    """Every source id cited in the brief: [@id; @id] markers and `source:` fields."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "source" and isinstance(value, str):
                found.add(value)
            elif key != "sources":
                found |= cited_ids(value)
    elif isinstance(data, list):
        for item in data:
            found |= cited_ids(item)
    elif isinstance(data, str):
        for marker in CITATION.findall(data):
            found |= {part.strip().lstrip("@") for part in marker.split(";")}
    return found


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks (`|`), the way editors write section bodies."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def write_corpus(project: Path, count: int, seed: int) -> list[Path]:
    """Write `count` briefs to project/content/ as brief-NNN.yaml; returns their paths."""
    base = yaml.safe_load(DEFAULT_BRIEF.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    content = project / "content"
    content.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = content / f"brief-{number:03d}.yaml"
        text = yaml.dump(vary_brief(base, number, rng), Dumper=_BlockDumper, sort_keys=False,
                         allow_unicode=True, width=100)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# --- running briefgen ------------------------------------------------------------------------


@dataclass
class BuildRun:
    """One `briefgen build`: wall time, what it reported, and its output."""

    seconds: float
    built: int
    unchanged: int
    failed: int
    per_brief: dict[str, float]  # content path -> seconds, from the "built ..." lines
    output: str


def run_cli(project: Path, args: list[str], check: bool = True) -> tuple[float, str, int]:
    """Run briefgen in the project; returns wall seconds, combined output and exit code.

    With check, a non-zero exit aborts the benchmark with briefgen's output.
    """
    started = time.perf_counter()
    proc = subprocess.run([str(BRIEFGEN), *args], cwd=project, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    if check and proc.returncode != 0:
        sys.exit(f"`briefgen {' '.join(args)}` failed (exit {proc.returncode}):\n{output}")
    return seconds, output, proc.returncode


def parse_build(seconds: float, output: str) -> BuildRun:
    """Read briefgen's closing line and its per-brief lines."""
    match = SUMMARY_LINE.search(output)
    if match is None:
        sys.exit(f"cannot read briefgen's summary line in:\n{output}")
    built, unchanged, failed = (int(match.group(i)) for i in (1, 2, 3))
    per_brief = {m.group(1): float(m.group(2)) for m in BUILT_LINE.finditer(output)}
    return BuildRun(seconds, built, unchanged, failed, per_brief, output)


def build(project: Path, out: str, jobs: int, force: bool) -> BuildRun:
    """Run `briefgen build --jobs J [--force] --out OUT` and read what it reported."""
    args = ["build", "--jobs", str(jobs), "--out", out]
    if force:
        args.append("--force")
    return parse_build(*run_cli(project, args)[:2])


def manifest_statuses(out_dir: Path) -> dict[str, str]:
    """slug -> status ("built", "unchanged" or "failed") from OUT/manifest.json."""
    data = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return {entry["slug"]: entry["status"] for entry in data["briefs"]}


def output_stamps(out_dir: Path) -> dict[str, int]:
    """Modification time (ns) of every brief file under out_dir, by relative path."""
    return {p.relative_to(out_dir).as_posix(): p.stat().st_mtime_ns
            for p in out_dir.glob("*/*") if p.suffix in (".pdf", ".docx")}


def check_outputs(out_dir: Path, slugs: list[str]) -> list[str]:
    """Problems with OUT/<slug>/<slug>-<variant>.<ext>: the four files of every brief."""
    return [f"missing {slug}/{slug}-{v}.{f}" for slug in slugs for v in VARIANTS
            for f in FORMATS if not (out_dir / slug / f"{slug}-{v}.{f}").is_file()]


# --- memory: polling the process tree --------------------------------------------------------


@dataclass
class ProcMemory:
    """The peaks seen for one process."""

    comm: str  # the first name seen
    ppid: int
    hwm_kb: int = 0  # VmHWM: peak resident set, counting pages shared with the parent
    pss_kb: int = 0  # peak proportional set size (shared pages split between sharers)
    names: set[str] = field(default_factory=set)  # more than one: it exec'd another program
    samples: int = 0


class TreeSampler(threading.Thread):
    """Poll a process and all its descendants every `interval` seconds, keeping peaks."""

    def __init__(self, root_pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.seen: dict[int, ProcMemory] = {}
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        """Take a last sample and end the thread."""
        self._halt.set()
        self.join()

    def sample(self) -> None:
        """Read VmHWM and Pss of every process in the tree once."""
        self.samples += 1
        for pid, ppid in [(self.root_pid, 0), *descendants(self.root_pid).items()]:
            status = _read(f"/proc/{pid}/status")
            if status is None:
                continue  # gone since listed
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            name = fields.get("Name", "?").strip()
            entry = self.seen.setdefault(pid, ProcMemory(name, ppid))
            entry.names.add(name)
            entry.samples += 1
            entry.hwm_kb = max(entry.hwm_kb, _kb(fields.get("VmHWM")))
            rollup = _read(f"/proc/{pid}/smaps_rollup")
            if rollup:
                pss = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
                entry.pss_kb = max(entry.pss_kb, int(pss.group(1)) if pss else 0)


def descendants(root: int) -> dict[int, int]:
    """Every live descendant of `root`, with its parent, from /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        stat = _read(f"/proc/{entry.name}/stat")
        if stat is None:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])  # comm may hold spaces
        children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        parent = todo.pop()
        for child in children.get(parent, []):
            found[child] = parent
            todo.append(child)
    return found


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _kb(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


@dataclass
class MemoryRun:
    """Peak memory of one build: its parent process and its workers."""

    seconds: float
    parent: ProcMemory
    workers: list[ProcMemory]
    others: list[ProcMemory]  # helpers such as fc-match
    samples: int


def build_with_sampler(project: Path, out: str, jobs: int) -> MemoryRun:
    """A forced build at `jobs` with the process tree polled every 50 ms."""
    args = [str(BRIEFGEN), "build", "--jobs", str(jobs), "--force", "--out", out]
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output, _ = proc.communicate()
    sampler.stop()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"memory build failed (exit {proc.returncode}):\n{output}")
    parent = sampler.seen.get(proc.pid, ProcMemory("?", 0))
    rest = [m for pid, m in sampler.seen.items() if pid != proc.pid]
    # Workers are forked children that never exec'd another program; a child caught between
    # fork and exec (fc-match, gcc) also carries the parent's name for a moment.
    workers = [m for m in rest
               if m.ppid == proc.pid and m.names == {parent.comm} and m.samples >= 2]
    others = [m for m in rest if m not in workers]
    return MemoryRun(seconds, parent, workers, others, sampler.samples)


# --- bare tools in a warm process ------------------------------------------------------------


@dataclass
class BareRun:
    """Seconds per brief for bare tools and for briefgen's own pipeline, in one warm process."""

    pdf: float  # weasyprint.HTML(string=html).write_pdf(), both variants
    pdf_tagged: float  # the same with the PDF/UA tagging briefgen asks for
    docx: float  # python-docx Document() with the same paragraphs, saved; both variants
    briefgen: float | None  # briefgen.build.build_brief: load, HTML, 2 PDFs, 2 DOCXs, write
    paragraphs: dict[str, int] = field(default_factory=dict)


def docx_blocks(document: Any) -> list[tuple[str, Any]]:
    """The paragraphs of a typed brief document as (kind, text) blocks: headings, paragraphs,
    list items and tables (rows of cell texts), in document order."""
    from briefgen.document import Heading, ItemList, Paragraph, Quote, SourceList, Table, walk
    from briefgen.document import plain_text as text

    blocks: list[tuple[str, Any]] = [("h1", document.meta.title)]
    for block in walk(document.blocks):
        if isinstance(block, Heading):
            blocks.append((f"h{block.level + 1}", text(block.text)))
        elif isinstance(block, Paragraph):
            blocks.append(("p", text(block.text)))
        elif isinstance(block, ItemList):
            blocks += [("li", text(item)) for item in block.items]
        elif isinstance(block, Quote):
            blocks += [("p", text(block.text)), ("p", text(block.attribution))]
        elif isinstance(block, SourceList):
            blocks += [("li", text(entry.text)) for entry in block.entries]
        elif isinstance(block, Table):
            blocks.append(("table", [[" ".join(text(p.text) for p in cell.blocks)
                                      for cell in row] for row in block.rows]))
    return blocks


def bare_docx(blocks: list[tuple[str, Any]]) -> bytes:
    """A plain python-docx document with those blocks, saved to bytes."""
    from docx import Document

    document = Document()
    for kind, value in blocks:
        if kind.startswith("h"):
            document.add_heading(value, level=int(kind[1]) - 1)
        elif kind == "li":
            document.add_paragraph(value, style="List Bullet")
        elif kind == "table":
            width = max((len(r) for r in value), default=0)
            if not width:
                continue
            table = document.add_table(rows=len(value), cols=width)
            for row, cells in zip(table.rows, value, strict=True):
                for cell, cell_text in zip(row.cells, cells, strict=False):
                    cell.text = cell_text
        else:
            document.add_paragraph(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _median_of(repeats: int, work: Callable[[], object]) -> float:
    """Median wall seconds of `repeats` calls, after one warm-up call."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_bare(project: Path, path: Path, repeats: int = 3) -> BareRun:
    """Bare WeasyPrint + python-docx for one brief's two variants, after a warm-up, and
    briefgen's own build of the same brief in the same (warm) process."""
    import weasyprint

    from briefgen.compose import compose
    from briefgen.load import load_brief
    from briefgen.theme import Theme
    from briefgen.writers.html import page

    brief = load_brief(path)
    theme = Theme([TEMPLATES])
    documents = {v: compose(brief, theme.variants[v], theme, path.parent) for v in VARIANTS}
    htmls = {v: page(document, theme) for v, document in documents.items()}
    blocks = {v: docx_blocks(document) for v, document in documents.items()}

    def pdfs() -> None:
        for html in htmls.values():
            weasyprint.HTML(string=html).write_pdf()

    def tagged_pdfs() -> None:
        for html in htmls.values():
            weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)

    def docxs() -> None:
        for b in blocks.values():
            bare_docx(b)

    def briefgen_build() -> None:
        # briefgen's internal per-brief entry point: an extra comparison, skipped (n/a) if
        # its signature has moved on.
        from briefgen.build import build_brief
        from briefgen.config import Config
        from briefgen.project import Project

        result = build_brief(path, path.name, Project(project), theme, VARIANTS, FORMATS,
                             project / "out-bare", Config())
        if not result.ok:
            raise RuntimeError("\n".join(result.problems))

    try:
        own: float | None = _median_of(repeats, briefgen_build)
    except (ImportError, TypeError, RuntimeError) as exc:
        step(f"f. briefgen's build_brief not measured: {type(exc).__name__}: {exc}")
        own = None

    return BareRun(_median_of(repeats, pdfs), _median_of(repeats, tagged_pdfs),
                   _median_of(repeats, docxs), own,
                   {v: len(b) for v, b in blocks.items()})


# --- the Pandoc pipeline ---------------------------------------------------------------------

CSS = """\
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "Noto Serif", serif; font-size: 10.5pt; line-height: 1.4; color: #222; }
h1, h2, h3 { font-family: "Noto Sans", sans-serif; color: #1b3a5c; }
h1 { font-size: 20pt; margin-bottom: 2pt; }
h2 { font-size: 13pt; border-bottom: 1px solid #1b3a5c; margin-top: 14pt; }
header p.subtitle { font-size: 12pt; font-style: italic; }
blockquote { margin-left: 10mm; font-style: italic; }
"""


def brief_markdown(path: Path, variant: str) -> str:
    """One variant as briefgen's own Markdown writer writes it (CommonMark with YAML front
    matter and footnotes): what a Pandoc user would start from."""
    from briefgen.compose import compose
    from briefgen.load import load_brief
    from briefgen.theme import Theme
    from briefgen.writers import Options, writer

    theme = Theme([TEMPLATES])
    document = compose(load_brief(path), theme.variants[variant], theme, path.parent)
    return writer("markdown")(document, theme, Options()).data.decode()


@dataclass
class PandocRun:
    """The Pandoc pipeline over the corpus with some parallel streams."""

    streams: int
    seconds: float
    command_seconds: dict[str, list[float]]  # "docx"/"pdf" -> seconds of each pandoc call


def pandoc_brief(path: Path, work: Path, out: Path, css: Path,
                 env: dict[str, str]) -> dict[str, list[float]]:
    """YAML -> two Markdown files -> four pandoc calls (DOCX, and PDF through WeasyPrint)."""
    slug = path.stem
    here = work / slug
    here.mkdir(parents=True, exist_ok=True)
    (out / slug).mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {"docx": [], "pdf": []}
    for variant in VARIANTS:
        md = here / f"{slug}-{variant}.md"
        md.write_text(brief_markdown(path, variant), encoding="utf-8")
        for fmt in FORMATS:
            target = out / slug / f"{slug}-{variant}.{fmt}"
            cmd = ["pandoc", str(md), "-o", str(target)]
            if fmt == "pdf":
                cmd += ["--pdf-engine=weasyprint", "--css", str(css)]
            started = time.perf_counter()
            proc = subprocess.run(cmd, cwd=here, env=env, capture_output=True, text=True,
                                  check=False)
            times[fmt].append(time.perf_counter() - started)
            if proc.returncode != 0 or not target.is_file():
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return times


def run_pandoc(project: Path, paths: list[Path], streams: int) -> PandocRun:
    """The whole corpus through pandoc, `streams` briefs at a time."""
    css = project / "pandoc-style.css"
    css.write_text(CSS, encoding="utf-8")
    work = project / f"pandoc-work-{streams}"
    out = project / f"pandoc-out-{streams}"
    for folder in (work, out):
        shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=streams) as pool:
        results = list(pool.map(lambda p: pandoc_brief(p, work, out, css, env), paths))
    seconds = time.perf_counter() - started
    command_seconds: dict[str, list[float]] = {"docx": [], "pdf": []}
    for times in results:
        for fmt, values in times.items():
            command_seconds[fmt].extend(values)
    missing = check_outputs(out, [p.stem for p in paths])
    if missing:
        sys.exit("pandoc pipeline left files missing: " + ", ".join(missing[:5]))
    return PandocRun(streams, seconds, command_seconds)


# --- other load on the machine --------------------------------------------------------------


def _machine_cpu() -> tuple[float, float]:
    """CPU seconds every process on the machine has used since boot, and steal (time the
    hypervisor gave to other guests), from the first line of /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def _own_cpu() -> float:
    """CPU seconds used by this process and every child it has waited for (briefgen's
    workers are waited for by briefgen, so they count once briefgen exits)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def code_stamp() -> str:
    """A hash of briefgen/ and templates/: builds are only comparable while it holds still."""
    digest = hashlib.sha256()
    for folder in (ROOT / "briefgen", TEMPLATES):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


class PhaseWatch:
    """Per phase: wall time, CPU used by processes that are not the benchmark's, steal, and
    whether briefgen's code or templates changed before or during it.

    Each is a sign that the figures of that phase do not describe a quiet machine and a fixed
    briefgen.
    """

    def __init__(self) -> None:
        self.phases: list[tuple[str, float, float, float]] = []
        self.changed: list[str] = []
        self._stamp = code_stamp()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Measure the block as one phase."""
        stamp = code_stamp()
        if stamp != self._stamp:
            self.changed.append(f"before {name}")
        (busy, steal), own, started = _machine_cpu(), _own_cpu(), time.perf_counter()
        yield
        (busy2, steal2), own2 = _machine_cpu(), _own_cpu()
        foreign = max(0.0, (busy2 - busy) - (own2 - own))
        self.phases.append((name, time.perf_counter() - started, foreign, steal2 - steal))
        self._stamp = code_stamp()
        if self._stamp != stamp:
            self.changed.append(f"during {name}")

    def busy(self, threshold: float = 0.05) -> list[str]:
        """The phases during which other processes used more than `threshold` of the CPUs."""
        cores = os.cpu_count() or 1
        return [name for name, wall, foreign, _ in self.phases
                if wall > 0 and foreign / (wall * cores) > threshold]

    def summary(self) -> str:
        """One line: foreign CPU seconds and steal per phase, as shares of the machine."""
        cores = os.cpu_count() or 1
        parts = [f"{name} {foreign:.1f} s ({100 * foreign / (wall * cores):.0f}%)"
                 + (f" +steal {steal:.1f} s" if steal >= 0.05 else "")
                 for name, wall, foreign, steal in self.phases]
        return "CPU used by other processes, per phase: " + ", ".join(parts)


# --- the report ------------------------------------------------------------------------------


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    """A plain-text table with a header and aligned columns."""
    header = ("metric", "value", "target", "met?")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def yes(ok: bool) -> str:
    """The met? column."""
    return "yes" if ok else "NO"


def step(message: str) -> None:
    """Progress on stderr, so stdout holds only the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    """Generate the corpus, measure everything, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=100, help="corpus size (default 100)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="make the temporary project in DIR (new or empty) and keep it")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed (default 2026)")
    parser.add_argument("--no-pandoc", action="store_true", help="skip the Pandoc pipeline")
    args = parser.parse_args()
    if args.briefs < 2:
        parser.error("--briefs must be at least 2")

    help_text = run_cli(ROOT, ["build", "--help"])[1]
    if "--jobs" not in help_text or "--force" not in help_text:
        sys.exit("this briefgen has no `build --jobs/--force` yet; nothing to measure")
    if not args.no_pandoc and shutil.which("pandoc") is None:
        sys.exit("pandoc is missing: run benchmarks/setup first")

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if any(args.keep.iterdir()):
            sys.exit(f"--keep {args.keep}: the folder must be new or empty")
        project = args.keep.resolve()
        measure(project, args)
        step(f"kept the project in {project}")
    else:
        with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
            measure(Path(tmp), args)


def measure(project: Path, args: argparse.Namespace) -> None:
    """Every measurement, in the project folder; prints the table."""
    n = args.briefs
    paths = write_corpus(project, n, args.seed)
    slugs = [p.stem for p in paths]
    sizes = sorted(paths, key=lambda p: p.stat().st_size)
    step(f"corpus: {n} briefs in {project / 'content'} "
         f"({sizes[0].stat().st_size // 1024}-{sizes[-1].stat().st_size // 1024} KiB)")
    seconds, output, code = run_cli(project, ["check"], check=False)
    if code != 0:
        sys.exit(f"`briefgen check` failed on the generated corpus:\n{output}")
    step(f"briefgen check: {output.strip().splitlines()[-1]} ({seconds:.1f} s)")

    watch = PhaseWatch()
    with watch.phase("idle check"):
        time.sleep(2)
    if watch.busy():
        step("warning: the machine is busy (see the CPU note at the end)")

    # a. cold full build
    step("a. cold full build, --jobs 2 --force")
    with watch.phase("a"):
        cold = build(project, "out", 2, force=True)
    problems = check_outputs(project / "out", slugs)
    if cold.built != n or cold.failed or problems:
        sys.exit(f"cold build did not build every brief ({problems[:3]}):\n{cold.output}")

    # b. no-op rebuild
    step("b. no-op rebuild")
    before = output_stamps(project / "out")
    with watch.phase("b"):
        noop = build(project, "out", 2, force=False)
    statuses = manifest_statuses(project / "out")
    touched = [k for k, v in output_stamps(project / "out").items() if before.get(k) != v]
    noop_rebuilt = [s for s, st in statuses.items() if st != "unchanged"]
    noop_ok = noop.built == 0 and noop.unchanged == n and not noop_rebuilt and not touched

    # c. one brief changed
    step("c. one brief's title changed, rebuild")
    changed = paths[n // 2]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace(" (brief ", " (revised brief ", 1), encoding="utf-8")
    before = output_stamps(project / "out")
    with watch.phase("c"):
        one = build(project, "out", 2, force=False)
    statuses = manifest_statuses(project / "out")
    rebuilt = sorted(s for s, st in statuses.items() if st == "built")
    touched_slugs = sorted({k.split("/")[0] for k, v in output_stamps(project / "out").items()
                            if before.get(k) != v})
    one_ok = (one.built == 1 and one.unchanged == n - 1 and rebuilt == [changed.stem]
              and touched_slugs == [changed.stem])

    # d. throughput
    step("d. throughput, --jobs 1 --force")
    with watch.phase("d -j1"):
        j1 = build(project, "out-j1", 1, force=True)
    step("d. throughput, --jobs 2 --force")
    with watch.phase("d -j2"):
        j2 = build(project, "out-j2", 2, force=True)
    for run in (j1, j2):
        if run.built != n or run.failed:
            sys.exit(f"throughput build did not build every brief:\n{run.output}")

    # e. memory
    step("e. peak memory, --jobs 2 --force under a 50 ms /proc sampler")
    with watch.phase("e"):
        mem = build_with_sampler(project, "out-mem", 2)

    # f. bare tools vs briefgen, warm, on the median-size brief
    typical = sizes[len(sizes) // 2]
    step(f"f. bare WeasyPrint + python-docx vs briefgen, warm, on {typical.name}")
    with watch.phase("f"):
        bare = measure_bare(project, typical)

    pandoc: dict[int, PandocRun] = {}
    if not args.no_pandoc:
        for streams in (1, 2):
            step(f"pandoc pipeline, {streams} stream(s)")
            with watch.phase(f"pandoc x{streams}"):
                pandoc[streams] = run_pandoc(project, paths, streams)

    # --- the table
    rate = {name: n / run.seconds for name, run in (("cold", cold), ("j1", j1), ("j2", j2))}
    per_brief_j1 = j1.seconds / n
    bare_total = bare.pdf + bare.docx
    warm_ratio = per_brief_j1 / bare_total
    typical_cli = j1.per_brief.get(f"content/{typical.name}")
    worker_hwm = max((w.hwm_kb for w in mem.workers), default=0) / 1024
    worker_pss = max((w.pss_kb for w in mem.workers), default=0) / 1024
    rows: list[tuple[str, str, str, str]] = [
        ("corpus", f"{n} briefs, 4 files each, seed {args.seed}", "", ""),
        ("a. cold full build (--jobs 2 --force)",
         f"{cold.seconds:.1f} s, {rate['cold']:.2f} briefs/s", "", ""),
        ("b. no-op rebuild (--jobs 2)",
         f"{noop.seconds:.2f} s, {noop.built} built, {noop.unchanged} unchanged, "
         f"{len(touched)} files rewritten", f"< {TARGET_NOOP_SECONDS:.0f} s, 0 built",
         yes(noop_ok and noop.seconds < TARGET_NOOP_SECONDS)),
        ("c. one brief changed, rebuild",
         f"{one.seconds:.2f} s, {one.built} built ({', '.join(rebuilt) or 'none'}), "
         f"{one.unchanged} unchanged", "1 built", yes(one_ok)),
        ("d. throughput --jobs 1 --force",
         f"{j1.seconds:.1f} s, {rate['j1']:.2f} briefs/s", "", ""),
        ("d. throughput --jobs 2 --force",
         f"{j2.seconds:.1f} s, {rate['j2']:.2f} briefs/s "
         f"({rate['j2'] / rate['j1']:.2f}x --jobs 1)", "", ""),
        ("e. peak VmHWM, worker (max of "
         f"{len(mem.workers)})", f"{worker_hwm:.0f} MB", f"< {TARGET_WORKER_MB:.0f} MB",
         yes(0 < worker_hwm < TARGET_WORKER_MB)),
        ("e. peak VmHWM, parent", f"{mem.parent.hwm_kb / 1024:.0f} MB", "", ""),
        ("e. peak Pss, worker (shared pages split)", f"{worker_pss:.0f} MB", "", ""),
        ("f. briefgen per brief, --jobs 1 (d / N)", f"{per_brief_j1:.2f} s", "", ""),
        (f"f. bare WeasyPrint write_pdf x2 ({typical.stem})", f"{bare.pdf:.2f} s", "", ""),
        ("f. same, tagged PDF/UA-1 as briefgen", f"{bare.pdf_tagged:.2f} s", "", ""),
        (f"f. bare python-docx save x2 ({sum(bare.paragraphs.values())} blocks)",
         f"{bare.docx:.3f} s", "", ""),
        ("f. ratio briefgen / bare (d / N vs bare)", f"{warm_ratio:.2f}x",
         f"<= {TARGET_WARM_RATIO}x", yes(warm_ratio <= TARGET_WARM_RATIO)),
    ]
    if bare.briefgen is not None:
        rows += [
            ("f. briefgen build_brief, same brief, warm", f"{bare.briefgen:.2f} s", "", ""),
            ("f. ratio, same brief (build_brief vs bare)",
             f"{bare.briefgen / bare_total:.2f}x", "", ""),
            ("f. ratio, same brief, vs bare tagged PDF",
             f"{bare.briefgen / (bare.pdf_tagged + bare.docx):.2f}x", "", ""),
        ]
    if typical_cli is not None:
        rows.append(("f. same brief in the --jobs 1 CLI run", f"{typical_cli:.2f} s", "", ""))
    for streams, run in sorted(pandoc.items()):
        pdf_mean = statistics.mean(run.command_seconds["pdf"])
        docx_mean = statistics.mean(run.command_seconds["docx"])
        rows.append((f"pandoc pipeline, {streams} stream{'s' * (streams > 1)}",
                     f"{run.seconds:.1f} s, {n / run.seconds:.2f} briefs/s "
                     f"(pdf {pdf_mean:.2f} s, docx {docx_mean:.2f} s a call)", "", ""))
    if 2 in pandoc:
        ratio = rate["j2"] / (n / pandoc[2].seconds)
        rows.append(("throughput ratio briefgen -j2 / pandoc x2", f"{ratio:.2f}x",
                     f">= {TARGET_THROUGHPUT_RATIO:.0f}x", yes(ratio >= TARGET_THROUGHPUT_RATIO)))
    if 1 in pandoc:
        ratio1 = rate["j1"] / (n / pandoc[1].seconds)
        rows.append(("throughput ratio briefgen -j1 / pandoc x1", f"{ratio1:.2f}x", "", ""))
        # What briefgen could reach at best: every brief at the bare tools' cost.
        ceiling = (pandoc[1].seconds / n) / bare_total
        rows.append(("ceiling: pandoc s/brief x1 / bare tools", f"{ceiling:.2f}x", "", ""))
    print()
    print_table(rows)
    print()
    notes = []
    if not noop_ok:
        notes.append(f"no-op rebuild was not a no-op: rebuilt {noop_rebuilt[:5]}, "
                     f"rewrote {touched[:5]}")
    if not one_ok:
        notes.append(f"one-brief rebuild: changed {changed.stem}; manifest says built "
                     f"{rebuilt[:5]}; files rewritten for {touched_slugs[:5]}")
    if mem.others:
        names = sorted({n for m in mem.others for n in m.names} - {mem.parent.comm})
        notes.append(f"other descendants seen while sampling (not workers): {', '.join(names)}")
    notes.append(f"memory sampler: {mem.samples} samples over {mem.seconds:.1f} s")
    notes.append(watch.summary())
    for note in notes:
        print(f"note: {note}")
    if watch.changed:
        print(f"WARNING: briefgen/ or templates/ changed {', '.join(watch.changed)}: builds "
              "were not of one briefgen (a rebuild after such a change is rightly not a no-op); "
              "rerun when nobody is editing")
    if watch.busy():
        print(f"WARNING: other processes used more than 5% of the CPUs during "
              f"{', '.join(watch.busy())}: those figures are pessimistic; rerun on an idle "
              "machine")


if __name__ == "__main__":
    main()
