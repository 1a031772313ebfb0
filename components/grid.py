"""GridCard: a titled, sortable, searchable, exportable data grid (AG Grid community).

The grid shows exactly the frame the page hands it; the export menu gives that frame as
CSV or XLSX through the same export callback as ChartCard (``components.cards``).
Page callbacks fill it with ``grid_outputs(card)`` <- ``grid_payload(frame, columns)``.
A row click comes back as ``Input(grid_id(card), "cellClicked")``.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, Patch, callback, dcc, html

from components.cards import data_id, frame_for_store
from components.context import current_lang, current_theme
from components.i18n import t


def grid_id(card: str) -> dict:
    return {"type": "grid", "card": card}


def GridCard(card: str, title: str, height: int = 420, page_size: int = 20) -> html.Section:  # noqa: N802
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
            # dcc.Input takes no aria-label: the label element around it names it
            html.Label([html.Span(t("grid.search", lang), className="visually-hidden"),
                        dcc.Input(id={"type": "grid-search", "card": card}, type="search", debounce=True,
                                  placeholder=t("grid.search", lang), className="form-control form-control-sm")],
                       className="d-block mb-2"),
            dcc.Loading(dag.AgGrid(
                id=grid_id(card), className=theme, style={"height": f"{height}px"},
                defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
                columnSize="responsiveSizeToFit",
                dashGridOptions={"pagination": True, "paginationPageSize": page_size,
                                 "overlayNoRowsTemplate": t("grid.no_rows", lang),
                                 "enableCellTextSelection": True, "ensureDomOrder": True},
            ), type="circle", delay_show=150),
        ]),
        dcc.Store(id=data_id(card)),
        dcc.Download(id={"type": "download", "card": card}),
    ], className="grid-card h-100"), **{"aria-label": title}, className="h-100")


def grid_outputs(card: str) -> list[Output]:
    return [Output(grid_id(card), "rowData"), Output(grid_id(card), "columnDefs"), Output(data_id(card), "data")]


def grid_payload(frame: pd.DataFrame, headers: dict[str, str] | None = None,
                 numeric: tuple[str, ...] = ()) -> tuple:
    """(rowData, columnDefs, store) for ``grid_outputs``; ``headers`` maps a column to
    its visible header (columns not named keep their name)."""
    headers = headers or {}
    columns = []
    for column in frame.columns:
        spec = {"field": column, "headerName": headers.get(column, column)}
        if column in numeric or pd.api.types.is_numeric_dtype(frame[column]):
            spec.update(type="rightAligned", valueFormatter={"function": "d3.format(',.2~f')(params.value)"})
        columns.append(spec)
    store = frame_for_store(frame)
    rows = [dict(zip(store["columns"], row, strict=True)) for row in store["data"]]
    return rows, columns, store


@callback(Output({"type": "grid", "card": MATCH}, "dashGridOptions"),
          Input({"type": "grid-search", "card": MATCH}, "value"), prevent_initial_call=True)
def quick_search(text):
    """The search box filters the rows shown (AG Grid's quick filter)."""
    options = Patch()
    options["quickFilterText"] = text or ""
    return options
