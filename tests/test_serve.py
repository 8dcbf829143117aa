"""`briefgen serve` in a real browser: Debian's headless Chromium, driven by Selenium through
Debian's chromedriver (no browser download: the build machine has no network)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import BRIEFGEN, MINIMAL_BRIEF, REPO, run_cli, write_brief
from selenium.common.exceptions import (
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
)

pytestmark = pytest.mark.slow  # drives LibreOffice or Chromium

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    """`briefgen serve` on a free port for one brief, stopped after the test."""
    path = write_brief(tmp_path, "live", MINIMAL_BRIEF.replace("A small brief", "Live title"))
    port = free_port()
    proc = subprocess.Popen([str(BRIEFGEN), "serve", "content/live.yaml", "--port", str(port),
                             "--variant", "summary"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield url, path
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):  # fail, never skip
        pytest.fail("Debian's chromium and chromium-driver are not installed: run "
                    "scripts/setup-tests", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def wait_for(driver, predicate, seconds: float = 15) -> None:
    """Poll the live page until predicate(page text) holds, with no reload from the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate(driver.find_element("tag name", "body").text):
                return
        except (NoSuchElementException, StaleElementReferenceException):  # mid-reload
            pass
        time.sleep(0.2)
    raise AssertionError(f"page never changed as expected; it shows:\n{driver.page_source[:800]}")


