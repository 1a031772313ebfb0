"""The pages' outputs, cached: a page callback decorated with ``@cached_output`` (under its
``@callback``) is run once per key and its output kept as the JSON Dash sends, compressed
(LZ4 frames: a third to a quarter of the memory, in a fifth of the time zlib took, 1-5 ms
of a render on large, and read back ten times faster); every call returns that JSON as
``orjson.Fragment``s (``cached_output``), which Dash's answer holds as they are.

The JSON is orjson's: the objects it does not know (components, figures, pandas' and
numpy's values) are turned into plain ones by plotly's own JSON encoder, so the
values are those plotly's ``to_json_plotly`` gives; written and read back 3-10 times faster
(customers and receivables on large spent 25-40 ms writing and reading their output with the
json module). Dash writes its answer with plotly's engine, orjson's (requirements.txt), which
copies a fragment in; its escaping of <, > and / then covers the fragments too.

The key is everything an output depends on: the callback, its inputs, and the context of
the render (``render_context``). The cache is bounded by bytes (CRM_OUTPUT_CACHE_MB) and
emptied with the gateway's (``queries.clear_cache``). With every query cached, a page
spent 16-170 ms on large rebuilding its figures, grids and texts; a hit is unpacking its
JSON (issue #17)."""

from __future__ import annotations

import functools
import itertools
import os
from datetime import date

import lz4.frame
import orjson
from plotly.io.json import to_json_plotly
from plotly.utils import PlotlyJSONEncoder

import queries
from components.context import current_lang, current_theme
from crm.web import is_admin
from queries.cache import Cache

# One page under one filter set is 10 KB-1.5 MB of JSON on large (receivables' overdue
# plans, products and customers the largest), a third to a quarter of that compressed: every
# page under five filter sets is about 7 MB, so 16 MB holds about ten filter sets (issue #17).
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


# what plotly's JSON encoder writes for an object JSON does not know: a component's or
# figure's dict, a list for an array or series, text for a date, None for NaT
_plain = PlotlyJSONEncoder().default


def to_json(value) -> bytes:
    """``value`` as JSON (what ``plotly.io.json.to_json_plotly`` writes, less its escaping of
    <, > and / for HTML: the text is read back, never put in a page)."""
    try:
        return orjson.dumps(value, default=_plain, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # an integer past 64 bits, nesting past 255 levels: plotly's own
        return to_json_plotly(value, engine="json").encode()


class PerComponent(list):
    """The value of a pattern-matching output (an id with ALL: /overview's KPI cards): one
    value per matched component, which Dash hands out one by one. ``cached_output`` keeps it a
    list, of one JSON fragment per component."""


def cached_output(func):
    """``func``'s output for the same inputs in the same ``render_context``, from the cache:
    each output as its JSON (an ``orjson.Fragment``; a ``PerComponent`` value as a list of
    them), which Dash's encoder (orjson's, through plotly's) copies into its answer as it is:
    neither read back nor written again (/team on xl: 7 ms of reading back, 6 of writing
    again, for its 1.5 MB). A fragment cannot be changed, so no caller can change what the
    next one gets."""
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def cached(*args):
        key = (name, repr(args), *render_context())
        entry = outputs.get(key)
        if entry is None:
            value = func(*args)
            many = isinstance(value, tuple)
            values = value if many else (value,)
            # per output: None (one JSON text) or how many texts its PerComponent value has
            shape = [len(v) if isinstance(v, PerComponent) else None for v in values]
            texts = [to_json(item) for v in values for item in (v if isinstance(v, PerComponent) else (v,))]
            blob = lz4.frame.compress(b"".join(texts))
            outputs.put(key, (blob, [len(text) for text in texts], shape, many), len(blob))
        else:
            blob, lengths, shape, many = entry
            texts = _split(lz4.frame.decompress(blob), lengths)
        fragments = map(orjson.Fragment, texts)
        out = tuple(next(fragments) if n is None else list(itertools.islice(fragments, n)) for n in shape)
        return out if many else out[0]

    return cached


def _split(text: bytes, lengths: list[int]) -> list[bytes]:
    """``text`` cut into pieces of ``lengths``: the outputs' JSON texts, stored one after the other."""
    out, start = [], 0
    for length in lengths:
        out.append(text[start:start + length])
        start += length
    return out
