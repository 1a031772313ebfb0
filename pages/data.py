"""/data — what the dashboards are built from, and how to load your own CRM data.

The build: its source, when it was built, its as-of date and rows per table; the data
rules it passed (a warehouse is published only when every rule passes, so the list is
read from data/contract.py, never re-run); how much counted revenue the costing could
not cost. Then the import format (from data/contract.py), a template folder as a ZIP and
the command lines that load a folder. The page describes the whole warehouse: the
global filters do not apply to it.
"""

from __future__ import annotations

import io
import re
import shlex
import tempfile
import zipfile
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from components import format as fmt
from components.context import current_lang
from components.grid import GridCard, grid_outputs, grid_payload
from components.i18n import t
from components.output_cache import cached_output
from components.page import query_store
from crm.web import is_admin
from data import contract, rules
from data.build import warehouse_path
from data.load import write_template
from queries import build_info, run
from queries.filters import Filters

dash.register_page(__name__, path="/data", order=90, label_key="page.data", title="CRM Analytics · Data")

TEMPLATE_FOLDER = "crm_import_template"
RULE_GROUPS = ("required", "allowed", "key", "reference", "cross_row")
WHOLE_WAREHOUSE = Filters()  # the page describes the build: no filter, all dates


def layout(**query):
    lang = current_lang()
    return html.Div([
        query_store(query),
        html.H1(t("page.data", lang), className="h4 mt-2"),
        html.P(t("data.intro", lang), className="text-body-secondary mb-1"),
        html.P(t("data.whole_warehouse", lang), className="small text-body-secondary"),
        dbc.Row([
            dbc.Col(_card("data.build", html.Div(id="data-build")), lg=6, className="mb-3"),
            dbc.Col(_card("data.costing", html.Div(id="data-costing")), lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(GridCard("data-costing-products", t("data.costing_products", lang), height=240,
                                  page_size=10), className="mb-3")]),
        dbc.Row([
            dbc.Col(GridCard("data-rows", t("data.rows", lang), height=480), lg=5, className="mb-3"),
            dbc.Col(_card("data.rules", html.Div(id="data-rules")), lg=7, className="mb-3"),
        ]),
        html.H2(t("data.import", lang), className="h5 mt-2", id="data-import"),
        dbc.Row([dbc.Col(_card("data.load", load_instructions(lang)), className="mb-3")]),
        dbc.Row([dbc.Col(GridCard("data-format", t("data.format", lang), height=520, page_size=25),
                         className="mb-3")]),
    ])


def _card(title_key: str, body) -> html.Section:
    title = t(title_key, current_lang())
    return html.Section(dbc.Card([
        dbc.CardHeader(html.H2(title, className="h6 m-0")),
        dbc.CardBody(dcc.Loading(body, type="circle", delay_show=150)),
    ], className="h-100"), **{"aria-label": title}, className="h-100")


# --- loading a folder ------------------------------------------------------------------------


def load_commands(lang: str, warehouse: Path | None = None) -> list[str]:
    """The command lines that load a folder into the warehouse this app reads."""
    out = shlex.quote(str((warehouse or warehouse_path()).resolve()))
    folder = t("data.folder_placeholder", lang)
    return [f"python -m data.load {folder} --out {out}", f"make load DIR={folder} WAREHOUSE={out}"]


def load_instructions(lang: str) -> html.Div:
    """How to load a folder; the command lines name the server's warehouse file, so only
    administrators see them."""
    commands = [] if is_admin() else [html.P(t("data.paths_admin_only", lang), className="small text-body-secondary",
                                             id="data-paths-hidden")]
    for i, line in enumerate(load_commands(lang) if is_admin() else ()):
        commands.append(html.Div([
            html.Pre(html.Code(line), id=f"data-command-{i}", className="mb-0 flex-grow-1 data-command"),
            dcc.Clipboard(target_id=f"data-command-{i}", title=t("data.copy", lang), className="data-copy"),
        ], className="d-flex align-items-center gap-2 mb-2"))
    return html.Div([
        html.P(t("data.load_intro", lang)),
        html.Ol([html.Li(t(f"data.load_step{n}", lang)) for n in (1, 2, 3)], className="mb-2"),
        *commands,
        html.P(t("data.load_after", lang), className="small text-body-secondary"),
        html.Div([
            dbc.Button(t("data.template_button", lang), id="data-template", color="primary", size="sm",
                       n_clicks=0),
            html.Span(t("data.template_hint", lang), className="small text-body-secondary"),
            html.Code(f"python -m data.load --template {t('data.folder_placeholder', lang)}", className="small"),
        ], className="d-flex flex-wrap align-items-center gap-2"),
        dcc.Download(id="data-template-download"),
    ])


def template_zip() -> bytes:
    """The import template folder (every table's header row and a commented mapping.toml) as a ZIP."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="crm-template-") as tmp, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in write_template(Path(tmp) / TEMPLATE_FOLDER):
            archive.write(path, f"{TEMPLATE_FOLDER}/{path.name}")
    return buffer.getvalue()


@callback(Output("data-template-download", "data"), Input("data-template", "n_clicks"),
          prevent_initial_call=True)
def download_template(clicks):
    if not clicks:
        return dash.no_update
    return dcc.send_bytes(template_zip(), f"{TEMPLATE_FOLDER}.zip")


# --- the build -------------------------------------------------------------------------------


def source_label(source: str, lang: str) -> str:
    """``demo:<scale>:<seed>`` as the demo company, else the import folder's name."""
    parts = source.split(":")
    if len(parts) == 3 and parts[0] == "demo":
        return t("data.source_demo", lang, scale=parts[1], seed=parts[2])
    return t("data.source_folder", lang, name=source)


def _timestamp(value) -> str:
    return fmt.DASH if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")


def _facts(pairs: list[tuple[str, object]]) -> html.Dl:
    items = []
    for label, value in pairs:
        items += [html.Dt(label, className="col-sm-5 fw-normal text-body-secondary"),
                  html.Dd(value, className="col-sm-7 mb-1")]
    return html.Dl(items, className="row mb-0")


def build_summary(info: dict, lang: str) -> html.Dl:
    counts = info.get("row_counts") or {}
    return _facts([
        (t("data.source", lang), source_label(info["source"], lang)),
        (t("data.built_at", lang), _timestamp(info.get("built_at"))),
        (t("data.as_of", lang), fmt.day(pd.Timestamp(info["as_of"]).date()) if info.get("as_of") is not None
         and not pd.isna(info["as_of"]) else fmt.DASH),
        (t("data.contracts", lang), fmt.number(counts.get("contracts"), lang)),
        (t("data.contract_items", lang), fmt.number(counts.get("contract_items"), lang)),
        *([(t("data.file", lang), html.Code(str(warehouse_path().resolve())))] if is_admin() else []),
    ])


def costing_summary(row: dict, lang: str) -> html.Div:
    """The uncosted revenue and the shortfall lines, each with what to do about it."""
    uncosted = row["uncosted_lines"] > 0
    shortfall = row["shortfall_lines"] > 0
    return html.Div([
        _facts([
            (t("data.uncosted_revenue", lang), html.Span([
                html.Span(fmt.money(row["uncosted_revenue"], lang), className="fs-5 fw-semibold me-2"),
                t("data.of_counted", lang, share=fmt.percent(row["uncosted_share"]),
                  total=fmt.money(row["counted_revenue"], lang)),
            ])),
            (t("data.uncosted_lines", lang), t("data.lines_of", lang, lines=fmt.number(row["uncosted_lines"], lang),
                                               total=fmt.number(row["counted_lines"], lang))),
            (t("data.shortfall_lines", lang), t("data.shortfall_detail", lang,
                                                lines=fmt.number(row["shortfall_lines"], lang),
                                                units=fmt.number(row["shortfall_quantity"], lang))),
        ]),
        html.P(t("data.uncosted_note" if uncosted else "data.all_costed", lang,
                 products=fmt.number(row["uncosted_products"], lang)),
               className=f"small mt-2 mb-1 {'text-warning-emphasis' if uncosted else 'text-success'}"),
        html.P(t("data.shortfall_note" if shortfall else "data.no_shortfall", lang),
               className="small mb-0 text-body-secondary"),
    ])


def rows_frame(counts: dict, lang: str) -> pd.DataFrame:
    """Rows per table: contract tables in load order, then the derived tables."""
    tables = [*rules.TABLES, *(d for d in rules.DERIVED_TABLES if d in counts)]
    kinds = ["required" if tb in rules.REQUIRED_TABLES else "derived" if tb in rules.DERIVED_TABLES else "optional"
             for tb in tables]
    return pd.DataFrame({
        "table": tables,
        "kind": [t(f"data.table_{k}", lang) for k in kinds],
        "rows": [int(counts.get(tb, 0)) for tb in tables],
    })


def _group(rule: contract.Rule) -> str:
    return rule.kind if rule.kind in RULE_GROUPS else "cross_row"


def _rule_text(rule: contract.Rule, lang: str) -> str | list:
    if rule.kind == "required":
        return _with_code("data.rule_required", lang, columns=rule.column)
    if rule.kind == "allowed":
        return _with_code("data.rule_allowed", lang, column=rule.column, detail=rule.detail)
    if rule.kind == "key":
        return _with_code("data.rule_key", lang, columns=rule.column)
    if rule.kind == "reference":
        return _with_code("data.rule_reference", lang, column=rule.column, detail=rule.detail)
    return t(f"data.{rule.kind}", lang)


def _with_code(key: str, lang: str, **values) -> list:
    """The message with its values (column names, conditions: the file's own words, the same in
    every language) set as code."""
    parts = t(key, lang, **{name: f"\0{name}\0" for name in values}).split("\0")
    return [html.Code(values[part]) if i % 2 else part for i, part in enumerate(parts) if part]


def rules_panel(rule_list: list[contract.Rule], built_at, lang: str) -> html.Div:
    """Every rule the build checked, grouped by kind, each marked passed."""
    passed = dbc.Badge(t("data.passed", lang), color="success", className="ms-2")
    items = []
    for group in RULE_GROUPS:
        members = [r for r in rule_list if _group(r) == group]
        body = dbc.Table([html.Tbody([html.Tr([
            html.Td(html.Code(r.table)),
            html.Td(_rule_text(r, lang)),
            html.Td(dbc.Badge(t("data.passed", lang), color="success"), className="text-end"),
        ]) for r in members])], size="sm", borderless=True, className="mb-0")
        title = html.Span([t(f"data.group_{group}", lang, count=len(members)), passed])
        items.append(dbc.AccordionItem(body, title=title, item_id=group))
    return html.Div([
        html.P(t("data.rules_summary", lang, count=len(rule_list), built_at=_timestamp(built_at)), className="small"),
        dbc.Accordion(items, start_collapsed=True, always_open=True),
    ])


def type_label(data_type: str, lang: str) -> str:
    decimal = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", data_type)
    if decimal:
        return t("data.type_decimal", lang, places=decimal[1])
    return t(f"data.type_{data_type.lower()}", lang)


def format_frame(lang: str) -> pd.DataFrame:
    """The import format, one row per column, in words."""
    rows = contract.format_rows()

    def yes(flag: bool, key: str) -> str:
        return t(key, lang) if flag else ""

    return pd.DataFrame({
        "table": [r["table"] for r in rows],
        "table_required": [t("data.table_required" if r["table_required"] else "data.table_optional", lang)
                           for r in rows],
        "column": [r["column"] for r in rows],
        "type": [type_label(r["data_type"], lang) for r in rows],
        "in_file": [t("data.column_required" if r["column_required"] else "data.column_optional", lang)
                    for r in rows],
        "value": [t("data.value_required" if r["value_required"] else "data.value_optional", lang) for r in rows],
        "allowed": [r["allowed"] for r in rows],
        "key": [yes(r["key"], "data.is_key") for r in rows],
        "refers_to": [r["refers_to"] for r in rows],
    })


FORMAT_HEADERS = ("table", "table_required", "column", "type", "in_file", "value", "allowed", "key", "refers_to")
PRODUCT_HEADERS = ("product_id", "product_name", "category", "receipts", "lines", "revenue", "uncosted_revenue",
                   "shortfall_lines", "shortfall_quantity")


def _headers(columns, lang: str) -> dict[str, str]:
    return {c: t(f"data.col_{c}", lang) for c in columns}


@callback(
    Output("data-build", "children"),
    Output("data-costing", "children"),
    *grid_outputs("data-costing-products"),
    *grid_outputs("data-rows"),
    Output("data-rules", "children"),
    *grid_outputs("data-format"),
    Input("page-query", "data"),
)
@cached_output
def update(_query):
    lang = current_lang()
    info = build_info()
    costing = run("data_costing", WHOLE_WAREHOUSE).iloc[0].to_dict()
    products = run("data_costing_products", WHOLE_WAREHOUSE)
    counts = info.get("row_counts") or {}
    return (
        build_summary(info, lang),
        costing_summary(costing, lang),
        *grid_payload(products, _headers(PRODUCT_HEADERS, lang), money=("revenue", "uncosted_revenue")),
        *grid_payload(rows_frame(counts, lang), _headers(("table", "kind", "rows"), lang)),
        rules_panel(contract.rule_list(), info.get("built_at"), lang),
        *grid_payload(format_frame(lang), _headers(FORMAT_HEADERS, lang)),
    )
