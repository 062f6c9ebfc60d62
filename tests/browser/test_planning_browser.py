"""The family planning in chromium: keyboard only on a phone, ranges and the right-click menu on a desktop.

Beta (rolling J-2 at 23:59, automatic), the clock pinned on Monday 8 December 2025, 10:00 in Paris:
the first open canteen day is Thursday 11 December.
"""
import re

import pytest

from tests.browser.helpers import OVERFLOW, type_credentials
from tests.factories import enrol, make_child, make_family, make_service

pytestmark = pytest.mark.browser


@pytest.fixture
def child(tenant_db, clock):
    db = tenant_db("beta")
    family = make_family(db)
    child = make_child(db, family)
    enrol(db, child, make_service(db), make_service(db, code="garderie_matin", name="GARDERIE MATIN",
                                                     weekdays="1111100"))
    return child


def open_planning(page, url, child) -> None:
    page.goto(url("beta.test"))
    with page.expect_navigation(url=url("beta.test", "/accueil")):
        type_credentials(page, "100100", "Famille2026")
    page.goto(url("beta.test", f"/enfants/{child.id}/planning?mois=2025-12"))


def tab_into_grid(page) -> None:
    """From the last month link, one Tab reaches the grid (a single Tab stop, roving focus)."""
    page.get_by_role("link", name="Mois suivant »").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('cell__box')")


def focused_label(page) -> str:
    """The focused box's accessible name, as chromium computes it for screen readers (aria-labelledby:
    row, day and state written once per page; the cell's own icon and short text are aria-hidden)."""
    [name] = checkbox_names(page.locator(":focus").aria_snapshot())
    return name


def checkbox_names(aria_snapshot: str) -> list[str]:
    """The names of the checkboxes in a Playwright ARIA snapshot (`- checkbox "name"` lines, quoted
    as YAML when the name has a colon)."""
    return re.findall(r"^\s*- '?checkbox \"([^\"]*)\"", aria_snapshot, re.M)


def test_book_then_declare_an_absence_with_the_keyboard_on_a_phone(phone_page, url, child):
    page = phone_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    open_planning(page, url, child)
    assert page.evaluate(OVERFLOW) <= 0, "the page is wider than the phone's screen"
    assert page.locator(".grid-scroll").first.evaluate("e => e.scrollWidth > e.clientWidth")  # the grid scrolls

    tab_into_grid(page)
    assert page.evaluate("() => document.activeElement.value").endswith(":2025-12-11")
    page.keyboard.press("ArrowRight")  # Friday 12
    page.keyboard.press("ArrowRight")  # the weekend has nothing to tick: Monday 15
    assert page.evaluate("() => document.activeElement.value").endswith(":2025-12-15")
    page.keyboard.press("Space")
    assert page.get_by_text("1 jour sélectionné").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Demander une réservation"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").first.inner_text() == "1 jour réservé."
    assert page.get_by_role("checkbox", name="Léo, RESTAURATION, lundi 15 décembre : réservé", exact=True).count() == 1

    tab_into_grid(page)
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.value").endswith(":2025-12-15")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # « Demander une réservation »
    page.keyboard.press("Tab")  # « Retirer la demande »
    page.keyboard.press("Tab")  # the first motive
    assert page.evaluate("() => document.activeElement.labels[0].textContent") == "RAISON MEDICALE"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Fièvre")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Déclarer une absence"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").first.inner_text() == "1 absence enregistrée."
    canteen = page.locator("tr", has=page.get_by_role("rowheader", name="RESTAURATION"))
    assert canteen.locator("td").nth(14).get_by_text("absent excusé", exact=True).count() == 1  # Monday 15
    assert page.get_by_role("cell", name="absent excusé", exact=True).count() == 1  # its name, with its headers
    assert page.locator('input[value$=":2025-12-15"]').count() == 1  # the morning care only: nothing left to do
    assert page.evaluate(OVERFLOW) <= 0
    assert not [text for text in console if "Content Security Policy" in text], console


