"""Issue 15, point 6, on the platform host: federation admins manage each other on « Équipe »,
every sign-in and change goes to the platform's journal, and `flask federation admins …` is the
way in for the first one."""
import re

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token
from tests.web.test_federation import EMAIL, PASSWORD, PREFIX, enrol_admin, make_admin, platform_db  # noqa: F401
from tests.web.test_staff import (  # noqa: F401  (_pinned_clock is an autouse fixture)
    _pinned_clock, codes_on, fresh_code, password_step, secret_on,
)
from webapp.federation.models import AdminRecoveryCode, AdminSession, FederationAdmin, PlatformEvent
from webapp.mail.models import OutboxMail, PlatformOutboxMail

OTHER = "bruno@federation.example"
REFUSED = "Adresse électronique ou mot de passe incorrect."


def signed_in_admin(client_for, db, email=EMAIL, name="Alice Admin"):
    make_admin(db, email=email, name=name)
    client = client_for("portail.test")
    enrol_admin(client, email=email)
    return client


def post(client, path, data=None):
    token = csrf_token(client.get(f"{PREFIX}/equipe").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def admin_id(db, email):
    db.expire_all()
    return db.scalar(select(FederationAdmin.id).where(FederationAdmin.email == email))


def platform_events(db):
    db.expire_all()
    return [(e.event, e.actor_id, e.target_id, e.details) for e in db.scalars(select(PlatformEvent)
                                                                           .order_by(PlatformEvent.id))]


def test_an_admin_invites_another_who_enrols_through_the_platform_outbox(client_for, platform_db, tenant_db, clock):
    alice = signed_in_admin(client_for, platform_db)
    answer = post(alice, f"{PREFIX}/equipe/inviter", {"invite-name": "Bruno Braun", "invite-email": OTHER})
    assert answer.status_code == 303
    platform_db.expire_all()
    mail = platform_db.scalar(select(PlatformOutboxMail).where(PlatformOutboxMail.recipient == OTHER))
    assert mail is not None and mail.expires_at is not None
    assert tenant_db("alpha").scalars(select(OutboxMail)).all() == []  # never a commune's outbox
    token = re.search(r"http://portail\.test/federation/invitation/([A-Za-z0-9_-]+)", mail.body).group(1)

    bruno = client_for("portail.test")
    form = bruno.get(f"{PREFIX}/invitation/{token}").get_data(as_text=True)
    chosen = bruno.post(f"{PREFIX}/invitation/{token}",
                        data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_token(form)})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith(f"{PREFIX}/double-facteur/activation")
    page = bruno.get(f"{PREFIX}/double-facteur/activation").get_data(as_text=True)
    done = bruno.post(f"{PREFIX}/double-facteur/activation",
                      data={"code": fresh_code(secret_on(page)), "csrf_token": csrf_token(page)})
    assert len(codes_on(done.get_data(as_text=True))) == 10
    assert "Bruno Braun" in bruno.get(f"{PREFIX}/").get_data(as_text=True)
    assert client_for("portail.test").get(f"{PREFIX}/invitation/{token}").status_code == 404  # used once
    # the invitation link does not exist on a commune's host
    assert client_for("alpha.test").get(f"{PREFIX}/invitation/{token}").status_code == 404

    bruno_id = admin_id(platform_db, OTHER)
    recorded = [(e, actor, target) for e, actor, target, _d in platform_events(platform_db)]
    assert ("team.invited", admin_id(platform_db, EMAIL), bruno_id) in recorded
    assert ("team.invitation_accepted", bruno_id, bruno_id) in recorded
    assert ("login.success", bruno_id, None) in recorded


def test_disabling_an_admin_ends_its_sessions_and_its_sign_in(client_for, platform_db):
    """Point 6 for federation admins: a disabled admin's open session is refused on its next request."""
    alice = signed_in_admin(client_for, platform_db)
    bruno = signed_in_admin(client_for, platform_db, email=OTHER, name="Bruno Braun")
    bruno_id = admin_id(platform_db, OTHER)
    assert post(alice, f"{PREFIX}/equipe/{bruno_id}/desactiver").status_code == 303
    assert bruno.get(f"{PREFIX}/").status_code == 302
    platform_db.expire_all()
    assert platform_db.scalars(select(AdminSession).where(AdminSession.account_id == bruno_id)).all() == []
    assert REFUSED in password_step(client_for("portail.test"), OTHER, PASSWORD, PREFIX).get_data(as_text=True)
    assert "désactivé" in alice.get(f"{PREFIX}/equipe").get_data(as_text=True)
    assert post(alice, f"{PREFIX}/equipe/{bruno_id}/reactiver").status_code == 303
    again = password_step(client_for("portail.test"), OTHER, PASSWORD, PREFIX)  # enrolled: the code comes next
    assert again.status_code == 303 and again.headers["Location"].endswith(f"{PREFIX}/double-facteur")


