"""The one validation point for whatever a client sends: the page's URL query (as the
``page-query`` store or ``url.search``), control values, click and grid data, search
text, and the callback envelope itself.

Every callback takes its client values through these functions, so types, list lengths
and value lengths are bounded before anything is computed or echoed. Anything outside
the bounds becomes the page's normal state: a value dropped (and named, shortened, in the
filter bar's notice) or "nothing to show", never an exception. The limits are far above
what an honest URL or control reaches.

``install(app)`` caps the request body (413) and answers a malformed callback envelope
(not an object, an unknown output, inputs that do not match the callback's, outputs the
page does not have) with 400 where Dash would fail on it with a 500.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

import flask
from dash.exceptions import InvalidCallbackReturnValue

from queries.filters import Filters

MAX_VALUES = 100  # values in one list
MAX_CHARS = 200  # characters in one value
MAX_QUERY = 2048  # characters of a whole URL query
MAX_WILDCARD = 1000  # components matched by one ALL pattern
# A request body: enough for a chart's data coming back for an export (a grid holds at
# most 5,000 rows), far below what could exhaust a worker.
MAX_BODY = 4 * 2**20
SHOWN = 24  # characters of a dropped value named in a notice


@dataclass(frozen=True)
class Query:
    """A bounded URL query: ``pairs`` in order, ``dropped`` what was left out (shortened)."""

    pairs: tuple[tuple[str, str], ...] = ()
    dropped: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str | list[str]]:
        """Dash pages' shape: one value as a string, repeated keys as a list."""
        out: dict[str, str | list[str]] = {}
        for key, value in self.pairs:
            if key in out:
                previous = out[key]
                out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                out[key] = value
        return out

    def search(self, keys=None) -> str:
        """The pairs (only ``keys``, if given) as ``?k=v&..`` or ''."""
        kept = [(k, v) for k, v in self.pairs if keys is None or k in keys]
        return "?" + urlencode(kept, safe=",") if kept else ""


def shown(value) -> str:
    """A client value as a notice may name it: text, cut short."""
    value = value if isinstance(value, str) else type(value).__name__
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def text(value, limit: int = MAX_CHARS) -> str | None:
    """A single text value (a number counts as its text) of at most ``limit`` characters,
    else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    value = str(value)
    return value if len(value) <= limit else None


def choice(value, allowed, default=None):
    """``value`` if it is one of ``allowed`` (text values only), else ``default``."""
    value = text(value)
    return value if value is not None and value in allowed else default


def texts(value) -> list[str]:
    """A multi-value control's values (a single text counts as one): at most MAX_VALUES,
    each bounded; anything else gives no values."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or len(value) > MAX_VALUES:
        return []
    return [v for v in (text(item) for item in value) if v is not None]


def clicked(n_clicks) -> bool:
    """Whether a button's n_clicks (or a list of them, for a pattern) counts a click."""
    values = n_clicks if isinstance(n_clicks, list) else [n_clicks]
    return any(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values[:MAX_WILDCARD])


def query(raw) -> Query:
    """A URL query from ``url.search`` (a string) or a page's query store / ``layout(**query)``
    (a dict of text or lists of text), bounded: a whole query longer than MAX_QUERY, a key
    or value longer than MAX_CHARS, a list longer than MAX_VALUES or a value that is not
    text is dropped."""
    if raw is None or raw == "":
        return Query()
    if isinstance(raw, str):
        if len(raw) > MAX_QUERY:
            return Query(dropped=(shown(raw),))
        items = parse_qsl(raw.lstrip("?"), keep_blank_values=False)
    elif isinstance(raw, dict):
        if len(raw) > MAX_VALUES:
            return Query(dropped=(shown(str(raw)),))
        items = []
        for key, value in raw.items():
            values = value if isinstance(value, list) and len(value) <= MAX_VALUES else [value]
            items += [(key, v) for v in values]
    else:
        return Query(dropped=(type(raw).__name__,))
    pairs, dropped, size = [], [], 0
    for key, value in items:
        key_text, value_text = text(key), text(value)
        size += len(key_text or "") + len(value_text or "") + 2
        if key_text is None or value_text is None or size > MAX_QUERY:
            dropped.append(f"{shown(key)}={shown(value)}" if key_text is not None else shown(key))
        elif value_text:
            pairs.append((key_text, value_text))
    return Query(tuple(pairs), tuple(dropped))


def filters(raw, extra_keys: tuple[str, ...] = (), check: bool = True) -> Filters:
    """The Filters of a client's query, checked against the warehouse's values (unless
    ``check`` is off); ``dropped`` names what the bounds and the check left out."""
    from queries import parse_filters

    bounded = query(raw)
    parsed = parse_filters(bounded.as_dict(), extra_keys) if check \
        else Filters.from_query(bounded.as_dict(), None, extra_keys)
    return replace(parsed, dropped=bounded.dropped + parsed.dropped) if bounded.dropped else parsed


def point(click, key: str = "customdata") -> str | None:
    """``key`` of the first point of a chart's clickData, as text (None for junk)."""
    points = click.get("points") if isinstance(click, dict) else None
    first = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    return text(first.get(key))


def cell(cell_clicked, key: str = "rowId") -> str | None:
    """``key`` (rowId, colId, value) of a grid's cellClicked, as text (None for junk)."""
    return text(cell_clicked.get(key)) if isinstance(cell_clicked, dict) else None


