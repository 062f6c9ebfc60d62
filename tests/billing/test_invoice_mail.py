"""Issuing invoices e-mails the families who allow it: number, amount, due date, link on base_url."""
import datetime as dt
import re

from sqlalchemy import select

from tests.billing.helpers import book, make_regie, make_tariff
from tests.factories import make_child, make_family, make_service
from tests.helpers import posted_form, recorded_sql
from tests.web.test_staff import _pinned_clock, signed_in_agent  # noqa: F401  (the fixture pins TOTP time)
from webapp.billing.models import Invoice
from webapp.mail.models import OutboxMail
from webapp.planning.models import Service

NOV = [dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 6)]
MONTH = "/agent/facturation/mois/2025-11"


def _families(session, count, start=0, **fields):
    service = session.scalar(select(Service))
    made = []
    for n in range(start, start + count):
        family = make_family(session, number=f"5000{n:02d}", **fields)
        book(session, family, make_child(session, family), service, NOV)
        made.append(family)
    return made


def _setup(session):
    service = make_service(session, code="garderie", name="GARDERIE MATIN")
    make_tariff(session, service, make_regie(session), brackets=((None, 100),))


def _agent(client_for, session):
    client = client_for("alpha.test")
    signed_in_agent(client, session)
    return client


def _post(client, page_url, action, data=None):
    return client.post(action, data=posted_form(client.get(page_url).get_data(as_text=True), data))


def _run(client):
    _post(client, "/agent/facturation/", "/agent/facturation/calculer", {"month": "2025-11"})


def _issue(client):
    return _post(client, MONTH, f"{MONTH}/emettre")


def _mails(session):
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_only_families_who_allow_emails_are_told(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    _setup(session)
    [allowing] = _families(session, 1)
    _families(session, 1, start=1, email_allowed=False)
    _families(session, 1, start=2, email=None)
    client = _agent(client_for, session)
    _run(client)
    assert _mails(session) == []  # drafts: nobody is told

    answer = _issue(client)
    assert answer.status_code == 302
    [mail] = _mails(session)
    invoice = session.scalar(select(Invoice).where(Invoice.family_id == allowing.id))
    assert invoice.status == "issued" and mail.recipient == allowing.email
    assert mail.subject == f"RPI Alpha – Votre facture {invoice.number} est disponible"
    assert invoice.number in mail.body and "3,00\u00a0€" in mail.body
    assert f"au plus tard le {invoice.due_on.strftime('%d/%m/%Y')}" in mail.body
    assert "https://famille.alpha.test/releve-de-compte" in mail.body
    assert "1 famille prévenue par courriel." in client.get(MONTH).get_data(as_text=True)
    # Issuing again finds no draft: nothing more is sent.
    _issue(client)
    assert len(_mails(session)) == 1


def test_discarded_and_remaining_drafts_send_nothing(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    _setup(session)
    first, second = _families(session, 2)
    client = _agent(client_for, session)
    _run(client)
    # Issue only the first family's draft: the second one, still a draft, is not told.
    _post(client, MONTH, f"{MONTH}/emettre", {"famille": str(first.id)})
    assert [m.recipient for m in _mails(session)] == [first.email]
    assert session.scalar(select(Invoice.status).where(Invoice.family_id == second.id)) == "draft"


def test_families_are_read_in_one_query_whatever_their_number(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    _setup(session)
    client = _agent(client_for, session)

    def family_selects(count, start):
        _families(session, count, start=start)
        _run(client)
        with recorded_sql() as statements:
            _issue(client)
        assert len(_mails(session)) == count
        session.execute(OutboxMail.__table__.delete())
        session.commit()
        return len([s for s in statements if re.search(r"\bFROM (\"?\w+\"?\.)?\"?family\b", s)])

    one = family_selects(1, 0)
    assert one >= 1 and family_selects(3, 10) == one
    session.expire_all()
    assert session.scalar(select(Invoice).where(Invoice.status == "draft")) is None
