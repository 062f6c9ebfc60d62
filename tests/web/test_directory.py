"""The platform host's directory of villages."""
import pytest


@pytest.mark.parametrize(
    "query, village",
    [("Val-Alpha", "Val-Alpha"), ("val alpha", "Val-Alpha"), ("saint etienne", "Saint-Étienne-d&#39;Alpha"),
     ("73110", "Val-Alpha"), ("BETA", "Bêta"), ("381", "Bêta")],
)
def test_a_village_is_found_by_name_or_postcode(client_for, query, village):
    page = client_for("portail.test").get("/", query_string={"q": query}).get_data(as_text=True)
    assert village in page


def test_every_village_of_a_shared_portal_is_findable(client_for):
    client = client_for("portail.test")
    for query in ("Saint-Étienne", "Val-Alpha", "73100"):
        assert "Portail : RPI Alpha" in client.get("/", query_string={"q": query}).get_data(as_text=True)


def test_single_portal_match_sends_the_family_to_its_base_url(client_for):
    """By the results page's link and an immediate refresh: a redirect of the search form would be
    refused by the platform's `form-action 'self'` (issue 15, point 9)."""
    answer = client_for("portail.test").get("/", query_string={"q": "73", "go": "1"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=https://famille.alpha.test/">' in text
    assert 'href="https://famille.alpha.test/"' in text


def test_the_platform_host_csp_keeps_every_form_on_it(client_for):
    """The platform host's pages had no `form-action`: an injected form could post anywhere."""
    for host, path in (("portail.test", "/"), ("portail.test", "/federation/connexion"), ("unknown.test", "/")):
        csp = client_for(host).get(path).headers["Content-Security-Policy"]
        assert csp.endswith("; form-action 'self'"), (host, path, csp)


def test_a_search_without_go_or_with_several_portals_does_not_refresh(client_for):
    client = client_for("portail.test")
    for query in ({"q": "73"}, {"q": "a", "go": "1"}):
        assert 'http-equiv="refresh"' not in client.get("/", query_string=query).get_data(as_text=True)


def test_several_portals_are_listed_not_redirected(client_for):
    answer = client_for("portail.test").get("/", query_string={"q": "a", "go": "1"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "RPI Alpha" in text and "Commune de Bêta" in text


def test_no_match_says_so(client_for):
    text = client_for("portail.test").get("/", query_string={"q": "Grenoble"}).get_data(as_text=True)
    assert "Aucun village trouvé" in text and "Aucun village ne correspond" in text


def test_directory_page_has_no_login_form(client_for):
    text = client_for("portail.test").get("/").get_data(as_text=True)
    assert "Trouver le portail de ma commune" in text and "Accès famille" not in text


def test_commune_pages_do_not_exist_on_the_platform_host(client_for):
    client = client_for("portail.test")
    assert client.get("/accueil").status_code == 404
    assert client.get("/mot-de-passe-oublie").status_code == 404
