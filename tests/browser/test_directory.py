"""The directory on the platform host, used with the keyboard as a family would.

A single matching portal sends the browser to the commune's base_url (an https
address no test server answers, so the test watches the request the browser makes
rather than the page it would show), through the results page: the platform's CSP
has `form-action 'self'`, which refuses a redirect of the search form to another
host (issue 15, point 9). Several matching portals
are listed, each as a link to its commune's base_url.
"""
import pytest

pytestmark = pytest.mark.browser

SEARCH_LABEL = "Nom ou code postal du village"


def search(page, url, query: str) -> None:
    """Open the directory, type `query` into the search field, press Enter."""
    page.goto(url("portail.test"))
    page.get_by_role("heading", level=1, name="Trouver le portail de ma commune").wait_for()
    page.get_by_label(SEARCH_LABEL).focus()
    page.keyboard.type(query)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("query", ["val alpha", "73110"])
def test_one_matching_village_sends_the_browser_to_its_portal(page, url, query):
    with page.expect_request("https://famille.alpha.test/") as sent:
        search(page, url, query)
    request = sent.value
    assert request.is_navigation_request() and request.frame == page.main_frame
    assert request.redirected_from is None  # not a redirect of the form, which form-action 'self' refuses
    assert page.url.startswith(url("portail.test", "/?"))  # from the results page, which lists the portal


def test_several_matching_portals_are_listed_with_links_to_each(page, url):
    search(page, url, "a")
    results = page.get_by_role("region", name="villages trouvés")
    results.wait_for()
    links = {
        link.inner_text().replace("\n", " "): link.get_attribute("href")
        for link in results.get_by_role("link").all()
    }
    assert links == {
        "Saint-Étienne-d'Alpha (73100) Portail : RPI Alpha": "https://famille.alpha.test/",
        "Val-Alpha (73110) Portail : RPI Alpha": "https://famille.alpha.test/",
        "Bêta (38160) Portail : Commune de Bêta": "https://famille.beta.test/",
    }
    assert page.get_by_label(SEARCH_LABEL).input_value() == "a"


def test_an_unknown_village_is_explained(page, url):
    search(page, url, "Grenoble")
    results = page.get_by_role("region", name="Aucun village trouvé")
    assert "Aucun village ne correspond à « Grenoble »" in results.inner_text()
