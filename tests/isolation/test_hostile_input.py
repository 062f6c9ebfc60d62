"""Every POST route of a commune, fed hostile values: never a 500, and a refused form changes nothing.

The fields come from the forms the visitor's pages really show (GET every page, read its <form>s);
a route whose form was not found gets a broad list of usual names. Seeded objects (invoice, message,
document, change request…) make the ids of the paths reach the real code, not a 404. The same values
go in query strings, and ids above BIGINT in paths. A few important forms are checked one by one.
"""
import collections
import datetime as dt
import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

import tests.web.test_staff as staff_tests
from tests.billing.helpers import issued_invoice, make_regie, make_tariff
from tests.factories import enrol, make_child, make_family, make_service
from tests.helpers import csrf_token, posted_form, sign_in
from tests.isolation.test_route_matrix import VALUES
from tests.payfip.conftest import alpha_on_payfip, standin  # noqa: F401  (alpha pays online: PayFiP reached)
from webapp.billing.models import CreditNote, Invoice, Payment, Regie, Tariff, TariffBracket
from webapp.documents.models import Document, NewsItem
from webapp.families.models import Family
from webapp.messages.models import Message
from webapp.models import tenant_metadata
from webapp.payfip.models import PaymentAttempt, PaymentAttemptInvoice
from webapp.planning.models import DayRequest
from webapp.records.models import ChangeRequest
from webapp.uploads.models import StoredFile

HOST = "alpha.test"
NOW = dt.datetime(2025, 12, 8, 9, 0, tzinfo=dt.UTC)
HOSTILE = [
    "x" * 10_000,
    "a\x00b\x01\x08\x1b\x7f\r\n\x85c",  # NUL and control characters
    "\u202eevil\u202c 😀👨\u200d👩\u200d👧 e\u0301\u0301\u0301\ufeff",  # RTL override, emoji, combining marks, BOM
    "-1", "1e309", "99999999999999999999", "NaN", "0x10",
    "²", "١٢",  # str.isdigit() says yes to both, int() refuses the first and reads the second as 12
    "2025-02-30", "31/02/2019", "",
]
COMMON_FIELDS = ["id", "ids", "request_id", "child_id", "family_id", "service_id", "invoice_id", "day", "days",
                 "date", "month", "week", "amount", "number", "email", "password", "subject", "body", "title",
                 "reason", "comment", "decision", "action", "next", "code", "state", "locale", "kind", "value",
                 "cases", "demande", "mois", "enfant", "motif", "present", "rubrique", "raison", "famille", "facture"]
# Answers that may write on a refusal by design: a failed sign-in is counted (throttle), a forgotten
# password is answered the same whether the account exists or not.
WRITES_ON_PURPOSE = {"auth.login", "staff.login", "staff.second_factor", "staff.enrol", "auth.forgotten_password",
                     "payfip.notify", "payfip.back_posted"}
NOISY_TABLES = {"auth_session", "login_throttle"}  # touched by any signed-in request, or counted on purpose
LAST = ("supprimer", "ecarter", "retirer", "emettre", "/traite", "restaurer", "bienvenue")  # destructive: at the end


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


