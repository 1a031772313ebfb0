"""A 390 px phone in real headless Chromium: nothing wider than the screen (charts and grids
scroll inside their cards), the /products ranking panels apart, the menu closes after a choice."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for
from tests.test_browser_presentation import open_page

PAGE_WIDER_THAN_SCREEN = "return document.documentElement.scrollWidth > window.innerWidth"
# grids and charts whose right edge passes their card's
OVERFLOWING = """
return Array.from(document.querySelectorAll('.ag-root-wrapper, .dash-graph')).filter(el => {
  const card = el.closest('.card-body');
  return card && el.offsetParent !== null &&
    el.getBoundingClientRect().right > card.getBoundingClientRect().right + 1 &&
    card.scrollWidth <= card.clientWidth;
}).map(el => el.closest('.card').id || el.className);
"""


def test_phone_layout(browser):
    driver = browser.driver
    driver.set_window_size(390, 844)
    for path in ("/products", "/team", "/receivables", "/revenue"):
        open_page(browser, path)
        assert not driver.execute_script(PAGE_WIDER_THAN_SCREEN), path
        assert driver.execute_script(OVERFLOWING) == [], path

    # the three ranking panels keep their width (no panel drawn over another): the card scrolls
    open_page(browser, "/products")
    mix = driver.find_element(By.CSS_SELECTOR, "#card-products-mix .dash-graph")
    assert mix.size["width"] >= 760
    body = driver.find_element(By.CSS_SELECTOR, "#card-products-mix .card-body")
    assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", body)

    # the menu closes once a page is chosen
    _click(driver, lambda: driver.find_element(By.ID, "nav-toggle"))
    _wait_for(lambda: driver.find_element(By.ID, "nav-collapse").is_displayed())
    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#nav-collapse a[href^='/team']"))
    _wait_for(lambda: "/team" in driver.current_url)
    _wait_for(lambda: not driver.find_element(By.ID, "nav-collapse").is_displayed())
