"""Paying invoices through PayFiP: start an attempt, then believe only PayFiP's own answer.

Plain Python (no Flask); the caller commits. The amount is always computed here from the
family's unpaid invoices, never taken from a form. A notification carries only an idOp:
`check` then asks the web service (`recupererDetailPaiementSecurise`) and records the
payment only if numcli, refdet, exer and montant equal what was stored for this commune's
attempt and resultrans is P or V. The attempt row is locked (FOR UPDATE on PostgreSQL) and
moved to "paid" by a conditional UPDATE, so a replayed or concurrent notification records
nothing more. Anything else records nothing and is logged.
"""
import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.models import record as audit
from webapp.billing import ledger
from webapp.billing.models import Invoice
from webapp.clock import PARIS, as_utc
from webapp.payfip.client import (ABANDONED as RESULT_ABANDONED, PAID as RESULT_PAID, REFUSED as RESULT_REFUSED,
                                  SAISIE, PayfipClient, PayfipError, PayfipFault, PaymentDetail, PaymentRequest,
                                  plain_objet)
from webapp.payfip.models import (ABANDONED, CREATED, ERROR, PAID, REFUSED, PaymentAttempt,
                                  PaymentAttemptInvoice)

log = logging.getLogger(__name__)

MINIMUM_CENTS = 100  # PayFiP takes no payment under 1,00 €
ID_OP_LIFETIME = dt.timedelta(minutes=15)  # an idOp is valid 15 minutes: no second attempt meanwhile
EXPIRED_AFTER = dt.timedelta(hours=2)  # still unknown (P1/P5) after that: the payer gave up
IN_PROGRESS_FAULTS = {"P1", "P5"}  # P5: not paid yet; P1: unknown (purged, or not yet visible)


class CannotPay(Exception):
    """Why no attempt was started: "nothing_due", "too_small", "in_progress"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Commune:
    """What the domain needs of the commune: its PayFiP client number and environment."""

    slug: str
    numcli: str
    environment: str


def payable(session: Session, family_id: int, *, invoice_id: int | None = None,
            regie_id: int | None = None) -> list[tuple[Invoice, int]]:
    """The unpaid invoices one click pays: one invoice, or all of one régie (one payment = one régie)."""
    unpaid = ledger.unpaid_invoices(session, family_id, regie_id)
    if invoice_id is not None:
        unpaid = [(invoice, due) for invoice, due in unpaid if invoice.id == invoice_id]
    return unpaid


def _in_progress(session: Session, invoice_ids: list[int], now: dt.datetime) -> bool:
    recent = now - ID_OP_LIFETIME
    return session.scalar(
        select(PaymentAttempt.id).join(PaymentAttemptInvoice, PaymentAttemptInvoice.attempt_id == PaymentAttempt.id)
        .where(PaymentAttemptInvoice.invoice_id.in_(invoice_ids), PaymentAttempt.state == CREATED,
               PaymentAttempt.id_op.is_not(None), PaymentAttempt.created_at > recent).limit(1)
    ) is not None


def new_refdet(invoices: list[Invoice], family_number: str) -> str:
    """The invoice's reference (or the family's number) + 8 random characters: unique per attempt, ≤ 30."""
    base = invoices[0].payment_reference if len(invoices) == 1 and invoices[0].payment_reference else \
        "F" + "".join(c for c in family_number if c.isalnum())
    return f"{base[:22]}{secrets.token_hex(4).upper()}"


def refusal(session: Session, invoices: list[tuple[Invoice, int]], now: dt.datetime) -> str | None:
    """Why these invoices cannot be paid online now ("nothing_due", "too_small", "in_progress"), or None."""
    if not invoices:
        return "nothing_due"
    if sum(due for _, due in invoices) < MINIMUM_CENTS:
        return "too_small"
    if _in_progress(session, [invoice.id for invoice, _ in invoices], now):
        return "in_progress"
    return None


def prepare(session: Session, family_id: int, family_number: str, invoices: list[tuple[Invoice, int]],
            now: dt.datetime) -> PaymentAttempt:
    """A new attempt for these invoices, amount computed from what is due now. Raises CannotPay."""
    problem = refusal(session, invoices, now)
    if problem:
        raise CannotPay(problem)
    total = sum(due for _, due in invoices)
    documents = [invoice for invoice, _ in invoices]
    numbers = ", ".join(invoice.number or "" for invoice in documents)
    objet = plain_objet(f"Facture {numbers}" if len(documents) == 1 else f"Factures {numbers}")
    if len(objet) == 100:  # too many numbers: say whose they are instead
        objet = plain_objet(f"Factures famille {family_number}")
    attempt = PaymentAttempt(
        family_id=family_id, refdet=new_refdet(documents, family_number), exer=documents[0].period_start.year,
        objet=objet, amount_cents=total, state=CREATED, created_at=now,
        invoices=[PaymentAttemptInvoice(invoice_id=invoice.id, amount_cents=due) for invoice, due in invoices],
    )
    session.add(attempt)
    session.flush()
    return attempt


def register(attempt: PaymentAttempt, commune: Commune, client: PayfipClient, *, mel: str, urlnotif: str,
             urlredirect: str) -> bool:
    """`creerPaiementSecurise` for a prepared attempt; False (state "error") when PayFiP did not answer."""
    request = PaymentRequest(
        numcli=commune.numcli, exer=attempt.exer, refdet=attempt.refdet, objet=attempt.objet,
        montant=attempt.amount_cents, mel=mel, saisie=SAISIE[commune.environment], urlnotif=urlnotif,
        urlredirect=urlredirect,
    )
    try:
        attempt.id_op = client.create_payment(request)
    except PayfipError as exc:
        log.warning("PayFiP %s: creerPaiementSecurise refusé pour la tentative %s : %s", commune.slug, attempt.id,
                    exc)
        attempt.state = ERROR
        attempt.problem = f"create:{exc.code}" if isinstance(exc, PayfipFault) else "unavailable"
        return False
    return True


@dataclass(frozen=True)
class Outcome:
    """What `check` concluded: `status` is the attempt's state, or "unknown" / "pending" / "already"."""

    status: str
    attempt: PaymentAttempt | None = None
    recorded: bool = False


