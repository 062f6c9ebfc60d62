"""Delivery: every commune's outbox, then the platform's, through Flask-Mail.

Each commune is read in its own session on its own schema or file; a commune whose
database fails is logged and the others carry on. On each pass a commune's
« Mot de passe oublié » demands are first turned into e-mails (or into nothing), then
its due e-mails are sent. Each demand and each message is taken, handled and marked in
one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL), so two workers never
send the same message and a crash re-sends at most one. An e-mail whose link has
expired before it could be sent goes out as a short « ask again » notice instead.
"""
import logging
import smtplib
from collections.abc import Callable
from datetime import datetime

from flask import Flask, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Connection, Message
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tenancy.storage import PLATFORM_SCHEMA
from webapp import clock
from webapp.auth.mails import answer_demands
from webapp.i18n import DEFAULT_LOCALE
from webapp.mail import outbox
from webapp.mail.models import FAILED, OutboxMail, OutboxMailMixin, PlatformOutboxMail

log = logging.getLogger(__name__)

DEFAULT_SENDER = "portail-famille@localhost"
DEFAULT_TIMEOUT = 30.0  # seconds; MAIL_TIMEOUT in the app config overrides it
PER_COMMUNE = 200  # messages per commune and per run, so one backlog cannot starve the others
COUNTS = ("sent", "retry", "failed", "held", "errors")
PLATFORM = "plateforme"  # the platform outbox's name in logs


