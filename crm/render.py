"""Pages as PDF, drawn exactly as the viewer sees them.

The app itself is served on a loopback port inside this process (werkzeug's server on
127.0.0.1, port chosen by the system, gone when the render ends); Debian's headless
Chromium, driven by Playwright, opens the page with the viewer's session cookie, waits
until every Dash callback has answered, and prints it on A4 landscape with a header
(page title, filters, as-of date) and page numbers. Chromium draws the Chinese text with
the system's Noto CJK fonts and the charts with plotly.js, as the browser does; nothing
leaves the machine. The same function serves the app's "Download PDF" link, the
``python -m crm pdf`` command and the scheduled briefs.
"""

from __future__ import annotations

import html
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1400, "height": 1000}
SETTLE_MS = 600  # no request in flight and no component loading for this long = drawn
TIMEOUT_S = float(os.environ.get("CRM_PDF_TIMEOUT", "60"))

_READY = """() => !document.querySelector('[data-dash-is-loading="true"]')
                  && !!document.querySelector('#main')"""


class RenderError(RuntimeError):
    """The page could not be drawn (Chromium missing, timeout)."""


@contextmanager
def local_server(wsgi_app) -> Iterator[str]:
    """``wsgi_app`` served on 127.0.0.1 at a free port for the duration of the block."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def _header(title: str, caption: str) -> str:
    return (f'<div style="font-size:8px;width:100%;margin:0 10mm;display:flex;justify-content:space-between;'
            f'font-family:\'Noto Sans CJK SC\',sans-serif"><span>{html.escape(title)}</span>'
            f'<span>{html.escape(caption)}</span></div>')


FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;font-family:sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def _wait_drawn(page, in_flight: list[int]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    quiet_since = None
    while time.monotonic() < deadline:
        drawn = in_flight[0] == 0 and page.evaluate(_READY)
        now = time.monotonic()
        if drawn:
            quiet_since = quiet_since or now
            if now - quiet_since >= SETTLE_MS / 1000:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(100)
    raise RenderError(f"the page was not drawn within {TIMEOUT_S:.0f} s")


def pdf(target: str, cookies: dict[str, str], title: str, caption: str, wsgi_app=None,
        user_agent: str | None = None) -> bytes:
    """The page at ``target`` (path and query) as a PDF, seen with ``cookies`` (the
    session, ``lang``; the theme is always light on paper)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RenderError(f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)")
    if wsgi_app is None:
        from app import server as wsgi_app
    with local_server(wsgi_app) as base, sync_playwright() as driver:
        try:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except PlaywrightError as error:
            raise RenderError(f"Chromium did not start: {error}") from None
        try:
            context = browser.new_context(viewport=VIEWPORT, user_agent=user_agent)
            context.add_cookies([{"name": k, "value": v, "url": base} for k, v in
                                 {**cookies, "theme": "light"}.items()])
            page = context.new_page()
            in_flight = [0]
            page.on("request", lambda _r: in_flight.__setitem__(0, in_flight[0] + 1))
            page.on("requestfinished", lambda _r: in_flight.__setitem__(0, in_flight[0] - 1))
            page.on("requestfailed", lambda _r: in_flight.__setitem__(0, in_flight[0] - 1))
            page.goto(base + target, wait_until="load", timeout=TIMEOUT_S * 1000)
            _wait_drawn(page, in_flight)
            page.emulate_media(media="print")
            return page.pdf(format="A4", landscape=True, print_background=True, display_header_footer=True,
                            header_template=_header(title, caption), footer_template=FOOTER,
                            margin={"top": "14mm", "bottom": "12mm", "left": "8mm", "right": "8mm"})
        finally:
            browser.close()


# --- what to draw, and as whom ------------------------------------------------------------

USER_AGENT = "crm-render (HeadlessChromium)"
MAX_QUERY = 2048  # as every URL the app accepts


