"""The viewer's language and theme, remembered in cookies so that layouts and callbacks
rendered on the server speak the viewer's language. Unknown values fall back to the
defaults; outside a request (tests) the defaults apply."""

from __future__ import annotations

import flask

from components.i18n import DEFAULT_LANG, normalise_lang

THEMES = ("light", "dark")


def _cookie(name: str) -> str | None:
    return flask.request.cookies.get(name) if flask.has_request_context() else None


def current_lang() -> str:
    return normalise_lang(_cookie("lang") or DEFAULT_LANG)


def current_theme() -> str:
    theme = _cookie("theme")
    return theme if theme in THEMES else "light"
