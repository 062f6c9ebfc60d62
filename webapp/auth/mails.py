"""E-mails of the password flows, queued in the commune's outbox with the change itself.

Every absolute link comes from the commune's configured base URL, never the request's Host.
The « Mot de passe oublié » e-mail is queued by the mail worker (`answer_demands`), not by
the request, so the page takes the same time whether the account exists or not.
"""
import datetime as dt
import logging

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.orm import Session

from webapp.auth import accounts
from webapp.auth.accounts import PasswordMail
from webapp.auth.demands import BATCH, PasswordDemand, take_demands
from webapp.clock import as_utc
from webapp.i18n import day_and_time
from webapp.families.models import Family
from webapp.mail.outbox import queue_mail

log = logging.getLogger(__name__)


def answer_demands(db: Session, tenant, limit: int = BATCH) -> int:
    """The mail worker's step: each « Mot de passe oublié » demand becomes its e-mail, or nothing.

    One demand per transaction, taken with FOR UPDATE SKIP LOCKED and deleted once
    answered; the time of the demand is the time of the request (limits, expiry,
    journal). The per-account limit and the journal lines are those of
    `accounts.request_password`. Needs an app context and a forced locale (the worker's).
    Returns how many demands were answered.
    """
    answered = 0
    for _turn in range(limit):
        taken = take_demands(db, 1)
        if not taken:
            break
        demand = taken[0]
        demand_id, asked_at = demand.id, as_utc(demand.created_at)
        try:
            password_mail = accounts.request_password(db, demand.identifier, demand.mode, asked_at, demand.ip)
            if password_mail is not None:
                queue_password_mail(db, tenant, password_mail, asked_at)
            db.delete(demand)
        except ValueError as exc:  # an address the outbox refuses: nothing can be sent, drop the demand
            db.rollback()
            log.warning("demande de mot de passe %s de %s sans courriel possible : %s", demand_id, tenant.slug, exc)
            db.execute(delete(PasswordDemand).where(PasswordDemand.id == demand_id))
        db.commit()
        answered += 1
    return answered


def queue_password_mail(db: Session, tenant, mail: PasswordMail, now: dt.datetime) -> None:
    """« Envoi de vos identifiants de connexion » (seed 000), or the activation/reset link."""
    expires = day_and_time(mail.expires_at)
    if mail.mode == "temporary_password":
        subject = _("Envoi de vos identifiants de connexion")
        template = "mail/temporary_password.txt"
    else:
        subject = _("Activez votre compte") if mail.first_activation else _("Choisissez un nouveau mot de passe")
        template = "mail/password_link.txt"
    body = render_template(template, tenant=tenant, family=mail.family, secret=mail.secret, expires=expires,
                           link=f"{tenant.base}/mot-de-passe/lien/{mail.secret}", login_url=f"{tenant.base}/",
                           first_activation=mail.first_activation)
    queue_mail(db, to=mail.family.email, subject=f"{tenant.name} – {subject}", body=body, now=now,
               expires_at=mail.expires_at)


def queue_password_changed(db: Session, tenant, family: Family, now: dt.datetime) -> None:
    """Tell the family its password changed, so a change it did not make is noticed."""
    if not family.email:
        return
    when = day_and_time(now)
    body = render_template("mail/password_changed.txt", tenant=tenant, family=family, when=when,
                           login_url=f"{tenant.base}/")
    subject = _("Votre mot de passe a été modifié")
    queue_mail(db, to=family.email, subject=f"{tenant.name} – {subject}", body=body, now=now)
