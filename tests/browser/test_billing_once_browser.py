"""Two quick clicks on « Nouveau règlement »'s button, in a real browser, record one payment (issue 15, point 3).

The server is made slow the way a busy one is: the test holds a write lock on the régie
while the agent clicks, so the first post is still running when the second one leaves
(the browser drops the first answer and shows the second, as on a real double click).
"""
import re

import pytest
from sqlalchemy import select, update

from tests.billing.helpers import make_regie
from tests.browser.test_family_admin_browser import agent_sign_in, alpha  # noqa: F401  (agent with TOTP)
from webapp.billing.models import Payment, Regie

pytestmark = pytest.mark.browser


def test_two_quick_clicks_on_the_payment_button_record_one_payment(page, url, alpha, tenant_db):  # noqa: F811
    db = tenant_db("alpha")
    make_regie(db)
    agent_sign_in(page, url, alpha)
    page.goto(url("alpha.test", "/agent/facturation/reglements/nouveau?famille=100100"))
    page.get_by_label("Montant reçu (€)").fill("12,50")
    page.get_by_label("Référence (n° de chèque, de CESU…)").fill("0012345")
    button = page.get_by_role("button", name="Enregistrer et éditer le reçu")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    db.execute(update(Regie).values(name=Regie.name))  # a busy server: writers wait (released below)
    box = button.bounding_box()  # the mouse, as an agent's: a locator would wait for the first navigation
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    try:
        with page.expect_request(lambda request: request.method == "POST"):
            page.mouse.click(x, y)
        with page.expect_request(lambda request: request.method == "POST"):
            page.mouse.click(x, y)
    finally:
        db.rollback()
    page.wait_for_url(re.compile(r"/agent/facturation/reglements/\d+$"))
    assert len(posts) == 2  # the browser did send the form twice
    content = page.content()
    assert "Reçu de paiement N° AL-R1" in content
    # Whichever post the database served first, the page shown is the one receipt.
    assert "Ce règlement a déjà été enregistré : AL-R1" in content or "Règlement AL-R1 enregistré." in content
    db.expire_all()
    assert [p.number for p in db.scalars(select(Payment))] == ["AL-R1"]