def test_every_box_is_named_with_child_service_day_and_state(page, url, child):
    """What a screen reader announces for each box (chromium's accessibility tree), though no cell
    spells it out: the names come from aria-labelledby."""
    open_planning(page, url, child)
    names = checkbox_names(page.locator("form[data-planning]").aria_snapshot())
    assert len(names) > 10
    for name in names:
        assert re.fullmatch(r"Léo, (RESTAURATION|GARDERIE MATIN), \w+ \d+ décembre : .+", name), name
    assert "Léo, RESTAURATION, jeudi 11 décembre : libre" in names
    assert "Léo, GARDERIE MATIN, lundi 15 décembre : libre" in names
    assert page.get_by_role("checkbox", name="Léo, RESTAURATION, vendredi 12 décembre : libre", exact=True).count() == 1


def test_arrows_move_between_services_and_the_service_column_stays(phone_page, url, child):
    page = phone_page
    open_planning(page, url, child)
    tab_into_grid(page)
    page.keyboard.press("ArrowDown")
    assert focused_label(page) == "Léo, GARDERIE MATIN, jeudi 11 décembre : libre"
    page.keyboard.press("End")
    assert focused_label(page) == "Léo, GARDERIE MATIN, vendredi 19 décembre : libre"  # then the holidays
    grid = page.locator(".grid-scroll").first
    assert grid.evaluate("e => e.scrollLeft") > 0  # the focused day was scrolled into view
    service = page.get_by_role("rowheader", name="GARDERIE MATIN").bounding_box()
    assert service is not None and 0 <= service["x"] < 40  # sticky: still at the left edge


def test_shift_click_ticks_a_range_and_the_right_click_menu_books_it(page, url, child):
    open_planning(page, url, child)
    first = page.locator('input[value$=":2025-12-11"]').first
    last = page.locator('input[value$=":2025-12-16"]').first
    page.locator(f'label[for="{first.get_attribute("id")}"]').click()
    page.locator(f'label[for="{last.get_attribute("id")}"]').click(modifiers=["Shift"])
    assert page.get_by_text("4 jours sélectionnés").is_visible()  # Thursday 11, Friday 12, Monday 15, Tuesday 16
    page.locator(f'label[for="{last.get_attribute("id")}"]').click(button="right")
    menu = page.get_by_role("menu")
    assert menu.get_by_role("menuitem").all_inner_texts() == ["Demander une réservation"]
    page.keyboard.press("Escape")
    assert menu.count() == 0
    page.locator(f'label[for="{last.get_attribute("id")}"]').click(button="right")
    with page.expect_navigation():
        page.get_by_role("menuitem", name="Demander une réservation").click()
    assert page.get_by_role("status").first.inner_text() == "4 jours réservés."


@pytest.mark.parametrize("path", ["/enfants/{id}/planning?mois=2025-12", "/planning?mois=2025-12",
                                  "/planning/regulier"])
def test_planning_pages_have_no_wcag_violation(page, url, child, path):
    axe = pytest.importorskip("tests.browser.test_accessibility")
    open_planning(page, url, child)
    page.goto(url("beta.test", path.format(id=child.id)))
    results = axe.axe_violations(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_summary_of_a_pattern_has_no_wcag_violation(page, url, child):
    axe = pytest.importorskip("tests.browser.test_accessibility")
    open_planning(page, url, child)
    page.goto(url("beta.test", "/planning/regulier"))
    page.get_by_label("Mardi").check()
    page.get_by_label("Jusqu'au").fill("2025-12-19")
    with page.expect_navigation():
        page.get_by_role("button", name="Réserver ces jours").click()
    assert page.get_by_role("heading", name="Réservation régulière").is_visible()
    refusal = page.get_by_text("Pour le mardi 9 décembre, la date limite était le dimanche 7 décembre à 23h59")
    assert refusal.count() == 2  # both services ticked by default
    results = axe.axe_violations(page)
    assert results.violations_count == 0, results.generate_report()
