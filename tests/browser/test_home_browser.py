"""The family « Accueil » on a 375 px phone: nothing scrolls sideways, children's links reachable."""
import datetime as dt

import pytest

from tests.browser.helpers import OVERFLOW, sign_in
from tests.billing.helpers import issued_invoice, make_regie
from tests.factories import make_child, make_family, make_service

pytestmark = pytest.mark.browser


@pytest.fixture
def family(tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db)
    service = make_service(db)
    regie = make_regie(db)
    for name in ("Léna", "Hugo", "Marie-Charlotte"):
        child = make_child(db, family, first_name=name, school="École maternelle et élémentaire de Saint-Étienne")
    issued_invoice(db, regie, family, child, service, 12060, number="AL-36", period_start=dt.date(2025, 11, 1))
    return family


def test_home_fits_a_phone_and_leads_to_planning_and_record(phone_page, url, family):
    sign_in(phone_page, url)
    assert phone_page.evaluate("() => window.innerWidth") == 375
    assert phone_page.evaluate(OVERFLOW) <= 0, "the Accueil is wider than the phone's screen"
    assert "AL-36" in phone_page.content()
    phone_page.get_by_role("link", name="Voir la fiche – Hugo").click()
    phone_page.wait_for_url("**/mes-enfants#child-*")
    assert phone_page.evaluate(OVERFLOW) <= 0
    phone_page.go_back()
    phone_page.get_by_role("link", name="Léna – voir son planning").click()
    phone_page.wait_for_url("**/enfants/*/planning*")
