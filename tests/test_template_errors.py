"""A project's own templates/ that fail: one line naming the template file and line, exit 1,
never a traceback. Syntax errors stop the build before any brief (one line per broken
template, not one per brief); a template that fails while rendering fails the briefs it
renders, naming the template line and the brief."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, REPO, run_cli, write_brief

GIVEN = ("check the spelling; this template is given brief, labels, brand, variant, "
         "variant_label, doc, md, text and cite")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with its own copy of every template, and two briefs."""
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    write_brief(tmp_path, "a")
    write_brief(tmp_path, "b", MINIMAL_BRIEF.replace("A small brief", "Brief B"))
    return tmp_path


# The line of parts.j2 that writes the bottom line, which every variant shows.
LINE = 1 + next(i for i, text in enumerate(
    (REPO / "templates" / "parts.j2").read_text(encoding="utf-8").splitlines())
    if "brief.summary" in text and "doc.paragraph" in text)


def set_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(project: Path, *args: str):
    result = run_cli(["build", "--jobs", "2", *args], project)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.mark.parametrize("line,message", [
    ("{{ brief.title }", "unexpected '}'"),
    ("{% if brief.subtitle %}", "Encountered unknown tag 'endcall'. You probably made a "
                               "nesting mistake. Jinja is expecting this tag, but currently "
                               "looking for 'elif' or 'else' or 'endif'. The innermost block "
                               "that needs to be closed is 'if'."),
    ("{{ brief.title | no_such_filter }}", "No filter named 'no_such_filter'."),
])
def test_syntax_error_is_one_line_before_any_brief(project: Path, line: str,
                                                   message: str) -> None:
    set_line(project / "templates" / "parts.j2", LINE, line)
    result = build(project)
    assert result.returncode == 1
    where = LINE + 1 if "{% if" in line else LINE  # an unclosed if is noticed at {% endcall %}
    assert result.stderr.splitlines() == [
        f"templates/parts.j2:{where}: template error: {message}"]
    assert result.stdout == ""
    assert not (project / "output").exists()


def test_every_broken_template_is_named(project: Path) -> None:
    with (project / "templates" / "parts.j2").open("a", encoding="utf-8") as handle:
        handle.write("{% for x in brief.sources %}\n")
    css = project / "templates" / "brief.css.j2"
    lines = css.read_text(encoding="utf-8").count("\n")
    with css.open("a", encoding="utf-8") as handle:
        handle.write("h1 { color: {{ brand.colours.primary }; }\n")
    result = build(project)
    assert result.returncode == 1
    parts_end = (project / "templates" / "parts.j2").read_text().count("\n")
    assert result.stderr.splitlines() == [
        f"templates/brief.css.j2:{lines + 1}: template error: unexpected '}}'",
        f"templates/parts.j2:{parts_end}: template error: Unexpected end of template. "
        "Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block "
        "that needs to be closed is 'for'.",
    ]


def test_undefined_variable_names_the_template_line_and_the_brief(project: Path) -> None:
    set_line(project / "templates" / "parts.j2", LINE, "{{ brief.titel }}")
    result = build(project)
    assert result.returncode == 1
    problems = sorted(line for line in result.stderr.splitlines()
                      if line.startswith("templates/"))
    assert problems == [
        f"templates/parts.j2:{LINE}: template error: 'Brief' has no attribute 'titel', while "
        f"building content/{slug}.yaml (hint: {GIVEN})" for slug in ("a", "b")]
    assert "0 briefs built, 0 unchanged, 2 failed" in result.stderr
    assert not (project / "output" / "a").exists()


def test_undefined_name_and_missing_include(project: Path) -> None:
    set_line(project / "templates" / "parts.j2", LINE, "{{ nope }}")
    result = build(project, "content/a.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"templates/parts.j2:{LINE}: template error: 'nope' is undefined, while building "
        f"content/a.yaml (hint: {GIVEN})")
    set_line(project / "templates" / "parts.j2", LINE, "{% include 'missing.html.j2' %}")
    result = build(project, "content/a.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"templates/parts.j2:{LINE}: template error: template 'missing.html.j2' not found, "
        f"while building content/a.yaml (hint: templates are looked for in templates/ and then "
        f"{REPO / 'templates'}/)")


def test_error_inside_the_stylesheet_and_a_filter(project: Path) -> None:
    css = project / "templates" / "brief.css.j2"
    lines = css.read_text(encoding="utf-8").count("\n")
    with css.open("a", encoding="utf-8") as handle:
        handle.write("h1 { color: {{ brand.colours.nope }}; }\n")
    result = build(project, "content/a.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"templates/brief.css.j2:{lines + 1}: template error: 'Colours' has no attribute "
        "'nope', while building content/a.yaml (hint: check the spelling; this template is "
        "given brand)")
    shutil.copy(REPO / "templates" / "brief.css.j2", css)
    set_line(project / "templates" / "parts.j2", LINE, "{{ brief.date | long_date(3) }}")
    result = build(project, "content/a.yaml")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"templates/parts.j2:{LINE}: template error: TypeError: _long_date() takes 2 "
        "positional arguments but 3 were given, while building content/a.yaml")


def test_broken_index_template_is_one_line_after_the_briefs(project: Path) -> None:
    index = project / "templates" / "index.html.j2"
    lines = index.read_text(encoding="utf-8").count("\n")
    with index.open("a", encoding="utf-8") as handle:
        handle.write("{{ manifest.nope }}\n")
    result = build(project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"templates/index.html.j2:{lines + 1}: template error: 'Manifest' has no attribute "
        "'nope' (hint: check the spelling)"]
    assert (project / "output" / "a" / "a-full.pdf").is_file()  # the briefs were built