def test_an_admin_cannot_disable_or_reset_themself(client_for, platform_db):
    alice = signed_in_admin(client_for, platform_db)
    me = admin_id(platform_db, EMAIL)
    for action in ("desactiver", "second-facteur"):
        answer = post(alice, f"{PREFIX}/equipe/{me}/{action}")
        assert answer.status_code == 400
        assert "Vous ne pouvez pas faire cela sur votre propre compte." in answer.get_data(as_text=True)
    assert alice.get(f"{PREFIX}/").status_code == 200
    assert post(alice, f"{PREFIX}/equipe/{me + 100}/desactiver").status_code == 404


def test_resetting_an_admins_second_factor_forces_a_new_enrolment(client_for, platform_db):
    alice = signed_in_admin(client_for, platform_db)
    bruno = signed_in_admin(client_for, platform_db, email=OTHER, name="Bruno Braun")
    bruno_id = admin_id(platform_db, OTHER)
    assert post(alice, f"{PREFIX}/equipe/{bruno_id}/second-facteur").status_code == 303
    assert bruno.get(f"{PREFIX}/").status_code == 302
    platform_db.expire_all()
    assert platform_db.get(FederationAdmin, bruno_id).totp_confirmed_at is None
    assert platform_db.scalars(select(AdminRecoveryCode).where(AdminRecoveryCode.admin_id == bruno_id)).all() == []
    enrol_admin(client_for("portail.test"), email=OTHER)


def test_the_platform_journal_lists_sign_ins_and_team_changes(client_for, platform_db):
    alice = signed_in_admin(client_for, platform_db)
    make_admin(platform_db, email=OTHER, name="Bruno Braun")
    post(alice, f"{PREFIX}/equipe/{admin_id(platform_db, OTHER)}/desactiver")
    password_step(client_for("portail.test"), "inconnu@federation.example", "mauvais-mot-de-passe", PREFIX)
    page = alice.get(f"{PREFIX}/journal")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for expected in ("Journal de la plateforme", "Compte désactivé", "Bruno Braun", "Alice Admin", "Connexion",
                     "Échec de connexion", "inconnu@federation.example"):
        assert expected in text, expected
    assert PASSWORD not in text and "mauvais-mot-de-passe" not in text
    assert client_for("portail.test").get(f"{PREFIX}/journal").status_code == 302  # signed-in admins only
    assert client_for("portail.test").get(f"{PREFIX}/equipe").status_code == 302


# --- flask federation admins ------------------------------------------------------------------------
def admins(app, *args, password_input=None):
    return app.test_cli_runner().invoke(args=["federation", "admins", *args], input=password_input)


def test_cli_adds_the_first_admin_who_can_sign_in_then_lists_disables_and_resets(app, client_for, platform_db):
    assert "Aucun administrateur" in admins(app, "list").output
    weak = admins(app, "add", EMAIL, "--name", "Alice Admin", password_input="Court-1x\nCourt-1x\n")
    assert weak.exit_code == 1 and "au moins 12 caractères" in weak.output
    added = admins(app, "add", EMAIL.upper(), "--name", "Alice Admin", password_input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert admins(app, "add", EMAIL, "--name", "Autre", password_input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 1
    session = client_for("portail.test")
    enrol_admin(session)
    listed = admins(app, "list").output
    assert EMAIL in listed and "actif" in listed and "UTC" in listed

    last = admins(app, "disable", EMAIL)
    assert last.exit_code == 1 and "dernier administrateur actif" in last.output
    make_admin(platform_db, email=OTHER, name="Bruno Braun")
    assert admins(app, "reset-2fa", EMAIL).exit_code == 0
    assert session.get(f"{PREFIX}/").status_code == 302
    assert admins(app, "disable", EMAIL).exit_code == 0
    assert "désactivé" in admins(app, "list").output
    assert admins(app, "enable", EMAIL).exit_code == 0
    assert admins(app, "disable", "personne@federation.example").exit_code == 1
    alice = admin_id(platform_db, EMAIL)
    assert [(e, t) for e, _a, t, _d in platform_events(platform_db) if t == alice] == [
        ("team.created", alice), ("team.second_factor_reset", alice), ("team.disabled", alice),
        ("team.enabled", alice)]


@pytest.mark.parametrize("path", ["/agent/equipe", "/federation/equipe", "/federation/journal"])
def test_team_pages_live_on_their_own_host_only(client_for, path):
    other_host = "portail.test" if path.startswith("/agent") else "alpha.test"
    assert client_for(other_host).get(path).status_code == 404
