"""Load a company's own CRM export: a folder with one file per contract table.

    python -m data.load FOLDER [--out PATH] [--lang zh-CN|en]
    python -m data.load --export FOLDER [--out PATH] [--format csv|parquet]
    python -m data.load --template FOLDER

Each table comes from ``<table>.csv``, ``.xlsx`` or ``.parquet`` (or the file that
``mapping.toml`` names, with its own headers mapped onto the contract's columns; see
docs/import.md). The load runs in two stages:

1. ``plan``: find the files, read their headers, check mapping.toml and the required
   files and columns. A problem here stops the load before anything is built.
2. ``build`` (data/build.py) with a ``fill`` that reads every cell as text into a temp
   table, converts it in SQL (``try_cast``/``try_strptime``), reports each cell that
   does not convert, and stages the rows with ``_row``, the row as the user sees it in
   the file (header = row 1). The build then checks the data rules and publishes
   atomically, so a failed load leaves the current warehouse untouched.

Every problem names the file, its row, the column (the file's own header) and value.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import functools
import os
import re
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from components.i18n import normalise_lang, t
from data import contract, rules
from data.build import BuildError, Clock, JudgeError, WriteError, build, warehouse_path

FORMATS = (".csv", ".xlsx", ".parquet")
MAPPING = "mapping.toml"
MAPPING_KEYS = ("file", "sheet", "columns", "values")
DELIMITERS = (",", "\t", ";", "|")
CHUNK = 1 << 24

# Text -> value, one SQL expression per contract type; {v} is the trimmed text.
_NUMBER = (
    "(case when contains({v}, ',') then (case when regexp_full_match({v}, "
    "'[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]*)?') then replace({v}, ',', '') end) else {v} end)"
)
_DATE_FORMATS = "['%Y/%m/%d', '%Y/%m/%d %H:%M', '%Y/%m/%d %H:%M:%S']"
_TIMESTAMP_FORMATS = "['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d']"
# A moment written with its offset (+08:00, -0500, Z) is converted to local time in the
# setting CRM_TZ (default Asia/Shanghai), then stored without a zone; never cut off. The
# offset follows a time (10:00, 10:00:00.5) or a whole date: a bare date's "-05" is its day.
_OFFSET = ("regexp_matches({v}, '([0-9]:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]*)?)?|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})"
           "(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$')")
_LOCAL = "timezone($tz, try_cast({v} as timestamptz))"
_TRUE = "('true', 't', 'yes', 'y', '1', '是')"
_FALSE = "('false', 'f', 'no', 'n', '0', '否')"


DEFAULT_TZ = "Asia/Shanghai"
# characters no export should hold: C0 controls but tab, LF and CR, and DEL, anywhere; in
# a key (an id or a reference) also a BOM and the zero-width characters, which make two
# equal-looking keys differ
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
KEY_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{feff}\x{200b}-\x{200d}\x{2060}]"
_SHOWN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b-\u200d\u2060]")


def configured_tz() -> str:
    """The setting CRM_TZ (an IANA zone, default Asia/Shanghai): the local time of the data."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("CRM_TZ", DEFAULT_TZ)
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TZ


def visible(text: str) -> str:
    """``text`` with its invisible characters written out (C1<U+200B>)."""
    return _SHOWN_CHARS.sub(lambda m: f"<U+{ord(m[0]):04X}>", text)


def key_columns(table: str) -> set[str]:
    """The columns of ``table`` that hold keys: its own and the ones it refers by."""
    return set(rules.KEYS.get(table, ())) | {c for t, c, _p, _pc in rules.REFERENCES if t == table}


