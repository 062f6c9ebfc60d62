"""A thin client of the PayFiP Régie web service (SOAP 1.1 over HTTPS), standard library only.

Three operations of the DGFiP contract `PaiementSecuriseService`:
`creerPaiementSecurise` (→ idOp), `recupererDetailPaiementSecurise(idOp)` (→ the result)
and `recupererDetailClient(numCli)`. Envelopes are built with ElementTree (every value
escaped), answers are read at most MAX_ANSWER bytes with a timeout. A SOAP fault raises
PayfipFault (its `code`, e.g. P1 « idOp inconnu », P5 « paiement en cours »); a network
problem, a timeout or an unreadable answer raises PayfipUnavailable. No Flask here.
"""
import dataclasses
import re
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = ("http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
              "contrat_paiement_securise/PaiementSecuriseService")
MAX_ANSWER = 1024 * 1024
DEFAULT_TIMEOUT = 15.0

# saisie: T = test (simulated payment), X = activation, W = production (web service).
SAISIE = {"test": "T", "activation": "X", "production": "W"}
PAID = frozenset("PV")  # P paid by card, V paid by direct debit
REFUSED = frozenset("RZ")  # R card refused, Z direct debit refused
ABANDONED = frozenset("A")

REFDET = re.compile(r"[A-Za-z0-9]{6,30}")  # patterns here are used with fullmatch
NUMCLI = re.compile(r"[0-9]{6}")
EXER = re.compile(r"[0-9]{4}")
MEL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")

ET.register_namespace("soapenv", SOAP_ENV)
ET.register_namespace("pai", SERVICE_NS)


class PayfipError(Exception):
    """Anything that kept us from a usable answer of the web service."""


class PayfipUnavailable(PayfipError):
    """Network error, timeout, HTTP error without a SOAP fault, unreadable XML."""


class PayfipFault(PayfipError):
    """A SOAP fault of the service: `kind` (FonctionnelleErreur, TechIndisponibiliteErreur…) and `code`."""

    def __init__(self, kind: str, code: str, label: str = ""):
        super().__init__(f"{kind} {code}: {label}".strip())
        self.kind, self.code, self.label = kind, code, label


@dataclass(frozen=True)
class PaymentRequest:
    """The fields of `creerPaiementSecurise` (montant in cents)."""

    numcli: str
    exer: int
    refdet: str
    objet: str
    montant: int
    mel: str
    saisie: str
    urlnotif: str
    urlredirect: str

    def fields(self) -> dict[str, str]:
        values = {f.name: str(getattr(self, f.name)) for f in dataclasses.fields(self)}
        return dict(sorted(values.items()))  # the contract's order is alphabetical


@dataclass(frozen=True)
class PaymentDetail:
    """The answer of `recupererDetailPaiementSecurise`: what PayFiP says happened."""

    id_op: str
    numcli: str
    exer: str
    refdet: str
    montant: str  # cents, as sent by the service (compared as text and as integer)
    resultrans: str
    dattrans: str = ""  # ddmmyyyy
    heurtrans: str = ""  # hhmm
    numauto: str = ""
    mel: str = ""
    objet: str = ""
    saisie: str = ""

    @property
    def amount_cents(self) -> int | None:
        return int(self.montant) if self.montant.isascii() and self.montant.isdigit() else None


def plain_objet(text: str) -> str:
    """`objet` accepts only [A-Za-z0-9 ] up to 100 characters: accents folded, the rest dropped."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    cleaned = re.sub(r"[^A-Za-z0-9 ]+", " ", ascii_only)
    return " ".join(cleaned.split())[:100]


def valid_mel(mel: str) -> bool:
    return 6 <= len(mel) <= 80 and bool(MEL.fullmatch(mel))


def envelope(operation: str, fields: dict[str, str]) -> bytes:
    """`<soapenv:Envelope>…<pai:operation><arg0><field>value</field>…` with every value escaped."""
    root = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    ET.SubElement(root, f"{{{SOAP_ENV}}}Header")
    body = ET.SubElement(root, f"{{{SOAP_ENV}}}Body")
    arg0 = ET.SubElement(ET.SubElement(body, f"{{{SERVICE_NS}}}{operation}"), "arg0")
    for name, value in fields.items():
        ET.SubElement(arg0, name).text = value
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_answer(data: bytes) -> dict[str, str]:
    """The children of `<return>` as a dict, or PayfipFault / PayfipUnavailable."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise PayfipUnavailable(f"réponse illisible : {exc}") from None
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise PayfipUnavailable("réponse sans corps SOAP")
    answer = body[0]
    if local_name(answer.tag) == "Fault":
        detail = answer.find("detail")
        error = detail[0] if detail is not None and len(detail) else None
        if error is None:
            raise PayfipFault("Fault", "", (answer.findtext("faultstring") or "").strip())
        return _raise_fault(error)
    result = next((child for child in answer if local_name(child.tag) == "return"), None)
    if result is None:
        raise PayfipUnavailable("réponse sans élément return")
    return {local_name(child.tag): (child.text or "").strip() for child in result}


def _raise_fault(error: ET.Element):
    texts = {local_name(child.tag): (child.text or "").strip() for child in error}
    raise PayfipFault(local_name(error.tag), texts.get("code", ""), texts.get("libelle") or texts.get("descriptif", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A SOAP answer never comes from elsewhere: a 3xx is an error, not a new address to trust."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _body_of(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read(MAX_ANSWER)
    except OSError:
        return b""
    finally:
        error.close()


class PayfipClient:
    """One web-service endpoint (`PAYFIP_WS_URL`), with a timeout on every call."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT):
        if urlsplit(url).scheme not in {"https", "http"}:
            raise ValueError("PAYFIP_WS_URL doit être une adresse http(s)")
        self.url = url
        self.timeout = timeout

    def call(self, operation: str, fields: dict[str, str]) -> dict[str, str]:
        request = urllib.request.Request(
            self.url, data=envelope(operation, fields), method="POST",
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                data = answer.read(MAX_ANSWER)
        except urllib.error.HTTPError as exc:  # SOAP 1.1 faults come with HTTP 500; a redirect is not followed
            data = _body_of(exc)
            if not data or exc.code != 500:
                raise PayfipUnavailable(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PayfipUnavailable(f"{type(exc).__name__}: {exc}") from None
        return parse_answer(data)

    def create_payment(self, request: PaymentRequest) -> str:
        """`creerPaiementSecurise`: the idOp of the new operation."""
        id_op = self.call("creerPaiementSecurise", request.fields()).get("idOp", "")
        if not id_op or len(id_op) > 64:
            raise PayfipUnavailable("idOp absent ou invalide")
        return id_op

    def payment_detail(self, id_op: str) -> PaymentDetail:
        """`recupererDetailPaiementSecurise`: fault P5 while the payment is in progress."""
        values = self.call("recupererDetailPaiementSecurise", {"idOp": id_op})
        values["id_op"] = values.pop("idOp", "")
        return PaymentDetail(**{f.name: values.get(f.name, "") for f in dataclasses.fields(PaymentDetail)})

    def client_detail(self, numcli: str) -> dict[str, str]:
        """`recupererDetailClient`: the libellés of a client number (to check a commune's setting)."""
        return self.call("recupererDetailClient", {"numCli": numcli})
