"""axe-core (npm, installed by `make test`) on every page in light and dark: no serious and
no critical violation. The script is read from node_modules and run inside the page, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_browser_presentation import PAGES, open_page

AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations.map(v => ({
  id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
}))))).catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}])));
"""


def serious_violations(browser) -> list[dict]:
    driver = browser.driver
    driver.execute_script(AXE.read_text())
    driver.set_script_timeout(60)
    found = json.loads(driver.execute_async_script(RUN_AXE))
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make test installs it)")
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_has_no_serious_accessibility_violation(browser, theme):
    found = {}
    for path in PAGES:
        open_page(browser, path, "zh-CN", theme)
        violations = serious_violations(browser)
        if violations:
            found[path] = violations
    summary = {path: {v["id"]: v["nodes"] for v in vs} for path, vs in found.items()}
    assert not found, json.dumps(summary, ensure_ascii=False, indent=1)
