"""The pages' outputs, cached: a page callback decorated with ``@cached_output`` (under its
``@callback``) is run once per key and its output kept as the JSON Dash sends, compressed
(a fifth of the memory); every call returns a fresh copy of that JSON (figures and
components in their JSON form: what the browser receives), so a caller that changes it
cannot change the next one.

The key is everything an output depends on: the callback, its inputs, and the context of
the render (``render_context``). The cache is bounded by bytes (CRM_OUTPUT_CACHE_MB) and
emptied with the gateway's (``queries.clear_cache``). With every query cached, a page
spent 16-170 ms on large rebuilding its figures, grids and texts; a hit is parsing its
JSON (issue #17)."""

from __future__ import annotations

import functools
import json
import os
import zlib
from datetime import date

from plotly.io.json import to_json_plotly

import queries
from components.context import current_lang, current_theme
from crm.web import is_admin
from queries.cache import Cache

# One page under one filter set is 10 KB-1.5 MB of JSON on large (receivables' overdue
# plans, products and customers the largest), a fifth of that compressed: every page under
# five filter sets is 5 MB, so 16 MB holds about fifteen filter sets (issue #17).
OUTPUT_CACHE_BYTES = int(os.environ.get("CRM_OUTPUT_CACHE_MB", "16")) * 2**20
outputs = Cache(OUTPUT_CACHE_BYTES)


def render_context() -> tuple:
    """What a page's output depends on besides its inputs: the warehouse build; the viewer
    (their scope, and whether they are an administrator: /data shows server paths to
    administrators only); language and theme; the settings read while rendering (every
    CRM_* variable: the alert thresholds, the lead pool's limit, CRM_AS_OF); and today
    (an empty warehouse's periods end today)."""
    settings = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("CRM_")))
    return (queries.build_key(), queries.viewer_scope(), is_admin(), current_lang(), current_theme(), settings,
            date.today())


def cached_output(func):
    """``func``'s output for the same inputs in the same ``render_context``, from the cache."""
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def cached(*args):
        key = (name, repr(args), *render_context())
        blob = outputs.get(key)
        if blob is not None:
            return json.loads(zlib.decompress(blob))
        text = to_json_plotly(func(*args))
        blob = zlib.compress(text.encode(), 1)
        outputs.put(key, blob, len(blob))
        return json.loads(text)

    return cached
