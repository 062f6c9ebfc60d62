"""PayFiP's notification and the reconciliation job: only PayFiP's verified answer records a payment."""
import logging
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import csrf_token, sign_in
from tests.payfip.conftest import billed_family
from webapp.audit.models import AuditEvent
from webapp.billing.models import Payment
from webapp.payfip import payments as payfip_payments
from webapp.payfip.client import PayfipClient
from webapp.payfip.models import PaymentAttempt

NOTIFY = "/paiement-en-ligne/notification"


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def attempt_of(session, id_op) -> PaymentAttempt:
    session.expire_all()
    return session.scalars(select(PaymentAttempt).where(PaymentAttempt.id_op == id_op)).one()


def start_payment(client, invoice) -> str:
    """Sign-in done; press « Payer en ligne »; returns the idOp PayFiP gave."""
    token = csrf_token(client.get("/releve-de-compte").get_data(as_text=True))
    response = client.post("/paiement-en-ligne/payer", data={"csrf_token": token, "facture": invoice.id})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].split("idop=")[1]


@pytest.fixture
def beta_payment(client_for, tenant_db, standin, clock):
    """A signed-in beta family that started paying its invoice of 42,50 €: (client, session, idOp)."""
    db = tenant_db("beta")
    _, invoices = billed_family(db)
    client = client_for("famille.beta.test")
    sign_in(client)
    return client, db, start_payment(client, invoices[0])


def test_forged_notification_with_unknown_id_op_records_nothing(client_for, beta_payment, standin, caplog):
    _, db, _ = beta_payment
    with caplog.at_level(logging.WARNING):
        response = client_for("famille.beta.test").post(NOTIFY, data={"idOp": "f" * 32})
    assert response.status_code == 404 and "ffff" not in response.get_data(as_text=True)
    assert count(db, Payment) == 0
    assert "idOp inconnu" in caplog.text
    assert "recupererDetailPaiementSecurise" not in standin.requests


def test_notification_without_id_op_or_with_garbage_is_404(client_for, beta_payment):
    _, db, _ = beta_payment
    poster = client_for("famille.beta.test")
    assert poster.post(NOTIFY, data={}).status_code == 404
    assert poster.post(NOTIFY, data={"idOp": "<script>"}).status_code == 404
    assert poster.get(NOTIFY).status_code == 405
    assert count(db, Payment) == 0


def test_notification_for_an_unpaid_operation_records_nothing(client_for, beta_payment):
    _, db, id_op = beta_payment
    assert client_for("famille.beta.test").post(NOTIFY, data={"idOp": id_op}).status_code == 200
    assert count(db, Payment) == 0 and attempt_of(db, id_op).state == "created"


def test_replayed_notification_records_one_payment(client_for, beta_payment, standin):
    _, db, id_op = beta_payment
    standin.choose(id_op, "P")
    poster = client_for("famille.beta.test")
    for field in ("idOp", "idop", "idOp"):
        assert poster.post(NOTIFY, data={field: id_op}).status_code == 200
    assert count(db, Payment) == 1
    assert count(db, AuditEvent) >= 1
    assert db.scalars(select(AuditEvent.event).where(AuditEvent.event.like("payfip.%"))).all() == ["payfip.paid"]


@pytest.mark.parametrize("field, value", [("montant", "425"), ("numcli", "021290"), ("refdet", "AUTREREF123"),
                                          ("exer", "2024"), ("idOp", "0" * 32)])
def test_answer_that_differs_from_the_attempt_records_nothing(client_for, beta_payment, standin, field, value,
                                                              caplog):
    _, db, id_op = beta_payment
    standin.operations[id_op].reported[field] = value
    with caplog.at_level(logging.ERROR):
        standin.choose(id_op, "P")
    assert count(db, Payment) == 0
    attempt = attempt_of(db, id_op)
    assert (attempt.state, attempt.problem) == ("error", "mismatch")
    assert "non conforme" in caplog.text
    # Even if PayFiP later tells the truth, an attempt in anomaly waits for a person.
    standin.operations[id_op].reported.clear()
    client_for("famille.beta.test").post(NOTIFY, data={"idOp": id_op})
    assert count(db, Payment) == 0


