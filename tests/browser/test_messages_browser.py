"""« Boîte de réception » in chromium on a 375 px phone: a family signs in and writes to the commune."""
import pytest
from sqlalchemy import select

from tests.browser.helpers import OVERFLOW, type_credentials
from tests.factories import make_family
from webapp.messages.models import Message

pytestmark = pytest.mark.browser


def test_a_family_sends_a_message_on_a_phone(phone_page, url, tenant_db, clock):
    db = tenant_db("alpha")
    make_family(db)
    page = phone_page
    page.goto(url("alpha.test"))
    with page.expect_navigation(url=url("alpha.test", "/accueil")):
        type_credentials(page, "100100", "Famille2026")
    page.get_by_role("link", name="Boîte de réception").click()
    page.get_by_role("link", name="Nouveau message").click()
    assert page.evaluate(OVERFLOW) <= 0, "the page is wider than the phone's screen"
    page.get_by_label("Titre").fill("Demande de renseignements")
    page.get_by_label("Message").fill("Bonjour,\nPuis-je inscrire mon fils mercredi ?")
    button = page.locator("main").get_by_role("button", name="Envoyer")
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    with page.expect_navigation(url=url("alpha.test", "/messages/envoyes")):
        button.click()
    assert page.get_by_role("status").get_by_text("Votre message est envoyé à la commune.").is_visible()
    assert page.get_by_role("link", name="Demande de renseignements").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    db.expire_all()
    [message] = db.scalars(select(Message)).all()
    assert message.body == "Bonjour,\nPuis-je inscrire mon fils mercredi ?" and message.from_family
    db.add(Message(family_id=message.family_id, thread_id=message.id, from_family=False, subject="Re : Demande",
                   sender_name="Marie Martin – RPI Alpha", body="Oui, en ligne.", size=14,
                   created_at=message.created_at))
    db.commit()
    page.goto(url("alpha.test", "/messages/"))
    assert page.get_by_role("link", name="Boîte de réception (1 message non lu)").is_visible()
    assert page.evaluate(OVERFLOW) <= 0, "the inbox is wider than the phone's screen"
    page.get_by_role("link", name="Re : Demande").click()  # the thread, with the reply form
    assert page.get_by_text("Oui, en ligne.").is_visible() and page.evaluate(OVERFLOW) <= 0
