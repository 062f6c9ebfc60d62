"""« Envoyer le courriel de bienvenue »: the portal's address, the identifiant and an activation link.

Seed 000's first e-mail, without its temporary password: the family chooses its password
through the single-use link of webapp.auth (the same machinery as « Mot de passe oublié ? »,
always in link mode here, whatever the commune's reset mode), built on the commune's
base URL. Families without an e-mail address, or already activated, are skipped.
"""
import datetime as dt
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.models import record
from webapp.auth import accounts
from webapp.families.models import Family
from webapp.i18n import DEFAULT_LOCALE, day_and_time
from webapp.mail.outbox import queue_mail


@dataclass
class WelcomeResult:
    sent: list[Family] = field(default_factory=list)
    without_email: list[Family] = field(default_factory=list)
    skipped: list[Family] = field(default_factory=list)  # already active, or 3 links this hour


def queue_welcome_mails(db: Session, tenant, family_ids: list[int], now: dt.datetime, agent_id: int,
                        ip: str = "") -> WelcomeResult:
    """Queue one welcome e-mail per family of `family_ids` that can receive it; the caller commits."""
    result = WelcomeResult()
    families = db.scalars(select(Family).where(Family.id.in_(family_ids)).order_by(Family.number)).all()
    earlier = accounts.earlier_requests(db, [f.id for f in families])
    with force_locale(DEFAULT_LOCALE):  # the family's language is not known: French, as every mail
        for family in families:
            if not (family.email or "").strip():
                result.without_email.append(family)
                continue
            if family.password_hash is not None:
                result.skipped.append(family)
                continue
            mail = accounts.issue_password_mail(db, family, earlier.get(family.id, []), "link", now, ip)
            if mail is None:
                result.skipped.append(family)
                continue
            body = render_template("mail/welcome.txt", tenant=tenant, family=family, portal_url=f"{tenant.base}/",
                                   link=f"{tenant.base}/mot-de-passe/lien/{mail.secret}",
                                   expires=day_and_time(mail.expires_at))
            subject = _("Bienvenue sur le portail famille")
            try:
                queue_mail(db, to=family.email.strip(), subject=f"{tenant.name} – {subject}", body=body, now=now,
                           expires_at=mail.expires_at)
            except ValueError:  # an address typed wrong: counted as without e-mail, no 500
                result.without_email.append(family)
                continue
            record(db, "family.welcome_mail", now=now, account_kind="agent", account_id=agent_id,
                   identifier=family.number, ip=ip)
            result.sent.append(family)
    return result
