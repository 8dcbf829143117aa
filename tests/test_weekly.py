""".github/workflows/weekly-briefs.yml, run as GitHub would run it: two weekly runs, each job in
its own fresh folder, the shell steps executed exactly as the workflow writes them, and the
artifact steps done by copying folders (the one part that needs GitHub). The second run must
build only the brief that was edited, and its index must say what changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml
from conftest import MINIMAL_BRIEF, REPO
from pypdf import PdfReader

WORKFLOW = REPO / ".github" / "workflows" / "weekly-briefs.yml"
VENV = Path(sys.executable).parent.parent
BRIEFS = {f"brief-{n}": f"Weekly brief number {n}" for n in range(1, 7)}
SET_UP = {"scripts/setup"}  # done once for the test session: the test's own .venv


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


class Run:
    """One run of the workflow: its artifacts, the log of each step, and the run it follows."""

    def __init__(self, root: Path, content: dict[str, str], previous: Run | None) -> None:
        self.root, self.content, self.previous = root, content, previous
        self.artifacts = root / "artifacts"
        self.logs: dict[str, str] = {}
        self.flow = workflow()

    def checkout(self, folder: Path) -> None:
        """A fresh clone: the scripts and this week's content, the test's .venv set up."""
        folder.mkdir(parents=True)
        shutil.copytree(REPO / "scripts", folder / "scripts")
        (folder / ".venv").symlink_to(VENV)
        for slug, text in self.content.items():
            (folder / "content").mkdir(exist_ok=True)
            (folder / "content" / f"{slug}.yaml").write_text(text, encoding="utf-8")

    def expand(self, text: str, values: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            assert match[1] in values, f"the test does not know ${{{{ {match[1]} }}}}"
            return values[match[1]]

        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", value, text)

    def condition(self, step: dict, values: dict[str, str]) -> bool:
        condition = step.get("if")
        if condition is None or condition == "always()":
            return True
        assert condition == "needs.previous.outputs.run-id != ''", condition
        return values["needs.previous.outputs.run-id"] != ""

    def job(self, name: str, folder: Path, matrix: dict[str, str]) -> str:
        """Run one job's steps in folder; return its log."""
        values = {"env.SHARDS": str(self.flow["env"]["SHARDS"]),
                  "github.token": "token",
                  "needs.previous.outputs.run-id": "previous" if self.previous else "",
                  **{f"matrix.{k}": v for k, v in matrix.items()}}
        log = []
        for step in self.flow["jobs"][name]["steps"]:
            if not self.condition(step, values):
                continue
            uses = step.get("uses", "")
            given = {k: self.expand(str(v), values) for k, v in step.get("with", {}).items()}
            if uses.startswith("actions/checkout@"):
                self.checkout(folder)
            elif "run" in step and step["run"] in SET_UP:
                continue
            elif "run" in step:
                done = subprocess.run(["bash", "-eo", "pipefail", "-c",
                                       self.expand(step["run"], values)], cwd=folder,
                                      capture_output=True, text=True, timeout=600, check=False)
                log.append(done.stdout + done.stderr)
                assert done.returncode == 0, f"{step.get('name')}: {done.stdout}{done.stderr}"
            elif uses.startswith("actions/download-artifact@"):
                self.download(given, folder)
            elif uses.startswith("actions/upload-artifact@"):
                shutil.copytree(folder / given["path"], self.artifacts / given["name"])
            else:
                raise AssertionError(f"the test does not know the step {step}")
        return "".join(log)

    def download(self, given: dict[str, str], folder: Path) -> None:
        if "run-id" in given:  # the previous run's published artifact
            assert self.previous and given["run-id"] == "previous"
            store, names = self.previous.artifacts, [given["name"]]
        else:
            store = self.artifacts
            names = sorted(p.name for p in store.glob(given.get("pattern", given.get("name"))))
            assert given.get("merge-multiple") == "True" or len(names) == 1
        for name in names:
            shutil.copytree(store / name, folder / given["path"], dirs_exist_ok=True)

    def go(self) -> Run:
        """The whole run: every shard of the matrix, then the job that joins them."""
        for shard in self.flow["jobs"]["build"]["strategy"]["matrix"]["shard"]:
            self.logs[f"shard-{shard}"] = self.job("build", self.root / f"shard-{shard}",
                                                   {"shard": str(shard)})
        self.logs["publish"] = self.job("publish", self.root / "publish", {})
        return self

    @property
    def published(self) -> Path:
        return self.artifacts / "weekly-briefs"


