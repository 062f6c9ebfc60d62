"""The agents' billing pages (/agent/facturation): run a month, review, issue, credit notes,
payments received with their receipt, each family's balance, régies and tariffs.

Thin views over webapp.billing.invoicing and webapp.billing.ledger; every page needs an
agent of this commune with the second factor done. The forms that create money or
numbers (payment, credit note, issue) carry a one-time key (webapp.submissions): sent
twice, they create once and answer the second time with the first result.
"""
import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from tenancy.web import require_tenant
from webapp import clock
from webapp.audit.models import record
from webapp.billing import documents, invoicing, ledger, notify
from webapp.billing.forms import (
    METHOD_LABELS, NATURE_LABELS, ConfirmForm, CreditNoteForm, IssueForm, PaymentForm, RegieForm, RunMonthForm,
    TariffForm, format_brackets,
)
from webapp.billing.models import (
    CreditNote, Invoice, InvoiceLine, Payment, PaymentAllocation, Regie, Tariff, TariffBracket,
)
from webapp.billing.views import credit_note_response, receipt_response
from webapp.dates import parse_month
from webapp.db import db
from webapp.families.models import Child, Family
from webapp.i18n import money
from webapp.ids import parse_id
from webapp.pdf import pdf_response
from webapp.planning.models import Service
from webapp.staff.access import no_store, staff_required
from webapp.submissions import claims
from webapp.validators import select_choices

bp = Blueprint("staff_billing", __name__, url_prefix="/agent/facturation")
bp.before_request(require_tenant)
bp.after_request(no_store)

LIST_LIMIT = 300
ERRORS = {
    "bad_amount": _l("Montant invalide."),
    "unknown_method": _l("Mode de règlement inconnu."),
    "unknown_invoice": _l("Cette facture n'existe pas pour cette famille ou n'est pas émise."),
    "mixed_regies": _l("Les factures réglées doivent être de la même régie."),
    "no_regie": _l("Aucune régie ne peut recevoir ce règlement : précisez la facture."),
    "missing_reference": _l("Indiquez la référence."),
    "credit_too_large": _l("L'avoir dépasse le montant de la facture (avoirs déjà émis déduits)."),
    "missing_reason": _l("Indiquez le motif de l'avoir."),
    "not_issued": _l("Seule une facture émise peut recevoir un avoir."),
}


def _agent_id() -> int:
    return current_user.agent.id


def _month(value: str) -> tuple[int, int]:
    # webapp.dates: ASCII digits, years 2000–2100 (« 9999-12 » overflowed the month's end: a 500 before)
    first = parse_month(value)
    if first is None:
        abort(404)
    return first.year, first.month


def _error(code: str) -> str:
    return str(ERRORS.get(code, _("Opération refusée.")))


def _claim(form_name: str, form):
    """This submission's ticket (webapp.submissions.claims); `.first` when it was already sent."""
    return claims.claim(db, form_name, form.submission_key.data, now=clock.utcnow())


def _issued_range(invoices: list[Invoice]) -> str:
    """« AL-1 à AL-6, CA-1 à CA-2 »: a régie's numbers of one issue are consecutive."""
    by_regie: dict[int, list[Invoice]] = {}
    for invoice in invoices:
        by_regie.setdefault(invoice.regie_id, []).append(invoice)
    parts = []
    for same in by_regie.values():
        first, last = same[0].number, same[-1].number
        parts.append(first if first == last else _("%(first)s à %(last)s", first=first, last=last))
    return ", ".join(parts)


