"""GridCard: a titled, sortable, searchable, exportable data grid (AG Grid community).

The grid shows exactly the frame the page hands it; the export menu gives that frame as
CSV or XLSX through the same export callback as ChartCard (``components.cards``).
Page callbacks fill it with ``grid_outputs(card)`` <- ``grid_payload(frame, columns)``.
A row click comes back as ``Input(grid_id(card), "cellClicked")``; ``grid_payload(...,
customer_links=query)`` makes the customer cells links to ``/customer/<customer_id>``. With ``row_id``
(a column) a click's ``rowId`` is that column's value, whatever the sorting.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus, urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, Patch, callback, clientside_callback, dcc, html

from components import inputs
from components.cards import card_note, data_id, frame_for_store
from components.context import current_lang, current_theme
from components.format import CURRENCY
from components.i18n import t
from data.costing import METHODS as COSTING_METHODS
from queries.filters import GLOBAL_KEYS


def grid_id(card: str) -> dict:
    return {"type": "grid", "card": card}


def GridCard(card: str, title: str, height: int = 420, page_size: int = 20,  # noqa: N802
             row_id: str | None = None, waiting_for: str | None = None) -> html.Section:
    """``row_id`` names the column that identifies a row (AG Grid's getRowId):
    ``cellClicked["rowId"]`` is then that row's value. ``waiting_for``: the grid lists
    nothing until the user chooses something (a funnel stage); it says this text instead
    of "no rows" and shows no pager ("Page 0 of 0")."""
    lang = current_lang()
    menu = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(t(f"card.{fmt}", lang), id={"type": "export", "card": card, "fmt": fmt})
         for fmt in ("csv", "xlsx")],
        label=t("card.export", lang), size="sm", color="secondary", align_end=True,
    )
    theme = "ag-theme-alpine-dark" if current_theme() == "dark" else "ag-theme-alpine"
    return html.Section(dbc.Card([
        dbc.CardHeader(html.Div([html.H2(title, className="h6 m-0", id={"type": "card-title", "card": card}), menu],
                                className="d-flex justify-content-between align-items-center gap-2")),
        dbc.CardBody([
            html.Label([  # dcc.Input takes no aria-label: the label wraps it
                html.Span(t("grid.search", lang), className="visually-hidden"),
                dcc.Input(id={"type": "grid-search", "card": card}, type="search", debounce=True,
                          placeholder=t("grid.search", lang), className="form-control form-control-sm mb-2"),
            ], className="d-block"),
            dcc.Loading(dag.AgGrid(
                id=grid_id(card), className=theme, style={"height": f"{height}px"},
                getRowId=f"params.data.{row_id}" if row_id else None,
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90,
                               "wrapHeaderText": True, "autoHeaderHeight": True},
                # columns as wide as their header and cells; a wider table scrolls inside the card
                columnSize="autoSize", columnSizeOptions={"skipHeader": False},
                dashGridOptions={"pagination": waiting_for is None, "paginationPageSize": page_size,
                                 "paginationPageSizeSelector": sorted({page_size, 20, 50, 100}),
                                 "getLocaleText": {"function": locale_text_function(lang, waiting_for)},
                                 "enableCellTextSelection": True, "ensureDomOrder": True},
            ), type="circle", delay_show=150),
            card_note(card),
        ]),
        dcc.Store(id=data_id(card)),
        dcc.Download(id={"type": "download", "card": card}),
    ], className="grid-card h-100"), **{"aria-label": title}, className="h-100")


def grid_outputs(card: str) -> list[Output]:
    return [Output(grid_id(card), "rowData"), Output(grid_id(card), "columnDefs"), Output(data_id(card), "data")]


NUMBER_FORMAT = "params.value == null ? '—' : d3.format(',.2~f')(params.value)"
PERCENT_FORMAT = "params.value == null ? '—' : d3.format('+,.1f')(params.value * 100) + '%'"
# A grid is for reading: longer lists are cut (in the order the query gives, most
# important first) and the card says so (components.cards.explain_cut); the command
# line (python -m queries run ...) gives whole lists.
# 1,000 rows: enough to read (a longer list is searched or narrowed with the filters), and
# a page of three grids answers in a few hundred kB, not 3 MB of rows and links.
GRID_MAX_ROWS = 1000
RATE_FORMAT = "params.value == null ? '—' : d3.format(',.1f')(params.value * 100) + '%'"
# the narrowest a column is drawn, by kind: autoSize never makes a column narrower
MIN_WIDTH = {"text": 110, "number": 90, "money": 120}


def money_format(lang: str) -> str:
    """The valueFormatter of money columns: assets/dashAgGridFunctions.js gridMoney, the
    same ¥ and 万/亿 as the cards (components.format.money), always two decimals."""
    return f"gridMoney(params.value, {json.dumps(lang)}, {json.dumps(CURRENCY, ensure_ascii=False)})"


def locale_text_function(lang: str, no_rows: str | None = None) -> str:
    """AG Grid's getLocaleText: its texts in the page's language (assets/dashAgGridFunctions.js);
    ``no_rows`` what an empty grid says (default: no records under the filters)."""
    empty = json.dumps(no_rows or t("grid.no_rows", lang), ensure_ascii=False)
    return f"gridLocaleText(params, {json.dumps(lang)}, {empty})"


def listed_rows(frame: pd.DataFrame) -> int:
    """How many rows a list has in all, from the ``total_rows`` column of a query that returns
    only its first ones (0 when it returns none)."""
    return int(frame["total_rows"].iloc[0]) if len(frame) else 0


def grid_payload(frame: pd.DataFrame, headers: dict[str, str] | None = None,
                 numeric: tuple[str, ...] = (), percent: tuple[str, ...] = (), rates: tuple[str, ...] = (),
                 money: tuple[str, ...] = (), customer_links: dict | None = None, lang: str | None = None,
                 total_rows: int | None = None) -> tuple:
    """(rowData, columnDefs, store) for ``grid_outputs``; ``headers`` maps a column to
    its visible header (columns not named keep their name). Numbers show "—" when
    undefined; ``percent`` columns hold changes (0.125) shown signed (+12.5%), ``rates``
    columns ratios shown unsigned (12.5%), ``money`` columns amounts shown like the cards
    (``money_format``). The first column (and a name after a key) stays pinned on the left
    when the grid scrolls sideways. With ``customer_links`` (the page's URL query)
    the customer name (else id) cells are links to ``/customer/<customer_id>`` that keep
    the global filters: real links, so the keyboard and screen readers follow them too.
    The store (the export) keeps the plain values; ``store["headers"]`` the visible headers.
    ``total_rows``: how many rows the list has when ``frame`` holds only its first ones (a
    query's LIMIT)."""
    headers = headers or {}
    lang = lang or current_lang()
    total = len(frame) if total_rows is None else total_rows
    if len(frame) > GRID_MAX_ROWS:
        frame = frame.head(GRID_MAX_ROWS)
    dtypes = frame.dtypes
    columns = []
    for column in frame.columns:
        spec = {"field": column, "headerName": headers.get(column, column), "minWidth": MIN_WIDTH["number"]}
        if column in money:
            spec.update(type="rightAligned", valueFormatter={"function": money_format(lang)},
                        minWidth=MIN_WIDTH["money"])
        elif column in percent:
            spec.update(type="rightAligned", valueFormatter={"function": PERCENT_FORMAT})
        elif column in rates:
            spec.update(type="rightAligned", valueFormatter={"function": RATE_FORMAT})
        elif column in numeric or pd.api.types.is_numeric_dtype(dtypes[column]):
            spec.update(type="rightAligned", valueFormatter={"function": NUMBER_FORMAT})
        else:
            spec["minWidth"] = MIN_WIDTH["text"]
        columns.append(spec)
    # the row's identity stays in view when the grid scrolls sideways: the first column, and
    # the name beside it when the first is a key (member_id, member_name)
    identity = columns[:2] if [c["field"].rsplit("_", 1)[-1] for c in columns[:2]] == ["id", "name"] \
        else columns[:1]
    for spec in identity:
        spec["pinned"] = "left"
    store = frame_for_store(frame)
    store["total_rows"] = total
    store["headers"] = [spec["headerName"] for spec in columns]  # the export's column names
    store["money"] = [c for c in frame.columns if c in money]
    rows = [dict(zip(store["columns"], row, strict=True)) for row in store["data"]]
    if customer_links is not None and "customer_id" in frame.columns:
        _link_customers(rows, columns, customer_links)
    return rows, columns, store


def filtered_href(path: str, query: dict | None = None, keep: tuple[str, ...] = (), **changes) -> str:
    """``path`` keeping the global filters of ``query``, the costing method and the keys in
    ``keep`` (not the page's other view keys), with ``changes`` set: every drill and every
    "back" link."""
    kept = [(k, v) for k, v in inputs.query(query).pairs  # bounded: nothing else the client sent
            if (k in (*GLOBAL_KEYS, *keep) or (k == "method" and v in COSTING_METHODS)) and k not in changes]
    kept += [(k, str(v)) for k, v in changes.items() if v is not None]
    return path + ("?" + urlencode(kept, safe=",") if kept else "")


def filtered_hrefs(path: str, query: dict | None, key: str, keep: tuple[str, ...] = ()):
    """``filtered_href(path, query, keep, key=value)`` as a function of the value: the kept
    filters worked out once for every row of a grid (600 reps' links took 12 ms)."""
    kept = filtered_href(path, query, keep, **{key: None})
    start = kept + ("&" if "?" in kept else "?") + quote_plus(key, safe=",") + "="

    def href(value) -> str:
        text = str(value)
        return start + (text if URL_PLAIN.fullmatch(text) else quote_plus(text, safe=","))
    return href


# what quote_plus(safe=",") leaves as it is (letters, digits, _.-~ and the comma): most ids
URL_PLAIN = re.compile(r"[\w.~,-]*", flags=re.ASCII)


# what quote() leaves as it is (letters, digits, _.-~): most ids, checked faster than quoted
PATH_SAFE = re.compile(r"[\w.~-]*", flags=re.ASCII)


def customer_path(customer_id) -> str:
    text = str(customer_id)
    return f"/customer/{text if PATH_SAFE.fullmatch(text) else quote(text, safe='')}"


def customer_href(customer_id, query: dict | None = None) -> str:
    """The customer's page, keeping the global filters of ``query`` and the costing method."""
    return filtered_href(customer_path(customer_id), query)


# markdown's special characters, each escaped with a backslash (a translation table: a regular
# expression's substitution per cell was half of a 1,000-row grid's time)
MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+!|-"})


def link_cells(rows: list[dict], columns: list[dict], field: str, href) -> None:
    """Make the ``field`` cells real links (markdown) to ``href(row)``: a drill the keyboard
    and screen readers follow, and that a click elsewhere in the row does not fire."""
    for row in rows:
        text = str(row[field] or "").translate(MARKDOWN_ESCAPES)
        row[field] = f"[{text}]({href(row)})"
    for spec in columns:
        if spec["field"] == field:
            spec["cellRenderer"] = "markdown"


def _link_customers(rows: list[dict], columns: list[dict], query: dict) -> None:
    field = "customer_name" if any(spec["field"] == "customer_name" for spec in columns) else "customer_id"
    kept = filtered_href("", query)  # customer_href's filters, worked out once for every row
    link_cells(rows, columns, field, lambda row: customer_path(row["customer_id"]) + kept)


@callback(Output({"type": "grid", "card": MATCH}, "dashGridOptions"),
          Input({"type": "grid-search", "card": MATCH}, "value"), prevent_initial_call=True)
def quick_search(text):
    """The search box filters the rows shown (AG Grid's quick filter)."""
    options = Patch()
    options["quickFilterText"] = inputs.text(text) or ""
    return options


# dash-ag-grid sizes the columns once, when the grid is created (before a page callback
# has sent any rows): size them again to the rows and headers each time new rows arrive.
clientside_callback(
    "function(rows) { return 'autoSize'; }",
    Output({"type": "grid", "card": MATCH}, "columnSize"),
    Input({"type": "grid", "card": MATCH}, "rowData"),
    prevent_initial_call=True,
)
