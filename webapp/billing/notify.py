"""Telling families by e-mail that their invoice is issued: number, amount, due date, link.

Only families who allow e-mails and gave an address; the invoice itself stays on the portal
(« Relevé de compte », reached through the commune's base URL). One e-mail per family, even
when one issue gives it invoices of two régies; the families are read in batches, never one
SELECT per family.
"""
import datetime as dt
from collections.abc import Iterable

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.billing.models import Invoice
from webapp.families.models import Family
from webapp.i18n import DEFAULT_LOCALE, money
from webapp.mail.outbox import queue_mail

BATCH = 1000  # family ids per SELECT: far below every database's bound-parameter limit


def _reachable_families(db: Session, family_ids: list[int]) -> Iterable[Family]:
    for start in range(0, len(family_ids), BATCH):
        yield from db.scalars(select(Family).where(Family.id.in_(family_ids[start:start + BATCH]),
                                                   Family.email_allowed.is_(True), Family.email.is_not(None)))


def queue_invoice_mails(db: Session, tenant, invoices: list[Invoice], now: dt.datetime) -> int:
    """One e-mail per reachable family among the issued `invoices` (drafts are skipped); how many queued."""
    by_family: dict[int, list[Invoice]] = {}
    for invoice in invoices:
        if invoice.status == "issued" and invoice.number:
            by_family.setdefault(invoice.family_id, []).append(invoice)
    queued = 0
    with force_locale(DEFAULT_LOCALE):
        for family in _reachable_families(db, sorted(by_family)):
            address = (family.email or "").strip()
            if not address:
                continue
            mine = by_family[family.id]
            lines = [dict(number=i.number, amount=money(i.total_cents),
                          due=format_date(i.due_on, "short") if i.due_on else "") for i in mine]
            numbers = ", ".join(line["number"] for line in lines)
            subject = ngettext("Votre facture %(numbers)s est disponible", "Vos factures %(numbers)s sont disponibles",
                               len(lines), numbers=numbers)
            body = render_template("mail/invoice_issued.txt", tenant=tenant, family=family, invoices=lines,
                                   link=f"{tenant.base}/releve-de-compte")
            try:
                queue_mail(db, to=address, subject=f"{tenant.name} – {subject}", body=body, now=now)
            except ValueError as exc:  # an address typed wrong at import: skipped, not a 500
                current_app.logger.warning("invoice e-mail not queued for family %s: %s", family.id, exc)
                continue
            queued += 1
    return queued
