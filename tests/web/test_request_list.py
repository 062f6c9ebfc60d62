"""« Liste des demandes »: the family's requests, their state, the decision and its reason."""
import datetime as dt

from tests.factories import make_child, make_family, make_service
from tests.helpers import recorded_sql, sign_in
from webapp.planning.models import DayRequest


def add_request(db, family, child, service, day, kind="reservation", state="accepted", created_at=None, **fields):
    created_at = created_at or dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC)
    request = DayRequest(family_id=family.id, child_id=child.id, service_id=service.id, day=day, kind=kind,
                         state=state, created_at=created_at, decided_at=created_at, comment="", **fields)
    db.add(request)
    db.commit()
    return request


def test_the_family_sees_its_requests_with_decisions_and_reasons(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family, first_name="Léna")
    canteen = make_service(db)
    add_request(db, family, child, canteen, dt.date(2025, 12, 8))
    add_request(db, family, child, canteen, dt.date(2025, 12, 9), kind="absence", state="refused",
                motive="other", reason="Déclarée trop tard")
    client = client_for("alpha.test")
    sign_in(client)
    page = client.get("/demandes").get_data(as_text=True)
    assert "Léna" in page and "RESTAURATION" in page and "lundi 8 décembre" in page
    assert "Refusée" in page and "AUTRES – Déclarée trop tard" in page and "Acceptée" in page


def test_last_month_by_default_and_the_history_on_request(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db)
    child, canteen = make_child(db, family), make_service(db)
    add_request(db, family, child, canteen, dt.date(2025, 10, 6), created_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC))
    client = client_for("alpha.test")
    sign_in(client)
    assert "lundi 6 octobre" not in client.get("/demandes").get_data(as_text=True)
    assert "lundi 6 octobre" in client.get("/demandes?tout=1").get_data(as_text=True)


def test_filters_by_type_and_child(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db)
    first, second = make_child(db, family, first_name="Léna"), make_child(db, family, first_name="Hugo")
    canteen = make_service(db)
    add_request(db, family, first, canteen, dt.date(2025, 12, 8))
    add_request(db, family, second, canteen, dt.date(2025, 12, 9), kind="absence", motive="medical")
    client = client_for("alpha.test")
    sign_in(client)
    absences = client.get("/demandes?type=absence").get_data(as_text=True)
    assert "mardi 9 décembre" in absences and "lundi 8 décembre" not in absences
    lena = client.get(f"/demandes?enfant={first.id}").get_data(as_text=True)
    assert "lundi 8 décembre" in lena and "mardi 9 décembre" not in lena


def test_another_familys_requests_never_show(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    make_family(db)
    theirs = make_family(db, number="200200", last_name="AUTRE")
    canteen = make_service(db)
    add_request(db, theirs, make_child(db, theirs, first_name="Zoé"), canteen, dt.date(2025, 12, 8))
    client = client_for("alpha.test")
    sign_in(client)
    page = client.get("/demandes?tout=1").get_data(as_text=True)
    assert "Zoé" not in page and "Aucune demande" in page


def test_the_list_costs_a_fixed_number_of_queries(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    family = make_family(db)
    canteen = make_service(db)
    for name in ("Léna", "Hugo", "Jade"):
        child = make_child(db, family, first_name=name)
        for day in range(8, 20):
            add_request(db, family, child, canteen, dt.date(2025, 12, day))
    client = client_for("alpha.test")
    sign_in(client)
    with recorded_sql() as statements:
        client.get("/demandes")
    assert len(statements) <= 6
