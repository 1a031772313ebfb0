"""ChartCard and KpiCard, and the export callbacks every ChartCard shares.

A ChartCard holds a title, a figure (with a loading indicator) and an export menu:
the exact data behind the chart as CSV or XLSX (from the card's store, written by the
same callback that draws the figure) and the chart itself as PNG or SVG (drawn in the
browser by plotly.js, so it works offline). Page callbacks fill a card with
``card_outputs(card_id)`` <- ``card_payload(figure, frame)``.
"""

from __future__ import annotations

import io
import json
import re

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, MATCH, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from components import figures, inputs
from components.context import current_lang
from components.figures import STATIC_CONFIG
from components.i18n import MESSAGES, t
from crm.web import audit_export

EXPORT_FORMATS = ("csv", "xlsx", "png", "svg")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def chart_id(card: str) -> dict:
    return {"type": "chart", "card": card}


def data_id(card: str) -> dict:
    return {"type": "chart-data", "card": card}


def ChartCard(card: str, title: str, height: int = 340, extra=None) -> html.Section:  # noqa: N802
    """A titled chart with loading indicator and export menu; ``extra`` goes under it."""
    lang = current_lang()
    menu = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(t(f"card.{fmt}", lang), id={"type": "export", "card": card, "fmt": fmt})
         for fmt in EXPORT_FORMATS],
        label=t("card.export", lang), size="sm", color="secondary", align_end=True,
        toggle_class_name="export-toggle",
    )
    return html.Section(dbc.Card([
        dbc.CardHeader(html.Div([html.H2(title, className="h6 m-0", id={"type": "card-title", "card": card}), menu],
                                className="d-flex justify-content-between align-items-center gap-2")),
        dbc.CardBody([
            dcc.Loading(dcc.Graph(id=chart_id(card), config=figures.graph_config(lang),
                                  style={"height": f"{height}px"}),
                        type="circle", delay_show=150),
            extra,
            card_note(card),
        ]),
        dcc.Store(id=data_id(card)),
        dcc.Download(id={"type": "download", "card": card}),
    ], className="chart-card h-100", id=f"card-{card}"), **{"aria-label": title}, className="h-100")


def card_note(card: str) -> html.Small:
    """Where a card says that its data was cut (see explain_cut)."""
    return html.Small(id={"type": "card-note", "card": card}, className="text-body-secondary",
                      **{"aria-live": "polite"})


@callback(Output({"type": "card-note", "card": ALL}, "children"),
          Input({"type": "chart-data", "card": ALL}, "data"), prevent_initial_call=True)
def explain_cuts(datas):
    """Every card's note in one request (a page callback fills all its cards at once: one
    callback per card was a request per card)."""
    return [explain_cut(data) for data in datas]


def explain_cut(data):
    """Say so when a card's data holds only the first rows of a longer list (``total_rows``)."""
    data = inputs.table(data) or {"data": [], "total_rows": 0}
    total, shown = data["total_rows"], len(data["data"])
    if total <= shown:
        return None
    return t("grid.cut", current_lang(), shown=f"{shown:,}", total=f"{total:,}")


def card_outputs(card: str) -> list[Output]:
    return [Output(chart_id(card), "figure"), Output(data_id(card), "data")]


def frame_for_store(frame: pd.DataFrame) -> dict:
    """A frame as JSON-safe {"columns", "data"} for a dcc.Store: numbers as the doubles they
    are (None for NaN and infinities), dates as YYYY-MM-DD, moments as YYYY-MM-DD HH:MM:SS
    (what a spreadsheet shows). Built a column at a time, not through pandas' JSON text and
    its parsing (up to 40 ms of a page on large: issue #17)."""
    columns = [_store_values(column) for _, column in frame.items()]
    data = [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _ in range(len(frame))]
    return {"columns": list(frame.columns), "data": data}


