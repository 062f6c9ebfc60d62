"""A commune's agents: e-mail and password, then an authenticator app, then the staff home."""
import base64
import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from tests.factories import cached_hash, make_child, make_family
from tests.helpers import csrf_token, recorded_sql
from tests.helpers import sign_in as family_sign_in
from webapp.auth import reset_rules
from webapp.auth.models import Agent, AuthSession, RecoveryCode

PASSWORD = "Cantine-et-garderie-42"
EMAIL = "marie.martin@alpha.example"


def make_agent(db, email=EMAIL, name="Marie Martin", role="agent", password=PASSWORD, **fields) -> Agent:
    agent = Agent(email=email, name=name, role=role, password_hash=cached_hash(password), **fields)
    db.add(agent)
    db.commit()
    return agent


def password_step(client, email=EMAIL, password=PASSWORD, prefix="/agent"):
    token = csrf_token(client.get(f"{prefix}/connexion").get_data(as_text=True))
    return client.post(f"{prefix}/connexion", data={"email": email, "password": password, "csrf_token": token})


def secret_on(page: str) -> str:
    match = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>', page)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")


def codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code></li>", page)


CLOCK = None


@pytest.fixture(autouse=True)
def _pinned_clock(clock):
    """Codes are computed at the app's pinned time; each new code moves it one step on."""
    global CLOCK
    CLOCK = clock
    yield
    CLOCK = None


def fresh_code(secret: str) -> str:
    """The app's code for the next 30-second step (a step is accepted only once)."""
    CLOCK.advance(seconds=30)
    return pyotp.TOTP(secret).at(CLOCK.now)


