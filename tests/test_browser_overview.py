"""The overview in real headless Chromium: period change -> KPIs and URL change,
language switch, a chart's CSV and SVG downloads."""

import time
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By


def _wait_for(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = predicate()
        except Exception:  # the page may be re-rendering
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _click(driver, find):
    """Find, scroll into view and click, retrying while the page re-renders or a
    loading overlay covers the element."""

    def attempt():
        element = find()
        # instant: Bootstrap's smooth scrolling would still be moving the element when it is clicked
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        element.click()
        return True

    _wait_for(attempt)


def _click_until(driver, find, until, settle=8.0, timeout=45.0):
    """Click what ``find()`` returns (a chart's mark: plotly takes clicks on whatever is drawn
    under the pointer) once, then give ``until()`` ``settle`` seconds to hold before clicking
    again: a click while the chart is redrawn is lost, and a second click soon after a
    successful one would land on the redrawn chart (a drill toggles or narrows further)."""

    def attempt():
        element = find()
        if element is None:
            return False
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        ActionChains(driver).move_to_element(element).pause(0.3).click().perform()
        try:
            return _wait_for(until, timeout=settle)
        except AssertionError:
            return False

    return _wait_for(attempt, timeout=timeout)


def _kpi(browser):
    return browser.find_element(".kpi-value").text


def test_overview_period_language_and_export(browser):
    browser.wait_for_page(url=browser.server_url + "/")
    _wait_for(lambda: _kpi(browser) == "¥3,200")
    driver = browser.driver

    _click(driver, lambda: driver.find_element(By.ID, "f-preset"))
    _click(driver, lambda: next(o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == "上月"))
    _wait_for(lambda: "preset=last_month" in driver.current_url)
    _wait_for(lambda: _kpi(browser) == "¥2,100")

    _click(driver, lambda: driver.find_element(By.ID, "lang-switch"))
    _wait_for(lambda: browser.find_element(".kpi-label").text == "Contract amount")
    assert "preset=last_month" in driver.current_url
    assert browser.find_element("#f-preset").text == "Last month"

    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#card-trend .dropdown-toggle"))
    _click(driver, lambda: driver.find_element(By.XPATH, "//*[@id='card-trend']//*[text()='Data (CSV)']"))
    target = Path(browser.download_path) / "overview_trend_2024-02-01_2024-02-29.csv"
    _wait_for(target.exists)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    # a one-month period: its days (issue #16), 28 February against 28 February 2023 (K02 500)
    assert lines[0] == "Day,Contract amount,Contract amount a year earlier,YoY %"  # headers in English
    assert lines[28] == "2024-02-28,0,500,-1.0" and lines[29] == "2024-02-29,1500,500,2.0"

    # the chart itself, drawn by plotly.js in the browser
    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#card-trend .dropdown-toggle"))
    _click(driver, lambda: driver.find_element(By.XPATH, "//*[@id='card-trend']//*[text()='Chart (SVG)']"))
    svg = Path(browser.download_path) / "overview_trend.svg"
    _wait_for(svg.exists)
    assert svg.read_text().startswith("<svg")
