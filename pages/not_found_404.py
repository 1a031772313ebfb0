"""The helpful 404: what was asked for, and the way back."""

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from components import inputs
from components.context import current_lang
from components.i18n import t

dash.register_page(__name__, path="/404")


def layout(**_query):
    lang = current_lang()
    return html.Div([
        html.H1(t("page.not_found", lang), className="h3"),
        html.P(id="nf-body"),
        dbc.Button(t("not_found.home", lang), href="/", color="primary"),
    ], className="py-4")


@callback(Output("nf-body", "children"), Input("url", "pathname"))
def explain(pathname):
    return t("not_found.body", current_lang(), path=inputs.shown(inputs.text(pathname, inputs.MAX_QUERY) or ""))
