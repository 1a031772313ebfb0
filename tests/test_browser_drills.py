"""Drills in real headless Chromium (issue #16): a pyramid bar and an RFM cell on /customers
narrow the list (they answered HTTP 500), and the filter chips show and remove filters."""

from urllib.parse import unquote

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _click_until, _wait_for


def _click_chart(driver, css, until):
    return _click_until(driver, lambda: driver.find_element(By.CSS_SELECTOR, css), until)


def test_chart_clicks_on_customers_and_filter_chips(browser):
    driver = browser.driver
    browser.wait_for_page(url=browser.server_url + "/customers")
    _click_chart(driver, "#card-customers-pyramid g.point path", lambda: "tier=" in driver.current_url)
    _click_chart(driver, "#card-customers-rfm .nsewdrag",
                 lambda: "cell=" in driver.current_url and "tier=" not in driver.current_url)

    browser.wait_for_page(url=browser.server_url + "/revenue?region=华东&category=软件")
    _wait_for(lambda: driver.find_element(By.ID, "f-more").text == "更多筛选 (2)")
    chips = lambda: driver.find_elements(By.CSS_SELECTOR, "#f-chips .filter-chip")  # noqa: E731
    _wait_for(lambda: [c.text for c in chips()] == ["地区: 华东 ×", "产品类别: 软件 ×"])
    _click(driver, lambda: chips()[1])
    _wait_for(lambda: "category" not in unquote(driver.current_url) and "region=华东" in unquote(driver.current_url))
    _wait_for(lambda: driver.find_element(By.ID, "f-more").text == "更多筛选 (1)")
