"""Presentation in real headless Chromium: grids whose headers and numbers are never cut
to "…", grid and chart texts in the viewer's language."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

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
        " && !document.querySelector('.dash-loading-callback')"), timeout=40)


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
