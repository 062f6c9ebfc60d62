"""The agents' planning: the queue of requests, decisions, the day's lists and CSV, closures, local days."""
import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import tests.web.test_staff as staff_tests
from tests.factories import enrol, make_child, make_family, make_service
from tests.helpers import csrf_token, recorded_sql
from tests.helpers import sign_in as family_sign_in
from tests.planning.grid_cells import cell
from webapp.auth.models import Agent
from webapp.families.models import ChildHealth
from webapp.mail.models import OutboxMail
from webapp.planning import booking, daily
from webapp.planning.models import Attendance, Closure, DayRequest, LocalDay
from webapp.planning.rules import Cell

THURSDAY = dt.date(2025, 12, 11)  # the clock fixture says Monday 8 December 2025, 10:00 in Paris
FRIDAY = dt.date(2025, 12, 12)
MONDAY = dt.date(2025, 12, 8)  # today
AGENT_PAGES = ("/agent/demandes", "/agent/journee", "/agent/journee.csv", "/agent/fermetures", "/agent/jours-locaux")


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    """signed_in_agent (tests/web/test_staff.py) computes TOTP codes at the pinned time."""
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


def agent(client_for, db, host="alpha.test", **fields):
    client = client_for(host)
    staff_tests.signed_in_agent(client, db, **fields)
    return client


def ask(db, child, service, day, kind="reservation", state="pending", **fields):
    """A request row as the family side leaves it (no deadline logic here)."""
    values = dict(family_id=child.family_id, child_id=child.id, service_id=service.id, day=day, kind=kind,
                  state=state, regular=False, comment="", late=False,
                  created_at=dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC), reason="")
    if kind == "absence":
        values.update(motive="medical", billed=False)
    values.update(fields)
    request = DayRequest(**values)
    db.add(request)
    db.commit()
    return request


def decide(client, ids, decision="accepter", reason="", **extra):
    token = csrf_token(client.get("/agent/demandes").get_data(as_text=True))
    data = {"csrf_token": token, "demande": [str(i) for i in ids], "decision": decision, "reason": reason}
    data.update(extra)
    return client.post("/agent/demandes/decision", data=data)


