"""`briefgen serve`: a live preview of briefs in the browser, on 127.0.0.1 only.

Every page is rendered from the files on disk when it is asked for, with the same templates as
the build, so what the editor sees is the brief's HTML output. A small script in the page asks
the server every half second whether any content or template file changed (their sizes and
modification times, hashed), and reloads the page when one did. A content error is shown in the
page as the same one-line messages `briefgen check` prints, and so is a broken template; the
server keeps running, and fixing the file brings the brief back.

The server answers only requests that name it (the Host header must be 127.0.0.1, localhost or
[::1] with its port), so a web page cannot reach it through a DNS name of its own; file names
are escaped in pages and percent-encoded in links and headers; and a connection that stays
silent is closed after a few seconds, so idle sockets cannot pile up threads.
"""

from __future__ import annotations

import hashlib
import html
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from briefgen.compose import compose
from briefgen.errors import BuildError, ContentError, TemplateProblem, printable
from briefgen.load import load_brief, slug_of
from briefgen.project import Project, briefs_in, content_root, shown_path
from briefgen.theme import Theme
from briefgen.writers.html import page

RELOAD = """<script>
(function () {
  var seen = null;
  function poll() {
    fetch("/__state", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (state) {
        if (seen !== null && state !== seen) { location.reload(); return; }
        seen = state; setTimeout(poll, 500);
      }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font: 15px/1.5 "Noto Sans", sans-serif; max-width: 52rem; margin: 2rem auto;
padding: 0 1.5rem; color: #1E2329; }} h1 {{ color: #16365C; font-size: 1.4rem; }}
.problem {{ font-family: monospace; white-space: pre-wrap; background: #FBEAEA;
border-left: 4px solid #8A1C1C; padding: 0.4rem 0.8rem; margin: 0.4rem 0; }}
a {{ color: #16365C; }} li {{ margin: 0.3rem 0; }}</style></head>
<body><main>{body}</main>{reload}</body></html>"""


def make_server(project: Project, files: list[Path], variant: str, port: int,
                host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A preview server for the given briefs (all of content/ when none is given)."""

    class Handler(_Preview):
        pass

    Handler.project, Handler.named, Handler.variant = project, files, variant
    return ThreadingHTTPServer((host, port), Handler)


class _Preview(BaseHTTPRequestHandler):
    """GET / (the briefs), /brief/<slug>/<variant> (one brief's HTML), /__state (the change
    token the page polls)."""

    project: Project
    named: list[Path]
    variant: str
    # Seconds a connection may stay silent: an idle socket must not hold a thread for ever.
    timeout = 10

    def do_GET(self) -> None:
        if not self._for_us():
            self._send(b"misdirected request: this preview answers only to the address it "
                       b"listens on (127.0.0.1, localhost or [::1] with its port)\n", "text/plain",
                       HTTPStatus.MISDIRECTED_REQUEST)
            return
        path = unquote(urlsplit(self.path).path)
        if path == "/__state":
            self._send(self._state().encode(), "text/plain")
        elif path == "/":
            files = self._files()
            if len(self.named) == 1:
                self._redirect(_brief_url(files[0], self.variant))
            else:
                self._send(self._index(files).encode())
        elif path.startswith("/brief/"):
            parts = path.split("/")
            theme = Theme.for_project(self.project)  # anew: edits to the brand, CSS and labels show
            try:
                known = len(parts) == 4 and parts[3] in theme.variants
            except (ContentError, BuildError):
                known = len(parts) == 4  # a broken variants.yaml: the brief's page says so
            if not known:
                self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)
                return
            match = [f for f in self._files() if slug_of(f) == parts[2]]
            if not match:
                self._send(b"no such brief", "text/plain", HTTPStatus.NOT_FOUND)
                return
            self._send(self._brief(theme, match[0], parts[3]).encode())
        else:
            self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)

    def _for_us(self) -> bool:
        """Whether the request names this server in its Host header. A page from any web site
        can make the browser send requests here under a name of its own that resolves to
        127.0.0.1 (DNS rebinding); those carry that name, and are refused."""
        port = self.server.server_address[1]
        names = {"127.0.0.1", "localhost", "[::1]", str(self.server.server_address[0])}
        allowed = {f"{name}:{port}" for name in names}
        if port == 80:
            allowed |= names
        return (self.headers.get("Host") or "").strip().lower() in allowed

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the editor watches the page, not the request log."""

    def _files(self) -> list[Path]:
        if self.named:
            return self.named
        return briefs_in(self.project.content_dir) if self.project.content_dir.is_dir() else []

    def _state(self) -> str:
        """Changes whenever a content or template file is saved, added or removed."""
        digest = hashlib.sha256()
        watched = list(self._files())
        for folder in (self.project.content_dir, *Theme.for_project(self.project).folders):
            if folder.is_dir():
                watched += [p for p in folder.rglob("*") if p.is_file()]
        for path in sorted(set(watched)):
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
        return digest.hexdigest()

    def _brief(self, theme: Theme, path: Path, variant: str) -> str:
        shown = shown_path(path)
        try:
            brief = load_brief(path, shown, theme.languages, content_root(path, self.project))
            text = page(compose(brief, theme.variants[variant], theme, path.parent), theme)
        except ContentError as exc:
            return _problem_page(shown, [str(p) for p in exc.problems])
        except TemplateProblem as exc:
            return _problem_page(shown, [exc.during(shown)])
        except BuildError as exc:
            return _problem_page(shown, exc.messages)
        except Exception as exc:  # anything else still gets a page, never a dropped connection
            return _problem_page(shown, [" ".join(
                f"{shown}: cannot be shown: {type(exc).__name__}: {exc}".split())])
        return text.replace("</body>", RELOAD + "</body>", 1)

    def _index(self, files: list[Path]) -> str:
        variants = list(Theme.for_project(self.project).variants)
        items = "".join(
            f"<li>{html.escape(printable(shown_path(f)))}: " + ", ".join(
                f'<a href="{html.escape(_brief_url(f, v))}">{v}</a>' for v in variants) + "</li>"
            for f in files)
        body = f"<h1>Briefs</h1><ul>{items or '<li>No briefs in content/ yet.</li>'}</ul>"
        return PAGE.format(title="Briefs", body=body, reload=RELOAD)

    def _send(self, data: bytes, kind: str = "text/html",
              status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        """A redirect to a path this server made with _brief_url: percent-encoded, so no file
        name puts a line break (and a header of its own) into the response."""
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.end_headers()


def _problem_page(shown: str, problems: list[str]) -> str:
    """The page shown instead of a brief that cannot be rendered, one line per problem; it
    polls like a brief's page, so saving the fix brings the brief back by itself."""
    lines = "".join(f'<p class="problem">{html.escape(printable(p))}</p>' for p in problems)
    body = (f"<h1>{html.escape(printable(shown))} cannot be shown</h1>{lines}"
            "<p>Fix the file and save it: this page reloads by itself.</p>")
    return PAGE.format(title=html.escape(printable(shown)), body=body, reload=RELOAD)


def _brief_url(path: Path, variant: str) -> str:
    """The page of one brief: its slug percent-encoded whole (a slug is a file name, and may
    hold anything a file name may: quotes, colons, line breaks), so it is one path segment,
    never a scheme, a query or a header line; do_GET decodes it back."""
    return f"/brief/{quote(slug_of(path), safe='')}/{variant}"
