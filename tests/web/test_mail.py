"""E-mail: the per-commune outbox, delivery through a real SMTP server on loopback, retries,
and the development mailbox of the demo.

The SMTP server is aiosmtpd, started inside each test that needs it on a free port of
127.0.0.1; a "server down" is a port where nothing listens. Time is pinned for the retry
schedule: nothing sleeps.
"""
import signal
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.smtp import SENDER, free_port

from webapp.mail import cli as mail_cli
from webapp.mail.models import OutboxMail
from webapp.mail.outbox import (
    GIVE_UP_AFTER,
    MAX_ATTEMPTS,
    MAX_DELAY,
    as_utc,
    due_mails,
    mark_failed,
    mark_sent,
    queue_mail,
    retry_delay,
)
from webapp.mail.sender import send_pending
BODY = "Bonjour Hélène,\n\nVotre mot de passe temporaire : Éléphant-àçù-42 €\n\nLa mairie de Bêta"


@pytest.fixture
def demo(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO", True)


def now_utc() -> datetime:
    return datetime.now(UTC)


def queue(session: Session, to="famille@example.org", subject="Votre mot de passe temporaire", body=BODY,
          now=None) -> OutboxMail:
    message = queue_mail(session, to=to, subject=subject, body=body, now=now or now_utc())
    session.commit()
    return message


def reload(session: Session, message: OutboxMail) -> OutboxMail:
    session.expire_all()
    return session.get(OutboxMail, message.id)


def send_cli(app, *args):
    return app.test_cli_runner().invoke(args=["mail", "send", *args])


# --- delivery -------------------------------------------------------------------------------

def test_mails_of_two_communes_arrive_through_smtp(app, tenant_db, smtp_server, use_mail_server):
    use_mail_server(smtp_server.port)
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    first = queue(alpha, to="helene.parent@example.org", subject="Bienvenue à Alpha")
    second = queue(beta, to="famille.beta@example.org", subject="Votre mot de passe temporaire – Bêta")

    result = send_cli(app)

    assert result.exit_code == 0, result.output
    assert "2 envoyé(s)" in result.output
    received = {r.rcpt_tos[0]: r for r in smtp_server.handler.received}
    assert set(received) == {"helene.parent@example.org", "famille.beta@example.org"}
    assert received["helene.parent@example.org"].subject == "Bienvenue à Alpha"
    beta_mail = received["famille.beta@example.org"]
    assert beta_mail.subject == "Votre mot de passe temporaire – Bêta"
    assert beta_mail.body.rstrip("\n") == BODY
    assert beta_mail.mail_from == SENDER and beta_mail.message["From"] == SENDER
    assert beta_mail.message["To"] == "famille.beta@example.org"
    for session, message in ((alpha, first), (beta, second)):
        stored = reload(session, message)
        assert stored.status == "sent" and stored.attempts == 1 and stored.last_error is None
        assert abs(as_utc(stored.sent_at) - now_utc()) < timedelta(minutes=1)

    again = send_cli(app)
    assert again.exit_code == 0 and "0 envoyé(s)" in again.output
    assert len(smtp_server.handler.received) == 2  # sent once, never twice


def test_a_mail_server_that_is_down_keeps_the_messages(app, tenant_db, use_mail_server):
    use_mail_server(free_port())  # nothing listens there
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    messages = [(alpha, queue(alpha)), (beta, queue(beta))]
    before = now_utc()

    result = send_cli(app)
    after = now_utc()

    assert result.exit_code == 0, result.output
    assert "0 envoyé(s), 2 à réessayer, 0 abandonné(s)" in result.output
    for session, message in messages:
        stored = reload(session, message)
        assert stored.status == "pending" and stored.attempts == 1 and stored.sent_at is None
        assert "injoignable" in stored.last_error and "Connection refused" in stored.last_error
        assert before + timedelta(minutes=1) <= as_utc(stored.next_attempt_at) <= after + timedelta(minutes=1)


def test_a_refused_recipient_is_retried_and_the_others_still_go(app, tenant_db, smtp_server, use_mail_server):
    use_mail_server(smtp_server.port)
    smtp_server.handler.refused.add("inconnu@example.org")
    alpha = tenant_db("alpha")
    refused = queue(alpha, to="inconnu@example.org", now=now_utc() - timedelta(seconds=2))
    accepted = queue(alpha, to="famille@example.org", now=now_utc() - timedelta(seconds=1))

    result = send_cli(app)

    assert result.exit_code == 0 and "1 envoyé(s), 1 à réessayer" in result.output
    assert [r.rcpt_tos for r in smtp_server.handler.received] == [["famille@example.org"]]
    stored = reload(alpha, refused)
    assert stored.status == "pending" and stored.attempts == 1 and "550" in stored.last_error
    assert reload(alpha, accepted).status == "sent"


def test_retries_back_off_to_15_minutes_not_6_hours(app, tenant_db, use_mail_server):
    """Defect: the back-off grew to 6 hours, so after a long SMTP outage the next try came up to
    4 h after the server was back, when a 60-minute reset link had long expired. Now 1, 2, 4, 8 min,
    then every 15 minutes."""
    use_mail_server(free_port())
    alpha = tenant_db("alpha")
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    message = queue(alpha, now=t0)

    delays, now = [], t0
    for attempt in range(1, 9):
        # just before the scheduled time nothing happens…
        early = send_pending(app, now=now - timedelta(seconds=1)) if attempt > 1 else None
        assert early is None or early["retry"] == early["failed"] == 0
        counts = send_pending(app, now=now)
        stored = reload(alpha, message)
        assert stored.attempts == attempt and counts["retry"] == 1 and stored.status == "pending"
        delays.append(as_utc(stored.next_attempt_at) - now)
        now = as_utc(stored.next_attempt_at)

    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15, 15, 15)]