def _convert(v: str, data_type: str) -> tuple[str, str | None]:
    """(SQL expression converting the text ``v`` to ``data_type``, message key when it fails)."""
    if data_type == "VARCHAR":
        return v, None
    offset, local = _OFFSET.format(v=v), _LOCAL.format(v=v)
    if data_type == "DATE":
        return (f"(case when {offset} then {local}::date "
                f"else coalesce(try_cast({v} as date), try_strptime({v}, {_DATE_FORMATS})::date) end)",
                "load.not_a_date")
    if data_type == "TIMESTAMP":
        return (f"(case when {offset} then {local} "
                f"else coalesce(try_cast({v} as timestamp), try_strptime({v}, {_TIMESTAMP_FORMATS})) end)",
                "load.not_a_timestamp")
    if data_type == "BOOLEAN":
        return (f"(case when lower({v}) in {_TRUE} then true when lower({v}) in {_FALSE} then false end)",
                "load.not_a_boolean")
    number = _NUMBER.format(v=v)
    if data_type == "INTEGER":
        whole = f"regexp_full_match({number}, '[+-]?[0-9]+(\\.0*)?')"
        return f"(case when {whole} then try_cast({number} as integer) end)", "load.not_an_integer"
    if data_type.startswith("DECIMAL"):
        return f"try_cast({number} as {data_type})", "load.not_a_number"
    raise ValueError(f"no conversion for {data_type}")


@dataclass(frozen=True)
class Problem:
    """One problem with the input: the file, its row (header = 1), column, value and rule."""

    file: str
    rule: str  # a message key of components.messages
    row: int | None = None
    column: str | None = None
    value: str | None = None
    detail: str = ""

    def message(self, lang: str | None = None) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(t("load.row", lang, row=self.row))
        if self.column is not None:
            where.append(t("load.column", lang, column=self.column))
        if self.value is not None:
            where.append(t("load.value", lang, value=self.value))
        return t("load.problem", lang, where=t("load.separator", lang).join(where),
                 rule=t(self.rule, lang, detail=self.detail))


class LoadError(Exception):
    """The input has problems; nothing was published."""

    def __init__(self, problems: list[Problem], warnings: Iterable[Problem] = ()):
        self.problems = problems[:rules.MAX_TOTAL]
        self.warnings = list(warnings)
        super().__init__(f"{len(self.problems)} problem(s)")

    def report(self, lang: str | None = None) -> str:
        return "\n".join(p.message(lang) for p in self.problems)


@dataclass
class Source:
    """Where a table comes from and how the file's columns map onto the contract's."""

    table: str
    file: str                      # the name shown in messages
    path: Path | None = None       # None: an optional table not given
    kind: str = ""                 # csv, xlsx, parquet
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | None = None
    width: int = 0                 # number of columns in the file
    columns: dict[str, int] = field(default_factory=dict)      # contract column -> file position
    headers: dict[str, str] = field(default_factory=dict)      # contract column -> file header
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {text: value}

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


@functools.cache
def contract_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """(column, type) of every contract table, in schema order, from data/schema.sql."""
    return {table: tuple((c.name, c.data_type) for c in cols) for table, cols in contract.columns().items()}


def required_columns(table: str) -> list[str]:
    return [c for c, _ in contract_columns()[table] if c not in rules.OPTIONAL_COLUMNS.get(table, ())]


# --- stage 1: plan -------------------------------------------------------------------------


_KEY_LINE = re.compile(r"^(\s*)([^\s\"'\[#=][^\"'=#]*?)(\s*=)", re.MULTILINE)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+(\s*\.\s*[A-Za-z0-9_-]+)*")


def _quote_keys(text: str) -> str:
    """Quote keys TOML 1.0 does not allow bare (合同金额 = "amount"), as TOML 1.1 would read them."""
    def quote(m: re.Match) -> str:
        key = m[2]
        if _BARE_KEY.fullmatch(key):
            return m[0]
        return m[1] + '"' + key.replace("\\", "\\\\") + '"' + m[3]

    return _KEY_LINE.sub(quote, text)


