"""The family's planning pages: the grid, booking, absences, withdrawals, « Régulier », ownership.

The clock fixture pins Monday 8 December 2025, 10:00 in Paris. Alpha: weekly deadline
(Friday 12:00 for the next week), agents validate. Beta: rolling J-2 at 23:59, automatic.
"""
import datetime as dt
import re

import pytest
from sqlalchemy import select

import tests.web.test_staff as staff_tests
from tests.factories import enrol, make_child, make_family, make_service
from tests.helpers import csrf_token, recorded_sql, sign_in
from tests.planning.grid_cells import names
from webapp.planning.models import DayRequest
from webapp.planning.rules import STATES

MONDAY_15 = dt.date(2025, 12, 15)
TUESDAY_9 = dt.date(2025, 12, 9)


class Kit:
    """A family signed in on one commune: its child, canteen and morning care, and a client."""

    def __init__(self, db, client, family, child, canteen, morning):
        self.db, self.client, self.family, self.child = db, client, family, child
        self.canteen, self.morning = canteen, morning

    def cell(self, day: dt.date, service=None, child=None) -> str:
        return f"{(child or self.child).id}:{(service or self.canteen).id}:{day.isoformat()}"

    def page(self, path=None) -> str:
        answer = self.client.get(path or f"/enfants/{self.child.id}/planning?mois=2025-12")
        assert answer.status_code == 200, answer.status_code
        return answer.get_data(as_text=True)

    def post(self, action: str, token: str | None = None, **data):
        data.setdefault("mois", "2025-12")
        data.setdefault("enfant", str(self.child.id))
        data["csrf_token"] = token if token is not None else csrf_token(self.page())
        return self.client.post(f"/planning/{action}", data=data)

    def requests(self) -> list[DayRequest]:
        self.db.expire_all()
        return list(self.db.scalars(select(DayRequest).order_by(DayRequest.id)))


@pytest.fixture
def kit(client_for, tenant_db, clock):
    def make(slug: str) -> Kit:
        db = tenant_db(slug)
        family = make_family(db)
        child = make_child(db, family)
        canteen = make_service(db)
        morning = make_service(db, code="garderie_matin", name="GARDERIE MATIN", weekdays="1111100")
        enrol(db, child, canteen, morning)
        client = client_for(f"{slug}.test")
        assert sign_in(client).status_code == 303
        return Kit(db, client, family, child, canteen, morning)

    return make




# --- the page -------------------------------------------------------------------------------
def test_child_page_shows_the_header_the_grid_and_the_legend(kit):
    k = kit("alpha")
    page = k.page()
    assert "Planning de Léo DUPONT – Décembre 2025" in page
    assert "14/05/2018 – 7 ans" in page and "École d&#39;Alpha" in page
    assert "JEANNE DUPONT" in page and "100100" in page and "Prélèvement" in page
    cells = names(page)  # a box's name says the child too; another cell is read with its headers
    for text in ("Léo, RESTAURATION, lundi 15 décembre : libre", "Léo, GARDERIE MATIN, mercredi 17 décembre : libre",
                 "RESTAURATION, mercredi 17 décembre : pas de service ce jour-là",
                 "RESTAURATION, jeudi 25 décembre : jour férié",
                 "RESTAURATION, lundi 22 décembre : petites vacances",
                 "RESTAURATION, lundi 8 décembre : libre, hors délai"):  # alpha: closed on Friday 5 at 12:00
        assert text in cells, text
    assert f'value="{k.cell(MONDAY_15)}"' in page
    assert f'value="{k.cell(dt.date(2025, 12, 8))}"' not in page  # locked: no checkbox
    assert f'value="{k.cell(dt.date(2025, 12, 13), k.morning)}"' not in page  # Saturday
    for text in ("Réservé", "Régulier", "Demande en attente (réservation en cours de traitement)",
                 "Réservation refusée", "Absence en cours de traitement", "Absent excusé", "Absent facturé",
                 "Fermeture", "Jour férié", "Petites vacances", "Grandes vacances", "Non inscrit", "Libre",
                 "Hors délai"):
        assert f"</span> {text}</li>" in page, text
    assert page.count('class="legend__item"') == len(STATES) + 1
    assert "« Mois précédent" in page and "Mois en cours" in page and "Mois suivant »" in page
    assert "la semaine à venir est bloquée" in page  # the commune's deadline, described
    assert 'src="/static/js/planning.js"' in page and "<script>" not in page


def test_beta_shows_the_seed_002_deadline_table(kit):
    page = kit("beta").page()
    assert "Pour lundi &gt; samedi avant 23h59" in page and "Pour vendredi &gt; mercredi avant 23h59" in page