def outbox(db) -> list[OutboxMail]:
    db.expire_all()
    return list(db.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def states(db) -> dict[int, str]:
    db.expire_all()
    return dict(db.execute(select(DayRequest.id, DayRequest.state)).all())


@pytest.fixture
def alpha(tenant_db):
    """Alpha with two families (the second refuses e-mails), three children, two services."""
    db = tenant_db("alpha")
    dupont = make_family(db, number="100100", last_name="DUPONT", first_name="JEANNE")
    martin = make_family(db, number="200200", last_name="MARTIN", first_name="PAUL", email_allowed=False)
    leo = make_child(db, dupont, first_name="Léo", school_class="CP")
    lina = make_child(db, dupont, first_name="Lina", school_class="CE2")
    zoe = make_child(db, martin, first_name="Zoé", school_class="CM1")
    canteen = make_service(db)
    morning = make_service(db, code="garderie_matin", name="GARDERIE MATIN")
    for child in (leo, lina, zoe):
        enrol(db, child, canteen, morning)
    return dict(db=db, dupont=dupont, martin=martin, leo=leo, lina=lina, zoe=zoe, canteen=canteen, morning=morning)


# --- the queue ---------------------------------------------------------------------------------


def test_queue_lists_only_the_pending_requests_of_this_commune(client_for, tenant_db, alpha):
    db = alpha["db"]
    pending = ask(db, alpha["leo"], alpha["canteen"], THURSDAY)
    ask(db, alpha["lina"], alpha["canteen"], THURSDAY, state="accepted")
    ask(db, alpha["zoe"], alpha["canteen"], THURSDAY, state="refused", reason="complet")
    late = ask(db, alpha["zoe"], alpha["morning"], FRIDAY, kind="absence", late=True, motive="medical",
               created_at=dt.datetime(2025, 11, 30, 9, tzinfo=dt.UTC))
    beta = tenant_db("beta")
    stranger = make_child(beta, make_family(beta, number="900900", last_name="AILLEURS"), first_name="Bertrand")
    ask(beta, stranger, make_service(beta), THURSDAY)

    client = agent(client_for, db)
    page = client.get("/agent/demandes")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'value="{pending.id}"' in text and f'value="{late.id}"' in text
    assert text.count('name="demande"') == 2
    assert "Bertrand" not in text and "AILLEURS" not in text and "Lina" not in text
    assert text.index(f'id="demande-{late.id}"') < text.index(f'id="demande-{pending.id}"')  # oldest first
    assert "RAISON MEDICALE" in text and "Hors délai" in text and "N° 200200" in text
    assert "Accepter" in text and "Refuser" in text and "selon le motif" in text

    by_family = client.get("/agent/demandes?famille=mart").get_data(as_text=True)
    assert text.count('name="demande"') == 2 and by_family.count('name="demande"') == 1 and "Zoé" in by_family
    by_number = client.get("/agent/demandes?famille=100100").get_data(as_text=True)
    assert by_number.count('name="demande"') == 1 and "Léo" in by_number
    by_service = client.get(f"/agent/demandes?service={alpha['morning'].id}").get_data(as_text=True)
    assert by_service.count('name="demande"') == 1 and f'value="{late.id}"' in by_service
    by_day = client.get("/agent/demandes?from=2025-12-12&to=2025-12-12").get_data(as_text=True)
    assert by_day.count('name="demande"') == 1 and f'value="{late.id}"' in by_day
    by_site = client.get("/agent/demandes?site=Ailleurs").get_data(as_text=True)
    assert 'name="demande"' not in by_site and "Aucune demande en attente" in by_site
    odd = client.get("/agent/demandes?from=31/12/2025&service=abc&famille=%25")
    assert odd.status_code == 200 and "date invalide, filtre ignoré" in odd.get_data(as_text=True)


def test_accepting_many_emails_the_families_that_allow_it(client_for, alpha):
    db = alpha["db"]
    ids = [ask(db, alpha["leo"], alpha["canteen"], THURSDAY).id, ask(db, alpha["lina"], alpha["canteen"], THURSDAY).id,
           ask(db, alpha["zoe"], alpha["canteen"], THURSDAY).id]
    client = agent(client_for, db)
    answer = decide(client, ids, famille="", service=str(alpha["canteen"].id))
    assert answer.status_code == 303 and f"service={alpha['canteen'].id}" in answer.headers["Location"]
    assert set(states(db).values()) == {"accepted"}
    decided = db.scalars(select(DayRequest)).all()
    assert {r.decided_by for r in decided} == {db.scalar(select(Agent.id))}
    mails = outbox(db)
    assert [m.recipient for m in mails] == ["f100100@example.org"]  # MARTIN refuses e-mails
    body = mails[0].body
    assert mails[0].subject == "RPI Alpha – Réponse à vos demandes"
    assert "Léo, RESTAURATION, le jeudi 11 décembre : acceptée" in body and "Lina" in body and "Zoé" not in body
    assert "https://famille.alpha.test/demandes" in body
    followed = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "3 demandes acceptées." in followed and "1 famille prévenue par courriel." in followed


def test_refusing_needs_a_reason_and_changes_nothing_without_one(client_for, alpha):
    db = alpha["db"]
    request_id = ask(db, alpha["leo"], alpha["canteen"], THURSDAY).id
    client = agent(client_for, db)
    answer = decide(client, [request_id], decision="refuser", reason="   ")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Pour refuser, indiquez la raison" in text
    assert 'checked' in text  # the selection is kept
    assert states(db) == {request_id: "pending"} and outbox(db) == []

    answer = decide(client, [request_id], decision="refuser", reason="Plus de place ce jour-là")
    assert answer.status_code == 303
    db.expire_all()
    refused = db.get(DayRequest, request_id)
    assert refused.state == "refused" and refused.reason == "Plus de place ce jour-là"
    [mail] = outbox(db)
    assert "refusée. Raison : Plus de place ce jour-là" in mail.body


def test_invalid_decisions_are_refused_in_french(client_for, alpha):
    db = alpha["db"]
    request_id = ask(db, alpha["leo"], alpha["canteen"], THURSDAY).id
    client = agent(client_for, db)
    nothing = decide(client, [])
    assert nothing.status_code == 400 and "Cochez au moins une demande." in nothing.get_data(as_text=True)
    odd = decide(client, [request_id], decision="supprimer")
    assert odd.status_code == 400 and "Choisissez « Accepter » ou « Refuser »." in odd.get_data(as_text=True)
    forged = decide(client, ["1 OR 1=1"])
    assert forged.status_code == 400 and "Sélection invalide" in forged.get_data(as_text=True)
    no_token = client.post("/agent/demandes/decision", data={"demande": str(request_id), "decision": "accepter"})
    assert no_token.status_code == 400
    assert states(db) == {request_id: "pending"}


def test_billing_of_an_absence_can_be_overridden_with_a_reason(client_for, alpha):
    db = alpha["db"]
    ask(db, alpha["leo"], alpha["canteen"], THURSDAY, state="accepted")
    absence = ask(db, alpha["leo"], alpha["canteen"], THURSDAY, kind="absence", motive="other", billed=True, late=True)
    client = agent(client_for, db)
    page = client.get("/agent/demandes").get_data(as_text=True)
    assert "selon le motif (oui)" in page and f'name="facturer-{absence.id}"' in page
    silent = decide(client, [absence.id], **{f"facturer-{absence.id}": "non"})
    assert silent.status_code == 400 and "indiquez la raison" in silent.get_data(as_text=True)
    assert states(db)[absence.id] == "pending"
    done = decide(client, [absence.id], reason="Certificat médical reçu", **{f"facturer-{absence.id}": "non"})
    assert done.status_code == 303
    db.expire_all()
    decided = db.get(DayRequest, absence.id)
    assert (decided.state, decided.billed, decided.reason) == ("accepted", False, "Certificat médical reçu")
    assert "acceptée, non facturée" in outbox(db)[0].body


def test_a_request_already_decided_is_reported_not_decided_again(client_for, alpha):
    db = alpha["db"]
    request_id = ask(db, alpha["leo"], alpha["canteen"], THURSDAY).id
    first = agent(client_for, db)
    second = agent(client_for, db, email="paul.durand@alpha.example", name="Paul Durand")
    token = csrf_token(second.get("/agent/demandes").get_data(as_text=True))  # both have the page open
    assert decide(first, [request_id]).status_code == 303
    late = second.post("/agent/demandes/decision", data={"csrf_token": token, "demande": str(request_id),
                                                          "decision": "refuser", "reason": "Complet"})
    assert late.status_code == 303
    text = second.get(late.headers["Location"]).get_data(as_text=True)
    assert "refusée" not in text and "1 demande avait déjà été traitée" in text
    db.expire_all()
    assert db.get(DayRequest, request_id).state == "accepted" and len(outbox(db)) == 1


@pytest.mark.postgres
def test_two_agents_deciding_at_the_same_moment_give_one_decision(app, alpha):
    db = alpha["db"]
    request_id = ask(db, alpha["leo"], alpha["canteen"], THURSDAY).id
    engine = db.get_bind()
    barrier = threading.Barrier(2)
    results: dict[str, list[int]] = {}

    def agent_decides(name: str, accept: bool):
        with Session(engine) as session:
            barrier.wait()
            results[name] = booking.decide(session, [request_id], accept=accept, reason=name, agent_id=1,
                                           now=dt.datetime(2025, 12, 8, 9, tzinfo=dt.UTC))
            session.commit()

    threads = [threading.Thread(target=agent_decides, args=(name, name == "a")) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == [[], [request_id]]
    db.expire_all()
    decided = db.get(DayRequest, request_id)
    winner = next(name for name, ids in results.items() if ids)
    assert decided.reason == winner and decided.state == ("accepted" if winner == "a" else "refused")


# --- who may open the pages ----------------------------------------------------------------------


def test_anonymous_visitors_and_families_are_sent_to_the_agent_sign_in(client_for, alpha):
    anonymous = client_for("alpha.test")
    family = client_for("alpha.test")
    assert family_sign_in(family).status_code == 303
    for client in (anonymous, family):
        for path in AGENT_PAGES:
            answer = client.get(path)
            assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/connexion"), path
    token = csrf_token(family.get("/accueil").get_data(as_text=True))
    posted = family.post("/agent/demandes/decision", data={"csrf_token": token, "demande": "1", "decision": "accepter"})
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/agent/connexion")


def test_an_alpha_agent_cookie_is_anonymous_on_beta(client_for, tenant_db, alpha):
    beta = tenant_db("beta")
    child = make_child(beta, make_family(beta, number="900900", last_name="AILLEURS"), first_name="Bertrand")
    ask(beta, child, make_service(beta), THURSDAY)
    staff_tests.make_agent(beta)  # same e-mail, same id in beta
    client = agent(client_for, alpha["db"])
    cookie = client.get_cookie("portail_session", domain="alpha.test")
    thief = client_for("beta.test")
    thief.set_cookie("portail_session", cookie.value, domain="beta.test")
    for path in AGENT_PAGES:
        answer = thief.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/connexion"), path
        assert "Bertrand" not in answer.get_data(as_text=True)


def test_the_pages_do_not_exist_on_the_platform_host(client_for):
    for path in AGENT_PAGES:
        assert client_for("portail.test").get(path).status_code == 404, path


def test_the_staff_home_links_to_the_planning(client_for, alpha):
    home = agent(client_for, alpha["db"]).get("/agent/").get_data(as_text=True)
    for path in AGENT_PAGES[:2] + AGENT_PAGES[3:]:
        assert f'href="{path}"' in home, path


# --- the day -------------------------------------------------------------------------------------


def day_with_everything(alpha):
    """Thursday: canteen booked by Léo, Lina (then absent) and Zoé; one pending; the morning closed."""
    db = alpha["db"]
    extra = make_child(db, alpha["martin"], first_name="Adam", last_name="ABEL", school_class="CE1")
    enrol(db, extra, alpha["canteen"], alpha["morning"])
    for child in (alpha["leo"], alpha["lina"], alpha["zoe"]):
        ask(db, child, alpha["canteen"], THURSDAY, state="accepted")
    ask(db, alpha["lina"], alpha["canteen"], THURSDAY, kind="absence", state="accepted", motive="medical",
        billed=False)
    ask(db, extra, alpha["canteen"], THURSDAY)  # pending: not counted
    ask(db, alpha["leo"], alpha["morning"], THURSDAY, state="accepted")
    booking.close_day(db, day=THURSDAY, service_id=alpha["morning"].id, site=None, reason="Grève",
                      agent_id=1, now=dt.datetime(2025, 12, 8, 9, tzinfo=dt.UTC))
    db.commit()


def test_daily_view_counts_names_pending_and_absences(client_for, alpha):
    day_with_everything(alpha)
    [morning, canteen] = daily.daily_counts(alpha["db"], THURSDAY)  # by site, then service name
    assert morning.service.name == "GARDERIE MATIN" and morning.count == 0 and morning.closed == "Grève"
    assert [(e.first_name, e.state, e.motive) for e in morning.absences] == [("Léo", "absent", "closure")]
    assert canteen.count == 2 and canteen.is_meal
    assert [e.first_name for e in canteen.booked] == ["Léo", "Zoé"]  # DUPONT before MARTIN
    assert [(e.first_name, e.state) for e in canteen.pending] == [("Adam", "pending_reservation")]
    assert [(e.first_name, e.motive, e.billed) for e in canteen.absences] == [("Lina", "medical", False)]
    assert all(e.health_flags == () for e in canteen.booked)  # no health data yet: nothing invented

    client = agent(client_for, alpha["db"])
    page = client.get("/agent/journee?date=2025-12-11")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "jeudi 11 décembre" in text
    assert "2 repas à commander" in text and re.search(r"0 enfants? attendus?", text)  # 0: singular in French
    assert "Service fermé ce jour : Grève" in text and "Régimes alimentaires et allergies" in text
    assert "absent (RAISON MEDICALE, non facturée)" in text and "absent (Fermeture du service, non facturée)" in text
    assert "réservation en attente" in text and "Ctrl+P" in text and "css/staff.css" in text
    assert "js/print.js" in text and "journee.csv?date=2025-12-11" in text

    today = client.get("/agent/journee")
    assert today.status_code == 200 and "lundi 8 décembre" in today.get_data(as_text=True)
    wrong = client.get("/agent/journee?date=2025-02-30")
    assert wrong.status_code == 400 and "Date invalide" in wrong.get_data(as_text=True)


def test_daily_csv_is_for_french_excel(client_for, alpha):
    day_with_everything(alpha)
    client = agent(client_for, alpha["db"])
    answer = client.get("/agent/journee.csv?date=2025-12-11")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'filename="journee-2025-12-11.csv"' in answer.headers["Content-Disposition"]
    raw = answer.get_data()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "site;service;nom;prénom;classe;famille;état;régimes;allergie;PAI"
    assert "École d'Alpha;RESTAURATION;DUPONT;Léo;CP;100100;réservé;;;" in lines
    assert "École d'Alpha;RESTAURATION;MARTIN;Zoé;CM1;200200;réservé;;;" in lines
    assert "École d'Alpha;RESTAURATION;ABEL;Adam;CE1;200200;réservation en attente;;;" in lines
    assert "École d'Alpha;RESTAURATION;DUPONT;Lina;CE2;100100;absent (RAISON MEDICALE, non facturée);;;" in lines
    assert "École d'Alpha;GARDERIE MATIN;DUPONT;Léo;CP;100100;absent (Fermeture du service, non facturée);;;" in lines
    assert len([line for line in lines if line]) == 6
    assert client.get("/agent/journee.csv?date=demain").status_code == 400


def test_a_pending_absence_still_counts_until_it_is_accepted(client_for, alpha):
    db = alpha["db"]
    ask(db, alpha["leo"], alpha["canteen"], THURSDAY, state="accepted")
    absence = ask(db, alpha["leo"], alpha["canteen"], THURSDAY, kind="absence", motive="medical")
    [_morning, canteen] = daily.daily_counts(db, THURSDAY)
    assert canteen.count == 1 and [e.request_id for e in canteen.pending] == [absence.id]
    client = agent(client_for, db)
    text = client.get("/agent/journee?date=2025-12-11").get_data(as_text=True)
    assert "1 repas à commander" in text and "absence demandée, en attente" in text
    assert "Traiter ces demandes" in text
    lines = client.get("/agent/journee.csv?date=2025-12-11").get_data().decode("utf-8-sig").split("\r\n")
    assert "École d'Alpha;RESTAURATION;DUPONT;Léo;CP;100100;réservé, absence demandée (RAISON MEDICALE);;;" in lines
    assert len([line for line in lines if line]) == 2
    assert decide(client, [absence.id]).status_code == 303
    db.expire_all()
    assert daily.daily_counts(db, THURSDAY)[1].count == 0


def test_a_name_is_never_a_formula_in_the_csv(client_for, alpha):
    db = alpha["db"]
    sly = make_child(db, alpha["dupont"], first_name="=HYPERLINK(\"x\")", school_class="CP")
    enrol(db, sly, alpha["canteen"])
    ask(db, sly, alpha["canteen"], THURSDAY, state="accepted")
    text = agent(client_for, db).get("/agent/journee.csv?date=2025-12-11").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ";=" not in text and ';"=' not in text


def test_the_daily_csv_has_the_diet_allergy_and_pai_columns_the_page_flags(client_for, alpha):
    """Issue 15, point 9: the page flagged PAI, allergies and diets, the CSV had no column for them."""
    db = alpha["db"]
    db.add(ChildHealth(child_id=alpha["leo"].id, allergies="Arachide sévère", diets="gluten_free,vegetarian",
                       pai="1"))
    db.add(ChildHealth(child_id=alpha["zoe"].id, allergies="", diets="no_peanut", pai="0"))
    db.commit()
    for child in (alpha["leo"], alpha["lina"], alpha["zoe"]):
        ask(db, child, alpha["canteen"], THURSDAY, state="accepted")
    client = agent(client_for, db)
    page = client.get("/agent/journee?date=2025-12-11").get_data(as_text=True)
    assert "PAI" in page and "Allergie" in page and "Sans gluten" in page
    with recorded_sql() as statements:
        text = client.get("/agent/journee.csv?date=2025-12-11").get_data().decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].endswith(";état;régimes;allergie;PAI")
    assert "École d'Alpha;RESTAURATION;DUPONT;Léo;CP;100100;réservé;Sans gluten, Végétarien;oui;oui" in lines
    assert "École d'Alpha;RESTAURATION;DUPONT;Lina;CE2;100100;réservé;;;" in lines
    assert "École d'Alpha;RESTAURATION;MARTIN;Zoé;CM1;200200;réservé;Sans arachide;;" in lines
    assert "Arachide sévère" not in text  # the flag, never the allergy itself (as on the page)
    assert len([s for s in statements if "child_health" in s.lower()]) == 1  # one query for every child


def test_the_daily_view_costs_the_same_for_3_or_30_children(client_for, alpha):
    db = alpha["db"]
    client = agent(client_for, db)
    for child in (alpha["leo"], alpha["lina"], alpha["zoe"]):
        ask(db, child, alpha["canteen"], THURSDAY, state="accepted")
    with recorded_sql() as three:
        assert client.get("/agent/journee?date=2025-12-11").status_code == 200
    for n in range(27):
        family = make_family(db, number=f"3{n:05d}", last_name=f"NOM{n:02d}")
        child = make_child(db, family, first_name=f"Enfant{n}")
        ask(db, child, alpha["canteen"], THURSDAY, state="accepted")
        ask(db, child, alpha["morning"], THURSDAY, state="pending" if n % 2 else "accepted")
    with recorded_sql() as thirty:
        text = client.get("/agent/journee?date=2025-12-11").get_data(as_text=True)
    assert "30 repas à commander" in text
    assert len(three) == len(thirty)
    with recorded_sql() as direct:
        daily.daily_counts(db, THURSDAY)
    assert len(direct) <= 6  # services, requests, closures, local day, attendance, health flags


# --- the register (attendance) -------------------------------------------------------------------


def register(db) -> dict[int, bool]:
    db.expire_all()
    return dict(db.execute(select(Attendance.child_id, Attendance.present)).all())


def take_register(client, service, present, day="2025-12-08", token=None):
    if token is None:
        token = csrf_token(client.get(f"/agent/journee?date={day}").get_data(as_text=True))
    return client.post("/agent/journee/pointage", data={"csrf_token": token, "date": day,
                                                         "service_id": str(service.id),
                                                         "present": [str(i) for i in present]})


def test_an_agent_takes_the_register_and_the_family_sees_it(client_for, alpha):
    db, leo, lina, zoe, canteen = alpha["db"], alpha["leo"], alpha["lina"], alpha["zoe"], alpha["canteen"]
    ask(db, leo, canteen, MONDAY, state="accepted")
    ask(db, lina, canteen, MONDAY, state="accepted")
    ask(db, zoe, canteen, MONDAY)  # pending: not expected, listed in case she comes
    client = agent(client_for, db)
    page = client.get("/agent/journee?date=2025-12-08").get_data(as_text=True)
    assert page.count("Enregistrer le pointage") == 1  # the canteen; nobody in the morning care
    box = f'id="present-{canteen.id}-{leo.id}" name="present" value="{leo.id}"'
    assert f"{box}>" in page and "Présent : DUPONT Léo (CP)" in page and "MARTIN Zoé (CM1) – non attendu" in page

    answer = take_register(client, canteen, [leo.id])
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/agent/journee?date=2025-12-08#service-{canteen.id}")
    assert register(db) == {leo.id: True, lina.id: False}
    again = client.get("/agent/journee?date=2025-12-08").get_data(as_text=True)
    assert "Pointage enregistré" in again and f"{box} checked>" in again and "déjà pointé" in again

    family = client_for("alpha.test")
    assert family_sign_in(family).status_code == 303
    grid = family.get("/planning?mois=2025-12").get_data(as_text=True)
    # Each cell says its state; its row (child's grid, service) and column (day) headers say the rest.
    assert '<span class="visually-hidden">présent</span>' in cell(grid, leo, canteen, MONDAY)
    assert '<span class="visually-hidden">absent (non prévenu)</span>' in cell(grid, lina, canteen, MONDAY)
    assert "Absent (non prévenu)" in grid and 'class="cell cell--present' in grid
    assert re.search(r'class="cell cell--absent[ "]', grid)

    assert take_register(client, canteen, [lina.id, zoe.id]).status_code == 303  # corrected; Zoé came anyway
    assert register(db) == {leo.id: False, lina.id: True, zoe.id: True}


def test_a_register_is_refused_in_french_for_a_future_day_or_an_unknown_child(client_for, tenant_db, alpha):
    db, leo, canteen = alpha["db"], alpha["leo"], alpha["canteen"]
    ask(db, leo, canteen, MONDAY, state="accepted")
    ask(db, leo, canteen, THURSDAY, state="accepted")
    beta = tenant_db("beta")
    stranger = make_child(beta, make_family(beta, number="900900", last_name="AILLEURS"), first_name="Bertrand")
    client = agent(client_for, db)
    token = csrf_token(client.get("/agent/journee?date=2025-12-08").get_data(as_text=True))
    future = client.get("/agent/journee?date=2025-12-11").get_data(as_text=True)
    assert "DUPONT" in future and "Enregistrer le pointage" not in future

    answer = take_register(client, canteen, [leo.id], day="2025-12-11", token=token)
    assert answer.status_code == 400 and "pas pour un jour à venir" in answer.get_data(as_text=True)
    for ids in ([leo.id, stranger.id + 1000], [leo.id, alpha["zoe"].id], ["abc"]):
        answer = take_register(client, canteen, ids, token=token)
        assert answer.status_code == 400 and "Enfant inconnu pour ce service" in answer.get_data(as_text=True)
    assert take_register(client, alpha["morning"], [], token=token).status_code == 400  # nobody to take
    assert take_register(client, canteen, [leo.id], token="forged").status_code == 400
    assert register(db) == {}


def test_an_alpha_agent_cannot_take_the_register_of_beta(client_for, tenant_db, alpha):
    beta = tenant_db("beta")
    child = make_child(beta, make_family(beta, number="900900", last_name="AILLEURS"), first_name="Bertrand")
    service = make_service(beta)
    ask(beta, child, service, MONDAY, state="accepted")
    staff_tests.make_agent(beta)  # same e-mail, same id in beta
    client = agent(client_for, alpha["db"])
    token = csrf_token(client.get("/agent/journee").get_data(as_text=True))
    cookie = client.get_cookie("portail_session", domain="alpha.test")
    thief = client_for("beta.test")
    thief.set_cookie("portail_session", cookie.value, domain="beta.test")
    answer = take_register(thief, service, [child.id], token=token)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/connexion")  # anonymous
    assert register(beta) == {}


# --- closures and local days ---------------------------------------------------------------------


def test_closing_a_day_turns_bookings_into_excused_absences_and_tells_families(app, client_for, alpha):
    db = alpha["db"]
    for child in (alpha["leo"], alpha["zoe"]):
        ask(db, child, alpha["canteen"], THURSDAY, state="accepted")
    ask(db, alpha["lina"], alpha["morning"], THURSDAY, state="accepted")
    client = agent(client_for, db)
    page = client.get("/agent/fermetures").get_data(as_text=True)
    assert "Tous les services" in page and "Tous les sites" in page
    form = {"csrf_token": csrf_token(page), "day": "2025-12-11", "service": str(alpha["canteen"].id),
            "site": "École d'Alpha", "reason": "Sortie scolaire"}
    answer = client.post("/agent/fermetures", data=form)
    assert answer.status_code == 303
    followed = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "2 réservations deviennent des absences excusées." in followed and "1 famille prévenue" in followed
    assert "Sortie scolaire" in followed and "jeudi 11 décembre" in followed  # in the upcoming closures

    db.expire_all()
    absences = db.scalars(select(DayRequest).where(DayRequest.kind == "absence")).all()
    assert sorted((a.child_id, a.state, a.billed, a.motive) for a in absences) == sorted(
        (c.id, "accepted", False, "closure") for c in (alpha["leo"], alpha["zoe"]))
    [mail] = outbox(db)  # MARTIN refuses e-mails
    assert mail.recipient == "f100100@example.org" and "Sortie scolaire" in mail.body
    assert "RESTAURATION pour Léo" in mail.body and "Lina" not in mail.body
    assert mail.subject == "RPI Alpha – Service fermé le jeudi 11 décembre"
    settings = app.extensions["tenancy"].registry.get("alpha").settings
    planning = booking.FamilyPlanning.load(db, settings, alpha["dupont"].id, THURSDAY, THURSDAY)
    assert planning.state(Cell(alpha["leo"].id, alpha["canteen"].id, THURSDAY)) == "closed"
    assert planning.state(Cell(alpha["lina"].id, alpha["morning"].id, THURSDAY)) == "reserved"

    again = client.post("/agent/fermetures", data=form)
    assert again.status_code == 400 and "déjà enregistrée" in again.get_data(as_text=True)
    past = client.post("/agent/fermetures", data=dict(form, day="2025-12-05"))
    assert past.status_code == 400 and "Choisissez aujourd&#39;hui ou une date à venir." in past.get_data(as_text=True)
    for bad in (dict(form, day="2025-13-45"), dict(form, reason=""), dict(form, service="999999"),
                dict(form, site="Nulle part")):
        refused = client.post("/agent/fermetures", data=bad)
        assert refused.status_code == 400, bad
    assert "Date invalide" in client.post("/agent/fermetures", data=dict(form, day="2025-13-45")).get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Closure)) == 1


