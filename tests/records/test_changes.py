"""The change-request rules without the web: request, accept, refuse, withdraw, direct edits."""
import datetime as dt

import pytest
from sqlalchemy import Text, select, type_coerce

from tests.factories import enrol, make_child, make_family, make_service
from webapp.audit.models import AuditEvent
from webapp.families.models import Child, ChildHealth
from webapp.planning.models import Enrolment
from webapp.records import changes
from webapp.records import sections as s
from webapp.records.models import ChangeRequest

NOW = dt.datetime(2025, 12, 8, 9, 0, tzinfo=dt.UTC)
IBAN = "FR76 3000 6000 0112 3456 7890 189"


def stored_text(db, *tables) -> str:
    """Every column of these tables as the database holds it (no decryption on the way back)."""
    return " ".join(str(row) for table in tables
                    for row in db.execute(select(*(type_coerce(c, Text) for c in table.columns))).all())


def cleaned(code, raw):
    values, errors = s.clean(s.section(code), raw)
    assert not errors, errors
    return values


def test_request_keeps_only_changed_fields_and_accept_applies_them(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db, city="Alpha", postcode="73000")
    raw = s.as_raw(s.section("responsable"), changes.current_values(db, s.section("responsable"), family, None))
    raw.update(city="Chambéry", phone_mobile="06.12.34.56.78")
    request = changes.request_change(db, family, "responsable", cleaned("responsable", raw), NOW)
    db.commit()
    assert request.new_values == {"city": "Chambéry", "phone_mobile": "06 12 34 56 78"}
    assert request.old_values == {"city": "Alpha", "phone_mobile": ""}
    assert family.city == "Alpha"
    changes.accept(db, request, agent_id=7, now=NOW)
    db.commit()
    db.refresh(family)
    assert (family.city, family.phone_mobile, request.state, request.decided_by) == (
        "Chambéry", "06 12 34 56 78", "accepted", 7)
    event = db.scalar(select(AuditEvent).where(AuditEvent.event == "records.accepted"))
    assert event.identifier == f"family:{family.id} section:responsable" and "Chambéry" not in event.identifier


