"""Drills in real headless Chromium (issue #16): a pyramid bar and an RFM cell on /customers
narrow the list (they answered HTTP 500), and the filter chips show and remove filters."""

from urllib.parse import unquote

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for


def _click_chart(driver, css, until):
    """Click where ``css`` is drawn (plotly takes clicks on its drag layer above the marks)
    until ``until()`` holds: a click while the page re-renders its charts is lost."""

    def attempt():
        element = driver.find_element(By.CSS_SELECTOR, css)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        ActionChains(driver).move_to_element(element).pause(0.3).click().perform()
        try:
            return _wait_for(until, timeout=2.0)
        except AssertionError:
            return False

    _wait_for(attempt, timeout=20.0)


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