def table(data) -> dict | None:
    """A card's data store ({"columns": [...], "data": [[...], ...], "total_rows"?}) with
    the right shape, else None."""
    if not isinstance(data, dict):
        return None
    columns, rows = data.get("columns"), data.get("data")
    if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns) and isinstance(rows, list)
            and all(isinstance(r, list) and len(r) == len(columns) for r in rows)):
        return None
    total = data.get("total_rows")
    out = {"columns": columns, "data": rows,
           "total_rows": total if isinstance(total, int) and not isinstance(total, bool) else len(rows)}
    headers = data.get("headers")  # a grid's visible headers, and its money columns
    if isinstance(headers, list) and len(headers) == len(columns) and all(text(h) is not None for h in headers):
        out["headers"] = headers
    money = [m for m in texts(data.get("money")) if m in columns]
    if money:
        out["money"] = money
    return out


# --- the envelope ------------------------------------------------------------------

def _slot_ok(slot, dep: dict) -> bool:
    wildcard = '["ALL"]' in dep["id"] or '["ALLSMALLER"]' in dep["id"]
    if wildcard:
        return isinstance(slot, list) and len(slot) <= MAX_WILDCARD and all(_item_ok(s, dep) for s in slot)
    return _item_ok(slot, dep)


def _item_ok(item, dep: dict) -> bool:
    """One component of a request: the dependency's property, and its id (or, for a
    pattern, an id with the pattern's keys and fixed values)."""
    prop = item.get("property") if isinstance(item, dict) else None
    if not isinstance(prop, str) or prop.split("@")[0] != dep["property"].split("@")[0]:
        return False
    ident = item.get("id")
    if not dep["id"].startswith("{"):
        return ident == dep["id"]
    pattern = json.loads(dep["id"])
    return isinstance(ident, dict) and ident.keys() == pattern.keys() and all(
        isinstance(v, str | int | float | bool) and (isinstance(pattern[k], list) or v == pattern[k])
        for k, v in ident.items())


def _output_deps(output: str) -> list[dict]:
    """The dependencies (id, property) of a callback's output key ("..a.x...b.y.." or "a.x")."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


LOCATION_PROPS = ("pathname", "search", "hash", "href")


def envelope_problem(body, callback_map: dict) -> str | None:
    """Why a callback request body is malformed (None when it is well formed)."""
    if not isinstance(body, dict):
        return "body is not an object"
    output = body.get("output")
    entry = callback_map.get(output) if isinstance(output, str) else None
    if entry is None or "callback" not in entry:
        return "unknown output"
    for part in ("inputs", "state"):
        deps = entry.get(part, [])
        slots = body.get(part, [])
        if not isinstance(slots, list) or len(slots) != len(deps) \
                or not all(_slot_ok(s, d) for s, d in zip(slots, deps, strict=True)):
            return f"{part} do not match the callback"
        for slot, dep in zip(slots, deps, strict=True):
            # Dash's own page router reads its location as text
            if dep["id"] == "_pages_location" and dep["property"] in LOCATION_PROPS:
                value = slot.get("value")
                if value is not None and not (isinstance(value, str)
                                              and (dep["property"] != "pathname" or value.startswith("/"))):
                    return "location is not a path"
    outputs = body.get("outputs")
    if outputs is not None:
        deps = _output_deps(output)
        slots = outputs if output.startswith("..") else [outputs]
        if not isinstance(slots, list) or len(slots) != len(deps) \
                or not all(_slot_ok(s, d) for s, d in zip(slots, deps, strict=True)):
            return "outputs do not match the callback"
    changed = body.get("changedPropIds", [])
    if not (isinstance(changed, list) and all(isinstance(c, str) for c in changed)):
        return "changedPropIds are malformed"
    return None


def _serialise_first_request_setup(app) -> None:
    """Dash 4 marks its first-request setup done before it has copied the callbacks into
    ``callback_map``: the concurrent first requests of a new (or recycled) worker found no
    callbacks (400 "unknown output" here, a KeyError in Dash). Its hook runs under a lock."""
    setup, lock = app._setup_server, threading.Lock()

    def setup_once():
        with lock:
            setup()

    hooks = app.server.before_request_funcs.setdefault(None, [])
    hooks[:] = [setup_once if hook == setup else hook for hook in hooks]


def install(app) -> None:
    """Cap request bodies and check callback envelopes on ``app``'s Flask server."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    update_path = app.config.routes_pathname_prefix + "_dash-update-component"
    _serialise_first_request_setup(app)

    @server.before_request
    def check_envelope():
        if flask.request.path != update_path or flask.request.method != "POST":
            return None
        problem = envelope_problem(flask.request.get_json(silent=True), app.callback_map)
        if problem:
            server.logger.warning("refused a callback request: %s", problem)
            return flask.jsonify(error=problem), 400
        return None

    @server.errorhandler(InvalidCallbackReturnValue)
    def outputs_mismatch(error):
        # Dash checks a callback's answer against the outputs the request listed: a
        # mismatch means the request named outputs the page does not have
        server.logger.warning("callback outputs do not match the request: %s", str(error)[:300])
        return flask.jsonify(error="outputs do not match the callback"), 400
