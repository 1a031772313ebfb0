"""/subscriptions — the brief, or any page with its current filters, by mail weekly or
monthly in the reader's language (crm.subscriptions). A user subscribes themselves; an
admin may subscribe anyone. The list shows the viewer's subscriptions (an admin's: all)
with a cancel button each. The page to subscribe to comes from the URL key ``page`` (the
shell's "Subscribe" link passes the page being viewed) and the filters from the global
filter bar."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from components import inputs
from components.context import current_lang
from components.i18n import LANGS, t
from components.page import query_store
from crm import render, subscriptions, users
from crm.web import current_login, is_admin

# reached from every page's "Subscribe" button (with that page and its filters), not the navbar
dash.register_page(__name__, path="/subscriptions", order=95, label_key="page.subscriptions",
                   title="CRM Analytics", view_params=("page",), in_nav=False)


def page_options(lang: str) -> list[dict]:
    """The brief first, then every page of the navbar."""
    pages = [p for p in dash.page_registry.values()
             if p.get("label_key") and not p.get("path_template") and p["path"] not in ("/subscriptions", "/brief")]
    return [{"label": t("page.brief", lang), "value": subscriptions.BRIEF_PATH},
            *({"label": t(p["label_key"], lang), "value": p["path"]} for p in pages)]


def layout(**query):
    lang = current_lang()
    login, admin = current_login(), is_admin()
    wanted = inputs.text(query.get("page"))
    options = page_options(lang)
    chosen = wanted if wanted in {o["value"] for o in options} else subscriptions.BRIEF_PATH
    recipients = [{"label": f"{u.display_name} ({u.login})", "value": u.login} for u in users.all_users()
                  if not u.disabled] if admin else []
    return html.Div([
        query_store(query),
        html.H1(t("page.subscriptions", lang), className="h4"),
        html.P(t("subs.intro", lang), className="text-body-secondary"),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col([dbc.Label(t("subs.page", lang), html_for="subs-page"),
                         dbc.Select(id="subs-page", options=options, value=chosen)], md=4),
                dbc.Col([dbc.Label(t("subs.frequency", lang), html_for="subs-frequency"),
                         dbc.Select(id="subs-frequency", value="weekly",
                                    options=[{"label": t(f"subs.{f}", lang), "value": f}
                                             for f in subscriptions.FREQUENCIES])], md=2),
                dbc.Col([dbc.Label(t("subs.lang", lang), html_for="subs-lang"),
                         dbc.Select(id="subs-lang", value=lang,
                                    options=[{"label": t(f"subs.lang.{code}", lang), "value": code}
                                             for code in LANGS])], md=2),
                dbc.Col([dbc.Label(t("subs.recipient", lang), html_for="subs-recipient"),
                         dbc.Select(id="subs-recipient", options=recipients,
                                    value=login, disabled=not recipients)], md=4),
            ], className="g-2 mb-2"),
            html.P(id="subs-filters", className="small text-body-secondary mb-2"),
            dbc.Button(t("subs.subscribe", lang), id="subs-add", color="primary", n_clicks=0),
            html.Div(dbc.Alert(id="subs-result", is_open=False, className="mt-2 mb-0 py-2"), **{"aria-live": "polite"}),
        ]), className="mb-3"),
        html.H2(t("subs.list", lang), className="h5"),
        html.Div(id="subs-list"),
    ])


def _target(page: str | None, frequency: str | None, query: dict | None) -> str | None:
    """What a subscription to ``page`` sends: the brief for the frequency's period, or the
    page under the filters of ``query`` (checked like any URL)."""
    filters = inputs.filters(query, ("page",)).to_query()
    if page == subscriptions.BRIEF_PATH and frequency in subscriptions.FREQUENCIES:
        return subscriptions.brief_target(frequency, filters)
    return render.target_of(page, filters)


def listing(lang: str) -> html.Div:
    login, admin = current_login(), is_admin()
    subs = subscriptions.listing(None if admin else login)
    if not subs:
        return html.P(t("subs.none", lang), className="text-body-secondary")
    head = html.Thead(html.Tr([*(html.Th(t(k, lang)) for k in
                                 ("subs.recipient", "subs.page", "subs.frequency", "subs.lang", "subs.since")),
                               html.Th(html.Span(t("subs.cancel", lang), className="visually-hidden"))]))
    body = html.Tbody([html.Tr([
        html.Td(s.login), html.Td(html.A(s.target, href=s.target)), html.Td(t(f"subs.{s.frequency}", lang)),
        html.Td(t(f"subs.lang.{s.lang}", lang)), html.Td(s.created_at[:10]),
        html.Td(dbc.Button(t("subs.cancel", lang), id={"type": "subs-cancel", "sub": s.id}, size="sm",
                           color="outline-danger", n_clicks=0)),
    ]) for s in subs])
    return dbc.Table([head, body], striped=True, hover=True, responsive=True, size="sm")


@callback(Output("subs-filters", "children"), Output("subs-list", "children"), Input("page-query", "data"))
def update(query):
    """The filters a new subscription takes, and the subscriptions there are."""
    lang = current_lang()
    return t("subs.filters", lang, filters=inputs.filters(query, ("page",)).to_query() or "—"), listing(lang)


@callback(
    Output("subs-result", "children"),
    Output("subs-result", "color"),
    Output("subs-result", "is_open"),
    Output("subs-list", "children", allow_duplicate=True),
    Input("subs-add", "n_clicks"),
    Input({"type": "subs-cancel", "sub": ALL}, "n_clicks"),
    State("subs-page", "value"),
    State("subs-frequency", "value"),
    State("subs-lang", "value"),
    State("subs-recipient", "value"),
    State("page-query", "data"),
    prevent_initial_call=True,
)
def act(_add, cancels, page, frequency, lang_choice, recipient, query):
    """Subscribe (a viewer: themselves; an admin: anyone) or cancel one."""
    lang = current_lang()
    login, admin = current_login(), is_admin()
    if login is None:
        return no_update, no_update, no_update, no_update
    page, recipient = inputs.text(page), inputs.text(recipient)
    frequency = inputs.choice(frequency, subscriptions.FREQUENCIES, "weekly")
    lang_choice = inputs.choice(lang_choice, LANGS, lang)
    trigger = ctx.triggered_id
    if trigger == "subs-add" and inputs.clicked(_add):
        target = _target(page, frequency, query)
        who = recipient if admin and recipient else login
        try:
            if target is None:
                raise subscriptions.SubscriptionError(t("subs.bad_page", lang))
            subscriptions.subscribe(who, target, frequency, lang_choice, by=login)
            return t("subs.added", lang, target=target, login=who), "success", True, listing(lang)
        except subscriptions.SubscriptionError as error:
            return t("subs.refused", lang, reason=str(error)), "danger", True, no_update
    if (isinstance(trigger, dict) and isinstance(trigger.get("sub"), int) and inputs.clicked(cancels)
            and subscriptions.cancel(trigger["sub"], login, admin=admin)):
        return t("subs.cancelled", lang), "success", True, listing(lang)
    return no_update, no_update, no_update, no_update
