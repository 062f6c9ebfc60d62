"""On PostgreSQL every statement of a commune's request names that commune's schema only."""
import re

import pytest

from tests.factories import make_child, make_family
from tests.helpers import recorded_sql
from tests.helpers import sign_in

pytestmark = pytest.mark.postgres


def test_requests_on_alpha_only_name_alpha_schema(client_for, tenant_db):
    make_child(tenant_db("alpha"), make_family(tenant_db("alpha")))
    make_family(tenant_db("beta"))
    client = client_for("alpha.test")
    with recorded_sql() as statements:
        sign_in(client)
        client.get("/accueil")
    data = [s for s in statements if re.search(r"\b(FROM|INTO|UPDATE)\b", s)]
    assert data, "the request ran no query"
    for statement in data:
        schemas = set(re.findall(r"\b(t_[a-z0-9_]+|platform)\.", statement))
        assert schemas == {"t_alpha"}, statement


def test_no_search_path_is_ever_set_by_a_request(client_for, tenant_db):
    make_family(tenant_db("beta"))
    client = client_for("beta.test")
    with recorded_sql() as statements:
        sign_in(client)
        client.get("/accueil")
    assert not [s for s in statements if "search_path" in s.lower()]
