"""« Relevé de compte » in a real browser: on a phone, tabs reached with the keyboard, no WCAG violation."""
import datetime as dt

import pytest

from tests.browser.helpers import OVERFLOW, sign_in
from tests.billing.helpers import NOW, issued_invoice, make_regie
from tests.factories import make_child, make_family, make_service
from webapp.billing import ledger

pytestmark = pytest.mark.browser


@pytest.fixture
def family(tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family)
    service = make_service(db, code="garderie", name="GARDERIE")
    regie = make_regie(db)
    first = issued_invoice(db, regie, family, child, service, 24320, number="AL-12", period_start=dt.date(2025, 10, 1))
    issued_invoice(db, regie, family, child, service, 12060, number="AL-36", period_start=dt.date(2025, 11, 1))
    ledger.record_payment(db, family.id, 24320, "cheque", NOW, "1234567", NOW, invoice_ids=[first.id])
    db.commit()
    return family


def test_statement_on_a_phone_with_the_keyboard(phone_page, url, family):
    sign_in(phone_page, url)
    assert "Factures impayées" in phone_page.content()  # (the Accueil's width is the children table's business)
    phone_page.get_by_role("link", name="Relevé de compte", exact=True).first.click()
    assert "Solde du compte pour l'année scolaire" in phone_page.content()
    assert phone_page.evaluate(OVERFLOW) <= 0
    phone_page.get_by_role("link", name="Mes règlements").focus()
    phone_page.keyboard.press("Enter")
    phone_page.wait_for_url("**onglet=reglements**")
    assert "AL-R1" in phone_page.content()


def test_billing_pages_have_no_wcag_violation(page, url, family):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    sign_in(page, url)
    for path in ("/accueil", "/releve-de-compte", "/releve-de-compte?onglet=reglements"):
        page.goto(url("alpha.test", path))
        results = axe_module.Axe().run(page, options=options)
        assert results.violations_count == 0, (path, results.generate_report())