def test_another_communes_id_op_posted_here_records_nothing(client_for, tenant_db, standin, clock, alpha_on_payfip):
    alpha_db, beta_db = tenant_db("alpha"), tenant_db("beta")
    _, invoices = billed_family(alpha_db)
    billed_family(beta_db)
    alpha_client = client_for("alpha.test")
    sign_in(alpha_client)
    alpha_id_op = start_payment(alpha_client, invoices[0])
    assert standin.operations[alpha_id_op].fields["numcli"] == "021290"
    standin.choose(alpha_id_op, "P", notify=False)

    response = client_for("famille.beta.test").post(NOTIFY, data={"idOp": alpha_id_op})
    assert response.status_code == 404
    assert count(beta_db, Payment) == 0 and count(alpha_db, Payment) == 0
    assert attempt_of(alpha_db, alpha_id_op).state == "created"  # untouched until its own commune hears of it
    assert client_for("alpha.test").post(NOTIFY, data={"idOp": alpha_id_op}).status_code == 200
    assert count(alpha_db, Payment) == 1 and count(beta_db, Payment) == 0


def test_browser_return_alone_records_nothing(beta_payment, standin):
    client, db, id_op = beta_payment
    standin.choose(id_op, "P", notify=False)  # the notification is lost
    attempt = attempt_of(db, id_op)
    page = client.get(urlsplit(standin.operations[id_op].fields["urlredirect"]).path)
    assert page.status_code == 200 and "Paiement accepté" in page.get_data(as_text=True)
    assert count(db, Payment) == 0 and attempt_of(db, id_op).state == "created"
    assert attempt.id == attempt_of(db, id_op).id


def test_return_page_of_another_family_is_404(client_for, beta_payment, tenant_db):
    _, db, id_op = beta_payment
    billed_family(db, number="200200", prefix="BE")
    other = client_for("famille.beta.test")
    sign_in(other, number="200200")
    assert other.get(f"/paiement-en-ligne/retour/{attempt_of(db, id_op).id}").status_code == 404


def test_return_page_while_payment_is_in_progress(beta_payment):
    client, db, id_op = beta_payment
    page = client.get(f"/paiement-en-ligne/retour/{attempt_of(db, id_op).id}")
    assert "en cours de traitement" in page.get_data(as_text=True)


def test_notification_while_web_service_is_down_waits_for_reconciliation(client_for, beta_payment, standin, app,
                                                                         monkeypatch, clock):
    _, db, id_op = beta_payment
    standin.choose(id_op, "P", notify=False)
    monkeypatch.setattr(app.config["SETTINGS"], "payfip_ws_url", "http://127.0.0.1:9/tpa/services/securite")
    assert client_for("famille.beta.test").post(NOTIFY, data={"idOp": id_op}).status_code == 200
    assert count(db, Payment) == 0 and attempt_of(db, id_op).state == "created"
    monkeypatch.setattr(app.config["SETTINGS"], "payfip_ws_url", standin.url + "/tpa/services/securite")
    clock.advance(minutes=21)
    result = app.test_cli_runner().invoke(args=["payfip", "reconcile"])
    assert result.exit_code == 0, result.output
    assert count(db, Payment) == 1 and attempt_of(db, id_op).state == "paid"


