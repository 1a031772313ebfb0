"""/products in real headless Chromium: switching the costing method rewrites the URL and
the margin; a row of the products table opens the product's page with the method."""

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for


def _text(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def test_switch_method_then_open_a_product(browser):
    driver = browser.driver
    browser.wait_for_page(url=browser.server_url + "/products")
    # FIFO this year: P1 450 + P2 600 (P3 uncosted, shown in the warning)
    _wait_for(lambda: _text(driver, "#products-total-margin") == "¥1,050", timeout=30)  # first load
    assert "¥800" in _text(driver, "#products-uncosted-alert")

    _click(driver, lambda: next(label for label in driver.find_elements(By.CSS_SELECTOR, "label")
                                if label.text == "移动加权平均"))
    _wait_for(lambda: "method=moving_average" in driver.current_url)
    # moving average: P1 costs 943.70, so the margin is 1056.30
    _wait_for(lambda: _text(driver, "#products-total-margin") == "¥1,056")

    _click(driver, lambda: driver.find_element(
        By.CSS_SELECTOR, "[id*='products-table'] .ag-center-cols-container .ag-row[row-id='P1'] .ag-cell"))
    _wait_for(lambda: "/product/P1" in driver.current_url)
    assert "method=moving_average" in driver.current_url
    _wait_for(lambda: _text(driver, "#product-title") == "工业网关（P1）", timeout=20)
    _wait_for(lambda: _text(driver, "#products-total-margin") == "¥456.30")
