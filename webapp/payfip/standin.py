"""A local stand-in of the PayFiP Régie web service, for the tests and the demo (never production).

It speaks the same protocol as the DGFiP service (per the notes in payments-security.md):
SOAP 1.1 `creerPaiementSecurise`, `recupererDetailPaiementSecurise`, `recupererDetailClient`
on `/tpa/services/securite`, and the payment page `/tpa/paiementws.web?idop=…`, where three
buttons stand for the card form: paid (P), refused (R), abandoned (A). On a choice it
POSTs `idOp=<id>` to `urlnotif` (server to server) and sends the browser to `urlredirect`.
Fault codes P1 (unknown idOp) and P5 (payment in progress) are the real service's; the
codes of validation faults (Sxx) are the stand-in's own. Operations live in memory.
"""
import datetime as dt
import html
import logging
import re
import secrets
import threading
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from webapp import clock
from webapp.clock import PARIS
from webapp.payfip.client import EXER, NUMCLI, SERVICE_NS, SOAP_ENV, local_name, valid_mel

log = logging.getLogger(__name__)

SOAP_PATH = "/tpa/services/securite"
PAGE_PATH = "/tpa/paiementws.web"
REFDET_WS = re.compile(r"[A-Za-z0-9]{1,30}")
OBJET = re.compile(r"[A-Za-z0-9 ]{0,100}")
MONTANT = re.compile(r"[0-9]{1,9}")  # « ² » is a digit for isdigit(), not for int()
RESULTS = {"P": "Paiement accepté", "R": "Paiement refusé", "A": "Paiement abandonné"}


@dataclass
class Operation:
    id_op: str
    fields: dict[str, str]
    created_at: dt.datetime
    resultrans: str = ""  # empty while the payer has not chosen
    dattrans: str = ""
    heurtrans: str = ""
    numauto: str = ""
    reported: dict[str, str] = field(default_factory=dict)  # tests: what the service lies about