def _transaction_moment(detail: PaymentDetail, now: dt.datetime) -> dt.datetime:
    try:
        local = dt.datetime.strptime(detail.dattrans + detail.heurtrans, "%d%m%Y%H%M")
    except ValueError:
        return now
    return local.replace(tzinfo=PARIS).astimezone(dt.UTC)


def _mismatches(attempt: PaymentAttempt, detail: PaymentDetail, commune: Commune) -> list[str]:
    expected = {"numcli": commune.numcli, "refdet": attempt.refdet, "exer": str(attempt.exer),
                "id_op": attempt.id_op}
    wrong = [name for name, value in expected.items() if getattr(detail, name) != value]
    if detail.amount_cents != attempt.amount_cents:
        wrong.append("montant")
    return wrong


def fetch(attempt: PaymentAttempt, commune: Commune, client: PayfipClient) -> str:
    """Read-only: the state PayFiP's verified answer gives this attempt ("created" while unknown)."""
    if attempt.state != CREATED or not attempt.id_op:
        return attempt.state
    try:
        detail = client.payment_detail(attempt.id_op)
    except PayfipError:
        return CREATED
    if _mismatches(attempt, detail, commune):
        return ERROR
    return _state_of(detail.resultrans) or CREATED


def _state_of(resultrans: str) -> str | None:
    if resultrans in RESULT_PAID:
        return PAID
    if resultrans in RESULT_REFUSED:
        return REFUSED
    if resultrans in RESULT_ABANDONED:
        return ABANDONED
    return None


