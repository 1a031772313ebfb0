"""StatBadges: a row of small labelled figures (counts, amounts, rates) for the top of a
page, where a full KpiCard with 环比/同比 would say more than the number means."""

from __future__ import annotations

from dash import html


def stat_badges(items: list[tuple[str, str, str | None]]) -> list:
    """Children for a badge row: one (label, value, note or None) each; ``value`` is
    already formatted (format.money, format.percent, ...)."""
    return [
        html.Div([
            html.Div(label, className="small text-body-secondary"),
            html.Div(value, className="fs-5 fw-semibold stat-value"),
            html.Div(note, className="small text-body-secondary") if note else None,
        ], className="stat-badge border rounded px-3 py-2 bg-body-tertiary", role="group",
            **{"aria-label": f"{label}: {value}"})
        for label, value, note in items
    ]


def StatRow(row_id: str, label: str) -> html.Section:  # noqa: N802
    """An empty badge row, filled with ``stat_badges`` by a page callback."""
    return html.Section(html.Div(id=row_id, className="d-flex flex-wrap gap-2"),
                        className="mb-3", **{"aria-label": label, "aria-live": "polite"})
