"""The global filter bar. Its state lives in the URL query string (shareable links,
back/forward, reload): one callback keeps the controls and ``url.search`` in step, in
both directions. Keys a page owns (``view_params`` in its register_page) are carried
along untouched; anything else unknown or malformed is dropped with a notice.
"""

from __future__ import annotations

import json

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components import format as fmt
from components import inputs
from components.context import current_lang
from components.controls import dropdown_labels
from components.i18n import t
from components.page import warehouse_problem
from queries import WarehouseMissingError, dimension_rows, dimension_values, warehouse_as_of
from queries.filters import CUSTOMER_TYPES, LIST_KEYS, PRESETS, Filters

CONTROLS = {  # URL key -> control id
    "team": "f-team", "rep": "f-rep", "region": "f-region",
    "category": "f-category", "ctype": "f-ctype", "source": "f-source",
}
LABELS = {"team": "filter.teams", "rep": "filter.reps", "region": "filter.regions",
          "category": "filter.categories", "ctype": "filter.customer_types", "source": "filter.sources"}
SECONDARY = ("region", "category", "ctype", "source")  # under 更多筛选


def _page(pathname: str | None) -> dict:
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        prefix = template.split("<")[0].rstrip("/") or "/"
        if page["path"] == pathname or (page.get("path_template") and (pathname or "").startswith(prefix + "/")):
            return page
    return {}


def page_keys(pathname: str | None) -> tuple[str, ...]:
    """The URL keys the page at ``pathname`` owns (its view state)."""
    return tuple(_page(pathname).get("view_params", ()))


def with_page_keys(filters: Filters, search: str | None, keys: tuple[str, ...]) -> str:
    """``filters`` as a query string, keeping the page's own keys from ``search``."""
    own = inputs.query(search).search(keys)
    query = filters.to_query()
    if not own:
        return query
    return (query + "&" if query else "?") + own[1:]


def _options(lang: str) -> dict[str, list[dict]]:
    """Each dropdown's options: only what the viewer's scope lets them pick."""
    frame = dimension_rows()
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


def _subtree(teams, parents: dict[str, str | None]) -> set[str]:
    """``teams`` with all their sub-teams (``parents``: team -> parent team)."""
    out = set(teams)
    while grown := {team for team, parent in parents.items() if parent in out} - out:
        out |= grown
    return out


def _people() -> tuple[dict[str, str | None], dict[str, str]]:
    """(team -> parent team, rep -> team) of the filter's choices."""
    frame = dimension_rows()
    teams = frame[frame.dimension == "team"]
    reps = frame[frame.dimension == "rep"]
    return dict(zip(teams["value"], teams["parent"], strict=True)), dict(zip(reps["value"], reps["parent"],
                                                                             strict=True))


def reps_in(teams, parents: dict, rep_teams: dict) -> set[str]:
    """The reps of ``teams`` (with sub-teams); every rep when no team is chosen."""
    if not teams:
        return set(rep_teams)
    tree = _subtree(teams, parents)
    return {rep for rep, team in rep_teams.items() if team in tree}


def teams_of(reps, parents: dict, rep_teams: dict) -> set[str]:
    """The teams containing one of ``reps`` (their own teams and those above); every team
    when no rep is chosen."""
    if not reps:
        return set(parents)
    return {team for team in parents if _subtree([team], parents) & {rep_teams.get(r) for r in reps}}


def _dropdown(key: str, options: list[dict], lang: str) -> html.Div:
    return html.Div([
        dbc.Label(t(LABELS[key], lang), html_for=CONTROLS[key], className="visually-hidden"),
        dcc.Dropdown(id=CONTROLS[key], options=options, multi=True, placeholder=t(LABELS[key], lang),
                     labels=dropdown_labels(lang), className="filter-dropdown"),
    ], className="filter-item")


# The texts Dash 4's date picker writes in English whatever the page's language, with no
# prop to set them (dash/dcc/async-datepicker.js): assets/a11y.js puts these in their place.
DATEPICKER_TEXTS = {"Previous month": "prev_month", "Next month": "next_month", "Close calendar": "close",
                    "Clear Dates": "clear", "Increase value": "year_up", "Decrease value": "year_down"}
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")  # date-fns' en-US short names, Monday first