def _store_values(column: pd.Series) -> list:
    """One column's values for ``frame_for_store``."""
    dtype = column.dtype
    if dtype.kind == "f" and not isinstance(dtype, pd.SparseDtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isfinite(values), values, None).tolist()
    if isinstance(dtype, pd.DatetimeTZDtype):  # a zoned moment as its local time
        return _store_values(column.dt.tz_localize(None))
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":  # text: None where missing
        return column.array.__arrow_array__().to_pylist()
    if isinstance(dtype, pd.StringDtype) or dtype.kind in ("i", "u", "b"):  # text, integers, flags: None if missing
        return column.to_numpy(dtype=object, na_value=None).tolist()
    if dtype.kind == "M" and isinstance(dtype, np.dtype):
        values = column.to_numpy()
        missing = np.isnat(values)
        days = values.astype("datetime64[D]")
        midnight = bool((days == values)[~missing].all())
        text = np.datetime_as_string(days if midnight else values.astype("datetime64[s]"))
        if not midnight:
            text = np.char.replace(text, "T", " ")
        return [None if gone else value for value, gone in zip(text.tolist(), missing.tolist(), strict=True)]
    # anything else (Python objects, durations): what to_json writes, read back
    text = column.to_frame().to_json(orient="split", index=False, force_ascii=False)
    return [row[0] for row in json.loads(text)["data"]]


def column_header(column: str, lang: str, headers: dict[str, str] | None = None) -> str:
    """A column's visible header in an export: ``headers`` (the card's own words) first,
    then the shared column names (``col.<column>``, components/messages/columns.py); a
    column named by the data (a stage, an aging bucket such as 31-60) keeps its name."""
    if headers and column in headers:
        return headers[column]
    return t(f"col.{column}", lang) if f"col.{column}" in MESSAGES else str(column)


def card_payload(figure, frame: pd.DataFrame, headers: dict[str, str] | None = None,
                 money: tuple[str, ...] = (), lang: str | None = None) -> tuple:
    """(figure, store data) for ``card_outputs``: the data is exactly ``frame``, exported
    under translated headers (``column_header``; ``headers`` overrides a column's) in the
    page's language; ``money`` columns are numbers with two decimals in XLSX."""
    return figure, card_store(frame, headers, money, lang)


def card_store(frame: pd.DataFrame, headers: dict[str, str] | None = None, money: tuple[str, ...] = (),
               lang: str | None = None) -> dict:
    """The store data of ``card_payload``: worked out once where several cards export one
    frame (/products' mix: four cards, 300 products)."""
    lang = lang or current_lang()
    store = frame_for_store(frame)
    store["headers"] = [column_header(column, lang, headers) for column in store["columns"]]
    store["money"] = [c for c in store["columns"] if c in money]
    return store


def frame_from_store(data: dict) -> pd.DataFrame:
    return pd.DataFrame(data["data"], columns=data["columns"])


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def export_name(page: str, card: str, query: dict | None, fmt: str) -> str:
    from queries import warehouse_as_of

    periods = inputs.filters(query, check=False).periods(warehouse_as_of())
    stem = f"{page or 'overview'}_{card}_{periods['start']}_{periods['end']}"
    return re.sub(r"[^\w.-]+", "-", stem) + f".{fmt}"


ISO_DAY = r"\d{4}-\d{2}-\d{2}"


def export_bytes(frame: pd.DataFrame, fmt: str, headers: list[str] | None = None, money: tuple[str, ...] = (),
                 heading: tuple[str, ...] = ()) -> bytes:
    """The frame as CSV or XLSX under its visible ``headers``. XLSX also: the ``heading``
    lines (page, card, filters, period) above the table, ``money`` columns as numbers with
    two decimals, day columns (YYYY-MM-DD) as dates."""
    safe = neutralise(frame)
    names = list(headers) if headers and len(headers) == len(safe.columns) else list(safe.columns)
    if fmt == "csv":
        # BOM: Excel reads Chinese. Lines end in CRLF (RFC 4180), so the writer quotes every
        # field holding a CR or an LF: a lone CR in a name cannot start a new row.
        return safe.set_axis(names, axis=1).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    days = [c for c in safe.columns if pd.api.types.is_string_dtype(safe[c]) and safe[c].notna().any()
            and safe[c].dropna().astype(str).str.fullmatch(ISO_DAY).all()]
    out = safe.assign(**{c: pd.to_datetime(safe[c]) for c in days}).set_axis(names, axis=1)
    start = len(heading) + 1 if heading else 0  # a blank row between the heading and the table
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, startrow=start, sheet_name="data")
        sheet = writer.sheets["data"]
        for row, line in enumerate(heading, start=1):
            sheet.cell(row=row, column=1, value=line)
        for index, column in enumerate(safe.columns, start=1):
            number_format = "#,##0.00" if column in money else "yyyy-mm-dd" if column in days else None
            letter = sheet.cell(row=start + 1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(10, min(40, 2 + 2 * len(str(names[index - 1]))))
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=start + 2, min_col=index, max_col=index):
                    cell.number_format = number_format
    return buffer.getvalue()


