"""Faults during a build: an output folder that cannot be written, a full disk, SIGTERM or
SIGINT in the middle of a batch, two builds at once into one folder. In every case each file
built before is intact and opens, no temporary file is left in output/, the message is one
clear line, and the next build finishes the job."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BRIEFGEN, MINIMAL_BRIEF, run_cli, write_brief
from docx import Document
from pypdf import PdfReader

from briefgen.build import build_brief
from briefgen.config import Config
from briefgen.project import Project
from briefgen.theme import Theme
from briefgen.write import temporary_for, write_files

LONG_SECTION = """sections:
  - heading: Background
    body: |
{body}
"""


def corpus(project: Path, count: int, marker: str = "Watch this.") -> list[str]:
    """count briefs with a full analysis long enough to take a moment to lay out."""
    body = "\n\n".join("      " + "A sentence about the background of the question. " * 12
                       for _ in range(12))
    names = [f"brief{n:02d}" for n in range(count)]
    for name in names:
        write_brief(project, name, MINIMAL_BRIEF.replace("A small brief", f"Brief {name}")
                    .replace("Watch this.", marker) + LONG_SECTION.format(body=body))
    return names


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[Path]:
    """Temporary files, and a lock file, that a finished or stopped build must not leave."""
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name == ".briefgen.lock"]


def assert_all_open(out: Path) -> None:
    """Every PDF and DOCX under out opens and has content."""
    pdfs, docs = sorted(out.rglob("*.pdf")), sorted(out.rglob("*.docx"))
    assert pdfs and docs
    for pdf in pdfs:
        assert len(PdfReader(str(pdf)).pages) >= 1, pdf
    for doc in docs:
        assert Document(str(doc)).paragraphs, doc


def statuses(stdout: str) -> dict[str, str]:
    return {m[2]: m[1] for m in re.finditer(r"^(built|unchanged) content/(\w+)\.yaml", stdout,
                                            re.M)}


def background_build(project: Path) -> subprocess.Popen[str]:
    """`briefgen build --jobs 2` started in project, its output read line by line as it comes."""
    return subprocess.Popen([str(BRIEFGEN), "build", "--jobs", "2"], cwd=project, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


# --- an output folder that cannot be written


def without_root_override() -> list[str]:
    """A prefix that runs a command without root's power to write anywhere (CAP_DAC_OVERRIDE),
    so that file permissions hold for it as for any user."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_read_only_output_folder_keeps_every_file(tmp_path: Path) -> None:
    corpus(tmp_path, 2)
    assert run_cli(["build", "--jobs", "1"], tmp_path).returncode == 0
    out = tmp_path / "output"
    before = snapshot(out)
    for folder in (out, *(p for p in out.iterdir() if p.is_dir())):
        folder.chmod(0o555)
    try:
        result = subprocess.run([*without_root_override(), str(BRIEFGEN), "build", "--force",
                                 "--jobs", "2"], cwd=tmp_path, capture_output=True, text=True,
                                timeout=300, check=False)
    finally:
        for folder in (out, *(p for p in out.iterdir() if p.is_dir())):
            folder.chmod(0o755)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith((" ", "Failed"))]
    assert sorted(lines[:2]) == [
        f"content/brief0{n}.yaml: cannot write output/brief0{n}/brief0{n}-summary.pdf: "
        "Permission denied" for n in (0, 1)]
    assert lines[2:] == ["cannot write output/manifest.json: Permission denied"]
    assert snapshot(out) == before
    assert leftovers(out) == []


# --- a full disk


class FullDisk:
    """open() for write_files whose files take `room` bytes in all, then fail as a full disk
    does: with ENOSPC, part of the data written."""

    def __init__(self, room: int) -> None:
        self.room = room

    def __call__(self, path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)  # noqa: SIM115 - returned to the caller
        disk = self

        class Handle:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def write(self, data: bytes) -> int:
                if len(data) > disk.room:
                    handle.write(data[: disk.room])
                    disk.room = 0
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                disk.room -= len(data)
                return handle.write(data)

            def __getattr__(self, name):
                return getattr(handle, name)

        return Handle()


