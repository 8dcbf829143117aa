"""briefgen installed like any Python tool: from its wheel, with no checkout anywhere near.

The wheel is built from a copy of the package's files, installed into a fresh virtual
environment in a temporary folder, and that install alone starts a project (`briefgen init`)
and builds it. What this needs, so it runs offline on CI in a few seconds:

- the wheel is built without build isolation, with the setuptools of the test environment
  (`setuptools` is in the `test` extra), so nothing is downloaded;
- the fresh environment gets briefgen from the wheel only (`--no-deps --no-index`); briefgen's
  dependencies are lent from the test environment by a .pth line naming its site-packages.
  A plain path in a .pth file runs none of that folder's own .pth files, so the editable
  install of the checkout there is invisible: the test asserts briefgen is imported from the
  fresh environment, and `pip check` asserts the lent packages satisfy the wheel's declared
  dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

# Only what the wheel is made of: never the checkout's .venv, output/ or build leftovers.
PACKAGE_FILES = ("pyproject.toml", "README.md", "briefgen", "templates")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a shell where only the fresh venv is on PATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin"
    env["VIRTUAL_ENV"] = str(venv)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """briefgen's wheel, built from a copy of its sources outside the checkout."""
    source = tmp_path_factory.mktemp("source")
    for name in PACKAGE_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    wheels = tmp_path_factory.mktemp("wheels")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
          "--no-build-isolation", "--wheel-dir", wheels, source], cwd=source)
    (built,) = wheels.glob("briefgen-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with briefgen installed from the wheel, and nothing else of
    the checkout."""
    root = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", root], cwd=root.parent)
    python = root / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=root).stdout.strip()
    (Path(purelib) / "briefgen_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
          "--no-deps", "--no-index", wheel], cwd=root)
    return root


def test_the_wheel_carries_every_bundled_template(wheel: Path) -> None:
    """Every file of the repository's templates/ is in the wheel, under briefgen/templates/."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {f"briefgen/templates/{p.relative_to(REPO / 'templates').as_posix()}"
                for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert expected and expected <= names, sorted(expected - names)
    assert "briefgen/skeleton/weekly-briefs.yml" in names


def test_a_fresh_install_starts_and_builds_a_project_outside_the_checkout(
        venv: Path, tmp_path: Path) -> None:
    """The issue's new user: install, `briefgen init`, `briefgen build`, in a folder holding
    nothing of the checkout; the PDF reads back with the example's title, the DOCX exists."""
    env = _clean_env(venv)
    where = _run([venv / "bin" / "python", "-c", "import briefgen; print(briefgen.__file__)"],
                 cwd=tmp_path, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), f"briefgen imported from {where}, not the wheel"
    assert not Path(where).is_relative_to(REPO)
    _run([venv / "bin" / "python", "-m", "pip", "check"], cwd=tmp_path, env=env)

    _run(["briefgen", "init", "briefs"], cwd=tmp_path, env=env)
    project = tmp_path / "briefs"
    proc = _run(["briefgen", "--verbose", "build"], cwd=project, env=env)
    assert f"templates: {venv}" in proc.stderr, proc.stderr  # the wheel's own templates
    out = project / "output" / "example-brief"
    for variant in ("summary", "full"):
        assert (out / f"example-brief-{variant}.docx").stat().st_size > 0
        text = _run(["pdftotext", out / f"example-brief-{variant}.pdf", "-"], cwd=tmp_path).stdout
        assert "An example brief" in text
    version = _run([venv / "bin" / "python", "-m", "briefgen", "--version"], cwd=project, env=env)
    assert version.stdout.startswith("briefgen, version ")


def test_templates_are_found_when_briefgen_is_imported_from_a_zip(wheel: Path,
                                                                  tmp_path: Path) -> None:
    """A wheel is a zip: imported straight from it (zipimport), bundled_templates() still
    gives a real folder holding the brand and labels, for Jinja and WeasyPrint to read."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import briefgen.project as p; "
            "assert p.__file__.startswith(sys.argv[1]), p.__file__; "
            "t = p.bundled_templates(); print(t); "
            "print((t / 'brand.yaml').is_file(), (t / 'labels' / 'en.yaml').is_file())")
    proc = _run([sys.executable, "-c", code, wheel], cwd=tmp_path)
    folder, found = proc.stdout.splitlines()
    assert found == "True True"
    assert not Path(folder).exists(), "the copy is removed when the process ends"