def export_heading(page: str, card_title, query: dict | None, lang: str) -> tuple[str, ...]:
    """The lines above an XLSX table: page, card, filters, period and as-of date."""
    import dash

    from queries import warehouse_as_of
    from queries.filters import GLOBAL_KEYS

    page_key = next((p.get("label_key") for p in dash.page_registry.values()
                     if p["path"].strip("/") == page or (page == "overview" and p["path"] == "/")), None)
    checked = inputs.filters(query)
    filters = "; ".join(f"{k}={v}" for k, v in inputs.query(checked.to_query()).pairs
                        if k in GLOBAL_KEYS and k not in ("preset", "start", "end"))
    periods = checked.periods(warehouse_as_of())
    return (
        f"{t('export.page', lang)}: {t(page_key, lang) if page_key else page}",
        f"{t('export.card', lang)}: {card_title if isinstance(card_title, str) else ''}",
        f"{t('export.filters', lang)}: {filters or t('export.no_filters', lang)}",
        t("filter.showing", lang, start=periods["start"].isoformat(), end=periods["end"].isoformat())
        + " · " + t("filter.as_of", lang, date=periods["as_of"].isoformat()),
    )


@callback(
    Output({"type": "download", "card": MATCH}, "data"),
    Input({"type": "export", "card": MATCH, "fmt": ALL}, "n_clicks"),
    State({"type": "chart-data", "card": MATCH}, "data"),
    State("page-query", "data"),
    State("url", "pathname"),
    State({"type": "card-title", "card": MATCH}, "children"),
    prevent_initial_call=True,
)
def export_data(clicks, data, query, pathname, title=None):
    trigger = ctx.triggered_id
    data = inputs.table(data)
    fmt = inputs.choice(trigger.get("fmt"), ("csv", "xlsx")) if isinstance(trigger, dict) else None
    if not fmt or not data or not inputs.clicked(clicks):
        return no_update
    frame = frame_from_store(data)
    page = (inputs.text(pathname) or "/").strip("/").split("/")[0] or "overview"
    card = inputs.text(trigger.get("card")) or ""
    name = export_name(page, card, query, fmt)
    audit_export(page, card, fmt, inputs.filters(query).to_query())
    heading = export_heading(page, inputs.text(title), query, current_lang())
    return dcc.send_bytes(export_bytes(frame, fmt, data.get("headers"), tuple(data.get("money", ())), heading), name)