def save(path: Path, text: str) -> None:
    """Write the file as an editor does, making sure its modification time moves on."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_preview_follows_edits_and_shows_errors(server, browser) -> None:
    url, path = server
    browser.get(url)
    wait_for(browser, lambda text: "Live title" in text)
    assert browser.title == "Live title"
    handle = browser.current_window_handle

    save(path, path.read_text().replace("First point", "A freshly typed point"))
    wait_for(browser, lambda text: "A freshly typed point" in text)

    save(path, path.read_text().replace("date: 2025-07-04", "date: 04/07/2025"))
    wait_for(browser, lambda text: "cannot be shown" in text)
    body = browser.find_element("tag name", "body").text
    assert re.search(r"content/live\.yaml:2:7: date: must be a date written YYYY-MM-DD", body)

    save(path, path.read_text().replace("date: 04/07/2025", "date: 2025-07-04"))
    wait_for(browser, lambda text: "A freshly typed point" in text)
    assert browser.current_window_handle == handle  # the same page, reloaded by itself


def test_index_lists_every_brief(tmp_path: Path) -> None:
    write_brief(tmp_path, "one")
    write_brief(tmp_path, "two")
    port = free_port()
    proc = subprocess.Popen([str(BRIEFGEN), "serve", "--port", str(port)], cwd=tmp_path,
                            stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        text = page.decode()
        assert 'href="/brief/one/summary"' in text and 'href="/brief/two/full"' in text
        brief = urllib.request.urlopen(f"http://127.0.0.1:{port}/brief/two/full").read()
        assert b"A small brief" in brief and b"location.reload" in brief
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def css_when(browser, selector: str, name: str, wanted, seconds: float = 15) -> str:
    """A computed style of the live page, read until wanted(value) holds; a page reloading
    between finding the element and reading it is read again."""
    value = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = browser.find_element("css selector", selector).value_of_css_property(name)
        except (NoSuchElementException, StaleElementReferenceException):
            value = ""
        if wanted(value):
            break
        time.sleep(0.2)
    return value


def test_preview_follows_edits_to_brand_css_and_labels(tmp_path: Path, browser) -> None:
    """The theme is loaded anew for each page: a saved brand colour, stylesheet rule or label
    shows on the next reload, without restarting the server."""
    import shutil

    from conftest import REPO

    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    write_brief(tmp_path, "live")
    port = free_port()
    proc = subprocess.Popen([str(BRIEFGEN), "serve", "content/live.yaml", "--port", str(port),
                             "--variant", "summary"], cwd=tmp_path, stderr=subprocess.PIPE,
                            text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        browser.get(url)
        wait_for(browser, lambda text: "KEY POINTS" in text.upper())

        labels = templates / "labels" / "en.yaml"
        save(labels, labels.read_text().replace("key_points: Key points",
                                                "key_points: Main points"))
        wait_for(browser, lambda text: "MAIN POINTS" in text.upper())

        brand = templates / "brand.yaml"
        save(brand, brand.read_text().replace('primary: "#16365C"', 'primary: "#0A7F3B"'))
        green = ("rgba(10, 127, 59, 1)", "rgb(10, 127, 59)")
        colour = css_when(browser, "h1", "color", lambda value: value in green)
        assert colour in green, colour

        css = templates / "brief.css.j2"
        save(css, css.read_text() + "\nbody { background: rgb(250, 240, 200); }\n")
        background = css_when(browser, "body", "background-color",
                              lambda value: "250, 240, 200" in value)
        assert "250, 240, 200" in background, background
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def serving(project: Path, *args: str) -> Iterator[subprocess.Popen]:
    """`briefgen serve ARGS --port 0` in project; yields the process, with .port set to the
    port it listens on."""
    proc = subprocess.Popen([str(BRIEFGEN), "serve", *args, "--port", "0"], cwd=project,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        found = re.match(r"previewing on http://127\.0\.0\.1:(\d+)/", line)
        assert found, line + proc.stderr.read()
        proc.port = int(found[1])
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def raw_get(port: int, path: str = "/", host: str | None = None) -> bytes:
    """One GET as bytes on the wire, with the Host header given (default: the bound one)."""
    host = f"127.0.0.1:{port}" if host is None else host
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                     .encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def assert_no_script_ran(driver, images: bool = True) -> None:
    """No alert opened and (unless images is false) no element came from a file name, once the
    page has settled."""
    wait_until(lambda: driver.execute_script("return document.readyState") == "complete")
    time.sleep(0.5)  # onerror handlers of a broken image run after the load
    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        pass
    else:
        raise AssertionError(f"a file name ran script: alert({text!r})")
    if images:
        assert driver.find_elements("tag name", "img") == []
    assert driver.find_elements("css selector", "[onerror]") == []


def wait_until(predicate, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


# File names that are markup, a script URL (%2F%2F becomes // once a javascript: URL is decoded,
# commenting out the rest of the path) and a header break.
HOSTILE_NAMES = ['x"><img src=x onerror=alert(1)>', "javascript:alert(1)%2F%2F",
                 "javascript:alert(2)"]


def test_hostile_file_names_in_the_serve_index_stay_text(tmp_path: Path, browser) -> None:
    for name in HOSTILE_NAMES:
        write_brief(tmp_path, name)
    with serving(tmp_path) as proc:
        port = proc.port
        browser.get(f"http://127.0.0.1:{port}/")
        assert_no_script_ran(browser)
        body = browser.find_element("tag name", "body").text
        for name in HOSTILE_NAMES:
            assert f"content/{name}.yaml: summary, full" in body
        links = [a.get_attribute("href") for a in browser.find_elements("tag name", "a")]
        assert len(links) == 2 * len(HOSTILE_NAMES)
        for link in links:  # as the browser reads them: each a page of this server
            assert link.startswith(f"http://127.0.0.1:{port}/brief/"), link
            page = urllib.request.urlopen(link, timeout=10).read().decode()
            # a plain name is shown; a name with ':' is refused as a slug, on the page
            assert "A small brief" in page or "cannot name its output folder" in page, link


def test_hostile_file_names_in_the_built_index_stay_text(tmp_path: Path, browser) -> None:
    for name in HOSTILE_NAMES:
        write_brief(tmp_path, name)
    result = run_cli(["build", "--format", "html", "--variant", "summary"], tmp_path)
    assert result.returncode == 1, result.stderr  # names with ':' are refused as slugs
    out = tmp_path / "output"
    browser.get((out / "index.html").as_uri())
    assert_no_script_ran(browser)
    rows = browser.find_elements("css selector", "tbody tr")
    assert sorted(r.get_attribute("id") for r in rows) == sorted(HOSTILE_NAMES)
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", ".files a")]
    assert len(links) == 1  # the markup-like name builds; the refused ones link nothing
    for link in links:  # every link is a file of the build, never a script
        assert link.startswith(out.as_uri() + "/"), link
        assert Path(urllib.request.url2pathname(urlsplit(link).path)).is_file(), link
    for n in range(len(links)):  # followed as a reader does: each opens its brief
        browser.find_elements("css selector", ".files a")[n].click()
        assert_no_script_ran(browser, images=False)
        assert browser.current_url == links[n]
        assert "A small brief" in browser.find_element("tag name", "body").text
        browser.back()
    for anchor in browser.find_elements("css selector", ".changes a, .failures a"):
        assert anchor.get_attribute("href").startswith((out / "index.html").as_uri() + "#")


def test_a_line_break_in_a_file_name_never_reaches_a_header(tmp_path: Path) -> None:
    name = "line\r\nX-Injected: yes\r\nSet-Cookie: a=b"
    write_brief(tmp_path, name)
    with serving(tmp_path, f"content/{name}.yaml") as proc:
        port = proc.port
        response = raw_get(port)
        head = response.split(b"\r\n\r\n")[0].decode().split("\r\n")
        assert head[0].startswith("HTTP/1.0 302")
        assert "Location: /brief/line%0D%0AX-Injected%3A%20yes%0D%0ASet-Cookie%3A%20a%3Db" \
               "/full" in head
        assert not any(h.lower().startswith(("x-injected", "set-cookie")) for h in head), head
        page = raw_get(port, "/brief/line%0D%0AX-Injected%3A%20yes%0D%0ASet-Cookie%3A%20a%3Db"
                             "/full")
        assert page.startswith(b"HTTP/1.0 200") and (
            b"A small brief" in page or b"cannot name its output folder" in page)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "", "127.0.0.1:{port}.x"])
def test_requests_for_another_host_are_refused(tmp_path: Path, host: str) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its
    requests here with its own name in Host; they must not read the briefs."""
    write_brief(tmp_path, "secret", MINIMAL_BRIEF.replace("A small brief", "Secret title"))
    with serving(tmp_path) as proc:
        port = proc.port
        for path in ("/", "/brief/secret/full", "/__state"):
            response = raw_get(port, path, host.format(port=port))
            assert response.startswith(b"HTTP/1.0 421"), response[:200]
            assert b"Secret" not in response and b"secret" not in response
            assert response.endswith(b"misdirected request: this preview answers only to the "
                                     b"address it listens on (127.0.0.1, localhost or [::1] "
                                     b"with its port)\n")
        for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}",
                     f"[::1]:{port}"):
            response = raw_get(port, "/brief/secret/full", good)
            assert response.startswith(b"HTTP/1.0 200") and b"Secret title" in response, good


