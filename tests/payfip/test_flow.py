"""« Payer en ligne » end to end, with the PayFiP stand-in running on loopback (beta: PayFiP, client 021289)."""
import re
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from tests.helpers import csrf_token, sign_in
from tests.payfip.conftest import billed_family
from webapp.billing.models import Payment
from webapp.payfip.models import PaymentAttempt


def statement_page(client) -> str:
    response = client.get("/releve-de-compte")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def pay(client, **fields):
    token = csrf_token(statement_page(client))
    return client.post("/paiement-en-ligne/payer", data={"csrf_token": token, **fields})


def payments(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Payment))


def only_attempt(session) -> PaymentAttempt:
    session.expire_all()
    return session.scalars(select(PaymentAttempt)).one()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_choice(payment_url: str, choice: str) -> str:
    """What the family does on PayFiP's page: open it, press a button; returns where PayFiP sends it back."""
    with urllib.request.urlopen(payment_url, timeout=10) as page:
        html = page.read().decode()
    assert "Paiement de vos factures" in html
    id_op = parse_qs(urlsplit(payment_url).query)["idop"][0]
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(payment_url.split("?")[0], data=urlencode({"idop": id_op, "resultat": choice}).encode(),
                    timeout=10)
    assert redirect.value.code == 303
    return redirect.value.headers["Location"]