clientside_callback(
    """
    function(clicks, ids, pathname) {
        const trig = window.dash_clientside.callback_context.triggered_id;
        if (!trig || (trig.fmt !== 'png' && trig.fmt !== 'svg') || !clicks.some(Boolean)) {
            return window.dash_clientside.no_update;
        }
        const id = JSON.stringify({card: trig.card, type: 'chart'});
        const el = document.getElementById(id);
        const plot = el && el.querySelector('.js-plotly-plot');
        if (plot) {
            const page = (pathname || '/').replace(/^\\/+/, '').split('/')[0] || 'overview';
            // the image says what it shows: the card's title and the period, above the chart
            const title = document.getElementById(JSON.stringify({card: trig.card, type: 'card-title'}));
            const period = document.getElementById('f-period-label');
            const text = [title && title.textContent, period && period.textContent].filter(Boolean).join('<br>');
            const margin = Object.assign({}, plot.layout.margin, {t: ((plot.layout.margin || {}).t || 24) + 56});
            const layout = Object.assign({}, plot.layout, {margin: margin,
                title: {text: text, x: 0.01, xanchor: 'left', y: 0.98, yanchor: 'top', font: {size: 13}}});
            Plotly.downloadImage({data: plot.data, layout: layout, config: plot._context},
                                 {format: trig.fmt, filename: page + '_' + trig.card,
                                  width: plot.offsetWidth, height: plot.offsetHeight + 56});
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output({"type": "export", "card": MATCH, "fmt": "png"}, "className"),
    Input({"type": "export", "card": MATCH, "fmt": ALL}, "n_clicks"),
    State({"type": "export", "card": MATCH, "fmt": ALL}, "id"),
    State("url", "pathname"),
    prevent_initial_call=True,
)


def KpiCard(kpi: str, label: str) -> html.Section:  # noqa: N802
    """A KPI tile; its body is filled by ``kpi_body`` from a page callback."""
    return html.Section(dbc.Card(
        dbc.CardBody(dcc.Loading(html.Div(id={"type": "kpi", "kpi": kpi}, children=html.Div(label)),
                                 type="dot", delay_show=150)),
        className="kpi-card h-100",
    ), **{"aria-label": label}, className="h-100")


def kpi_windows(periods: dict, state: bool = False) -> dict[str, tuple]:
    """What a KPI's value and its comparisons cover, from Filters.periods: the windows
    (start, end) of a flow (contract amount, payments, ...), or for a state ("as of a date":
    overdue receivables, weighted pipeline) the one day each is taken on."""
    if state:
        return {"current": (periods["end"],), "mom": (periods["prev_end"],), "yoy": (periods["yoy_end"],)}
    return {"current": (periods["start"], periods["end"]), "mom": (periods["prev_start"], periods["prev_end"]),
            "yoy": (periods["yoy_start"], periods["yoy_end"])}


def _window_text(window: tuple, lang: str) -> str:
    from components.format import day

    if len(window) == 1:
        return t("kpi.on_day", lang, date=day(window[0]))
    return t("kpi.window", lang, start=day(window[0]), end=day(window[1]))


def kpi_body(label: str, value: str, mom: tuple[str, str, float | None],
             yoy: tuple[str, str, float | None], spark=None, lang: str = "en",
             lower_is_better: bool = False, windows: dict[str, tuple] | None = None) -> list:
    """Children of a KpiCard: label, value, 环比 and 同比 rows (change, percent, direction)
    and an optional sparkline figure. ``lower_is_better`` (e.g. overdue amounts) colours a
    rise red and a fall green; the arrows still show the direction. ``windows``
    (``kpi_windows``) says what each row compares with: each row's tooltip names its dates,
    a caption the current period's; where 环比 and 同比 cover the same dates (本年: the
    previous year to date is also last year's same dates) one row stands for both."""
    good, bad = ("text-danger", "text-success") if lower_is_better else ("text-success", "text-danger")

    def row(name_key, parts, window=None):
        absolute, pct, direction = parts
        css = good if direction and direction > 0 else bad if direction and direction < 0 \
            else "text-body-secondary"
        arrow = "▲" if direction and direction > 0 else "▼" if direction and direction < 0 else ""
        against = t("kpi.against", lang, window=_window_text(window, lang)) if window else None
        return html.Div([
            html.Span(t(name_key, lang), className="kpi-cmp-label"),
            html.Span(f"{arrow} {pct}".strip(), className=f"kpi-pct {css}",
                      title=t("kpi.undefined", lang) if pct == "—" else None),
            html.Span(absolute, className="kpi-abs text-body-secondary"),
        ], className="kpi-cmp", title=against, **({"aria-label": f"{t(name_key, lang)}: {against}"} if against else {}))

    windows = windows or {}
    children = [
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value"),
    ]
    if windows and windows["mom"] == windows["yoy"]:
        children.append(row("kpi.mom_yoy", yoy, windows["yoy"]))
    else:
        children += [row("kpi.mom", mom, windows.get("mom")), row("kpi.yoy", yoy, windows.get("yoy"))]
    if windows:
        children.append(html.Div(t("kpi.current", lang, window=_window_text(windows["current"], lang)),
                                 className="kpi-window small text-body-secondary"))
    if spark is not None:
        children.append(dcc.Graph(figure=spark, config=STATIC_CONFIG, className="kpi-spark",
                                  style={"height": "48px"}))
    return children