# --- overview and month run --------------------------------------------------------------
@bp.get("/")
@staff_required()
def overview():
    today = clock.paris_today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    form = RunMonthForm(month=last_month)
    month = request.args.get("mois", "")
    query = (select(Invoice, Family).join(Family, Family.id == Invoice.family_id).where(Invoice.status == "issued")
             .order_by(Invoice.issued_at.desc(), Invoice.id.desc()).limit(LIST_LIMIT))
    if month:
        year, number = _month(month)
        query = query.where(Invoice.period_start == dt.date(year, number, 1))
    family_number = request.args.get("famille", "").strip()[:20]
    if family_number:
        query = query.where(Family.number == family_number)
    invoices = db.execute(query).all()
    due = ledger.amounts_due(db, [invoice for invoice, _ in invoices])
    drafts = db.execute(select(Invoice.period_start, func.count()).where(Invoice.status == "draft")
                        .group_by(Invoice.period_start).order_by(Invoice.period_start)).all()
    regies = {r.id: r for r in db.scalars(select(Regie))}
    return render_template("billing/staff/overview.html", form=form, invoices=invoices, due=due, drafts=drafts,
                           regies=regies, month=month, family_number=family_number,
                           limit=LIST_LIMIT)


@bp.post("/calculer")
@staff_required()
def run_month():
    form = RunMonthForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".overview"))
    year, month = _month(form.month.data)
    summary = invoicing.compute_drafts(db, year=year, month=month, now=clock.utcnow(),
                                       school_zone=g.tenant.settings.school_zone)
    db.commit()
    flash(_("%(count)s brouillon(s) calculé(s) pour un total de %(total)s.", count=summary.drafts,
            total=_money(summary.total_cents)), "success")
    if summary.services_without_tariff:
        flash(_("Services sans tarif, non facturés : %(names)s.", names=", ".join(summary.services_without_tariff)),
              "info")
    return redirect(url_for(".month_review", month=form.month.data))


def _money(cents: int) -> str:
    return money(cents)


@bp.get("/mois/<month>")
@staff_required()
def month_review(month: str):
    year, number = _month(month)
    start = dt.date(year, number, 1)
    drafts = db.execute(select(Invoice, Family).join(Family, Family.id == Invoice.family_id)
                        .where(Invoice.status == "draft", Invoice.period_start == start)
                        .order_by(Family.number, Invoice.id)).all()
    lines: dict[int, list] = {}
    if drafts:
        rows = db.execute(select(InvoiceLine, Child.first_name).join(Child, Child.id == InvoiceLine.child_id)
                          .where(InvoiceLine.invoice_id.in_([i.id for i, _ in drafts])).order_by(InvoiceLine.id))
        for line, first_name in rows:
            lines.setdefault(line.invoice_id, []).append((line, first_name))
    regies = {r.id: r for r in db.scalars(select(Regie))}
    issued_count = db.scalar(select(func.count()).select_from(Invoice)
                             .where(Invoice.status == "issued", Invoice.period_start == start))
    return render_template("billing/staff/month.html", month=month, start=start, drafts=drafts, lines=lines,
                           regies=regies, issued_count=issued_count, form=ConfirmForm(), issue_form=IssueForm(),
                           new_key=claims.new_key, total=sum(i.total_cents for i, _ in drafts))


@bp.post("/mois/<month>/emettre")
@staff_required()
def issue(month: str):
    year, number = _month(month)
    form = IssueForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for message in form.submission_key.errors:
            flash(message, "error")
        return redirect(url_for(".month_review", month=month))
    family_id = request.form.get("famille", "")
    family_ids = [parse_id(family_id)] if parse_id(family_id) is not None else None
    ticket = _claim("billing.issue", form)
    if ticket.first is not None:
        if ticket.first.result_label:
            flash(_("Ces factures ont déjà été émises : %(numbers)s", numbers=ticket.first.result_label), "info")
        else:
            flash(_("Cette émission a déjà été faite (aucune facture à émettre)."), "info")
        return redirect(url_for(".month_review", month=month))
    issued = invoicing.issue_month(db, year=year, month=number, now=clock.utcnow(), agent_id=_agent_id(),
                                   family_ids=family_ids)
    ticket.settle("invoices", None, _issued_range(issued))
    record(db, "billing.issue", now=clock.utcnow(), account_kind="agent", account_id=_agent_id(),
           identifier=f"{month}:{len(issued)}")
    mails = notify.queue_invoice_mails(db, g.tenant, issued, clock.utcnow())
    db.commit()
    flash(_("%(count)s facture(s) émise(s).", count=len(issued)), "success")
    if mails:
        flash(ngettext("%(num)d famille prévenue par courriel.", "%(num)d familles prévenues par courriel.", mails),
              "info")
    return redirect(url_for(".month_review", month=month))