def test_a_mail_is_given_up_after_three_days_not_after_ten_attempts():
    """Defect: « failed » after 10 attempts (about 8 h 30 of outage), so a night-long outage
    dropped the e-mails queued at its start. Now the attempts go on for 3 days."""
    t0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    message = OutboxMail(recipient="a@example.org", subject="s", body="b", created_at=t0, next_attempt_at=t0,
                         attempts=0, status="pending")
    now = t0
    while message.status == "pending":
        mark_failed(message, "serveur SMTP injoignable", now)
        if message.attempts == 10:
            assert message.status == "pending"  # the old rule gave up here
        if message.status == "pending":
            assert as_utc(message.next_attempt_at) - now <= MAX_DELAY
            now = as_utc(message.next_attempt_at)
    assert message.attempts == MAX_ATTEMPTS
    assert GIVE_UP_AFTER <= now - t0 < GIVE_UP_AFTER + MAX_DELAY
    assert GIVE_UP_AFTER == timedelta(days=3) and MAX_DELAY == timedelta(minutes=15)


def test_the_last_attempt_gives_up_and_the_mail_is_kept(app, tenant_db, use_mail_server):
    use_mail_server(free_port())
    alpha = tenant_db("alpha")
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    message = queue(alpha, now=t0)
    message.attempts = MAX_ATTEMPTS - 1
    alpha.commit()
    assert send_pending(app, now=t0)["failed"] == 1
    stored = reload(alpha, message)
    assert stored.status == "failed" and stored.attempts == MAX_ATTEMPTS
    assert send_pending(app, now=t0 + timedelta(days=30))["retry"] == 0  # not tried again by itself
    assert alpha.scalars(select(OutboxMail)).all() == [stored]  # kept, never deleted


def test_retry_delay_is_capped_at_15_minutes():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(5) == retry_delay(50) == retry_delay(10_000) == timedelta(minutes=15)


def test_mark_failed_and_mark_sent_without_a_database():
    t0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    message = OutboxMail(recipient="a@example.org", subject="s", body="b", created_at=t0, next_attempt_at=t0,
                         attempts=0, status="pending")
    mark_failed(message, "x" * 1000, t0)
    assert (message.status, message.attempts, message.next_attempt_at) == ("pending", 1, t0 + timedelta(minutes=1))
    assert len(message.last_error) == 300
    for _ in range(MAX_ATTEMPTS - 1):
        mark_failed(message, "refusé", t0)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    retried = OutboxMail(recipient="a@example.org", subject="s", body="b", created_at=t0, next_attempt_at=t0,
                         attempts=3, status="pending")
    mark_sent(retried, t0 + timedelta(hours=1))
    assert (retried.status, retried.attempts, retried.sent_at) == ("sent", 4, t0 + timedelta(hours=1))