def test_a_broken_template_shows_in_the_page_until_fixed(tmp_path: Path, browser) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    summary = templates / "parts.j2"
    good = summary.read_text(encoding="utf-8")
    write_brief(tmp_path, "live", MINIMAL_BRIEF.replace("A small brief", "Templated title"))
    with serving(tmp_path, "content/live.yaml", "--variant", "summary") as proc:
        port = proc.port
        browser.get(f"http://127.0.0.1:{port}/")
        wait_for(browser, lambda text: "Templated title" in text)
        save(summary, good + "\n{% if %}\n")
        wait_for(browser, lambda text: "cannot be shown" in text)
        problem = browser.find_element("css selector", ".problem").text
        assert re.fullmatch(r"templates/parts\.j2:\d+: template error: .+, while "
                            r"building content/live\.yaml", problem), problem
        save(summary, good)
        wait_for(browser, lambda text: "Templated title" in text)


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)", status, re.M)[1])


def test_idle_connections_are_closed(tmp_path: Path) -> None:
    """A connection that sends nothing is closed by the server after its timeout (10 s), so
    idle sockets cannot hold a thread each for ever."""
    write_brief(tmp_path, "one")
    with serving(tmp_path) as proc:
        port = proc.port
        pid = proc.pid
        idle = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(40)]
        try:
            wait_until(lambda: threads_of(pid) >= 40)
            for sock in idle:
                assert sock.recv(1) == b""  # closed by the server, not by us
        finally:
            for sock in idle:
                sock.close()
        wait_until(lambda: threads_of(pid) < 5)
        assert raw_get(port).startswith(b"HTTP/1.0 200")
