"""/data in real headless Chromium: the build shows, the template downloads as a ZIP."""

import zipfile
from pathlib import Path

from selenium.webdriver.common.by import By

from data import rules
from tests.test_browser_overview import _click, _wait_for


def test_data_page_and_template_download(browser):
    browser.wait_for_page(url=browser.server_url + "/data")
    driver = browser.driver
    _wait_for(lambda: "fixture" in driver.find_element(By.ID, "data-build").text)
    assert "2024-03-15" in driver.find_element(By.ID, "data-build").text
    _wait_for(lambda: "¥2,200" in driver.find_element(By.ID, "data-costing").text)

    _click(driver, lambda: driver.find_element(By.ID, "data-template"))
    target = Path(browser.download_path) / "crm_import_template.zip"
    _wait_for(lambda: target.exists() and zipfile.is_zipfile(target))
    names = set(zipfile.ZipFile(target).namelist())
    assert names == {f"crm_import_template/{t}.csv" for t in rules.TABLES} | {"crm_import_template/mapping.toml"}
