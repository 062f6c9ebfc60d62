"""Two communes' portals, as a person sees them: own name, login form, contacts.

Each commune's page is opened on its own host; a screenshot of each is saved
under the test's tmp_path for a human look (never in the repository).
"""
import pytest

pytestmark = pytest.mark.browser

COMMUNES = {
    "alpha.test": {"name": "RPI Alpha", "contact": "Mairie d'Alpha", "phone": "04.00.00.00.01"},
    "beta.test": {"name": "Commune de Bêta", "contact": "Mairie de Bêta", "phone": "04.00.00.00.02"},
}
OTHER = {"alpha.test": "Commune de Bêta", "beta.test": "RPI Alpha"}

# What the focused element is called: its label for a form field, else its text.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
  return el.textContent.trim();
}"""
FOCUS_OUTLINE = "() => getComputedStyle(document.activeElement).outlineStyle"


@pytest.mark.parametrize("host", COMMUNES)
def test_commune_page_shows_its_own_name_form_and_contacts(page, url, host, tmp_path):
    commune = COMMUNES[host]
    response = page.goto(url(host))
    assert response.status == 200
    assert page.title() == f"Accès famille – {commune['name']}"
    banner = page.get_by_role("banner")
    assert banner.inner_text().strip() == commune["name"]
    assert page.get_by_role("heading", level=1).inner_text() == "Accès famille"
    assert OTHER[host] not in page.locator("body").inner_text()

    contacts = page.get_by_role("region", name="Nous contacter")
    assert contacts.get_by_role("heading", level=3, name=commune["contact"]).is_visible()
    phone = contacts.get_by_role("link", name=commune["phone"])
    assert phone.get_attribute("href") == "tel:" + commune["phone"].replace(".", "")
    assert contacts.get_by_role("link", name="Site de la commune").is_visible()

    page.screenshot(path=tmp_path / f"{host}.png", full_page=True)
    assert (tmp_path / f"{host}.png").stat().st_size > 0


@pytest.mark.parametrize("host", COMMUNES)
def test_login_fields_are_labelled(page, url, host):
    page.goto(url(host))
    identifiant = page.get_by_label("Identifiant", exact=True)
    password = page.get_by_label("Mot de passe", exact=True)
    assert identifiant.get_attribute("autocomplete") == "username"
    assert password.get_attribute("type") == "password"
    assert password.get_attribute("autocomplete") == "current-password"
    # The hint under Identifiant is read out with the field.
    hint = page.locator("#" + identifiant.get_attribute("aria-describedby"))
    assert hint.inner_text() == "Votre numéro de famille, indiqué sur vos factures."
    assert page.get_by_role("button", name="Connexion").is_visible()


@pytest.mark.parametrize("host", COMMUNES)
def test_tab_reaches_the_login_form_in_order_with_a_visible_focus(page, url, host):
    page.goto(url(host))
    reached = []
    for _ in range(15):
        page.keyboard.press("Tab")
        name = page.evaluate(FOCUSED_NAME)
        reached.append(name)
        if name in ("Identifiant", "Mot de passe", "Connexion"):
            assert page.evaluate(FOCUS_OUTLINE) != "none", f"{name}: no visible focus"
        if name == "Connexion":
            break
    assert reached[0] == "Aller au contenu", reached  # the skip link comes first
    order = [name for name in reached if name in ("Identifiant", "Mot de passe", "Mot de passe oublié ?", "Connexion")]
    assert order == ["Identifiant", "Mot de passe", "Mot de passe oublié ?", "Connexion"], reached
