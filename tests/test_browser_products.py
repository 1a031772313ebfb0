"""/products in real headless Chromium: switching the costing method rewrites the URL and
the margin; a row of the products table opens the product's page with the method; the
keyboard reaches a product of the treemap."""

from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.test_browser_overview import _click, _wait_for
from tests.test_browser_presentation import open_page


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


def _tab_to(driver, element_id, limit=150):
    """Press Tab (from where the focus is), at most ``limit`` times, until ``element_id`` has the
    focus: the keyboard reaches it."""
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.execute_script("return document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_reaches_a_product_of_the_treemap(browser):
    """Without a mouse: Tab from the top of /products to the treemap's category choice and on to its
    product choice, open it, search, choose: the product's page opens, as a click on its tile."""
    driver = browser.driver
    open_page(browser, "/products?method=moving_average")
    _wait_for(lambda: _text(driver, "#products-total-margin") == "¥1,056", timeout=30)
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    _tab_to(driver, "products-treemap-pick")
    _tab_to(driver, "products-treemap-product", limit=1)  # the very next stop
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    _wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-search"))
    ActionChains(driver).send_keys("工业").perform()
    _wait_for(lambda: [o.text for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]")]
              == ["硬件 · 工业网关 (P1)"])
    ActionChains(driver).send_keys(Keys.ARROW_DOWN).send_keys(Keys.ENTER).perform()
    _wait_for(lambda: "/product/P1" in driver.current_url, timeout=20)
    assert "method=moving_average" in driver.current_url
    _wait_for(lambda: _text(driver, "#product-title") == "工业网关（P1）", timeout=20)


def test_cards_drawn_from_the_mix_export_its_data(browser):
    """The treemap, Pareto and comparison cards export the mix card's data, which the page sends
    once and the browser copies to them: the Pareto card's CSV is the mix card's, row for row."""
    driver = browser.driver
    browser.wait_for_page(url=browser.server_url + "/products")
    _wait_for(lambda: _text(driver, "#products-total-margin") == "¥1,050", timeout=30)
    files = {}
    for card in ("products-mix", "products-pareto"):
        _click(driver, lambda card=card: driver.find_element(By.CSS_SELECTOR, f"#card-{card} .dropdown-toggle"))
        _click(driver, lambda card=card: driver.find_element(
            By.XPATH, f"//*[@id='card-{card}']//*[text()='数据 (CSV)']"))
        target = Path(browser.download_path) / f"products_{card}_2024-01-01_2024-03-15.csv"
        _wait_for(target.exists)
        _wait_for(lambda target=target: target.read_text(encoding="utf-8-sig").count("\n") >= 4)
        files[card] = target.read_text(encoding="utf-8-sig").splitlines()
    assert files["products-pareto"] == files["products-mix"]
    assert [line.split(",")[0] for line in files["products-mix"][1:]] == ["P1", "P2", "P3"]
