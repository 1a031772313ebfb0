"""View controls shared by the pages: a labelled group of toggle buttons for a page's
own URL keys (measure, bucket, method, ...). A fieldset with a legend, so screen readers
announce the group; the buttons are radio inputs, so the keyboard moves between them."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def ViewToggle(control_id: str, label: str, options: list[dict], value: str) -> html.Fieldset:  # noqa: N802
    return html.Fieldset([
        html.Legend(label, className="small text-body-secondary mb-0 me-2 float-none w-auto"),
        dbc.RadioItems(id=control_id, options=options, value=value, inline=True, input_class_name="btn-check",
                       label_class_name="btn btn-sm btn-outline-primary", label_checked_class_name="active",
                       class_name="btn-group flex-wrap"),
    ], className="d-flex align-items-center flex-wrap gap-1 me-3 mb-2")