def test_closing_everything_everywhere(client_for, alpha):
    db = alpha["db"]
    ask(db, alpha["leo"], alpha["canteen"], FRIDAY, state="accepted")
    ask(db, alpha["zoe"], alpha["morning"], FRIDAY, state="accepted")
    client = agent(client_for, db)
    token = csrf_token(client.get("/agent/fermetures").get_data(as_text=True))
    answer = client.post("/agent/fermetures", data={"csrf_token": token, "day": "2025-12-12", "service": "",
                                                    "site": "", "reason": "Grève"})
    assert answer.status_code == 303
    db.expire_all()
    closure = db.scalar(select(Closure))
    assert (closure.service_id, closure.site, closure.reason) == (None, None, "Grève")
    assert db.scalar(select(func.count()).where(DayRequest.kind == "absence")) == 2
    rows = daily.daily_counts(db, FRIDAY)
    assert [r.count for r in rows] == [0, 0] and {r.closed for r in rows} == {"Grève"}


def test_a_local_day_is_listed_and_blocks_booking(app, client_for, alpha):
    db = alpha["db"]
    ask(db, alpha["zoe"], alpha["canteen"], FRIDAY, state="accepted")
    client = agent(client_for, db)
    page = client.get("/agent/jours-locaux").get_data(as_text=True)
    assert "Aucun jour local à venir." in page
    form = {"csrf_token": csrf_token(page), "day": "2025-12-12", "label": "Pont de la fête locale"}
    answer = client.post("/agent/jours-locaux", data=form)
    assert answer.status_code == 303
    listed = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "vendredi 12 décembre" in listed and "Pont de la fête locale" in listed
    assert "1 réservation devient une absence excusée." in listed

    settings = app.extensions["tenancy"].registry.get("alpha").settings
    planning = booking.FamilyPlanning.load(db, settings, alpha["dupont"].id, THURSDAY, FRIDAY)
    assert planning.state(Cell(alpha["leo"].id, alpha["canteen"].id, FRIDAY)) == "closed"
    assert planning.state(Cell(alpha["leo"].id, alpha["canteen"].id, THURSDAY)) == "free"
    [refused] = booking.request_reservations(db, planning, alpha["dupont"].id,
                                             [Cell(alpha["leo"].id, alpha["canteen"].id, FRIDAY)],
                                             dt.datetime(2025, 12, 8, 9, tzinfo=dt.UTC))
    assert refused.status == "refused" and refused.reason == "closed"
    assert outbox(db) == []  # MARTIN (Zoé's family) refuses e-mails; the list of requests tells them

    again = client.post("/agent/jours-locaux", data=dict(form, label="Autre libellé"))
    text = again.get_data(as_text=True)
    assert again.status_code == 400 and "Ce jour est déjà un jour local : « Pont de la fête locale »." in text
    for bad in (dict(form, day="12/12/2025"), dict(form, label=""), dict(form, day="2025-12-01")):
        assert client.post("/agent/jours-locaux", data=bad).status_code == 400, bad
    db.expire_all()
    assert db.scalars(select(LocalDay.label)).all() == ["Pont de la fête locale"]


