"""Issue 15, point 6 — « an agent who leaves the mairie keeps access »: a commune's admin manages
its agents on « Équipe » (invite, role, disable, reactivate, reset the second factor), and the
`flask agents disable|enable|reset-2fa` commands do the same for scripts."""
import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import select

from tests.helpers import csrf_token
from tests.web.test_staff import (  # noqa: F401  (_pinned_clock is an autouse fixture)
    PASSWORD, _pinned_clock, codes_on, enrol, make_agent, password_step, secret_on, signed_in_agent,
)
from webapp.audit.models import AuditEvent
from webapp.clock import as_utc
from webapp.auth.models import Agent, AgentInvitation, AuthSession, RecoveryCode
from webapp.mail.models import OutboxMail
from webapp.staff import team

ADMIN = "chef@alpha.example"
AGENT = "paul.durand@alpha.example"
REFUSED = "Adresse électronique ou mot de passe incorrect."


def admin_client(client_for, db, email=ADMIN, name="Claire Chef", host="alpha.test"):
    client = client_for(host)
    signed_in_agent(client, db, email=email, name=name, role="admin")
    return client


def post(client, path, data=None, page="/agent/equipe"):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def agent_id(db, email):
    db.expire_all()
    return db.scalar(select(Agent.id).where(Agent.email == email))


def events(db, prefix="team."):
    db.expire_all()
    return [(e.event, e.account_id, e.identifier) for e in
            db.scalars(select(AuditEvent).where(AuditEvent.event.startswith(prefix)).order_by(AuditEvent.id))]


# --- disabling ------------------------------------------------------------------------------------
def test_a_disabled_agents_open_session_is_refused_on_its_next_request(client_for, tenant_db):
    """Point 6: deactivating an agent ends every session of it at once, and it can no longer sign in."""
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    departed = client_for("alpha.test")
    signed_in_agent(departed, db, email=AGENT, name="Paul Durand")
    assert departed.get("/agent/").status_code == 200
    paul = agent_id(db, AGENT)

    answer = post(admin, f"/agent/equipe/{paul}/desactiver")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/agent/equipe")
    assert "Le compte de Paul Durand est désactivé" in admin.get("/agent/equipe").get_data(as_text=True)

    nxt = departed.get("/agent/")
    assert nxt.status_code == 302 and nxt.headers["Location"].endswith("/agent/connexion")
    assert db.scalars(select(AuthSession).where(AuthSession.account_id == paul)).all() == []
    # The right password gets the very answer of a wrong one.
    right = password_step(client_for("alpha.test"), AGENT, PASSWORD)
    wrong = password_step(client_for("alpha.test"), AGENT, "pas-le-bon-mot-de-passe")
    assert right.status_code == wrong.status_code == 200
    assert REFUSED in right.get_data(as_text=True) and REFUSED in wrong.get_data(as_text=True)
    assert db.get(Agent, paul).name == "Paul Durand"  # the row stays for history and journal
    assert ("team.disabled", agent_id(db, ADMIN), f"agent:{paul}") in events(db)


def test_a_session_of_an_account_disabled_elsewhere_is_refused_by_the_user_loader(client_for, tenant_db):
    """Defence in depth: a session row that survived a deactivation names nobody."""
    db = tenant_db("alpha")
    client = client_for("alpha.test")
    signed_in_agent(client, db, email=AGENT)
    db.get(Agent, agent_id(db, AGENT)).disabled_at = dt.datetime(2025, 12, 8, tzinfo=dt.UTC)
    db.commit()
    assert client.get("/agent/").status_code == 302
    assert client.get("/agent/journal").status_code == 302


def test_a_disabled_agent_can_be_reactivated(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email=AGENT, name="Paul Durand")
    paul = agent_id(db, AGENT)
    assert post(admin, f"/agent/equipe/{paul}/desactiver").status_code == 303
    assert "désactivé" in admin.get("/agent/equipe").get_data(as_text=True)
    assert post(admin, f"/agent/equipe/{paul}/reactiver").status_code == 303
    enrol(client_for("alpha.test"), email=AGENT)  # signs in again
    assert [e[0] for e in events(db)] == ["team.disabled", "team.enabled"]


