"""One table of messages, complete in zh-CN and en (a test checks both have every key).

The table is assembled from the modules of ``components/messages/`` (one per page or
concern, so that pages add their strings without touching each other's); a key is
defined once across all of them.
"""

from __future__ import annotations

import importlib
import pkgutil

from components import messages as _messages_pkg

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"


def _collect() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(_messages_pkg.__path__):
        module = importlib.import_module(f"{_messages_pkg.__name__}.{info.name}")
        for key, entry in module.MESSAGES.items():
            if key in table:
                raise ValueError(f"message key {key!r} defined twice ({info.name})")
            table[key] = entry
    return table


MESSAGES = _collect()


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, /, **values) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` placeholders filled in."""
    entry = MESSAGES[key]
    text = entry[normalise_lang(lang)]
    return text.format(**values) if values else text
