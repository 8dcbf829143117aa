"""Content is data, never code: template syntax and HTML typed into a brief come out as the
characters typed, unsafe links are dropped, and a build reads nothing from the network or from
outside the project, whatever the content or a project's own templates ask for."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import MINIMAL_BRIEF, REPO, render_html, run_cli, write_brief
from pypdf import PdfReader

from briefgen.load import load_brief
from briefgen.writers.pdf import LocalOnlyFetcher

HOSTILE = """\
title: "{{ 7*7 }} <script>alert(1)</script>"
date: 2025-07-04
classification: "UNCLASSIFIED </style><script>x</script>"
authors: ["{% for a in brief.authors %}A{% endfor %}"]
organisation: "<b>Org</b> &amp; {{ brand.name }}"
summary: "Bottom line {{ brief.title }} and {% raw %}raw{% endraw %} [@src-a]."
key_points:
  - "<script>alert('kp')</script> and <img src=x onerror=alert(1)>"
  - "[js](javascript:alert(1)) [JS](JavaScript:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)"
  - "[file](file:///etc/passwd) [rel](../../etc/passwd) [vb](vbscript:msgbox) [ok](https://example.org/ok)"
  - "{{ config }} {{ self.__init__.__globals__ }} {{ ''.__class__.__mro__ }}"
outlook:
  - "${jndi:ldap://example.org/a} %(x)s {0} <!-- comment --> ]]> &lt;"
sections:
  - heading: "<h1>{{ 6*6 }}</h1>"
    body: |
      A paragraph with <iframe src="https://example.org"></iframe> and {{ labels }}.

      - an item with <a href="javascript:alert(3)">a raw link</a>
timeline:
  - date: 2025
    event: "{% include 'page.html.j2' %}"
actors:
  - name: "<svg onload=alert(1)>"
    role: "{{ cite('src-a') }}"
    stance: "{{ md(brief.title) }}"
quotes:
  - text: "</blockquote><script>q</script>"
    speaker: "{# comment #}"
    role: "{%- set x = 1 -%}"
    source: src-a
sources:
  - id: src-a
    title: "<i>Source</i> {{ 1+1 }}"
    publisher: Pub A
    url: https://example.org/a?x=<script>
"""

# What each of those must print, exactly as typed (checked in the PDF text and the DOCX XML).
LITERALS = [
    "{{ 7*7 }} <script>alert(1)</script>", "{% for a in brief.authors %}A{% endfor %}",
    "<b>Org</b> &amp; {{ brand.name }}", "{% raw %}raw{% endraw %}",
    "<script>alert('kp')</script>", "<img src=x onerror=alert(1)>", "{{ config }}",
    "{{ ''.__class__.__mro__ }}", "${jndi:ldap://example.org/a} %(x)s {0} <!-- comment --> ]]>",
    "<h1>{{ 6*6 }}</h1>", '<iframe src="https://example.org"></iframe>', "{{ labels }}",
    '<a href="javascript:alert(3)">a raw link</a>', "{% include 'page.html.j2' %}",
    "<svg onload=alert(1)>", "{{ cite('src-a') }}", "{{ md(brief.title) }}",
    "</blockquote><script>q</script>", "{# comment #}", "{%- set x = 1 -%}",
    "<i>Source</i> {{ 1+1 }}",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile")
    write_brief(project, "h", HOSTILE)
    (project / "briefgen.yaml").write_text("page_budget:\n  summary: null\n", encoding="utf-8")
    result = run_cli(["build"], project)
    assert result.returncode == 0, result.stderr
    return project / "output" / "h"


def test_html_has_no_markup_from_content(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    brief = load_brief(path)
    for variant in ("summary", "full"):
        html = render_html(brief, variant, REPO / "templates")
        assert "<script" not in html and "<iframe" not in html and "<svg" not in html
        assert "<img src=x" not in html and '<a href="javascript' not in html
        assert "{{ 7*7 }} &lt;script&gt;" in html and "49 &lt;script" not in html
        assert variant == "summary" or "&lt;h1&gt;{{ 6*6 }}&lt;/h1&gt;" in html
        assert not re.search(r'href="\s*(javascript|data|file|vbscript):', html, re.I)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pdf_prints_what_was_typed_and_links_only_the_web(hostile: Path) -> None:
    pdf = hostile / "h-full.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for literal in LITERALS:
        assert squash(literal) in squash(text), literal
    reader = PdfReader(str(pdf))
    assert reader.metadata["/Title"] == "{{ 7*7 }} <script>alert(1)</script>"
    uris = {annot.get_object()["/A"].get("/URI") for page in reader.pages
            for annot in page.get("/Annots") or [] if "/A" in annot.get_object()}
    uris.discard(None)
    assert uris == {"https://example.org/ok", "https://example.org/a?x=%3Cscript%3E"}
    assert "/JavaScript" not in pdf.read_bytes().decode("latin-1")
    assert "/JS " not in pdf.read_bytes().decode("latin-1")


def test_docx_prints_what_was_typed_and_links_only_the_web(hostile: Path) -> None:
    with zipfile.ZipFile(hostile / "h-full.docx") as package:
        document = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    words = re.sub(r"<[^>]+>", "", document)
    import html as html_lib

    words = html_lib.unescape(words)
    for literal in LITERALS:
        assert squash(literal) in squash(words), literal
    targets = set(re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', rels))
    assert {html_lib.unescape(t) for t in targets} == {"https://example.org/ok",
                                                       "https://example.org/a?x=<script>"}


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it (and answers
    nothing), to prove that a build never fetched a URL pointing at it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, address = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(address)
            conn.close()

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_the_listener_sees_a_real_connection(listener: Listener) -> None:
    """The control for the test below: a connection to the port is seen."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=5):
        pass
    for _ in range(50):
        if listener.connections:
            break
        threading.Event().wait(0.05)
    assert len(listener.connections) == 1


