"""Seed 000 in chromium: « Mot de passe oublié », the e-mailed temporary password, the forced change."""
import re

import pytest

from tests.browser.helpers import type_credentials
from tests.factories import make_family
from webapp.mail.sender import send_pending

pytestmark = pytest.mark.browser


def test_family_activates_its_account_as_in_seed_000(app, page, url, tenant_db, smtp_server, use_mail_server):
    make_family(tenant_db("alpha"), number="3816238", password=None, email="jean.dupont@example.org")
    page.goto(url("alpha.test"))
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Identifiant").fill("3816238")
    page.get_by_role("button", name="Recevoir un courriel").click()
    assert page.get_by_text("Si un compte correspond à cet identifiant").is_visible()

    use_mail_server(smtp_server.port)
    send_pending(app)
    [mail] = smtp_server.handler.received
    temporary = re.search(r"Mot de passe : ([0-9a-f]{32})", mail.body).group(1)

    page.get_by_role("link", name="Retour à la connexion").click()
    with page.expect_navigation(url=url("alpha.test", "/mot-de-passe/nouveau")):
        type_credentials(page, "3816238", temporary)
    assert page.get_by_text("Pour améliorer la sécurité de votre application").is_visible()

    page.get_by_label("Nouveau mot de passe").fill("azerty")
    page.get_by_label("Confirmation du mot de passe").fill("azerty")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("au moins 8 caractères dont une minuscule, une majuscule et un chiffre, ou au").first.is_visible()
    assert page.get_by_label("Nouveau mot de passe").get_attribute("aria-invalid") == "true"

    page.get_by_label("Nouveau mot de passe").fill("Tartine7Volcan")
    page.get_by_label("Confirmation du mot de passe").fill("Tartine7Volcan")
    with page.expect_navigation(url=url("alpha.test", "/")):
        page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_role("status").get_by_text("Identifiez-vous avec votre nouveau mot de passe").is_visible()

    with page.expect_navigation(url=url("alpha.test", "/accueil")):
        type_credentials(page, "3816238", "Tartine7Volcan")
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour JEANNE DUPONT"