def brief(slug: str, outlook: str = "Watch this.") -> str:
    return MINIMAL_BRIEF.replace("A small brief", BRIEFS[slug]).replace("Watch this.", outlook)


def built(log: str) -> set[str]:
    return set(re.findall(r"^built content/([\w-]+)\.yaml", log, re.M))


def index_text(folder: Path) -> str:
    page = lxml.html.parse(str(folder / "index.html")).getroot()
    return " ".join(page.find("body").text_content().split())


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    content = {slug: brief(slug) for slug in BRIEFS}
    first = Run(tmp_path_factory.mktemp("week1"), content, None).go()
    edited = {**content, "brief-3": brief("brief-3", "Watch the harbour.")}
    second = Run(tmp_path_factory.mktemp("week2"), edited, first).go()
    return first, second


def test_the_first_run_says_no_previous_build_and_builds_everything(
        two_runs: tuple[Run, Run]) -> None:
    first, _ = two_runs
    shards = [log for name, log in first.logs.items() if name.startswith("shard-")]
    assert all(log.startswith("no previous build") for log in shards)
    assert set().union(*(built(log) for log in shards)) == set(BRIEFS)
    assert first.logs["publish"].startswith("no previous build")
    text = index_text(first.published)
    assert "New: " + ", ".join(sorted(BRIEFS.values())) in text


def test_the_second_run_restores_the_first_and_builds_only_the_edited_brief(
        two_runs: tuple[Run, Run]) -> None:
    first, second = two_runs
    shards = [log for name, log in second.logs.items() if name.startswith("shard-")]
    assert all(re.match(r"restored the previous build of \d{4}-\d\d-\d\d for shard \d/4: ", log)
               for log in shards)
    restored = set(re.findall(r"^  restored ([\w-]+)$", "".join(shards), re.M))
    assert restored == set(BRIEFS)
    assert set().union(*(built(log) for log in shards)) == {"brief-3"}
    unchanged = set(re.findall(r"^unchanged content/([\w-]+)\.yaml", "".join(shards), re.M))
    assert unchanged == set(BRIEFS) - {"brief-3"}
    assert second.logs["publish"].startswith("restored the previous manifest (6 briefs")

    text = index_text(second.published)
    assert "Updated: Weekly brief number 3: outlook changed" in text
    assert "New:" not in text and "Removed:" not in text
    page = lxml.html.parse(str(second.published / "index.html")).getroot()
    first_row = " ".join(page.xpath("//tbody/tr")[0].text_content().split())
    assert first_row.startswith("Weekly brief number 3 brief-3 updated outlook changed")
    data = json.loads((second.published / "manifest.json").read_text(encoding="utf-8"))
    assert data["changes"] == {"new": [], "removed": [], "updated": [
        {"slug": "brief-3", "title": "Weekly brief number 3", "fields": ["outlook"]}]}
    assert {b["slug"]: b["status"] for b in data["briefs"]} == {
        slug: "built" if slug == "brief-3" else "unchanged" for slug in BRIEFS}
    # Everything the index links is in the published folder, unchanged files as first built.
    for link in page.xpath("//td[@class='files']//a/@href"):
        assert (second.published / link).is_file(), link
        if not link.removeprefix("./").startswith("brief-3/"):
            assert (second.published / link).read_bytes() == (
                first.published / link).read_bytes(), link


def test_the_workflow_parses_and_its_steps_name_what_exists() -> None:
    flow = workflow()
    assert set(flow["jobs"]) == {"previous", "build", "publish"}
    assert flow["permissions"] == {"contents": "read", "actions": "read"}
    for name, job in flow["jobs"].items():
        for step in job["steps"]:
            for script in re.findall(r"scripts/[\w./-]+", step.get("run", "")):
                assert (REPO / script).is_file(), f"{name}: {script} does not exist"
            for command in re.findall(r"\.venv/bin/briefgen (\S+)", step.get("run", "")):
                help_ = subprocess.run([str(VENV / "bin" / "briefgen"), command, "--help"],
                                       capture_output=True, text=True, check=False)
                assert help_.returncode == 0, f"{name}: briefgen {command} does not exist"
            uses = step.get("uses", "")
            assert not uses or re.fullmatch(r"actions/[\w-]+@v\d+", uses), uses
    find = flow["jobs"]["previous"]["steps"][0]
    assert "weekly-briefs" in find["with"]["script"] and "setOutput(\"run-id\"" in (
        find["with"]["script"])


