"""The dashboard's charts are readable on a phone: drawn again, narrower and with larger
texts, rather than a desktop drawing shrunk to 375 px."""

from __future__ import annotations

import pytest

from .portal_data import DESKTOP, MEMBER, PHONE, log_in, make_portal

# The smallest text of the visible charts, in CSS pixels as drawn: each <text>'s font size
# times the scale at which its <svg> is shown (its drawn width over its own width).
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll(".charts svg")]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
    return [...svg.querySelectorAll("text")]
      .filter(text => text.textContent.trim())
      .map(text => parseFloat(getComputedStyle(text).fontSize) * scale);
  }))"""
VISIBLE_CHARTS = """() => [...document.querySelectorAll(".charts svg")]
  .filter(svg => svg.getBoundingClientRect().width > 0).length"""


@pytest.fixture
def portal(transactional_db):
    return make_portal()


@pytest.mark.parametrize("viewport, smallest", [(PHONE, 12.0), (DESKTOP, 11.0)])
def test_chart_texts_are_readable(browser, live_server, portal, viewport, smallest):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    log_in(page, live_server.url, *MEMBER)
    page.goto(f"{live_server.url}/p/{portal.a_closed.pk}/dashboard/")
    assert page.evaluate(VISIBLE_CHARTS) == 3  # one drawing of each chart, not two
    assert page.evaluate(SMALLEST_TEXT) >= smallest
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
