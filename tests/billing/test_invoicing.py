"""Month invoicing: tariffs and QF brackets, what is billed, numbering, re-runs, previous balance."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.billing.helpers import NOW, absent, book, make_regie, make_tariff
from tests.factories import make_child, make_family, make_service
from webapp.billing import invoicing, ledger
from webapp.billing.models import Invoice, InvoiceLine, Tariff, TariffBracket
from webapp.planning.models import Closure, LocalDay

# November 2025: Mondays 3, 10, 17, 24; Tuesday 11 is a public holiday (Armistice).
MON, TUE, THU = dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 6)
WEEK2 = [dt.date(2025, 11, 10), dt.date(2025, 11, 11), dt.date(2025, 11, 13), dt.date(2025, 11, 14)]


@pytest.fixture
def world(tenant_db):
    session = tenant_db("alpha")
    family = make_family(session, caf_quotient=700)
    child = make_child(session, family)
    garderie = make_service(session, code="garderie", name="GARDERIE MATIN", weekdays="1101100")
    canteen = make_service(session, code="restauration", name="RESTAURATION")
    regie = make_regie(session)
    make_tariff(session, garderie, regie, brackets=((600, 100), (900, 150), (None, 200)), late_surcharge_cents=50)
    make_tariff(session, canteen, regie, brackets=((None, 385),), unit_label="repas")
    return session, family, child, garderie, canteen, regie


def test_price_for_brackets_and_missing_quotient():
    tariff = Tariff(brackets=[TariffBracket(qf_max=None, price_cents=200), TariffBracket(qf_max=600, price_cents=100),
                              TariffBracket(qf_max=900, price_cents=150)])
    assert invoicing.price_for(tariff, 0) == 100
    assert invoicing.price_for(tariff, 600) == 100
    assert invoicing.price_for(tariff, 601) == 150
    assert invoicing.price_for(tariff, 5000) == 200
    assert invoicing.price_for(tariff, None) == 200  # no QF: the highest bracket
    closed = Tariff(brackets=[TariffBracket(qf_max=600, price_cents=100), TariffBracket(qf_max=900, price_cents=150)])
    assert invoicing.price_for(closed, None) == 150


def test_draft_bills_reservations_and_billed_absences_only(world):
    session, family, child, garderie, canteen, _ = world
    book(session, family, child, garderie, [MON, TUE, THU] + WEEK2)
    book(session, family, child, canteen, [MON, TUE])
    absent(session, family, child, garderie, [TUE], billed=True)  # late, not excused: billed
    absent(session, family, child, canteen, [TUE], billed=False)  # excused: not billed
    session.add(Closure(day=THU, service_id=garderie.id, reason="Grève", created_at=NOW))
    session.commit()
    summary = invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    session.commit()
    assert summary.drafts == 1
    invoice = session.scalars(select(Invoice)).one()
    lines = {(line.service_id, line.surcharge): line for line in invoice.lines}
    garde = lines[(garderie.id, False)]
    # MON, TUE (billed absence), 10, 13, 14: THU closed, 11 November public holiday.
    assert garde.day_list == [MON, TUE, dt.date(2025, 11, 10), dt.date(2025, 11, 13), dt.date(2025, 11, 14)]
    assert (garde.quantity, garde.unit_price_cents, garde.amount_cents, garde.nature) == (5, 150, 750, "childcare")
    meal = lines[(canteen.id, False)]
    assert (meal.quantity, meal.amount_cents, meal.nature, meal.day_list) == (1, 385, "meal", [MON])
    assert invoice.total_cents == 750 + 385 and invoice.status == "draft" and invoice.number is None
    assert invoice.school_year == "2025-2026"


def test_local_day_and_refused_requests_not_billed(world):
    session, family, child, garderie, _, _ = world
    book(session, family, child, garderie, [MON, TUE])
    book(session, family, child, garderie, [THU], state="refused")
    session.add(LocalDay(day=TUE, label="Pont"))
    session.commit()
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    line = session.scalars(select(InvoiceLine)).one()
    assert line.day_list == [MON]


def test_late_booking_surcharge_line_and_no_quotient_pays_highest(world):
    session, _, _, garderie, _, _ = world
    family = make_family(session, number="200200", caf_quotient=None)
    child = make_child(session, family, first_name="Zoé")
    book(session, family, child, garderie, [MON])
    book(session, family, child, garderie, [TUE], late=True)
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    lines = session.scalars(select(InvoiceLine).order_by(InvoiceLine.id)).all()
    assert [(line.surcharge, line.quantity, line.unit_price_cents, line.amount_cents) for line in lines] == [
        (False, 2, 200, 400), (True, 1, 50, 50)]


def test_issue_numbers_in_family_order_and_rerun_keeps_issued(world):
    session, family, child, garderie, _, regie = world
    other = make_family(session, number="100050")
    other_child = make_child(session, other)
    book(session, family, child, garderie, [MON])
    book(session, other, other_child, garderie, [MON])
    regie.next_invoice_number = 36
    session.commit()
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    issued = invoicing.issue_month(session, year=2025, month=11, now=NOW, agent_id=7)
    session.commit()
    assert [(i.family_id, i.number) for i in issued] == [(other.id, "AL-36"), (family.id, "AL-37")]
    assert issued[0].payment_reference == "2025AL000036"
    # A re-run drafts nothing already issued…
    summary = invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    session.commit()
    assert summary.drafts == 0 and summary.skipped_cells == 2
    # …but a day accepted since makes a supplementary draft with that day only.
    book(session, family, child, garderie, [THU])
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)  # twice: still one draft
    session.commit()
    draft = session.scalars(select(Invoice).where(Invoice.status == "draft")).one()
    assert [line.day_list for line in draft.lines] == [[THU]]
    assert session.scalar(select(func.count()).select_from(Invoice)) == 3
    issued = invoicing.issue_month(session, year=2025, month=11, now=NOW, agent_id=7)
    assert [i.number for i in issued] == ["AL-38"]


def test_previous_balance_is_frozen_at_issue(world):
    session, family, child, garderie, _, _ = world
    book(session, family, child, garderie, [dt.date(2025, 10, 6)])
    book(session, family, child, garderie, [MON])
    invoicing.compute_drafts(session, year=2025, month=10, now=NOW)
    october = invoicing.issue_month(session, year=2025, month=10, now=NOW, agent_id=1)[0]
    ledger.record_payment(session, family.id, 50, "especes", NOW, "", NOW)
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    november = invoicing.issue_month(session, year=2025, month=11, now=NOW, agent_id=1)[0]
    session.commit()
    assert october.previous_balance_cents == 0
    assert november.previous_balance_cents == 150 - 50
    assert ledger.balance(session, family.id) == 100 + 150


def test_issue_selected_families_only_and_discard(world):
    session, family, child, garderie, _, _ = world
    other = make_family(session, number="200200")
    other_child = make_child(session, other)
    book(session, family, child, garderie, [MON])
    book(session, other, other_child, garderie, [MON])
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    issued = invoicing.issue_month(session, year=2025, month=11, now=NOW, agent_id=1, family_ids=[other.id])
    assert [i.family_id for i in issued] == [other.id] and issued[0].number == "AL-1"
    draft = session.scalars(select(Invoice).where(Invoice.status == "draft")).one()
    invoicing.discard_draft(session, draft)
    with pytest.raises(ValueError):
        invoicing.discard_draft(session, issued[0])
    session.commit()
    assert session.scalar(select(func.count()).select_from(Invoice)) == 1
