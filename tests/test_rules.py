"""Each data rule violated once: a clear error naming table, row and column, and the
previous warehouse file left untouched."""

import hashlib

import pytest

from data.build import BuildError
from tests.conftest import FIXTURE_SQL, build_fixture

FIXTURE = FIXTURE_SQL.read_text()

CASES = [
    # (name, SQL appended to the fixture, expected (table, row, column, rule))
    ("required", "insert into teams (team_id, name) values ('T9', null);",
     ("teams", 5, "name", "rule.required")),
    ("enumeration", "update customers set type = 'vip' where customer_id = 'C2';",
     ("customers", 2, "type", "rule.check")),
    ("duplicate key", "insert into products (product_id, name, category) values ('P2', 'X', '软件');",
     ("products", 4, "product_id", "rule.duplicate_key")),
    ("foreign key", "update contracts set customer_id = 'C99' where contract_id = 'K03';",
     ("contracts", 3, "customer_id", "rule.foreign_key")),
    ("contract amount", "update contracts set amount = 2000.02 where contract_id = 'K01';",
     ("contracts", 1, "amount", "rule.contract_amount")),
    ("payment before signing", "update payments set paid_on = '2023-01-09' where payment_id = 'PM01';",
     ("payments", 1, "paid_on", "rule.payment_before_signing")),
    ("overlapping stints", "update opportunity_stage_history set exited_at = '2024-02-02 09:00' "
                           "where opportunity_id = 'O1' and stage = '初步接洽';",
     ("opportunity_stage_history", 2, "entered_at", "rule.stint_overlap")),
    ("negative purchase", "update purchases set quantity = -5 where purchase_id = 'PU2';",
     ("purchases", 2, "quantity", "rule.check")),
    ("negative unit cost", "update purchases set unit_cost = -1 where purchase_id = 'PU3';",
     ("purchases", 3, "unit_cost", "rule.check")),
    ("stage positions", "update stages set position = 7 where stage = '输单';",
     ("stages", 5, "position", "rule.stage_positions")),
    ("target month", "update targets set month = '2024-03-02' where rep_id = 'R2';",
     ("targets", 3, "month", "rule.check")),
]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def existing(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("rules") / "warehouse.duckdb")


@pytest.mark.parametrize("name, sql, expected", CASES, ids=[c[0] for c in CASES])
def test_violation_is_reported_and_nothing_changes(existing, name, sql, expected):
    before = _digest(existing)
    with pytest.raises(BuildError) as error:
        build_fixture(existing, FIXTURE + "\n" + sql)
    found = [(v.table, v.row, v.column, v.rule) for v in error.value.violations]
    assert expected in found, found
    assert _digest(existing) == before
    assert not list(existing.parent.glob("*.building-*"))
    table, row, column, _ = expected
    assert f"{table}, row {row}, column {column}" in error.value.report("en")
    assert f"{table} 第 {row} 行，列 {column}" in error.value.report("zh-CN")


def test_the_fixture_itself_passes(existing):
    assert existing.exists()


def test_every_violation_is_reported_at_once(existing):
    sql = "\n".join(case[1] for case in CASES)
    with pytest.raises(BuildError) as error:
        build_fixture(existing, FIXTURE + "\n" + sql)
    found = {(v.table, v.row, v.column, v.rule) for v in error.value.violations}
    assert {case[2] for case in CASES} <= found
