"""The family « Accueil »: greeting and messages, N° famille, children, unpaid invoices, the commune's infos."""
import datetime as dt

from tests.billing.helpers import issued_invoice, make_regie
from tests.factories import make_child, make_family, make_service
from tests.helpers import recorded_sql, sign_in


def _signed_in(client_for, db):
    family = make_family(db)
    client = client_for("alpha.test")
    assert sign_in(client).status_code == 303
    return client, family


def test_home_reads_in_the_seed_order_with_links_to_planning_and_record(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    client, family = _signed_in(client_for, db)
    child = make_child(db, family, first_name="Léna", birth_date=dt.date(2018, 5, 14))
    issued_invoice(db, make_regie(db), family, child, make_service(db), 1206, number="AL-36",
                   period_start=dt.date(2025, 11, 1))
    page = client.get("/accueil").get_data(as_text=True)
    order = ["Bonjour JEANNE DUPONT", "Vous n'avez pas de nouveau message", "N° famille : 100100",
             'id="children-title"', 'id="unpaid-title"', 'id="infos-title"']
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert f'href="/enfants/{child.id}/planning"' in page
    assert f'href="/mes-enfants#child-{child.id}"' in page and "14/05/2018" in page
    assert "AL-36" in page and "12,06" in page
    # The children's table scrolls inside its card instead of widening the page on a phone.
    children = page[page.index('id="children-title"'):page.index('id="unpaid-title"')]
    assert children.index('<div class="table-scroll" role="region" tabindex="0"') < children.index("<table")


def test_home_costs_the_same_queries_for_one_child_or_three(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    client, family = _signed_in(client_for, db)
    make_child(db, family, first_name="Léna")

    def count():
        with recorded_sql() as statements:
            assert client.get("/accueil").status_code == 200
        return len(statements)

    one = count()
    for name in ("Hugo", "Jade"):
        make_child(db, family, first_name=name)
    page = client.get("/accueil").get_data(as_text=True)
    assert all(name in page for name in ("Léna", "Hugo", "Jade"))
    assert count() == one