def test_statement_shows_pay_buttons_on_a_payfip_commune(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    billed_family(db, totals=(4250, 1800))
    client = client_for("famille.beta.test")
    sign_in(client)
    html = statement_page(client)
    assert html.count("Payer en ligne") >= 2 and "Tout payer" in html
    assert "60,50" in html
    home = client.get("/accueil").get_data(as_text=True)
    assert "Payer en ligne" in home and "Tout payer" in home


def test_pay_one_invoice_end_to_end(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    family, invoices = billed_family(db, totals=(4250, 1800))
    client = client_for("famille.beta.test")
    sign_in(client)

    response = pay(client, facture=invoices[0].id, montant="1")  # an amount in the form is ignored
    assert response.status_code == 303
    attempt = only_attempt(db)
    assert response.headers["Location"] == f"{standin.url}/tpa/paiementws.web?idop={attempt.id_op}"
    assert (attempt.state, attempt.amount_cents, attempt.exer, attempt.invoice_ids) == \
        ("created", 4250, 2025, [invoices[0].id])
    assert re.fullmatch(r"2025AL00000001[0-9A-F]{8}", attempt.refdet)
    sent = standin.operations[attempt.id_op].fields
    assert sent["urlnotif"] == "https://famille.beta.test/paiement-en-ligne/notification"
    assert sent["urlredirect"] == f"https://famille.beta.test/paiement-en-ligne/retour/{attempt.id}"
    assert (sent["numcli"], sent["montant"], sent["saisie"], sent["mel"]) == ("021289", "4250", "T",
                                                                              "f100100@example.org")
    assert sent["objet"] == "Facture AL00 1"

    back = browser_choice(response.headers["Location"], "P")
    assert standin.delivered == [(sent["urlnotif"], 200)]
    assert payments(db) == 1
    payment = db.scalars(select(Payment)).one()
    assert (payment.method, payment.reference, payment.amount_cents) == ("payfip", attempt.id_op, 4250)
    assert only_attempt(db).state == "paid" and only_attempt(db).payment_id == payment.id

    page = client.get(urlsplit(back).path)
    assert page.status_code == 200 and "Paiement accepté" in page.get_data(as_text=True)


@pytest.mark.parametrize("choice, text, state", [("R", "Paiement refusé", "refused"),
                                                 ("A", "Paiement abandonné", "abandoned")])
def test_refused_or_abandoned_records_nothing(client_for, tenant_db, standin, clock, choice, text, state):
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    sign_in(client)
    back = browser_choice(pay(client, facture=invoices[0].id).headers["Location"], choice)
    assert payments(db) == 0 and only_attempt(db).state == state
    assert text in client.get(urlsplit(back).path).get_data(as_text=True)


def test_pay_all_covers_every_unpaid_invoice_of_the_regie(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    _, invoices = billed_family(db, totals=(4250, 1800, 990))
    client = client_for("famille.beta.test")
    sign_in(client)
    response = pay(client, regie=invoices[0].regie_id)
    attempt = only_attempt(db)
    assert (attempt.amount_cents, sorted(attempt.invoice_ids)) == (7040, sorted(i.id for i in invoices))
    standin.choose(attempt.id_op, "P")
    assert response.status_code == 303 and payments(db) == 1
    payment = db.scalars(select(Payment)).one()
    assert sorted(a.invoice_id for a in payment.allocations) == sorted(i.id for i in invoices)


def test_a_family_without_email_is_asked_for_one(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    _, invoices = billed_family(db, email=None)
    client = client_for("famille.beta.test")
    sign_in(client)
    page = pay(client, facture=invoices[0].id)
    assert page.status_code == 200 and "Adresse électronique pour ce paiement" in page.get_data(as_text=True)
    assert db.scalars(select(PaymentAttempt)).first() is None
    wrong = pay(client, facture=invoices[0].id, mel="pas une adresse")
    assert wrong.status_code == 400 and "adresse électronique valide" in wrong.get_data(as_text=True)
    assert pay(client, facture=invoices[0].id, mel="parent@example.org").status_code == 303
    assert standin.operations[only_attempt(db).id_op].fields["mel"] == "parent@example.org"


def test_a_second_attempt_while_one_is_in_progress_is_refused(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    sign_in(client)
    assert pay(client, facture=invoices[0].id).status_code == 303
    again = pay(client, facture=invoices[0].id)
    assert again.status_code == 303 and "/paiement-en-ligne" not in again.headers["Location"]
    assert "déjà en cours" in client.get(again.headers["Location"]).get_data(as_text=True)
    clock.advance(minutes=16)  # the idOp has expired: a new attempt, with a new reference
    assert pay(client, facture=invoices[0].id).status_code == 303
    db.expire_all()
    refs = db.scalars(select(PaymentAttempt.refdet)).all()
    assert len(refs) == 2 and len(set(refs)) == 2


def test_paid_invoice_has_nothing_left_to_pay(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    sign_in(client)
    standin.choose(only_attempt_after(pay(client, facture=invoices[0].id), db).id_op, "P")
    clock.advance(minutes=20)
    again = pay(client, facture=invoices[0].id)
    assert again.status_code == 303 and payments(db) == 1
    assert "Il ne reste rien à payer." in client.get(again.headers["Location"]).get_data(as_text=True)


def only_attempt_after(response, db) -> PaymentAttempt:
    assert response.status_code == 303
    return only_attempt(db)


def test_web_service_down_gives_error_state_and_records_nothing(client_for, tenant_db, standin, clock, app,
                                                                 monkeypatch):
    monkeypatch.setattr(app.config["SETTINGS"], "payfip_ws_url", "http://127.0.0.1:9/tpa/services/securite")
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    sign_in(client)
    response = pay(client, facture=invoices[0].id)
    assert response.status_code == 303 and "paiementws" not in response.headers["Location"]
    attempt = only_attempt(db)
    assert (attempt.state, attempt.id_op, attempt.problem) == ("error", None, "unavailable")
    assert payments(db) == 0
    assert "ne répond pas" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_another_familys_invoice_is_404(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    billed_family(db)
    _, theirs = billed_family(db, number="200200", prefix="BE")
    client = client_for("famille.beta.test")
    sign_in(client)
    assert pay(client, facture=theirs[0].id).status_code == 404
    assert pay(client, regie=theirs[0].regie_id).status_code == 303  # nothing due in that régie for this family
    assert db.scalars(select(PaymentAttempt)).first() is None


def test_without_csrf_token_nothing_starts(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    sign_in(client)
    assert client.post("/paiement-en-ligne/payer", data={"facture": invoices[0].id}).status_code == 400
    assert db.scalars(select(PaymentAttempt)).first() is None


def test_signed_out_visitors_are_sent_to_sign_in(client_for, standin):
    client = client_for("famille.beta.test")
    assert client.get("/paiement-en-ligne/retour/1").status_code in (302, 401)


def test_tresorerie_commune_has_no_buttons_and_404_endpoints(client_for, tenant_db, standin, clock):
    db = tenant_db("alpha")
    _, invoices = billed_family(db)
    client = client_for("alpha.test")
    sign_in(client)
    assert "Payer en ligne" not in statement_page(client)
    assert pay(client, facture=invoices[0].id).status_code == 404
    assert client.get("/paiement-en-ligne/retour/1").status_code == 404
    assert client.post("/paiement-en-ligne/notification", data={"idOp": "abc"}).status_code == 404


def test_csp_lets_the_pay_form_reach_payfip_only_on_payfip_communes(client_for, standin):
    beta = client_for("beta.test").get("/").headers["Content-Security-Policy"]
    alpha = client_for("alpha.test").get("/").headers["Content-Security-Policy"]
    assert standin.url in beta and standin.url not in alpha


def test_an_agents_session_gets_404(client_for, tenant_db, standin, clock):
    from tests.web import test_staff

    test_staff.CLOCK = clock  # its TOTP helper reads the pinned clock
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    test_staff.signed_in_agent(client, db)
    token = csrf_token(client.get("/agent/", follow_redirects=True).get_data(as_text=True))
    answer = client.post("/paiement-en-ligne/payer", data={"csrf_token": token, "facture": invoices[0].id})
    assert answer.status_code == 404
    assert client.get("/paiement-en-ligne/retour/1").status_code == 404
    assert db.scalars(select(PaymentAttempt)).first() is None


def test_under_one_euro_nothing_is_sent_to_payfip(client_for, tenant_db, standin, clock):
    db = tenant_db("beta")
    _, invoices = billed_family(db, totals=(99,), email=None)
    client = client_for("famille.beta.test")
    sign_in(client)
    response = pay(client, facture=invoices[0].id)
    assert response.status_code == 303  # refused before asking for an e-mail
    assert "à partir de 1,00 €" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert standin.operations == {} and db.scalars(select(PaymentAttempt)).first() is None


def test_pay_all_can_be_turned_off(app, client_for, tenant_db, standin, clock, monkeypatch):
    registry = app.extensions["tenancy"].registry
    beta = registry.get("beta")
    changed = beta.model_copy(update={"settings": beta.settings.model_copy(update={
        "payfip": beta.settings.payfip.model_copy(update={"pay_all": False})})})
    for host in beta.hosts:
        monkeypatch.setitem(registry._by_host, host, changed)
    db = tenant_db("beta")
    _, invoices = billed_family(db, totals=(4250, 1800))
    client = client_for("famille.beta.test")
    sign_in(client)
    html = statement_page(client)
    assert "Payer en ligne" in html and "Tout payer" not in html
    assert pay(client, regie=invoices[0].regie_id).status_code == 404