def test_family_page_has_a_block_per_child_and_the_month_links(kit):
    k = kit("beta")
    jade = make_child(k.db, k.family, first_name="Jade", birth_date=dt.date(2020, 1, 2))
    enrol(k.db, jade, k.canteen)
    page = k.page("/planning?mois=2025-12")
    assert page.count('class="child-block"') == 2
    assert "Jade, RESTAURATION, lundi 15 décembre : libre" in names(page)
    assert "Léo, GARDERIE MATIN, lundi 15 décembre : libre" in names(page)
    assert f'href="/enfants/{jade.id}/planning?mois=2025-12"' in page
    assert 'href="/planning?mois=2025-11"' in page and 'href="/planning?mois=2026-01"' in page
    assert re.search(r'<a href="/planning"\s+aria-current="page">Planning</a>', page)


@pytest.mark.parametrize("mois", ["", "2025-13", "abcd", "2025-1", "9999-01", "2025-12-01"])
def test_an_invalid_month_is_the_current_month(kit, mois):
    page = kit("beta").page(f"/planning?mois={mois}")
    assert "Décembre 2025" in page and "alert--error" not in page


def test_home_links_each_child_to_its_planning(kit):
    k = kit("beta")
    assert f'href="/enfants/{k.child.id}/planning"' in k.page("/accueil")


# --- booking -------------------------------------------------------------------------------
def test_booking_is_accepted_at_once_in_beta(kit):
    k = kit("beta")
    answer = k.post("reserver", cases=[k.cell(MONDAY_15), k.cell(MONDAY_15, k.morning)])
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/enfants/{k.child.id}/planning?mois=2025-12")
    assert [(r.state, r.kind, r.regular) for r in k.requests()] == [("accepted", "reservation", False)] * 2
    page = k.page()
    assert "2 jours réservés." in page
    assert "Léo, RESTAURATION, lundi 15 décembre : réservé" in names(page)


def test_booking_waits_for_an_agent_in_alpha(kit):
    k = kit("alpha")
    assert k.post("reserver", cases=[k.cell(MONDAY_15)]).status_code == 303
    assert [r.state for r in k.requests()] == ["pending"]
    page = k.page()
    assert "1 demande de réservation envoyée : la mairie va la traiter." in page
    assert ("Léo, RESTAURATION, lundi 15 décembre : demande en attente (réservation en cours de traitement)"
            in names(page))


def test_a_late_request_is_refused_with_the_date_and_the_deadline(kit):
    k = kit("beta")
    answer = k.post("reserver", cases=[k.cell(TUESDAY_9), k.cell(MONDAY_15)])
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Pour le mardi 9 décembre, la date limite était le dimanche 7 décembre à 23h59" in page
    assert "1 jour réservé." in page and "Refusés (1)" in page and "Acceptés (1)" in page
    assert [r.day for r in k.requests()] == [MONDAY_15]


def test_refusals_name_their_reason_in_french(kit):
    k = kit("beta")
    answer = k.post("reserver", cases=[k.cell(dt.date(2025, 12, 17)), k.cell(dt.date(2025, 12, 25))])
    page = answer.get_data(as_text=True)
    assert "Le service ne fonctionne pas ce jour-là" in page
    assert "Service fermé ce jour-là (fermeture ou vacances)" in page
    assert k.requests() == []


def test_nothing_ticked_shows_the_page_again_with_a_message(kit):
    k = kit("beta")
    answer = k.post("reserver")
    assert answer.status_code == 400
    assert "Sélectionnez au moins un jour dans le planning." in answer.get_data(as_text=True)


# --- absences and withdrawals ---------------------------------------------------------------
def test_absence_with_a_motive_and_a_comment(kit):
    k = kit("beta")
    k.post("reserver", cases=[k.cell(MONDAY_15)])
    answer = k.post("absence", cases=[k.cell(MONDAY_15)], motif="medical", commentaire="Angine")
    assert answer.status_code == 303
    absence = k.requests()[-1]
    assert (absence.kind, absence.state, absence.motive, absence.comment, absence.billed) == (
        "absence", "accepted", "medical", "Angine", False)
    page = k.page()
    assert "1 absence enregistrée." in page
    assert "RESTAURATION, lundi 15 décembre : absent excusé" in names(page)


def test_absence_needs_a_motive_of_the_commune_and_keeps_the_selection(kit):
    k = kit("beta")
    k.post("reserver", cases=[k.cell(MONDAY_15)])
    for motive in ("", "vacances"):
        answer = k.post("absence", cases=[k.cell(MONDAY_15)], motif=motive)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400
        assert "Choisissez le motif de l" in page
        assert re.search(rf'value="{k.cell(MONDAY_15)}" data-action="absence" checked', page)
    assert [r.kind for r in k.requests()] == ["reservation"]


