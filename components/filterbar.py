"""The global filter bar. Its state lives in the URL query string (shareable links,
back/forward, reload): one callback keeps the controls and ``url.search`` in step, in
both directions. Keys a page owns (``view_params`` in its register_page) are carried
along untouched; anything else unknown or malformed is dropped with a notice.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import format as fmt
from components.context import current_lang
from components.controls import dropdown_labels
from components.i18n import t
from queries import dimension_values, parse_filters, run, warehouse_as_of
from queries.filters import CUSTOMER_TYPES, LIST_KEYS, PRESETS, Filters

CONTROLS = {  # URL key -> control id
    "team": "f-team", "rep": "f-rep", "region": "f-region",
    "category": "f-category", "ctype": "f-ctype", "source": "f-source",
}
LABELS = {"team": "filter.teams", "rep": "filter.reps", "region": "filter.regions",
          "category": "filter.categories", "ctype": "filter.customer_types", "source": "filter.sources"}


def page_keys(pathname: str | None) -> tuple[str, ...]:
    """The URL keys the page at ``pathname`` owns (its view state)."""
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        prefix = template.split("<")[0].rstrip("/") or "/"
        if page["path"] == pathname or (page.get("path_template") and (pathname or "").startswith(prefix + "/")):
            return tuple(page.get("view_params", ()))
    return ()


def with_page_keys(filters: Filters, search: str | None, keys: tuple[str, ...]) -> str:
    """``filters`` as a query string, keeping the page's own keys from ``search``."""
    own = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k in keys]
    query = filters.to_query()
    if not own:
        return query
    return (query + "&" if query else "?") + urlencode(own, safe=",")


def _options(lang: str) -> dict[str, list[dict]]:
    frame = run("dimension_values")
    team_names = dict(zip(frame.loc[frame.dimension == "team", "value"],
                          frame.loc[frame.dimension == "team", "label"], strict=True))
    options: dict[str, list[dict]] = {key: [] for key in CONTROLS}
    for row in frame.itertuples():
        label = row.label
        if row.dimension == "team" and row.parent in team_names:
            label = f"{row.label} · {team_names[row.parent]}"
        options[row.dimension].append({"label": label, "value": row.value})
    options["ctype"] = [{"label": t(f"ctype.{v}", lang), "value": v} for v in CUSTOMER_TYPES]
    return options


def _dropdown(key: str, options: list[dict], lang: str) -> html.Div:
    return html.Div([
        dbc.Label(t(LABELS[key], lang), html_for=CONTROLS[key], className="visually-hidden"),
        dcc.Dropdown(id=CONTROLS[key], options=options, multi=True, placeholder=t(LABELS[key], lang),
                     labels=dropdown_labels(lang), className="filter-dropdown"),
    ], className="filter-item")


def filter_bar() -> html.Div:
    lang = current_lang()
    options = _options(lang)
    primary = ("team", "rep")
    secondary = ("region", "category", "ctype", "source")
    return html.Div([
        html.Div([
            html.Div([
                dbc.Label(t("filter.period", lang), html_for="f-preset", className="visually-hidden"),
                dcc.Dropdown(id="f-preset", clearable=False, searchable=False, value="this_year",
                             labels=dropdown_labels(lang),
                             options=[{"label": t(f"preset.{p}", lang), "value": p} for p in PRESETS],
                             className="filter-dropdown"),
            ], className="filter-item filter-period"),
            html.Div(dcc.DatePickerRange(id="f-range", display_format="YYYY-MM-DD",
                                         first_day_of_week=1, minimum_nights=0,
                                         month_format="YYYY年M月" if lang == "zh-CN" else "MMMM YYYY",
                                         start_date_placeholder_text=t("datepicker.start", lang),
                                         end_date_placeholder_text=t("datepicker.end", lang)),
                     id="f-range-wrap", className="filter-item", style={"display": "none"}),
            *[_dropdown(key, options[key], lang) for key in primary],
            dbc.Button(t("filter.more", lang), id="f-more", color="link", size="sm",
                       className="filter-more", n_clicks=0),
            dbc.Button(t("filter.reset", lang), id="f-reset", color="outline-secondary", size="sm",
                       n_clicks=0),
            html.Span(id="f-period-label", className="filter-period-label text-body-secondary small",
                      **{"aria-live": "polite"}),
        ], className="filter-row"),
        dbc.Collapse(html.Div([_dropdown(key, options[key], lang) for key in secondary],
                              className="filter-row"), id="f-more-collapse", is_open=False),
        dbc.Alert(id="f-notice", color="warning", is_open=False, dismissable=True, className="mt-2 mb-0 py-2"),
    ], className="filter-bar", role="search", **{"aria-label": t("filter.period", lang)})


@callback(Output("f-more-collapse", "is_open"), Input("f-more", "n_clicks"), State("f-more-collapse", "is_open"),
          prevent_initial_call=True)
def toggle_more(_clicks, is_open):
    return not is_open


@callback(
    Output("url", "search"),
    Output("f-preset", "value"),
    Output("f-range", "start_date"),
    Output("f-range", "end_date"),
    *[Output(cid, "value") for cid in CONTROLS.values()],
    Output("f-notice", "children"),
    Output("f-notice", "is_open"),
    Output("f-period-label", "children"),
    Output("f-range-wrap", "style"),
    Input("url", "search"),
    Input("f-preset", "value"),
    Input("f-range", "start_date"),
    Input("f-range", "end_date"),
    *[Input(cid, "value") for cid in CONTROLS.values()],
    Input("f-reset", "n_clicks"),
    State("url", "pathname"),
)
def sync(search, preset, start, end, *rest):
    *values, _reset, pathname = rest
    keys = page_keys(pathname)
    trigger = ctx.triggered_id
    notice, new_search = None, no_update
    if trigger in (None, "url"):
        filters = parse_filters(search, keys)
        if filters.dropped:
            notice = t("filter.dropped", current_lang(), items=", ".join(filters.dropped))
            new_search = with_page_keys(filters, search, keys)
    elif trigger == "f-reset":
        filters = Filters()
        new_search = with_page_keys(filters, search, keys)
    else:
        query = {"preset": preset or "this_year"}
        if preset == "custom":
            if not (start and end):  # just switched to custom: start from the current period
                shown = parse_filters(search, keys).periods(warehouse_as_of())
                start, end = shown["start"].isoformat(), shown["end"].isoformat()
            query.update(start=start[:10], end=end[:10])
        for key, value in zip(CONTROLS, values, strict=True):
            if value:
                query[key] = list(value)
        # the controls' values are checked like a URL: a forged request changes nothing
        filters = Filters.from_query(query, dimension_values(), keys)
        new_search = with_page_keys(filters, search, keys)
        if new_search == (search or ""):
            new_search = no_update
    lang = current_lang()
    periods = filters.periods(warehouse_as_of())
    label = (t("filter.showing", lang, start=fmt.day(periods["start"]), end=fmt.day(periods["end"]))
             + " · " + t("filter.as_of", lang, date=fmt.day(periods["as_of"])))
    control_values = [list(getattr(filters, LIST_KEYS[key])) or None for key in CONTROLS]
    return (new_search, filters.preset,
            filters.start.isoformat() if filters.start else None,
            filters.end.isoformat() if filters.end else None,
            *control_values, notice, bool(notice), label,
            {"display": "block" if filters.preset == "custom" else "none"})
