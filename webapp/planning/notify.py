"""Telling families what agents did to their planning: one e-mail per family, queued with the change.

A family is e-mailed only when it has an address and allows e-mails (« autorisation
courriel »); every family also sees the decision in « Liste des demandes ». Messages are
written in French (the family's language is not recorded; the agent's choice of language
is not the family's), links are absolute and come from the commune's base URL.
"""
import datetime as dt
from collections import defaultdict

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.families.models import Child, Family
from webapp.i18n import DEFAULT_LOCALE, long_day
from webapp.mail.outbox import queue_mail
from webapp.planning.models import DayRequest, Service

CLOSURE_MOTIVE = "closure"  # the motive close_day gives to the absences it creates


def motive_label(tenant, code: str | None) -> str:
    if not code:
        return ""
    if code == CLOSURE_MOTIVE:
        return _("Fermeture du service")
    motive = tenant.settings.motive(code)
    return motive.label if motive is not None else code


def _reachable(family: Family) -> bool:
    return bool(family.email_allowed and family.email and family.email.strip())


def _queue(db: Session, family: Family, subject: str, body: str, now: dt.datetime) -> int:
    """Queue one e-mail; an address the outbox refuses (typed wrong at import) is skipped, not a 500."""
    try:
        queue_mail(db, to=family.email.strip(), subject=subject, body=body, now=now)
    except ValueError as exc:
        current_app.logger.warning("planning e-mail not queued for family %s: %s", family.id, exc)
        return 0
    return 1


def queue_decision_mails(db: Session, tenant, request_ids: list[int], now: dt.datetime) -> int:
    """After `booking.decide`: one e-mail per family listing its decided requests. Returns how many."""
    if not request_ids:
        return 0
    rows = db.execute(
        select(DayRequest, Child, Family, Service)
        .join(Child, Child.id == DayRequest.child_id)
        .join(Family, Family.id == DayRequest.family_id)
        .join(Service, Service.id == DayRequest.service_id)
        .where(DayRequest.id.in_(request_ids))
        .order_by(Family.id, DayRequest.day, Child.first_name, Service.name, DayRequest.id)
    ).all()
    by_family: dict[int, list] = defaultdict(list)
    families: dict[int, Family] = {}
    for request, child, family, service in rows:
        by_family[family.id].append((request, child, service))
        families[family.id] = family
    queued = 0
    with force_locale(DEFAULT_LOCALE):
        for family_id, items in by_family.items():
            family = families[family_id]
            if not _reachable(family):
                continue
            lines = [dict(kind=request.kind, accepted=request.state == "accepted", child=child.first_name,
                          service=service.name, day=long_day(request.day),
                          motive=motive_label(tenant, request.motive), billed=request.billed,
                          reason=request.reason)
                     for request, child, service in items]
            body = render_template("mail/planning_decision.txt", tenant=tenant, family=family, lines=lines,
                                   link=f"{tenant.base}/demandes")
            subject = _("Réponse à vos demandes")
            queued += _queue(db, family, f"{tenant.name} – {subject}", body, now)
    return queued


def queue_closure_mails(db: Session, tenant, booked: list[DayRequest], *, day: dt.date, reason: str,
                        now: dt.datetime) -> int:
    """After `booking.close_day`: each family with a booking that day is told. Returns how many e-mails."""
    if not booked:
        return 0
    family_ids = {r.family_id for r in booked}
    child_ids = {r.child_id for r in booked}
    service_ids = {r.service_id for r in booked}
    families = {f.id: f for f in db.scalars(select(Family).where(Family.id.in_(family_ids)))}
    children = {c.id: c for c in db.scalars(select(Child).where(Child.id.in_(child_ids)))}
    services = {s.id: s for s in db.scalars(select(Service).where(Service.id.in_(service_ids)))}
    by_family: dict[int, list] = defaultdict(list)
    for request in sorted(booked, key=lambda r: (r.family_id, r.child_id, r.service_id)):
        child, service = children.get(request.child_id), services.get(request.service_id)
        if child is not None and service is not None:
            by_family[request.family_id].append(dict(child=child.first_name, service=service.name))
    queued = 0
    with force_locale(DEFAULT_LOCALE):
        for family_id, lines in by_family.items():
            family = families.get(family_id)
            if family is None or not _reachable(family):
                continue
            body = render_template("mail/planning_closure.txt", tenant=tenant, family=family, lines=lines,
                                   day=long_day(day), reason=reason, link=f"{tenant.base}/demandes")
            subject = _("Service fermé le %(day)s", day=long_day(day))
            queued += _queue(db, family, f"{tenant.name} – {subject}", body, now)
    return queued