def test_one_commune_failing_does_not_stop_the_others(app, tenant_db, smtp_server, use_mail_server,
                                                      monkeypatch, tmp_path):
    use_mail_server(smtp_server.port)
    queue(tenant_db("alpha"), to="alpha@example.org")
    queue(tenant_db("beta"), to="beta@example.org")
    storage = app.extensions["tenancy"].storage
    beta_schema = app.extensions["tenancy"].registry.get("beta").schema
    broken = create_engine(f"sqlite:///{tmp_path / 'absent' / 'beta.db'}")  # cannot be opened
    real_engine_for = storage.engine_for
    monkeypatch.setattr(storage, "engine_for", lambda schema: broken if schema == beta_schema else real_engine_for(schema))

    result = send_cli(app)
    broken.dispose()

    assert result.exit_code == 1  # a database problem is worth an alert
    assert "1 envoyé(s)" in result.output and "1 commune(s) en erreur" in result.output
    assert [r.rcpt_tos for r in smtp_server.handler.received] == [["alpha@example.org"]]


def test_without_a_mail_server_messages_wait_and_a_warning_says_why(app, tenant_db, caplog):
    assert not app.config.get("MAIL_SERVER")
    alpha = tenant_db("alpha")
    message = queue(alpha)

    result = send_cli(app)

    assert result.exit_code == 0 and "1 en attente d'un serveur SMTP" in result.output
    stored = reload(alpha, message)
    assert stored.status == "pending" and stored.attempts == 0  # never lost, never counted
    warnings = [r for r in caplog.records if "MAIL_SERVER" in r.getMessage()]
    assert len(warnings) == 1


def test_in_demo_without_a_mail_server_messages_are_marked_sent(app, tenant_db, demo):
    alpha = tenant_db("alpha")
    message = queue(alpha)
    result = send_cli(app)
    assert result.exit_code == 0 and "1 envoyé(s)" in result.output
    assert reload(alpha, message).status == "sent"


@pytest.mark.parametrize("field_name, value", [
    ("to", "famille@example.org\r\nBcc: tous@example.org"),
    ("to", "famille@example.org\nBcc: tous@example.org"),
    ("subject", "Bonjour\r\nBcc: tous@example.org"),
    ("subject", "Bonjour\nX-Injected: 1"),
    ("subject", "Bonjour\u2028Bcc: tous@example.org"),
    ("to", ""),
    ("to", "pas-une-adresse"),
])
def test_header_injection_and_bad_recipients_are_refused(tenant_db, field_name, value):
    alpha = tenant_db("alpha")
    values = {"to": "famille@example.org", "subject": "Bonjour", "body": "Texte"}
    values[field_name] = value
    with pytest.raises(ValueError):
        queue_mail(alpha, now=now_utc(), **values)
    assert not alpha.new
    alpha.commit()
    assert alpha.scalars(select(OutboxMail)).all() == []


def test_queue_mail_does_not_commit(tenant_db):
    alpha = tenant_db("alpha")
    queue_mail(alpha, to="famille@example.org", subject="Bonjour", body="Texte", now=now_utc())
    alpha.rollback()  # the caller's change failed: no e-mail either
    assert alpha.scalars(select(OutboxMail)).all() == []


@pytest.mark.postgres
def test_two_workers_never_take_the_same_message(app, tenant_db):
    first_worker, second_worker = tenant_db("alpha"), tenant_db("alpha")
    queue(first_worker, to="un@example.org")
    queue(first_worker, to="deux@example.org")
    now = now_utc() + timedelta(seconds=1)

    taken = due_mails(first_worker, now, limit=1)
    other = due_mails(second_worker, now, limit=10)  # does not wait for the lock: skips the row

    assert [m.recipient for m in taken] == ["un@example.org"]
    assert [m.recipient for m in other] == ["deux@example.org"]
    first_worker.rollback()
    second_worker.rollback()