class FormReader(HTMLParser):
    """The POST forms of a page: action → {name: (default, kind, options)}."""

    def __init__(self, page_path):
        super().__init__()
        self.page_path, self.forms, self.current, self.select, self.textarea = page_path, {}, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(urljoin(self.page_path, a.get("action") or self.page_path)).path
            self.current = self.forms.setdefault(action, {}) if (a.get("method") or "").lower() == "post" else None
        elif self.current is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and a["name"] in self.current and "checked" not in a:
                return
            self.current[a["name"]] = (a.get("value") or ("on" if kind == "checkbox" else ""), kind, [])
        elif tag == "select":
            self.select = a["name"]
            self.current[a["name"]] = ("", "select", [])
        elif tag == "option" and self.select:
            value, options = a.get("value", ""), self.current[self.select][2]
            options.append(value)
            if len(options) == 1 or "selected" in a:
                self.current[self.select] = (value, "select", options)
        elif tag == "textarea":
            self.textarea = a["name"]
            self.current[a["name"]] = ("", "textarea", [])

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current[self.textarea] = (data, "textarea", [])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def seed(db) -> dict:
    """One of everything a path id can name, in alpha; the family 100100 signs in."""
    family = make_family(db, city="Alpha", postcode="73000", address="1 place de la Mairie")
    child = make_child(db, family)
    service = make_service(db)
    enrol(db, child, service)
    regie = make_regie(db)
    make_tariff(db, service, regie)
    invoice = issued_invoice(db, regie, family, child, service, 4200, number="AL-2025-0001",
                             period_start=dt.date(2025, 11, 1))
    draft = Invoice(regie_id=regie.id, family_id=family.id, status="draft", period_start=dt.date(2025, 12, 1),
                    period_end=dt.date(2025, 12, 31), school_year="2025-2026", total_cents=1000, created_at=NOW)
    stored = StoredFile(kind="document", original_name="reglement.pdf", content_type="application/pdf", size=10,
                        sha256="0" * 64, stored_name="hostile-test-reglement.pdf", created_at=NOW)
    db.add_all([draft, stored])
    db.flush()
    document = Document(title="Règlement", category="reglement", file_id=stored.id, show_from=dt.date(2025, 9, 1),
                        created_at=NOW)
    news = NewsItem(title="Menus", body="Repas de fête.", show_from=dt.date(2025, 9, 1), created_at=NOW)
    message = Message(family_id=family.id, from_family=True, sender_name="DUPONT JEANNE", subject="Question",
                      body="Bonjour", created_at=NOW)
    change = ChangeRequest(family_id=family.id, section="responsable", state="pending", created_at=NOW)
    change.payload = {"new": {"phone": "0600000000"}, "old": {"phone": ""}}
    attempt = PaymentAttempt(family_id=family.id, refdet="HOSTILE0001", exer=2025, objet="Facture", amount_cents=4200,
                             state="created", created_at=NOW,
                             invoices=[PaymentAttemptInvoice(invoice_id=invoice.id, amount_cents=4200)])
    days = [(dt.date(2025, 12, 8), "accepted"), (dt.date(2026, 1, 12), "accepted"), (dt.date(2026, 1, 13), "pending")]
    db.add_all([DayRequest(family_id=family.id, child_id=child.id, service_id=service.id, day=day, kind="reservation",
                           state=state, late=False, created_at=NOW) for day, state in days])
    db.add_all([document, news, message, change, attempt])
    db.commit()
    values = dict(VALUES)
    values.update(child_id=str(child.id), family_id=str(family.id), service_id=str(service.id),
                  invoice_id=str(invoice.id), message_id=str(message.id), request_id=str(change.id),
                  attempt_id=str(attempt.id), document_id=str(document.id), draft_id=str(draft.id),
                  doc_id=str(document.id), news_id=str(news.id), month="2025-12")
    return values


