"""Delivery: every commune's outbox through Flask-Mail, one commune at a time.

Each commune is read in its own session on its own schema or file; a commune whose
database fails is logged and the others carry on. Each message is taken, sent and
marked in one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL), so two
workers never send the same message and a crash re-sends at most one.
"""
import logging
import smtplib
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from flask_mail import Connection, Message
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from webapp import clock
from webapp.mail import outbox
from webapp.mail.models import FAILED, OutboxMail

log = logging.getLogger(__name__)

DEFAULT_SENDER = "portail-famille@localhost"
DEFAULT_TIMEOUT = 30.0  # seconds; MAIL_TIMEOUT in the app config overrides it
PER_COMMUNE = 200  # messages per commune and per run, so one backlog cannot starve the others
COUNTS = ("sent", "retry", "failed", "held", "errors")


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

    def send(self, mail: OutboxMail) -> None:
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
    """Send what is due in every commune; returns counts.

    `sent`: delivered (or, in demo mode without MAIL_SERVER, marked sent: the development
    mailbox shows them); `retry`: attempt failed, another is scheduled; `failed`: given up
    after the last attempt; `held`: due but no MAIL_SERVER outside demo mode (left pending);
    `errors`: communes whose database failed.
    """
    pinned = outbox.as_utc(now)

    def current_time() -> datetime:
        return pinned or clock.utcnow()

    started = current_time()
    counts = dict.fromkeys(COUNTS, 0)
    tenancy = app.extensions["tenancy"]
    transport = Transport(app) if app.config.get("MAIL_SERVER") else None
    demo = bool(app.config.get("DEMO"))
    with app.app_context():  # Flask-Mail reads current_app
        existing = tenancy.storage.existing_schemas()
        try:
            for tenant in tenancy.registry:
                if tenant.schema not in existing:
                    continue  # not provisioned yet: never create an empty file or schema here
                try:
                    _send_commune(tenancy.storage.engine_for(tenant.schema), tenant.slug, transport, demo,
                                  started, current_time, per_commune, counts)
                except Exception:
                    counts["errors"] += 1
                    log.exception("courriels de la commune %s : échec, les autres communes continuent", tenant.slug)
        finally:
            if transport is not None:
                transport.close()
    if counts["held"]:
        log.warning("MAIL_SERVER n'est pas configuré : %d courriel(s) restent en attente", counts["held"])
    return counts


def _send_commune(engine: Engine, slug: str, transport: Transport | None, demo: bool, started: datetime,
                  clock: Callable[[], datetime], limit: int, counts: dict[str, int]) -> None:
    with Session(engine, expire_on_commit=False) as session:
        if transport is None and not demo:
            counts["held"] += outbox.count_due(session, started)
            return
        for _ in range(limit):
            due = outbox.due_mails(session, started, limit=1)
            if not due:
                break
            mail = due[0]
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
                    log.warning("courriel %s de %s %s : %s", mail.id, slug,
                                "abandonné" if gave_up else "à réessayer", mail.last_error)
                else:
                    outbox.mark_sent(mail, clock())
                    counts["sent"] += 1
            session.commit()  # releases the row lock: one message per transaction
