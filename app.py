"""CRM Analytics: the Dash app shell (navbar, global filter bar, language and theme).

``python app.py`` serves the warehouse at $CRM_WAREHOUSE (default
data/warehouse.duckdb), building the demo company first if there is none;
``gunicorn app:server`` serves it in production. HOST and PORT default to
127.0.0.1:8050.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from flask_login import current_user

import components.cards
import components.grid  # noqa: F401  (registers the grid search callback)
import crm.users
import crm.web
import queries
from components import inputs
from components.context import current_lang, current_theme
from components.figures import money_ticks
from components.filterbar import filter_bar
from components.i18n import LANGS, t
from components.page import warehouse_problem
from crm import render
from data import contract
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
crm.web.init_app(server)  # sign-in in front of every route; the viewer's scope for the gateway
inputs.install(app)  # then the body cap and the callback envelope check
render.register(server)  # /export/pdf


def page_title(label_key: str | None):
    """A page's browser title in the viewer's language (Dash calls it when it renders the page)."""
    def title(**_path):
        lang = current_lang()
        return " · ".join([t(label_key, lang), t("app.title", lang)] if label_key else [t("app.title", lang)])
    return title


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
for _page in dash.page_registry.values():
    _page["title"] = page_title(_page.get("label_key"))


def nav_pages() -> list[dict]:
    return [p for p in dash.page_registry.values() if p.get("label_key") and not p.get("path_template")
            and p.get("in_nav", True) and p["module"] != "pages.not_found_404"]


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
            # named by its visible text, in the language it names (a screen reader says "English" in
            # English); the title explains it
            html.Button(t("nav.language", lang), id="lang-switch", className="btn btn-sm btn-outline-light",
                        title=t("nav.language_label", lang), n_clicks=0, lang="en" if lang == "zh-CN" else "zh-CN",
                        **{"data-lang": "en" if lang == "zh-CN" else "zh-CN"}),
            html.Button("◐", id="theme-switch", className="btn btn-sm btn-outline-light", n_clicks=0,
                        title=t("nav.theme", lang),
                        **{"data-theme": "light" if theme == "dark" else "dark", "aria-label": t("nav.theme", lang)}),
            *user_menu(lang),
        ], className="d-flex gap-2 ms-xl-2"),
    ], fluid=True), color="primary", dark=True, className="mb-2", expand="xl")


def user_menu(lang: str) -> list:
    """Who is signed in, the admin page (administrators only) and sign-out: plain links,
    served by Flask (crm.web), not by Dash's router."""
    user = current_user
    if not getattr(user, "is_authenticated", False):
        return []
    button = "btn btn-sm btn-outline-light text-nowrap"
    admin = [html.A(t("nav.admin", lang), href="/admin", id="nav-admin", className=button)]
    return [  # the name only where the navbar has room for it (it stays in the sign-out button's title)
        html.Span(user.display_name, id="nav-user", title=t("nav.user", lang, name=user.display_name),
                  className="navbar-text small text-nowrap d-none d-xxl-inline"),
        *(admin if user.is_admin else []),
        html.A(t("nav.logout", lang), href="/logout", id="nav-logout", className=button,
               title=t("nav.user", lang, name=user.display_name)),
    ]


def layout():
    lang, theme = current_lang(), current_theme()
    try:
        bar = filter_bar()
        content = dash.page_container
    except WarehouseMissingError as e:
        bar = None
        content = dbc.Alert(warehouse_problem(e, lang), color="danger", className="m-3")
    return html.Div([
        html.A(t("nav.skip", lang), href="#main", className="visually-hidden-focusable"),
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Store(id="page-lang", data=lang),
        html.Div(id="client-sink", hidden=True),
        navbar(lang, theme),
        dbc.Container([bar, html.Main(content, id="main", tabIndex="-1", className="pt-2")], fluid=True),
    ], **{"data-bs-theme": theme}, className="app-root bg-body text-body")


app.layout = layout