def datepicker_labels(lang: str) -> str:
    """JSON for assets/a11y.js: each English text of the date picker -> the page's language;
    the weekday heads; a name for the calendar's year field, which has none."""
    texts = {english: t(f"datepicker.{key}", lang) for english, key in DATEPICKER_TEXTS.items()}
    texts.update(zip(WEEKDAYS, t("datepicker.weekdays", lang).split(","), strict=True))
    texts["year"] = t("datepicker.year", lang)
    return json.dumps(texts, ensure_ascii=False)


def filter_bar() -> html.Div:
    lang = current_lang()
    options = _options(lang)
    primary = ("team", "rep")
    secondary = SECONDARY
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
                                         # the inputs' names (their aria-label is the placeholder);
                                         # with ids, the picker's aria-labelledby names them
                                         start_date_placeholder_text=t("datepicker.start", lang),
                                         end_date_placeholder_text=t("datepicker.end", lang),
                                         start_date_id="f-range-start", end_date_id="f-range-end"),
                     id="f-range-wrap", className="filter-item", style={"display": "none"},
                     **{"data-datepicker-labels": datepicker_labels(lang)}),
            *[_dropdown(key, options[key], lang) for key in primary],
            dbc.Button(t("filter.more", lang), id="f-more", color="link", size="sm",
                       className="filter-more", n_clicks=0),
            dbc.Button(t("filter.reset", lang), id="f-reset", color="outline-secondary", size="sm",
                       n_clicks=0),
            html.Div([  # this page, as filtered: as a PDF, or by mail (hrefs follow the URL, app.py)
                html.A(t("nav.pdf", lang), id="pdf-link", href="/export/pdf?path=/",
                       className="btn btn-sm btn-outline-secondary", title=t("nav.pdf_label", lang),
                       **{"aria-label": t("nav.pdf_label", lang)}),
                html.A(t("nav.subscribe", lang), id="subscribe-link", href="/subscriptions",
                       className="btn btn-sm btn-outline-secondary", title=t("nav.subscribe_label", lang)),
            ], className="d-flex gap-1 filter-page-actions"),
            html.Span(id="f-period-label", className="filter-period-label text-body-secondary small",
                      **{"aria-live": "polite"}),
        ], className="filter-row"),
        dbc.Collapse(html.Div([_dropdown(key, options[key], lang) for key in secondary],
                              className="filter-row"), id="f-more-collapse", is_open=False),
        html.Div(id="f-chips", className="filter-chips d-flex flex-wrap gap-1 mt-1", role="group",
                 **{"aria-label": t("filter.active", lang), "aria-live": "polite"}),
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
    """The URL and the controls in step; without a readable warehouse, the notice says so
    (the page's own callbacks answer 503 with the same message)."""
    try:
        return _sync(search, preset, start, end, *rest)
    except WarehouseMissingError as e:
        return (*[no_update] * (4 + len(CONTROLS)), warehouse_problem(e, current_lang()), True, no_update,
                no_update)


def _sync(search, preset, start, end, *rest):
    *values, _reset, pathname = rest
    pathname = inputs.text(pathname, inputs.MAX_QUERY)
    keys = page_keys(pathname)
    trigger = ctx.triggered_id
    notice, new_search = None, no_update
    # the values the bar offers, read on every change (once per build and viewer, then cached),
    # not only when the URL names a dimension: a warehouse that cannot be read says so here too
    known = dimension_values()
    if trigger in (None, "url"):
        filters = inputs.filters(search, keys)
        if filters.dropped:
            notice = t("filter.dropped", current_lang(), items=", ".join(filters.dropped))
            new_search = with_page_keys(filters, search, keys)
    elif trigger == "f-reset":
        filters = Filters()
        new_search = with_page_keys(filters, search, keys)
    else:
        preset = inputs.choice(preset, PRESETS, "this_year")
        start, end = inputs.text(start), inputs.text(end)
        query = {"preset": preset}
        if preset == "custom":
            if not (start and end):  # just switched to custom: start from the current period
                shown = inputs.filters(search, keys).periods(warehouse_as_of())
                start, end = shown["start"].isoformat(), shown["end"].isoformat()
            query.update(start=start[:10], end=end[:10])
        for key, value in zip(CONTROLS, values, strict=True):
            if inputs.texts(value):
                query[key] = inputs.texts(value)
        # the controls' values are checked like a URL: a forged request changes nothing
        filters = Filters.from_query(query, known, keys)
        if trigger == "f-team" and filters.teams and filters.reps:
            # a newly chosen team keeps only its own reps (a rep of another team gave empty pages)
            kept = tuple(r for r in filters.reps if r in reps_in(filters.teams, *_people()))
            filters = filters.replace(reps=kept)
        new_search = with_page_keys(filters, search, keys)
        if new_search == search or (new_search == "" and not search):
            new_search = no_update
    lang = current_lang()
    periods = filters.periods(warehouse_as_of())
    label = (t("filter.showing", lang, start=fmt.day(periods["start"]), end=fmt.day(periods["end"]))
             + " · " + t("filter.as_of", lang, date=fmt.day(periods["as_of"])))
    if _page(pathname).get("state_as_of"):  # a page of state "as of a date" names that date
        label += " · " + t("filter.state_as_of", lang, date=fmt.day(periods["end"]))
    control_values = [list(getattr(filters, LIST_KEYS[key])) or None for key in CONTROLS]
    return (new_search, filters.preset,
            filters.start.isoformat() if filters.start else None,
            filters.end.isoformat() if filters.end else None,
            *control_values, notice, bool(notice), label,
            {"display": "block" if filters.preset == "custom" else "none"})


