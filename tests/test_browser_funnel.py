"""The funnel in real headless Chromium: a click on a stage of the snapshot funnel puts
it in the URL and lists its open deals, each linking to its customer's page."""

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click_until, _wait_for

SNAPSHOT_POINTS = '[id=\'{"card":"funnel-snapshot","type":"chart"}\'] g.point path'
SELECTED = "stage=%E6%96%B9%E6%A1%88%E6%8A%A5%E4%BB%B7"  # 方案报价


def test_funnel_stage_drills_into_its_deals(browser):
    browser.wait_for_page(url=browser.server_url + "/funnel")
    driver = browser.driver

    # the snapshot funnel on 15 March: 初步接洽, 需求确认 (O2), 方案报价 (O1), top down
    # (a second click on the stage would clear it)
    def stage():
        bars = driver.find_elements(By.CSS_SELECTOR, SNAPSHOT_POINTS)
        return bars[2] if len(bars) == 3 else None

    _click_until(driver, stage, lambda: SELECTED in driver.current_url)
    # the grid may be redrawn while it is read: read text and address in one go, retrying
    link = _wait_for(lambda: (lambda a: (a.text, a.get_attribute("href")))(
        driver.find_element(By.CSS_SELECTOR, "[col-id=customer_name] a")), timeout=20)
    assert link[0] == "上海恒信贸易"
    assert link[1].endswith("/customer/C1")
    assert driver.find_element(By.ID, "funnel-drill-note").text == \
        "方案报价：2024-03-15 共 1 个在途商机。再次点击该阶段可取消选择。"
