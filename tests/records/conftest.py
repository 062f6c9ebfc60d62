"""Fixtures of the record tests: a family with a child in alpha, signed-in clients."""
import pytest

import tests.web.test_staff as staff_tests
from tests.factories import make_child, make_family, make_service
from tests.helpers import sign_in


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


@pytest.fixture
def alpha(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db, city="Alpha", postcode="73000", address="1 place de la Mairie")
    child = make_child(db, family, first_name="Léna")
    service = make_service(db)
    return db, family, child, service


@pytest.fixture
def family_client(client_for, alpha):
    client = client_for("alpha.test")
    assert sign_in(client).status_code in (302, 303)
    return client


@pytest.fixture
def agent_client(client_for, alpha):
    client = client_for("alpha.test")
    staff_tests.signed_in_agent(client, alpha[0])
    return client
