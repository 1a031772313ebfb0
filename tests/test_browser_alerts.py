"""/alerts in real headless Chromium: the overview's 本期要点 and the navbar (still one line
on a laptop) lead to it, the fixture's one warning appears under its kind, empty kinds say
what they checked, and the warning's link opens the page that explains it."""

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for

# the fixture (as of 2024-03-15): P3 sold 3 more than it ever received; nothing else drifts
WARNING = "实施服务：已断货，但仍有销售（下限为 2 天的可售库存）。"


def test_alerts_page_lists_warnings_and_links_to_their_pages(browser):
    browser.wait_for_page(url=browser.server_url + "/")
    driver = browser.driver
    _wait_for(lambda: WARNING in driver.find_element(By.ID, "overview-changes").text)
    assert "查看全部 1 条预警" in driver.find_element(By.ID, "overview-changes").text
    links = driver.find_elements(By.CSS_SELECTOR, ".navbar .nav-link")
    assert "预警" in [link.text for link in links]
    assert len({round(link.location["y"]) for link in links if link.is_displayed()}) == 1  # one line
    _click(driver, lambda: next(link for link in links if link.text == "预警"))
    _wait_for(lambda: driver.find_element(By.ID, "alerts-summary").text == "共 1 条预警：高 1 条，中 0 条，机会 0 条")
    stock = driver.find_element(By.ID, "alerts-kind-stock").text
    assert WARNING in stock and "自 2023-12-17 起" in stock
    assert "暂无此类预警" in driver.find_element(By.ID, "alerts-kind-effort").text
    assert "CRM_ALERT_" in driver.find_element(By.ID, "alerts-rules").text
    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#alerts-kind-stock a"))
    _wait_for(lambda: driver.current_url.endswith("/product/P3"))
    # in English too the navbar keeps one line, and the page speaks English
    driver.add_cookie({"name": "lang", "value": "en"})
    driver.get(browser.server_url + "/alerts")
    summary = "Warnings: 1 (1 high, 0 medium, 0 opportunities)"
    _wait_for(lambda: driver.find_element(By.ID, "alerts-summary").text == summary)
    links = driver.find_elements(By.CSS_SELECTOR, ".navbar .nav-link")
    assert "Alerts" in [link.text for link in links]
    assert len({round(link.location["y"]) for link in links if link.is_displayed()}) == 1
