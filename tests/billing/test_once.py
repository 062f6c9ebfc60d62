"""Money forms create money once (issue 15, point 3): « Nouveau règlement », an avoir or « Émettre » sent twice
with the same one-time key (a double click, a retry, a resent tab) creates nothing more and shows the first result."""
import datetime as dt
import html

from sqlalchemy import func, select

from tests.helpers import SUBMISSION_KEY, posted_form, submission_key
from tests.billing.helpers import NOW, book, issued_invoice, make_regie, make_tariff
from tests.factories import make_child, make_family, make_service
from tests.web.test_staff import _pinned_clock, signed_in_agent  # noqa: F401  (the fixture pins TOTP time)
from webapp.billing import invoicing
from webapp.billing.models import CreditNote, Invoice, Payment, Regie
from webapp.submissions.models import SubmissionKey

NEW_PAYMENT = "/agent/facturation/reglements/nouveau"
FILLED = {"family": "100100", "amount": "12,50", "method": "cheque", "received_on": "2025-12-05",
          "reference": "0012345"}


def _agent(client_for, session, host="alpha.test"):
    client = client_for(host)
    signed_in_agent(client, session)
    return client


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _filled_form(client, url, data):
    return posted_form(client.get(url).get_data(as_text=True), data)


def _invoice(session, number="AL-1"):
    """Family 100100 of the session's commune with one issued invoice of 50,00 €."""
    family = make_family(session)
    return issued_invoice(session, make_regie(session), family, make_child(session, family), make_service(session),
                          5000, number=number, period_start=dt.date(2025, 11, 1))