def _read_mapping(folder: Path, errors: list[Problem]) -> dict[str, dict]:
    path = folder / MAPPING
    if not path.is_file():
        return {}
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig") if _detect_encoding(path) == "utf-8" else data.decode("gb18030")
        doc = tomllib.loads(_quote_keys(text))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        errors.append(Problem(MAPPING, "load.mapping_syntax", detail=str(e)))
        return {}
    tables = doc.get("tables", {})
    if set(doc) - {"tables"} or not isinstance(tables, dict):
        errors.append(Problem(MAPPING, "load.mapping_invalid", detail="[tables.<table>]"))
        return {}
    mapping = {}
    for table, spec in tables.items():
        if table not in rules.TABLES:
            errors.append(Problem(MAPPING, "load.mapping_unknown_table", value=table))
            continue
        if not isinstance(spec, dict):
            errors.append(Problem(MAPPING, "load.mapping_invalid", value=table, detail=f"[tables.{table}]"))
            continue
        known = {c for c, _ in contract_columns()[table]}
        for key in set(spec) - set(MAPPING_KEYS):
            errors.append(Problem(MAPPING, "load.mapping_unknown_key", column=f"tables.{table}", value=key))
        for key in ("file", "sheet"):
            if not isinstance(spec.get(key, ""), str):
                errors.append(Problem(MAPPING, "load.mapping_invalid", column=f"tables.{table}.{key}",
                                      detail="text"))
        columns = spec.get("columns", {})
        for header, target in (columns.items() if isinstance(columns, dict) else [(None, None)]):
            if not isinstance(target, str):
                errors.append(Problem(MAPPING, "load.mapping_invalid", column=f"tables.{table}.columns",
                                      value=header, detail="header = \"column\""))
            elif target not in known:
                errors.append(Problem(MAPPING, "load.mapping_unknown_column", column=header, value=target,
                                      detail=table))
        values = spec.get("values", {})
        for column, pairs in (values.items() if isinstance(values, dict) else [(None, None)]):
            if column not in known:
                errors.append(Problem(MAPPING, "load.mapping_unknown_column",
                                      column=f"tables.{table}.values", value=column, detail=table))
            elif not isinstance(pairs, dict) or not all(isinstance(v, str) for v in pairs.values()):
                errors.append(Problem(MAPPING, "load.mapping_invalid", column=f"tables.{table}.values.{column}",
                                      detail="\"text\" = \"value\""))
        mapping[table] = spec
    return mapping


def _detect_encoding(path: Path) -> str | None:
    """utf-8 (with or without BOM) when the whole file decodes strictly, else gb18030, else None."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def _encoding_error(path: Path) -> tuple[str, int, str]:
    """(encoding, row, bytes) of the first byte that neither UTF-8 nor GB18030 reads, taking
    the encoding that reads further: the row (line) as an editor shows it."""
    data = path.read_bytes()
    failures = []
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as e:
            failures.append((e.start, e.end, encoding))
    start, end, encoding = max(failures)
    return ("UTF-8" if encoding == "utf-8" else "GB18030", data.count(b"\n", 0, start) + 1,
            " ".join(f"0x{b:02X}" for b in data[start:max(end, start + 1)]))


def _mixed_line_end(path: Path) -> tuple[int, str] | None:
    """(line, how it ends) of the first line whose end (CRLF or LF) differs from the first line's."""
    first = None
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.endswith(b"\n"):
                return None
            end = "CRLF" if line.endswith(b"\r\n") else "LF"
            first = first or end
            if end != first:
                return number, f"{end} ≠ {first}"
    return None


def _csv_header(source: Source) -> list[str] | None:
    """The header cells of a CSV (None when the file is empty); sets encoding and delimiter."""
    encoding = _detect_encoding(source.path)
    if encoding is None:
        raise _UnreadableError("load.encoding", *_encoding_error(source.path))
    source.encoding = encoding
    with source.path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
        first = f.readline()
        if not first.strip():  # no header row
            return None
        source.delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
        return next(csv.reader([first], delimiter=source.delimiter))


def _xlsx_rows(source: Source, formulas: bool = False):
    """The sheet's rows of values: a formula cell gives the value Excel saved with it (None
    when the file holds none); with ``formulas``, the formulas' text instead."""
    from openpyxl import load_workbook

    book = load_workbook(source.path, read_only=True, data_only=not formulas)
    try:
        if source.sheet and source.sheet not in book.sheetnames:
            raise _UnreadableError("load.no_sheet", source.sheet)
        sheet = book[source.sheet] if source.sheet else book.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _xlsx_header(source: Source) -> list[str] | None:
    for cells in _xlsx_rows(source):
        header = [_cell_text(c) or "" for c in cells]
        while header and not header[-1]:
            header.pop()
        return header or None
    return None