def test_disk_full_in_process_keeps_the_previous_files(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_brief(tmp_path, "a")
    project, out = Project(tmp_path), tmp_path / "out"
    args = (project, Theme.for_project(project), ("summary", "full"), ("pdf", "docx"), out,
            Config())
    first = build_brief(tmp_path / "content" / "a.yaml", "content/a.yaml", *args)
    assert first.ok, first.problems
    before = snapshot(out)
    write_brief(tmp_path, "a", MINIMAL_BRIEF.replace("Watch this.", "Watch that."))
    assert sum(len(v) for v in before.values()) > 120_000
    for room in (0, 1000, 120_000):  # the disk fills in the first file, or in a later one
        monkeypatch.setattr("briefgen.write.open", FullDisk(room), raising=False)
        result = build_brief(tmp_path / "content" / "a.yaml", "content/a.yaml", *args)
        assert re.fullmatch(rf"content/a\.yaml: cannot write {re.escape(str(out))}/a/a-"
                            r"(summary|full)\.(pdf|docx): No space left on device",
                            result.problems[0]), result.problems
        assert snapshot(out) == before
        assert leftovers(out) == []
    monkeypatch.undo()
    assert build_brief(tmp_path / "content" / "a.yaml", "content/a.yaml", *args).ok
    assert snapshot(out) != before
    assert_all_open(out)


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 1 MB tmpfs mounted for the test (root only), unmounted after it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_on_a_real_filesystem(tmp_path: Path, tiny_disk: Path) -> None:
    corpus(tmp_path, 1)
    out = tiny_disk / "out"
    assert run_cli(["build", "--out", out], tmp_path).returncode == 0
    before = snapshot(out)
    free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
    filler = tiny_disk / "filler"
    filler.write_bytes(b"\0" * max(0, free - 60_000))  # room for a manifest, not for a brief
    path = tmp_path / "content" / "brief00.yaml"
    path.write_text(path.read_text().replace("Watch this.", "Watch that."), encoding="utf-8")
    result = run_cli(["build", "--out", out], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.match(r"content/brief00\.yaml: cannot write disk/out/brief00/"
                    r"brief00-(summary|full)\.(pdf|docx): No space left on device$",
                    result.stderr.splitlines()[0]), result.stderr
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k.startswith("brief00/")} == {
        k: v for k, v in before.items() if k.startswith("brief00/")}
    assert leftovers(out) == []
    assert_all_open(out)
    filler.unlink()
    result = run_cli(["build", "--out", out], tmp_path)
    assert result.returncode == 0, result.stderr
    assert statuses(result.stdout) == {"brief00": "built"}
    assert_all_open(out)


# --- stopped by a signal in the middle of a batch


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_batch_loses_nothing_and_the_next_build_finishes(tmp_path: Path,
                                                                    stop: signal.Signals) -> None:
    names = corpus(tmp_path, 6)
    assert run_cli(["build", "--jobs", "2"], tmp_path).returncode == 0
    out = tmp_path / "output"
    before = snapshot(out)
    corpus(tmp_path, 6, marker="Watch that.")  # every brief changed: all must be rebuilt
    proc = background_build(tmp_path)
    first = proc.stdout.readline()
    assert first.startswith("built content/"), first + proc.stderr.read()
    proc.send_signal(stop)
    sent = time.monotonic()
    rest, errors = proc.communicate(timeout=30)  # returns once the workers are gone too
    assert time.monotonic() - sent < 10, "the build did not stop promptly"
    assert proc.returncode == 1
    assert "Traceback" not in errors
    printed = len(statuses(first + rest))
    # A worker may finish one more brief between the signal and the stop: it is recorded too.
    match = re.fullmatch(r"build stopped by (\w+): (\d) of 6 briefs finished and recorded; the "
                         r"other (\d) keep their previous files \(hint: run the same build "
                         r"again to finish it\)", errors.splitlines()[-1])
    assert match, errors
    done = int(match[2])
    assert match[1] == stop.name and printed <= done <= printed + 2 and int(match[3]) == 6 - done
    assert leftovers(out) == []
    assert_all_open(out)
    after = snapshot(out)
    # The manifest is the record: a brief a worker finished as the signal arrived is in it
    # as built, though its line may not have been printed before the stop.
    recorded = {b["slug"]: b["status"] for b in
                json.loads((out / "manifest.json").read_text(encoding="utf-8"))["briefs"]}
    assert set(statuses(first + rest)) <= {n for n, s in recorded.items() if s == "built"}
    assert sum(s == "built" for s in recorded.values()) == done
    for name in names:  # each brief has its old files or its new ones, never a mix
        files = [k for k in before if k.startswith(f"{name}/")]
        assert [k for k in after if k.startswith(f"{name}/")] == files
        same = {after[k] == before[k] for k in files}
        assert len(same) == 1, f"{name} has a mix of old and new files"
        if recorded[name] == "built":  # recorded as built: its files are the new ones
            assert same == {False}, name
        # Not recorded: its old files, or (a worker killed just after writing them, before
        # its result came back) its new ones, whole either way; the next build rebuilds it.
    again = run_cli(["build", "--jobs", "2"], tmp_path)
    assert again.returncode == 0, again.stderr
    finished = statuses(first + rest)
    assert statuses(again.stdout) == {n: "unchanged" if n in finished else "built"
                                      for n in names}
    assert leftovers(out) == []
    assert_all_open(out)
    assert all(snapshot(out)[k] != before[k] for k in before if k.endswith(".pdf"))


def test_a_killed_build_leaves_temporaries_the_next_one_removes(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    assert run_cli(["build"], tmp_path).returncode == 0
    out = tmp_path / "output"
    dead = subprocess.Popen(["true"])  # a pid that no longer runs
    dead.wait()
    stale = temporary_for(out / "a" / "a-full.pdf")
    stale = stale.with_name(re.sub(r"briefgen-\d+-", f"briefgen-{dead.pid}-", stale.name))
    stale.write_bytes(b"half a PDF")
    # not briefgen's: a person's own files, even named like the old temporaries (--out .)
    keep = [out / "a" / ".notes.tmp", out / "a" / ".a-full.pdf.4242.tmp",
            out / ".index.html.1.tmp", out / "a" / ".x.briefgen-1-0123456789abcdef.tmp.bak"]
    for path in keep:
        path.write_text("mine")
    assert run_cli(["build"], tmp_path).returncode == 0
    assert not stale.exists()
    assert [p.read_text() for p in keep] == ["mine"] * len(keep)


def test_a_temporary_of_a_running_process_or_a_link_is_left_alone(tmp_path: Path) -> None:
    """Only briefgen's own leftovers go: a temporary whose writer still runs may be in use, and
    a link named like a temporary is not a file briefgen wrote."""
    write_brief(tmp_path, "a")
    assert run_cli(["build"], tmp_path).returncode == 0
    out = tmp_path / "output"
    running = subprocess.Popen(["sleep", "60"])
    try:
        live = out / "a" / f".a-full.pdf.briefgen-{running.pid}-0123456789abcdef.tmp"
        live.write_bytes(b"being written")
        victim = tmp_path / "victim.txt"
        victim.write_text("mine")
        link = out / "a" / ".a-full.pdf.briefgen-1-0123456789abcdef.tmp"
        link.symlink_to(victim)
        assert run_cli(["build", "--force"], tmp_path).returncode == 0
        assert live.read_bytes() == b"being written"
        assert link.is_symlink() and victim.read_text() == "mine"
    finally:
        running.kill()
        running.wait()


def test_write_files_leaves_nothing_when_one_file_fails(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.bin", tmp_path / "blocked" / "b.bin"
    good.write_bytes(b"old")
    (tmp_path / "blocked").write_text("a file, not a folder")
    with pytest.raises(OSError):
        write_files({good: b"new", bad: b"data"})
    assert good.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "blocked"]


# --- two builds at once


def test_a_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    corpus(tmp_path, 6)
    first = background_build(tmp_path)
    try:
        assert first.stdout.readline().startswith("built content/")
        second = run_cli(["build", "--jobs", "1", "--force"], tmp_path)
        assert second.returncode == 1
        assert second.stdout == ""
        assert second.stderr.splitlines() == [
            f"output/ is being built by another briefgen process (pid {first.pid}); wait for "
            "it or use --out"]
        elsewhere = run_cli(["build", "--jobs", "1", "content/brief00.yaml", "--out", "other"],
                            tmp_path)
        assert elsewhere.returncode == 0, elsewhere.stderr  # --out: a folder of its own
    finally:
        _, errors = first.communicate(timeout=300)
    assert first.returncode == 0, errors
    out = tmp_path / "output"
    assert leftovers(out) == []
    assert_all_open(out)
    assert len(list(out.rglob("*.pdf"))) == 12
    third = run_cli(["build"], tmp_path)
    assert third.returncode == 0
    assert set(statuses(third.stdout).values()) == {"unchanged"}


def test_lock_is_released_by_a_process_that_dies(tmp_path: Path) -> None:
    """A build killed outright leaves its lock file, which locks nothing: flock ends with the
    process."""
    write_brief(tmp_path, "a")
    out = tmp_path / "output"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(out / '.briefgen.lock')!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, b'%d' % os.getpid())\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = run_cli(["build"], tmp_path)
        assert refused.returncode == 1
        assert f"(pid {holder.pid})" in refused.stderr
    finally:
        holder.kill()
        holder.wait()
    assert (out / ".briefgen.lock").exists()
    built = run_cli(["build"], tmp_path)
    assert built.returncode == 0, built.stderr
    assert leftovers(out) == []


# --- the lock file is briefgen's own, and a stale one is taken over


def test_a_lock_file_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    out = tmp_path / "output"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (out / ".briefgen.lock").symlink_to(victim)
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "output/.briefgen.lock is a symbolic link, not briefgen's lock file (hint: remove it; "
        "briefgen never writes through a link)"]
    assert victim.read_text() == "mine"
    assert not (out / "a").exists()


