"""Ten parallel posts of one filled money form make one payment, one receipt number (issue 15, point 3), on PostgreSQL."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.helpers import posted_form
from tests.billing.helpers import NOW, book, make_regie, make_tariff
from tests.billing.test_numbering_concurrency import _run_together
from tests.factories import make_child, make_family, make_service
from tests.web.test_staff import _pinned_clock, signed_in_agent  # noqa: F401  (the fixture pins TOTP time)
from webapp.billing import invoicing
from webapp.billing.models import Invoice, Payment, Regie
from webapp.submissions.models import SubmissionKey

pytestmark = pytest.mark.postgres
PARALLEL = 10


def _clones(client_for, client, count):
    """`count` clients with the signed-in agent's cookies: ten tabs of one browser, posting at once."""
    clones = []
    for _ in range(count):
        clone = client_for(client.host)
        for cookie in client._cookies.values():
            clone.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        clones.append(clone)
    return clones


def _post_together(clients, url, data):
    answers = []
    _run_together([lambda client=client: answers.append(client.post(url, data=data)) for client in clients])
    return answers


def test_ten_parallel_posts_of_one_payment_form_record_one_payment(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    make_family(session)
    regie = make_regie(session)
    client = client_for("alpha.test")
    signed_in_agent(client, session)
    url = "/agent/facturation/reglements/nouveau"
    data = posted_form(client.get(url).get_data(as_text=True),
                       {"family": "100100", "amount": "12,50", "method": "cheque", "received_on": "2025-12-05"})
    answers = _post_together(_clones(client_for, client, PARALLEL), url, data)
    assert [a.status_code for a in answers] == [302] * PARALLEL
    assert len({a.headers["Location"] for a in answers}) == 1  # every post shows the one receipt
    session.expire_all()
    assert list(session.scalars(select(Payment.number))) == ["AL-R1"]
    assert session.get(Regie, regie.id).next_receipt_number == 2  # one number taken, no gap
    assert session.scalar(select(func.count()).select_from(SubmissionKey)) == 1


def test_ten_parallel_posts_of_one_issue_form_number_once(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    service = make_service(session, code="garderie", name="GARDERIE")
    make_tariff(session, service, make_regie(session))
    for n in range(3):
        family = make_family(session, number=f"1000{n:02d}", password=None)
        book(session, family, make_child(session, family), service, [dt.date(2025, 11, 3)])
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    session.commit()
    client = client_for("alpha.test")
    signed_in_agent(client, session)
    month = "/agent/facturation/mois/2025-11"
    data = posted_form(client.get(month).get_data(as_text=True))
    answers = _post_together(_clones(client_for, client, PARALLEL), f"{month}/emettre", data)
    assert [a.status_code for a in answers] == [302] * PARALLEL
    session.expire_all()
    assert sorted(session.scalars(select(Invoice.number))) == ["AL-1", "AL-2", "AL-3"]
    assert session.scalar(select(func.count()).select_from(SubmissionKey)) == 1