def concrete_paths(app, values):
    """(endpoint, method, path) of every route, with the seeded ids (doc/news and drafts get their own)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".logout"):
            continue  # signing out mid-walk would change who the visitor is
        codes = [None]
        if "code" in rule.arguments and rule.endpoint.startswith("records"):
            codes = ["health", "complementary"] if "child_id" in rule.arguments else ["responsable", "bank"]
        for code in codes:
            path = rule.rule
            for name in rule.arguments:
                value = code if code and name == "code" else values[name]
                if name == "object_id":
                    value = values["news_id"] if "/news/" in rule.rule else values["doc_id"]
                elif name == "invoice_id" and "brouillons" in rule.rule:
                    value = values["draft_id"]
                path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, path


def snapshot(app) -> dict:
    """Every row of alpha (but the tables any request touches), to compare before and after a POST."""
    tenancy = app.extensions["tenancy"]
    engine = tenancy.storage.engine_for(tenancy.registry.get("alpha").schema)
    with engine.connect() as conn:
        return {t.name: sorted(conn.execute(select(t)).all(), key=repr)
                for t in tenant_metadata.sorted_tables if t.name not in NOISY_TABLES}


def stored_controls(snap) -> list:
    """Stored strings holding a control character of the hostile payloads (NUL, escape, backspace…)."""
    return [(table, value[:80]) for table, rows in snap.items() for row in rows for value in row
            if isinstance(value, str) and any(c in value for c in "\x00\x01\x08\x1b\x7f\x85")]


def flashed_categories(client) -> set:
    """The categories of the messages a redirect left for the next page (and forget them)."""
    with client.session_transaction(base_url=f"http://{client.host}") as session:
        return {category for category, _message in session.pop("_flashes", [])}


def changed_tables(before, after):
    return [name for name in before if before[name] != after[name]]


def signed_in(kind, client_for, tenant_db):
    client = client_for(HOST)
    if kind == "family":
        assert sign_in(client).status_code == 303
    else:
        staff_tests.signed_in_agent(client, tenant_db("alpha"), role="admin")
    return client


def discover_forms(client, paths) -> dict:
    """GET every page the visitor may open; the POST forms found, by action path."""
    forms: dict = {}
    for endpoint, method, path in paths:
        if method != "GET":
            continue
        answer = client.get(path)
        if answer.status_code != 200 or "html" not in (answer.content_type or ""):
            continue
        reader = FormReader(path)
        reader.feed(answer.get_data(as_text=True))
        for action, fields in reader.forms.items():
            for name, field in fields.items():
                forms.setdefault(action, {}).setdefault(name, field)
    return forms


def other_side(kind, path, answer) -> bool:
    """A family on an agent page, or an agent on a family page: sent away before any value is read."""
    if path.startswith("/agent/"):
        return kind == "family" and answer.status_code == 302
    return kind == "agent" and answer.status_code == 404


def fresh_token(client) -> str:
    return csrf_token(client.get("/", follow_redirects=True).get_data(as_text=True))


def hostile_file():
    return io.BytesIO(b"\x00\xff\xfe not what it says \x00" * 50), "..\\../\u202egpj.exe\x00.pdf"


def payloads(fields):
    """Each hostile value everywhere, then in one field at a time (the others keep the page's values),
    then every field sent twice."""
    names = [n for n in fields if not n.endswith("csrf_token")]  # a prefixed form's token is kept as given
    defaults = {n: f[0] for n, f in fields.items() if f[1] != "file" and n != "csrf_token"}
    for k, value in enumerate(HOSTILE):
        everywhere = {n: f[0] for n, f in fields.items() if n.endswith("csrf_token")}
        everywhere.update({n: (hostile_file() if fields[n][1] == "file" else value) for n in names})
        yield MultiDict(everywhere)
        if names:
            one = dict(defaults)
            name = names[k % len(names)]
            one[name] = hostile_file() if fields[name][1] == "file" else value
            yield MultiDict(one)
    twice = [(n, f[0]) for n, f in fields.items() if n.endswith("csrf_token")]
    yield MultiDict(twice + [(n, v) for n in names if fields[n][1] != "file" for v in ("1", HOSTILE[3])])


@pytest.mark.parametrize("kind", ["family", "agent"])
def test_hostile_values_on_every_post_route_never_500_and_refusals_change_nothing(
        app, client_for, tenant_db, kind, standin, alpha_on_payfip):
    values = seed(tenant_db("alpha"))
    client = signed_in(kind, client_for, tenant_db)
    paths = list(concrete_paths(app, values))
    forms = discover_forms(client, paths)
    posts = sorted(((e, p) for e, m, p in paths if m == "POST" and not e.startswith(("federation.", "dev_mail."))),
                   key=lambda r: any(word in r[1] for word in LAST))
    assert len(posts) > 50, posts
    found, statuses = 0, collections.Counter()
    for endpoint, path in posts:
        fields = forms.get(path)
        found += fields is not None
        fields = fields or {name: ("", "text", []) for name in COMMON_FIELDS}
        token = fresh_token(client)
        before = snapshot(app)
        for data in payloads(fields):
            data["csrf_token"] = token
            answer = client.post(path, data=data, content_type="multipart/form-data")
            where = f"{kind} POST {path} {dict(data)!r:.300}"
            assert answer.status_code < 500, where
            after = snapshot(app)
            assert not stored_controls(after), (where, stored_controls(after))
            refused = answer.status_code not in (302, 303) or "error" in flashed_categories(client)
            statuses[endpoint, answer.status_code, refused] += 1
            if refused and endpoint not in WRITES_ON_PURPOSE:
                assert not changed_tables(before, after), (where, answer.status_code, changed_tables(before, after))
            before = after
            if other_side(kind, path, answer):
                break  # the door is shut to this visitor whatever the values (the route matrix checks it)
    reached = {endpoint for endpoint, status, _refused in statuses if status not in (302, 404, 405)}
    assert len(reached) >= (25 if kind == "agent" else 15), sorted(reached)  # the real code, not a door
    assert found >= (20 if kind == "agent" else 8), found  # most forms were really read from the pages


# --- the important forms: a refused input writes nothing --------------------------------------------------
def count(db, model):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def assert_refused(answer, where=""):
    """A form shown again with its errors (400, or 200), the message in French next to the field."""
    page = answer.get_data(as_text=True)
    assert answer.status_code in (200, 400), (where, answer.status_code)
    assert "field__error" in page or "alert--error" in page, where


def post(client, page, url, **data):
    """`data` posted as the page's form would be: its CSRF token and, on a money form, its one-time key
    (without it every such post is refused for the key, whatever the hostile value)."""
    form = posted_form(client.get(page).get_data(as_text=True), data)
    return client.post(url, data=MultiDict(form), content_type="multipart/form-data")


@pytest.fixture
def seeded(tenant_db):
    db = tenant_db("alpha")
    return db, seed(db)


@pytest.mark.parametrize("fields", [
    {"subject": "Question\x00", "body": "Bonjour"},
    {"subject": "x" * 10_000, "body": "Bonjour"},
    {"subject": "Question", "body": ""},
])
def test_a_refused_message_writes_nothing(seeded, client_for, tenant_db, fields):
    db, _values = seeded
    client = signed_in("family", client_for, tenant_db)
    answer = post(client, "/messages/nouveau", "/messages/nouveau", **fields)
    assert_refused(answer)
    assert count(db, Message) == 1


@pytest.mark.parametrize("amount", ["NaN", "1e309", "-1", "99999999999999999999", "0x10", ""])
def test_a_refused_payment_or_credit_note_writes_nothing(seeded, client_for, tenant_db, amount):
    db, values = seeded
    client = signed_in("agent", client_for, tenant_db)
    page = "/agent/facturation/reglements/nouveau"
    answer = post(client, page, page, family="100100", amount=amount, method="cheque", received_on="2025-12-01")
    assert_refused(answer)
    answer = post(client, page, page, family="100100", amount="12,50", method="cheque", received_on="2025-02-30")
    assert_refused(answer)
    invoice_page = f"/agent/facturation/factures/{values['invoice_id']}"
    assert_refused(post(client, invoice_page, invoice_page, amount=amount, reason="Erreur\x00"))
    assert_refused(post(client, invoice_page, invoice_page, amount=amount or "1,00", reason="x" * 10_000))
    assert count(db, Payment) == 0 and count(db, CreditNote) == 0
    # The same forms with sound values go through: the refusals above were the values'.
    assert post(client, page, page, family="100100", amount="12,50", method="cheque",
                received_on="2025-12-01").status_code == 302
    assert post(client, invoice_page, invoice_page, amount="1,00", reason="Erreur").status_code in (302, 303)
    assert count(db, Payment) == 1 and count(db, CreditNote) == 1


@pytest.mark.parametrize("brackets", ["² 1,00", "١٢ 1,00", "* NaN", "0x10 2,00", "600 1e309", "* 1,00\n* 2,00",
                                      "\x00", "x" * 10_000])
def test_a_refused_tariff_changes_nothing(seeded, client_for, tenant_db, brackets):
    db, values = seeded
    client = signed_in("agent", client_for, tenant_db)
    page = f"/agent/facturation/tarifs/{values['service_id']}"
    before = snapshot_of(db, Tariff, TariffBracket)
    answer = post(client, page, page, regie="1", nature="childcare", unit_label="journée", brackets=brackets,
                  late_surcharge="-1")
    assert_refused(answer)
    assert snapshot_of(db, Tariff, TariffBracket) == before


def snapshot_of(db, *models):
    db.expire_all()
    return [sorted(repr(tuple(row)) for row in db.execute(select(model.__table__))) for model in models]


@pytest.mark.parametrize("content", [
    b"\x00\x01\x02" * 100,
    "numero;nom\n\u202e1;\x00DUPONT\n".encode(),
    b"\xff\xfe" + "nom;prénom\n".encode("utf-16-le"),
    b"",
])
def test_a_refused_csv_import_creates_no_family(seeded, client_for, tenant_db, content):
    db, _values = seeded
    client = signed_in("agent", client_for, tenant_db)
    page = "/agent/familles/import"
    token = csrf_token(client.get(page).get_data(as_text=True))
    form = discover_forms(client, [("", "GET", page)]).get(page, {})
    file_fields = [n for n, f in form.items() if f[1] == "file"] or ["file"]
    data = {"csrf_token": token, **{n: (io.BytesIO(content), "familles.csv") for n in file_fields}}
    answer = client.post(page, data=data, content_type="multipart/form-data")
    assert answer.status_code < 500
    answer = client.post("/agent/familles/import/confirmer", data={"csrf_token": token})
    assert answer.status_code < 500
    assert count(db, Family) == 1


@pytest.mark.parametrize("section_value", ["x" * 10_000, "\x00", "99999999999999999999", "2025-02-30"])
def test_a_refused_record_change_writes_no_request(seeded, client_for, tenant_db, section_value):
    db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    for page in ("/mon-compte/responsable", f"/mes-enfants/{values['child_id']}/health"):
        form = discover_forms(client, [("", "GET", page)]).get(page)
        if not form:
            continue
        data = {n: (section_value if f[1] in ("text", "email", "tel", "date", "textarea", "number") else f[0])
                for n, f in form.items() if n != "csrf_token"}
        answer = post(client, page, page, **data)
        assert_refused(answer, page)
    assert count(db, ChangeRequest) == 1


@pytest.mark.parametrize("day", ["2025-02-30", "31/02/2019", "", "99999999999999999999", "\x00"])
def test_a_refused_reservation_writes_nothing(seeded, client_for, tenant_db, day):
    db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    before = snapshot_of(db, DayRequest)
    for url in ("/planning/reserver", "/planning/absence", "/planning/retirer"):
        answer = post(client, "/planning", url, day=day, days=day, child_id=values["child_id"],
                      service_id=values["service_id"], motive="medical", motif="medical", mois=day, enfant=day,
                      cases=f"{values['child_id']}:{values['service_id']}:{day}", demande=day)
        assert answer.status_code < 500, url
    assert snapshot_of(db, DayRequest) == before


# --- « ² » passes str.isdigit() but not int(): these answered 500 before ---------------------------------------------
@pytest.mark.parametrize("url", ["/agent/demandes/decision", "/agent/modifications/decision",
                                 "/agent/journee/pointage"])
def test_a_superscript_digit_as_an_id_is_refused_not_500(seeded, client_for, tenant_db, url):
    db, values = seeded
    client = signed_in("agent", client_for, tenant_db)
    before = snapshot_of(db, DayRequest, ChangeRequest)
    answer = post(client, "/agent/", url, demande="²", present="²", service_id="²", decision="accept",
                  rubrique="responsable", date="2025-12-08")
    assert answer.status_code < 500
    assert snapshot_of(db, DayRequest, ChangeRequest) == before


@pytest.mark.parametrize("number", ["²", "١٢"])
def test_a_superscript_digit_in_a_record_number_is_refused(seeded, client_for, tenant_db, number):
    db, _values = seeded
    client = signed_in("family", client_for, tenant_db)
    page = "/mon-compte/caf"
    form = discover_forms(client, [("", "GET", page)])[page]
    data = {n: f[0] for n, f in form.items() if n != "csrf_token"}
    data.update(caf_number=number, caf_quotient=number)
    assert_refused(post(client, page, page, **data), number)
    assert count(db, ChangeRequest) == 1


# --- the same values in query strings and in the ids of the paths ------------------------------------------------
QUERY_NAMES = ["annee", "onglet", "mois", "famille", "facture", "dus", "filtre", "avant", "rubrique", "afficher",
               "enfant", "type", "anomalies", "date", "service", "site", "from", "to", "q", "page", "semaine",
               "familles", "tout", "jour", "statut", "idop", "next", "recherche", "nom", "numero"]
HUGE_ID = "99999999999999999999"  # more than a BIGINT: SQLite's driver refuses it


@pytest.mark.parametrize("kind", ["family", "agent"])
def test_hostile_query_strings_and_huge_ids_never_500(app, client_for, tenant_db, kind):
    values = seed(tenant_db("alpha"))
    client = signed_in(kind, client_for, tenant_db)
    huge = {name: HUGE_ID for name in values}
    huge.update(slug="alpha", token="\u202e" + "x" * 300, filename="../theme.css", code="²", kind="doc",
                year="2025\x00", month=f"{HUGE_ID}-12")
    gets = [(e, p) for e, m, p in concrete_paths(app, values) if m == "GET" and not e.startswith("federation.")]
    with_huge = {p for e, m, p in concrete_paths(app, huge) if m == "GET" and not e.startswith("federation.")}
    for value in ("²", HUGE_ID, "2025-02-30", "a\x00\x1b" + "x" * 5000, "-1", "1e309", f"{HUGE_ID}-12"):
        query = {name: value for name in QUERY_NAMES}
        for _endpoint, path in gets:
            answer = client.get(path, query_string=query)
            assert answer.status_code < 500, (kind, path, value[:20])
    for path in sorted(with_huge):
        answer = client.get(path)
        assert answer.status_code < 500, (kind, path)
    token = fresh_token(client)
    for endpoint, method, path in concrete_paths(app, huge):
        if method == "POST" and HUGE_ID in path and not endpoint.startswith("federation."):
            answer = client.post(path, data={"csrf_token": token, "demande": HUGE_ID, "famille": HUGE_ID})
            assert 300 <= answer.status_code < 500 and answer.status_code != 303, (kind, path, answer.status_code)


def test_paying_online_an_invoice_id_above_bigint_is_refused_not_500(seeded, client_for, tenant_db, standin,
                                                                     alpha_on_payfip):
    db, _values = seeded
    client = signed_in("family", client_for, tenant_db)
    for invoice in (HUGE_ID, "-1", "²", "١٢", "9" * 400):  # « 9 » × 400 overflowed NumberRange (a 500)
        answer = post(client, "/releve-de-compte", "/paiement-en-ligne/payer", facture=invoice)
        assert answer.status_code == 400, invoice
    assert count(db, PaymentAttempt) == 1  # the seeded one only


# --- issue 15, point 8: the inputs that still answered 500, and what was accepted that should not be ------------
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_an_absence_on_a_cell_of_an_unknown_service_is_refused_in_french_not_500(seeded, client_for, tenant_db):
    """POST /planning/absence with a cell of an unknown service raised KeyError in booking.py (deadline first)."""
    db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    before = snapshot_of(db, DayRequest)
    answer = post(client, "/planning", "/planning/absence", motif="medical",
                  cases=f"{values['child_id']}:999999:2026-01-15")
    assert answer.status_code == 200, answer.status_code  # the summary of what was refused
    assert "Le service ne fonctionne pas ce jour-là" in answer.get_data(as_text=True)
    answer = post(client, "/planning", "/planning/absence", motif="medical",
                  cases=f"999999:{values['service_id']}:2026-01-15")
    assert answer.status_code == 404  # not this family's child
    assert snapshot_of(db, DayRequest) == before


@pytest.mark.parametrize("retour", ["/mes-enfants\n", "/mes-enfants\r\nSet-Cookie: x=1", "/\n"])
def test_a_retour_ending_in_a_newline_goes_home_not_500(seeded, client_for, tenant_db, retour):
    """`retour` passed re.match(…$), which accepts a final « \\n », and reached the Location header (ValueError)."""
    _db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    answer = post(client, "/mes-enfants", f"/enfants/{values['child_id']}/photo/supprimer", retour=retour)
    assert answer.status_code == 303
    assert "\n" not in answer.headers["Location"] and urlsplit(answer.headers["Location"]).path == "/accueil"


@pytest.mark.parametrize("fields", [
    {"regie-code": "ecole\n"}, {"regie-invoice_prefix": "EC\n"}, {"regie-credit_prefix": "AVEC\n"},
    {"regie-next_invoice_number": "١٢"}, {"regie-next_invoice_number": "１２"},
    {"regie-next_invoice_number": "9" * 300},  # found by test_hostile_properties: NumberRange overflowed (500)
])
def test_a_regie_code_or_prefix_with_a_final_newline_or_foreign_digits_is_refused(seeded, client_for, tenant_db,
                                                                                   fields):
    """Régie codes and prefixes passed Regexp(^…$) with a final newline and were stored with it; int() read « ١٢ »."""
    db, _values = seeded
    client = signed_in("agent", client_for, tenant_db)
    page = "/agent/facturation/tarifs"
    before = snapshot_of(db, Regie)
    data = {"regie-code": "ecole", "regie-name": "Régie école", "regie-invoice_prefix": "EC",
            "regie-credit_prefix": "AVEC", "regie-next_invoice_number": "1", **fields}
    answer = post(client, page, page, **data)
    assert answer.status_code < 500 and "field__error" in answer.get_data(as_text=True), fields
    assert snapshot_of(db, Regie) == before


@pytest.mark.parametrize("url", [
    "/agent/journee?date=0001-01-01", "/agent/journee?date=9999-12-31", "/agent/journee.csv?date=0001-01-01",
    "/agent/journee.csv?date=9999-12-31", "/agent/demandes?from=0001-01-01&to=9999-12-31",
])
def test_the_agents_day_at_the_ends_of_the_calendar_is_a_clear_400_not_500(seeded, client_for, tenant_db, url):
    """date=0001-01-01 / 9999-12-31 on the agents' day overflowed (the day before, the day after)."""
    client = signed_in("agent", client_for, tenant_db)
    answer = client.get(url)
    assert answer.status_code in (200, 400), (url, answer.status_code)
    assert "date invalide" in answer.get_data(as_text=True).lower(), url


@pytest.mark.parametrize("url", ["/agent/facturation/?mois=9999-12", "/agent/facturation/mois/9999-12",
                                 "/agent/facturation/mois/0001-01", "/agent/facturation/mois/٢٠٢٥-١٢"])
def test_invoicing_a_month_at_the_ends_of_the_calendar_or_in_foreign_digits_is_404_not_500(
        seeded, client_for, tenant_db, url):
    """month=9999-12 on invoicing overflowed the month's end; « ٢٠٢٥-١٢ » was read as 2025-12 by int()."""
    client = signed_in("agent", client_for, tenant_db)
    assert client.get(url).status_code == 404, url


def test_running_month_9999_12_changes_nothing_and_is_not_500(seeded, client_for, tenant_db):
    db, _values = seeded
    client = signed_in("agent", client_for, tenant_db)
    before = snapshot_of(db, Invoice)
    answer = post(client, "/agent/facturation/", "/agent/facturation/calculer", month="9999-12")
    assert 400 <= answer.status_code < 500
    assert snapshot_of(db, Invoice) == before


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH], ids=["arabic-indic", "full-width"])
def test_a_cell_or_id_in_foreign_digits_books_nothing(seeded, client_for, tenant_db, digits):
    """A reservation was created from « ١:١:2027-01-04 »: Unicode \\d and int() read other scripts' digits."""
    db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    child, service = values["child_id"].translate(digits), values["service_id"].translate(digits)
    before = snapshot_of(db, DayRequest)
    for url, fields in (("/planning/reserver", {"cases": f"{child}:{service}:2026-01-15"}),
                        ("/planning/reserver", {"cases": f"{values['child_id']}:{values['service_id']}:2026-01-15",
                                                "enfant": child}),
                        ("/planning/absence", {"cases": f"{child}:{service}:2026-01-12", "motif": "medical"}),
                        ("/planning/retirer", {"demande": "1".translate(digits)})):
        answer = post(client, "/planning", url, **fields)
        assert answer.status_code == 400, (url, fields, answer.status_code)
        assert "Requête invalide" in answer.get_data(as_text=True)
    assert snapshot_of(db, DayRequest) == before


