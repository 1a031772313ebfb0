"""The customer drill-down in real headless Chromium: pyramid tier -> customer list ->
the customer's page."""

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for


def test_pyramid_tier_to_customer_page(browser):
    driver = browser.driver
    driver.set_window_size(1400, 1000)  # the desktop layout: pyramid beside Pareto, list below
    browser.wait_for_page(url=browser.server_url + "/customers")
    tier = '//button[contains(@id, "tier:vip")]'
    _click(driver, lambda: driver.find_element(By.XPATH, tier))
    _wait_for(lambda: "tier=vip" in driver.current_url)
    # the list now holds the one VIP of this year: C4 苏州新材料 (1500 of 3200)
    # the rows' key and name columns, pinned on the left (the rest of each row scrolls beside them)
    rows = ('//*[contains(@id, "customers-list") and contains(@id, "grid")]'
            '//*[contains(@class, "ag-pinned-left-cols-container")]//div[@role="row" and @row-index]')
    _wait_for(lambda: [r.text for r in driver.find_elements(By.XPATH, rows)] and all(
        "苏州新材料" in r.text for r in driver.find_elements(By.XPATH, rows)))
    _click(driver, lambda: driver.find_element(By.XPATH, rows + '//div[@col-id="customer_name"]'))
    _wait_for(lambda: driver.current_url.split("?")[0].endswith("/customer/C4"))
    _wait_for(lambda: driver.find_element(By.ID, "customer-title").text == "苏州新材料")
    assert "VIP" in driver.find_element(By.ID, "customer-value").text
