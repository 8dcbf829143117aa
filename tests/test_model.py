"""The content model and the sample brief that ships with the project."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_CONTENT, REPO, marker_ids, run_cli

from briefgen.model import Brief

TOP_LEVEL_KEYS = [
    "title", "subtitle", "date", "language", "classification", "authors", "organisation",
    "summary", "key_points", "sections", "timeline", "actors", "figures", "quotes", "outlook",
    "recommendations", "sources",
]
REQUIRED = ["title", "date", "classification", "authors", "organisation", "summary",
            "key_points", "outlook"]


@pytest.fixture(scope="module")
def schema() -> dict:
    return Brief.model_json_schema()


def test_schema_lists_every_top_level_key(schema: dict) -> None:
    missing = [key for key in TOP_LEVEL_KEYS if key not in schema["properties"]]
    assert not missing


def test_schema_requires_the_essentials_and_forbids_unknown_keys(schema: dict) -> None:
    assert sorted(schema["required"]) == sorted(REQUIRED)
    assert schema.get("additionalProperties") is False


def test_schema_describes_every_key(schema: dict) -> None:
    # Editors read the schema in their editor: every top-level key needs a description.
    undocumented = [key for key, spec in schema["properties"].items()
                    if not spec.get("description")]
    assert not undocumented


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_sample_brief_is_complete(brief: Brief) -> None:
    assert len(brief.timeline) >= 8
    assert len(brief.actors) >= 6
    assert len(brief.figures) >= 4
    assert len(brief.quotes) >= 2
    assert brief.recommendations
    assert brief.sections
    assert brief.subtitle


def test_sample_brief_cites_its_sources(brief: Brief) -> None:
    data = brief.model_dump(mode="json")
    data.pop("sources")
    cited = {i for text in _strings(data) for i in marker_ids(text)}
    assert len(cited) >= 5
    known = {s.id for s in brief.sources}
    assert cited <= known
    # Figures and quotes name their source by id; every source is used somewhere.
    used = cited | {f.source for f in brief.figures} | {q.source for q in brief.quotes}
    assert used == known


def test_sample_timeline_is_in_date_order(brief: Brief) -> None:
    dates = [event.date for event in brief.timeline]
    assert dates == sorted(dates)


def test_sample_brief_passes_check() -> None:
    proc = run_cli(["check", DEFAULT_CONTENT], cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip() == "1 brief OK"


def test_schema_and_docs_are_generated_from_the_model() -> None:
    """One source of truth: schema/brief.schema.json and docs/content-format.md are what the
    model generates (run `python -m briefgen.reference` after changing it)."""
    from briefgen.reference import DOCS_PATH, SCHEMA_PATH, json_schema, markdown_reference

    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema()
    assert DOCS_PATH.read_text(encoding="utf-8") == markdown_reference()
