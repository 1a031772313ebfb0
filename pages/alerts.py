"""/alerts — early warnings (预警, 先知): the small, measurable drifts a boss should see before
they become big changes, grouped by kind (revenue off course, key customers slipping,
deals at risk, stock, collection, effort), most severe, newest and largest first. Each
says its figure against the band or limit it crossed, since when, shows its recent trend,
names the owner and links to the page and filter that explain it. The rules and the
thresholds in force (settings CRM_ALERT_*, queries/alert_settings.py) are stated on the
page. Warnings are judged as of the warehouse's as_of; the global filters (team, rep,
region, category, customer type and source) and the viewer's scope apply through the
f_* relations. The URL key ``method`` picks the costing method that values stock."""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from components import format as fmt
from components.context import current_lang
from components.i18n import t
from components.output_cache import cached_output
from components.page import filters_and_periods, query_store, view_value
from pages.products import method_label
from queries import run
from queries.alert_settings import alert_params

VIEW_KEYS = ("method",)
dash.register_page(__name__, path="/alerts", order=5, label_key="page.alerts", view_params=VIEW_KEYS)

KINDS = ("revenue_course", "customers_slipping", "deals_at_risk", "stock", "collection", "effort")
METHODS = ("fifo", "moving_average", "monthly_average")
MONEY = {"contract_amount", "recent_target", "payments", "spend_90", "unit_cost", "overdue"}
MAX_PER_KIND = 50
BLOCKS = "▁▂▃▄▅▆▇█"
SEVERITY_COLOR = {3: "danger", 2: "warning", 1: "success"}


# --- pure pieces -----------------------------------------------------------------------

def spark_text(values) -> str:
    """A sparkline in block characters, lowest value ▁, highest █ (all equal: ▄)."""
    vals = [float(v) for v in (values if values is not None else []) if not fmt._undefined(v)]
    if not vals:
        return ""
    low, high = min(vals), max(vals)
    if high == low:
        return BLOCKS[3] * len(vals)
    return "".join(BLOCKS[min(len(BLOCKS) - 1, int((v - low) / (high - low) * len(BLOCKS)))] for v in vals)


def _whole(value) -> str:
    return fmt.DASH if fmt._undefined(value) else f"{round(float(value)):,}"


def _amount(value, measure: str, lang: str) -> str:
    return fmt.money(value, lang) if measure in MONEY else fmt.number(_round(value), lang)


def _round(value):
    return value if fmt._undefined(value) else round(float(value), 1)


def subject_label(row: dict, lang: str) -> str:
    if row["subject_type"] == "company":
        return t("alerts.company", lang)
    if row["subject_type"] == "opportunity":
        return f"{row['subject_name']} · {row['subject_id']}"
    return str(row["subject_name"] or row["subject_id"])


