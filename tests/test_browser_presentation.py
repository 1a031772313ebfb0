"""Presentation in real headless Chromium: grids whose headers and numbers are never cut
to "…", grid and chart texts in the viewer's language."""

from __future__ import annotations

import re

import duckdb
import pytest
from selenium.webdriver.common.by import By

from data import rules
from tests.test_browser_overview import _wait_for

# cells and headers whose text does not fit their column (AG Grid cuts them with "…")
TRUNCATED = """
return Array.from(document.querySelectorAll('.ag-header-cell-text, .ag-cell-value'))
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent);
"""


def open_page(browser, path: str, lang: str = "zh-CN", theme: str = "light") -> None:
    """Load ``path`` as a viewer with these cookies and wait until every callback answered."""
    driver = browser.driver
    if not driver.current_url.startswith(browser.server_url):
        driver.get(browser.server_url + "/_dash-layout")
    driver.add_cookie({"name": "lang", "value": lang, "path": "/"})
    driver.add_cookie({"name": "theme", "value": theme, "path": "/"})
    driver.get(browser.server_url + path)
    _wait_for(lambda: driver.execute_script(
        "return document.documentElement.lang !== '' || !!document.getElementById('main')"), timeout=20)
    _wait_for(lambda: driver.execute_script(
        "return !!document.querySelector('#main') && !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && !document.querySelector('.dash-loading-callback')"
        # a grid whose columns have not arrived yet
        " && !document.querySelector('[role=grid][aria-colcount=\"0\"]')"), timeout=40)


def grids_ready(driver) -> bool:
    grids = driver.find_elements(By.CSS_SELECTOR, ".grid-card .ag-root-wrapper")
    return bool(grids) and all(g.find_elements(By.CSS_SELECTOR, ".ag-header-cell-text") for g in grids)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_grids_show_whole_headers_and_numbers(browser, lang):
    driver = browser.driver
    paging = {"zh-CN": "页", "en": "Page"}[lang]
    for path in ("/team", "/receivables", "/products", "/revenue"):
        open_page(browser, path, lang)
        _wait_for(lambda: grids_ready(driver), timeout=30)
        try:
            _wait_for(lambda: not driver.execute_script(TRUNCATED), timeout=5)
        except AssertionError:
            raise AssertionError(f"{path}: cut to '…': {driver.execute_script(TRUNCATED)}") from None
        pagers = [p.text for p in driver.find_elements(By.CSS_SELECTOR, ".ag-paging-panel") if p.text]
        assert pagers and all(paging in p for p in pagers), (path, pagers)


PAGES = ("/", "/revenue", "/team", "/funnel", "/forecast", "/products", "/product/P1", "/customers",
         "/customer/C4", "/acquisition", "/lead-pool", "/receivables", "/data")
# every text a viewer reads or hears: text (charts' SVG included), control texts and labels; not
# code (commands, file names) nor, with arguments[0], grid cells (the import format's identifiers)
UI_TEXTS = """
const skip = 'script, style, code, pre' + (arguments[0] ? ', .ag-cell' : '');
const out = [document.title];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.parentElement.closest(skip)) { out.push(node.textContent); }
}
document.querySelectorAll('[placeholder], [aria-label], [title], [data-title]').forEach(el => {
  for (const name of ['placeholder', 'aria-label', 'title', 'data-title']) {
    if (el.getAttribute(name)) { out.push(el.getAttribute(name)); }
  }
});
return out.join('\\n');
"""
# words that are the same in both languages: product and method names, file formats, units
SHARED_WORDS = {"CRM", "ABC", "RFM", "CLV", "FIFO", "VIP", "CSV", "XLSX", "PNG", "SVG", "PDF", "English", "Excel",
                "Parquet", "ZIP",
                "admin"}  # the signed-in user's login (the browser fixture's), shown as stored
CJK = re.compile(r"[\u3400-\u9fff]+")
# an English word, not part of a file name (purchases.csv), path or address
ENGLISH_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z]{3,}(?![\w@/-]|\.\w)")