def _parquet_header(source: Source) -> list[str]:
    import pyarrow.parquet as pq

    return pq.read_schema(source.path).names


class _UnreadableError(Exception):
    def __init__(self, rule: str, detail: str = "", row: int | None = None, value: str | None = None):
        self.rule, self.detail, self.row, self.value = rule, detail, row, value
        super().__init__(rule)


def _locate(folder: Path, table: str, spec: dict, files: dict[str, Path],
            errors: list[Problem], warnings: list[Problem]) -> Source | None:
    required = table in rules.REQUIRED_TABLES
    if "file" in spec:
        path = folder / spec["file"]
        if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
            errors.append(Problem(spec["file"], "load.outside_folder", detail=str(folder)))
            return None
        if not path.is_file():
            errors.append(Problem(spec["file"], "load.mapped_file_missing"))
            return None
        if path.suffix.lower() not in FORMATS:
            errors.append(Problem(spec["file"], "load.unsupported_format"))
            return None
        return Source(table, spec["file"], path)
    candidates = [files[name] for name in (f"{table}{ext}" for ext in FORMATS) if name in files]
    if len(candidates) > 1:
        errors.append(Problem(candidates[0].name, "load.ambiguous_file",
                              detail=", ".join(p.name for p in candidates)))
        return None
    if not candidates:
        if required:
            errors.append(Problem(f"{table}.csv", "load.missing_file", detail=" / ".join(FORMATS[1:])))
        else:
            warnings.append(Problem(f"{table}.csv", "load.optional_missing"))
        return Source(table, f"{table}.csv")
    return Source(table, candidates[0].name, candidates[0])


def _map_columns(source: Source, header: list[str], spec: dict,
                 errors: list[Problem], warnings: list[Problem]) -> None:
    table = source.table
    known = {c for c, _ in contract_columns()[table]}
    mapped = {str(k).strip(): v for k, v in spec.get("columns", {}).items()}
    source.width = len(header)
    for position, cell in enumerate(header):
        name = cell.strip()
        target = mapped.get(name) or (name.lower() if name.lower() in known else None)
        if target is None:
            warnings.append(Problem(source.file, "load.extra_column", row=1, column=cell))
        elif target in source.columns:
            errors.append(Problem(source.file, "load.duplicate_column", row=1, column=cell,
                                  detail=f"{source.headers[target]} → {target}"))
        else:
            source.columns[target] = position
            source.headers[target] = name
    for header_name, target in mapped.items():
        source.headers.setdefault(target, header_name)
    for column in required_columns(table):
        if column not in source.columns:
            errors.append(Problem(source.file, "load.missing_column", row=1, column=source.header(column),
                                  detail=column))
    source.values = {c: {str(k).strip(): v for k, v in pairs.items()}
                     for c, pairs in spec.get("values", {}).items()}


