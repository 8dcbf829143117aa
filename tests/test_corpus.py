"""Building a whole content folder: incremental, parallel, continuing past failures,
reproducible, sharded, with a manifest and an index page that tell the truth."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from conftest import MINIMAL_BRIEF, REPO, run_cli, write_brief

from briefgen.corpus import in_shard

NAMES = ("alpha", "bravo", "charlie", "delta")


def project_with(tmp: Path, names: tuple[str, ...] = NAMES) -> Path:
    for name in names:
        write_brief(tmp, name, MINIMAL_BRIEF.replace("A small brief", f"Brief {name}"))
    return tmp


def build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["build", "--jobs", "2", *args], project)


def statuses(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """What the plain (non-terminal) log says happened to each brief."""
    found = {}
    for line in result.stdout.splitlines():
        match = re.match(r"(built|unchanged) content/(\w+)\.yaml", line)
        if match:
            found[match[2]] = match[1]
    for line in result.stderr.splitlines():
        match = re.match(r"content/(\w+)\.yaml:", line)
        if match:
            found[match[1]] = "failed"
    return found


def manifest(out: Path, name: str = "manifest.json") -> dict:
    return json.loads((out / name).read_text(encoding="utf-8"))


def index_text(out: Path) -> str:
    """The index page's text as a reader sees it, whitespace folded."""
    page = lxml.html.parse(str(out / "index.html")).getroot()
    return " ".join(page.find("body").text_content().split())


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four briefs built once in parallel, and the bundled templates copied in to be edited."""
    project = project_with(tmp_path_factory.mktemp("corpus"))
    shutil.copytree(REPO / "templates", project / "templates")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert statuses(result) == dict.fromkeys(NAMES, "built")
    return project


def test_no_op_rebuild_builds_nothing_and_touches_nothing(corpus: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (corpus / "output").rglob("*.pdf")}
    result = build(corpus)
    assert result.returncode == 0
    assert statuses(result) == dict.fromkeys(NAMES, "unchanged")
    assert {p: p.stat().st_mtime_ns for p in (corpus / "output").rglob("*.pdf")} == before
    assert "0 briefs built, 4 unchanged, 0 failed" in result.stdout


def test_changing_one_brief_rebuilds_only_it(corpus: Path) -> None:
    path = corpus / "content" / "bravo.yaml"
    path.write_text(path.read_text().replace("Watch this.", "Watch that."), encoding="utf-8")
    result = build(corpus)
    assert statuses(result) == {"alpha": "unchanged", "bravo": "built", "charlie": "unchanged",
                                "delta": "unchanged"}
    changes = manifest(corpus / "output")["changes"]
    assert changes == {"new": [], "removed": [],
                       "updated": [{"slug": "bravo", "title": "Brief bravo",
                                    "fields": ["outlook"]}]}


def test_changing_a_template_rebuilds_all(corpus: Path) -> None:
    css = corpus / "templates" / "brief.css.j2"
    css.write_text(css.read_text() + "\n/* a change */\n", encoding="utf-8")
    assert statuses(build(corpus)) == dict.fromkeys(NAMES, "built")
    assert statuses(build(corpus)) == dict.fromkeys(NAMES, "unchanged")


def test_changing_settings_or_forcing_rebuilds_all(corpus: Path) -> None:
    (corpus / "briefgen.yaml").write_text("pdf_variant: pdf/a-3b\n", encoding="utf-8")
    assert statuses(build(corpus)) == dict.fromkeys(NAMES, "built")
    (corpus / "briefgen.yaml").unlink()
    assert statuses(build(corpus)) == dict.fromkeys(NAMES, "built")
    assert statuses(build(corpus, "--force")) == dict.fromkeys(NAMES, "built")


def test_a_missing_or_damaged_output_is_rebuilt(corpus: Path) -> None:
    (corpus / "output" / "charlie" / "charlie-full.docx").unlink()
    assert statuses(build(corpus))["charlie"] == "built"
    (corpus / "output" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert statuses(build(corpus)) == dict.fromkeys(NAMES, "built")


def test_manifest_records_every_file_truly(corpus: Path) -> None:
    build(corpus)
    data = manifest(corpus / "output")
    assert [b["slug"] for b in data["briefs"]] == list(NAMES)
    for entry in data["briefs"]:
        assert entry["title"] == f"Brief {entry['slug']}"
        assert entry["date"] == "2025-07-04"
        assert entry["status"] in ("built", "unchanged")
        assert entry["variants"] == ["summary", "full"]
        assert len(entry["files"]) == 4
        for f in entry["files"]:
            data_ = (corpus / "output" / f["path"]).read_bytes()
            assert f["size"] == len(data_)
            assert f["sha256"] == hashlib.sha256(data_).hexdigest()
            if f["format"] == "pdf":
                info = subprocess.run(["pdfinfo", str(corpus / "output" / f["path"])],
                                      capture_output=True, text=True, check=True).stdout
                assert f"Pages:           {f['pages']}" in info
            else:
                assert f["pages"] is None


def test_a_failing_brief_keeps_its_files_and_the_others_build(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("good", "flaky"))
    assert build(project).returncode == 0
    kept = snapshot(project / "output" / "flaky")
    flaky = project / "content" / "flaky.yaml"
    flaky.write_text(flaky.read_text().replace("date: 2025-07-04", "date: 04/07/2025"))
    good = project / "content" / "good.yaml"
    good.write_text(good.read_text().replace("Watch this.", "Watch closely."))
    result = build(project)
    assert result.returncode == 1
    assert statuses(result) == {"good": "built", "flaky": "failed"}
    assert snapshot(project / "output" / "flaky") == kept
    lines = result.stderr.splitlines()
    assert lines[lines.index("Failed:") + 1].startswith("  content/flaky.yaml:2:7: date:")
    entry = next(b for b in manifest(project / "output")["briefs"] if b["slug"] == "flaky")
    assert entry["status"] == "failed" and entry["error"].startswith("content/flaky.yaml:2:7")
    assert len(entry["files"]) == 4  # the previous good files, still linked from the index
    page = lxml.html.parse(str(project / "output" / "index.html")).getroot()
    (row,) = page.xpath('//tr[@id="flaky"]')
    assert "failed" in row.get("class")
    assert "must be a date written YYYY-MM-DD" in row.text_content()
    # Fixed, it builds again even though its content matches no earlier key.
    flaky.write_text(flaky.read_text().replace("date: 04/07/2025", "date: 2025-07-04"))
    assert statuses(build(project)) == {"good": "unchanged", "flaky": "built"}


def test_two_clean_builds_are_byte_identical(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("one", "two", "three"))
    for out in ("out-a", "out-b"):
        assert build(project, "--out", out).returncode == 0
    first, second = snapshot(project / "out-a"), snapshot(project / "out-b")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert len(first) == 3 * 4 + 2  # four files per brief, the manifest and the index


def test_removed_brief_leaves_the_manifest_and_its_files(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("stay", "go"))
    assert build(project).returncode == 0
    (project / "content" / "go.yaml").unlink()
    write_brief(project, "new")
    result = build(project)
    assert statuses(result) == {"stay": "unchanged", "new": "built"}
    assert not (project / "output" / "go").exists()
    assert manifest(project / "output")["changes"] == {
        "new": [{"slug": "new", "title": "A small brief"}],
        "removed": [{"slug": "go", "title": "Brief go"}], "updated": []}
    text = index_text(project / "output")
    assert "Removed: Brief go" in text and "New: A small brief" in text


def test_building_one_named_brief_keeps_the_others_in_the_manifest(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("one", "two"))
    assert build(project).returncode == 0
    result = build(project, "content/one.yaml", "--force")
    assert statuses(result) == {"one": "built"}
    assert [b["slug"] for b in manifest(project / "output")["briefs"]] == ["one", "two"]


def test_shards_split_the_corpus_stably_and_merge_into_one_index(tmp_path: Path) -> None:
    names = tuple(f"brief{n}" for n in range(7))
    project = project_with(tmp_path, names)
    seen: list[str] = []
    for part in (1, 2, 3):
        result = build(project, "--shard", f"{part}/3", "--out", "site")
        assert result.returncode == 0, result.stderr
        shard = manifest(project / "site", f"manifest.shard-{part}-of-3.json")
        slugs = [b["slug"] for b in shard["briefs"]]
        assert slugs == [n for n in names if in_shard(n, (part, 3))]
        seen += slugs
    assert sorted(seen) == sorted(names)  # every brief in exactly one shard
    assert not (project / "site" / "manifest.json").exists()
    shards = sorted(str(p.relative_to(project)) for p in (project / "site").glob("manifest.*"))
    result = run_cli(["merge-manifests", *shards, "--out", "site"], project)
    assert result.returncode == 0, result.stderr
    merged = manifest(project / "site")
    assert [b["slug"] for b in merged["briefs"]] == sorted(names)
    page = lxml.html.parse(str(project / "site" / "index.html")).getroot()
    links = page.xpath("//td[@class='files']//a/@href")
    assert len(links) == 4 * len(names)
    assert all((project / "site" / link).is_file() for link in links)


def test_shard_assignment_depends_only_on_the_slug() -> None:
    slugs = [f"brief-{n}" for n in range(200)]
    parts = [[s for s in slugs if in_shard(s, (k, 4))] for k in (1, 2, 3, 4)]
    assert sorted(s for part in parts for s in part) == sorted(slugs)
    assert all(20 < len(p) < 80 for p in parts)  # roughly even
    assert [s for s in slugs[:100] if in_shard(s, (2, 4))] == [
        s for s in parts[1] if int(s.split("-")[1]) < 100]


def test_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("one",))
    for bad in ("3/2", "0/2", "x", "1/0"):
        result = build(project, "--shard", bad)
        assert result.returncode == 2, bad
        assert "--shard" in result.stderr


def test_index_lists_every_brief_with_working_links(corpus: Path) -> None:
    build(corpus)
    page = lxml.html.parse(str(corpus / "output" / "index.html")).getroot()
    assert page.findtext(".//title") == "Halden Centre for Strategic Affairs: briefs"
    rows = page.xpath("//tbody/tr")
    assert [r.get("id") for r in rows] == list(NAMES)
    for row in rows:
        assert f"Brief {row.get('id')}" in row.text_content()
        links = row.xpath(".//a/@href")
        assert len(links) == 4
        assert all((corpus / "output" / link).is_file() for link in links)


def dated_brief(project: Path, name: str, title: str, date: str) -> Path:
    text = MINIMAL_BRIEF.replace("A small brief", title).replace("2025-07-04", date)
    return write_brief(project, name, text)


def rows(out: Path) -> list[str]:
    """The index's rows as a reader reads them, top to bottom, whitespace folded."""
    page = lxml.html.parse(str(out / "index.html")).getroot()
    return [" ".join(row.text_content().split()) for row in page.xpath("//tbody/tr")]


