"""E-mail after an outage: expired links are not sent, « failed » e-mail can be retried
(`flask mail retry`, /federation/courriels), the platform's own outbox, and the « Mot de
passe oublié » demands the worker turns into e-mails. SQLite and PostgreSQL."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_family
from tests.helpers import csrf_token
from tests.smtp import free_port
from tests.web.test_federation import enrol_admin, make_admin, platform_db  # noqa: F401  (fixture)
from tests.web.test_mail import demo  # noqa: F401  (fixture)
from tests.web.test_password_flows import ask_password
from tests.web.test_staff import _pinned_clock, signed_in_agent  # noqa: F401  (autouse fixture)
from webapp.audit.models import AuditEvent
from webapp.auth.demands import PasswordDemand, take_demands
from webapp.mail.models import OutboxMail, PlatformOutboxMail
from webapp.mail.outbox import MAX_ATTEMPTS, queue_platform_mail
from webapp.mail.supervision import mask_address


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def failed_mail(session, model=OutboxMail, to="famille@example.org", subject="Votre facture", now=None):
    now = now or datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
    mail = model(recipient=to, subject=subject, body="Corps secret 123", created_at=now, next_attempt_at=now,
                 attempts=MAX_ATTEMPTS, status="failed", last_error="serveur SMTP injoignable")
    session.add(mail)
    session.commit()
    return mail


# --- the demand: one row in the request, the e-mail from the worker -------------------------

def test_the_request_only_stores_a_demand_and_the_worker_sends_the_mail(client_for, tenant_db, run_mail_worker,
                                                                       demo):
    db = tenant_db("alpha")
    make_family(db, email="famille@example.org")
    assert ask_password(client_for("alpha.test"), "100100").status_code == 200
    assert ask_password(client_for("alpha.test"), "999999").status_code == 200
    assert count(db, PasswordDemand) == 2
    assert count(db, OutboxMail) == 0 and count(db, AuditEvent) == 0  # nothing depends on who exists

    run_mail_worker()

    assert count(db, PasswordDemand) == 0
    [mail] = db.scalars(select(OutboxMail)).all()
    assert mail.recipient == "famille@example.org" and mail.expires_at is not None
    events = [e.event for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events == ["password.requested", "password.request_ignored"]


def test_a_family_address_the_outbox_refuses_drops_the_demand_without_breaking_the_worker(
        client_for, tenant_db, run_mail_worker):
    db = tenant_db("alpha")
    make_family(db, email="pas une adresse")
    ask_password(client_for("alpha.test"))
    counts = run_mail_worker()
    assert counts["errors"] == 0
    assert count(db, PasswordDemand) == 0 and count(db, OutboxMail) == 0


@pytest.mark.postgres
def test_two_workers_never_take_the_same_demand(client_for, tenant_db):
    first, second = tenant_db("alpha"), tenant_db("alpha")
    ask_password(client_for("alpha.test"), "1")
    ask_password(client_for("alpha.test"), "2")
    taken = take_demands(first, 1)
    other = take_demands(second, 10)
    assert [d.identifier for d in taken] == ["1"] and [d.identifier for d in other] == ["2"]
    first.rollback()
    second.rollback()


# --- a link that expired before it could be sent --------------------------------------------

def test_an_expired_reset_link_is_not_sent_the_family_is_told_to_ask_again(
        app, client_for, tenant_db, clock, smtp_server, use_mail_server, run_mail_worker):
    """Defect: after an SMTP outage longer than the link's life, the worker sent a dead reset link."""
    db = tenant_db("beta")  # link mode, 60 minutes
    make_family(db, email="famille@example.org")
    ask_password(client_for("beta.test"))
    use_mail_server(free_port())  # the mail server is down
    run_mail_worker()
    [queued] = db.scalars(select(OutboxMail)).all()
    assert queued.status == "pending" and "/mot-de-passe/lien/" in queued.body

    clock.advance(minutes=61)  # back up after the link expired
    use_mail_server(smtp_server.port)
    assert run_mail_worker()["sent"] == 1

    [mail] = smtp_server.handler.received
    assert mail.subject == "Commune de Bêta – Votre lien a expiré : faites une nouvelle demande"
    assert "a expiré avant que nous puissions vous l'envoyer" in mail.body
    assert "https://famille.beta.test/mot-de-passe-oublie" in mail.body
    assert "/mot-de-passe/lien/" not in mail.body
    db.expire_all()
    stored = db.get(OutboxMail, queued.id)
    assert "/mot-de-passe/lien/" not in stored.body and stored.expires_at is None  # the dead secret is gone


