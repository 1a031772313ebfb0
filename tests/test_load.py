"""The importer (data/load.py): a catalogue of bad inputs, the formats it must read, a round trip."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from components.i18n import LANGS, MESSAGES
from data import rules
from data.build import build
from data.load import LoadError, Problem, contract_columns, export_warehouse, load, main, write_template

# A small valid export: every table, a few rows, text as a CRM would write it.
DATA: dict[str, list[dict[str, str]]] = {
    "teams": [
        {"team_id": "T1", "name": "销售一部", "parent_team_id": ""},
        {"team_id": "T2", "name": "华东组", "parent_team_id": "T1"},
    ],
    "reps": [
        {"rep_id": "R1", "name": "张三", "team_id": "T1", "manager_rep_id": "", "region": "华东",
         "hired_on": "2023-01-01", "active": "true"},
        {"rep_id": "R2", "name": "李四", "team_id": "T2", "manager_rep_id": "R1", "region": "",
         "hired_on": "", "active": "false"},
    ],
    "customers": [
        {"customer_id": "C1", "name": "上海某公司", "created_at": "2024-01-05 09:00:00", "type": "customer",
         "owner_rep_id": "R1", "industry": "制造", "region": "华东", "city": "上海", "source": "展会",
         "level": "A"},
        {"customer_id": "C2", "name": "Acme, Inc.", "created_at": "2024-01-06 10:30:00", "type": "prospect",
         "owner_rep_id": "", "industry": "", "region": "", "city": "", "source": "", "level": ""},
    ],
    "products": [
        {"product_id": "P1", "name": "服务器", "category": "硬件", "unit": "台", "list_price": "100.00"},
        {"product_id": "P2", "name": "年度服务", "category": "服务", "unit": "", "list_price": ""},
    ],
    "stages": [
        {"stage": "S1", "position": "1", "default_probability": "10", "kind": "open"},
        {"stage": "S2", "position": "2", "default_probability": "100", "kind": "won"},
        {"stage": "S3", "position": "3", "default_probability": "0", "kind": "lost"},
    ],
    "opportunities": [
        {"opportunity_id": "O1", "customer_id": "C1", "rep_id": "R1", "created_at": "2024-01-10 10:00:00",
         "stage": "S2", "amount": "300.00", "probability": "80", "expected_close_on": "2024-02-01",
         "closed_on": "2024-02-01", "lost_reason": "", "competitor": ""},
    ],
    "opportunity_stage_history": [
        {"opportunity_id": "O1", "stage": "S1", "entered_at": "2024-01-10 10:00:00",
         "exited_at": "2024-02-01 00:00:00"},
        {"opportunity_id": "O1", "stage": "S2", "entered_at": "2024-02-01 00:00:00", "exited_at": ""},
    ],
    "contracts": [
        {"contract_id": "K1", "customer_id": "C1", "rep_id": "R1", "signed_on": "2024-02-01",
         "amount": "300.00", "status": "active", "opportunity_id": "O1", "ends_on": "2025-01-31"},
        {"contract_id": "K2", "customer_id": "C2", "rep_id": "R2", "signed_on": "2024-03-05",
         "amount": "50.00", "status": "void", "opportunity_id": "", "ends_on": ""},
    ],
    "contract_items": [
        {"contract_id": "K1", "line_no": "1", "product_id": "P1", "quantity": "2", "unit_price": "100",
         "amount": "200.00"},
        {"contract_id": "K1", "line_no": "2", "product_id": "P2", "quantity": "1", "unit_price": "100",
         "amount": "100.00"},
        {"contract_id": "K2", "line_no": "1", "product_id": "P2", "quantity": "1", "unit_price": "50",
         "amount": "50.00"},
    ],
    "payment_plans": [{"plan_id": "PL1", "contract_id": "K1", "due_on": "2024-03-01", "amount": "300.00"}],
    "payments": [
        {"payment_id": "PM1", "contract_id": "K1", "paid_on": "2024-03-02", "amount": "300.00",
         "plan_id": "PL1", "method": "bank"},
    ],
    "purchases": [
        {"purchase_id": "PU1", "product_id": "P1", "received_on": "2024-01-02", "quantity": "10",
         "unit_cost": "60"},
    ],
    "expenses": [
        {"expense_id": "E1", "rep_id": "R1", "incurred_on": "2024-02-10", "category": "差旅", "amount": "88.50"},
    ],
    "activities": [
        {"activity_id": "A1", "customer_id": "C1", "rep_id": "R1", "occurred_at": "2024-01-06 14:00:00",
         "kind": "visit"},
    ],
    "pool_events": [
        {"customer_id": "C2", "occurred_at": "2024-01-07 09:00:00", "event": "release", "rep_id": "R2"},
    ],
    "targets": [
        {"rep_id": "R1", "month": "2024-02-01", "measure": "contract_amount", "amount": "1000.00"},
    ],
}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", header=None) -> Path:
    header = header or list(rows[0])
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([row.get(c, "") for c in rows[0]] for row in rows)
    return path


def write_folder(folder: Path, data=DATA) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in data.items():
        write_csv(folder / f"{table}.csv", rows)
    return folder


def edited(table: str, index: int, **changes) -> dict:
    """DATA with row ``index`` of ``table`` changed (file row = index + 2)."""
    data = {t: [dict(r) for r in rows] for t, rows in DATA.items()}
    data[table][index].update(changes)
    return data


def fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f'select * from "{table}" order by all').fetchall()


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "warehouse.duckdb"
    load(write_folder(tmp_path_factory.mktemp("valid")), out, progress=False)
    return out


@pytest.fixture
def out(tmp_path, built_warehouse) -> Path:
    """A pre-existing warehouse at --out; every failing load must leave it byte-for-byte untouched."""
    target = tmp_path / "current" / "warehouse.duckdb"
    target.parent.mkdir()
    shutil.copy2(built_warehouse, target)
    before = fingerprint(target)
    yield target
    assert fingerprint(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["warehouse.duckdb"]


def failing(folder: Path, out: Path) -> list[Problem]:
    with pytest.raises(LoadError) as caught:
        load(folder, out, progress=False)
    return caught.value.problems


def assert_problem(problems: list[Problem], file: str, rule: str, row=None, column=None, value=None):
    wanted = {"file": file, "rule": rule, "row": row, "column": column, "value": value}
    for p in problems:
        if all(v is None or getattr(p, k) == v for k, v in wanted.items()):
            return p
    raise AssertionError(f"no {wanted} in {problems}")


# --- bad inputs: each is reported (file, row, column, rule) and nothing is published --------


def test_missing_required_file(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "products.csv").unlink()
    problems = failing(folder, out)
    assert_problem(problems, "products.csv", "load.missing_file")


def test_missing_column(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    header = [c for c in DATA["contracts"][0] if c != "signed_on"]
    write_csv(folder / "contracts.csv", DATA["contracts"], header=header)
    # the header lacks signed_on; the rows still carry it, so they are one cell too long
    problems = failing(folder, out)
    assert_problem(problems, "contracts.csv", "load.missing_column", row=1, column="signed_on")


def test_wrong_types(tmp_path, out):
    data = edited("contract_items", 1, quantity="two", line_no="2.5")
    data["reps"][0]["active"] = "maybe"
    problems = failing(write_folder(tmp_path / "in", data), out)
    assert_problem(problems, "contract_items.csv", "load.not_a_number", row=3, column="quantity", value="two")
    assert_problem(problems, "contract_items.csv", "load.not_an_integer", row=3, column="line_no", value="2.5")
    assert_problem(problems, "reps.csv", "load.not_a_boolean", row=2, column="active", value="maybe")
    # the cells already reported are not reported again as "a value is required"
    assert not [p for p in problems if p.rule == "rule.required"]


def test_unparseable_date(tmp_path, out):
    data = edited("contracts", 0, signed_on="2024-13-45")
    data["customers"][1]["created_at"] = "yesterday"
    problems = failing(write_folder(tmp_path / "in", data), out)
    assert_problem(problems, "contracts.csv", "load.not_a_date", row=2, column="signed_on", value="2024-13-45")
    assert_problem(problems, "customers.csv", "load.not_a_timestamp", row=3, column="created_at",
                   value="yesterday")


def test_duplicate_key(tmp_path, out):
    problems = failing(write_folder(tmp_path / "in", edited("customers", 1, customer_id="C1")), out)
    assert_problem(problems, "customers.csv", "rule.duplicate_key", row=3, column="customer_id", value="C1")


def test_dangling_foreign_key(tmp_path, out):
    problems = failing(write_folder(tmp_path / "in", edited("contracts", 1, customer_id="C9")), out)
    p = assert_problem(problems, "contracts.csv", "rule.foreign_key", row=3, column="customer_id", value="C9")
    assert "customers.customer_id" in p.message("en")


def test_value_outside_enumeration(tmp_path, out):
    problems = failing(write_folder(tmp_path / "in", edited("contracts", 0, status="open")), out)
    assert_problem(problems, "contracts.csv", "rule.check", row=2, column="status", value="open")


def test_contract_amount_not_equal_to_lines(tmp_path, out):
    problems = failing(write_folder(tmp_path / "in", edited("contracts", 0, amount="301.00")), out)
    assert_problem(problems, "contracts.csv", "rule.contract_amount", row=2, column="amount")


def test_payment_before_signing(tmp_path, out):
    problems = failing(write_folder(tmp_path / "in", edited("payments", 0, paid_on="2024-01-15")), out)
    assert_problem(problems, "payments.csv", "rule.payment_before_signing", row=2, column="paid_on")


def test_overlapping_stints(tmp_path, out):
    data = edited("opportunity_stage_history", 1, entered_at="2024-01-20 00:00:00")
    problems = failing(write_folder(tmp_path / "in", data), out)
    assert_problem(problems, "opportunity_stage_history.csv", "rule.stint_overlap", row=3, column="entered_at")


def test_negative_purchase_quantity(tmp_path, out):
    problems = failing(write_folder(tmp_path / "in", edited("purchases", 0, quantity="-5")), out)
    assert_problem(problems, "purchases.csv", "rule.check", row=2, column="quantity", value="-5.0000")


def test_empty_file(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "customers.csv").write_bytes(b"")
    problems = failing(folder, out)
    assert_problem(problems, "customers.csv", "load.empty_file")


def test_mapping_with_unknown_target_column(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "mapping.toml").write_text('[tables.contracts.columns]\n合同金额 = "amout"\n', encoding="utf-8")
    problems = failing(folder, out)
    assert_problem(problems, "mapping.toml", "load.mapping_unknown_column", column="合同金额", value="amout")


def test_mapping_with_unknown_table(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "mapping.toml").write_text('[tables.contract]\nfile = "合同.csv"\n', encoding="utf-8")
    assert_problem(failing(folder, out), "mapping.toml", "load.mapping_unknown_table", value="contract")


def test_stages_required_with_opportunities(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "stages.csv").unlink()
    assert_problem(failing(folder, out), "stages.csv", "load.stages_required")


def test_malformed_csv_line(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    with (folder / "teams.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("T3,多一列,T1,extra\r\n")
    assert_problem(failing(folder, out), "teams.csv", "load.malformed_line", row=4)


def test_every_problem_at_once_with_mapped_headers(tmp_path, out):
    """Problems in several files come together; a mapped file's problems name its own headers."""
    data = edited("contracts", 1, contract_id="K1", signed_on="2024/2/30")
    folder = write_folder(tmp_path / "in", data)
    (folder / "contracts.csv").unlink()
    rename = {"contract_id": "合同编号", "signed_on": "签约日期"}
    write_csv(folder / "合同.csv", data["contracts"], header=[rename.get(c, c) for c in data["contracts"][0]])
    (folder / "mapping.toml").write_text(
        '[tables.contracts]\nfile = "合同.csv"\n[tables.contracts.columns]\n'
        '合同编号 = "contract_id"\n签约日期 = "signed_on"\n', encoding="utf-8")
    write_csv(folder / "payments.csv", [dict(DATA["payments"][0], contract_id="K7")])
    problems = failing(folder, out)
    assert_problem(problems, "合同.csv", "load.not_a_date", row=3, column="签约日期", value="2024/2/30")
    assert_problem(problems, "合同.csv", "rule.duplicate_key", row=3, column="合同编号")
    assert_problem(problems, "payments.csv", "rule.foreign_key", row=2, column="contract_id", value="K7")


