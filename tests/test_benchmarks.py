"""The page benchmark (benchmarks/pages.py) renders a page as it loads: its layout and every
callback the page's query fires, not only the page callback."""

from __future__ import annotations

import queries
from benchmarks import pages as bench
from components.output_cache import outputs
from pages import funnel, overview, revenue


def test_a_page_render_is_every_callback_its_query_fires():
    assert bench.page_callbacks("overview") == (overview.update, overview.update_changes)  # what changed
    assert bench.page_callbacks("funnel") == (funnel.update, funnel.stage_options)
    assert bench.page_callbacks("revenue") == (revenue.update,)
    assert all(bench.page_callbacks(name) for name in bench.PAGES)


def test_a_cold_render_runs_each_of_them(warehouse):
    queries.clear_cache()
    misses = outputs.misses
    total, python = bench.render("overview", {"preset": "last_year"})
    assert outputs.misses == misses + 2  # the KPIs and charts, and what changed: both drawn
    assert total > 0 and python > 0
    queries.clear_cache()