def describe(exc: BaseException) -> str:
    """One line for `last_error` and the logs."""
    text = " ".join(str(exc).split()) or "(sans message)"
    if isinstance(exc, ServerDown):
        return text[: outbox.ERROR_LENGTH]
    return f"{type(exc).__name__}: {text}"[: outbox.ERROR_LENGTH]


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a silent server must not hang the worker."""

    def __init__(self, state, timeout: float):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        factory = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = factory(state.server, state.port, timeout=self.timeout)
        try:
            host.set_debuglevel(int(state.debug))
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()
            raise
        return host


class ServerDown(Exception):
    """The SMTP server could not be reached earlier in this run."""


class Transport:
    """One SMTP connection per run, opened on first use and reopened after an error.

    When connecting fails the server is taken as down for the rest of the run: the
    remaining messages count an attempt each without waiting for another timeout.
    """

    def __init__(self, app: Flask):
        self.app = app
        self.sender = app.config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER
        self.timeout = float(app.config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT)
        self.down: str | None = None
        self._connection: _TimedConnection | None = None

    def send(self, mail: OutboxMailMixin) -> None:
        if self.down is not None:
            raise ServerDown(self.down)
        if self._connection is None:
            connection = _TimedConnection(self.app.extensions["mail"], self.timeout)
            try:
                connection.__enter__()
            except (OSError, smtplib.SMTPException) as exc:
                self.down = f"serveur SMTP injoignable : {describe(exc)}"
                raise ServerDown(self.down) from exc
            self._connection = connection
        message = Message(mail.subject, recipients=[mail.recipient], body=mail.body, sender=self.sender)
        try:
            self._connection.send(message)
        except Exception:
            self.close()  # the session's state is unknown: a fresh connection for the next message
            raise

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.host is None:
            return
        try:
            connection.host.quit()
        except (OSError, smtplib.SMTPException):
            connection.host.close()


def send_pending(app: Flask, now: datetime | None = None, *, per_commune: int = PER_COMMUNE) -> dict[str, int]:
    """Answer the password demands and send what is due, in every commune and the platform; returns counts.

    `sent`: delivered (or, in demo mode without MAIL_SERVER, marked sent: the development
    mailbox shows them); `retry`: attempt failed, another is scheduled; `failed`: given up
    after the last attempt; `held`: due but no MAIL_SERVER outside demo mode (left pending);
    `errors`: communes (or the platform) whose database failed.
    """
    pinned = outbox.as_utc(now)

    def current_time() -> datetime:
        return pinned or clock.utcnow()

    started = current_time()
    counts = dict.fromkeys(COUNTS, 0)
    tenancy = app.extensions["tenancy"]
    transport = Transport(app) if app.config.get("MAIL_SERVER") else None
    demo = bool(app.config.get("DEMO"))
    with app.app_context(), force_locale(DEFAULT_LOCALE):  # Flask-Mail reads current_app; mails are French
        existing = tenancy.storage.existing_schemas()
        try:
            for tenant in tenancy.registry:
                if tenant.schema not in existing:
                    continue  # not provisioned yet: never create an empty file or schema here
                try:
                    engine = tenancy.storage.engine_for(tenant.schema)
                    with Session(engine, expire_on_commit=False) as session:
                        answer_demands(session, tenant)
                    _send_outbox(engine, OutboxMail, tenant.slug, transport, demo, started, current_time,
                                 per_commune, counts, lambda mail, tenant=tenant: _expired_notice(mail, tenant))
                except Exception:
                    counts["errors"] += 1
                    log.exception("courriels de la commune %s : échec, les autres communes continuent", tenant.slug)
            if tenancy.storage.exists(PLATFORM_SCHEMA):
                try:
                    _send_outbox(tenancy.storage.platform_engine, PlatformOutboxMail, PLATFORM, transport, demo,
                                 started, current_time, per_commune, counts, _expired_notice)
                except Exception:
                    counts["errors"] += 1
                    log.exception("courriels de la plateforme : échec")
        finally:
            if transport is not None:
                transport.close()
    if counts["held"]:
        log.warning("MAIL_SERVER n'est pas configuré : %d courriel(s) restent en attente", counts["held"])
    return counts


def _expired_notice(mail: OutboxMailMixin, tenant=None) -> tuple[str, str]:
    """Subject and body of « the link expired before we could send it: ask again » (no secret in it).

    Sent rather than nothing: the person who asked is waiting for an e-mail, and silence
    would look like a lost message; this one says what to do.
    """
    subject = _("Votre lien a expiré : faites une nouvelle demande")
    body = render_template("mail/expired_before_sending.txt", tenant=tenant, original_subject=mail.subject,
                           ask_again_url=f"{tenant.base}/mot-de-passe-oublie" if tenant is not None else None,
                           login_url=f"{tenant.base}/" if tenant is not None else None)
    return (f"{tenant.name} – {subject}" if tenant is not None else subject), body


def _send_outbox(engine: Engine, model: type[OutboxMailMixin], name: str, transport: Transport | None, demo: bool,
                 started: datetime, clock: Callable[[], datetime], limit: int, counts: dict[str, int],
                 expired_notice: Callable[[OutboxMailMixin], tuple[str, str]]) -> None:
    with Session(engine, expire_on_commit=False) as session:
        if transport is None and not demo:
            counts["held"] += outbox.count_due(session, started, model)
            return
        for _turn in range(limit):
            due = outbox.due_mails(session, started, limit=1, model=model)
            if not due:
                break
            mail = due[0]
            if outbox.has_expired(mail, clock()):
                log.info("courriel %s de %s : lien expiré avant l'envoi, remplacé par l'avis « faites une "
                         "nouvelle demande »", mail.id, name)
                outbox.replace_expired(mail, *expired_notice(mail))
            if transport is None:  # demo without a mail server: readable at /dev/courriels
                outbox.mark_sent(mail, clock())
                counts["sent"] += 1
            else:
                try:
                    transport.send(mail)
                except Exception as exc:  # noqa: BLE001  (any failure is one unsuccessful attempt)
                    outbox.mark_failed(mail, describe(exc), clock())
                    gave_up = mail.status == FAILED
                    counts["failed" if gave_up else "retry"] += 1
                    log.warning("courriel %s de %s %s : %s", mail.id, name,
                                "abandonné" if gave_up else "à réessayer", mail.last_error)
                else:
                    outbox.mark_sent(mail, clock())
                    counts["sent"] += 1
            session.commit()  # releases the row lock: one message per transaction