def test_a_link_still_valid_after_the_outage_is_sent(app, client_for, tenant_db, clock, smtp_server,
                                                     use_mail_server, run_mail_worker):
    db = tenant_db("beta")
    make_family(db, email="famille@example.org")
    ask_password(client_for("beta.test"))
    use_mail_server(free_port())
    run_mail_worker()
    clock.advance(minutes=30)
    use_mail_server(smtp_server.port)
    run_mail_worker()
    [mail] = smtp_server.handler.received
    assert "/mot-de-passe/lien/" in mail.body


def test_the_welcome_mail_carries_its_link_expiry(app, tenant_db):
    from webapp.family_admin.welcome import queue_welcome_mails

    db = tenant_db("alpha")
    family = make_family(db, email="famille@example.org", password=None)
    tenant = app.extensions["tenancy"].registry.get("alpha")
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    with app.test_request_context():
        queue_welcome_mails(db, tenant, [family.id], now, agent_id=1)
    db.commit()
    [mail] = db.scalars(select(OutboxMail)).all()
    assert mail.expires_at is not None and mail.expires_at.replace(tzinfo=UTC) > now


# --- the platform's own outbox --------------------------------------------------------------

def test_the_worker_sends_the_platform_mails(app, platform_db, smtp_server, use_mail_server, run_mail_worker, clock):
    now = clock.now
    queue_platform_mail(platform_db, to="admin@federation.example", subject="Invitation", body="Bonjour", now=now)
    platform_db.commit()
    use_mail_server(smtp_server.port)
    assert run_mail_worker()["sent"] == 1
    [mail] = smtp_server.handler.received
    assert mail.rcpt_tos == ["admin@federation.example"] and mail.subject == "Invitation"
    platform_db.expire_all()
    assert platform_db.scalar(select(PlatformOutboxMail)).status == "sent"


def test_an_expired_platform_invitation_becomes_a_notice(app, platform_db, smtp_server, use_mail_server,
                                                         run_mail_worker, clock):
    now = clock.now
    queue_platform_mail(platform_db, to="admin@federation.example", subject="Invitation", body="lien secret",
                        now=now - timedelta(days=3), expires_at=now - timedelta(days=1))
    platform_db.commit()
    use_mail_server(smtp_server.port)
    run_mail_worker()
    [mail] = smtp_server.handler.received
    assert "lien secret" not in mail.body and "nouvelle invitation" in mail.body


def test_dev_mailbox_shows_the_platform_mails(client_for, platform_db, demo, clock):
    mail = queue_platform_mail(platform_db, to="admin@federation.example", subject="Invitation plateforme",
                               body="Bonjour", now=clock.now)
    platform_db.commit()
    client = client_for("portail.test")
    assert "Invitation plateforme" in client.get("/dev/courriels").get_data(as_text=True)
    page = client.get(f"/dev/courriels/plateforme/{mail.id}")
    assert page.status_code == 200 and "Bonjour" in page.get_data(as_text=True)


# --- flask mail retry -----------------------------------------------------------------------

def test_mail_retry_queues_failed_mail_again_per_commune(app, tenant_db, platform_db):
    """Defect: a « failed » e-mail was never sent again — no command, no screen."""
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    first = failed_mail(alpha)
    other = failed_mail(beta)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["mail", "retry", "--commune", "alpha"])

    assert result.exit_code == 0, result.output
    assert "1 courriel(s) remis en file" in result.output
    alpha.expire_all()
    beta.expire_all()
    retried = alpha.get(OutboxMail, first.id)
    assert retried.status == "pending" and retried.attempts == 0
    assert beta.get(OutboxMail, other.id).status == "failed"  # another commune's: untouched

    failed_mail(platform_db, PlatformOutboxMail)
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and "2 courriel(s) remis" in result.output  # beta's and the platform's
    assert runner.invoke(args=["mail", "retry", "--commune", "inconnue"]).exit_code == 2