@bp.post("/brouillons/<int:invoice_id>/ecarter")
@staff_required()
def discard(invoice_id: int):
    invoice = db.get(Invoice, invoice_id)
    if invoice is None or invoice.status != "draft" or not ConfirmForm().validate_on_submit():
        abort(404)
    month = invoice.period_start.strftime("%Y-%m")
    invoicing.discard_draft(db, invoice)
    db.commit()
    flash(_("Brouillon écarté : il sera recalculé au prochain calcul du mois."), "success")
    return redirect(url_for(".month_review", month=month))


# --- one invoice: PDF, credit note -------------------------------------------------------
def _issued(invoice_id: int) -> Invoice:
    invoice = db.get(Invoice, invoice_id)
    if invoice is None or invoice.status != "issued":
        abort(404)
    return invoice


@bp.route("/factures/<int:invoice_id>", methods=["GET", "POST"])
@staff_required()
def invoice_detail(invoice_id: int):
    invoice = _issued(invoice_id)
    family = db.get(Family, invoice.family_id)
    form = CreditNoteForm()
    if form.validate_on_submit():
        ticket = _claim("billing.credit_note", form)
        if ticket.first is not None:
            flash(_("Cet avoir a déjà été émis : %(number)s", number=ticket.first.result_label), "info")
            first = db.get(CreditNote, ticket.first.result_id) if ticket.first.result_id else None
            return redirect(url_for(".invoice_detail", invoice_id=first.invoice_id if first else invoice.id))
        try:
            note = ledger.issue_credit_note(db, invoice, form.amount.cents, form.reason.data, now=clock.utcnow(),
                                            agent_id=_agent_id())
        except ledger.BillingError as error:
            db.rollback()
            form.amount.errors.append(_error(error.code))
        else:
            ticket.settle("credit_note", note.id, note.number)
            record(db, "billing.credit_note", now=clock.utcnow(), account_kind="agent", account_id=_agent_id(),
                   identifier=note.number)
            db.commit()
            flash(_("Avoir %(number)s émis.", number=note.number), "success")
            return redirect(url_for(".invoice_detail", invoice_id=invoice.id))
    notes = list(db.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id).order_by(CreditNote.id)))
    payments = db.execute(select(Payment, PaymentAllocation.amount_cents)
                          .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
                          .where(PaymentAllocation.invoice_id == invoice.id).order_by(Payment.id)).all()
    children = dict(db.execute(select(Child.id, Child.first_name).where(Child.family_id == family.id)).all())
    return render_template("billing/staff/invoice.html", invoice=invoice, family=family, form=form, notes=notes,
                           payments=payments, children=children, regie=db.get(Regie, invoice.regie_id),
                           due=ledger.amount_due(db, invoice), methods=METHOD_LABELS)


@bp.get("/factures/<int:invoice_id>.pdf")
@staff_required()
def invoice_pdf(invoice_id: int):
    invoice = _issued(invoice_id)
    family = db.get(Family, invoice.family_id)
    return pdf_response(documents.invoice_pdf(invoice, family, db.get(Regie, invoice.regie_id)),
                        f"facture-{invoice.number}.pdf")


@bp.get("/avoirs/<int:credit_note_id>.pdf")
@staff_required()
def credit_note_pdf(credit_note_id: int):
    note = db.get(CreditNote, credit_note_id)
    if note is None:
        abort(404)
    return credit_note_response(note, db.get(Family, note.family_id))


