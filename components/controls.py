"""View controls shared by the pages: a labelled group of toggle buttons for a page's
own URL keys (measure, bucket, method, ...). A fieldset with a legend, so screen readers
announce the group; the buttons are radio inputs, so the keyboard moves between them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import t

DROPDOWN_LABELS = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection",
                   "no_options_found")


def dropdown_labels(lang: str) -> dict[str, str]:
    """dcc.Dropdown's own texts (select all, search, ...) in the page's language."""
    return {key: t(f"dropdown.{key}", lang) for key in DROPDOWN_LABELS}


def DrillSelect(control_id: str, label: str, options: list[dict], value, lang: str) -> html.Div:  # noqa: N802
    """The keyboard's way into a chart's click drill (a funnel stage, an RFM cell, a treemap
    tile): a labelled dropdown of the same choices, beside the chart."""
    return html.Div([
        dbc.Label(label, html_for=control_id, className="small text-body-secondary mb-1"),
        dcc.Dropdown(id=control_id, options=options, value=value, clearable=True, placeholder=label,
                     labels=dropdown_labels(lang), className="drill-select"),
    ], className="mt-2")


def ViewToggle(control_id: str, label: str, options: list[dict], value: str) -> html.Fieldset:  # noqa: N802
    return html.Fieldset([
        html.Legend(label, className="small text-body-secondary mb-0 me-2 float-none w-auto"),
        dbc.RadioItems(id=control_id, options=options, value=value, inline=True, input_class_name="btn-check",
                       label_class_name="btn btn-sm btn-outline-primary", label_checked_class_name="active",
                       class_name="btn-group flex-wrap"),
    ], className="d-flex align-items-center flex-wrap gap-1 me-3 mb-2")
