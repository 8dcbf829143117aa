"""`briefgen new` and `briefgen schema`: a new editor's first two commands."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, run_cli


def test_new_brief_has_every_field_and_builds_at_once(tmp_path: Path) -> None:
    result = run_cli(["new", "water-security", "--title", "Water: the next crisis"], tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "content" / "water-security.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schema/brief.schema.json"
    schema = json.loads((tmp_path / "schema" / "brief.schema.json").read_text())
    for field in schema["properties"]:
        assert f"\n{field}:" in text, f"{field} missing from the new brief"
    assert 'title: "Water: the next crisis"' in text
    strict = run_cli(["check", "--strict"], tmp_path)
    assert strict.returncode == 0, strict.stdout + strict.stderr
    build = run_cli(["build", "--format", "pdf", "--format", "docx", "--format", "html"],
                    tmp_path)
    assert build.returncode == 0, build.stderr
    assert len(list((tmp_path / "output" / "water-security").iterdir())) == 6


def test_new_never_overwrites(tmp_path: Path) -> None:
    assert run_cli(["new", "mine"], tmp_path).returncode == 0
    path = tmp_path / "content" / "mine.yaml"
    path.write_text(path.read_text() + "# my edits\n", encoding="utf-8")
    result = run_cli(["new", "mine"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("content/mine.yaml already exists; choose another slug or "
                                     "edit it")
    assert path.read_text().endswith("# my edits\n")


def test_new_refuses_a_slug_that_is_not_a_file_name(tmp_path: Path) -> None:
    result = run_cli(["new", "Bad Slug!"], tmp_path)
    assert result.returncode == 2
    assert "use lower-case letters, digits and dashes" in result.stderr


def test_schema_command_prints_the_shipped_schema(tmp_path: Path) -> None:
    result = run_cli(["schema"], tmp_path)
    assert result.returncode == 0
    assert result.stdout == (REPO / "schema" / "brief.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout)["title"]
