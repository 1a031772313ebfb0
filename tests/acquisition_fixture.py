"""The fixture warehouse plus tests/fixtures/acquisition.sql (the edge cases of the
acquisition, lead-pool and receivables pages), built once per test module."""

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_SQL, build_fixture

EXTRA_SQL = Path(__file__).parent / "fixtures" / "acquisition.sql"


@pytest.fixture(scope="module")
def acquisition_path(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("acq") / "acquisition.duckdb",
                         FIXTURE_SQL.read_text() + EXTRA_SQL.read_text())


@pytest.fixture
def acquisition_warehouse(acquisition_path, monkeypatch) -> Path:
    monkeypatch.setenv("CRM_WAREHOUSE", str(acquisition_path))
    return acquisition_path
