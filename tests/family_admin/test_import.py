"""CSV import of families: all or nothing, French line-by-line errors, encodings, limits, welcome e-mails."""
import datetime as dt
import re
from io import BytesIO

from sqlalchemy import func, select

from tests.factories import make_family
from tests.family_admin.helpers import agent, csv_file, outbox
from tests.helpers import csrf_token, recorded_sql
from webapp.auth.models import PasswordRequest
from webapp.families.models import Child, Family
from webapp.family_admin import csv_import

MARTIN_1 = ("100201;Madame;MARTIN;Claire;claire.martin@example.org;06 12 34 56 78;3 rue des Écoles;73100;Alpha;"
            "MARTIN;Léa;14/05/2018;F;École d'Alpha;CE1")
MARTIN_2 = ("100201;Madame;MARTIN;Claire;claire.martin@example.org;06 12 34 56 78;3 rue des Écoles;73100;Alpha;"
            ";Hugo;02/09/2020;M;École d'Alpha;GS")
BERNARD = ";Monsieur;BERNARD;Paul;;04 79 00 00 00;Le Bourg;73110;Val-Alpha;;Inès;21/01/2019;F;;CP"


def upload(client, content: bytes | str, name="familles.csv"):
    token = csrf_token(client.get("/agent/familles/import").get_data(as_text=True))
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/agent/familles/import", data={"csrf_token": token, "file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm(client, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.post("/agent/familles/import/confirmer",
                       data={"csrf_token": csrf_token(preview_html), "token": token})


def counts(db) -> tuple[int, int]:
    db.expire_all()
    return db.scalar(select(func.count(Family.id))), db.scalar(select(func.count(Child.id)))


def test_a_valid_file_is_previewed_then_creates_everything(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db, number="100300")
    client = agent(client_for, db)
    preview = upload(client, "\ufeff" + csv_file(MARTIN_1, MARTIN_2, BERNARD))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 familles et 3 enfants seront créés" in html
    assert counts(db) == (1, 0)  # nothing written before the confirmation
    answer = confirm(client, html)
    assert answer.status_code == 200 and "2 familles importées" in answer.get_data(as_text=True)
    assert counts(db) == (3, 3)
    martin = db.scalar(select(Family).where(Family.number == "100201"))
    assert martin.email == "claire.martin@example.org" and martin.password_hash is None
    assert sorted(c.first_name for c in martin.children) == ["Hugo", "Léa"]
    bernard = db.scalar(select(Family).where(Family.last_name == "BERNARD"))
    assert bernard.number == "100301"  # next free number after the file's and the commune's
    assert [c.last_name for c in bernard.children] == ["BERNARD"]
    page = answer.get_data(as_text=True)
    assert "100201" in page and "Envoyer le courriel de bienvenue" in page
    assert confirm(client, html).status_code == 303  # the kept file is used: nothing imported twice
    assert counts(db) == (3, 3)


def test_one_bad_line_writes_nothing_and_names_the_line(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    bad = BERNARD.replace("21/01/2019", "31/02/2019")
    answer = upload(client, csv_file(MARTIN_1, MARTIN_2, "", bad))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Ligne 5 : date de naissance « 31/02/2019 » invalide" in html
    assert "rien n&#39;a été importé" in html or "rien n'a été importé" in html
    assert counts(db) == (0, 0)


def test_errors_report_cannot_run_formulas(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    html = upload(client, csv_file(MARTIN_1.replace("06 12 34 56 78", "=HYPERLINK(1)"))).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    report = client.post("/agent/familles/import/erreurs.csv", data={"csrf_token": csrf_token(html), "token": token})
    text = report.get_data(as_text=True)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert "=HYPERLINK" in text
    for cell in (c for row in text.splitlines()[1:] for c in row.split(";")):
        assert not cell.lstrip('"').startswith(("=", "+", "-", "@"))


def test_a_windows_1252_file_with_commas_is_read(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    content = csv_file(MARTIN_1, header=",".join(csv_import.COLUMNS)).replace(";", ",")
    content = content.replace("École d'Alpha", '"École d\'Alpha, bâtiment B"')
    html = upload(client, content.encode("cp1252")).get_data(as_text=True)
    assert "1 famille et 1 enfant seront créés" in html
    confirm(client, html)
    child = db.scalar(select(Child))
    assert child.first_name == "Léa" and child.school == "École d'Alpha, bâtiment B"


def test_wrong_header_existing_number_and_mixed_family_lines_are_refused(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db, number="100201")
    client = agent(client_for, db)
    html = upload(client, "nom;prénom;naissance\nA;B;01/01/2019\n").get_data(as_text=True)
    assert "Ligne 1 : colonne inconnue « naissance »" in html and "colonnes manquantes" in html
    html = upload(client, csv_file(MARTIN_1)).get_data(as_text=True)
    assert "Ligne 2 : le numéro de famille 100201 existe déjà dans la commune" in html
    other = MARTIN_2.replace("100201", "100401").replace("Claire", "Julie")
    html = upload(client, csv_file(MARTIN_1.replace("100201", "100401"), other)).get_data(as_text=True)
    assert "Ligne 3 : les colonnes de la famille diffèrent de la ligne 2" in html
    assert counts(db) == (1, 0)


def test_a_file_too_big_or_not_csv_is_refused(client_for, tenant_db, monkeypatch):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    monkeypatch.setattr(csv_import, "MAX_BYTES", 2000)
    answer = upload(client, csv_file(*([MARTIN_1] * 20)))
    assert answer.status_code == 400 and "fichier trop volumineux" in answer.get_data(as_text=True)
    monkeypatch.setattr(csv_import, "MAX_LINES", 2)
    monkeypatch.setattr(csv_import, "MAX_BYTES", 10_000)
    assert "trop de lignes" in upload(client, csv_file(MARTIN_1, MARTIN_2, BERNARD)).get_data(as_text=True)
    assert "pas un fichier texte CSV" in upload(client, b"\x89PNG\x00\x00").get_data(as_text=True)
    assert counts(db) == (0, 0)


def test_welcome_mails_only_for_families_with_an_email_with_number_and_link_no_password(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    html = upload(client, csv_file(MARTIN_1, MARTIN_2, BERNARD)).get_data(as_text=True)
    created = confirm(client, html).get_data(as_text=True)
    ids = re.search(r'name="familles" value="([\d,]+)"', created).group(1)
    assert len(ids.split(",")) == 2
    answer = client.post("/agent/familles/bienvenue", data={"csrf_token": csrf_token(created), "familles": ids})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "1 courriel de bienvenue mis en file d'envoi" in page
    assert "BERNARD" in page  # listed as without e-mail
    mails = outbox(db)
    assert [m.recipient for m in mails] == ["claire.martin@example.org"]
    body = mails[0].body
    assert "100201" in body and "https://famille.alpha.test/" in body
    link = re.search(r"https://famille\.alpha\.test/mot-de-passe/lien/(\S+)", body)
    assert link, body
    assert "Mot de passe :" not in body and "temporaire" not in body
    assert db.scalar(select(func.count(PasswordRequest.id))) == 1
    # the link opens the « choose your password » page of webapp.auth
    family_client = client_for("alpha.test")
    assert family_client.get(f"/mot-de-passe/lien/{link.group(1)}").status_code == 200


def test_the_template_to_download_is_itself_a_valid_file(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    template = client.get("/agent/familles/import/modele.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.data.startswith("\ufeffnumero_famille;civilite;nom;prenom".encode())
    html = upload(client, template.data).get_data(as_text=True)
    assert "2 familles et 3 enfants seront créés" in html


def test_no_welcome_mail_for_an_activated_account(client_for, tenant_db):
    db = tenant_db("alpha")
    active = make_family(db, number="100100")  # has a password already
    client = agent(client_for, db)
    page = client.get(f"/agent/familles/creees?familles={active.id}").get_data(as_text=True)
    answer = client.post("/agent/familles/bienvenue", data={"csrf_token": csrf_token(page), "familles": str(active.id)})
    assert answer.status_code == 200 and "Familles non relancées" in answer.get_data(as_text=True)
    assert outbox(db) == []


def test_the_family_record_offers_the_welcome_mail_until_the_account_is_active(client_for, tenant_db):
    db = tenant_db("alpha")
    waiting = make_family(db, number="100100", password=None)
    active = make_family(db, number="100200")
    client = agent(client_for, db)
    page = client.get(f"/agent/familles/{waiting.id}").get_data(as_text=True)
    assert "Compte pas encore activé." in page
    answer = client.post("/agent/familles/bienvenue", data={"csrf_token": csrf_token(page), "familles": str(waiting.id)})
    assert "1 courriel de bienvenue" in answer.get_data(as_text=True)
    assert [m.recipient for m in outbox(db)] == ["f100100@example.org"]
    assert "Compte pas encore activé." not in client.get(f"/agent/familles/{active.id}").get_data(as_text=True)


def test_another_agents_kept_file_cannot_be_confirmed(client_for, tenant_db):
    db = tenant_db("alpha")
    first = agent(client_for, db)
    html = upload(first, csv_file(MARTIN_1)).get_data(as_text=True)
    second = agent(client_for, db, email="autre@alpha.example")
    page = second.get("/agent/familles/import").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    answer = second.post("/agent/familles/import/confirmer", data={"csrf_token": csrf_token(page), "token": token})
    assert answer.status_code == 303 and counts(db) == (0, 0)
    assert confirm(first, html).status_code == 200 and counts(db) == (1, 1)


def test_line_numbers_are_the_spreadsheet_lines_even_with_a_line_break_in_a_cell(tenant_db):
    db = tenant_db("alpha")
    content = csv_file(MARTIN_1.replace("3 rue des Écoles", '"3 rue des Écoles\nBâtiment B"'),
                       BERNARD.replace("21/01/2019", "2019"))
    plan = csv_import.check(content.encode(), db, dt.date(2025, 12, 8))
    # An address is one line (issue 15, point 8: control characters outside multi-line fields): refused on the
    # spreadsheet's line 2, and BERNARD's date still on line 4 although a cell above spans two lines.
    assert [e.line for e in plan.errors] == [2, 4] and plan.errors[1].params.get("value") == "2019"


def test_welcome_mails_cost_the_same_queries_for_one_family_or_five(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)

    def welcome(numbers: list[str]) -> int:
        families = [make_family(db, number=n, password=None, email=f"f{n}@example.org") for n in numbers]
        token = csrf_token(client.get("/agent/familles").get_data(as_text=True))
        ids = ",".join(str(f.id) for f in families)
        with recorded_sql() as statements:
            answer = client.post("/agent/familles/bienvenue", data={"csrf_token": token, "familles": ids})
        assert answer.status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    assert welcome(["300001"]) == welcome(["300002", "300003", "300004", "300005", "300006"])
    assert len(outbox(db)) == 6