@pytest.mark.parametrize("amount", ["١٢,٥٠", "１２,５０", "12,50\n"])
def test_an_amount_in_foreign_digits_is_refused(seeded, client_for, tenant_db, amount):
    """parse_cents matched Unicode \\d and Decimal() reads « ١٢ » as 12."""
    db, _values = seeded
    client = signed_in("agent", client_for, tenant_db)
    page = "/agent/facturation/reglements/nouveau"
    answer = post(client, page, page, family="100100", amount=amount, method="cheque", received_on="2025-12-01")
    assert_refused(answer)
    assert "Montant invalide" in answer.get_data(as_text=True)
    answer = post(client, page, page, family="100100", amount="12,50", method="cheque", received_on="2025-12-01\n")
    assert_refused(answer)
    assert "Date invalide" in answer.get_data(as_text=True)
    assert count(db, Payment) == 0


@pytest.mark.parametrize("field, value", [("city", "Chambéry\nX"), ("city", "Cham\rbéry"), ("last_name", "DU\tPONT"),
                                          ("address", "1 rue\u2028Neuve"), ("profession", "a\x85b")])
def test_a_single_line_record_field_refuses_cr_lf_and_tab(seeded, client_for, tenant_db, field, value):
    """Single-line record fields accepted CR, LF and TAB (only a textarea may hold line breaks)."""
    db, _values = seeded
    client = signed_in("family", client_for, tenant_db)
    page = "/mon-compte/responsable"
    form = discover_forms(client, [("", "GET", page)])[page]
    data = {n: f[0] for n, f in form.items() if n != "csrf_token"}
    data[field] = value
    answer = post(client, page, page, **data)
    assert_refused(answer, field)
    assert "caractères non autorisés" in answer.get_data(as_text=True)
    assert count(db, ChangeRequest) == 1