def page_for(path: str):
    """The registered page at ``path`` (a path template such as /customer/<id> included),
    or None."""
    import dash

    import app  # noqa: F401  (the app registers its pages)

    for page in dash.page_registry.values():
        template = page.get("path_template")
        if page["path"] == path and not template:
            return page
        if template:
            prefix = template.split("<")[0]
            rest = path[len(prefix):] if path.startswith(prefix) else ""
            if rest and "/" not in rest and len(rest) <= 64:
                return page
    return None


def target_of(path: str | None, query: str | None) -> str | None:
    """``path?query`` when ``path`` is one of the app's pages and the query is of a size
    an honest link has; else None."""
    path, query = (path or "").strip(), (query or "").lstrip("?")
    if not path.startswith("/") or page_for(path) is None or len(query) > MAX_QUERY:
        return None
    return path + (f"?{query}" if query else "")


def describe(target: str, lang: str) -> tuple[str, str]:
    """(title, caption) for the header of ``target``'s PDF: the page's name, and its
    period, active filters and the data's as-of date."""
    from urllib.parse import urlsplit

    from components import format as fmt
    from components.filterbar import LABELS, page_keys
    from components.i18n import t
    from queries import parse_filters, warehouse_as_of
    from queries.filters import LIST_KEYS

    parts = urlsplit(target)
    page = page_for(parts.path) or {}
    title = t(page["label_key"], lang) if page.get("label_key") else page.get("title", parts.path)
    filters = parse_filters(parts.query, page_keys(parts.path))
    periods = filters.periods(warehouse_as_of())
    caption = [t("filter.showing", lang, start=fmt.day(periods["start"]), end=fmt.day(periods["end"]))]
    caption += [f"{t(LABELS[key], lang)}: {','.join(getattr(filters, name))}"
                for key, name in LIST_KEYS.items() if getattr(filters, name)]
    caption.append(t("filter.as_of", lang, date=fmt.day(periods["as_of"])))
    return title, " · ".join(caption)


def session_cookies(login: str, lang: str | None = None) -> dict[str, str]:
    """Cookies that sign Chromium in as ``login`` (an active user), in ``lang`` (default:
    the user's language): the session a sign-in would give, signed with the app's key."""
    import flask
    from flask_login import login_user

    from app import server
    from components.i18n import normalise_lang
    from crm import appdb, users

    user = users.get(login)
    if user is None or user.disabled:
        raise RenderError(f"no active user {login!r}")
    server.secret_key = server.secret_key or appdb.secret_key()
    with server.test_request_context("/", headers={"User-Agent": USER_AGENT}):
        login_user(user)
        value = server.session_interface.get_signing_serializer(server).dumps(dict(flask.session))
    return {server.config["SESSION_COOKIE_NAME"]: value, "lang": normalise_lang(lang or user.lang)}


def page_pdf(target: str, login: str, lang: str | None = None) -> bytes:
    """``target`` as ``login`` sees it, as a PDF (the command line and the briefs)."""
    cookies = session_cookies(login, lang)
    title, caption = describe(target, cookies["lang"])
    return pdf(target, cookies, title, caption, user_agent=USER_AGENT)


def register(server) -> None:
    """``GET /export/pdf?path=/revenue&query=preset%3Dlast_month``: the page as the signed-in
    viewer sees it, in their language, as a PDF download (written to the audit log)."""
    import io
    import re

    import flask
    import flask_login

    from components.context import current_lang
    from crm import audit

    @server.route("/export/pdf")
    def export_pdf():
        viewer = flask_login.current_user
        if not viewer.is_authenticated:
            return flask.Response("sign in first", status=401)
        target = target_of(flask.request.args.get("path"), flask.request.args.get("query"))
        if target is None:
            return flask.Response("no such page", status=400)
        lang = current_lang()
        try:
            data = page_pdf(target, viewer.login, lang)
        except RenderError as error:
            return flask.Response(str(error), status=503)
        audit.log("export", viewer.login, {"format": "pdf", "target": target})
        title, _caption = describe(target, lang)
        name = re.sub(r"[^\w.-]+", "-", title) + ".pdf"
        return flask.send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name)