def test_no_url_is_fetched_from_content_templates_or_css(tmp_path: Path,
                                                         listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}"
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    css = templates / "brief.css.j2"
    css.write_text(
        f"@import url({url}/import.css);\n@import '{url}/import2.css';\n"
        + css.read_text(encoding="utf-8")
        + f"\nbody {{ background: url({url}/background.png); }}\n"
          f"@font-face {{ font-family: Net; src: url({url}/font.woff); }}\n"
          f"h1 {{ font-family: Net, serif; list-style-image: url({url}/bullet.png); }}\n",
        encoding="utf-8")
    base = templates / "page.html.j2"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "</head>", f'<link rel="stylesheet" href="{url}/link.css">'
                   f'<link rel="attachment" href="{url}/attachment.bin">'
                   f'<style>@import url({url}/inline.css);</style></head>').replace(
        '<body class="variant-{{ meta.variant }}">',
        f'<body class="variant-{{{{ meta.variant }}}}"><img src="{url}/img.png" alt="x">'
        f'<object data="{url}/object.svg"></object><iframe src="{url}/frame.html"></iframe>'
        f'<a rel="attachment" href="{url}/a.bin">attachment</a>'),
        encoding="utf-8")
    write_brief(tmp_path, "net", MINIMAL_BRIEF.replace(
        "  - Second point.", f"  - Second point, see [the page]({url}/page) or {url}/bare.")
        .replace("url: https://example.org/a", f"url: {url}/source"))
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "output" / "net").iterdir()) == [
        "net-full.docx", "net-full.pdf", "net-summary.docx", "net-summary.pdf"]
    links = {a.get_object()["/A"].get("/URI") for page in
             PdfReader(str(tmp_path / "output" / "net" / "net-full.pdf")).pages
             for a in page.get("/Annots") or [] if "/A" in a.get_object()}
    assert f"{url}/page" in links  # the links are there to follow, just never fetched
    assert listener.connections == []