def test_a_multi_line_record_field_keeps_its_line_breaks(seeded, client_for, tenant_db):
    db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    page = f"/mes-enfants/{values['child_id']}/complementary"
    form = discover_forms(client, [("", "GET", page)])[page]
    data = {n: f[0] for n, f in form.items() if n != "csrf_token"}
    data["notes"] = "Lunettes\r\nSieste\tl'après-midi"
    assert post(client, page, page, **data).status_code == 303
    assert count(db, ChangeRequest) == 2
    data["notes"] = "Lunettes\x00"
    assert_refused(post(client, page, page, **data))
    assert count(db, ChangeRequest) == 2


def test_an_absence_comment_keeps_its_line_breaks_but_no_other_control_character(seeded, client_for, tenant_db):
    """The absence comment is a textarea: a line break is the family's text, a NUL is not."""
    db, values = seeded
    client = signed_in("family", client_for, tenant_db)
    cell = f"{values['child_id']}:{values['service_id']}:2026-01-12"
    answer = post(client, "/planning", "/planning/absence", motif="medical", cases=cell, commentaire="Fièvre\r\nDocteur")
    assert answer.status_code in (200, 303)
    assert db.scalar(select(func.count()).select_from(DayRequest).where(DayRequest.kind == "absence")) == 1
    answer = post(client, "/planning", "/planning/absence", motif="medical", cases=cell, commentaire="Fièvre\x1b")
    assert answer.status_code == 400