def check(session: Session, id_op: str, commune: Commune, client: PayfipClient, now: dt.datetime,
          source: str = "notification",
          record_payment: Callable[..., object] = ledger.record_payment) -> Outcome:
    """Ask PayFiP about `id_op` and apply its verified answer to this commune's attempt (idempotent)."""
    attempt = session.scalars(select(PaymentAttempt).where(PaymentAttempt.id_op == id_op)
                              .with_for_update().execution_options(populate_existing=True)).first()
    if attempt is None:
        log.warning("PayFiP %s: %s pour un idOp inconnu de cette commune", commune.slug, source)
        return Outcome("unknown")
    if attempt.state == PAID:
        return Outcome("already", attempt)
    if attempt.state == ERROR and attempt.problem == "mismatch":
        log.warning("PayFiP %s: %s pour la tentative %s déjà en anomalie", commune.slug, source, attempt.id)
        return Outcome(ERROR, attempt)
    attempt.checked_at = now
    try:
        detail = client.payment_detail(id_op)
    except PayfipFault as exc:
        if exc.code in IN_PROGRESS_FAULTS:
            if as_utc(attempt.created_at) < now - EXPIRED_AFTER and attempt.state == CREATED:
                attempt.state, attempt.problem = ABANDONED, "expired"
                return Outcome(ABANDONED, attempt)
            return Outcome("pending", attempt)
        log.warning("PayFiP %s: détail refusé pour la tentative %s : %s", commune.slug, attempt.id, exc)
        return Outcome("pending", attempt)
    except PayfipError as exc:
        log.warning("PayFiP %s: service injoignable pour la tentative %s : %s", commune.slug, attempt.id, exc)
        return Outcome("pending", attempt)
    wrong = _mismatches(attempt, detail, commune)
    if wrong:
        # Never record: PayFiP's answer is not about what we asked. A person must look at it.
        log.error("PayFiP %s: réponse non conforme pour la tentative %s (champs : %s), rien n'est enregistré",
                  commune.slug, attempt.id, ", ".join(wrong))
        attempt.state, attempt.problem = ERROR, "mismatch"
        audit(session, "payfip.mismatch", now=now, account_kind="family", account_id=attempt.family_id,
              identifier=attempt.refdet)
        return Outcome(ERROR, attempt)
    state = _state_of(detail.resultrans)
    if state is None:
        log.warning("PayFiP %s: resultrans inattendu pour la tentative %s", commune.slug, attempt.id)
        return Outcome("pending", attempt)
    attempt.resultrans = detail.resultrans
    if state != PAID:
        attempt.state = state
        audit(session, f"payfip.{state}", now=now, account_kind="family", account_id=attempt.family_id,
              identifier=attempt.refdet)
        return Outcome(state, attempt)
    return _record(session, attempt, detail, commune, now, record_payment)


def _record(session: Session, attempt: PaymentAttempt, detail: PaymentDetail, commune: Commune, now: dt.datetime,
            record_payment: Callable[..., object]) -> Outcome:
    moved = session.execute(
        update(PaymentAttempt).where(PaymentAttempt.id == attempt.id, PaymentAttempt.state != PAID)
        .values(state=PAID).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:  # another notification got there first
        return Outcome("already", attempt)
    attempt.state = PAID
    attempt.numauto = detail.numauto[:16]
    attempt.paid_at = _transaction_moment(detail, now)
    invoice_ids = attempt.invoice_ids
    try:
        payment = record_payment(session, attempt.family_id, attempt.amount_cents, "payfip", attempt.paid_at,
                                 attempt.id_op, now, invoice_ids=invoice_ids)
    except ledger.BillingError as exc:
        # The money is received whatever happened to the invoices since: allocate to the oldest unpaid.
        log.warning("PayFiP %s: factures de la tentative %s non imputables (%s), imputation aux plus anciennes",
                    commune.slug, attempt.id, exc.code)
        payment = record_payment(session, attempt.family_id, attempt.amount_cents, "payfip", attempt.paid_at,
                                 attempt.id_op, now)
    attempt.payment_id = payment.id
    audit(session, "payfip.paid", now=now, account_kind="family", account_id=attempt.family_id,
          identifier=attempt.refdet)
    return Outcome(PAID, attempt, recorded=True)


def pending_id_ops(session: Session, now: dt.datetime, older_than: dt.timedelta) -> list[str]:
    """idOps of attempts still waiting for PayFiP's answer, created before now − older_than.

    An « abandoned » seen in the first 2 hours is asked again: an early A may still turn into a
    payment (eopayment treats it as waiting), and a lost notification must not lose that money.
    """
    still_open = (PaymentAttempt.state == CREATED) | (
        (PaymentAttempt.state == ABANDONED) & (PaymentAttempt.problem == "")
        & (PaymentAttempt.created_at > now - EXPIRED_AFTER))
    return list(session.scalars(
        select(PaymentAttempt.id_op).where(still_open, PaymentAttempt.id_op.is_not(None),
                                           PaymentAttempt.created_at <= now - older_than)
        .order_by(PaymentAttempt.id)
    ))
