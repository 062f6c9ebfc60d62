"""The attestation de frais de garde: under-6 children, childcare lines only, payments of the year, rounding."""
import datetime as dt

from tests.billing.helpers import make_regie
from tests.factories import make_child, make_family, make_service
from webapp.billing import certificate, ledger
from webapp.billing.models import Invoice, InvoiceLine

PAID = dt.datetime(2025, 3, 10, 10, tzinfo=dt.UTC)


def test_share_rounds_half_up():
    assert certificate.share(100, 1, 3) == 33  # 33.33
    assert certificate.share(100, 2, 3) == 67  # 66.67
    assert certificate.share(1, 1, 2) == 1  # 0.5 → 1
    assert certificate.share(100, 1, 0) == 0


def test_age_and_available_years():
    assert certificate.age_on(dt.date(2019, 1, 2), dt.date(2025, 1, 1)) == 5
    assert certificate.age_on(dt.date(2019, 1, 1), dt.date(2025, 1, 1)) == 6
    assert certificate.available_years(dt.date(2026, 1, 5), 2024) == [2025, 2024]
    assert certificate.available_years(dt.date(2025, 12, 8), 2025) == []


def test_childcare_of_young_children_paid_in_the_year(tenant_db):
    session = tenant_db("alpha")
    family = make_family(session)
    young = make_child(session, family, first_name="Léo", birth_date=dt.date(2020, 5, 1))
    old = make_child(session, family, first_name="Zoé", birth_date=dt.date(2018, 12, 31))
    garderie = make_service(session, code="garderie", name="GARDERIE")
    canteen = make_service(session, code="restauration", name="RESTAURATION")
    regie = make_regie(session)

    def line(child, service, nature, amount, surcharge=False):
        return InvoiceLine(child_id=child.id, service_id=service.id, nature=nature, surcharge=surcharge, label="x",
                           quantity=1, unit_price_cents=amount, amount_cents=amount, days="2025-01-06")

    invoice = Invoice(regie_id=regie.id, family_id=family.id, status="issued", number="AL-1",
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 1, 31), school_year="2024-2025",
                      total_cents=1000, created_at=PAID, issued_at=PAID,
                      lines=[line(young, garderie, "childcare", 300), line(young, canteen, "meal", 400),
                             line(young, garderie, "childcare", 100, surcharge=True),
                             line(old, garderie, "childcare", 200)])
    session.add(invoice)
    session.commit()
    # Half paid in 2025, half in 2026: only 2025's half counts, pro rata 300/1000.
    ledger.record_payment(session, family.id, 500, "cheque", PAID, "1", PAID)
    ledger.record_payment(session, family.id, 500, "cheque", dt.datetime(2026, 1, 3, tzinfo=dt.UTC), "2", PAID)
    session.commit()
    amounts = certificate.childcare_paid(session, family.id, 2025)
    assert [(a.child.first_name, a.amount_cents) for a in amounts] == [("Léo", 150)]
    assert certificate.first_payment_year(session, family.id) == 2025


def test_year_boundary_is_paris_time(tenant_db):
    session = tenant_db("alpha")
    family = make_family(session)
    child = make_child(session, family, birth_date=dt.date(2021, 1, 1))
    garderie = make_service(session, code="garderie", name="GARDERIE")
    regie = make_regie(session)
    invoice = Invoice(regie_id=regie.id, family_id=family.id, status="issued", number="AL-1",
                      period_start=dt.date(2024, 12, 1), period_end=dt.date(2024, 12, 31), school_year="2024-2025",
                      total_cents=1000, created_at=PAID, issued_at=PAID,
                      lines=[InvoiceLine(child_id=child.id, service_id=garderie.id, nature="childcare", label="x",
                                         quantity=1, unit_price_cents=1000, amount_cents=1000, days="2024-12-02")])
    session.add(invoice)
    session.commit()
    # 31 December 2024 at 23:30 UTC is already 1 January 2025 in Paris.
    ledger.record_payment(session, family.id, 1000, "cheque", dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC), "1",
                          PAID)
    session.commit()
    assert [a.amount_cents for a in certificate.childcare_paid(session, family.id, 2025)] == [1000]
    assert certificate.childcare_paid(session, family.id, 2024) == []
