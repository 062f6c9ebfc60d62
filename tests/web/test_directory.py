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
    answer = client_for("portail.test").get("/", query_string={"q": "73", "go": "1"})
    assert answer.status_code == 303 and answer.headers["Location"] == "https://famille.alpha.test/"


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
