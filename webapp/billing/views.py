"""The family side of billing: « Relevé de compte », invoice, credit note and receipt PDFs, the tax certificate.

Only the signed-in family's own documents: any other id is a 404.
"""
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.auth.users import owned, signed_in_family
from webapp.billing import certificate, documents, ledger
from webapp.billing.forms import METHOD_LABELS
from webapp.billing.models import CreditNote, Invoice, Payment, PaymentAllocation, Regie, school_year_of
from webapp.db import db
from webapp.pdf import pdf_response

bp = Blueprint("billing", __name__)
bp.before_request(require_tenant)
TABS = ("factures", "reglements")


def home_summary(family) -> dict:
    """What the Accueil shows: the balance at today's date and the unpaid invoices (3 queries)."""
    unpaid = ledger.unpaid_invoices(db, family.id)
    return {"billing_balance": ledger.balance(db, family.id), "unpaid_invoices": unpaid,
            "unpaid_total": sum(due for _, due in unpaid), "billing_today": clock.paris_today()}


def _school_years(family_id: int) -> list[str]:
    years = {school_year_of(clock.paris_today())}
    for model in (Invoice, Payment):
        years.update(db.scalars(select(model.school_year).where(model.family_id == family_id).distinct()))
    return sorted(years, reverse=True)


def describe(operation) -> str:
    if operation.kind == "invoice":
        return documents.period_text(operation.obj)
    if operation.kind == "credit_note":
        return _("Avoir : %(reason)s", reason=operation.obj.reason)
    return _("Règlement : %(method)s", method=METHOD_LABELS.get(operation.obj.method, operation.obj.method))


@bp.get("/releve-de-compte")
@login_required
def statement():
    family = signed_in_family()
    years = _school_years(family.id)
    year = request.args.get("annee", "")
    if year not in years:
        year = years[0]
    tab = request.args.get("onglet", "factures")
    if tab not in TABS:
        tab = "factures"
    account = ledger.statement(db, family.id, year)
    payments = [op for op in account.operations if op.kind == "payment"]
    settled = {}
    if payments:
        rows = db.execute(select(PaymentAllocation.payment_id, Invoice.number)
                          .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
                          .where(PaymentAllocation.payment_id.in_([op.obj.id for op in payments])))
        for payment_id, number in rows:
            settled.setdefault(payment_id, []).append(number)
    unpaid = ledger.unpaid_invoices(db, family.id)
    years_available = certificate.available_years(clock.paris_today(), certificate.first_payment_year(db, family.id))
    return render_template("billing/statement.html", family=family, years=years, year=year, tab=tab,
                           account=account, describe=describe, payments=payments, settled=settled,
                           methods=METHOD_LABELS, unpaid_invoices=unpaid, certificate_years=years_available)


@bp.get("/factures/<int:invoice_id>.pdf")
@login_required
def invoice_pdf(invoice_id: int):
    family = signed_in_family()
    invoice = owned(Invoice, invoice_id)
    if invoice.status != "issued":  # a draft is the agents' business
        abort(404)
    regie = db.get(Regie, invoice.regie_id)
    return pdf_response(documents.invoice_pdf(invoice, family, regie), f"facture-{invoice.number}.pdf")


@bp.get("/avoirs/<int:credit_note_id>.pdf")
@login_required
def credit_note_pdf(credit_note_id: int):
    family = signed_in_family()
    return credit_note_response(owned(CreditNote, credit_note_id), family)


def credit_note_response(note, family):
    """The avoir's PDF (the family's own, or for an agent), with the invoice it corrects."""
    invoice = db.get(Invoice, note.invoice_id)
    regie = db.get(Regie, note.regie_id)
    return pdf_response(documents.credit_note_pdf(note, invoice, family, regie), f"avoir-{note.number}.pdf")


@bp.get("/reglements/<int:payment_id>.pdf")
@login_required
def receipt_pdf(payment_id: int):
    family = signed_in_family()
    payment = owned(Payment, payment_id)
    return receipt_response(payment, family)


def receipt_response(payment, family):
    numbers = list(db.scalars(select(Invoice.number).join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
                              .where(PaymentAllocation.payment_id == payment.id).order_by(Invoice.id)))
    regie = db.get(Regie, payment.regie_id)
    return pdf_response(documents.receipt_pdf(payment, family, regie, numbers), f"recu-{payment.number}.pdf")


@bp.get("/attestation-frais-de-garde/<int:year>.pdf")
@login_required
def certificate_pdf(year: int):
    family = signed_in_family()
    if year not in certificate.available_years(clock.paris_today(), certificate.first_payment_year(db, family.id)):
        abort(404)
    amounts = certificate.childcare_paid(db, family.id, year)
    return pdf_response(documents.certificate_pdf(family, year, amounts), f"attestation-frais-de-garde-{year}.pdf")

