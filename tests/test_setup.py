"""The two set-ups: building needs little, the tests need their readers' tools. The weekly runners
install only the first; CI runs exactly the README's test command."""

from __future__ import annotations

import subprocess

import yaml
from conftest import REPO

TEST_TOOLS = {"poppler-utils", "qpdf", "libreoffice-writer-nogui", "fonts-dejavu-core",
              "chromium", "chromium-driver"}


def packages(script: str, array: str) -> set[str]:
    """The Debian packages a set-up script lists in one of its arrays, as bash reads them."""
    source = f"eval \"$(sed -n '/^{array}=(/,/^)/p' {script})\"; echo \"${{{array}[@]}}\""
    out = subprocess.run(["bash", "-c", source], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines()]


def test_building_installs_no_test_tool_and_the_tests_install_every_one() -> None:
    build = packages("scripts/setup", "BUILD_PACKAGES")
    assert {"libpango-1.0-0", "libharfbuzz-subset0", "fonts-noto-core"} <= build
    assert not build & TEST_TOOLS
    assert packages("scripts/setup-tests", "TEST_PACKAGES") == TEST_TOOLS
    tests_setup = (REPO / "scripts" / "setup-tests").read_text(encoding="utf-8")
    assert "\nscripts/setup\n" in tests_setup  # everything building needs, first
    assert 'install_venv ".[test]"' in tests_setup
    assert "[test]" not in (REPO / "scripts" / "setup").read_text(encoding="utf-8")


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    build_command, test_command = readme_commands()
    assert build_command == "scripts/setup && .venv/bin/briefgen build"
    assert test_command == "scripts/setup-tests && .venv/bin/pytest"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    commands = [line for line in ci if line and not line.startswith(("#", "set ", "cd "))]
    # The README's test command, then the linters it installs (ruff, and mypy on the typed
    # document and the writers).
    assert commands == [test_command, ".venv/bin/ruff check .", ".venv/bin/mypy"]


def test_the_weekly_runners_install_only_what_building_needs() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/weekly-briefs.yml").read_text())
    building = 0
    for name, job in workflow["jobs"].items():
        runs = [step["run"] for step in job["steps"] if "run" in step]
        building += "scripts/setup" in runs
        assert not any("setup-tests" in run or "pytest" in run for run in runs), name
    assert building == 2  # the shards and the job that joins them
