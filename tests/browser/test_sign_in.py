"""A family signs in by typing into the form, sees its page, then signs out."""
import pytest

from tests.browser.helpers import sign_in, type_credentials
from tests.factories import make_family

pytestmark = pytest.mark.browser


def test_family_signs_in_and_sees_its_page(page, url, tenant_db):
    make_family(tenant_db("alpha"), number="100100", password="Famille2026")
    sign_in(page, url)
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour JEANNE DUPONT"
    assert page.get_by_text("N° famille : 100100").is_visible()
    nav = page.get_by_role("navigation", name="Menu principal")
    assert nav.get_by_role("link", name="Accueil").get_attribute("aria-current") == "page"
    assert nav.get_by_role("button", name="Déconnexion").is_visible()


def test_sign_out_leaves_the_family_page(page, url, tenant_db):
    make_family(tenant_db("alpha"))
    sign_in(page, url)
    console = []
    page.on("console", lambda message: console.append(message.text))
    # The commune's website is not served in tests: watch the browser head there.
    with page.expect_request("https://www.alpha.test/", timeout=2_000):
        page.get_by_role("button", name="Déconnexion").click()
    assert not [text for text in console if "Content Security Policy" in text], console


def test_signed_out_family_is_sent_back_to_the_login_form(page, url, tenant_db):
    """Whatever the page shows after « Déconnexion », the session is over."""
    make_family(tenant_db("alpha"))
    sign_in(page, url)
    with page.expect_request(url("alpha.test", "/deconnexion")) as sent:
        page.get_by_role("button", name="Déconnexion").click()
    sent.value.response()  # waits until the answer came back (or was blocked)
    again = page.context.new_page()  # a new tab, same cookies: the family comes back
    again.goto(url("alpha.test", "/accueil"))
    assert again.get_by_role("heading", level=1).inner_text() == "Accès famille"
    assert "JEANNE" not in again.locator("body").inner_text()


def test_wrong_password_is_announced_and_the_number_kept(page, url, tenant_db):
    make_family(tenant_db("alpha"))
    page.goto(url("alpha.test"))
    with page.expect_navigation():
        type_credentials(page, "100100", "Mauvais1")
    assert page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."
    assert page.get_by_label("Identifiant", exact=True).input_value() == "100100"
    assert page.get_by_label("Mot de passe", exact=True).input_value() == ""