def test_closing_one_class_excuses_only_its_children(client_for, tenant_db, clock):
    import datetime as dt

    from sqlalchemy import select

    from tests.factories import enrol, make_child, make_family, make_service
    from tests.helpers import csrf_token
    from tests.web.test_staff import signed_in_agent
    from webapp.planning.models import DayRequest

    db = tenant_db("beta")
    family = make_family(db)
    canteen = make_service(db)
    day = dt.date(2025, 12, 15)
    for first_name, school_class in (("Léo", "CP"), ("Jade", "CM2")):
        child = make_child(db, family, first_name=first_name, school_class=school_class)
        enrol(db, child, canteen)
        db.add(DayRequest(family_id=family.id, child_id=child.id, service_id=canteen.id, day=day, kind="reservation",
                          state="accepted", created_at=clock.now, comment=""))
    db.commit()
    client = client_for("beta.test")
    signed_in_agent(client, db)
    page = client.get("/agent/fermetures").get_data(as_text=True)
    answer = client.post("/agent/fermetures", data={"day": day.isoformat(), "service": "", "site": "",
                                                    "school_class": "CP", "reason": "Enseignant absent",
                                                    "csrf_token": csrf_token(page)})
    assert answer.status_code == 303
    absences = db.scalars(select(DayRequest).where(DayRequest.kind == "absence")).all()
    assert len(absences) == 1 and absences[0].billed is False
