"""E-mails of the password flows, queued in the commune's outbox with the change itself.

Every absolute link comes from the commune's configured base URL, never the request's Host.
"""
import datetime as dt

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp.auth.accounts import PasswordMail
from webapp.i18n import day_and_time
from webapp.families.models import Family
from webapp.mail.outbox import queue_mail


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
    queue_mail(db, to=mail.family.email, subject=f"{tenant.name} – {subject}", body=body, now=now)


def queue_password_changed(db: Session, tenant, family: Family, now: dt.datetime) -> None:
    """Tell the family its password changed, so a change it did not make is noticed."""
    if not family.email:
        return
    when = day_and_time(now)
    body = render_template("mail/password_changed.txt", tenant=tenant, family=family, when=when,
                           login_url=f"{tenant.base}/")
    subject = _("Votre mot de passe a été modifié")
    queue_mail(db, to=family.email, subject=f"{tenant.name} – {subject}", body=body, now=now)
