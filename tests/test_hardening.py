"""Regressions for inputs that once crashed or misled: aliases, malformed citations, odd links,
and Word XML that must follow the schema's element order to open cleanly in Word."""

from __future__ import annotations

import zipfile
from pathlib import Path

from conftest import MINIMAL_BRIEF, SLUG, output_file
from lxml import etree
from markupsafe import Markup
from test_errors import REST, assert_reported, check

from briefgen.markup import inline
from briefgen.render.wordxml import SCHEMA_ORDER

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_self_referencing_alias_is_a_content_error(tmp_path: Path) -> None:
    proc = check(tmp_path, "title: &a [*a]\n")
    assert_reported(proc, "content/x.yaml:1:8: title[0]: an alias here refers to a value "
                          "that contains it")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    proc = check(tmp_path, "\n".join(lines) + "\n")
    assert proc.returncode == 1
    assert "too many values" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_malformed_citation_is_reported_not_printed(tmp_path: Path) -> None:
    text = MINIMAL_BRIEF.replace("- Second point.", "- Second point [@Src-A].")
    proc = check(tmp_path, text)
    assert_reported(proc, "content/x.yaml:10:18: key_points[1]: malformed citation '[@Src-A]' "
                          "(hint: write [@id] or [@id; @other-id] with lower-case ids)")


def test_each_unknown_citation_gets_its_own_column(tmp_path: Path) -> None:
    text = "title: T\ndate: 2025-07-04\n" + REST.replace(
        "key_points: [A point.]", "key_points:\n  - see [@nope-x] and [@nope] ok"
    )
    proc = check(tmp_path, text)
    assert_reported(
        proc,
        "content/x.yaml:8:9: key_points[0]: cites unknown source 'nope-x' "
        "(hint: add a sources list with this id)",
        "content/x.yaml:8:23: key_points[0]: cites unknown source 'nope' "
        "(hint: add a sources list with this id)",
    )


def test_links_with_parentheses() -> None:
    def cite(ids: list[str]) -> Markup:
        return Markup("")

    html = inline("[x](https://en.wikipedia.org/wiki/Foo_(bar)) after", cite)
    assert html == '<a href="https://en.wikipedia.org/wiki/Foo_(bar)">x</a> after'
    assert inline("[click](javascript:alert(1)) after", cite) == "click after"


def test_docx_properties_follow_schema_order(built: Path) -> None:
    """Word rejects out-of-order children; check every pPr, tcPr and tblPr we write."""
    for variant in ("summary", "full"):
        path = output_file(built, variant, "docx")
        with zipfile.ZipFile(path) as package:
            for part in ("word/document.xml", "word/styles.xml"):
                root = etree.fromstring(package.read(part))
                for name, order in SCHEMA_ORDER.items():
                    rank = {f"{W}{n}": i for i, n in enumerate(order.split())}
                    for element in root.iter(f"{W}{name}"):
                        seen = [rank[c.tag] for c in element if c.tag in rank]
                        assert seen == sorted(seen), f"{SLUG} {variant} {part}: {name} order"
