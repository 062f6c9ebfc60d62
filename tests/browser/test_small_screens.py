"""On a phone-sized screen (375×740) no page scrolls sideways (WCAG 1.4.10 Reflow)."""
import pytest
from tests.browser.helpers import OVERFLOW

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "host, path",
    [("alpha.test", "/"), ("beta.test", "/"), ("portail.test", "/"), ("portail.test", "/?q=a")],
    ids=["alpha", "beta", "directory", "directory-results"],
)
def test_no_horizontal_scrolling_on_a_phone(phone_page, url, host, path):
    phone_page.goto(url(host, path))
    assert phone_page.evaluate("() => window.innerWidth") == 375
    assert phone_page.evaluate(OVERFLOW) <= 0, "the page is wider than the phone's screen"
    # The main action stays inside the screen, not clipped off its right edge.
    action = phone_page.locator("main").get_by_role("button").first
    box = action.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