def test_index_shows_titles_the_build_date_and_changed_briefs_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dated_brief(tmp_path, "old", "Grain corridor reopens", "2024-03-01")
    dated_brief(tmp_path, "mid", "Sanctions round twelve", "2025-01-15")
    dated_brief(tmp_path, "new", "Ceasefire talks resume", "2025-06-30")
    assert build(tmp_path).returncode == 0
    assert [r.split()[0:2] for r in rows(tmp_path / "output")] == [
        ["Ceasefire", "talks"], ["Sanctions", "round"], ["Grain", "corridor"]]
    text = index_text(tmp_path / "output")
    assert "Built 2025-06-30" in text  # the newest brief's date, not the clock
    assert "New: Ceasefire talks resume, Grain corridor reopens, Sanctions round twelve" in text
    old = tmp_path / "content" / "old.yaml"
    old.write_text(old.read_text().replace("Watch this.", "Watch the ports."), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751846400")  # 2025-07-07 00:00 UTC
    assert statuses(build(tmp_path))["old"] == "built"
    first, second, third = rows(tmp_path / "output")
    assert first.startswith("Grain corridor reopens old updated outlook changed 2024-03-01 built")
    assert second.startswith("Ceasefire talks resume new 2025-06-30 unchanged")
    assert third.startswith("Sanctions round twelve mid 2025-01-15 unchanged")
    text = index_text(tmp_path / "output")
    assert "Built 2025-07-07" in text
    assert "Updated: Grain corridor reopens: outlook changed" in text
    assert "New:" not in text
    assert manifest(tmp_path / "output")["build_date"] == "2025-07-07"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "next monday")
    result = build(tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("SOURCE_DATE_EPOCH: 'next monday' is not a time")


def test_a_mistyped_brief_never_enters_the_manifest_or_the_index(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("one", "two"))
    assert build(project).returncode == 0
    before = snapshot(project / "output")
    result = build(project, "content/oen.yaml")
    assert result.returncode == 2
    assert result.stderr == ("content/oen.yaml: no such file or folder "
                             "(hint: did you mean content/one.yaml?)\n")
    assert snapshot(project / "output") == before
    result = build(project)
    assert statuses(result) == {"one": "unchanged", "two": "unchanged"}
    assert manifest(project / "output")["changes"] == {"new": [], "updated": [], "removed": []}
    assert "oen" not in index_text(project / "output")


def test_briefs_left_out_of_a_build_are_shown_as_not_rebuilt(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("one", "two", "flaky"))
    flaky = project / "content" / "flaky.yaml"
    flaky.write_text(flaky.read_text().replace("date: 2025-07-04", "date: soon"))
    assert build(project).returncode == 1
    text = index_text(project / "output")
    assert "1 failed" in text
    assert "Failed: these briefs keep their previous files flaky: content/flaky.yaml:2:7" in text
    assert statuses(build(project, "content/one.yaml", "--force")) == {"one": "built"}
    data = {b["slug"]: b for b in manifest(project / "output")["briefs"]}
    assert {s: b["status"] for s, b in data.items()} == {
        "one": "built", "two": "kept", "flaky": "kept"}
    text = index_text(project / "output")
    assert "0 failed" in text and "Failed:" not in text  # nothing failed in this build
    assert "2 not rebuilt in this build" in text
    (two,) = [r for r in rows(project / "output") if r.startswith("Brief two")]
    assert "not rebuilt" in two and "built" not in two.replace("not rebuilt", "")
    (bad,) = [r for r in rows(project / "output") if r.startswith("flaky")]
    assert "not rebuilt" in bad and "its last build failed: content/flaky.yaml:2:7" in bad
    # The next full build attempts both again and says what happened to each now.
    result = build(project)
    assert statuses(result) == {"one": "unchanged", "two": "unchanged", "flaky": "failed"}


def test_outputs_no_longer_produced_leave_the_folder(tmp_path: Path) -> None:
    project = project_with(tmp_path, ("one",))
    assert build(project, "--format", "html", "--format", "pdf").returncode == 0
    assert (project / "output" / "one" / "one-full.html").is_file()
    assert "Web" in index_text(project / "output")
    assert build(project).returncode == 0
    assert sorted(p.name for p in (project / "output" / "one").iterdir()) == [
        "one-full.docx", "one-full.pdf", "one-summary.docx", "one-summary.pdf"]
    assert "Web" not in index_text(project / "output")
    assert build(project, "--variant", "summary").returncode == 0
    assert sorted(p.name for p in (project / "output" / "one").iterdir()) == [
        "one-summary.docx", "one-summary.pdf"]
    links = lxml.html.parse(str(project / "output" / "index.html")).xpath("//td//a/@href")
    assert sorted(links) == ["./one/one-summary.docx", "./one/one-summary.pdf"]