def test_cli_reports_in_both_languages(tmp_path, out, capsys):
    folder = write_folder(tmp_path / "in", edited("contracts", 0, signed_on="soon"))
    assert main([str(folder), "--out", str(out), "--lang", "en", "--quiet"]) == 1
    assert "contracts.csv, row 2, column signed_on, value soon: not a date" in capsys.readouterr().err
    assert main([str(folder), "--out", str(out), "--lang", "zh-CN", "--quiet"]) == 1
    assert "contracts.csv，第 2 行，列 signed_on，值 soon：不是日期" in capsys.readouterr().err


# --- inputs that must load -------------------------------------------------------------------


def test_gbk_csv_with_chinese_headers_through_mapping(tmp_path):
    folder = write_folder(tmp_path / "in")
    (folder / "contracts.csv").unlink()
    headers = {"contract_id": "合同编号", "customer_id": "客户编号", "rep_id": "负责人", "signed_on": "签约日期",
               "amount": "合同金额", "status": "状态", "opportunity_id": "商机", "ends_on": "到期日"}
    rows = [{headers[c]: ({"active": "有效", "void": "作废"}.get(v, v)) for c, v in row.items()}
            for row in DATA["contracts"]]
    write_csv(folder / "合同.csv", rows, encoding="gbk")
    lines = "\n".join(f'{h} = "{c}"' for c, h in headers.items())
    (folder / "mapping.toml").write_text(
        f'[tables.contracts]\nfile = "合同.csv"\n[tables.contracts.columns]\n{lines}\n'
        '[tables.contracts.values.status]\n有效 = "active"\n作废 = "void"\n', encoding="gbk")
    db = tmp_path / "w.duckdb"
    info = load(folder, db, progress=False)
    assert info["files"]["contracts"] == "合同.csv" and info["rows"]["contracts"] == 2
    assert table_rows(db, "contracts") == [
        ("K1", "C1", "R1", date(2024, 2, 1), Decimal("300.00"), "active", "O1", date(2025, 1, 31)),
        ("K2", "C2", "R2", date(2024, 3, 5), Decimal("50.00"), "void", None, None),
    ]


