"""Federation admins: on the platform host only, with a second factor; the list of communes,
never a family's data."""
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import cached_hash, make_child, make_family
from tests.web.test_staff import (  # noqa: F401  (_pinned_clock is an autouse fixture)
    _pinned_clock,
    fresh_code,
    codes_on, enrol, make_agent, password_step, second_factor_step, secret_on, sign_out, signed_in_agent, wrong_code,
)
from tests.helpers import csrf_token, recorded_sql
from webapp.auth import reset_rules
from webapp.federation.models import AdminRecoveryCode, AdminSession, FederationAdmin

PASSWORD = "Federation-tres-secrete-7"
EMAIL = "admin@federation.example"
PREFIX = "/federation"


@pytest.fixture
def platform_db(app):
    session = Session(app.extensions["tenancy"].storage.platform_engine, expire_on_commit=False)
    yield session
    session.close()


def make_admin(db, email=EMAIL, name="Alice Admin", password=PASSWORD) -> FederationAdmin:
    admin = FederationAdmin(email=email, name=name, password_hash=cached_hash(password))
    db.add(admin)
    db.commit()
    return admin


def enrol_admin(client, email=EMAIL):
    return enrol(client, email=email, password=PASSWORD, prefix=PREFIX)


def test_admin_signs_in_enrols_and_sees_the_communes(client_for, platform_db, tenant_db):
    make_admin(platform_db)
    family = make_family(tenant_db("alpha"), last_name="ZYGOMAR")
    make_child(tenant_db("alpha"), family, first_name="Bérénice")
    client = client_for("portail.test")
    assert client.get(f"{PREFIX}/").headers["Location"].endswith(f"{PREFIX}/connexion")

    answer = password_step(client, EMAIL, PASSWORD, PREFIX)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"{PREFIX}/double-facteur/activation")
    page = client.get(f"{PREFIX}/double-facteur/activation").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page and "Portail Famille (tests)" in page  # the issuer
    secret = secret_on(page)
    answer = client.post(f"{PREFIX}/double-facteur/activation",
                         data={"code": fresh_code(secret), "csrf_token": csrf_token(page)})
    codes = codes_on(answer.get_data(as_text=True))
    assert answer.status_code == 200 and len(codes) == 10

    platform_db.expire_all()
    admin = platform_db.scalar(select(FederationAdmin))
    assert admin.totp_secret == secret and admin.totp_confirmed_at is not None
    stored = set(platform_db.scalars(select(AdminRecoveryCode.code_hash).where(AdminRecoveryCode.admin_id == admin.id)))
    assert stored == {reset_rules.digest(c.replace("-", "")) for c in codes}
    assert platform_db.scalars(select(AdminSession.second_factor_done)).all() == [True]

    home = client.get(f"{PREFIX}/")
    text = home.get_data(as_text=True)
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    assert "Administration de la fédération" in text and "Alice Admin" in text
    for expected in ("alpha", "RPI Alpha", "alpha.test, www.alpha.test", "Saint-Étienne-d&#39;Alpha (73100)",
                     "beta", "Commune de Bêta", "beta.test", "RPI", "Commune", "à jour"):
        assert expected in text, expected
    assert "ZYGOMAR" not in text and "Bérénice" not in text and "100100" not in text


