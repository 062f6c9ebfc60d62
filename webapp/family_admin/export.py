"""« Télécharger mes données »: everything the commune holds about one family, as plain data.

Plain Python and SQLAlchemy (RGPD art. 15(3), the copy of the data). Rows are written column
by column from the models, so a column added later is exported without touching this file;
only secrets of the account (password hash) are left out. Encrypted values are decrypted by
the ORM for this download only. Every query filters on the family's id.
"""
import datetime as dt
from decimal import Decimal

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from webapp.audit.models import AuditEvent
from webapp.billing.models import CreditNote, Invoice, InvoiceLine, Payment, PaymentAllocation
from webapp.families.models import AuthorisedPerson, Child, ChildHealth, Family, FamilyPartner
from webapp.messages.models import Message
from webapp.photos.models import ChildPhoto
from webapp.payfip.models import PaymentAttempt
from webapp.planning.models import Attendance, DayRequest, Enrolment, Service
from webapp.records.models import ChangeRequest
from webapp.uploads.models import StoredFile

FORMAT = "portail-famille/donnees-famille/1"
LEFT_OUT = {"password_hash", "payload_json", "stored_name"}  # secrets, and what is exported decoded instead


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row(obj) -> dict | None:
    """Every mapped column of a row, by attribute name, as JSON-friendly values."""
    if obj is None:
        return None
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs
            if attr.key not in LEFT_OUT}


def _rows(session: Session, query) -> list[dict]:
    return [row(obj) for obj in session.scalars(query)]


def _files(session: Session, ids: set[int]) -> dict[int, dict]:
    if not ids:
        return {}
    return {f.id: row(f) for f in session.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))}


def family_data(session: Session, family_id: int, now: dt.datetime) -> dict:
    """The family's whole record and history; the caller journals the export."""
    family = session.get(Family, family_id)
    children = session.scalars(select(Child).where(Child.family_id == family_id).order_by(Child.birth_date,
                                                                                          Child.id)).all()
    child_ids = [c.id for c in children]
    persons = session.scalars(select(AuthorisedPerson).where(AuthorisedPerson.child_id.in_(child_ids))
                              .order_by(AuthorisedPerson.id)).all()
    health = {h.child_id: h for h in session.scalars(select(ChildHealth).where(ChildHealth.child_id.in_(child_ids)))}
    photos = {p.child_id: p for p in session.scalars(select(ChildPhoto).where(ChildPhoto.child_id.in_(child_ids)))}
    messages = session.scalars(select(Message).where(Message.family_id == family_id)
                               .order_by(Message.created_at, Message.id)).all()
    files = _files(session, {p.file_id for p in photos.values()} | {m.attachment_id for m in messages
                                                                     if m.attachment_id})
    services = {s.id: s.name for s in session.scalars(select(Service))}
    invoices = session.scalars(select(Invoice).where(Invoice.family_id == family_id)
                               .order_by(Invoice.period_start, Invoice.id)).all()
    invoice_ids = [i.id for i in invoices]
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(invoice_ids))
                            .order_by(InvoiceLine.id)).all()
    payments = session.scalars(select(Payment).where(Payment.family_id == family_id)
                               .order_by(Payment.received_at, Payment.id)).all()
    allocations = session.scalars(select(PaymentAllocation).where(
        PaymentAllocation.payment_id.in_([p.id for p in payments])).order_by(PaymentAllocation.id)).all()

    enrolments = session.scalars(select(Enrolment).where(Enrolment.child_id.in_(child_ids))
                                 .order_by(Enrolment.starts_on, Enrolment.id)).all()
    attendance = session.scalars(select(Attendance).where(Attendance.child_id.in_(child_ids))
                                 .order_by(Attendance.day, Attendance.id)).all()

    def with_service(obj) -> dict:
        return {**row(obj), "service": services.get(obj.service_id, "")}

    def child_entry(child: Child) -> dict:
        photo = photos.get(child.id)
        return {
            **row(child),
            "enrolments": [with_service(e) for e in enrolments if e.child_id == child.id],
            "attendance": [with_service(a) for a in attendance if a.child_id == child.id],
            "authorised_persons": [row(p) for p in persons if p.child_id == child.id],
            "health": row(health.get(child.id)),
            "photo": {**row(photo), "file": files.get(photo.file_id)} if photo else None,
        }

    def change_entry(change: ChangeRequest) -> dict:
        return {**row(change), "payload": change.payload}

    def message_entry(message: Message) -> dict:
        return {**row(message), "attachment": files.get(message.attachment_id) if message.attachment_id else None}

    return {
        "format": FORMAT,
        "generated_at": _plain(now),
        "family": row(family),
        "partner": row(session.scalar(select(FamilyPartner).where(FamilyPartner.family_id == family_id))),
        "children": [child_entry(c) for c in children],
        "change_requests": [change_entry(c) for c in session.scalars(
            select(ChangeRequest).where(ChangeRequest.family_id == family_id).order_by(ChangeRequest.created_at,
                                                                                       ChangeRequest.id))],
        "planning_requests": [with_service(r) for r in session.scalars(
            select(DayRequest).where(DayRequest.family_id == family_id).order_by(DayRequest.day, DayRequest.id))],
        "messages": [message_entry(m) for m in messages],
        "invoices": [{**row(i), "lines": [row(line) for line in lines if line.invoice_id == i.id]} for i in invoices],
        "credit_notes": _rows(session, select(CreditNote).where(CreditNote.family_id == family_id)
                              .order_by(CreditNote.id)),
        "payments": [{**row(p), "allocations": [row(a) for a in allocations if a.payment_id == p.id]}
                     for p in payments],
        "online_payment_attempts": [{**row(a), "invoice_ids": a.invoice_ids} for a in session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.family_id == family_id).order_by(PaymentAttempt.id))],
        "security_journal": _rows(session, select(AuditEvent).where(AuditEvent.account_kind == "family",
                                                                    AuditEvent.account_id == family_id)
                                  .order_by(AuditEvent.at, AuditEvent.id)),
    }