# --- the worker -----------------------------------------------------------------------------

def test_worker_finishes_its_pass_and_stops_on_sigterm(app, monkeypatch):
    passes = []
    leaked = []

    def one_pass(_app, now=None):
        passes.append(now)
        signal.raise_signal(signal.SIGTERM)  # as `kill` from the process manager would
        return dict.fromkeys(("sent", "retry", "failed", "held", "errors"), 0)

    def fallback(*_args):
        leaked.append(True)

    previous = signal.signal(signal.SIGTERM, fallback)
    try:
        monkeypatch.setattr(mail_cli, "send_pending", one_pass)
        result = app.test_cli_runner().invoke(args=["mail", "worker", "--interval", "60"])
    finally:
        restored = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, previous)

    assert result.exit_code == 0, result.output
    assert len(passes) == 1 and not leaked  # the worker's handler caught it, without waiting 60 s
    assert "arrêté" in result.output
    assert restored is fallback  # the previous handler is back


def test_worker_refuses_a_nonsense_interval(app):
    result = app.test_cli_runner().invoke(args=["mail", "worker", "--interval", "0"])
    assert result.exit_code == 2


# --- the development mailbox ----------------------------------------------------------------

def test_dev_mailbox_does_not_exist_outside_demo(client_for, tenant_db):
    message = queue(tenant_db("alpha"))
    client = client_for("portail.test")
    assert client.get("/dev/courriels").status_code == 404
    assert client.get(f"/dev/courriels/alpha/{message.id}").status_code == 404


def test_dev_mailbox_does_not_exist_on_a_commune_host(client_for, tenant_db, demo):
    message = queue(tenant_db("alpha"))
    for host in ("alpha.test", "beta.test"):
        client = client_for(host)
        assert client.get("/dev/courriels").status_code == 404
        assert client.get(f"/dev/courriels/alpha/{message.id}").status_code == 404


def test_dev_mailbox_lists_every_commune_newest_first(client_for, tenant_db, demo):
    t0 = now_utc() - timedelta(hours=1)
    alpha, beta = tenant_db("alpha"), tenant_db("beta")
    queue(alpha, to="premier@example.org", subject="Premier courriel", now=t0)
    queue(beta, to="deuxieme@example.org", subject="Deuxième courriel", now=t0 + timedelta(minutes=1))
    queue(alpha, to="troisieme@example.org", subject="Troisième courriel", now=t0 + timedelta(minutes=2))

    answer = client_for("portail.test").get("/dev/courriels")

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    positions = [page.index(s) for s in ("Troisième courriel", "Deuxième courriel", "Premier courriel")]
    assert positions == sorted(positions)
    assert "RPI Alpha" in page and "Commune de Bêta" in page and "deuxieme@example.org" in page
    assert "<caption>" in page and '<th scope="col">' in page


def test_dev_mailbox_shows_one_message_as_text(client_for, tenant_db, demo):
    message = queue(tenant_db("beta"), subject="Votre mot de passe temporaire")
    answer = client_for("portail.test").get(f"/dev/courriels/beta/{message.id}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Votre mot de passe temporaire : Éléphant-àçù-42 €" in page and "famille@example.org" in page
    client = client_for("portail.test")
    assert client.get(f"/dev/courriels/alpha/{message.id}").status_code == 404  # another commune's id
    assert client.get(f"/dev/courriels/inconnue/{message.id}").status_code == 404


def test_dev_mailbox_escapes_html(client_for, tenant_db, demo):
    message = queue(tenant_db("alpha"), subject="<b>Objet</b>", body="<script>alert('x')</script> & <img src=x>")
    client = client_for("portail.test")
    listing = client.get("/dev/courriels").get_data(as_text=True)
    page = client.get(f"/dev/courriels/alpha/{message.id}").get_data(as_text=True)
    assert "<b>Objet</b>" not in listing and "&lt;b&gt;Objet&lt;/b&gt;" in listing
    assert "<script>alert" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img src=x&gt;" in page
