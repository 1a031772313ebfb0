"""/revenue in real headless Chromium: switch the measure and the bucket (the URL keeps
them), then click a slice of the breakdown and land on a URL narrowed to it."""

from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _click_until, _wait_for


def _query(driver) -> dict:
    return parse_qs(urlparse(driver.current_url).query)


def _bars(driver):
    return [b for b in driver.find_elements(By.CSS_SELECTOR, "#card-revenue-breakdown g.point path")
            if b.size["height"] > 2]


def test_revenue_measure_bucket_and_slice_click(browser):
    browser.wait_for_page(url=browser.server_url + "/revenue")
    driver = browser.driver
    _wait_for(lambda: len(_bars(driver)) > 0, timeout=30)  # the first render builds every card

    _click(driver, lambda: driver.find_element(By.XPATH, "//label[text()='回款金额']"))
    _wait_for(lambda: _query(driver).get("measure") == ["payments"])
    _click(driver, lambda: driver.find_element(By.XPATH, "//label[text()='周']"))
    _wait_for(lambda: _query(driver).get("bucket") == ["week"])
    assert _query(driver)["measure"] == ["payments"]
    # the series now has this year's weeks (2024-W01 .. 2024-W11): the chart's axis and the table
    _wait_for(lambda: "2024-W11" in driver.page_source and "2024-W01" in driver.find_element(
        By.ID, "card-revenue-series").get_attribute("innerHTML"))

    # this year's payments all belong to team 华东区 (T2: R1 and R2 of its sub-team T4); a
    # second click would land on the drilled chart (its bar is sub-team T4)
    _click_until(driver, lambda: (_bars(driver) or [None])[0], lambda: _query(driver).get("team"))
    assert _query(driver).get("team") == ["T2"]
    assert _query(driver)["measure"] == ["payments"] and _query(driver)["bucket"] == ["week"]
    _wait_for(lambda: driver.find_element(By.ID, "f-team").text.startswith("华东区"))