def test_a_lock_that_is_a_folder_is_an_error(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    (tmp_path / "output" / ".briefgen.lock").mkdir(parents=True)
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "output/.briefgen.lock is a folder, not briefgen's lock file (hint: remove or rename it)"]
    assert not (tmp_path / "output" / "a").exists()


def test_a_stale_lock_is_taken_over_with_a_message(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    (tmp_path / "output").mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / "output" / ".briefgen.lock").write_text(f"{dead.pid}\n")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"output/.briefgen.lock: taking over the lock of briefgen process {dead.pid}, which "
        "stopped without releasing it"]
    assert leftovers(tmp_path / "output") == []


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_workers_die_with_a_killed_build_and_the_lock_is_free(tmp_path: Path) -> None:
    corpus(tmp_path, 6)
    build = background_build(tmp_path)
    try:
        assert build.stdout.readline().startswith("built content/")
        workers = _children(build.pid)
        assert len(workers) >= 2
    finally:
        build.kill()  # SIGKILL: no handler runs, the workers are not told by the parent
        build.wait()  # not communicate(): orphaned workers would hold its pipes open
        build.stdout.close()
        build.stderr.close()
    deadline = time.monotonic() + 60
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphans = [w for w in workers if _running(w)]
    for orphan in orphans:  # never leave them running, even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(orphan, signal.SIGKILL)
    assert not orphans, "workers outlived their build"
    again = run_cli(["build", "--jobs", "2"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"taking over the lock of briefgen process {build.pid}" in again.stderr
    assert leftovers(tmp_path / "output") == []
    assert_all_open(tmp_path / "output")


def test_a_full_disk_while_taking_the_lock_is_one_line(tmp_path: Path, tiny_disk: Path) -> None:
    write_brief(tmp_path, "a")
    out = tiny_disk / "out"
    out.mkdir()
    filler = tiny_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    with contextlib.suppress(OSError):  # until every block of the disk is taken
        while os.write(fd, b"\0" * 4096):
            pass
    os.close(fd)
    result = run_cli(["build", "--out", out], tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "cannot write disk/out/.briefgen.lock: No space left on device (hint: free some space "
        "on that disk, or build elsewhere with --out)"]
    assert list(out.iterdir()) == []


# --- a damaged manifest costs a rebuild, with a warning


DAMAGED = {
    "wrong-types": '{"briefs": [{"slug": ["a"], "files": 5}], "changes": 3}',
    "a-file-of-wrong-types": '{"briefs": [{"slug": "a", "source": "content/a.yaml", "title": '
                             '"T", "date": "2025", "status": "built", "key": "k", "files": '
                             '[{"path": "a/a-full.pdf", "variant": "full", "format": "pdf", '
                             '"size": "big", "sha256": 1, "pages": []}]}]}',
    "deep-nesting": '{"briefs": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "not-json": "{briefs: oops",
    "a-list": "[1, 2, 3]",
}


@pytest.mark.parametrize("damage", DAMAGED, ids=list(DAMAGED))
def test_a_damaged_manifest_costs_a_rebuild_with_a_warning(tmp_path: Path, damage: str) -> None:
    write_brief(tmp_path, "a")
    assert run_cli(["build"], tmp_path).returncode == 0
    (tmp_path / "output" / "manifest.json").write_text(DAMAGED[damage])
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("output/manifest.json: "), warnings
    assert warnings[0].endswith(("every brief will be rebuilt", "entry ignored"))
    assert statuses(result.stdout) == {"a": "built"}
    again = run_cli(["build"], tmp_path)  # the manifest written is sound again
    assert (again.returncode, again.stderr, statuses(again.stdout)) == (0, "", {"a": "unchanged"})


# --- read-only places: the message names the file, never a temporary


def test_read_only_places_name_the_file_that_could_not_be_written(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    assert run_cli(["build"], tmp_path).returncode == 0
    (tmp_path / "site").mkdir()
    shard = tmp_path / "site" / "manifest.shard-1-of-1.json"
    shutil.copy(tmp_path / "output" / "manifest.json", shard)
    for folder in (tmp_path / "content", tmp_path / "site"):
        folder.chmod(0o555)
    try:
        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*without_root_override(), str(BRIEFGEN), *args], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=300, check=False)

        made = run("new", "b-c")
        merged = run("merge-manifests", str(shard), "--out", "site")
        reference = run("reference-doc", "site/house.docx")
    finally:
        for folder in (tmp_path / "content", tmp_path / "site"):
            folder.chmod(0o755)
    assert (made.returncode, made.stderr) == (
        1, "cannot write content/b-c.yaml: Permission denied\n")
    assert (merged.returncode, merged.stderr) == (
        1, "cannot write site/manifest.json: Permission denied\n")
    assert (reference.returncode, reference.stderr) == (
        1, "cannot write site/house.docx: Permission denied\n")
    assert sorted(p.name for p in (tmp_path / "content").iterdir()) == ["a.yaml"]
    assert list((tmp_path / "site").iterdir()) == [shard]
