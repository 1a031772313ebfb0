"""GridCard: a titled, sortable, searchable, exportable data grid (AG Grid community).

The grid shows exactly the frame the page hands it; the export menu gives that frame as
CSV or XLSX through the same export callback as ChartCard (``components.cards``).
Page callbacks fill it with ``grid_outputs(card)`` <- ``grid_payload(frame, columns)``.
A row click comes back as ``Input(grid_id(card), "cellClicked")``; ``link_customers(card)``
makes the customer cells of a grid open ``/customer/<customer_id>``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, Patch, State, callback, dcc, html, no_update

from components.cards import data_id, frame_for_store
from components.context import current_lang, current_theme
from components.i18n import t
from queries.filters import GLOBAL_KEYS


def grid_id(card: str) -> dict:
    return {"type": "grid", "card": card}


def GridCard(card: str, title: str, height: int = 420, page_size: int = 20,  # noqa: N802
             row_id: str | None = None) -> html.Section:
    """``row_id`` names the column that identifies a row (AG Grid's getRowId):
    ``cellClicked["rowId"]`` is then that row's value (see link_customers)."""
    lang = current_lang()
    menu = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(t(f"card.{fmt}", lang), id={"type": "export", "card": card, "fmt": fmt})
         for fmt in ("csv", "xlsx")],
        label=t("card.export", lang), size="sm", color="secondary", align_end=True,
    )
    theme = "ag-theme-alpine-dark" if current_theme() == "dark" else "ag-theme-alpine"
    return html.Section(dbc.Card([
        dbc.CardHeader(html.Div([html.H2(title, className="h6 m-0"), menu],
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
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
                columnSize="responsiveSizeToFit",
                dashGridOptions={"pagination": True, "paginationPageSize": page_size,
                                 "localeText": {"noRowsToShow": t("grid.no_rows", lang)},
                                 "enableCellTextSelection": True, "ensureDomOrder": True},
            ), type="circle", delay_show=150),
        ]),
        dcc.Store(id=data_id(card)),
        dcc.Download(id={"type": "download", "card": card}),
    ], className="grid-card h-100"), **{"aria-label": title}, className="h-100")


def grid_outputs(card: str) -> list[Output]:
    return [Output(grid_id(card), "rowData"), Output(grid_id(card), "columnDefs"), Output(data_id(card), "data")]


NUMBER_FORMAT = "params.value == null ? '—' : d3.format(',.2~f')(params.value)"
PERCENT_FORMAT = "params.value == null ? '—' : d3.format('+,.1f')(params.value * 100) + '%'"


def grid_payload(frame: pd.DataFrame, headers: dict[str, str] | None = None,
                 numeric: tuple[str, ...] = (), percent: tuple[str, ...] = (),
                 links: tuple[str, ...] = ()) -> tuple:
    """(rowData, columnDefs, store) for ``grid_outputs``; ``headers`` maps a column to
    its visible header (columns not named keep their name). Numbers show "—" when
    undefined; ``percent`` columns hold ratios (0.125) and show as signed percentages
    (+12.5%); ``links`` are styled as links; the store (the export) keeps the values."""
    headers = headers or {}
    columns = []
    for column in frame.columns:
        spec = {"field": column, "headerName": headers.get(column, column)}
        if column in percent:
            spec.update(type="rightAligned", valueFormatter={"function": PERCENT_FORMAT})
        elif column in numeric or pd.api.types.is_numeric_dtype(frame[column]):
            spec.update(type="rightAligned", valueFormatter={"function": NUMBER_FORMAT})
        if column in links:
            spec["cellClass"] = "grid-link"
        columns.append(spec)
    store = frame_for_store(frame)
    rows = [dict(zip(store["columns"], row, strict=True)) for row in store["data"]]
    return rows, columns, store


def link_cells(rows: list[dict], columns: list[dict], field: str, id_field: str, path: str) -> tuple:
    """(rows, columns) of ``grid_payload`` with ``field`` shown as a link to
    ``path + row[id_field]`` (e.g. a customer name to ``/customer/<customer_id>``) and
    ``id_field`` hidden. Only the shown cells change: the export keeps the plain frame."""
    for row in rows:
        text = re.sub(r"([\\`*_{}\[\]()<>#+!|-])", r"\\\1", str(row[field] or ""))
        row[field] = f"[{text}]({path}{quote(str(row[id_field]), safe='')})"
    for spec in columns:
        if spec["field"] == field:
            spec["cellRenderer"] = "markdown"
        elif spec["field"] == id_field:
            spec["hide"] = True
    return rows, columns


def percent_cells(columns: list[dict], fields: tuple[str, ...]) -> list[dict]:
    """``columns`` with ratio ``fields`` shown as percentages with one decimal ("—" if empty)."""
    for spec in columns:
        if spec["field"] in fields:
            spec["valueFormatter"] = {"function": "params.value == null ? '—' : d3.format('.1%')(params.value)"}
    return columns


@callback(Output({"type": "grid", "card": MATCH}, "dashGridOptions"),
          Input({"type": "grid-search", "card": MATCH}, "value"), prevent_initial_call=True)
def quick_search(text):
    """The search box filters the rows shown (AG Grid's quick filter)."""
    options = Patch()
    options["quickFilterText"] = text or ""
    return options


CUSTOMER_COLUMNS = ("customer_id", "customer_name")


def customer_href(cell: dict | None, store: dict | None, search: str | None, row_id: str) -> str | None:
    """Where a click on a grid cell leads: ``/customer/<id>`` (keeping the global filters)
    when the cell is in a customer column of a row found in the grid's store by its
    ``row_id`` column; else None."""
    if not cell or not store or cell.get("colId") not in CUSTOMER_COLUMNS or cell.get("rowId") is None:
        return None
    columns = store["columns"]
    key, customer = columns.index(row_id), columns.index("customer_id")
    for row in store["data"]:
        if str(row[key]) == str(cell["rowId"]):
            kept = urlencode([(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k in GLOBAL_KEYS], safe=",")
            return f"/customer/{row[customer]}" + (f"?{kept}" if kept else "")
    return None


def link_customers(card: str, row_id: str) -> None:
    """Clicking a customer cell of grid ``card`` (a GridCard built with ``row_id``) opens
    the customer's page."""

    @callback(Output("url", "href", allow_duplicate=True), Input(grid_id(card), "cellClicked"),
              State(data_id(card), "data"), State("url", "search"), prevent_initial_call=True)
    def open_customer(cell, store, search):
        return customer_href(cell, store, search, row_id) or no_update
