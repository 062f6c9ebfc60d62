"""Payments, their allocation, credit notes, balances and the statement (seed 003's example)."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.billing.helpers import NOW, issued_invoice, make_regie
from tests.factories import make_child, make_family, make_service
from webapp.billing import ledger
from webapp.billing.models import Payment, PaymentAllocation


@pytest.fixture
def setup(tenant_db):
    session = tenant_db("alpha")
    family = make_family(session)
    child = make_child(session, family)
    service = make_service(session, code="garderie", name="GARDERIE")
    regie = make_regie(session)
    return session, family, child, service, regie


def test_seed_003_statement(setup):
    session, family, child, service, regie = setup
    first = issued_invoice(session, regie, family, child, service, 24320, number="AL-12",
                           period_start=dt.date(2025, 10, 1))
    second = issued_invoice(session, regie, family, child, service, 12060, number="AL-36",
                            period_start=dt.date(2025, 11, 1))
    payment = ledger.record_payment(session, family.id, 24320, "cheque", NOW, "1234567", NOW, agent_id=1)
    session.commit()
    assert payment.number == "AL-R1"
    assert [(a.invoice_id, a.amount_cents) for a in payment.allocations] == [(first.id, 24320)]
    unpaid = ledger.unpaid_invoices(session, family.id)
    assert [(i.number, due) for i, due in unpaid] == [("AL-36", 12060)]
    statement = ledger.statement(session, family.id, "2025-2026")
    assert statement.debit_cents == 36380 and statement.credit_cents == 24320
    assert statement.previous_balance_cents == 0 and statement.balance_cents == 12060
    assert ledger.balance(session, family.id) == 12060
    assert second.id in {i.id for i, _ in unpaid}


def test_payment_to_given_invoice_and_overpayment_stays_as_credit(setup):
    session, family, child, service, regie = setup
    issued_invoice(session, regie, family, child, service, 1000, number="AL-1", period_start=dt.date(2025, 10, 1))
    second = issued_invoice(session, regie, family, child, service, 2000, number="AL-2",
                            period_start=dt.date(2025, 11, 1))
    payment = ledger.record_payment(session, family.id, 2500, "especes", NOW, "", NOW, invoice_ids=[second.id])
    session.commit()
    assert [(a.invoice_id, a.amount_cents) for a in payment.allocations] == [(second.id, 2000)]
    assert ledger.balance(session, family.id) == 1000 - 500


def test_refusals(setup):
    session, family, child, service, regie = setup
    other = make_family(session, number="200200")
    invoice = issued_invoice(session, regie, other, child, service, 1000, number="AL-1",
                             period_start=dt.date(2025, 10, 1))
    for kwargs, code in ((dict(amount_cents=0), "bad_amount"), (dict(method="bitcoin"), "unknown_method"),
                         (dict(invoice_ids=[invoice.id]), "unknown_invoice"),
                         (dict(method="payfip", reference=""), "missing_reference")):
        values = dict(amount_cents=100, method="cheque", reference="x") | kwargs
        with pytest.raises(ledger.BillingError) as error:
            ledger.record_payment(session, family.id, values["amount_cents"], values["method"], NOW,
                                  values["reference"], NOW, invoice_ids=values.get("invoice_ids"))
        assert error.value.code == code
    session.rollback()
    assert session.scalars(select(Payment)).all() == []


def test_payfip_payment_is_recorded_once_per_reference(setup):
    session, family, child, service, regie = setup
    invoice = issued_invoice(session, regie, family, child, service, 1000, number="AL-1",
                             period_start=dt.date(2025, 10, 1))
    first = ledger.record_payment(session, family.id, 1000, "payfip", NOW, "IDOP123", NOW, invoice_ids=[invoice.id])
    session.commit()
    again = ledger.record_payment(session, family.id, 1000, "payfip", NOW, "IDOP123", NOW, invoice_ids=[invoice.id])
    session.commit()
    assert again.id == first.id
    assert session.scalar(select(PaymentAllocation.amount_cents)) == 1000
    assert len(session.scalars(select(Payment)).all()) == 1


def test_credit_note_reduces_amount_due_and_is_numbered(setup):
    session, family, child, service, regie = setup
    invoice = issued_invoice(session, regie, family, child, service, 1000, number="AL-1",
                             period_start=dt.date(2025, 10, 1))
    note = ledger.issue_credit_note(session, invoice, 300, "Absence excusée oubliée", now=NOW, agent_id=1)
    session.commit()
    assert note.number == "AVAL-1"
    assert ledger.amount_due(session, invoice) == 700
    with pytest.raises(ledger.BillingError) as error:
        ledger.issue_credit_note(session, invoice, 701, "trop", now=NOW, agent_id=1)
    assert error.value.code == "credit_too_large"
    assert ledger.balance(session, family.id) == 700


def test_previous_balance_of_earlier_school_year(setup):
    session, family, child, service, regie = setup
    issued_invoice(session, regie, family, child, service, 5000, number="AL-1", period_start=dt.date(2025, 6, 1))
    issued_invoice(session, regie, family, child, service, 1000, number="AL-2", period_start=dt.date(2025, 10, 1))
    statement = ledger.statement(session, family.id, "2025-2026")
    assert statement.previous_balance_cents == 5000
    assert statement.balance_cents == 6000
    assert [o.number for o in statement.operations] == ["AL-2"]
