"""« Mon compte » and « Mes enfants » in a real browser: on a phone, accessible, a request end to end."""
import pytest

from tests.browser.helpers import OVERFLOW, sign_in
from tests.factories import make_child, make_family
from webapp.families.models import ChildHealth

pytestmark = pytest.mark.browser


@pytest.fixture
def family(tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db, city="ALPHA", postcode="73000", iban="FR7630006000011234567890189")
    child = make_child(db, family, first_name="Léna")
    db.add(ChildHealth(child_id=child.id, allergies="Kiwi", diets="gluten_free", pai="1"))
    db.commit()
    return family


def test_request_an_address_change_on_a_phone(phone_page, url, family):
    sign_in(phone_page, url)
    phone_page.get_by_role("link", name="Mon compte").click()
    assert "FR76 ••••" in phone_page.content()
    assert phone_page.evaluate(OVERFLOW) <= 0
    phone_page.get_by_role("link", name="Demander une modification – Responsable").click()
    assert phone_page.evaluate(OVERFLOW) <= 0
    phone_page.get_by_label("Code postal").fill("7300")
    phone_page.get_by_role("button", name="Enregistrer").click()
    assert "Code postal non valable" in phone_page.content()
    phone_page.get_by_label("Code postal").fill("73100")
    phone_page.get_by_label("Ville").fill("AIX-LES-BAINS")
    phone_page.get_by_role("button", name="Enregistrer").click()
    assert "Votre demande a été transmise à la mairie" in phone_page.content()
    assert "Demande en attente du" in phone_page.content()
    phone_page.get_by_role("link", name="Mes enfants").click()
    assert "Kiwi" in phone_page.content() and phone_page.evaluate(OVERFLOW) <= 0


def test_record_pages_have_no_wcag_violation(page, url, family):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    sign_in(page, url)
    for path in ("/mon-compte", "/mes-enfants", "/mon-compte/responsable", "/mes-enfants/ajouter"):
        page.goto(url("alpha.test", path))
        results = axe_module.Axe().run(page, options=options)
        assert results.violations_count == 0, (path, results.generate_report())
    page.goto(url("alpha.test", "/mon-compte/bank"))
    page.get_by_label("IBAN").fill("FR00 1234")
    page.get_by_role("button", name="Enregistrer").click()
    assert "IBAN non valable" in page.content()
    results = axe_module.Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