def test_admin_next_sign_in_code_and_recovery_code_once(client_for, platform_db):
    make_admin(platform_db)
    secret, codes = enrol_admin(client_for("portail.test"))

    client = client_for("portail.test")
    password_step(client, EMAIL, PASSWORD, PREFIX)
    refused = second_factor_step(client, code=wrong_code(secret), prefix=PREFIX)
    assert refused.status_code == 200 and "Code incorrect." in refused.get_data(as_text=True)
    answer = second_factor_step(client, recovery=codes[0], prefix=PREFIX)
    assert answer.status_code == 303 and client.get(f"{PREFIX}/").status_code == 200

    other = client_for("portail.test")
    password_step(other, EMAIL, PASSWORD, PREFIX)
    assert second_factor_step(other, recovery=codes[0], prefix=PREFIX).status_code == 200
    assert other.get(f"{PREFIX}/").status_code == 302
    assert second_factor_step(other, code=fresh_code(secret), prefix=PREFIX).status_code == 303
    assert other.get(f"{PREFIX}/").status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_answer(client_for, platform_db):
    make_admin(platform_db)
    wrong = password_step(client_for("portail.test"), EMAIL, "Pas-le-bon-mot-de-passe", PREFIX)
    unknown = password_step(client_for("portail.test"), "nobody@federation.example", "Pas-le-bon-mot-de-passe",
                            PREFIX)
    assert wrong.status_code == unknown.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_sign_out_revokes_the_admin_session(client_for, platform_db):
    make_admin(platform_db)
    enrol_admin(client := client_for("portail.test"))
    answer = sign_out(client, PREFIX)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"{PREFIX}/connexion")
    assert platform_db.scalars(select(AdminSession)).all() == []
    assert client.get(f"{PREFIX}/").status_code == 302


def test_federation_pages_do_not_exist_on_a_commune_host(client_for):
    client = client_for("alpha.test")
    for path in (f"{PREFIX}/", f"{PREFIX}/connexion", f"{PREFIX}/double-facteur"):
        assert client.get(path).status_code == 404, path


def test_admin_cookie_is_anonymous_on_a_commune_host(client_for, platform_db, tenant_db):
    make_admin(platform_db)
    make_family(tenant_db("alpha"))
    make_agent(tenant_db("alpha"), email=EMAIL)  # same e-mail as the admin, in a commune
    enrol_admin(platform := client_for("portail.test"))
    cookie = platform.get_cookie("portail_session", domain="portail.test")
    thief = client_for("alpha.test")
    thief.set_cookie("portail_session", cookie.value, domain="alpha.test")
    assert thief.get("/accueil").status_code == 302
    assert thief.get("/agent/").status_code == 302
    assert "Accès famille" in thief.get("/").get_data(as_text=True)


def test_agent_cookie_is_anonymous_on_the_platform_host(client_for, tenant_db):
    signed_in_agent(agent := client_for("alpha.test"), tenant_db("alpha"))
    cookie = agent.get_cookie("portail_session", domain="alpha.test")
    thief = client_for("portail.test")
    thief.set_cookie("portail_session", cookie.value, domain="portail.test")
    answer = thief.get(f"{PREFIX}/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{PREFIX}/connexion")


def test_platform_id_never_loads_anyone_on_a_commune_host(app, platform_db):
    """Even with a live admin session, a "platform:<token>" id names nobody on a commune's host."""
    from webapp.auth import accounts
    from webapp.auth.users import load_user
    from webapp.clock import utcnow

    admin = make_admin(platform_db)
    token = accounts.open_session(platform_db, AdminSession, "admin", admin.id, utcnow(), second_factor_done=True)
    platform_db.commit()
    with app.test_request_context("/", base_url="http://portail.test"):
        app.preprocess_request()
        assert load_user(f"platform:{token}").admin.email == EMAIL
        assert load_user(f"alpha:{token}") is None
    with app.test_request_context("/", base_url="http://alpha.test"):
        app.preprocess_request()
        assert load_user(f"platform:{token}") is None


@pytest.mark.postgres
def test_federation_pages_read_no_commune_table_but_its_version(client_for, platform_db, tenant_db):
    make_admin(platform_db)
    make_family(tenant_db("alpha"))
    client = client_for("portail.test")
    with recorded_sql() as statements:
        enrol_admin(client)
        client.get(f"{PREFIX}/")
    for statement in statements:
        assert not re.search(r'\bt_[a-z0-9_]+"?\.(?!"?alembic_version)', statement), statement
