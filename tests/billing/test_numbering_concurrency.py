"""Two agents issuing at once, payments recorded at once: numbers unique and without gaps, on PostgreSQL."""
import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.billing.helpers import NOW, book, issued_invoice, make_regie, make_tariff
from tests.factories import make_child, make_family, make_service
from webapp.billing import invoicing, ledger
from webapp.billing.models import Invoice, Payment

pytestmark = pytest.mark.postgres


def _run_together(jobs):
    start, errors = threading.Barrier(len(jobs)), []

    def wrap(job):
        try:
            start.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_simultaneous_issues_number_without_gaps_or_duplicates(app, tenant_db):
    db = tenant_db("alpha")
    service = make_service(db, code="garderie", name="GARDERIE")
    regie = make_regie(db)
    make_tariff(db, service, regie)
    families = []
    for n in range(6):
        family = make_family(db, number=f"1000{n:02d}", password=None)
        book(db, family, make_child(db, family), service, [dt.date(2025, 11, 3)])
        families.append(family)
    invoicing.compute_drafts(db, year=2025, month=11, now=NOW)
    db.commit()
    engine = app.extensions["tenancy"].storage.engine_for("t_alpha")

    def issue(family_ids):
        def job():
            with Session(engine) as session:
                invoicing.issue_month(session, year=2025, month=11, now=NOW, agent_id=1, family_ids=family_ids)
                session.commit()
        return job

    ids = [f.id for f in families]
    # Three agents: two on disjoint families, one on all (it gets what is left).
    _run_together([issue(ids[:3]), issue(ids[3:]), issue(None)])
    db.expire_all()
    numbers = sorted(int(n.split("-")[1]) for n in db.scalars(select(Invoice.number)))
    assert numbers == list(range(1, 7))
    assert db.scalars(select(Invoice).where(Invoice.status == "draft")).all() == []


def test_simultaneous_payments_get_distinct_receipts(app, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family)
    service = make_service(db, code="garderie", name="GARDERIE")
    regie = make_regie(db)
    issued_invoice(db, regie, family, child, service, 10000, number="AL-1", period_start=dt.date(2025, 11, 1))
    engine = app.extensions["tenancy"].storage.engine_for("t_alpha")

    def pay(reference):
        def job():
            with Session(engine) as session:
                ledger.record_payment(session, family.id, 1000, "payfip", NOW, reference, NOW)
                session.commit()
        return job

    _run_together([pay(f"IDOP{n}") for n in range(4)])
    numbers = sorted(db.scalars(select(Payment.number)))
    assert numbers == ["AL-R1", "AL-R2", "AL-R3", "AL-R4"]
    assert ledger.balance(db, family.id) == 6000