@server.errorhandler(WarehouseMissingError)
def warehouse_unavailable(error):
    """A callback that finds no readable warehouse answers 503 with the page's message
    (the shell shows it on the next render); the app recovers when a good file returns."""
    server.logger.warning("%s", error)
    return {"message": warehouse_problem(error, current_lang())}, 503


@callback(Output("nav-collapse", "is_open"), Input("nav-toggle", "n_clicks"), Input("url", "pathname"),
          State("nav-collapse", "is_open"), prevent_initial_call=True)
def toggle_nav(_clicks, _pathname, is_open):
    """The menu button opens and closes the menu; choosing a page closes it (on a phone it
    would otherwise stay open over the page)."""
    return not is_open if ctx.triggered_id == "nav-toggle" else False


@callback(Output({"type": "nav-link", "path": ALL}, "href"), Input("url", "search"),
          State({"type": "nav-link", "path": ALL}, "id"))
def carry_filters(search, ids):
    """Navbar links keep the global filters, so every page opens on the same slice: the
    bounded query's global keys, never the raw text the client sent."""
    kept = inputs.query(search).search(GLOBAL_KEYS)
    paths = [inputs.text(i.get("path")) if isinstance(i, dict) else None for i in ids or ()]
    return [(path if path and path.startswith("/") else "/") + kept for path in paths]


# The PDF and subscribe links follow the page being viewed (in the browser: nothing the
# client sent comes back from the server; /export/pdf and /subscriptions check it).
clientside_callback(
    """
    function(pathname, search) {
        const query = (search || '').replace(/^\\?/, '');
        const pdf = '/export/pdf?path=' + encodeURIComponent(pathname || '/')
                    + '&query=' + encodeURIComponent(query);
        const subscribe = '/subscriptions?page=' + encodeURIComponent(pathname || '/') + (query ? '&' + query : '');
        return [pdf, subscribe];
    }
    """,
    Output("pdf-link", "href"),
    Output("subscribe-link", "href"),
    Input("url", "pathname"),
    Input("url", "search"),
)

# Language and theme live in cookies (read by the server when it renders), so switching
# sets the cookie and reloads: every string and figure is then drawn in the new choice.
clientside_callback(
    """
    function(langClicks, themeClicks, lang) {
        document.documentElement.lang = lang;
        const trig = window.dash_clientside.callback_context.triggered_id;
        const year = 60 * 60 * 24 * 365;
        if (trig === 'lang-switch' || trig === 'theme-switch') {
            sessionStorage.setItem('crm-focus', trig);  // assets/a11y.js puts the focus back after the reload
        }
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


def warm_up() -> None:
    """A serving worker's one-off costs, paid as it starts (gunicorn.conf.py, main) and not by
    its first visitors: every query composed and parsed, each language's number formats loaded
    (Babel), the import contract read from the schema (/data); the first render of a page spent
    40-100 ms of its Python on them. Not at import: the command line and tests import the app."""
    queries.prepare_all()
    for lang in LANGS:
        money_ticks([0, 1e9], lang)
    contract.columns()


# What the import made (modules, pages, layouts' templates, the messages: 155,000 objects)
# lives as long as the worker: kept out of the collector's full passes, which walked them all
# (70 ms, now and then in the middle of a page render: issue #17); the objects made while
# serving are collected as before. Unfrozen at exit, so that they are freed at shutdown as
# before (DuckDB's bindings report what is still alive then as leaked).
gc.freeze()
atexit.register(gc.unfreeze)


def main() -> None:
    if not warehouse_path().exists():
        from data.generate import main as generate

        generate(["--scale", "demo", "--out", str(warehouse_path())])
    created = crm.web.create_demo_accounts()
    if created:
        print(f"demo accounts (password {crm.web.DEMO_PASSWORD}): {', '.join(created)}")
    elif not crm.users.all_users():
        print(f"no users yet: create the first administrator with `{crm.web.FIRST_ADMIN}`")
    warm_up()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=os.environ.get("DASH_DEBUG") == "1")


if __name__ == "__main__":
    main()