def test_a_comment_longer_than_500_characters_is_refused(kit):
    k = kit("beta")
    k.post("reserver", cases=[k.cell(MONDAY_15)])
    answer = k.post("absence", cases=[k.cell(MONDAY_15)], motif="medical", commentaire="x" * 501)
    assert answer.status_code == 400 and "500 caractères" in answer.get_data(as_text=True)
    assert len(k.requests()) == 1


def test_a_pending_request_can_be_withdrawn(kit):
    k = kit("alpha")
    k.post("reserver", cases=[k.cell(MONDAY_15)])
    [pending] = k.requests()
    page = k.page()
    assert f'name="demande" value="{pending.id}"' in page
    answer = k.post("retirer", token=csrf_token(page), demande=[str(pending.id)])
    assert answer.status_code == 303
    assert [r.state for r in k.requests()] == ["withdrawn"]
    page = k.page()
    assert "1 demande retirée." in page and "Léo, RESTAURATION, lundi 15 décembre : libre" in names(page)


def test_a_withdrawal_after_the_deadline_is_refused(kit, clock):
    k = kit("alpha")
    k.post("reserver", cases=[k.cell(MONDAY_15)])
    [pending] = k.requests()
    clock.now = dt.datetime(2025, 12, 12, 11, 1, tzinfo=dt.UTC)  # Friday 12:01 in Paris
    sign_in(k.client)  # four days later: a new session
    assert ("RESTAURATION, lundi 15 décembre : demande en attente (réservation en cours de traitement), "
            "hors délai") in names(k.page())
    page = k.post("retirer", demande=[str(pending.id)]).get_data(as_text=True)
    assert "Pour le lundi 15 décembre, la date limite était le vendredi 12 décembre à 12h00" in page
    assert [r.state for r in k.requests()] == ["pending"]


