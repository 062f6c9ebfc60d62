"""Each commune sees only its own rows, even with the same primary key or family number."""
from sqlalchemy import select

from tests.factories import make_child, make_family
from tests.helpers import recorded_sql
from tests.helpers import sign_in
from webapp.families.models import Family


def test_same_primary_key_in_two_communes_stays_separate(tenant_db):
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    a = make_family(alpha, last_name="ALPHAND", id=424242)
    b = make_family(beta, last_name="BETANCOURT", id=424242)  # same key, different commune
    assert alpha.scalars(select(Family.last_name)).all() == ["ALPHAND"]
    assert beta.scalars(select(Family.last_name)).all() == ["BETANCOURT"]
    assert alpha.get(Family, a.id).last_name == "ALPHAND" and beta.get(Family, b.id).last_name == "BETANCOURT"


def test_same_family_number_in_two_communes_signs_in_two_families(client_for, tenant_db):
    make_child(tenant_db("alpha"), make_family(tenant_db("alpha"), last_name="ALPHAND"), first_name="Alix")
    make_child(tenant_db("beta"), make_family(tenant_db("beta"), last_name="BETANCOURT", password="Autre2026x"),
               first_name="Bérénice")
    alpha, beta = client_for("alpha.test"), client_for("beta.test")
    assert sign_in(alpha).status_code == 303
    assert sign_in(beta, password="Famille2026").status_code == 200  # alpha's password is not beta's
    assert sign_in(beta, password="Autre2026x").status_code == 303
    alpha_home, beta_home = alpha.get("/accueil").get_data(as_text=True), beta.get("/accueil").get_data(as_text=True)
    assert "ALPHAND" in alpha_home and "Alix" in alpha_home and "BETANCOURT" not in alpha_home
    assert "BETANCOURT" in beta_home and "Bérénice" in beta_home and "Alix" not in beta_home


def test_session_cookie_replayed_on_another_commune_is_anonymous(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    make_family(tenant_db("beta"))  # same number and same id in beta
    alpha = client_for("alpha.test")
    sign_in(alpha)
    cookie = alpha.get_cookie("portail_session", domain="alpha.test")
    assert cookie is not None and cookie.domain in ("alpha.test", "")  # host-only cookie
    thief = client_for("beta.test")
    thief.set_cookie("portail_session", cookie.value, domain="beta.test")
    answer = thief.get("/accueil")
    assert answer.status_code == 302  # sent to the sign-in page: nobody is signed in on beta


def test_platform_host_never_opens_a_commune_session(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    with recorded_sql() as statements:
        client_for("portail.test").get("/", query_string={"q": "alpha"})
    assert statements == []