# --- payments ---------------------------------------------------------------------------
@bp.route("/reglements/nouveau", methods=["GET", "POST"])
@staff_required()
def new_payment():
    form = PaymentForm()
    if request.method == "GET":
        form.family.data = request.args.get("famille", "")[:20]
        form.invoice.data = request.args.get("facture", "")[:24]
        form.received_on.data = clock.paris_today().isoformat()
    if form.validate_on_submit():
        payment_id = _record(form)
        if payment_id is not None:
            return redirect(url_for(".payment_detail", payment_id=payment_id))
    return render_template("billing/staff/payment_form.html", form=form)


def _record(form: PaymentForm) -> int | None:
    """The id of the payment recorded (or recorded by the first post of this form), None if refused."""
    family = db.scalar(select(Family).where(Family.number == form.family.data.strip()))
    if family is None:
        form.family.errors.append(_("Aucune famille n'a ce numéro."))
        return None
    try:
        received = dt.datetime.combine(dt.date.fromisoformat(form.received_on.data), dt.time(12),
                                       tzinfo=clock.PARIS).astimezone(dt.UTC)
    except ValueError:
        form.received_on.errors.append(_("Date invalide (AAAA-MM-JJ)."))
        return None
    if received > clock.utcnow() + dt.timedelta(days=1):
        form.received_on.errors.append(_("La date de réception ne peut pas être dans le futur."))
        return None
    invoice_ids = None
    if form.invoice.data:
        invoice_id = db.scalar(select(Invoice.id).where(Invoice.number == form.invoice.data.strip(),
                                                        Invoice.family_id == family.id))
        if invoice_id is None:
            form.invoice.errors.append(_error("unknown_invoice"))
            return None
        invoice_ids = [invoice_id]
    ticket = _claim("billing.payment", form)
    if ticket.first is not None:
        flash(_("Ce règlement a déjà été enregistré : %(number)s", number=ticket.first.result_label), "info")
        return ticket.first.result_id
    try:
        payment = ledger.record_payment(db, family.id, form.amount.cents, form.method.data, received,
                                        form.reference.data or "", clock.utcnow(), invoice_ids=invoice_ids,
                                        agent_id=_agent_id())
    except ledger.BillingError as error:
        db.rollback()
        form.amount.errors.append(_error(error.code))
        return None
    ticket.settle("payment", payment.id, payment.number)
    record(db, "billing.payment", now=clock.utcnow(), account_kind="agent", account_id=_agent_id(),
           identifier=payment.number)
    db.commit()
    flash(_("Règlement %(number)s enregistré.", number=payment.number), "success")
    return payment.id


@bp.get("/reglements/<int:payment_id>")
@staff_required()
def payment_detail(payment_id: int):
    payment = db.get(Payment, payment_id)
    if payment is None:
        abort(404)
    family = db.get(Family, payment.family_id)
    settled = db.execute(select(Invoice, PaymentAllocation.amount_cents)
                         .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
                         .where(PaymentAllocation.payment_id == payment.id).order_by(Invoice.id)).all()
    return render_template("billing/staff/payment.html", payment=payment, family=family, settled=settled,
                           regie=db.get(Regie, payment.regie_id), methods=METHOD_LABELS)


@bp.get("/reglements/<int:payment_id>.pdf")
@staff_required()
def receipt_pdf(payment_id: int):
    payment = db.get(Payment, payment_id)
    if payment is None:
        abort(404)
    return receipt_response(payment, db.get(Family, payment.family_id))