# --- « Régulier » -------------------------------------------------------------------------------
def test_a_weekly_pattern_books_each_day_and_sums_up(kit):
    k = kit("beta")
    page = k.page("/planning/regulier")
    assert "Réserver des jours réguliers" in page
    answer = k.client.post("/planning/regulier", data={
        "csrf_token": csrf_token(page), "enfant": str(k.child.id), "services": [str(k.canteen.id)],
        "jours": ["0", "1", "3"], "du": "2025-12-08", "au": "2025-12-19"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Pour le lundi 8 décembre, la date limite était le samedi 6 décembre à 23h59" in text
    assert "Pour le mardi 9 décembre, la date limite était le dimanche 7 décembre à 23h59" in text
    assert "4 jours réservés." in text and "Refusés (2)" in text
    rows = k.requests()
    assert [r.day.day for r in rows] == [11, 15, 16, 18] and all(r.regular for r in rows)
    assert "Léo, RESTAURATION, lundi 15 décembre : régulier" in names(k.page())


def test_a_pattern_is_at_most_a_year_ahead(kit):
    k = kit("beta")
    page = k.page("/planning/regulier")
    answer = k.client.post("/planning/regulier", data={
        "csrf_token": csrf_token(page), "enfant": str(k.child.id), "services": [str(k.canteen.id)],
        "jours": ["0"], "du": "2025-12-15", "au": "2027-01-31"})
    assert answer.status_code == 400 and "Choisissez une date de fin à moins d" in answer.get_data(as_text=True)
    assert k.requests() == []


# --- whose planning --------------------------------------------------------------------------
def test_another_familys_child_is_not_found_and_nothing_is_written(kit):
    k = kit("beta")
    other = make_family(k.db, number="200200")
    theirs = make_child(k.db, other, first_name="Zoé")
    enrol(k.db, theirs, k.canteen)
    token = csrf_token(k.page())
    assert k.client.get(f"/enfants/{theirs.id}/planning").status_code == 404
    assert k.client.get("/enfants/999999/planning").status_code == 404
    mixed = [k.cell(MONDAY_15), k.cell(MONDAY_15, child=theirs)]
    assert k.post("reserver", token=token, cases=mixed).status_code == 404
    assert k.post("reserver", token=token, cases=[k.cell(MONDAY_15)], enfant=str(theirs.id)).status_code == 404
    answer = k.client.post("/planning/regulier", data={
        "csrf_token": token, "enfant": str(theirs.id), "services": [str(k.canteen.id)], "jours": ["0"],
        "du": "2025-12-15", "au": "2025-12-31"})
    assert answer.status_code == 404
    assert k.requests() == []


def test_another_familys_request_cannot_be_withdrawn(kit):
    k = kit("alpha")
    other = make_family(k.db, number="200200")
    theirs = make_child(k.db, other, first_name="Zoé")
    enrol(k.db, theirs, k.canteen)
    request = DayRequest(family_id=other.id, child_id=theirs.id, service_id=k.canteen.id, day=MONDAY_15,
                         kind="reservation", state="pending", regular=False, comment="", late=False,
                         created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC), reason="")
    k.db.add(request)
    k.db.commit()
    assert k.post("retirer", demande=[str(request.id)]).status_code == 404
    assert [r.state for r in k.requests()] == ["pending"]


@pytest.mark.parametrize("forged", ["abc", "1:2", "1:2:2025-13-01", "1:2:2025-12-15x", "-1:2:2025-12-15",
                                    "1:2:2025-12-15:4", "1:2:15/12/2025", "1:2:0001-01-01", "1:2:2025-02-30"])
def test_a_forged_cell_is_a_bad_request_in_french(kit, forged):
    k = kit("beta")
    answer = k.post("reserver", cases=[k.cell(MONDAY_15), forged])
    assert answer.status_code == 400
    assert "Un des jours envoyés n&#39;existe pas dans votre planning" in answer.get_data(as_text=True)
    assert k.requests() == []


def test_a_forged_request_id_is_a_bad_request(kit):
    k = kit("alpha")
    assert k.post("retirer", demande=["12a"]).status_code == 400


def test_a_post_without_csrf_token_is_refused(kit):
    k = kit("beta")
    answer = k.client.post("/planning/reserver", data={"cases": [k.cell(MONDAY_15)], "mois": "2025-12"})
    assert answer.status_code == 400
    assert k.requests() == []


def test_an_agent_has_no_family_planning(client_for, tenant_db, clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)
    client = client_for("alpha.test")
    staff_tests.signed_in_agent(client, tenant_db("alpha"))
    for path in ("/planning", "/planning/regulier", "/enfants/1/planning"):
        assert client.get(path).status_code == 404, path
    assert client.post("/planning/reserver", data={}).status_code == 400  # no CSRF token: refused first


def test_signed_out_visitors_are_sent_to_sign_in(client_for):
    answer = client_for("beta.test").get("/planning")
    assert answer.status_code == 302


# --- cost ----------------------------------------------------------------------------------------
def test_the_month_page_costs_the_same_few_queries_for_one_child_or_three(kit):
    k = kit("beta")
    extra = [make_service(k.db, code=f"s{n}", name=f"SERVICE {n}", weekdays="1111100") for n in (3, 4)]
    enrol(k.db, k.child, *extra)
    k.client.get("/planning?mois=2025-12")  # warm-up: session touched, templates compiled
    with recorded_sql() as one:
        assert k.client.get("/planning?mois=2025-12").status_code == 200
    for name in ("Jade", "Hugo"):
        child = make_child(k.db, k.family, first_name=name)
        enrol(k.db, child, k.canteen, k.morning, *extra)
    with recorded_sql() as three:
        page = k.client.get("/planning?mois=2025-12").get_data(as_text=True)
    assert page.count('class="child-block"') == 3 and page.count('class="service"') == 12
    assert len(three) == len(one) and len(three) < 8, three
    assert len(re.findall(r'<td class="cell', page)) == 3 * 4 * 31


def test_deadline_sentences_follow_the_visitors_language(client_for, tenant_db, clock):
    import datetime as dt
    import re

    from tests.factories import enrol, make_child, make_family, make_service
    from tests.helpers import csrf_token, sign_in

    db = tenant_db("beta")
    family = make_family(db)
    child, canteen = make_child(db, family), make_service(db)
    enrol(db, child, canteen)
    clock.now = dt.datetime(2025, 12, 7, 10, tzinfo=dt.UTC)  # Sunday: Monday 8 is past its D−2 deadline
    client = client_for("beta.test")
    sign_in(client)
    client.post("/langue", data={"locale": "en", "csrf_token": csrf_token(client.get("/accueil").get_data(as_text=True))})
    page = client.get("/planning?mois=2025-12").get_data(as_text=True)
    assert "For Monday &gt; Saturday before 23h59" in page or "For Monday > Saturday before 23h59" in page
    answer = client.post("/planning/reserver", data={"cases": f"{child.id}:{canteen.id}:2025-12-08",
                                                     "csrf_token": csrf_token(page)})
    text = re.sub(r"\s+", " ", answer.get_data(as_text=True))
    assert "For Monday 8 December, the deadline was Saturday 6 December at 23h59" in text