def plan(folder: Path) -> tuple[list[Source], list[Problem], list[Problem]]:
    """Find every table's file and check mapping.toml, files and headers.

    Returns (sources in load order, errors, warnings); reads only headers (and checks
    the text encoding of CSV files).
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if not folder.is_dir():
        return [], [Problem(str(folder), "load.no_folder")], []
    # a link could make the load read (and echo) any file on the server
    errors += [Problem(p.name, "load.symlink") for p in sorted(folder.iterdir()) if p.is_symlink()]
    if errors:
        return [], errors, warnings
    mapping = _read_mapping(folder, errors)
    if errors:
        return [], errors, warnings
    files = {p.name: p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    used = {MAPPING}
    sources = []
    for table in rules.TABLES:
        spec = mapping.get(table, {})
        source = _locate(folder, table, spec, files, errors, warnings)
        if source is None:
            continue
        sources.append(source)
        if source.path is None:
            continue
        used.add(source.path.name)
        source.kind = source.path.suffix.lower().lstrip(".")
        source.sheet = spec.get("sheet")
        try:
            header = {"csv": _csv_header, "xlsx": _xlsx_header, "parquet": _parquet_header}[source.kind](source)
        except _UnreadableError as e:
            errors.append(Problem(source.file, e.rule, row=e.row, value=e.value, detail=e.detail))
            continue
        except Exception as e:
            errors.append(Problem(source.file, "load.unreadable", detail=f"{type(e).__name__}: {e}"))
            continue
        if header is None:
            if table in rules.REQUIRED_TABLES:
                errors.append(Problem(source.file, "load.empty_file"))
            else:
                warnings.append(Problem(source.file, "load.optional_empty"))
                source.path = None
            continue
        _map_columns(source, header, spec, errors, warnings)
    for name in sorted(set(files) - used):
        warnings.append(Problem(name, "load.unused_file"))
    return sources, errors, warnings


# --- stage 2: fill (inside the build) --------------------------------------------------------


def _cell_text(value) -> str | None:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _transcode(source: Source, tmp: Path) -> Path:
    target = tmp / f"{source.table}.utf8.csv"
    decoder = codecs.getincrementaldecoder(source.encoding)()
    with source.path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := src.read(CHUNK):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
    return target


def _mapped(source: Source) -> list[tuple[str, str]]:
    """(column, type) of the contract columns the file holds, in contract order."""
    return [(c, data_type) for c, data_type in contract_columns()[source.table] if c in source.columns]


def _texts(source: Source, cell: Callable[[int], str]) -> tuple[str, list]:
    """Select list v0.. of the mapped columns' text: value-mapped, trimmed, empty as null."""
    texts, params = [], []
    for k, (column, _) in enumerate(_mapped(source)):
        text = cell(source.columns[column])
        if column in source.values:
            text = f"coalesce(map(?, ?)[trim({text})], {text})"
            params += [list(source.values[column]), list(source.values[column].values())]
        texts.append(f"nullif(trim({text}), '') as v{k}")
    return ", ".join(texts), params


def _read_raw(con: duckdb.DuckDBPyConnection, source: Source, raw: str, tmp: Path) -> list[Problem]:
    """The text of every mapped cell into temp table ``raw`` (v0.., and _row but for CSV);
    malformed lines."""
    if source.kind == "csv":
        path = source.path if source.encoding == "utf-8" else _transcode(source, tmp)
        texts, params = _texts(source, "c{}".format)
        names = dict.fromkeys((f"c{i}" for i in range(source.width)), "VARCHAR")
        try:
            con.execute(
                f'create temp table "{raw}" as select {texts} from read_csv(?, auto_detect = false, '
                "header = true, delim = ?, quote = '\"', escape = '\"', columns = ?, store_rejects = true)",
                [*params, str(path), source.delimiter, names],
            )
        except duckdb.InvalidInputException as e:
            mixed = _mixed_line_end(path)
            if mixed:
                return [Problem(source.file, "load.mixed_line_ends", row=mixed[0], detail=mixed[1])]
            return [Problem(source.file, "load.unreadable", detail=str(e).splitlines()[0])]
        rejects = con.execute(
            "select e.line, min(e.error_type), min(e.csv_line) from reject_errors as e "
            "join reject_scans as s using (scan_id, file_id) where s.file_path = ? "
            "group by e.line order by e.line limit ?",
            [str(path), rules.MAX_PER_RULE],
        ).fetchall()
        return [Problem(source.file, "load.malformed_line", row=line, value=text, detail=kind)
                for line, kind, text in rejects]
    if source.kind == "parquet":
        texts, params = _texts(source, lambda i: f"#{i + 1}::varchar")
        con.execute(f'create temp table "{raw}" as select {texts}, file_row_number + 1 as _row '
                    "from read_parquet(?, file_row_number = true)", [*params, str(source.path)])
        return []
    from openpyxl.utils import get_column_letter

    columns: list[list[str | None]] = [[] for _ in range(source.width)]
    numbers, formulas = [], []
    headers = {position: source.header(column) for column, position in source.columns.items()}
    pairs = zip(_xlsx_rows(source), _xlsx_rows(source, formulas=True), strict=True)
    for number, (cells, written) in enumerate(pairs, start=1):
        texts = [_cell_text(c) for c in cells[:source.width]]
        # a formula without a saved value (a file no spreadsheet has calculated) is refused by cell
        formulas += [Problem(source.file, "load.formula", row=number, column=headers[i],
                             value=f"{get_column_letter(i + 1)}{number}: {formula}")
                     for i, (text, formula) in enumerate(zip(texts, written[:len(texts)], strict=False))
                     if text is None and i in headers and isinstance(formula, str) and formula.startswith("=")]
        if number == 1 or all(c is None for c in texts):
            continue
        texts += [None] * (source.width - len(texts))
        for column, text in zip(columns, texts, strict=True):
            column.append(text)
        numbers.append(number)
    if formulas:
        return formulas[:rules.MAX_PER_RULE]
    arrow = pa.table({**{f"c{i}": pa.array(c, pa.string()) for i, c in enumerate(columns)},
                      "_row": pa.array(numbers, pa.int64())})
    texts, params = _texts(source, "c{}".format)
    con.register("xlsx_rows", arrow)
    con.execute(f'create temp table "{raw}" as select {texts}, _row from xlsx_rows', params)
    con.unregister("xlsx_rows")
    return []