def _cell(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def warning_sentence(row: dict, lang: str, settings: dict | None = None) -> str:
    """One plain sentence for a row of the ``alerts`` query."""
    settings = settings or alert_params()
    rule, measure = row["rule"], row["measure"]
    values = {
        "subject": subject_label(row, lang), "figure": _amount(row["figure"], measure, lang),
        "expected": _amount(row["expected"], measure, lang), "low": _amount(row["expected_low"], measure, lang),
        "high": _amount(row["expected_high"], measure, lang), "impact": fmt.money(row["impact"], lang),
        "since": fmt.day(_cell(row["since"])), "measure": measure,
    }
    if rule.startswith("course_"):
        month = _cell(row.get("period_start"))
        values.update(
            measure=t(f"measure.{measure}", lang), gap=_amount(row["gap"], measure, lang),
            period=t("alerts.month_to_date", lang) if row.get("month_to_date") else
            (month.strftime("%Y-%m") if month is not None else ""))
    elif rule in ("customer_gap", "deal_stale", "deal_overdue", "stock_short", "stock_over",
                  "followups_drop", "pool_returns"):
        # days and counts read whole, except a shortage's few days of cover (2.4 days)
        figure = fmt.number(_round(row["figure"]), lang) if rule == "stock_short" else _whole(row["figure"])
        values.update(figure=figure, expected=_whole(row["expected"]), low=_whole(row["expected_low"]),
                      high=_whole(row["expected_high"]))
        if rule == "stock_over" and fmt._undefined(row["figure"]):
            rule = "stock_idle"
        elif rule == "stock_short" and row["figure"] <= 0:
            rule = "stock_out"
    elif rule == "customer_drop":
        values.update(figure=fmt.money(row["figure"], lang), expected=fmt.money(row["expected"], lang))
    elif rule == "deal_marked_down":
        values.update(figure=_whole(row["figure"]), expected=_whole(row["expected"]))
    elif rule == "coverage_low":
        values.update(coverage=fmt.percent(settings["alert_coverage"]))
        if measure == "recent_target":  # no target for the month yet: the last three months' average
            rule = "coverage_low_recent"
    elif rule == "cost_jump":
        change = (row["figure"] - row["expected"]) / row["expected"] if row["expected"] else None
        values.update(change=fmt.percent(change, signed=True))
    elif rule == "aged_share_rising":
        values.update(figure=fmt.percent(row["figure"]), expected=fmt.percent(row["expected"]))
    if row["kind"] == "customers_slipping":
        values.update(follow_up=fmt.day(_cell(row.get("last_follow_up"))))
    return t(f"alerts.say.{rule}", lang, **values)


def rule_texts(settings: dict, lang: str) -> dict[str, str]:
    """Each kind's rule in plain words, with the thresholds in force."""
    pct = fmt.percent
    return {
        "revenue_course": t("alerts.rule.revenue_course", lang, k=settings["alert_band_k"],
                            mtd=settings["alert_mtd_min_days"]),
        "customers_slipping": t("alerts.rule.customers_slipping", lang, share=pct(settings["alert_top_share"]),
                                gap=settings["alert_gap_factor"], min_days=settings["alert_gap_min_days"],
                                drop=pct(settings["alert_spend_drop"]),
                                min_share=pct(settings["alert_min_share"])),
        "deals_at_risk": t("alerts.rule.deals_at_risk", lang, share=pct(settings["alert_deal_top_share"]),
                           stale=settings["alert_stale_factor"], stale_min=settings["alert_stale_min_days"],
                           overdue=settings["alert_overdue_days"], cut=settings["alert_probability_cut"],
                           coverage=pct(settings["alert_coverage"]), mtd=settings["alert_mtd_min_days"]),
        "stock": t("alerts.rule.stock", lang, window=settings["alert_sales_window"],
                   short=settings["alert_short_days"], over=settings["alert_over_days"],
                   min_value=fmt.money(settings["alert_over_min_value"], lang),
                   method=method_label(settings["alert_costing_method"], lang),
                   cut=round(settings["alert_margin_cut"] * 100, 1), regular=settings["alert_regular_days"]),
        "collection": t("alerts.rule.collection", lang, growth=pct(settings["alert_overdue_growth"]),
                        min=fmt.money(settings["alert_overdue_min"], lang),
                        rise=round(settings["alert_aged_share_rise"] * 100, 1),
                        min_share=pct(settings["alert_min_share"])),
        "effort": t("alerts.rule.effort", lang, drop=pct(settings["alert_effort_drop"]),
                    k=settings["alert_band_k"], bulk=settings["alert_pool_bulk"]),
    }


def warning_item(row: dict, lang: str, settings: dict) -> dbc.ListGroupItem:
    severity = int(row["severity"])
    meta = [dbc.Badge(t(f"severity.{severity}", lang), color=SEVERITY_COLOR[severity], className="me-2")]
    if _cell(row["rep_name"]) and row["subject_type"] != "rep":
        meta.append(html.Span(t("alerts.owner", lang, name=row["rep_name"]), className="me-3"))
    if _cell(row["since"]) is not None:
        meta.append(html.Span(t("alerts.since", lang, date=fmt.day(row["since"])), className="me-3"))
    spark = spark_text(row["sparkline"])
    if spark:
        meta.append(html.Span(spark, className="alerts-spark me-3", title=t("alerts.trend", lang),
                              **{"aria-label": t("alerts.trend", lang)}))
    return dbc.ListGroupItem([
        html.Div(warning_sentence(row, lang, settings)),
        html.Div([*meta, dcc.Link(t("alerts.open", lang) + " →", href=row["link"])],
                 className="small text-body-secondary d-flex flex-wrap align-items-center mt-1"),
    ], className="alerts-item")


def kind_section(kind: str, shown: list[dict], total: int, rule: str, lang: str, settings: dict) -> html.Section:
    """A kind's card: the warnings ``shown`` (its first MAX_PER_KIND) and how many more of its
    ``total`` there are."""
    title = t(f"alerts.kind.{kind}", lang)
    body = [dbc.ListGroup([warning_item(r, lang, settings) for r in shown], flush=True)] if shown else [
        html.P(t("alerts.kind_empty", lang, rule=rule), className="text-body-secondary m-0 p-3")]
    if total > len(shown):
        body.append(html.P(t("alerts.more", lang, n=total - len(shown)), className="small p-3 m-0"))
    return html.Section(dbc.Card([
        dbc.CardHeader(html.Div([html.H2(title, className="h6 m-0"), dbc.Badge(str(total), color="secondary")],
                                className="d-flex justify-content-between align-items-center")),
        html.Div(body),
    ], className="h-100"), id=f"alerts-kind-{kind}", className="mb-3", **{"aria-label": title})


def alerts_children(frame: pd.DataFrame, lang: str, settings: dict) -> list:
    """The summary line and one section per kind (every kind, empty ones saying what was checked)."""
    rules = rule_texts(settings, lang)
    counts = frame["severity"].value_counts().to_dict()
    summary = (t("alerts.summary", lang, n=len(frame), high=counts.get(3, 0), medium=counts.get(2, 0),
                 low=counts.get(1, 0)) if len(frame) else t("alerts.none", lang))
    # only the warnings shown are read row by row (xl had thousands)
    shown = frame[frame.groupby("kind", sort=False).cumcount() < MAX_PER_KIND].to_dict("records")
    totals = frame["kind"].value_counts().to_dict()
    sections = [kind_section(kind, [r for r in shown if r["kind"] == kind], totals.get(kind, 0), rules[kind], lang,
                             settings) for kind in KINDS]
    return [html.P(summary, className="fw-semibold", id="alerts-summary"), *sections]


def rules_children(settings: dict, lang: str) -> list:
    rules = rule_texts(settings, lang)
    return [html.Dl([item for kind in KINDS
                     for item in (html.Dt(t(f"alerts.kind.{kind}", lang)), html.Dd(rules[kind]))], className="mb-2"),
            html.P(t("alerts.settings_note", lang), className="small text-body-secondary m-0")]


def top_warnings(frame: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` most severe warnings, spread over the kinds: severity first, then each kind's
    first before any kind's second (in the query's order: kind, newest, largest)."""
    place = frame.groupby("kind", sort=False).cumcount()
    order = frame.assign(_place=place).sort_values(["severity", "_place"], ascending=[False, True], kind="stable")
    return order.drop(columns="_place").head(n)


def what_changed(frame: pd.DataFrame, lang: str, settings: dict, search: str = "") -> list:
    """The overview's "what changed" block: the most severe warnings, one sentence each,
    and a link to /alerts (with the viewer's filters)."""
    top = top_warnings(frame).to_dict("records")
    if not top:
        return [html.P(t("overview.changes.none", lang), className="m-0 text-body-secondary")]
    return [
        html.Ul([html.Li([dbc.Badge(t(f"severity.{int(r['severity'])}", lang),
                                    color=SEVERITY_COLOR[int(r["severity"])], className="me-2"),
                          warning_sentence(r, lang, settings)]) for r in top], className="list-unstyled mb-2"),
        dcc.Link(t("overview.changes.all", lang, n=len(frame)) + " →", href="/alerts" + search),
    ]


def page_settings(query: dict | None) -> dict:
    """The thresholds in force, with the view's costing method (URL key ``method``)."""
    settings = alert_params()
    settings["alert_costing_method"] = view_value(query, "method", METHODS, settings["alert_costing_method"])
    return settings


# --- layout and callback -----------------------------------------------------------------

def layout(**query):
    lang = current_lang()
    return html.Div([
        query_store(query),
        html.H1(t("page.alerts", lang), className="visually-hidden"),
        html.P(id="alerts-intro", className="text-body-secondary"),
        dcc.Loading(html.Div(id="alerts-list", children=html.P(t("common.loading", lang))),
                    type="circle", delay_show=150),
        html.Section(dbc.Card([
            dbc.CardHeader(html.H2(t("alerts.rules", lang), className="h6 m-0")),
            dbc.CardBody(id="alerts-rules"),
        ]), className="mb-3", **{"aria-label": t("alerts.rules", lang)}),
    ])


@callback(
    Output("alerts-intro", "children"),
    Output("alerts-list", "children"),
    Output("alerts-rules", "children"),
    Input("page-query", "data"),
)
@cached_output
def update(query):
    lang = current_lang()
    filters, periods = filters_and_periods(query, VIEW_KEYS)
    settings = page_settings(query)
    frame = run("alerts", filters, alert_costing_method=settings["alert_costing_method"])
    return (t("alerts.intro", lang, date=fmt.day(periods["as_of"])),
            alerts_children(frame, lang, settings), rules_children(settings, lang))