def test_utf8_bom_csv(tmp_path):
    folder = write_folder(tmp_path / "in")
    write_csv(folder / "customers.csv", DATA["customers"], encoding="utf-8-sig")
    db = tmp_path / "w.duckdb"
    load(folder, db, progress=False)
    assert [r[:2] for r in table_rows(db, "customers")] == [("C1", "上海某公司"), ("C2", "Acme, Inc.")]


def test_xlsx_table(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "customers.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.append(list(DATA["customers"][0]))
    sheet.append(["C1", "上海某公司", datetime(2024, 1, 5, 9), "customer", "R1", "制造", "华东", "上海", "展会", "A"])
    sheet.append([])  # a blank row keeps the numbering of the sheet
    sheet.append(["C2", "Acme, Inc.", datetime(2024, 1, 6, 10, 30), "prospect"])
    book.save(folder / "customers.xlsx")
    db = tmp_path / "w.duckdb"
    load(folder, db, progress=False)
    assert [r[:4] for r in table_rows(db, "customers")] == [
        ("C1", "上海某公司", datetime(2024, 1, 5, 9), "customer"),
        ("C2", "Acme, Inc.", datetime(2024, 1, 6, 10, 30), "prospect"),
    ]
    sheet.cell(row=4, column=4, value="partner")
    book.save(folder / "customers.xlsx")
    assert_problem(failing(folder, out), "customers.xlsx", "rule.check", row=4, column="type", value="partner")


def test_parquet_table(tmp_path):
    folder = write_folder(tmp_path / "in")
    (folder / "contract_items.csv").unlink()
    items = DATA["contract_items"]
    pq.write_table(pa.table({
        "contract_id": [r["contract_id"] for r in items],
        "line_no": pa.array([int(r["line_no"]) for r in items], pa.int32()),
        "product_id": [r["product_id"] for r in items],
        "quantity": [float(r["quantity"]) for r in items],
        "unit_price": pa.array([Decimal(r["unit_price"]) for r in items], pa.decimal128(18, 4)),
        "amount": pa.array([Decimal(r["amount"]) for r in items], pa.decimal128(18, 2)),
    }), folder / "contract_items.parquet")
    db = tmp_path / "w.duckdb"
    assert load(folder, db, progress=False)["rows"]["contract_items"] == 3
    assert table_rows(db, "contract_items")[0] == ("K1", 1, "P1", Decimal(2), Decimal(100), Decimal("200.00"))


def test_slash_dates_and_thousands_separators(tmp_path):
    data = edited("contracts", 0, signed_on="2024/2/1", amount="1,300.00", ends_on="2025/1/31")
    data["contract_items"][0].update(unit_price="1,100.00", amount="1,200.00")
    data["customers"][0]["created_at"] = "2024/1/5 9:00"
    data["opportunity_stage_history"][0]["exited_at"] = "2024/2/1 0:00:00"
    data["reps"][0]["active"] = "是"
    db = tmp_path / "w.duckdb"
    load(write_folder(tmp_path / "in", data), db, progress=False)
    assert table_rows(db, "contracts")[0][3:5] == (date(2024, 2, 1), Decimal("1300.00"))
    assert table_rows(db, "customers")[0][2] == datetime(2024, 1, 5, 9)
    assert table_rows(db, "reps")[0][-1] is True


def test_optional_tables_may_be_missing(tmp_path):
    data = edited("contracts", 0, opportunity_id="")
    data["teams"] = [dict(row, 备注="x") for row in data["teams"]]
    folder = write_folder(tmp_path / "in", {t: data[t] for t in rules.REQUIRED_TABLES})
    (folder / "notes.txt").write_text("x")
    (folder / "targets.csv").write_bytes(b"")
    db = tmp_path / "w.duckdb"
    info = load(folder, db, progress=False)
    assert info["rows"]["payments"] == 0 and info["source"] == "in"
    warned = {(w.file, w.rule) for w in info["warnings"]}
    assert {("payments.csv", "load.optional_missing"), ("notes.txt", "load.unused_file"),
            ("targets.csv", "load.optional_empty"), ("teams.csv", "load.extra_column")} <= warned


def test_template_loads_empty(tmp_path):
    folder = tmp_path / "template"
    write_template(folder)
    header = (folder / "contracts.csv").read_text(encoding="utf-8").strip()
    assert header == ",".join(c for c, _ in contract_columns()["contracts"])
    assert "签约日期" in (folder / "mapping.toml").read_text(encoding="utf-8")
    info = load(folder, tmp_path / "w.duckdb", progress=False)
    assert set(info["rows"].values()) == {0}


# --- round trip: build -> export -> load back ------------------------------------------------


def _fill_from_data(con: duckdb.DuckDBPyConnection) -> None:
    for table, rows in DATA.items():
        columns = list(rows[0])
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        con.executemany(
            f'insert into staging."{table}" ({", ".join(columns)}, _row) values ({marks})',
            [[v or None for v in row.values()] + [i + 2] for i, row in enumerate(rows)],
        )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip(tmp_path, fmt):
    original = tmp_path / "original.duckdb"
    build(original, _fill_from_data, "fixture", progress=False)
    exported = tmp_path / "export"
    export_warehouse(original, exported, fmt)
    reloaded = tmp_path / "reloaded.duckdb"
    info = load(exported, reloaded, progress=False)
    assert info["warnings"] == [] and info["source"] == "export"
    for table in rules.TABLES:
        assert table_rows(reloaded, table) == table_rows(original, table), table


def test_messages_complete():
    for key, entry in MESSAGES.items():
        if key.startswith("load."):
            assert set(entry) == set(LANGS), key


# --- inputs that used to mislead: each named at its row, nothing published ---------------

def test_zero_width_space_bom_and_nul_in_a_key_are_named_at_their_row(tmp_path, out):
    data = edited("customers", 1, customer_id="C2\u200b")
    data["reps"][0]["rep_id"] = "\ufeffR1"
    data["products"][1]["product_id"] = "P\x002"
    problems = failing(write_folder(tmp_path / "in", data), out)
    p = assert_problem(problems, "customers.csv", "load.key_character", row=3, column="customer_id",
                       value="C2<U+200B>")
    assert p.message("en") == ("customers.csv, row 3, column customer_id, value C2<U+200B>: the key holds the "
                               "invisible character U+200B (shown as <U+…>: a BOM, zero-width space or control "
                               "character), so it matches no other key; remove it")
    assert "不可见字符 U+200B" in p.message("zh-CN")
    assert_problem(problems, "reps.csv", "load.key_character", row=2, column="rep_id", value="<U+FEFF>R1")
    assert_problem(problems, "products.csv", "load.key_character", row=3, column="product_id", value="P<U+0000>2")


def test_nul_in_a_name_is_refused(tmp_path, out):
    folder = write_folder(tmp_path / "in", edited("customers", 0, name="上海\x00某公司"))
    p = assert_problem(failing(folder, out), "customers.csv", "load.control_character", row=2, column="name",
                       value="上海<U+0000>某公司")
    assert p.message("en").endswith("holds the invisible control character U+0000 (shown as <U+…>); "
                                    "remove it from the export")


def test_a_zero_width_joiner_in_a_name_is_kept(tmp_path):
    db = tmp_path / "w.duckdb"
    load(write_folder(tmp_path / "in", edited("customers", 1, name="Acme\u200d")), db, progress=False)
    assert table_rows(db, "customers")[1][1] == "Acme\u200d"


def test_mixed_line_ends_name_the_row(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    lines = (folder / "customers.csv").read_bytes().split(b"\r\n")  # csv.writer ends lines in CRLF
    (folder / "customers.csv").write_bytes(lines[0] + b"\r\n" + lines[1] + b"\n" + b"\r\n".join(lines[2:]))
    p = assert_problem(failing(folder, out), "customers.csv", "load.mixed_line_ends", row=2)
    assert p.message("en") == ("customers.csv, row 2: line ends change here (LF ≠ CRLF): save the file again "
                               "with one kind of line end")


def test_encoding_error_names_its_row_and_bytes(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    path = folder / "customers.csv"
    path.write_bytes(path.read_bytes().replace(b"Acme", b"Ac\xff\xfe"))
    p = assert_problem(failing(folder, out), "customers.csv", "load.encoding", row=3, value="0xFF")
    assert p.message("en") == ("customers.csv, row 3, value 0xFF: cannot read the text: neither UTF-8 nor "
                               "GBK/GB18030 (the bytes shown break UTF-8)")


def _customers_xlsx(folder, created, cached=None):
    from openpyxl import Workbook

    (folder / "customers.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.append(list(DATA["customers"][0]))
    sheet.append(["C1", "上海某公司", datetime(2024, 1, 5, 9), "customer", "R1"])
    sheet.append(["C2", "Acme, Inc.", created, "prospect"])
    sheet["C3"].number_format = "yyyy-mm-dd hh:mm:ss"
    book.save(folder / "customers.xlsx")
    if cached is not None:  # what Excel does on saving: keep the formula and its value
        import zipfile

        path = folder / "customers.xlsx"
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
        sheet_xml = sheet_xml.replace(f"<f>{created[1:]}</f><v></v>", f"<f>{created[1:]}</f><v>{cached}</v>")
        sheet_xml = sheet_xml.replace(f"<f>{created[1:]}</f><v />", f"<f>{created[1:]}</f><v>{cached}</v>")
        parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return folder


def test_excel_formula_without_a_value_is_refused_by_cell(tmp_path, out):
    folder = _customers_xlsx(write_folder(tmp_path / "in"), '=TEXT(TODAY(),"yyyy-mm-dd")')
    p = assert_problem(failing(folder, out), "customers.xlsx", "load.formula", row=3, column="created_at",
                       value='C3: =TEXT(TODAY(),"yyyy-mm-dd")')
    assert "公式没有保存计算结果" in p.message("zh-CN")


def test_excel_formula_uses_its_saved_value(tmp_path):
    folder = _customers_xlsx(write_folder(tmp_path / "in"), "=DATE(2024,1,6)+TIME(10,30,0)", cached="45297.4375")
    db = tmp_path / "w.duckdb"
    load(folder, db, progress=False)
    assert table_rows(db, "customers")[1][2] == datetime(2024, 1, 6, 10, 30)


def test_symlinks_are_refused(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    (folder / "customers.csv").unlink()
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "customers.csv").symlink_to(secret)
    problems = failing(folder, out)
    p = assert_problem(problems, "customers.csv", "load.symlink")
    assert p.message("en") == ("customers.csv: is a symbolic link: the import reads only ordinary files in the "
                               "folder")
    assert "root:x" not in "\n".join(q.message("en") for q in problems)


def test_mapping_path_outside_the_folder_is_refused(tmp_path, out):
    folder = write_folder(tmp_path / "in")
    outside = tmp_path / "elsewhere.csv"
    (folder / "customers.csv").rename(outside)
    (folder / "mapping.toml").write_text('[tables.customers]\nfile = "../elsewhere.csv"\n', encoding="utf-8")
    p = assert_problem(failing(folder, out), "../elsewhere.csv", "load.outside_folder")
    assert p.message("en") == (f"../elsewhere.csv: is outside the import folder {folder} (or a link): "
                               "mapping.toml may name only files in it")


def test_timestamps_with_an_offset_become_local_time(tmp_path, monkeypatch):
    data = edited("customers", 0, created_at="2024-01-05T01:00:00Z")
    data["customers"][1]["created_at"] = "2024-01-06 10:30:00-05:00"
    data["activities"][0]["occurred_at"] = "2024-01-06 14:00:00+08:00"
    data["contracts"][1]["signed_on"] = "2024-03-04T20:00:00+00:00"  # 04:00 on the 5th in Shanghai
    db = tmp_path / "w.duckdb"
    load(write_folder(tmp_path / "in", data), db, progress=False)
    assert [r[2] for r in table_rows(db, "customers")] == [datetime(2024, 1, 5, 9), datetime(2024, 1, 6, 23, 30)]
    assert table_rows(db, "activities")[0][3] == datetime(2024, 1, 6, 14)
    assert str(table_rows(db, "contracts")[1][3]) == "2024-03-05"
    monkeypatch.setenv("CRM_TZ", "UTC")
    load(write_folder(tmp_path / "in2", data), db, progress=False)
    assert [r[2] for r in table_rows(db, "customers")] == [datetime(2024, 1, 5, 1), datetime(2024, 1, 6, 15, 30)]


def test_cli_verbose_prints_each_step_time(tmp_path, capsys):
    out = tmp_path / "w.duckdb"
    assert main([str(write_folder(tmp_path / "in")), "--out", str(out), "--lang", "en", "--quiet"]) == 0
    assert "(CPU" not in capsys.readouterr().out
    assert main([str(write_folder(tmp_path / "in")), "--out", str(out), "--lang", "en", "--quiet", "--verbose"]) == 0
    steps = [line.split(":")[0].strip() for line in capsys.readouterr().out.splitlines() if "(CPU " in line]
    assert steps == ["plan", "stage", "check", "publish", "build_cost_of_sales", "build_serving", "finish", "judge"]


def test_a_date_without_an_offset_keeps_its_day_in_any_zone(tmp_path, monkeypatch):
    # a bare date's "-05" is its day, not an offset of -5 hours: west of the machine's
    # zone it took the day before (2024-02-01 -> 2024-01-31 in New York)
    data = edited("customers", 0, created_at="2024-01-05")
    monkeypatch.setenv("CRM_TZ", "America/New_York")
    db = tmp_path / "w.duckdb"
    load(write_folder(tmp_path / "in", data), db, progress=False)
    assert table_rows(db, "customers")[0][2] == datetime(2024, 1, 5)
    assert [str(r[3]) for r in table_rows(db, "contracts")] == ["2024-02-01", "2024-03-05"]
    assert str(table_rows(db, "payments")[0][2]) == "2024-03-02"


def test_export_quotes_a_lone_carriage_return(tmp_path):
    db = tmp_path / "w.duckdb"
    load(write_folder(tmp_path / "in", edited("customers", 1, name="Acme\rInc")), db, progress=False)
    assert table_rows(db, "customers")[1][1] == "Acme\rInc"
    export_warehouse(db, tmp_path / "out", "csv")
    assert b'"Acme\rInc"' in (tmp_path / "out" / "customers.csv").read_bytes()
    with (tmp_path / "out" / "customers.csv").open(encoding="utf-8-sig", newline="") as f:
        assert [row[1] for row in csv.reader(f)][1:] == ["上海某公司", "Acme\rInc"]