def _params(sql: str, params: dict) -> dict:
    """The named ``params`` that ``sql`` uses (DuckDB refuses the others)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _hidden_characters(con: duckdb.DuckDBPyConnection, source: Source, raw: str, row: str) -> list[Problem]:
    """Cells holding characters no export should: control characters (a NUL) anywhere, a
    BOM or zero-width character in a key, each named with its row, column and the
    character written out."""
    mapped = _mapped(source)
    # first one test of all a row's cells together (a key's characters include the others'):
    # most files hold none
    cells = ", ".join(f"v{k}" for k in range(len(mapped)))
    if not mapped or not con.execute(f'select 1 from "{raw}" where regexp_matches(concat({cells}), $key_chars) '
                                     "limit 1", {"key_chars": KEY_CHARS}).fetchone():
        return []
    keys = key_columns(source.table)
    union = " union all ".join(
        f'select {k} as k, {row} as _row, v{k} as v from "{raw}" '
        f"where regexp_matches(v{k}, {'$key_chars' if column in keys else '$control_chars'})"
        for k, (column, _) in enumerate(mapped))
    sql = f"select * from ({union}) order by _row, k limit {rules.MAX_PER_RULE}"
    return [Problem(source.file, "load.key_character" if mapped[k][0] in keys else "load.control_character",
                    row=line, column=source.header(mapped[k][0]), value=visible(value),
                    detail=", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in _SHOWN_CHARS.findall(value))))
            for k, line, value in con.execute(sql, _params(sql, {"key_chars": KEY_CHARS,
                                                               "control_chars": CONTROL_CHARS})).fetchall()]


def _stage(con: duckdb.DuckDBPyConnection, source: Source, tmp: Path) -> tuple[list[Problem], bool]:
    """Stage one table's rows; (problems, whether they are only cells that did not convert)."""
    table, raw = source.table, f"raw_{source.table}"
    problems = _read_raw(con, source, raw, tmp)
    if problems:
        con.execute(f'drop table if exists "{raw}"')
        return problems, False
    # A CSV's temp table was written in file order: rowid is the record's index (header = row 1).
    row = "rowid + 2" if source.kind == "csv" else "_row"
    mapped = _mapped(source)
    converted = [_convert(f"v{k}", data_type) for k, (_, data_type) in enumerate(mapped)]
    checks = [(k, expression) for k, (expression, rule) in enumerate(converted) if rule]
    tz = {"tz": configured_tz()}
    found = _hidden_characters(con, source, raw, row)
    targets = ", ".join(f'"{column}"' for column, _ in mapped)
    values = ", ".join(expression for expression, _ in converted)
    sql = f'insert into staging."{table}" ({targets}, _row) select {values}, {row} from "{raw}"'
    con.execute(sql, _params(sql, tz))
    if checks:
        # the staged rows are the raw rows in order (staging."{table}" was empty): a cell that
        # did not convert is text beside an empty value, each conversion computed only once
        union = " union all ".join(
            f'select {k} as k, r.{row} as _row, r.v{k} as v from "{raw}" as r positional join staging."{table}" as s '
            f'where r.v{k} is not null and s."{mapped[k][0]}" is null'
            for k, _e in checks
        )
        totals: dict[int, int] = {}
        sql = (f"select k, _row, v, count(*) over (partition by k) from ({union}) "
               f"qualify row_number() over (partition by k order by _row) <= {rules.MAX_PER_RULE} order by k, _row")
        for k, line, value, total in con.execute(sql).fetchall():
            found.append(Problem(source.file, converted[k][1], row=line, column=source.header(mapped[k][0]),
                                 value=value))
            totals[k] = total
        found += [Problem(source.file, "load.more", column=source.header(mapped[k][0]),
                          detail=str(total - rules.MAX_PER_RULE))
                  for k, total in totals.items() if total > rules.MAX_PER_RULE]
    con.execute(f'drop table "{raw}"')
    return found, True