def test_payment_posted_twice_with_one_key_records_one_payment_and_shows_the_first(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    make_family(session)
    regie = make_regie(session)
    client = _agent(client_for, session)
    data = _filled_form(client, NEW_PAYMENT, FILLED)
    first = client.post(NEW_PAYMENT, data=data)
    second = client.post(NEW_PAYMENT, data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # the receipt of the first post
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Ce règlement a déjà été enregistré : AL-R1" in page and "Reçu de paiement N° AL-R1" in page
    assert _count(session, Payment) == 1
    assert session.get(Regie, regie.id).next_receipt_number == 2  # no number taken by the second post
    # The form shown again has a new key: a real second payment is recorded, with the next number.
    again = client.post(NEW_PAYMENT, data=_filled_form(client, NEW_PAYMENT, FILLED))
    assert again.status_code == 302 and again.headers["Location"] != first.headers["Location"]
    assert sorted(session.scalars(select(Payment.number))) == ["AL-R1", "AL-R2"]


def test_a_refused_payment_keeps_its_key_free_for_the_corrected_form(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    make_family(session)
    make_regie(session)
    client = _agent(client_for, session)
    data = _filled_form(client, NEW_PAYMENT, FILLED)
    refused = client.post(NEW_PAYMENT, data=dict(data, invoice="ZZ-1"))
    assert refused.status_code == 200 and data["submission_key"] in refused.get_data(as_text=True)
    assert client.post(NEW_PAYMENT, data=data).status_code == 302
    assert _count(session, Payment) == 1


def test_a_post_without_a_valid_key_creates_nothing_and_says_so(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    make_family(session)
    make_regie(session)
    client = _agent(client_for, session)
    data = _filled_form(client, NEW_PAYMENT, FILLED)
    for key in (None, "", "x" * 31, data["submission_key"] + "\n", "é" * 32):
        values = {k: v for k, v in data.items() if k != "submission_key"}
        if key is not None:
            values["submission_key"] = key
        answer = client.post(NEW_PAYMENT, data=values)
        text = html.unescape(answer.get_data(as_text=True))
        assert answer.status_code == 200 and "Ce formulaire n'est plus valable" in text, key
        fresh = submission_key(text)
        assert fresh != key and len(fresh) == 32  # the form shown again can be sent as it is
    assert _count(session, Payment) == 0


def test_a_key_is_not_confused_across_forms_or_communes(client_for, tenant_db, clock):
    alpha = tenant_db("alpha")
    invoice = _invoice(alpha)
    client = _agent(client_for, alpha)
    data = _filled_form(client, NEW_PAYMENT, FILLED)
    assert client.post(NEW_PAYMENT, data=data).status_code == 302
    # The payment's key sent with the avoir form of the same commune: an avoir, not « déjà enregistré ».
    url = f"/agent/facturation/factures/{invoice.id}"
    note_form = _filled_form(client, url, {"amount": "1,00", "reason": "Jour de grève facturé"})
    note_form["submission_key"] = data["submission_key"]
    answer = client.post(url, data=note_form, follow_redirects=True).get_data(as_text=True)
    assert "Avoir AVAL-1 émis" in answer and "déjà" not in answer
    # The same key in another commune records that commune's payment.
    beta = tenant_db("beta")
    make_family(beta)
    make_regie(beta, prefix="BE")
    beta_client = _agent(client_for, beta, "beta.test")
    beta_data = _filled_form(beta_client, NEW_PAYMENT, FILLED) | {"submission_key": data["submission_key"]}
    beta_answer = beta_client.post(NEW_PAYMENT, data=beta_data, follow_redirects=True).get_data(as_text=True)
    assert "Règlement BE-R1 enregistré" in beta_answer
    assert (_count(alpha, Payment), _count(beta, Payment), _count(alpha, CreditNote)) == (1, 1, 1)


def test_credit_note_posted_twice_with_one_key_issues_one_avoir(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    invoice = _invoice(session)
    client = _agent(client_for, session)
    url = f"/agent/facturation/factures/{invoice.id}"
    data = _filled_form(client, url, {"amount": "1,00", "reason": "Jour de grève facturé"})
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data)
    assert second.status_code == 302 and second.headers["Location"].endswith(url)
    assert "Cet avoir a déjà été émis : AVAL-1" in client.get(url).get_data(as_text=True)
    session.expire_all()
    assert list(session.scalars(select(CreditNote.number))) == ["AVAL-1"]
    assert session.get(Regie, invoice.regie_id).next_credit_number == 2


def test_issue_posted_again_with_its_key_issues_nothing_more(client_for, tenant_db, clock):
    """A resent « Émettre » must not issue the drafts computed since (a supplementary run of the month)."""
    session = tenant_db("alpha")
    family = make_family(session)
    child = make_child(session, family)
    service = make_service(session, code="garderie", name="GARDERIE")
    make_tariff(session, service, make_regie(session))
    book(session, family, child, service, [dt.date(2025, 11, 3)])
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    session.commit()
    client = _agent(client_for, session)
    month = "/agent/facturation/mois/2025-11"
    page = client.get(month).get_data(as_text=True)
    keys = SUBMISSION_KEY.findall(page)
    assert len(keys) == len(set(keys)) == 2  # « toutes » and the family's own button: one key each
    data = posted_form(page)
    assert client.post(f"{month}/emettre", data=data).status_code == 302
    book(session, family, child, service, [dt.date(2025, 11, 4)])  # accepted since: a new draft
    invoicing.compute_drafts(session, year=2025, month=11, now=NOW)
    session.commit()
    again = client.post(f"{month}/emettre", data=data)
    assert again.status_code == 302
    assert "Ces factures ont déjà été émises : AL-1" in client.get(month).get_data(as_text=True)
    assert sorted(session.scalars(select(Invoice.status))) == ["draft", "issued"]
    # The page shown again carries a new key: the supplementary invoice is issued on purpose.
    client.post(f"{month}/emettre", data=posted_form(client.get(month).get_data(as_text=True)))
    assert sorted(session.scalars(select(Invoice.number))) == ["AL-1", "AL-2"]
    assert _count(session, SubmissionKey) == 2
