"""`briefgen serve` in a real browser: Debian's headless Chromium, driven by Selenium through
Debian's chromedriver (no browser download: the build machine has no network)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import BRIEFGEN, MINIMAL_BRIEF, write_brief

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
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
    )

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
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            colour = browser.find_element("css selector", "h1").value_of_css_property("color")
            if colour in ("rgba(10, 127, 59, 1)", "rgb(10, 127, 59)"):
                break
            time.sleep(0.2)
        assert colour in ("rgba(10, 127, 59, 1)", "rgb(10, 127, 59)"), colour

        css = templates / "brief.css.j2"
        save(css, css.read_text() + "\nbody { background: rgb(250, 240, 200); }\n")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            background = browser.find_element("tag name", "body").value_of_css_property(
                "background-color")
            if "250, 240, 200" in background:
                break
            time.sleep(0.2)
        assert "250, 240, 200" in background
    finally:
        proc.terminate()
        proc.wait(timeout=10)