def _filler(sources: list[Source], tmp: Path, progress: bool) -> Callable[[duckdb.DuckDBPyConnection], None]:
    by_table = {s.table: s for s in sources}

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        problems: list[Problem] = []
        cells_only = True
        bar = tqdm(total=len(sources), desc="load", unit="table", disable=not progress, position=1, leave=False)
        try:
            for source in sources:
                bar.set_postfix_str(source.file)
                if source.path is not None:
                    found, cells = _stage(con, source, tmp)
                    problems += found
                    cells_only = cells_only and cells
                bar.update()
        finally:
            bar.close()
        if by_table["stages"].path is None and con.execute(
                "select count(*) from staging.opportunities").fetchone()[0]:
            problems.append(Problem(by_table["stages"].file, "load.stages_required"))
            cells_only = False
        if problems:
            order = {s.file: i for i, s in enumerate(sources)}
            if cells_only:  # also report the data rules, except at the cells already reported
                seen = {(p.file, p.row, p.column) for p in problems}
                problems += [p for p in map(functools.partial(_from_violation, by_table), rules.check(con))
                             if not (p.rule == "rule.required" and (p.file, p.row, p.column) in seen)]
            raise LoadError(sorted(problems, key=lambda p: (order[p.file], p.row or 0)))

    return fill


def _from_violation(by_table: dict[str, Source], v: rules.Violation) -> Problem:
    source = by_table[v.table]
    column = v.column and ", ".join(source.header(c) for c in v.column.split(", "))
    return Problem(source.file, v.rule, row=v.row, column=column, value=v.value, detail=v.detail)


def load(folder: Path | str, out: Path | str | None = None, *, progress: bool = True) -> dict:
    """Load ``folder`` into the warehouse ``out``; return the build summary (with the plan's
    time among the steps') plus warnings and files.

    Raises ``LoadError`` (every problem, up to a limit) when the input has problems;
    ``out`` is then untouched.
    """
    folder = Path(folder)
    out = Path(out) if out else warehouse_path()
    clock = Clock()
    sources, errors, warnings = plan(folder)
    clock.lap("plan")
    if errors:
        raise LoadError(errors, warnings)
    by_table = {s.table: s for s in sources}
    with tempfile.TemporaryDirectory(prefix="crm-load-") as tmp:
        try:
            info = build(out, _filler(sources, Path(tmp), progress), folder.resolve().name, progress=progress)
        except BuildError as e:
            raise LoadError([_from_violation(by_table, v) for v in e.violations], warnings) from None
        except LoadError as e:
            raise LoadError(e.problems, warnings) from None
    return {**info, "steps": {**clock.steps, **info["steps"]}, "warnings": warnings,
            "files": {s.table: s.file for s in sources if s.path}}


# --- export and template ---------------------------------------------------------------------


