"""Agents' family pages in a real browser: import a CSV file on a phone, no WCAG violation on the pages."""
import datetime as dt

import pyotp
import pytest

from tests.browser.helpers import OVERFLOW
from tests.factories import cached_hash, make_child, make_family
from webapp.auth.models import Agent

pytestmark = pytest.mark.browser
SECRET = pyotp.random_base32()
CSV = ("numero_famille;civilite;nom;prenom;courriel;telephone;adresse;code_postal;ville;enfant_nom;enfant_prenom;"
       "enfant_date_naissance;enfant_sexe;ecole;classe\r\n"
       ";Madame;MARTIN;Claire;claire@example.org;0612345678;3 rue des Écoles;73100;Alpha;;Léa;14/05/2018;F;;CE1\r\n")


@pytest.fixture
def alpha(tenant_db, clock):
    db = tenant_db("alpha")
    db.add(Agent(email="agent@alpha.example", name="Marie Martin", role="agent",
                 password_hash=cached_hash("Agent-demo-2026-x"), totp_secret=SECRET,
                 totp_confirmed_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC)))
    db.commit()
    family = make_family(db, number="100100", last_name="DUPONT", first_name="Jeanne")
    make_child(db, family, first_name="Léo")
    return clock


def agent_sign_in(page, url, clock):
    page.goto(url("alpha.test", "/agent/connexion"))
    page.get_by_label("Adresse électronique").fill("agent@alpha.example")
    page.get_by_label("Mot de passe").fill("Agent-demo-2026-x")
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(SECRET).at(clock.now))
    with page.expect_navigation():
        page.get_by_role("button", name="Valider", exact=True).click()


def test_import_a_file_on_a_phone(phone_page, url, alpha, tmp_path):
    agent_sign_in(phone_page, url, alpha)
    phone_page.goto(url("alpha.test", "/agent/familles/import"))
    assert phone_page.evaluate(OVERFLOW) <= 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(CSV.replace("14/05/2018", "31/02/2018").encode("cp1252"))
    phone_page.get_by_label("Fichier CSV").set_input_files(str(bad))
    phone_page.get_by_role("button", name="Vérifier le fichier").click()
    assert "Ligne 2 : date de naissance « 31/02/2018 » invalide" in phone_page.content()
    good = tmp_path / "good.csv"
    good.write_bytes(CSV.encode("cp1252"))
    phone_page.get_by_label("Fichier CSV").set_input_files(str(good))
    phone_page.get_by_role("button", name="Vérifier le fichier").click()
    assert "1 famille et 1 enfant seront créés" in phone_page.content()
    assert phone_page.evaluate(OVERFLOW) <= 0
    phone_page.get_by_role("button", name="Confirmer l'import").click()
    assert "100101" in phone_page.content() and "1 famille importée" in phone_page.content()
    phone_page.get_by_role("button", name="Envoyer le courriel de bienvenue").click()
    assert "1 courriel de bienvenue mis en file d'envoi" in phone_page.content()


def test_family_admin_pages_have_no_wcag_violation(page, url, alpha):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="pip install axe-playwright-python")
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    agent_sign_in(page, url, alpha)
    for path in ("/agent/familles?q=leo", "/agent/familles/nouvelle", "/agent/familles/import"):
        page.goto(url("alpha.test", path))
        results = axe_module.Axe().run(page, options=options)
        assert results.violations_count == 0, (path, results.generate_report())
    page.goto(url("alpha.test", "/agent/familles/nouvelle"))
    page.get_by_role("button", name="Créer la famille").click()
    assert "La famille n'a pas été créée" in page.content()
    results = axe_module.Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