def test_nothing_changed_records_nothing(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    raw = s.as_raw(s.section("caf"), changes.current_values(db, s.section("caf"), family, None))
    with pytest.raises(changes.NothingChanged):
        changes.request_change(db, family, "caf", cleaned("caf", raw), NOW)
    assert db.scalar(select(ChangeRequest)) is None


def test_second_pending_request_on_a_section_is_refused_then_withdraw(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    first = changes.request_change(db, family, "caf", cleaned("caf", {"caf_quotient": "650"}), NOW)
    with pytest.raises(changes.ChangeRefused):
        changes.request_change(db, family, "caf", cleaned("caf", {"caf_quotient": "700"}), NOW)
    changes.withdraw(db, first, family, NOW)
    assert first.state == "withdrawn"
    with pytest.raises(changes.ChangeRefused):
        changes.accept(db, first, agent_id=1, now=NOW)
    changes.request_change(db, family, "caf", cleaned("caf", {"caf_quotient": "700"}), NOW)


def test_refuse_changes_nothing_and_keeps_the_reason(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    request = changes.request_change(db, family, "bank", cleaned("bank", {"iban": IBAN, "bic": "BNPAFRPP"}), NOW)
    changes.refuse(db, request, agent_id=3, reason="RIB illisible", now=NOW)
    db.commit()
    db.refresh(family)
    assert family.iban is None and request.state == "refused" and request.reason == "RIB illisible"


def test_payload_and_health_are_encrypted_at_rest(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family)
    request = changes.request_change(db, family, "health", cleaned("health", {
        "allergies": "Arachides sévère", "diets": ["no_peanut"], "pai": "1"}), NOW, child=child)
    changes.request_change(db, family, "bank", cleaned("bank", {"iban": IBAN}), NOW)
    changes.accept(db, request, agent_id=1, now=NOW)
    db.commit()
    raw = stored_text(db, ChangeRequest.__table__, ChildHealth.__table__)
    assert "Arachides" not in raw and "3000600001" not in raw and "no_peanut" not in raw
    health = db.scalar(select(ChildHealth))
    assert health.allergies == "Arachides sévère" and health.diet_codes == ["no_peanut"] and health.has_pai


def test_add_child_is_created_on_accept(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    request = changes.request_change(db, family, "add_child", cleaned("add_child", {
        "last_name": "DUPONT", "first_name": "Zoé", "birth_date": "2020-02-29", "sex": "F"}), NOW)
    assert db.scalar(select(Child)) is None
    changes.accept(db, request, agent_id=1, now=NOW)
    db.commit()
    child = db.scalar(select(Child))
    assert (child.first_name, child.birth_date, child.sex, child.family_id) == (
        "Zoé", dt.date(2020, 2, 29), "F", family.id)


def test_enrolment_for_the_school_year_and_refused_when_already_enrolled(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family)
    canteen, morning = make_service(db), make_service(db, code="garderie", name="GARDERIE MATIN")
    enrol(db, child, canteen)
    with pytest.raises(changes.ChangeRefused):
        changes.request_change(db, family, "enrolment", {"service_id": canteen.id}, NOW, child=child)
    request = changes.request_change(db, family, "enrolment", {"service_id": morning.id}, NOW, child=child)
    with pytest.raises(changes.ChangeRefused):  # the same service twice while pending
        changes.request_change(db, family, "enrolment", {"service_id": morning.id}, NOW, child=child)
    changes.accept(db, request, agent_id=1, now=NOW)
    db.commit()
    made = db.scalar(select(Enrolment).where(Enrolment.service_id == morning.id))
    assert (made.child_id, made.starts_on, made.ends_on) == (child.id, dt.date(2025, 9, 1), dt.date(2026, 7, 4))


def test_authorised_persons_replaced_on_accept(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family)
    values = cleaned("authorisations", {"0-name": "Mamie Jo", "0-relationship": "grand-mère", "0-phone": "0102030405",
                                        "0-may_pick_up": "1", "1-name": "Voisin", "1-emergency_contact": "1"})
    request = changes.request_change(db, family, "authorisations", values, NOW, child=child)
    changes.accept(db, request, agent_id=1, now=NOW)
    db.commit()
    db.refresh(child)
    assert [(p.name, p.relationship_label, p.may_pick_up, p.emergency_contact) for p in child.authorised_persons] == [
        ("Mamie Jo", "grand-mère", True, False), ("Voisin", "", False, True)]


def test_child_of_another_family_is_refused(tenant_db):
    db = tenant_db("alpha")
    family, other = make_family(db), make_family(db, number="200200")
    child = make_child(db, other)
    with pytest.raises(changes.ChangeRefused):
        changes.request_change(db, family, "complementary", cleaned("complementary", {"image_rights": "1"}), NOW,
                               child=child)


def test_apply_directly_is_journaled_without_values(tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    assert changes.apply_directly(db, family, "caf", cleaned("caf", {"caf_number": "1234567", "caf_quotient": "820"}),
                                  agent_id=5, now=NOW)
    assert not changes.apply_directly(db, family, "caf", cleaned("caf", {"caf_number": "1234567",
                                                                        "caf_quotient": "820"}), agent_id=5, now=NOW)
    db.commit()
    assert family.caf_quotient == 820
    events = db.scalars(select(AuditEvent).where(AuditEvent.event == "records.edited")).all()
    assert len(events) == 1 and "820" not in events[0].identifier and events[0].account_id == 5


@pytest.mark.parametrize("code, raw, bad", [
    ("bank", {"iban": "FR76 3000 6000 0112 3456 7890 188"}, "iban"),
    ("bank", {"bic": "12345"}, "bic"),
    ("responsable", {"last_name": "A", "first_name": "B", "postcode": "7300"}, "postcode"),
    ("responsable", {"last_name": "A", "first_name": "B", "phone_home": "abc"}, "phone_home"),
    ("responsable", {"last_name": "A", "first_name": "B", "quality": "pope"}, "quality"),
    ("fiscal", {"tax_shares": "deux"}, "tax_shares"),
    ("caf", {"caf_quotient": "-3"}, "caf_quotient"),
    ("health", {"diets": ["halal"]}, "diets"),
    ("add_child", {"last_name": "A", "first_name": "B", "birth_date": "2020-13-01"}, "birth_date"),
])
def test_bad_values_are_refused(code, raw, bad):
    _values, errors = s.clean(s.section(code), raw)
    assert bad in errors


def test_masked_iban():
    assert s.mask_iban("FR7630006000011234567890189").startswith("FR76 ••••")
    assert s.mask_iban("FR7630006000011234567890189").endswith(" 189")
    assert "3000" not in s.mask_iban("FR7630006000011234567890189")


def test_no_religious_diet_label():
    labels = " ".join(label.lower() for _code, label in s.section("health").field("diets").choices)
    assert not any(word in labels for word in ("halal", "casher", "kasher", "sans porc"))


def test_day_lists_flag_health_in_one_query(tenant_db):
    from tests.helpers import recorded_sql
    from webapp.planning import daily
    from webapp.planning.models import DayRequest

    db = tenant_db("alpha")
    family = make_family(db)
    canteen = make_service(db)
    day = dt.date(2025, 12, 8)
    kids = [make_child(db, family, first_name=name) for name in ("Ana", "Ben", "Cid")]
    db.add(ChildHealth(child_id=kids[0].id, allergies="Kiwi", diets="gluten_free", pai="1"))
    db.add(ChildHealth(child_id=kids[1].id, allergies="", diets=""))
    for kid in kids:
        db.add(DayRequest(family_id=family.id, child_id=kid.id, service_id=canteen.id, day=day, kind="reservation",
                          state="accepted", created_at=NOW, comment="", reason=""))
    db.commit()
    with recorded_sql() as statements:
        rows = daily.daily_counts(db, day)
    flags = {e.first_name: e.health_flags for e in rows[0].booked}
    assert flags == {"Ana": ("PAI", "Allergie", "Sans gluten"), "Ben": (), "Cid": ()}
    assert sum("child_health" in sql for sql in statements) == 1


def test_demo_records_are_plausible_and_loaded_once(tenant_db):
    from types import SimpleNamespace

    from webapp.records.demo import load_records

    db = tenant_db("alpha")
    for n in range(6):
        family = make_family(db, number=f"10010{n}", village="Alpha")
        make_child(db, family)
    tenant = SimpleNamespace(slug="alpha", villages=[SimpleNamespace(name="Alpha", postcode="73000")])
    assert load_records(db, tenant, NOW) and not load_records(db, tenant, NOW)
    families = db.scalars(select(s_family())).all()
    assert all(f.postcode == "73000" and f.address for f in families)
    assert all(s.clean_field(s.section("bank").field("iban"), f.iban)[1] is None for f in families if f.iban)
    assert db.scalar(select(ChangeRequest).where(ChangeRequest.state == "pending")) is not None


def s_family():
    from webapp.families.models import Family
    return Family


def test_two_agents_deciding_the_same_request_make_one_decision(tenant_db):
    first_db, second_db = tenant_db("alpha"), tenant_db("alpha")
    family = make_family(first_db)
    request = changes.request_change(first_db, family, "caf", cleaned("caf", {"caf_quotient": "650"}), NOW)
    first_db.commit()
    seen_by_second = second_db.get(ChangeRequest, request.id)
    assert seen_by_second.state == "pending"
    changes.accept(first_db, request, agent_id=1, now=NOW)
    first_db.commit()
    with pytest.raises(changes.ChangeRefused):
        changes.refuse(second_db, seen_by_second, agent_id=2, reason="doublon", now=NOW)
    second_db.rollback()
    first_db.expire_all()
    assert (first_db.get(ChangeRequest, request.id).state, first_db.get(ChangeRequest, request.id).decided_by) == (
        "accepted", 1)