def test_reconcile_records_a_paid_attempt_whose_notification_was_lost(app, beta_payment, standin, clock):
    _, db, id_op = beta_payment
    standin.choose(id_op, "P", notify=False)
    runner = app.test_cli_runner()
    assert "0 payé(s)" in runner.invoke(args=["payfip", "reconcile", "--older-than", "20"]).output  # too recent
    assert count(db, Payment) == 0
    clock.advance(minutes=21)
    result = runner.invoke(args=["payfip", "reconcile", "--older-than", "20"])
    assert result.exit_code == 0 and "1 payé(s)" in result.output
    assert count(db, Payment) == 1
    assert "0 payé(s)" in runner.invoke(args=["payfip", "reconcile"]).output  # paid: not pending any more
    assert count(db, Payment) == 1


def test_reconcile_gives_up_on_attempts_never_paid_after_two_hours(app, beta_payment, clock):
    _, db, id_op = beta_payment
    clock.advance(minutes=30)
    app.test_cli_runner().invoke(args=["payfip", "reconcile"])
    assert attempt_of(db, id_op).state == "created"  # P5: still in progress
    clock.advance(hours=2)
    app.test_cli_runner().invoke(args=["payfip", "reconcile"])
    assert (attempt_of(db, id_op).state, attempt_of(db, id_op).problem) == ("abandoned", "expired")
    assert count(db, Payment) == 0


def test_notifications_are_rate_limited(client_for, beta_payment):
    poster = client_for("famille.beta.test")
    statuses = {poster.post(NOTIFY, data={"idOp": "a" * 32}).status_code for _ in range(125)}
    assert statuses == {404, 429}


def test_concurrent_notifications_record_one_payment(app, beta_payment, standin):
    _, db, id_op = beta_payment
    standin.choose(id_op, "P", notify=False)
    tenancy = app.extensions["tenancy"]
    engine = tenancy.storage.engine_for(tenancy.registry.get("beta").schema)
    commune = payfip_payments.Commune("beta", "021289", "test")
    client = PayfipClient(app.config["SETTINGS"].payfip_ws_url)
    barrier = threading.Barrier(2)
    outcomes = []

    def notify():
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            outcome = payfip_payments.check(session, id_op, commune, client, payfip_payments.dt.datetime.now(
                payfip_payments.dt.UTC))
            session.commit()
            outcomes.append(outcome.status)

    threads = [threading.Thread(target=notify) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["already", "paid"]
    assert count(db, Payment) == 1


def test_return_posted_by_payfip_only_redirects_to_the_page(client_for, beta_payment, standin):
    client, db, id_op = beta_payment
    standin.choose(id_op, "P", notify=False)
    attempt_id = attempt_of(db, id_op).id
    posted = client_for("famille.beta.test").post(f"/paiement-en-ligne/retour/{attempt_id}", data={"idop": id_op})
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(f"/paiement-en-ligne/retour/{attempt_id}")
    assert count(db, Payment) == 0 and attempt_of(db, id_op).state == "created"


def test_an_early_abandonment_that_becomes_a_payment_is_caught_by_reconciliation(app, beta_payment, standin, clock):
    _, db, id_op = beta_payment
    standin.choose(id_op, "A")
    assert attempt_of(db, id_op).state == "abandoned"
    standin.operations[id_op].reported.update(resultrans="P", numauto="123456")  # PayFiP changed its mind
    clock.advance(minutes=25)
    assert "1 payé(s)" in app.test_cli_runner().invoke(args=["payfip", "reconcile"]).output
    assert count(db, Payment) == 1 and attempt_of(db, id_op).numauto == "123456"
    clock.advance(hours=3)
    assert "0 payé(s), 0 refusé(s), 0 abandonné(s)" in app.test_cli_runner().invoke(args=["payfip", "reconcile"]).output


def test_cli_checks_a_communes_client_number(app, standin, alpha_on_payfip):
    runner = app.test_cli_runner()
    assert "021289 : REGIE 021289" in runner.invoke(args=["payfip", "client", "beta"]).output
    standin.clients = {"021289"}
    refused = runner.invoke(args=["payfip", "client", "alpha"])
    assert refused.exit_code != 0 and "021290" in refused.output