def post_notification(url: str, body: bytes) -> None:
    """Deliver the notification like PayFiP: a form POST; *.localhost goes to this machine."""
    parts = urlsplit(url)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    target = url
    if parts.hostname and parts.hostname.endswith(".localhost"):
        headers["Host"] = parts.netloc
        target = urlunsplit((parts.scheme, f"127.0.0.1:{parts.port or 80}", parts.path, parts.query, ""))
    request = urllib.request.Request(target, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (urls checked at creation)
        answer.read(1024)


class PayfipStandin:
    """The WSGI app. `clients`: accepted numcli (None: any 6 digits). `notifier(url, body)` delivers."""

    def __init__(self, clients: set[str] | None = None,
                 notifier: Callable[[str, bytes], None] = post_notification,
                 now: Callable[[], dt.datetime] = clock.utcnow):
        self.clients = clients
        self.notifier = notifier
        self.now = now
        self.operations: dict[str, Operation] = {}
        self.lock = threading.Lock()
        self.requests: list[str] = []  # operations called, in order (tests read it)

    # -- what the buttons (and the tests) do -----------------------------------------------
    def choose(self, id_op: str, result: str, notify: bool = True) -> Operation:
        """The payer's choice: P, R or A; then the notification (unless `notify` is False: a lost one)."""
        with self.lock:
            operation = self.operations[id_op]
            if not operation.resultrans:
                moment = self.now().astimezone(PARIS)
                operation.resultrans = result
                operation.dattrans, operation.heurtrans = moment.strftime("%d%m%Y"), moment.strftime("%H%M")
                operation.numauto = f"{secrets.randbelow(10**6):06d}" if result == "P" else ""
        if notify:
            try:
                self.notifier(operation.fields["urlnotif"], f"idOp={id_op}".encode())
            except Exception:  # PayFiP does not care whether the merchant answered
                log.exception("notification PayFiP non délivrée")
        return operation

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == SOAP_PATH and request.method == "POST":
            response = self.soap(request.get_data(cache=False)[:1024 * 1024])
        elif request.path == PAGE_PATH and request.method == "GET":
            response = self.page(request.args.get("idop", ""))
        elif request.path == PAGE_PATH and request.method == "POST":
            response = self.submit(request.form.get("idop", ""), request.form.get("resultat", ""))
        else:
            response = Response("Not Found", 404)
        return response(environ, start_response)

    def soap(self, data: bytes) -> Response:
        try:
            body = ET.fromstring(data).find(f"{{{SOAP_ENV}}}Body")
            call = body[0]
            arg0 = call.find("arg0")
            values = {local_name(c.tag): (c.text or "").strip() for c in (arg0 if arg0 is not None else [])}
        except (ET.ParseError, TypeError, IndexError, AttributeError):
            return fault("TechProtocolaireErreur", "S00", "Requête SOAP illisible")
        operation = local_name(call.tag)
        self.requests.append(operation)
        if operation == "creerPaiementSecurise":
            return self.create(values)
        if operation == "recupererDetailPaiementSecurise":
            return self.detail(values.get("idOp", ""))
        if operation == "recupererDetailClient":
            numcli = values.get("numCli", "")
            if not self._known(numcli):
                return fault("FonctionnelleErreur", "S01", "Client inconnu")
            return answer("recupererDetailClientResponse",
                          {"libelleN1": f"REGIE {numcli}", "libelleN2": "", "libelleN3": "", "numcli": numcli})
        return fault("TechProtocolaireErreur", "S00", "Opération inconnue")

    def _known(self, numcli: str) -> bool:
        return bool(NUMCLI.fullmatch(numcli)) and (self.clients is None or numcli in self.clients)

    def create(self, values: dict[str, str]) -> Response:
        problem = self._invalid(values)
        if problem:
            return fault("FonctionnelleErreur", *problem)
        with self.lock:
            busy = any(op.fields["numcli"] == values["numcli"] and op.fields["refdet"] == values["refdet"]
                       and op.resultrans in ("", "P") for op in self.operations.values())
            if busy:  # PayFiP refuses a second operation on a reference in progress or paid
                return fault("FonctionnelleErreur", "S09", "Paiement déjà en cours ou effectué pour cette référence")
            id_op = secrets.token_hex(16)
            self.operations[id_op] = Operation(id_op, dict(values), self.now())
        return answer("creerPaiementSecuriseResponse", {"idOp": id_op})

    def _invalid(self, v: dict[str, str]) -> tuple[str, str] | None:
        wanted = ("exer", "mel", "montant", "numcli", "objet", "refdet", "saisie", "urlnotif", "urlredirect")
        checks = [
            (all(k in v for k in wanted), "S02", "Champ manquant"),
            (self._known(v.get("numcli", "")), "S01", "Client inconnu"),
            (bool(EXER.fullmatch(v.get("exer", ""))), "S03", "Exercice invalide"),
            (bool(REFDET_WS.fullmatch(v.get("refdet", ""))), "S04", "Référence invalide"),
            (bool(MONTANT.fullmatch(v.get("montant", ""))) and 100 <= int(v["montant"]) <= 10**8, "S05",
             "Montant invalide"),
            (valid_mel(v.get("mel", "")), "S06", "Adresse électronique invalide"),
            (bool(OBJET.fullmatch(v.get("objet", ""))), "S07", "Objet invalide"),
            (v.get("saisie") in ("T", "X", "W"), "S08", "Mode de saisie invalide"),
            (all(urlsplit(v.get(k, "")).scheme in ("http", "https") and len(v.get(k, "")) <= 250
                 for k in ("urlnotif", "urlredirect")), "S10", "Adresse de retour invalide"),
        ]
        return next(((code, label) for ok, code, label in checks if not ok), None)

    def detail(self, id_op: str) -> Response:
        with self.lock:
            operation = self.operations.get(id_op)
            if operation is None:
                return fault("FonctionnelleErreur", "P1", "IdOp incorrect")
            if not operation.resultrans:
                return fault("FonctionnelleErreur", "P5", "Résultat de la transaction non connu")
            values = {"dattrans": operation.dattrans, "exer": operation.fields["exer"],
                      "heurtrans": operation.heurtrans, "idOp": id_op, "mel": operation.fields["mel"],
                      "montant": operation.fields["montant"], "numauto": operation.numauto,
                      "numcli": operation.fields["numcli"], "objet": operation.fields["objet"],
                      "refdet": operation.fields["refdet"], "resultrans": operation.resultrans,
                      "saisie": operation.fields["saisie"]}
            values.update(operation.reported)
        return answer("recupererDetailPaiementSecuriseResponse", values)

    def page(self, id_op: str) -> Response:
        operation = self.operations.get(id_op)
        if operation is None or operation.resultrans:
            return Response(_html("Opération inconnue ou terminée", "<p>Cette opération n'existe pas ou est "
                                  "déjà terminée.</p>"), 404, content_type="text/html; charset=utf-8")
        amount = int(operation.fields["montant"])
        buttons = "".join(
            f'<button type="submit" name="resultat" value="{code}">{label}</button> '
            for code, label in (("P", "Payer (paiement accepté)"), ("R", "Carte refusée"), ("A", "Abandonner"))
        )
        body = (f"<p>Simulateur local de PayFiP — aucun paiement réel.</p>"
                f"<p>Objet : {html.escape(operation.fields['objet'])}<br>"
                f"Référence : {html.escape(operation.fields['refdet'])}<br>"
                f"Montant : {amount // 100},{amount % 100:02d} €</p>"
                f'<form method="post" action="{PAGE_PATH}"><input type="hidden" name="idop" '
                f'value="{html.escape(id_op)}">{buttons}</form>')
        return Response(_html("Paiement de vos factures", body), content_type="text/html; charset=utf-8")

    def submit(self, id_op: str, result: str) -> Response:
        operation = self.operations.get(id_op)
        if operation is None or operation.resultrans or result not in RESULTS:
            return Response(_html("Opération inconnue ou terminée", "<p>Rien n'a été fait.</p>"), 404,
                            content_type="text/html; charset=utf-8")
        self.choose(id_op, result)
        return Response(status=303, headers={"Location": operation.fields["urlredirect"]})


def answer(name: str, values: dict[str, str]) -> Response:
    root = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    body = ET.SubElement(root, f"{{{SOAP_ENV}}}Body")
    result = ET.SubElement(ET.SubElement(body, f"{{{SERVICE_NS}}}{name}"), "return")
    for key, value in values.items():
        ET.SubElement(result, key).text = value
    return Response(ET.tostring(root, encoding="utf-8", xml_declaration=True), content_type="text/xml; charset=utf-8")


def fault(kind: str, code: str, label: str) -> Response:
    root = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    body = ET.SubElement(root, f"{{{SOAP_ENV}}}Body")
    soap_fault = ET.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    ET.SubElement(soap_fault, "faultcode").text = "soapenv:Server"
    ET.SubElement(soap_fault, "faultstring").text = label
    error = ET.SubElement(ET.SubElement(soap_fault, "detail"), f"{{{SERVICE_NS}}}{kind}")
    for key, value in (("code", code), ("descriptif", label), ("libelle", label), ("message", label),
                       ("severite", "2")):
        ET.SubElement(error, key).text = value
    return Response(ET.tostring(root, encoding="utf-8", xml_declaration=True), 500,
                    content_type="text/xml; charset=utf-8")


def _html(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} – PayFiP '
            f'(simulateur)</title></head><body><main><h1>{title}</h1>{body}</main></body></html>')


def serve(standin: PayfipStandin, port: int = 0, host: str = "127.0.0.1"):
    """Start the stand-in on loopback in a thread; returns (server, base URL). `server.shutdown()` stops it."""
    server = make_server(host, port, standin, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.port}"
