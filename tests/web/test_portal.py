"""A commune's portal page and sign-in, as a family sees them."""
from tests.factories import make_child, make_family
from tests.helpers import csrf_token, sign_in



def test_commune_page_shows_name_contacts_and_login_form(client_for):
    page = client_for("alpha.test").get("/").get_data(as_text=True)
    assert "RPI Alpha" in page
    assert "Accès famille" in page and "Identifiant" in page and "Mot de passe" in page
    assert "Mot de passe oublié ?" in page and ">Connexion<" in page
    assert "Mairie d&#39;Alpha" in page and "04.00.00.00.01" in page
    assert "Saint-Étienne-d&#39;Alpha, Val-Alpha" in page
    assert 'src="/theme/logo.svg"' in page


def test_each_commune_has_its_own_branding(client_for):
    alpha = client_for("alpha.test").get("/").get_data(as_text=True)
    beta = client_for("beta.test").get("/").get_data(as_text=True)
    assert "Commune de Bêta" in beta and "RPI Alpha" not in beta
    assert "Commune de Bêta" not in alpha


def test_theme_css_is_served_and_other_files_are_not(client_for):
    client = client_for("alpha.test")
    css = client.get("/theme/theme.css")
    assert css.status_code == 200 and b"--color-primary" in css.data
    assert client.get("/theme/../../tenants.yaml").status_code == 404
    assert client.get("/theme/README").status_code == 404


def test_family_signs_in_and_sees_its_children(client_for, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db, first_name="JEAN", last_name="DUPONT")
    make_child(db, family, first_name="Léna")
    client = client_for("alpha.test")
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/accueil")
    home = client.get("/accueil")
    text = home.get_data(as_text=True)
    assert "Bonjour JEAN DUPONT" in text and "N° famille : 100100" in text and "Léna" in text
    assert home.headers["Cache-Control"] == "no-store"


def test_wrong_password_and_unknown_number_get_the_same_answer(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    wrong = sign_in(client_for("alpha.test"), password="Mauvais1")
    unknown = sign_in(client_for("alpha.test"), number="999999", password="Mauvais1")
    assert wrong.status_code == unknown.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_login_without_csrf_token_is_refused(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    client.get("/")
    answer = client.post("/connexion", data={"identifiant": "100100", "password": "Famille2026"})
    assert answer.status_code == 400
    assert client.get("/accueil").status_code == 302


def test_empty_login_form_gets_french_messages(client_for):
    client = client_for("alpha.test")
    token = csrf_token(client.get("/").get_data(as_text=True))
    answer = client.post("/connexion", data={"identifiant": "", "password": "", "csrf_token": token})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Saisissez votre identifiant." in text and "Saisissez votre mot de passe." in text


def test_logout_goes_to_the_commune_website(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    token = csrf_token(client.get("/accueil").get_data(as_text=True))
    answer = client.post("/deconnexion", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"] == "https://www.alpha.test/"
    assert client.get("/accueil").status_code == 302


def test_home_requires_sign_in(client_for):
    answer = client_for("alpha.test").get("/accueil")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/")


def test_security_headers(client_for):
    answer = client_for("alpha.test").get("/")
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"


def test_forgotten_password_page_lists_contacts(client_for):
    page = client_for("alpha.test").get("/mot-de-passe-oublie").get_data(as_text=True)
    assert "Mot de passe oublié" in page and "04.00.00.00.01" in page


def test_malformed_input_never_answers_500(client_for):
    client = client_for("alpha.test")
    token = csrf_token(client.get("/").get_data(as_text=True))
    for value in ("\x00", "é" * 5000, "1' OR '1'='1", "<script>"):
        answer = client.post("/connexion", data={"identifiant": value, "password": value, "csrf_token": token})
        assert answer.status_code in (200, 400)


def test_the_cached_login_page_gives_each_visitor_a_working_token(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    first, second = client_for("alpha.test"), client_for("alpha.test")
    pages = [c.get("/").get_data(as_text=True) for c in (first, second)]
    tokens = [csrf_token(p) for p in pages]
    assert tokens[0] != tokens[1] and "csrf-" not in pages[0]
    assert pages[0].replace(tokens[0], "") == pages[1].replace(tokens[1], "")
    answer = first.post("/connexion", data={"identifiant": "100100", "password": "Famille2026", "csrf_token": tokens[0]})
    assert answer.status_code == 303
    stolen = second.post("/connexion", data={"identifiant": "100100", "password": "Famille2026", "csrf_token": tokens[0]})
    assert stolen.status_code == 400  # a token only works with the session it was made for


def test_the_login_page_follows_the_visitor_language(client_for):
    client = client_for("beta.test")
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/langue", data={"locale": "en", "csrf_token": token})
    assert "Family access" in client.get("/").get_data(as_text=True)
    assert "Accès famille" in client_for("beta.test").get("/").get_data(as_text=True)
