"""/receivables in real headless Chromium: choosing an aging bucket writes it to the URL
and narrows the overdue instalments to that bucket."""

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for

# the plan id is the first column, pinned on the left
GRID_ROWS = "[id='{\"card\":\"rcv-overdue\",\"type\":\"grid\"}'] .ag-pinned-left-cols-container .ag-row"


def _plans(driver):
    rows = driver.find_elements(By.CSS_SELECTOR, GRID_ROWS)
    return sorted(row.find_element(By.CSS_SELECTOR, "[col-id=plan_id]").text for row in rows)


def test_aging_bucket_narrows_the_overdue_list(browser):
    browser.wait_for_page(url=browser.server_url + "/receivables")
    driver = browser.driver
    # as of 15 March 2024: PL04 (14 days late), PL03 (288) and PL07 (380) are overdue
    _wait_for(lambda: _plans(driver) == ["PL03", "PL04", "PL07"])
    _click(driver, lambda: next(label for label in driver.find_elements(By.CSS_SELECTOR, "#rcv-bucket label")
                                if label.text == "90天以上"))
    _wait_for(lambda: "bucket=90%2B" in driver.current_url)
    _wait_for(lambda: _plans(driver) == ["PL03", "PL07"])
    # the choice survives a reload: it lives in the URL
    driver.refresh()
    _wait_for(lambda: _plans(driver) == ["PL03", "PL07"])
    assert driver.find_element(By.CSS_SELECTOR, "#rcv-bucket input:checked").get_attribute("value") == "90+"
