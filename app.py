"""CRM Analytics: the Dash app shell (navbar, global filter bar, language and theme).

``python app.py`` serves the warehouse at $CRM_WAREHOUSE (default
data/warehouse.duckdb), building the demo company first if there is none;
``gunicorn app:server`` serves it in production. HOST and PORT default to
127.0.0.1:8050.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, callback, clientside_callback, dcc, html

import components.cards
import components.grid  # noqa: F401  (registers the grid search callback)
from components.context import current_lang, current_theme
from components.filterbar import filter_bar
from components.i18n import t
from data.build import warehouse_path
from queries import WarehouseMissingError
from queries.filters import GLOBAL_KEYS

app = Dash(
    __name__,
    use_pages=True,
    suppress_callback_exceptions=True,
    title="CRM Analytics",
    update_title=None,
    serve_locally=True,
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    pages_folder="",  # the pages are imported by _import_pages, each once
)
server = app.server


def _import_pages() -> None:
    """Import every module of pages/ once, as ordinary imports. Dash's own pages_folder loader
    executes each page file afresh even when another page has already imported it (the
    overview imports the products page's method helpers), which registered that page's
    callbacks twice and fired them twice per render."""
    for path in sorted(Path(__file__).with_name("pages").glob("*.py")):
        module = importlib.import_module(f"pages.{path.stem}")
        page = dash.page_registry.get(module.__name__)
        if page is not None and not page["supplied_layout"]:
            page["layout"] = module.layout


_import_pages()


def nav_pages() -> list[dict]:
    return [p for p in dash.page_registry.values()
            if p.get("label_key") and not p.get("path_template") and p["module"] != "pages.not_found_404"]


def navbar(lang: str, theme: str) -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(t(p["label_key"], lang), href=p["relative_path"], active="exact",
                                     id={"type": "nav-link", "path": p["relative_path"]}))
             for p in nav_pages()]
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand(t("app.title", lang), href="/"),
        html.Button(html.Span(className="navbar-toggler-icon"), id="nav-toggle", className="navbar-toggler",
                    n_clicks=0, **{"aria-label": t("nav.menu", lang), "aria-controls": "nav-collapse"}),
        dbc.Collapse(dbc.Nav(links, navbar=True, className="me-auto"), id="nav-collapse", navbar=True),
        html.Div([
            html.Button(t("nav.language", lang), id="lang-switch", className="btn btn-sm btn-outline-light",
                        title=t("nav.language_label", lang), n_clicks=0,
                        **{"data-lang": "en" if lang == "zh-CN" else "zh-CN",
                           "aria-label": t("nav.language_label", lang)}),
            html.Button("◐", id="theme-switch", className="btn btn-sm btn-outline-light", n_clicks=0,
                        title=t("nav.theme", lang),
                        **{"data-theme": "light" if theme == "dark" else "dark", "aria-label": t("nav.theme", lang)}),
        ], className="d-flex gap-2 ms-xl-2"),
    ], fluid=True), color="primary", dark=True, className="mb-2", expand="xl")


def layout():
    lang, theme = current_lang(), current_theme()
    try:
        bar = filter_bar()
        content = dash.page_container
    except WarehouseMissingError:
        bar = None
        content = dbc.Alert(t("warehouse.missing", lang, path=warehouse_path()), color="danger", className="m-3")
    return html.Div([
        html.A(t("nav.skip", lang), href="#main", className="visually-hidden-focusable"),
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Store(id="page-lang", data=lang),
        html.Div(id="client-sink", hidden=True),
        navbar(lang, theme),
        dbc.Container([bar, html.Main(content, id="main", tabIndex="-1", className="pt-2")], fluid=True),
    ], **{"data-bs-theme": theme}, className="app-root bg-body text-body")


app.layout = layout


@callback(Output("nav-collapse", "is_open"), Input("nav-toggle", "n_clicks"), State("nav-collapse", "is_open"),
          prevent_initial_call=True)
def toggle_nav(_clicks, is_open):
    return not is_open


@callback(Output({"type": "nav-link", "path": ALL}, "href"), Input("url", "search"),
          State({"type": "nav-link", "path": ALL}, "id"))
def carry_filters(search, ids):
    """Navbar links keep the global filters, so every page opens on the same slice."""
    from urllib.parse import parse_qsl, urlencode

    kept = urlencode([(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k in GLOBAL_KEYS], safe=",")
    return [i["path"] + (f"?{kept}" if kept else "") for i in ids]


# Language and theme live in cookies (read by the server when it renders), so switching
# sets the cookie and reloads: every string and figure is then drawn in the new choice.
clientside_callback(
    """
    function(langClicks, themeClicks, lang) {
        document.documentElement.lang = lang;
        const trig = window.dash_clientside.callback_context.triggered_id;
        const year = 60 * 60 * 24 * 365;
        if (trig === 'lang-switch') {
            const next = document.getElementById('lang-switch').dataset.lang;
            document.cookie = 'lang=' + next + ';path=/;max-age=' + year + ';samesite=lax';
            window.location.reload();
        } else if (trig === 'theme-switch') {
            const next = document.getElementById('theme-switch').dataset.theme;
            document.cookie = 'theme=' + next + ';path=/;max-age=' + year + ';samesite=lax';
            window.location.reload();
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output("client-sink", "children"),
    Input("lang-switch", "n_clicks"),
    Input("theme-switch", "n_clicks"),
    State("page-lang", "data"),
)


def main() -> None:
    if not warehouse_path().exists():
        from data.generate import main as generate

        generate(["--scale", "demo", "--out", str(warehouse_path())])
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=os.environ.get("DASH_DEBUG") == "1")


if __name__ == "__main__":
    main()
