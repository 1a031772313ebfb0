"""A 375 px phone in real headless Chromium, on every page: nothing wider than the screen
(charts and grids scroll inside their cards), the latest period of every time series
labelled and its label not clipped; the /products ranking panels apart, the menu closes
after a choice."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.test_browser_overview import _click, _wait_for
from tests.test_browser_presentation import PAGES, open_page

PAGE_WIDER_THAN_SCREEN = "return document.documentElement.scrollWidth > window.innerWidth"
# grids and charts whose right edge passes their card's
OVERFLOWING = """
return Array.from(document.querySelectorAll('.ag-root-wrapper, .dash-graph')).filter(el => {
  const card = el.closest('.card-body');
  return card && el.offsetParent !== null &&
    el.getBoundingClientRect().right > card.getBoundingClientRect().right + 1 &&
    card.scrollWidth <= card.clientWidth;
}).map(el => el.closest('.card').id || el.className);
"""


# The x axes of time series (monthly date axes, category axes of periods: 2024-03, 2024-Q1):
# the label furthest right must lie inside the chart, and the latest period must have a label
# (plotly thins a crowded category axis from the first label: the last month's was dropped).
TIME_AXIS_PROBLEMS = r"""
const PERIOD = /^\d{4}(-(\d{2}|Q\d|W\d{2})(-\d{2})?)?$/;
const problems = [];
document.querySelectorAll('.js-plotly-plot').forEach(gd => {
  const full = gd._fullLayout;
  if (!full || gd.offsetParent === null) { return; }
  const card = (gd.closest('.card') || {}).id || '?';
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  Object.keys(full).filter(k => /^xaxis\d*$/.test(k)).forEach(k => {
    const ax = full[k];
    const labels = Array.from(gd.querySelectorAll('.' + ax._id + 'tick text')).filter(t => t.textContent);
    const texts = labels.map(t => t.textContent);
    const monthly = ax.type === 'date' && ax.dtick === 'M1';
    if (!labels.length || !(monthly || (ax.type === 'category' && texts.every(t => PERIOD.test(t))))) { return; }
    const box = el => el.getBoundingClientRect();
    const last = labels.reduce((a, b) => (box(b).right > box(a).right ? b : a));
    const r = box(last);
    if (r.right > svg.right + 1 || r.left < svg.left - 1 || r.bottom > svg.bottom + 1) {
      problems.push(card + ' ' + k + ': "' + last.textContent + '" clipped');
    }
    let latest;
    if (monthly) {
      const xs = gd.data.flatMap(tr => ((tr.xaxis || 'x') === ax._id && Array.isArray(tr.x) ? tr.x : []));
      latest = xs.map(x => String(x).slice(0, 7)).sort().pop();
      if (latest && !texts.some(t => t >= latest)) { latest = latest + ' (labels end at ' + texts.slice(-1) + ')'; }
      else { latest = null; }
    } else {
      const cats = ax._categories || [];
      latest = texts.includes(String(cats[cats.length - 1])) ? null : cats[cats.length - 1];
    }
    if (latest) { problems.push(card + ' ' + k + ': latest period ' + latest + ' has no label'); }
  });
});
return problems;
"""
# a long period: many months, so the time axes are crowded and their labels tilted
LONG_PERIOD = "preset=custom&start=2022-06-01&end=2024-03-15"


def test_phone_layout(browser):
    driver = browser.driver
    driver.set_window_size(375, 812)
    for path in (*PAGES, "/alerts"):
        open_page(browser, path + ("&" if "?" in path else "?") + LONG_PERIOD)
        assert not driver.execute_script(PAGE_WIDER_THAN_SCREEN), path
        assert driver.execute_script(OVERFLOWING) == [], path
        assert driver.execute_script(TIME_AXIS_PROBLEMS) == [], path

    # the three ranking panels keep their width (no panel drawn over another): the card scrolls
    open_page(browser, "/products")
    mix = driver.find_element(By.CSS_SELECTOR, "#card-products-mix .dash-graph")
    assert mix.size["width"] >= 760
    body = driver.find_element(By.CSS_SELECTOR, "#card-products-mix .card-body")
    assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", body)

    # the menu closes once a page is chosen
    _click(driver, lambda: driver.find_element(By.ID, "nav-toggle"))
    _wait_for(lambda: driver.find_element(By.ID, "nav-collapse").is_displayed())
    _click(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#nav-collapse a[href^='/team']"))
    _wait_for(lambda: "/team" in driver.current_url)
    _wait_for(lambda: not driver.find_element(By.ID, "nav-collapse").is_displayed())