def restore(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "restore-previous-build.py"),
                           *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_restoring_copies_only_recorded_bytes_from_inside_the_previous_build(
        two_runs: tuple[Run, Run], tmp_path: Path) -> None:
    first, _ = two_runs
    previous = tmp_path / "previous"
    shutil.copytree(first.published, previous)
    data = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    by_slug = {b["slug"]: b for b in data["briefs"]}
    (previous / by_slug["brief-1"]["files"][0]["path"]).write_bytes(b"not what was published")
    linked = previous / by_slug["brief-2"]["files"][0]["path"]  # same bytes, but outside
    (tmp_path / "outside.pdf").write_bytes(linked.read_bytes())
    linked.unlink()
    linked.symlink_to(tmp_path / "outside.pdf")
    done = restore(["previous", "output"], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("restored the previous build of ") and "4 of 6 briefs" in lines[0]
    assert "  not restored (will be built) brief-1" in lines
    assert "  not restored (will be built) brief-2" in lines
    assert not (tmp_path / "output" / "brief-1").exists()
    assert not (tmp_path / "output" / "brief-2").exists()
    restored = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert [b["slug"] for b in restored["briefs"]] == ["brief-3", "brief-4", "brief-5",
                                                        "brief-6"]


def test_no_previous_build_or_a_damaged_one_means_building_everything(tmp_path: Path) -> None:
    done = restore(["previous", "output", "--shard", "2/4"], tmp_path)
    assert done.returncode == 0
    assert done.stdout == ("no previous build (previous/manifest.json not found): every brief "
                           "is built\n")
    assert not (tmp_path / "output").exists()
    (tmp_path / "previous").mkdir()
    (tmp_path / "previous" / "manifest.json").write_text("{not json", encoding="utf-8")
    done = restore(["previous", "output", "--manifest-only"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("no previous build: previous/manifest.json: not a briefgen "
                                  "manifest")
    assert not (tmp_path / "output").exists()


def outline(pdf: Path) -> list[str]:
    return [item.title for item in PdfReader(str(pdf)).outline if not isinstance(item, list)]


def test_each_run_publishes_a_pack_of_what_changed_and_redlines_of_the_edit(
        two_runs: tuple[Run, Run]) -> None:
    first, second = two_runs
    assert outline(first.published / "pack" / "pack-summary.pdf") == sorted(BRIEFS.values())
    assert outline(second.published / "pack" / "pack-summary.pdf") == ["Weekly brief number 3"]
    assert (second.published / "pack" / "pack-summary.docx").is_file()
    assert not list(first.published.glob("*/*-changes.*"))  # nothing to compare with yet
    assert sorted(p.name for p in second.published.glob("*/*-changes.*")) == [
        "brief-3-full-changes.docx", "brief-3-full-changes.pdf",
        "brief-3-summary-changes.docx", "brief-3-summary-changes.pdf"]
    body = zipfile.ZipFile(second.published / "brief-3" / "brief-3-summary-changes.docx").read(
        "word/document.xml").decode()
    assert re.findall(r"<w:delText[^>]*>([^<]*)<", body) == ["this."]
    inserted = re.findall(r"<w:ins [^>]*>.*?</w:ins>", body)
    assert [re.sub(r"<[^>]+>", "", i) for i in inserted] == ["the harbour."]
    index = lxml.html.parse(str(second.published / "index.html")).getroot()
    links = set(index.xpath("//a/@href"))
    assert {"./pack/pack-summary.pdf", "./pack/pack-summary.docx",
            "./brief-3/brief-3-summary-changes.pdf"} <= links
    for link in links:
        if not link.startswith("#"):
            assert (second.published / link).is_file(), link