def test_pdf_renderer_reads_no_symlink_leading_out_of_the_project(tmp_path: Path) -> None:
    """A custom template may point at files in templates/, but a symlink there that leads
    elsewhere (to /etc/passwd, or another project's files) is not followed by WeasyPrint."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(REPO / "templates" / "logo.png", outside / "secret.png")
    project = tmp_path / "project"
    templates = project / "templates"
    shutil.copytree(REPO / "templates", templates)
    shutil.copy(REPO / "templates" / "logo.png", templates / "inside.png")
    (templates / "leak.png").symlink_to(outside / "secret.png")
    (templates / "passwd.css").symlink_to("/etc/passwd")
    base = templates / "page.html.j2"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "</head>", '<link rel="stylesheet" href="../templates/passwd.css"></head>').replace(
        '<body class="variant-{{ meta.variant }}">',
        '<body class="variant-{{ meta.variant }}"><img src="../templates/inside.png" alt="in">'
        '<img src="../templates/leak.png" alt="out">'
        f'<img src="file://{outside}/secret.png" alt="abs">'), encoding="utf-8")
    write_brief(project, "s")
    result = run_cli(["build", "--format", "pdf", "--variant", "summary"], project)
    assert result.returncode == 0, result.stderr
    images = subprocess.run(["pdfimages", "-list", str(project / "output" / "s" /
                                                      "s-summary.pdf")],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert len(images) == 2, images  # the brand logo and inside.png: neither way out
    fetcher = LocalOnlyFetcher((project / "content", templates))
    for url in (f"file://{templates}/leak.png", f"file://{templates}/passwd.css",
                f"file://{templates}/../../outside/secret.png", "file:///etc/passwd",
                f"file://{templates}/%2e%2e/%2e%2e/outside/secret.png"):
        with pytest.raises(ValueError, match="outside the project"):
            fetcher.fetch(url)
    fetcher.fetch(f"file://{templates}/inside.png")  # the control: a file inside is read


def test_brand_logo_symlinked_out_of_templates_is_refused(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "logo.png").unlink()
    (templates / "logo.png").symlink_to("/etc/passwd")
    write_brief(tmp_path, "s")
    result = run_cli(["build", "--format", "pdf", "--variant", "summary"], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Refused once, at the brand file's line, before any brief is built.
    assert result.stderr.splitlines() == [
        "templates/brand.yaml:6:9: logo.file: logo.png leads outside templates/ (hint: copy "
        "the file into the templates folder instead of linking it)"]


# --- paths that come from data: manifests, file names, links


def _file(path: str, fmt: str = "pdf") -> dict[str, object]:
    return {"path": path, "variant": "full", "format": fmt, "size": 4, "sha256": "0" * 64,
            "pages": 1}


def _entry(slug: str, *paths: str) -> dict[str, object]:
    return {"slug": slug, "source": f"content/{slug}.yaml", "title": f"Brief {slug}",
            "date": "2025-07-04", "status": "built", "key": "k", "fields": {},
            "files": [_file(p) for p in paths]}


def test_a_hand_edited_manifest_cannot_delete_or_link_outside_output(tmp_path: Path) -> None:
    """Briefs gone from content/ have their recorded files deleted, and the index links every
    recorded file: a manifest naming paths outside output/, or URLs, must do neither."""
    write_brief(tmp_path, "a")
    assert run_cli(["build"], tmp_path).returncode == 0
    victims = [tmp_path / "victim.pdf", tmp_path / "elsewhere" / "victim.pdf"]
    for victim in victims:
        victim.parent.mkdir(exist_ok=True)
        victim.write_text("mine")
    manifest = tmp_path / "output" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["briefs"] += [_entry("up", "../victim.pdf"), _entry("abs", str(victims[1])),
                       _entry("js", "javascript:alert(1)//x.pdf"),
                       _entry("data", "data:text/html,<script>alert(1)</script>.pdf"),
                       _entry("hidden", "a/.a-full.pdf"), _entry("kind", "a/a.yaml")]
    manifest.write_text(json.dumps(data))
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert [v.read_text() for v in victims] == ["mine", "mine"]
    assert (tmp_path / "content" / "a.yaml").exists()
    warnings = result.stderr.splitlines()
    assert len(warnings) == 6 and all(
        re.fullmatch(r"output/manifest\.json: briefs\[\d\]: files\[0\]\.path: '.*' is not a file "
                     r"inside the output folder \(pdf, docx, html, md\); entry ignored", w)
        for w in warnings), warnings
    page = (tmp_path / "output" / "index.html").read_text()
    assert "javascript:" not in page and "data:" not in page and "victim" not in page
    assert json.loads(manifest.read_text())["changes"]["removed"] == []


def test_merged_shards_cannot_link_or_reach_outside_the_output(tmp_path: Path) -> None:
    write_brief(tmp_path, "a")
    assert run_cli(["build", "--shard", "1/1"], tmp_path).returncode == 0
    shard = tmp_path / "output" / "manifest.shard-1-of-1.json"
    data = json.loads(shard.read_text())
    data["briefs"] += [_entry("js", "javascript:alert(1)//x.pdf"), _entry("up", "../../x.pdf")]
    shard.write_text(json.dumps(data))
    result = run_cli(["merge-manifests", shard, "--out", "output"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.splitlines()) == 2
    merged = json.loads((tmp_path / "output" / "manifest.json").read_text())
    assert [b["slug"] for b in merged["briefs"]] == ["a"]
    page = (tmp_path / "output" / "index.html").read_text()
    assert "javascript:" not in page and "x.pdf" not in page


def test_a_file_name_that_is_not_a_plain_name_is_refused(tmp_path: Path) -> None:
    """`...yaml` has the slug `..`: its files would be written above the output folder."""
    write_brief(tmp_path, "..")
    write_brief(tmp_path, "good")
    result = run_cli(["build"], tmp_path)
    assert result.returncode == 1
    assert ("content/...yaml: file name '..' starts with '.', so it cannot name its output "
            "folder (hint: rename the file with letters, digits and dashes, e.g. "
            "water-security.yaml)") in result.stderr.splitlines()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [
        "good", "index.html", "manifest.json"]
    checked = run_cli(["check"], tmp_path)
    assert checked.returncode == 1
    assert checked.stdout.startswith("content/...yaml: error: file name '..' starts with '.'")


def test_a_content_file_linked_from_outside_is_neither_built_nor_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "private" / "notes.yaml"
    secret.parent.mkdir()
    secret.write_text("title: TOPSECRET-1\nsummary: [TOPSECRET-2\n")  # broken YAML, quoted
    write_brief(tmp_path, "good")
    (tmp_path / "content" / "leak.yaml").symlink_to(secret)
    for command in (["check"], ["build"]):
        result = run_cli(command, tmp_path)
        assert result.returncode == 1
        assert "TOPSECRET" not in result.stdout + result.stderr
        assert re.search(r"^content/leak\.yaml: (error: )?is a link leading outside content/ "
                         r"\(hint: copy the file into the content folder instead of linking "
                         r"it\)", result.stdout + result.stderr, re.M), result.stdout
    assert not (tmp_path / "output" / "leak").exists()
    assert "TOPSECRET" not in (tmp_path / "output" / "index.html").read_text()
    assert "TOPSECRET" not in (tmp_path / "output" / "manifest.json").read_text()


def test_a_fifo_or_a_device_named_on_the_command_line_is_refused(tmp_path: Path) -> None:
    write_brief(tmp_path, "good")
    os.mkfifo(tmp_path / "content" / "pipe.yaml")  # nobody ever writes to it
    for command in ("check", "build"):
        result = run_cli([command, "content/pipe.yaml", "/dev/zero", "content/good.yaml"],
                         tmp_path)
        assert result.returncode == 1
        lines = [line.replace("error: ", "").removesuffix(" [schema]")
                 for line in (result.stdout + result.stderr).splitlines()]
        assert "content/pipe.yaml: is a named pipe (FIFO), not a file (hint: name a .yaml file " \
               "saved on disk)" in lines
        assert "/dev/zero: is a device, not a file (hint: name a .yaml file saved on disk)" in lines
    assert (tmp_path / "output" / "good" / "good-full.pdf").is_file()


def _brand_with_fonts(project: Path, body: str, heading: str = "Noto Sans") -> None:
    templates = project / "templates"
    shutil.copytree(REPO / "templates", templates)
    brand = templates / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  body: Noto Serif ", lambda _: f"  body: {body} ", text)
    brand.write_text(re.sub(r"(?m)^  heading: Noto Sans", lambda _: f"  heading: {heading}",
                            text), encoding="utf-8")


def test_brand_font_names_cannot_inject_css(tmp_path: Path, listener: Listener) -> None:
    """A quote in a font name would close the CSS string it is written into: the rest of the
    name then becomes style rules, and the "self-contained" web page fetches what they name."""
    url = f"http://127.0.0.1:{listener.port}/font.css"
    _brand_with_fonts(tmp_path, f"'Noto Serif\", serif; }} @import url({url}); x {{ a: (\"'")
    write_brief(tmp_path, "s")
    for command in (["check"], ["build", "--format", "html", "--variant", "summary"]):
        result = run_cli(command, tmp_path)
        assert result.returncode == 1, result.stdout
        assert result.stderr.splitlines()[0] == (
            "templates/brand.yaml:22:9: fonts.body: is not in the expected form (got text) "
            "(hint: write a font family as fontconfig knows it (fc-list : family), e.g. Noto "
            "Serif: letters, digits, spaces, dots, dashes and plus signs)"), result.stderr
    assert not (tmp_path / "output").exists()
    assert listener.connections == []


@pytest.mark.parametrize("name", ["--version", "-V", "Noto:style=Bold", "Noto, Arial",
                                  "Noto\\ Serif", 'Noto "Serif"', "Noto;Serif", "x" * 101])
def test_brand_font_names_are_family_names_only(tmp_path: Path, name: str) -> None:
    """fc-match reads the names as patterns and as options: only a plain family name passes."""
    _brand_with_fonts(tmp_path, "Noto Serif", heading=repr(name) if "\\" not in name else
                      f"'{name}'")
    write_brief(tmp_path, "s")
    result = run_cli(["check"], tmp_path)
    assert result.returncode == 1
    assert re.fullmatch(r"templates/brand\.yaml:23:12: fonts\.heading: is not in the expected "
                        r"form \(got .*\) \(hint: write a font family as fontconfig knows it .*",
                        result.stderr.splitlines()[0]), result.stderr


@pytest.mark.parametrize("name", ["Noto Serif CJK SC", "M+ 1p", "Noto Sans-Display", "Šrift 2.0"])
def test_real_font_family_names_pass(tmp_path: Path, name: str) -> None:
    _brand_with_fonts(tmp_path, name)
    write_brief(tmp_path, "s")
    result = run_cli(["check"], tmp_path)
    assert result.returncode == 0, result.stderr
