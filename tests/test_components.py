"""Messages, formatting and exports."""

import io
import json
import string

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import format as fmt
from components.cards import export_bytes, export_name, frame_for_store, frame_from_store, neutralise
from components.i18n import LANGS, MESSAGES, t
from components.page import with_params


def test_every_message_has_both_languages_with_the_same_placeholders():
    formatter = string.Formatter()
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGS), key
        fields = [{f for _, f, _, _ in formatter.parse(entry[lang]) if f} for lang in LANGS]
        assert fields[0] == fields[1], key
        assert all(entry[lang].strip() for lang in LANGS), key


def test_unknown_language_falls_back_to_chinese():
    assert t("page.overview", "fr") == "经营概览"
    assert t("page.overview", "en") == "Overview"


@pytest.mark.parametrize("value, lang, expected", [
    (1234567, "en", "¥1,234,567"),
    (1234567, "zh-CN", "¥123.46万"),
    (123456789, "zh-CN", "¥1.23亿"),
    (9999, "zh-CN", "¥9,999"),
    (12.5, "en", "¥12.50"),
    (-20000, "zh-CN", "-¥2.00万"),
    (None, "en", "—"),
    (float("nan"), "en", "—"),
    (float("inf"), "zh-CN", "—"),
])
def test_money(value, lang, expected):
    assert fmt.money(value, lang) == expected


def test_percent_and_change():
    assert fmt.percent(-300 / 3500) == "-8.6%"
    assert fmt.percent(3.2, signed=True) == "+320.0%"
    assert fmt.percent(0, signed=True) == "0.0%"
    assert fmt.percent(None) == "—"
    assert fmt.change(-1300, "money", "en") == "-¥1,300"
    assert fmt.change(0, "count", "en") == "±0"
    assert fmt.change(2, "count", "zh-CN") == "+2"


def test_formula_cells_are_neutralised():
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "ok", None],
                          "n": [1, 2, 3, 4, 5, 6]})
    safe = neutralise(frame)
    assert safe["name"].tolist()[:5] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "ok"]
    assert safe["n"].tolist() == [1, 2, 3, 4, 5, 6]  # numbers stay numbers (negative ones too)
    csv = export_bytes(frame, "csv").decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("\"'=HYPERLINK(")
    xlsx = pd.read_excel(io.BytesIO(export_bytes(frame, "xlsx")))
    assert xlsx["name"].tolist()[:2] == ["'=HYPERLINK(\"x\")", "'+1"]


def test_store_round_trip_keeps_dates_plain():
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-02-01", "2024-03-01"]),
                          "at": pd.to_datetime(["2024-02-01 09:30", "2024-03-01 00:00"]), "v": [1.5, None]})
    back = frame_from_store(frame_for_store(frame))
    assert back["month"].tolist() == ["2024-02-01", "2024-03-01"]
    assert back["at"].tolist() == ["2024-02-01 09:30:00", "2024-03-01 00:00:00"]


def test_store_holds_the_numbers_as_they_are():
    """The store is built column-wise, without pandas' JSON text: numbers are the frame's
    doubles (540951.31 stays 540951.31: through the text it was 540951.3100000001, and so in
    the exports), None for NaN and infinities, -0.0 kept; plain text, integers and flags."""
    frame = pd.DataFrame({
        "x": [540951.31, 1 / 3, 123456789.123456789, 1e17, 3e-17, -0.0, float("nan"), float("inf"), 2.0],
        "n": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9], dtype="Int64"),
        "s": pd.array(["a", None, "名", "=x", "b", "c", "d", "e", "f"], dtype="str"),
        "b": [True, False] * 4 + [True],
        "d": pd.to_datetime(["2024-02-01"] * 8 + [None]),
    })
    store = frame_for_store(frame)
    assert store["columns"] == ["x", "n", "s", "b", "d"]
    assert [row[0] for row in store["data"]] == [540951.31, 1 / 3, 123456789.123456789, 1e17, 3e-17,
                                                 0.0, None, None, 2.0]
    assert str(store["data"][0][0]) == "540951.31" and str(store["data"][5][0]) == "-0.0"
    assert [row[1:4] for row in store["data"][:3]] == [[1, "a", True], [None, None, False], [3, "名", True]]
    assert [row[4] for row in store["data"]] == ["2024-02-01"] * 8 + [None]
    assert json.loads(json.dumps(store)) == store  # JSON-safe as it is


def test_export_name_carries_page_and_period(warehouse):
    name = export_name("revenue", "trend", {"preset": "last_month"}, "xlsx")
    assert name == "revenue_trend_2024-02-01_2024-02-29.xlsx"
    assert export_name("", "x", {"preset": "bogus"}, "csv") == "overview_x_2024-01-01_2024-03-15.csv"


def test_with_params():
    assert with_params("?preset=last_month&rep=R1", rep="R2") == "?preset=last_month&rep=R2"
    assert with_params("?preset=last_month&rep=R1", rep=None) == "?preset=last_month"
    assert with_params("", team=["T1", "T2"]) == "?team=T1,T2"


def test_long_lists_are_cut_and_the_card_says_so(monkeypatch):
    from components import cards, grid

    monkeypatch.setattr(grid, "GRID_MAX_ROWS", 3)
    frame = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C5"], "v": [5, 4, 3, 2, 1]})
    rows, _columns, store = grid.grid_payload(frame)
    assert [r["customer_id"] for r in rows] == ["C1", "C2", "C3"] and store["total_rows"] == 5
    assert cards.explain_cut(store) == "共 5 行，仅显示（及导出）前 3 行：请缩小筛选范围查看其余。"
    assert cards.explain_cut(grid.grid_payload(frame.head(2))[2]) is None


def test_empty_figures_wrap_long_messages():
    from components.figures import empty, wrap

    assert wrap("No contracts in this period for these filters.", 20) == \
        "No contracts in this<br>period for these<br>filters."
    assert wrap("当前时间段和筛选条件下没有合同。", 16) == "当前时间段和筛选<br>条件下没有合同。"
    assert go.Figure(empty("短")).layout.annotations[0].text == "短"


def test_filtered_hrefs_are_filtered_href_for_each_value():
    from components.grid import filtered_href, filtered_hrefs

    for query in ({}, {"preset": "last_month", "rep": "R1", "rank_by": "payments", "x": "1"},
                  {"team": ["T1", "T2"], "method": "mavg"}, None):
        href = filtered_hrefs("/team", query, "rep", keep=("rank_by",))
        for value in ("R2", "R 3&x", 7):
            assert href(value) == filtered_href("/team", query, keep=("rank_by",), rep=value)
    assert filtered_hrefs("/team", {"preset": "last_month", "rep": "R1"}, "rep")("R2") == \
        "/team?preset=last_month&rep=R2"
