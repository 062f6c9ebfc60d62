"""Telling a family by e-mail that a message waits on the portal: never what the message says.

Only families who allow e-mails and gave an address are told; the body of a message may
concern a child's health, so the e-mail only says where to read it (commune's base URL).
"""
import datetime as dt

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.families.models import Family
from webapp.i18n import DEFAULT_LOCALE
from webapp.mail.outbox import queue_mail


def queue_new_message_mails(db: Session, tenant, family_ids: list[int], now: dt.datetime) -> int:
    """One e-mail per reachable family among `family_ids`; returns how many were queued."""
    if not family_ids:
        return 0
    families = db.scalars(select(Family).where(Family.id.in_(family_ids), Family.email_allowed.is_(True),
                                               Family.email.is_not(None)))
    with force_locale(DEFAULT_LOCALE):
        body = render_template("mail/new_message.txt", tenant=tenant, link=f"{tenant.base}/messages")
        waiting = _("Un nouveau message vous attend")
        subject = f"{tenant.name} – {waiting}"
    queued = 0
    for family in families:
        if not (family.email or "").strip():
            continue
        try:
            queue_mail(db, to=family.email.strip(), subject=subject, body=body, now=now)
            queued += 1
        except ValueError as exc:  # an address typed wrong at import: skipped, not a 500
            current_app.logger.warning("message e-mail not queued for family %s: %s", family.id, exc)
    return queued
