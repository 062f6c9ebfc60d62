"""Every route × every kind of visitor × every kind of host: never a 500, never the wrong door.

Walks app.url_map, so a route added later is covered without touching this file.
"""
import pytest

from tests.factories import make_child, make_family
from tests.helpers import csrf_token, sign_in
from tests.web.test_staff import _pinned_clock, signed_in_agent  # noqa: F401  (autouse: TOTP codes)

PLATFORM_ONLY = ("federation.", "dev_mail.", "federation_mail.")
VALUES = {"child_id": "1", "mail_id": "1", "slug": "alpha", "token": "inconnu", "filename": "theme.css"}
VALUES.update({"invoice_id": "1", "payment_id": "1", "year": "2025", "month": "2025-11", "service_id": "1"})  # billing
VALUES.update({"attempt_id": "1"})  # payfip
VALUES.update({"credit_note_id": "1"})  # billing: the avoir PDFs
VALUES.update({"message_id": "1", "document_id": "1", "object_id": "1", "kind": "doc"})  # messages, documents
VALUES.update({"code": "responsable", "request_id": "1", "family_id": "1"})  # records
VALUES.update({"member_id": "1"})  # « Équipe » (agents, federation admins); "token": invitation links


def concrete_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".logout"):
            continue  # signing out mid-walk would change who the visitor is (logout has its own tests)
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", VALUES[name]).replace(f"<int:{name}>", VALUES[name]) \
                       .replace(f"<path:{name}>", VALUES[name])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def visitor(kind, client_for, tenant_db, host):
    client = client_for(host)
    if kind == "family" and host == "alpha.test":
        make_child(tenant_db("alpha"), make_family(tenant_db("alpha")))
        assert sign_in(client).status_code == 303
    elif kind == "agent" and host == "alpha.test":
        signed_in_agent(client, tenant_db("alpha"))
    return client


@pytest.mark.parametrize("kind", ["anonymous", "family", "agent"])
@pytest.mark.parametrize("host", ["alpha.test", "portail.test", "unknown.test"])
def test_no_route_answers_500_and_doors_stay_shut(app, client_for, tenant_db, kind, host):
    client = visitor(kind, client_for, tenant_db, host)
    for endpoint, method, path in concrete_rules(app):
        data = None
        if method == "POST" and host != "unknown.test":  # a fresh token: an earlier POST may have signed out
            data = {"csrf_token": csrf_token(client.get("/", follow_redirects=True).get_data(as_text=True))}
        answer = client.open(path, method=method, data=data)
        where = f"{kind} {method} {host}{path}"
        assert answer.status_code < 500, where
        if host == "unknown.test":
            assert answer.status_code == 404, where
        elif host == "portail.test" and not endpoint.startswith(PLATFORM_ONLY + ("site.",)):
            assert answer.status_code == 404, where  # commune pages do not exist on the platform
        elif host == "alpha.test" and endpoint.startswith(PLATFORM_ONLY):
            assert answer.status_code == 404, where  # nor platform pages on a commune's host
        agent_page = path.startswith("/agent/") and not endpoint.startswith(("staff.", "mail."))
        if kind != "agent" and agent_page and host == "alpha.test":
            assert answer.status_code in (302, 303, 400, 404), where  # never an agent page to others
        if kind == "agent" and endpoint.startswith("planning.") and method == "GET":
            assert answer.status_code == 404, where  # an agent's session is no family's
