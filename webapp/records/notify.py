"""Telling a family the commune decided on its change request: a generic e-mail, never a value.

Only when the family has an address and allows e-mails; the decision is always in
« Liste des demandes ». The text names the section (« Données sanitaires »), never what
it holds.
"""
import datetime as dt

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.families.models import Child, Family
from webapp.i18n import DEFAULT_LOCALE
from webapp.mail.outbox import queue_mail
from webapp.records import sections as s
from webapp.records.models import ChangeRequest


def queue_decision_mail(db, tenant, change: ChangeRequest, family: Family, child: Child | None,
                        now: dt.datetime) -> int:
    """Queue the e-mail for one decided request; 1 when queued, 0 otherwise."""
    if not (family.email_allowed and family.email and family.email.strip()):
        return 0
    with force_locale(DEFAULT_LOCALE):
        # The child as the record named it before: never a value of the request (a child to add, a new name).
        child_name = child.first_name if child is not None and "first_name" not in change.new_values else ""
        body = render_template("mail/record_decision.txt", tenant=tenant, family=family,
                               section=_(s.section(change.section).label), child=child_name,
                               accepted=change.state == "accepted",
                               # an agent's words about health or bank data stay on the portal
                               reason="" if s.section(change.section).sensitive else change.reason,
                               link=f"{tenant.base}/demandes")
        subject = _("Réponse à votre demande de modification")
        subject = f"{tenant.name} – {subject}"
    try:
        queue_mail(db, to=family.email.strip(), subject=subject, body=body, now=now)
    except ValueError as exc:
        current_app.logger.warning("record e-mail not queued for family %s: %s", family.id, exc)
        return 0
    return 1
