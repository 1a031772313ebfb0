"""Sign-in in real headless Chromium: a rep signs in, sees only their own customers,
finds another rep's customer "not found", and signs out; disabled while signed in, the
next page change lands on the login form."""

from selenium.webdriver.common.by import By

from crm import users
from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.test_browser_overview import _click, _wait_for


def test_rep_sees_only_their_book_then_signs_out(browser_signed_out):
    browser = browser_signed_out
    driver = browser.driver
    users.add("rep", TEST_PASSWORD, scope_kind="own", rep_id="R3", display_name="王强")
    # an anonymous visit goes to the login page, which then leads back to the page asked for
    driver.get(browser.server.url + "/customers?preset=custom&start=2023-01-01&end=2024-03-15")
    _wait_for(lambda: "/login?next=" in driver.current_url)
    browser.find_element("#login-name").send_keys("rep")
    browser.find_element("#login-password").send_keys(TEST_PASSWORD)
    browser.find_element("#login-submit").click()
    _wait_for(lambda: "/customers" in driver.current_url and driver.find_elements(By.ID, "nav-logout"))
    assert "王强" in driver.find_element(By.ID, "nav-logout").get_attribute("title")
    assert not driver.find_elements(By.ID, "nav-admin")
    # R3's purchasing customers of 2023 to as_of: C6 600 (the pool customer R3 sold to), C5 400, C3 300
    rows = ('//*[contains(@id, "customers-list") and contains(@id, "grid")]'  # the name is pinned on the left
            '//div[contains(@class, "ag-pinned-left-cols-container")]//div[@role="row" and @row-index]')
    _wait_for(lambda: sorted(r.find_element(By.XPATH, './/div[@col-id="customer_name"]').text
                             for r in driver.find_elements(By.XPATH, rows))
              == ["北京华泰实业", "天津港务物流", "青岛海风食品"])
    assert "上海恒信贸易" not in driver.find_element(By.TAG_NAME, "body").text
    # another rep's customer: not found
    browser.wait_for_page(url=browser.server.url + "/customer/C1")
    _wait_for(lambda: driver.find_elements(By.ID, "customer-not-found"))
    assert "上海恒信贸易" not in driver.find_element(By.TAG_NAME, "body").text
    # sign out: back to the login page, and the dashboards are closed again
    _click(driver, lambda: driver.find_element(By.ID, "nav-logout"))
    _wait_for(lambda: driver.find_elements(By.ID, "login-name"))
    driver.get(browser.server.url + "/customers")
    _wait_for(lambda: "/login?next=%2Fcustomers" in driver.current_url)
    browser_sign_in(browser, "rep")  # and signing in again works
    _wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".kpi-value"))  # the overview has drawn
    # disabled while signed in: the next page change (a Dash request, answered 401) lands on the login form
    users.update("rep", disabled=True)
    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, 'a[href^="/team"]'))
    _wait_for(lambda: "/login?next=" in driver.current_url and driver.find_elements(By.ID, "login-name"))