@callback(Output("f-team", "options"), Output("f-rep", "options"),
          Input("f-team", "value"), Input("f-rep", "value"))
def follow(teams, reps):
    """The rep list follows the chosen teams (their reps, with sub-teams) and the team list
    the chosen reps (the teams containing them); a chosen value always stays listed."""
    teams, reps = inputs.texts(teams), inputs.texts(reps)
    options = _options(current_lang())
    parents, rep_teams = _people()
    allowed_reps = reps_in(teams or (), parents, rep_teams) | set(reps or ())
    allowed_teams = teams_of(reps or (), parents, rep_teams) | set(teams or ())
    return ([o for o in options["team"] if o["value"] in allowed_teams],
            [o for o in options["rep"] if o["value"] in allowed_reps])


@callback(Output("f-chips", "children"), Output("f-more", "children"), Input("url", "search"),
          State("url", "pathname"))
def chips(search, pathname):
    """Every active list filter as a removable chip, and on 更多筛选 how many of its filters
    are set (so a region or category filter is never invisible)."""
    lang = current_lang()
    filters = inputs.filters(search, page_keys(inputs.text(pathname, inputs.MAX_QUERY)))
    labels = {key: {o["value"]: o["label"] for o in opts} for key, opts in _options(lang).items()}
    out = []
    for key in CONTROLS:
        for value in getattr(filters, LIST_KEYS[key]):
            text = f"{t(LABELS[key], lang)}: {labels[key].get(value, value)}"
            out.append(html.Button([text, html.Span(" ×", **{"aria-hidden": "true"})],
                                   id={"type": "f-chip", "key": key, "value": value}, n_clicks=0,
                                   className="filter-chip btn btn-sm btn-outline-secondary rounded-pill py-0",
                                   title=t("filter.remove", lang, filter=text),
                                   **{"aria-label": t("filter.remove", lang, filter=text)}))
    hidden = sum(len(getattr(filters, LIST_KEYS[key])) for key in SECONDARY)
    more = t("filter.more", lang) + (f" ({hidden})" if hidden else "")
    return out, more


@callback(Output("url", "search", allow_duplicate=True),
          Input({"type": "f-chip", "key": ALL, "value": ALL}, "n_clicks"), State("url", "search"),
          prevent_initial_call=True)
def remove_chip(_clicks, search):
    """A chip's click removes its one value from the URL (the filter bar follows)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or trigger.get("key") not in CONTROLS:
        return no_update
    # a click, not the chips being drawn (Dash 4 leaves ctx.triggered's value empty for ALL inputs)
    if not next((i.get("value") for i in ctx.inputs_list[0] if i["id"] == trigger), None):
        return no_update
    pairs = []
    for key, value in inputs.query(search).pairs:
        if key == trigger["key"]:
            value = ",".join(v for v in value.split(",") if v != trigger.get("value"))
        if value:
            pairs.append((key, value))
    return inputs.Query(tuple(pairs)).search()