# --- who may ------------------------------------------------------------------------------------------
TEAM_POSTS = ("inviter", "{id}/role", "{id}/desactiver", "{id}/reactiver", "{id}/second-facteur", "{id}/invitation")


def test_an_agent_who_is_not_admin_gets_404_on_every_team_route(client_for, tenant_db):
    """Point 6: « Équipe » exists only for the commune's admins."""
    db = tenant_db("alpha")
    make_agent(db, email=ADMIN, name="Claire Chef", role="admin")
    client = client_for("alpha.test")
    signed_in_agent(client, db, email=AGENT)
    target = agent_id(db, ADMIN)
    assert client.get("/agent/equipe").status_code == 404
    assert "/agent/equipe" not in client.get("/agent/").get_data(as_text=True)
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    for path in TEAM_POSTS:
        answer = client.post("/agent/equipe/" + path.format(id=target),
                             data={"csrf_token": token, "role": "agent", "invite-name": "X", "invite-email": "x@y.fr"})
        assert answer.status_code == 404, path
    db.expire_all()
    assert db.get(Agent, target).disabled_at is None and db.get(Agent, target).role == "admin"


def test_an_admin_of_alpha_cannot_touch_an_agent_of_beta(client_for, tenant_db):
    """Point 6: an admin of commune A gets 404 on an agent of commune B (ids are per commune)."""
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    admin = admin_client(client_for, alpha)
    for n in range(3):
        make_agent(beta, email=f"agent{n}@beta.example", name=f"Agent {n}")
    target = agent_id(beta, "agent2@beta.example")
    assert alpha.get(Agent, target) is None
    for path in TEAM_POSTS[1:]:
        assert post(admin, "/agent/equipe/" + path.format(id=target), {"role": "admin"}).status_code == 404, path
    beta.expire_all()
    agent = beta.get(Agent, target)
    assert agent.disabled_at is None and agent.role == "agent"
    # alpha's cookie on beta's host is nobody there
    admin.host = "beta.test"
    assert admin.get("/agent/equipe").status_code == 302