def data_values(warehouse) -> list[str]:
    """Every text value of the warehouse (names, ids, categories) and the import format's table
    names: data and identifiers are shown as they are stored."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "where data_type = 'VARCHAR'").fetchall()
        values = set(rules.TABLES)
        for schema, table, column in columns:
            values.update(v for (v,) in con.execute(
                f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null').fetchall())
    finally:
        con.close()
    # longest first ("华东区一组" before "华东区"); single Latin letters (ABC classes) would cut words
    return sorted((v for v in values if len(v) > 1 or not v.isascii()), key=len, reverse=True)


def foreign_words(text: str, lang: str, data: list[str]) -> set[str]:
    for value in data:
        text = text.replace(value, " ")
    if lang == "zh-CN":
        return {w for w in ENGLISH_WORD.findall(text) if w not in SHARED_WORDS}
    return set(CJK.findall(text)) - {"中文"}  # the switch names the other language in that language


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_page_speaks_one_language(browser, warehouse, lang):
    data = data_values(warehouse)
    found = {}
    for path in PAGES:
        open_page(browser, path, lang)
        words = foreign_words(browser.driver.execute_script(UI_TEXTS, path == "/data"), lang, data)
        if words:
            found[path] = sorted(words)
    assert not found, f"{lang} pages show words of the other language: {found}"


def test_chart_image_carries_title_and_period_and_print_keeps_the_filters(browser):
    from pathlib import Path

    from tests.test_browser_overview import _click

    driver = browser.driver
    open_page(browser, "/team", "zh-CN")
    title = driver.find_element(By.CSS_SELECTOR, "#card-team-reps h2").text
    period = driver.find_element(By.ID, "f-period-label").text
    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#card-team-reps .dropdown-toggle"))
    _click(driver, lambda: driver.find_element(By.XPATH, "//*[@id='card-team-reps']//*[text()='图表 (SVG)']"))
    svg = Path(browser.download_path) / "team_team-reps.svg"
    _wait_for(svg.exists)
    _wait_for(lambda: title in svg.read_text() and period.split(" ")[0] in svg.read_text())

    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not driver.find_element(By.CSS_SELECTOR, ".navbar").is_displayed()
        assert not driver.find_element(By.CSS_SELECTOR, "#card-team-reps .dropdown-toggle").is_displayed()
        assert driver.find_element(By.ID, "f-period-label").is_displayed()
        assert driver.find_element(By.ID, "f-preset").is_displayed()
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_focus_stays_on_the_language_switch(browser):
    from tests.test_browser_overview import _click

    driver = browser.driver
    open_page(browser, "/team", "zh-CN")
    _click(driver, lambda: driver.find_element(By.ID, "lang-switch"))
    _wait_for(lambda: driver.find_element(By.ID, "lang-switch").text == "中文")  # now in English
    _wait_for(lambda: driver.execute_script("return document.activeElement.id") == "lang-switch")
    assert driver.find_element(By.ID, "lang-switch").get_attribute("lang") == "zh-CN"


# what a screen reader hears of the open date picker and what it shows in the weekday heads, and
# the ids its aria-labelledby names that no element has ("missing:<id>")
DATEPICKER_TEXTS = """
const out = [];
document.querySelectorAll('.dash-datepicker, .dash-datepicker-content').forEach(root => {
  root.querySelectorAll('[aria-label]').forEach(el => out.push(el.getAttribute('aria-label')));
  root.querySelectorAll('.dash-datepicker-calendar thead span').forEach(el => out.push(el.textContent));
  root.querySelectorAll('[aria-labelledby]').forEach(el => el.getAttribute('aria-labelledby').split(' ')
    .forEach(id => { if (!document.getElementById(id)) { out.push('missing:' + id); } }));
});
return out;
"""
DATEPICKER_ENGLISH = {"Previous month", "Next month", "Increase value", "Decrease value", "Close calendar",
                      "Clear Dates", "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}


def test_date_picker_speaks_the_page_language(browser):
    driver = browser.driver
    expected = {"zh-CN": {"开始日期", "结束日期", "上个月", "下个月", "年份", "下一年", "上一年",
                          "一", "二", "三", "四", "五", "六", "日"},
                "en": {"Start date", "End date", "Previous month", "Next month", "Year", "Next year",
                       "Previous year", "Mo", "Su"}}
    for lang, wanted in expected.items():
        open_page(browser, "/?preset=custom&start=2024-01-01&end=2024-02-01", lang)
        _wait_for(lambda: driver.find_element(By.ID, "f-range-wrap").is_displayed(), timeout=20)
        driver.find_element(By.ID, "f-range-start").click()  # the start input has its id (start_date_id)
        _wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".dash-datepicker-month-nav"))
        try:
            _wait_for(lambda w=wanted: w <= set(driver.execute_script(DATEPICKER_TEXTS)), timeout=5)
        except AssertionError:
            raise AssertionError(f"{lang}: {driver.execute_script(DATEPICKER_TEXTS)}") from None
        texts = set(driver.execute_script(DATEPICKER_TEXTS))
        # the inputs have ids (they were "undefined"); Dash itself names "f-range", "f-range-end-date"
        # and its month dropdown's "<id>-value-count", which no element has (no prop sets them)
        missing = {text for text in texts if text.startswith("missing:")}
        assert not missing & {"missing:f-range-start", "missing:f-range-end", "missing:undefined"}, missing
        if lang == "zh-CN":
            assert not texts & DATEPICKER_ENGLISH, texts & DATEPICKER_ENGLISH
