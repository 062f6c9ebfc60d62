"""« Payer en ligne » in chromium: the CSP lets the form reach PayFiP's page, and the family comes back.

Beta's base_url is pointed at the live server for this test (PayFiP's return address comes
from it); the stand-in runs on its own loopback port, as PayFiP would on its own host.
"""
import pytest
from sqlalchemy import select

from tests.factories import make_family  # noqa: F401  (used through billed_family)
from tests.payfip.conftest import billed_family, standin  # noqa: F401  (fixture)
from webapp.billing.models import Payment

pytestmark = pytest.mark.browser


@pytest.fixture
def beta_on_live_server(app, live_server, monkeypatch):
    registry = app.extensions["tenancy"].registry
    beta = registry.get("beta")
    changed = beta.model_copy(update={"base_url": f"http://famille.beta.test:{live_server}"})
    monkeypatch.setitem(registry._by_slug, "beta", changed)
    for host in beta.hosts:
        monkeypatch.setitem(registry._by_host, host, changed)


def test_family_pays_an_invoice_through_payfip(page, url, tenant_db, standin, beta_on_live_server):
    db = tenant_db("beta")
    billed_family(db, totals=(4250,))
    page.goto(url("famille.beta.test"))
    page.get_by_label("Identifiant", exact=True).fill("100100")
    page.get_by_label("Mot de passe", exact=True).fill("Famille2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    page.goto(url("famille.beta.test", "/releve-de-compte"))
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    with page.expect_navigation(url=f"{standin.url}/tpa/paiementws.web?idop=*"):
        page.get_by_role("button", name="Payer en ligne la facture AL00-1").click()
    assert not blocked
    with page.expect_navigation(url=url("famille.beta.test", "/paiement-en-ligne/retour/*")):
        page.get_by_role("button", name="Payer (paiement accepté)").click()
    assert page.get_by_role("status").inner_text().strip().endswith("Paiement accepté")
    assert db.scalars(select(Payment.amount_cents)).all() == [4250]