def test_an_admin_cannot_disable_demote_or_reset_themself(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    me = agent_id(db, ADMIN)
    for path, data in ((f"/agent/equipe/{me}/desactiver", {}), (f"/agent/equipe/{me}/role", {"role": "agent"}),
                       (f"/agent/equipe/{me}/second-facteur", {})):
        answer = post(admin, path, data)
        assert answer.status_code == 400, path
        assert "Vous ne pouvez pas faire cela sur votre propre compte." in answer.get_data(as_text=True)
    db.expire_all()
    assert db.get(Agent, me).disabled_at is None and db.get(Agent, me).role == "admin"
    assert admin.get("/agent/").status_code == 200


def test_the_last_active_admin_cannot_be_disabled_or_demoted(app, client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email="second@alpha.example", name="Second Chef", role="admin")
    second = agent_id(db, "second@alpha.example")
    assert post(admin, f"/agent/equipe/{second}/role", {"role": "agent"}).status_code == 303  # two admins: fine
    db.expire_all()
    assert db.get(Agent, second).role == "agent"
    # The rule itself, as the command line meets it (no acting account): never zero active admins.
    with pytest.raises(team.TeamRefusal) as refused:
        team.disable(db, team.AGENT_TEAM, None, db.get(Agent, agent_id(db, ADMIN)), dt.datetime.now(dt.UTC))
    assert refused.value.code == "last_admin"
    with pytest.raises(team.TeamRefusal):
        team.change_role(db, team.AGENT_TEAM, None, db.get(Agent, agent_id(db, ADMIN)), "agent")
    db.rollback()
    result = app.test_cli_runner().invoke(args=["agents", "disable", "alpha", ADMIN])
    assert result.exit_code == 1 and "dernier administrateur actif" in result.output


def test_actions_need_their_csrf_token(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email=AGENT)
    answer = admin.post(f"/agent/equipe/{agent_id(db, AGENT)}/desactiver")
    assert answer.status_code == 400
    db.expire_all()
    assert db.get(Agent, agent_id(db, AGENT)).disabled_at is None


# --- invitations -----------------------------------------------------------------------------------
def invitation_token(db, email) -> str:
    db.expire_all()
    mail = db.scalars(select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id.desc())).first()
    match = re.search(r"https://famille\.alpha\.test/agent/invitation/([A-Za-z0-9_-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def invite(admin, name="Paul Durand", email=AGENT, role="agent"):
    return post(admin, "/agent/equipe/inviter", {"invite-name": name, "invite-email": email, "invite-role": role})


def test_an_invited_agent_chooses_a_password_enrols_and_lands_on_home(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    answer = invite(admin, email="Paul.Durand@Alpha.example", role="admin")
    assert answer.status_code == 303
    page = admin.get("/agent/equipe").get_data(as_text=True)
    assert "Invitation envoyée à paul.durand@alpha.example." in page and "invité" in page

    db.expire_all()
    mail = db.scalar(select(OutboxMail).where(OutboxMail.recipient == AGENT))
    assert "Activez votre compte" in mail.subject and "72" not in mail.subject
    assert mail.expires_at is not None
    assert as_utc(mail.expires_at) == as_utc(db.scalar(select(AgentInvitation.expires_at)))
    assert as_utc(mail.expires_at) - clock.now == dt.timedelta(hours=72)
    token = invitation_token(db, AGENT)
    stored = db.scalars(select(AgentInvitation.secret_hash)).all()
    assert token not in stored and len(stored) == 1  # only the digest is kept

    newcomer = client_for("alpha.test")
    form = newcomer.get(f"/agent/invitation/{token}")
    assert form.status_code == 200 and "Activer votre compte" in form.get_data(as_text=True)
    weak = newcomer.post(f"/agent/invitation/{token}", data={
        "password": "Court-1x", "confirm": "Court-1x", "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert weak.status_code == 400 and "au moins 12 caractères" in weak.get_data(as_text=True)
    chosen = newcomer.post(f"/agent/invitation/{token}", data={
        "password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/agent/double-facteur/activation")

    page = newcomer.get("/agent/double-facteur/activation").get_data(as_text=True)
    secret = secret_on(page)
    done = newcomer.post("/agent/double-facteur/activation",
                         data={"code": pyotp.TOTP(secret).at(clock.now + dt.timedelta(seconds=30)),
                               "csrf_token": csrf_token(page)})
    assert done.status_code == 200 and len(codes_on(done.get_data(as_text=True))) == 10
    home = newcomer.get("/agent/").get_data(as_text=True)
    assert "Connecté : Paul Durand" in home and "Rôle : Administrateur de la commune" in home

    # single use: the link is dead, the next time is an ordinary sign-in
    assert client_for("alpha.test").get(f"/agent/invitation/{token}").status_code == 404
    enrolled = db.get(Agent, agent_id(db, AGENT))
    assert enrolled.password_hash.startswith("$argon2id$") and enrolled.totp_confirmed_at is not None
    assert enrolled.last_sign_in_at is not None
    assert "actif" in admin.get("/agent/equipe").get_data(as_text=True)
    assert [e[0] for e in events(db)] == ["team.invited", "team.invitation_accepted"]


def test_an_invitation_link_expires_after_72_hours_and_a_new_one_replaces_it(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    invite(admin)
    first = invitation_token(db, AGENT)
    clock.advance(hours=72, seconds=1)
    expired = client_for("alpha.test").get(f"/agent/invitation/{first}")
    assert expired.status_code == 404 and "Ce lien n'est plus valable" in expired.get_data(as_text=True)

    admin = admin_client(client_for, db, email="autre.chef@alpha.example", name="Autre Chef")
    assert post(admin, f"/agent/equipe/{agent_id(db, AGENT)}/invitation").status_code == 303
    second = invitation_token(db, AGENT)
    assert second != first
    assert client_for("alpha.test").get(f"/agent/invitation/{second}").status_code == 200
    assert client_for("alpha.test").get(f"/agent/invitation/{first}").status_code == 404


def test_a_disabled_invited_agent_cannot_use_the_link(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    invite(admin)
    token = invitation_token(db, AGENT)
    assert post(admin, f"/agent/equipe/{agent_id(db, AGENT)}/desactiver").status_code == 303
    assert client_for("alpha.test").get(f"/agent/invitation/{token}").status_code == 404


def test_the_invitation_form_explains_its_errors_in_french_and_creates_nothing(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email=AGENT)
    cases = [
        ({"invite-name": "", "invite-email": "x@alpha.example", "invite-role": "agent"},
         "Saisissez le prénom et le nom."),
        ({"invite-name": "X", "invite-email": "pas-une-adresse", "invite-role": "agent"},
         "Saisissez une adresse électronique valide"),
        ({"invite-name": "X", "invite-email": AGENT.upper(), "invite-role": "agent"},
         "Un compte utilise déjà cette adresse électronique."),
        ({"invite-name": "X", "invite-email": "x@alpha.example", "invite-role": "superadmin"},
         "Not a valid choice"),
    ]
    for data, message in cases[:3]:
        answer = post(admin, "/agent/equipe/inviter", data)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 400 and message in text, message
        assert 'aria-invalid="true"' in text
    assert post(admin, "/agent/equipe/inviter", cases[3][0]).status_code == 400
    db.expire_all()
    assert len(db.scalars(select(Agent)).all()) == 2
    assert db.scalars(select(OutboxMail)).all() == []


# --- role, second factor ------------------------------------------------------------------------------
def test_an_admin_changes_a_role(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email=AGENT, name="Paul Durand")
    paul = agent_id(db, AGENT)
    answer = post(admin, f"/agent/equipe/{paul}/role", {"role": "admin"})
    assert answer.status_code == 303
    db.expire_all()
    assert db.get(Agent, paul).role == "admin"
    assert ("team.role_changed", agent_id(db, ADMIN), f"agent:{paul} role:admin") in events(db)
    assert post(admin, f"/agent/equipe/{paul}/role", {"role": "chef"}).status_code == 400


def test_resetting_the_second_factor_forces_a_new_enrolment(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    lost_phone = client_for("alpha.test")
    signed_in_agent(lost_phone, db, email=AGENT, name="Paul Durand")
    paul = agent_id(db, AGENT)
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.agent_id == paul)).all()

    assert post(admin, f"/agent/equipe/{paul}/second-facteur").status_code == 303
    db.expire_all()
    agent = db.get(Agent, paul)
    assert agent.totp_secret is None and agent.totp_confirmed_at is None
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.agent_id == paul)).all() == []
    assert lost_phone.get("/agent/").status_code == 302  # its sessions ended
    enrol(client_for("alpha.test"), email=AGENT)  # the password step leads to enrolment again
    assert ("team.second_factor_reset", agent_id(db, ADMIN), f"agent:{paul}") in events(db)


def test_the_team_page_lists_role_state_and_last_sign_in(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email=AGENT, name="Paul Durand")
    make_agent(db, email="parti@alpha.example", name="Agent Parti",
               disabled_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC))
    page = admin.get("/agent/equipe")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for expected in ("Claire Chef", "(vous)", "Administrateur de la commune", "Paul Durand", "actif", "jamais",
                     "Agent Parti", "désactivé", "Réactiver", "Inviter un agent", "08/12/2025"):
        assert expected in text, expected
    assert "/agent/equipe" in admin.get("/agent/").get_data(as_text=True)


def test_team_actions_show_in_the_access_journal_with_names(client_for, tenant_db):
    db = tenant_db("alpha")
    admin = admin_client(client_for, db)
    make_agent(db, email=AGENT, name="Paul Durand")
    post(admin, f"/agent/equipe/{agent_id(db, AGENT)}/desactiver")
    password_step(client_for("alpha.test"), AGENT, PASSWORD)
    page = admin.get("/agent/journal?filtre=access").get_data(as_text=True)
    assert "Équipe : compte désactivé : Paul Durand" in page
    assert "Connexion refusée : compte désactivé" in page
    row = re.search(r"<tr>(?:(?!</tr>).)*Équipe : compte désactivé(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert "Claire Chef" in row


# --- flask agents disable | enable | reset-2fa -------------------------------------------------------------
def cli(app, *args):
    return app.test_cli_runner().invoke(args=["agents", *args])


def test_cli_disables_enables_and_resets_an_agent(app, client_for, tenant_db):
    db = tenant_db("alpha")
    make_agent(db, email=ADMIN, role="admin")
    departed = client_for("alpha.test")
    signed_in_agent(departed, db, email=AGENT)
    result = cli(app, "disable", "alpha", AGENT.upper())
    assert result.exit_code == 0 and "compte désactivé" in result.output
    assert departed.get("/agent/").status_code == 302
    assert REFUSED in password_step(client_for("alpha.test"), AGENT, PASSWORD).get_data(as_text=True)
    assert cli(app, "disable", "alpha", AGENT).exit_code == 1  # already disabled
    assert cli(app, "enable", "alpha", AGENT).exit_code == 0
    result = cli(app, "reset-2fa", "alpha", AGENT)
    assert result.exit_code == 0 and "second facteur réinitialisé" in result.output
    enrol(client_for("alpha.test"), email=AGENT)
    paul = agent_id(db, AGENT)
    assert [e for e in events(db) if e[2].startswith(f"agent:{paul}")] == [
        ("team.disabled", None, f"agent:{paul} source:cli"), ("team.enabled", None, f"agent:{paul} source:cli"),
        ("team.second_factor_reset", None, f"agent:{paul} source:cli")]
    assert cli(app, "disable", "alpha", "personne@alpha.example").exit_code == 1
    assert cli(app, "disable", "gamma", AGENT).exit_code == 1


@pytest.mark.postgres
def test_two_admins_disabling_each_other_at_once_leave_one_active(tenant_db):
    """The last-admin rule holds under a race: the active admins are counted under FOR UPDATE."""
    import threading

    setup = tenant_db("alpha")
    make_agent(setup, email=ADMIN, role="admin")
    make_agent(setup, email="second@alpha.example", role="admin")
    first, second = tenant_db("alpha"), tenant_db("alpha")
    now = dt.datetime(2025, 12, 8, 9, tzinfo=dt.UTC)
    a, b = first.get(Agent, agent_id(setup, ADMIN)), first.get(Agent, agent_id(setup, "second@alpha.example"))
    team.disable(first, team.AGENT_TEAM, a, b, now)  # rows locked, not committed yet
    outcome = []

    def the_other_one():
        me, other = second.get(Agent, b.id), second.get(Agent, a.id)
        try:
            team.disable(second, team.AGENT_TEAM, me, other, now)
            second.commit()
            outcome.append("disabled")
        except team.TeamRefusal as refusal:
            second.rollback()
            outcome.append(refusal.code)

    racer = threading.Thread(target=the_other_one)
    racer.start()
    racer.join(0.5)
    assert racer.is_alive()  # waiting for the first transaction's locks
    first.commit()
    racer.join(10)
    assert outcome == ["last_admin"]
    setup.expire_all()
    assert [x.disabled_at is None for x in setup.scalars(select(Agent).order_by(Agent.id))] == [True, False]
