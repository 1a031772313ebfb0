"""The warehouse contract described: the import format and the data rules every build checks.

Read from the one place each is defined: columns, types, required values (NOT NULL) and
enumerations (CHECK) from ``data/schema.sql``'s catalogue; required tables, columns a file
may leave out, keys, foreign keys and the rules across rows from ``data/rules.py``.
The importer reads the columns from here, and the /data page lists both (a warehouse
exists only when every rule passed, so the page never re-runs them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import duckdb

from data import rules
from data.build import SCHEMA


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    data_type: str
    nullable: bool


@dataclass(frozen=True)
class Rule:
    """One data rule: its kind (required, allowed, key, reference, or a rules.CROSS_ROW_RULES
    message key), where it applies and what it checks."""

    kind: str
    table: str
    column: str
    detail: str = ""


@functools.cache
def _catalogue() -> tuple[tuple[Column, ...], tuple[tuple[str, str, str], ...]]:
    """(every contract column in schema order, (table, column, CHECK expression))."""
    with duckdb.connect() as con:
        con.execute(SCHEMA.read_text())
        found = con.execute(
            "select table_name, column_name, data_type, is_nullable from duckdb_columns() "
            "where schema_name = 'main' order by table_name, column_index"
        ).fetchall()
        checks = con.execute(
            "select table_name, constraint_column_names[1], expression from duckdb_constraints() "
            "where schema_name = 'main' and constraint_type = 'CHECK' order by table_name, constraint_index"
        ).fetchall()
    order = {table: i for i, table in enumerate(rules.TABLES)}
    columns = sorted((Column(*row) for row in found if row[0] in order), key=lambda c: order[c.table])
    return tuple(columns), tuple(sorted((c for c in checks if c[0] in order), key=lambda c: order[c[0]]))


def columns() -> dict[str, tuple[Column, ...]]:
    """Every contract table's columns, tables in load order, columns in schema order."""
    out: dict[str, list[Column]] = {table: [] for table in rules.TABLES}
    for column in _catalogue()[0]:
        out[column.table].append(column)
    return {table: tuple(cols) for table, cols in out.items()}


def readable(expression: str) -> str:
    """A CHECK expression as written in the schema: ``("type" IN ('a', 'b'))`` -> ``type IN ('a', 'b')``."""
    text = expression.replace('"', "")
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def allowed_values() -> dict[tuple[str, str], str]:
    """(table, column) -> the values allowed, as a readable CHECK expression."""
    out: dict[tuple[str, str], str] = {}
    for table, column, expression in _catalogue()[1]:
        key = (table, column)
        out[key] = f"{out[key]} AND {readable(expression)}" if key in out else readable(expression)
    return out


def format_rows() -> list[dict]:
    """The import format, one row per column: table (required or optional), column, type,
    whether a file may leave the column out, whether a value may be empty, the values
    allowed, whether it is (part of) the table's key, and what it refers to."""
    allowed = allowed_values()
    refers = {(t, c): f"{parent}.{parent_column}" for t, c, parent, parent_column in rules.REFERENCES}
    return [{
        "table": col.table,
        "table_required": col.table in rules.REQUIRED_TABLES,
        "column": col.name,
        "data_type": col.data_type,
        "column_required": col.name not in rules.OPTIONAL_COLUMNS.get(col.table, ()),
        "value_required": not col.nullable,
        "allowed": allowed.get((col.table, col.name), ""),
        "key": col.name in rules.KEYS.get(col.table, ()),
        "refers_to": refers.get((col.table, col.name), ""),
    } for table in rules.TABLES for col in columns()[table]]


def rule_list() -> list[Rule]:
    """Every rule ``rules.check`` runs, in its order: required values (one per table),
    allowed values (CHECK), unique keys, foreign keys, the rules across rows."""
    out = [Rule("required", table, ", ".join(c.name for c in cols if not c.nullable))
           for table, cols in columns().items()]
    out += [Rule("allowed", table, column, readable(expression)) for table, column, expression in _catalogue()[1]]
    out += [Rule("key", table, ", ".join(key)) for table, key in rules.KEYS.items()]
    out += [Rule("reference", table, column, f"{parent}.{parent_column}")
            for table, column, parent, parent_column in rules.REFERENCES]
    out += [Rule(kind, table, column) for kind, table, column, _sql in rules.CROSS_ROW_RULES]
    return out