def test_mail_retry_since(app, tenant_db):
    alpha = tenant_db("alpha")
    old = failed_mail(alpha, now=datetime(2025, 11, 1, 8, 0, tzinfo=UTC))
    recent = failed_mail(alpha, now=datetime(2025, 12, 2, 8, 0, tzinfo=UTC))
    result = app.test_cli_runner().invoke(args=["mail", "retry", "--since", "2025-12-01"])
    assert result.exit_code == 0, result.output
    alpha.expire_all()
    assert alpha.get(OutboxMail, old.id).status == "failed"
    assert alpha.get(OutboxMail, recent.id).status == "pending"


def test_a_retried_mail_is_sent_on_the_next_pass(app, tenant_db, smtp_server, use_mail_server, run_mail_worker):
    alpha = tenant_db("alpha")
    failed_mail(alpha)
    app.test_cli_runner().invoke(args=["mail", "retry"])
    use_mail_server(smtp_server.port)
    run_mail_worker()
    assert [m.subject for m in smtp_server.handler.received] == ["Votre facture"]


# --- /federation/courriels ------------------------------------------------------------------

def signed_in_admin(client_for, platform_db):
    make_admin(platform_db)
    client = client_for("portail.test")
    enrol_admin(client)
    return client


def test_federation_mail_page_is_for_federation_admins_only(client_for, tenant_db):
    anonymous = client_for("portail.test").get("/federation/courriels")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith("/federation/connexion")
    agent = client_for("alpha.test")
    signed_in_agent(agent, tenant_db("alpha"), role="admin")
    assert agent.get("/federation/courriels").status_code == 404  # a commune's host: no such page
    token = csrf_token(agent.get("/agent/").get_data(as_text=True))
    assert agent.post("/federation/courriels/renvoyer", data={"commune": "alpha", "csrf_token": token}).status_code == 404


def test_federation_mail_page_lists_failed_mail_without_bodies(client_for, tenant_db, platform_db):
    failed_mail(tenant_db("alpha"), to="jean.dupont@example.org", subject="Envoi de vos identifiants")
    client = signed_in_admin(client_for, platform_db)
    answer = client.get("/federation/courriels")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "Envoi de vos identifiants" in page and "serveur SMTP injoignable" in page
    assert "j•••@example.org" in page and "jean.dupont" not in page
    assert "Corps secret 123" not in page
    assert "RPI Alpha" in page and "Commune de Bêta" in page


def test_federation_renvoyer_per_mail_stays_in_its_commune(client_for, tenant_db, platform_db):
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    only_alpha = failed_mail(alpha)
    beta_first, beta_second = failed_mail(beta), failed_mail(beta)
    assert beta_second.id != only_alpha.id
    client = signed_in_admin(client_for, platform_db)
    token = csrf_token(client.get("/federation/courriels").get_data(as_text=True))

    assert client.post("/federation/courriels/renvoyer", data={"commune": "alpha", "mail": beta_second.id}).status_code == 400  # no CSRF
    answer = client.post("/federation/courriels/renvoyer",
                         data={"commune": "alpha", "mail": beta_second.id, "csrf_token": token})
    assert answer.status_code == 303
    for session in (alpha, beta):
        session.expire_all()
    assert alpha.get(OutboxMail, only_alpha.id).status == "failed"  # id not in alpha: nothing
    assert beta.get(OutboxMail, beta_second.id).status == "failed"  # another commune's: untouched

    client.post("/federation/courriels/renvoyer", data={"commune": "beta", "mail": beta_second.id, "csrf_token": token})
    beta.expire_all()
    assert beta.get(OutboxMail, beta_second.id).status == "pending"
    assert beta.get(OutboxMail, beta_first.id).status == "failed"

    answer = client.post("/federation/courriels/renvoyer", data={"commune": "alpha", "csrf_token": token},
                         follow_redirects=True)
    assert "1 courriel remis en file d" in answer.get_data(as_text=True)
    alpha.expire_all()
    assert alpha.get(OutboxMail, only_alpha.id).status == "pending"
    for bad in ({"commune": "inconnue"}, {"commune": "alpha", "mail": "1;drop"}, {"commune": "alpha", "mail": "١"}):
        assert client.post("/federation/courriels/renvoyer", data={**bad, "csrf_token": token}).status_code == 404


def test_mask_address():
    assert mask_address("jean.dupont@example.org") == "j•••@example.org"
    assert mask_address("sans-arobase") == "•••"
