"""The SOAP client against the stand-in on loopback: envelopes, answers, faults, timeouts."""
import socket
import threading
import xml.etree.ElementTree as ET

import pytest

from webapp.payfip.client import (SERVICE_NS, SOAP_ENV, PayfipClient, PayfipFault, PayfipUnavailable, PaymentRequest,
                                  envelope, plain_objet)
from webapp.payfip.standin import SOAP_PATH, PayfipStandin, serve


@pytest.fixture
def service():
    fake = PayfipStandin(clients={"021289"}, notifier=lambda url, body: fake.notified.append((url, body)))
    fake.notified = []
    server, url = serve(fake)
    yield fake, PayfipClient(url + SOAP_PATH, timeout=5)
    server.shutdown()
    server.server_close()


def request(**changes) -> PaymentRequest:
    values = dict(numcli="021289", exer=2025, refdet="2025AL000001ABCD1234", objet="Facture AL 1", montant=4250,
                  mel="famille@example.org", saisie="T", urlnotif="https://famille.beta.test/notif",
                  urlredirect="https://famille.beta.test/retour/1")
    values.update(changes)
    return PaymentRequest(**values)


def test_envelope_escapes_values_and_uses_the_contract_names():
    data = envelope("creerPaiementSecurise", request(mel="a&b<c>@example.org").fields())
    root = ET.fromstring(data)
    arg0 = root.find(f"{{{SOAP_ENV}}}Body/{{{SERVICE_NS}}}creerPaiementSecurise/arg0")
    assert [child.tag for child in arg0] == ["exer", "mel", "montant", "numcli", "objet", "refdet", "saisie",
                                             "urlnotif", "urlredirect"]
    assert arg0.findtext("mel") == "a&b<c>@example.org"
    assert b"a&amp;b&lt;c&gt;" in data


def test_objet_is_folded_to_the_characters_payfip_accepts():
    assert plain_objet("Facture n° AL-36 « été »") == "Facture n AL 36 ete"
    assert len(plain_objet("x" * 300)) == 100


def test_success_gives_an_id_op_then_the_paid_detail(service):
    fake, client = service
    id_op = client.create_payment(request())
    with pytest.raises(PayfipFault) as in_progress:
        client.payment_detail(id_op)
    assert in_progress.value.code == "P5"
    fake.choose(id_op, "P")
    detail = client.payment_detail(id_op)
    assert (detail.id_op, detail.numcli, detail.exer, detail.refdet, detail.amount_cents, detail.resultrans) == \
        (id_op, "021289", "2025", "2025AL000001ABCD1234", 4250, "P")
    assert len(detail.numauto) == 6 and len(detail.dattrans) == 8 and len(detail.heurtrans) == 4
    assert fake.notified == [("https://famille.beta.test/notif", f"idOp={id_op}".encode())]


@pytest.mark.parametrize("choice", ["R", "A"])
def test_refusal_and_abandonment_are_reported(service, choice):
    fake, client = service
    id_op = client.create_payment(request())
    fake.choose(id_op, choice)
    detail = client.payment_detail(id_op)
    assert detail.resultrans == choice and detail.numauto == ""


def test_unknown_id_op_is_fault_p1(service):
    _, client = service
    with pytest.raises(PayfipFault) as fault:
        client.payment_detail("0" * 32)
    assert (fault.value.kind, fault.value.code) == ("FonctionnelleErreur", "P1")


@pytest.mark.parametrize("changes", [{"numcli": "999999"}, {"refdet": "bad-ref"}, {"montant": 50},
                                     {"mel": "pas-une-adresse"}, {"objet": "Facture <b>"}, {"saisie": "Q"},
                                     {"urlnotif": "javascript:alert(1)"}])
def test_invalid_requests_are_refused_with_a_fault(service, changes):
    fake, client = service
    with pytest.raises(PayfipFault):
        client.create_payment(request(**changes))
    assert fake.operations == {}


def test_a_reference_in_progress_cannot_be_used_twice(service):
    _, client = service
    client.create_payment(request())
    with pytest.raises(PayfipFault):
        client.create_payment(request())


def test_client_detail(service):
    _, client = service
    assert client.client_detail("021289")["numcli"] == "021289"
    with pytest.raises(PayfipFault):
        client.client_detail("123456")


def test_a_silent_server_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    client = PayfipClient(f"http://127.0.0.1:{listener.getsockname()[1]}/tpa/services/securite", timeout=0.3)
    try:
        with pytest.raises(PayfipUnavailable):
            client.payment_detail("abc")
    finally:
        for conn, _ in accepted:
            conn.close()
        listener.close()


def test_nothing_listening_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PayfipUnavailable):
        PayfipClient(f"http://127.0.0.1:{port}/tpa/services/securite", timeout=1).payment_detail("abc")


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError):
        PayfipClient("file:///etc/passwd")


def test_production_refuses_a_payfip_url_without_tls(monkeypatch):
    from webapp.settings import Settings

    monkeypatch.setenv("PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATA_KEY", "y" * 32)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("PAYFIP_WS_URL", "http://127.0.0.1:5099/tpa/services/securite")
    with pytest.raises(RuntimeError, match="PAYFIP_WS_URL"):
        Settings.from_env()
    monkeypatch.delenv("PAYFIP_WS_URL")
    assert Settings.from_env().payfip_ws_url == "https://www.payfip.gouv.fr/tpa/services/securite"


def test_a_redirect_is_not_followed():
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response

    redirecting = make_server("127.0.0.1", 0, Response(status=307, headers={"Location": "http://127.0.0.1:9/"}))
    threading.Thread(target=redirecting.serve_forever, daemon=True).start()
    try:
        with pytest.raises(PayfipUnavailable, match="307"):
            PayfipClient(f"http://127.0.0.1:{redirecting.port}/tpa/services/securite", timeout=2).payment_detail("a")
    finally:
        redirecting.shutdown()
        redirecting.server_close()
