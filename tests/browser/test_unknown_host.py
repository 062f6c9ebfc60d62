"""A host that belongs to no commune gets a neutral 404 that names no commune."""
import pytest

pytestmark = pytest.mark.browser

COMMUNE_WORDS = ("Alpha", "Bêta", "Mairie", "Accès famille")


def test_unknown_host_shows_a_neutral_not_found_page(page, url):
    response = page.goto(url("unknown.test"))
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    text = page.locator("body").inner_text()
    assert "Cette adresse ne correspond à aucune page de ce portail." in text
    for word in COMMUNE_WORDS:
        assert word not in text, f"the 404 page of an unknown host shows {word!r}"
    assert page.get_by_label("Identifiant").count() == 0