def wrong_code(secret: str) -> str:
    """A 6-digit code that none of the accepted time steps gives."""
    totp = pyotp.TOTP(secret)
    now = CLOCK.now
    valid = {totp.at(now + dt.timedelta(seconds=s)) for s in range(-90, 91, 15)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enrol(client, email=EMAIL, password=PASSWORD, prefix="/agent"):
    """Password, then enrolment with a code computed from the secret shown: (secret, recovery codes)."""
    answer = password_step(client, email, password, prefix)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"].endswith(f"{prefix}/double-facteur/activation")
    page = client.get(f"{prefix}/double-facteur/activation").get_data(as_text=True)
    secret = secret_on(page)
    answer = client.post(f"{prefix}/double-facteur/activation",
                         data={"code": fresh_code(secret), "csrf_token": csrf_token(page)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    codes = codes_on(answer.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def second_factor_step(client, code=None, recovery=None, prefix="/agent"):
    page = client.get(f"{prefix}/double-facteur").get_data(as_text=True)
    token = csrf_token(page)
    if recovery is not None:
        return client.post(f"{prefix}/double-facteur", data={"secours-code": recovery, "secours-csrf_token": token})
    return client.post(f"{prefix}/double-facteur", data={"code": code, "csrf_token": token})


def sign_out(client, prefix="/agent"):
    token = csrf_token(client.get(f"{prefix}/").get_data(as_text=True))
    return client.post(f"{prefix}/deconnexion", data={"csrf_token": token})


def signed_in_agent(client, db, **fields):
    """An agent already enrolled, signed in with both factors: its TOTP secret."""
    make_agent(db, **fields)
    secret, _codes = enrol(client, email=fields.get("email", EMAIL))
    return secret


# --- sign-in, enrolment, recovery codes ------------------------------------------------------


def test_first_sign_in_enrols_the_app_then_shows_recovery_codes_once(client_for, tenant_db):
    db = tenant_db("alpha")
    make_agent(db)
    client = client_for("alpha.test")
    answer = password_step(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/agent/double-facteur/activation")
    assert client.get("/agent/").headers["Location"].endswith("/agent/double-facteur")  # not signed in yet

    page = client.get("/agent/double-facteur/activation")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Activer la double authentification" in text
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"[^>]*alt="([^"]+)"', text)
    assert qr and base64.b64decode(qr.group(1)).startswith(b"<svg") and "QR code" in qr.group(2)
    assert re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7]{4} ){7}[A-Z2-7]{4}</code>', text)  # groups of 4
    assert 'inputmode="numeric"' in text and 'autocomplete="one-time-code"' in text
    assert '<label class="field__label" for="code">' in text
    secret = secret_on(text)
    db.expire_all()
    agent = db.scalar(select(Agent))
    assert agent.totp_secret == secret and agent.totp_confirmed_at is None

    answer = client.post("/agent/double-facteur/activation",
                         data={"code": fresh_code(secret), "csrf_token": csrf_token(text)})
    shown = answer.get_data(as_text=True)
    codes = codes_on(shown)
    assert answer.status_code == 200 and len(set(codes)) == 10
    assert "ils ne seront plus jamais affichés" in shown and answer.headers["Cache-Control"] == "no-store"

    db.expire_all()
    agent = db.scalar(select(Agent))
    assert agent.totp_confirmed_at is not None
    stored = set(db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.agent_id == agent.id)))
    assert stored == {reset_rules.digest(c.replace("-", "")) for c in codes}  # digests only
    assert db.scalars(select(AuthSession.second_factor_done)).all() == [True]

    home = client.get("/agent/")
    home_text = home.get_data(as_text=True)
    assert home.status_code == 200 and "Espace agent" in home_text
    assert "Marie Martin" in home_text and "Agent" in home_text and "RPI Alpha" in home_text
    assert not any(code in home_text for code in codes)
    again = client.get("/agent/double-facteur/activation")  # the codes are never shown again
    assert again.status_code == 302 and again.headers["Location"].endswith("/agent/")


def test_next_sign_in_asks_the_code_and_refuses_a_wrong_one(client_for, tenant_db):
    db = tenant_db("alpha")
    secret = signed_in_agent(client_for("alpha.test"), db)
    client = client_for("alpha.test")
    answer = password_step(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/agent/double-facteur")
    page = client.get("/agent/double-facteur").get_data(as_text=True)
    assert "Double authentification" in page and 'autocomplete="one-time-code"' in page
    assert "totp-secret" not in page  # the secret is only shown at enrolment

    refused = second_factor_step(client, code=wrong_code(secret))
    assert refused.status_code == 200 and "Code incorrect." in refused.get_data(as_text=True)
    assert client.get("/agent/").status_code == 302
    assert db.scalars(select(AuthSession.second_factor_done).order_by(AuthSession.id)).all()[-1] is False

    answer = second_factor_step(client, code=fresh_code(secret))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/agent/")
    assert client.get("/agent/").status_code == 200


def test_session_id_changes_when_the_second_factor_is_done(client_for, tenant_db):
    db = tenant_db("alpha")
    make_agent(db)
    client = client_for("alpha.test")
    password_step(client)
    half = [(s.token_hash, s.second_factor_done) for s in db.scalars(select(AuthSession))]
    assert [done for _hash, done in half] == [False]
    page = client.get("/agent/double-facteur/activation").get_data(as_text=True)
    client.post("/agent/double-facteur/activation",
                data={"code": fresh_code(secret_on(page)), "csrf_token": csrf_token(page)})
    db.expire_all()
    full = [(s.token_hash, s.second_factor_done) for s in db.scalars(select(AuthSession))]
    assert [done for _hash, done in full] == [True] and full[0][0] != half[0][0]


def test_a_recovery_code_works_once(client_for, tenant_db):
    db = tenant_db("alpha")
    make_agent(db)
    _secret, codes = enrol(client_for("alpha.test"))

    client = client_for("alpha.test")
    password_step(client)
    answer = second_factor_step(client, recovery=codes[3].lower())  # case and hyphens do not matter
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/agent/")
    home = client.get("/agent/").get_data(as_text=True)
    assert "Il vous reste 9 codes de secours." in home
    assert db.scalar(select(RecoveryCode).where(RecoveryCode.code_hash == reset_rules.digest(
        codes[3].replace("-", "")))).used_at is not None

    other = client_for("alpha.test")
    password_step(other)
    again = second_factor_step(other, recovery=codes[3])
    text = again.get_data(as_text=True)
    assert again.status_code == 200 and "Ce code de secours n&#39;est pas valable ou a déjà été utilisé." in text
    assert other.get("/agent/").status_code == 302


def test_code_attempts_are_throttled(client_for, tenant_db):
    db = tenant_db("alpha")
    secret = signed_in_agent(client_for("alpha.test"), db)
    client = client_for("alpha.test")
    password_step(client)
    for _ in range(5):
        assert second_factor_step(client, code=wrong_code(secret)).status_code == 200
    blocked = second_factor_step(client, code=fresh_code(secret))  # even the right code waits now
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.get_data(as_text=True)
    assert client.get("/agent/").status_code == 302
    agent = db.scalar(select(Agent))
    from webapp.auth.models import LoginThrottle

    assert db.scalar(select(LoginThrottle).where(LoginThrottle.key == f"totp:agent:{agent.id}")) is not None


def test_unknown_email_and_wrong_password_get_the_same_answer(client_for, tenant_db):
    make_agent(tenant_db("alpha"))
    wrong = password_step(client_for("alpha.test"), password="Pas-le-bon-mot-de-passe")
    unknown = password_step(client_for("alpha.test"), email="personne@alpha.example",
                            password="Pas-le-bon-mot-de-passe")
    assert wrong.status_code == unknown.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_email_is_not_case_sensitive(client_for, tenant_db):
    make_agent(tenant_db("alpha"))
    answer = password_step(client_for("alpha.test"), email="  Marie.MARTIN@Alpha.example ")
    assert answer.status_code == 303


def test_login_form_needs_csrf_and_answers_in_french(client_for, tenant_db):
    make_agent(tenant_db("alpha"))
    client = client_for("alpha.test")
    page = client.get("/agent/connexion").get_data(as_text=True)
    assert "Accès agent" in page and "Adresse électronique" in page and 'autocomplete="username"' in page
    assert client.post("/agent/connexion", data={"email": EMAIL, "password": PASSWORD}).status_code == 400
    empty = client.post("/agent/connexion", data={"email": "", "password": "", "csrf_token": csrf_token(page)})
    assert empty.status_code == 400 and "Saisissez votre adresse électronique." in empty.get_data(as_text=True)


def test_sign_out_ends_the_session_on_the_server(client_for, tenant_db):
    db = tenant_db("alpha")
    signed_in_agent(client := client_for("alpha.test"), db)
    cookie = client.get_cookie("portail_session", domain="alpha.test").value
    answer = sign_out(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/agent/connexion")
    assert db.scalars(select(AuthSession)).all() == []
    replay = client_for("alpha.test")
    replay.set_cookie("portail_session", cookie, domain="alpha.test")
    assert replay.get("/agent/").status_code == 302


# --- who may open what -----------------------------------------------------------------------


def test_agent_cookie_of_alpha_is_anonymous_on_beta(client_for, tenant_db):
    signed_in_agent(alpha := client_for("alpha.test"), tenant_db("alpha"))
    make_agent(tenant_db("beta"))  # same e-mail, same id in beta
    cookie = alpha.get_cookie("portail_session", domain="alpha.test")
    thief = client_for("beta.test")
    thief.set_cookie("portail_session", cookie.value, domain="beta.test")
    answer = thief.get("/agent/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/connexion")
    assert "Accès famille" in thief.get("/").get_data(as_text=True)


def test_family_session_cannot_open_the_agent_pages(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db)
    make_agent(db)
    client = client_for("alpha.test")
    assert family_sign_in(client).status_code == 303
    for path in ("/agent/", "/agent/double-facteur", "/agent/double-facteur/activation"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/connexion"), path


def test_signing_in_as_agent_ends_the_family_session_of_this_browser(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db)
    make_agent(db)
    client = client_for("alpha.test")
    family_sign_in(client)
    assert db.scalars(select(AuthSession.account_kind)).all() == ["family"]
    password_step(client)
    db.expire_all()
    assert db.scalars(select(AuthSession.account_kind)).all() == ["agent"]


def test_agent_waiting_for_the_second_factor_is_not_signed_in(client_for, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db, last_name="DUPONT")
    make_child(db, family, first_name="Léna")
    make_agent(db)
    client = client_for("alpha.test")
    password_step(client)
    answer = client.get("/accueil")
    assert answer.status_code == 302 and "Léna" not in answer.get_data(as_text=True)
    assert "Accès famille" in client.get("/").get_data(as_text=True)


def test_agent_session_never_shows_family_data(client_for, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db, first_name="JEAN", last_name="DUPONT")
    make_child(db, family, first_name="Léna")
    signed_in_agent(client := client_for("alpha.test"), db)
    answer = client.get("/accueil")
    text = answer.get_data(as_text=True)
    assert answer.status_code != 200 and "Léna" not in text and "DUPONT" not in text


def test_agent_session_on_the_family_home_is_sent_away(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db)
    signed_in_agent(client := client_for("alpha.test"), db)
    assert client.get("/accueil").status_code in (302, 303, 404)


def test_commune_admin_sees_the_agents_and_an_agent_does_not(client_for, tenant_db):
    db = tenant_db("alpha")
    make_agent(db, email="paul.durand@alpha.example", name="Paul Durand", role="agent")
    admin = client_for("alpha.test")
    signed_in_agent(admin, db, email="chef@alpha.example", name="Claire Chef", role="admin")
    page = admin.get("/agent/").get_data(as_text=True)
    assert "Administrateur de la commune" in page and "Agents de la commune" in page
    assert 'href="/agent/equipe"' in page  # the agents are listed once, on « Équipe »
    page = admin.get("/agent/equipe").get_data(as_text=True)
    assert "Paul Durand" in page and "paul.durand@alpha.example" in page and "à activer" in page

    agent = client_for("alpha.test")
    enrol(agent, email="paul.durand@alpha.example")
    page = agent.get("/agent/").get_data(as_text=True)
    assert "Paul Durand" in page and "Agents de la commune" not in page and "Claire Chef" not in page


def test_staff_required_answers_404_for_a_wrong_role(app, tenant_db):
    from flask_login import login_user

    from webapp.auth.users import SignedIn
    from webapp.staff.access import staff_required

    agent = make_agent(tenant_db("alpha"))
    view = staff_required("admin")(lambda: "admins only")
    with app.test_request_context("/agent/", base_url="http://alpha.test"):
        app.preprocess_request()
        login_user(SignedIn(agent, "agent", "alpha", "token", second_factor_done=True))
        with pytest.raises(NotFound):
            view()
        agent.role = "admin"
        assert view() == "admins only"
        login_user(SignedIn(agent, "agent", "beta", "token", second_factor_done=True))  # another commune's
        assert view().status_code == 302


def test_agent_pages_do_not_exist_on_the_platform_host(client_for):
    client = client_for("portail.test")
    for path in ("/agent/", "/agent/connexion", "/agent/double-facteur"):
        assert client.get(path).status_code == 404, path


# --- flask agents add ------------------------------------------------------------------------


def add_agent(app, *args, password_input):
    return app.test_cli_runner().invoke(args=["agents", "add", *args], input=password_input)


def test_cli_refuses_a_password_shorter_than_12_characters(app, tenant_db):
    result = add_agent(app, "alpha", "paul@alpha.example", "--name", "Paul Durand",
                       password_input="Court-1x\nCourt-1x\n")
    assert result.exit_code == 1
    assert "Le mot de passe doit compter au moins 12 caractères." in result.output
    assert "Court-1x" not in result.output  # hidden input
    assert tenant_db("alpha").scalars(select(Agent)).all() == []


def test_cli_refuses_a_password_built_on_the_commune(app, tenant_db):
    result = add_agent(app, "alpha", "paul@alpha.example", "--name", "Paul Durand",
                       password_input="Val-Alpha-2026-ete\nVal-Alpha-2026-ete\n")
    assert result.exit_code == 1 and "Le mot de passe ne doit pas contenir le nom de la commune." in result.output


def test_cli_refuses_two_different_passwords(app, tenant_db):
    result = add_agent(app, "alpha", "paul@alpha.example", "--name", "Paul Durand",
                       password_input="Cantine-et-garderie-42\nCantine-et-garderie-43\n")
    assert result.exit_code == 1 and "les deux mots de passe ne sont pas identiques" in result.output


def test_cli_creates_an_agent_who_can_sign_in(app, client_for, tenant_db):
    result = add_agent(app, "alpha", "Paul.Durand@Alpha.example", "--name", "Paul Durand", "--role", "admin",
                       password_input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "application d'authentification" in result.output
    agent = tenant_db("alpha").scalar(select(Agent))
    assert (agent.email, agent.name, agent.role) == ("paul.durand@alpha.example", "Paul Durand", "admin")
    assert agent.password_hash.startswith("$argon2id$")
    enrol(client_for("alpha.test"), email="paul.durand@alpha.example")


def test_cli_refuses_an_unknown_commune_and_a_taken_email(app, tenant_db):
    assert add_agent(app, "gamma", "x@gamma.example", "--name", "X", password_input="").exit_code == 1
    make_agent(tenant_db("alpha"))
    taken = add_agent(app, "alpha", EMAIL.upper(), "--name", "Autre", password_input=f"{PASSWORD}\n{PASSWORD}\n")
    assert taken.exit_code == 1 and "utilise déjà" in taken.output


@pytest.mark.postgres
def test_agent_sign_in_only_names_the_commune_schema(client_for, tenant_db):
    make_agent(tenant_db("alpha"))
    make_agent(tenant_db("beta"))
    with recorded_sql() as statements:
        enrol(client_for("alpha.test"))
    data = [s for s in statements if re.search(r"\b(FROM|INTO|UPDATE|DELETE)\b", s)]
    assert data
    for statement in data:
        assert set(re.findall(r"\b(t_[a-z0-9_]+|platform)\.", statement)) == {"t_alpha"}, statement


def test_a_code_of_the_app_is_accepted_only_once(client_for, tenant_db):
    make_agent(tenant_db("alpha"))
    secret, _codes = enrol(client_for("alpha.test"))
    first = client_for("alpha.test")
    password_step(first)
    code = fresh_code(secret)
    assert second_factor_step(first, code=code).status_code == 303
    replay = client_for("alpha.test")
    password_step(replay)
    assert second_factor_step(replay, code=code).status_code == 200  # seen over a shoulder: refused