# --- balances ---------------------------------------------------------------------------
@bp.get("/soldes")
@staff_required()
def balances():
    amounts = ledger.balances(db)
    families = {f.id: f for f in db.scalars(select(Family).where(Family.id.in_(list(amounts))))} if amounts else {}
    rows = sorted(((families[i], amount) for i, amount in amounts.items() if i in families),
                  key=lambda row: (-row[1], row[0].number))
    only_due = request.args.get("dus") == "1"
    if only_due:
        rows = [row for row in rows if row[1] > 0]
    return render_template("billing/staff/balances.html", rows=rows, only_due=only_due,
                           total=sum(amount for _, amount in rows))


# --- régies and tariffs -----------------------------------------------------------------
@bp.route("/tarifs", methods=["GET", "POST"])
@staff_required()
def tariffs():
    regie_form = RegieForm(prefix="regie")
    if request.method == "POST" and "regie-code" in request.form and regie_form.validate_on_submit():
        taken = db.scalar(select(func.count()).select_from(Regie).where(
            (Regie.code == regie_form.code.data) | Regie.invoice_prefix.in_(
                [regie_form.invoice_prefix.data, regie_form.credit_prefix.data])
            | Regie.credit_prefix.in_([regie_form.invoice_prefix.data, regie_form.credit_prefix.data])))
        if taken or regie_form.invoice_prefix.data == regie_form.credit_prefix.data:
            regie_form.code.errors.append(_("Ce code ou ce préfixe est déjà utilisé."))
        else:
            db.add(Regie(code=regie_form.code.data, name=regie_form.name.data.strip(),
                         invoice_prefix=regie_form.invoice_prefix.data, credit_prefix=regie_form.credit_prefix.data,
                         next_invoice_number=regie_form.next_invoice_number.data or 1, next_credit_number=1,
                         next_receipt_number=1))
            db.commit()
            flash(_("Régie créée."), "success")
            return redirect(url_for(".tariffs"))
    regies = list(db.scalars(select(Regie).order_by(Regie.name)))
    services = list(db.scalars(select(Service).order_by(Service.name)))
    current = {t.service_id: t for t in db.scalars(select(Tariff))}
    return render_template("billing/staff/tariffs.html", regie_form=regie_form, regies=regies, services=services,
                           tariffs=current, natures=NATURE_LABELS, format_brackets=format_brackets)


@bp.route("/tarifs/<int:service_id>", methods=["GET", "POST"])
@staff_required()
def tariff_edit(service_id: int):
    service = db.get(Service, service_id)
    if service is None:
        abort(404)
    tariff = db.scalar(select(Tariff).where(Tariff.service_id == service.id))
    regies = list(db.scalars(select(Regie).order_by(Regie.name)))
    form = TariffForm()
    form.regie.choices = select_choices((str(r.id), r.name) for r in regies)
    if request.method == "GET":
        form.nature.data = tariff.nature if tariff else service.nature
        default_unit = _("repas") if service.nature == "meal" else _("journée")
        form.unit_label.data = tariff.unit_label if tariff else default_unit
        if tariff:
            form.regie.data = str(tariff.regie_id)
            form.brackets.data = format_brackets(tariff.brackets)
            cents = tariff.late_surcharge_cents
            form.late_surcharge.data = f"{cents // 100},{cents % 100:02d}" if cents else ""
    if form.validate_on_submit():
        regie = next((r for r in regies if str(r.id) == form.regie.data), None)
        if regie is None:
            form.regie.errors.append(_("Choisissez une régie (créez-la d'abord)."))
        else:
            if tariff is None:
                tariff = Tariff(service_id=service.id)
                db.add(tariff)
            tariff.regie_id = regie.id
            tariff.nature = form.nature.data
            tariff.unit_label = form.unit_label.data.strip()
            tariff.late_surcharge_cents = form.surcharge_cents
            tariff.brackets = [TariffBracket(qf_max=q, price_cents=p) for q, p in form.parsed_brackets]
            db.commit()
            flash(_("Tarif de %(service)s enregistré.", service=service.name), "success")
            return redirect(url_for(".tariffs"))
    return render_template("billing/staff/tariff_form.html", form=form, service=service, has_regies=bool(regies))