def export_warehouse(db_path: Path | str, folder: Path | str, fmt: str = "csv") -> list[Path]:
    """Write every contract table of the warehouse ``db_path`` to ``folder/<table>.<fmt>``."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        for table in rules.TABLES:
            path = folder / f"{table}.{fmt}"
            relation = con.table(table)
            if fmt == "csv":
                relation.write_csv(str(path), header=True)
            else:
                relation.write_parquet(str(path))
            written.append(path)
    return written


TEMPLATE_MAPPING = """\
# mapping.toml (optional): maps your own file names, headers and values onto the import format.
# 可选：把自己的文件名、表头和取值映射到导入格式。See docs/import.md / 见 docs/import.md。
# Uncomment and edit / 去掉行首的 # 后修改：
#
# [tables.customers]
# file = "客户.csv"
# [tables.customers.columns]
# 客户编号 = "customer_id"
# 客户名称 = "name"
# 创建时间 = "created_at"
# 客户类型 = "type"
# [tables.customers.values.type]
# 潜在客户 = "prospect"
# 成交客户 = "customer"
# 代理商 = "agent"
# 流失 = "lost"
#
# [tables.contracts]
# file = "合同.xlsx"
# sheet = "合同"
# [tables.contracts.columns]
# 合同编号 = "contract_id"
# 客户编号 = "customer_id"
# 负责人 = "rep_id"
# 签约日期 = "signed_on"
# 合同金额 = "amount"
# 状态 = "status"
# [tables.contracts.values.status]
# 有效 = "active"
# 作废 = "void"
"""


def write_template(folder: Path | str) -> list[Path]:
    """Headers-only ``<table>.csv`` for every contract table, plus a commented mapping.toml."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, columns in contract_columns().items():
        path = folder / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerow([c for c, _ in columns])
        written.append(path)
    (folder / MAPPING).write_text(TEMPLATE_MAPPING, encoding="utf-8")
    return [*written, folder / MAPPING]


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    env_lang = normalise_lang(os.environ.get("CRM_LANG"))
    parser = argparse.ArgumentParser(prog="python -m data.load", description=t("load.cli", env_lang))
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("folder", nargs="?", type=Path, help=t("load.cli_folder", env_lang))
    action.add_argument("--export", type=Path, metavar="FOLDER", help=t("load.cli_export", env_lang))
    action.add_argument("--template", type=Path, metavar="FOLDER", help=t("load.cli_template", env_lang))
    parser.add_argument("--out", "--warehouse", dest="warehouse", type=Path, default=None,
                        help=t("load.cli_out", env_lang))
    parser.add_argument("--lang", choices=("zh-CN", "en"), default=env_lang)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", help=t("load.cli_format", env_lang))
    parser.add_argument("--quiet", action="store_true", help=t("load.cli_quiet", env_lang))
    parser.add_argument("--verbose", action="store_true", help=t("load.cli_verbose", env_lang))
    args = parser.parse_args(argv)
    lang, warehouse = args.lang, args.warehouse or warehouse_path()

    if args.template:
        write_template(args.template)
        print(t("load.template_written", lang, folder=args.template))
        return 0
    if args.export:
        written = export_warehouse(warehouse, args.export, args.format)
        print(t("load.exported", lang, count=len(written), folder=args.export))
        return 0

    started = time.monotonic()
    try:
        info = load(args.folder, warehouse, progress=not args.quiet)
    except LoadError as e:
        for w in e.warnings:
            print(t("load.warning", lang, message=w.message(lang)), file=sys.stderr)
        print(t("load.failed", lang, count=len(e.problems)), file=sys.stderr)
        print(e.report(lang), file=sys.stderr)
        return 1
    except (WriteError, JudgeError) as e:
        print(e.message(lang), file=sys.stderr)
        return 1
    for w in info["warnings"]:
        print(t("load.warning", lang, message=w.message(lang)), file=sys.stderr)
    print(t("load.summary", lang, source=info["source"], out=warehouse, as_of=info["as_of"] or "—",
            seconds=f"{time.monotonic() - started:.1f}"))
    for table in rules.TABLES:
        print(t("load.summary_row", lang, table=table, file=info["files"].get(table, "—"),
                rows=info["rows"][table]))
    if args.verbose:
        for step, (wall, cpu) in info["steps"].items():
            print(t("load.step_time", lang, step=step, wall=f"{wall:.1f}", cpu=f"{cpu:.1f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
