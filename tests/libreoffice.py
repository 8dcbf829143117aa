"""LibreOffice headless for the tests: open a DOCX as a reader's office suite would, fill in its
table of contents and fields, and export what it shows to PDF.

`soffice --convert-to pdf` leaves TOC fields as they were saved, so the conversion runs a small
Basic macro, installed in a private user profile, that updates every index and field first.
Also a few poppler helpers (pdftotext, pdfinfo) shared by the LibreOffice and parity tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

TIMEOUT = 120  # seconds for one conversion; a first start of LibreOffice takes a few seconds

MACRO = """\
Sub ToPdf(source As String, target As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, args())
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next
  doc.getTextFields().refresh()
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = "FilterName"
  out(0).Value = "writer_pdf_Export"
  doc.storeToURL(ConvertToURL(target), out())
  doc.close(True)
End Sub
"""

MODULE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN"'
    ' "module.dtd">\n'
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
    ' script:language="StarBasic">'
    f"{escape(MACRO, quote=True).replace('&#x27;', '&apos;')}"
    "</script:module>"
)


class ConversionError(RuntimeError):
    """LibreOffice did not produce the PDF it was asked for."""


def soffice_path() -> str | None:
    """The LibreOffice binary on PATH (soffice, or libreoffice as some distributions name it)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The soffice binary; skip the test without it, except on CI where it must be installed."""
    path = soffice_path()
    if path is None:
        message = "LibreOffice (soffice) not installed: run scripts/setup"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must not skip the LibreOffice tests)", pytrace=False)
        pytest.skip(message)
    return path


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def _install_macro(soffice: str, profile: Path) -> None:
    """Create the private profile (once) and put the ToPdf macro in its Standard library."""
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    if not module.is_file():
        profile.mkdir(parents=True, exist_ok=True)
        _run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
              "--terminate_after_init"])
    if not module.is_file():
        raise ConversionError(f"LibreOffice did not initialise its profile in {profile}")
    if module.read_text(encoding="utf-8") != MODULE:
        module.write_text(MODULE, encoding="utf-8")


def to_pdf(docx: Path, out_dir: Path, profile: Path) -> Path:
    """Convert DOCX to out_dir/<stem>.pdf in LibreOffice, updating its TOC and fields first."""
    soffice = soffice_path()
    if soffice is None:
        raise ConversionError("LibreOffice (soffice) not installed: run scripts/setup")
    _install_macro(soffice, profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    source, target = docx.resolve(), (out_dir / f"{docx.stem}.pdf").resolve()
    target.unlink(missing_ok=True)
    for path in (source, target):
        if '"' in str(path):
            raise ConversionError(f"a path with a double quote cannot go into the macro: {path}")
    macro = f'macro:///Standard.Module1.ToPdf("{source}","{target}")'
    try:
        proc = _run([soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                     "--norestore", macro])
    except subprocess.TimeoutExpired as error:
        raise ConversionError(f"LibreOffice took over {TIMEOUT} s converting {docx}") from error
    if not target.is_file() or target.stat().st_size == 0:
        raise ConversionError(
            f"LibreOffice produced no PDF for {docx} (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return target


# --- Reading a PDF back with poppler ---


def pdftotext(pdf: Path, page: int | None = None, layout: bool = False) -> str:
    """The text of a PDF (or of one page, counted from 1), as poppler's pdftotext extracts it."""
    options = ["-layout"] if layout else []
    if page is not None:
        options += ["-f", str(page), "-l", str(page)]
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout


def page_count(pdf: Path) -> int:
    """The number of pages pdfinfo reports."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert found, f"pdfinfo gave no page count for {pdf}:\n{info}"
    return int(found[1])
