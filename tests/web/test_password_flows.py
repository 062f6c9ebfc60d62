"""The password flows of seeds 000 and 003, walked through the portal, e-mails over SMTP."""
import re
import statistics
import time

from sqlalchemy import select

from tests.factories import make_family
from tests.helpers import csrf_token, recorded_sql
from tests.helpers import sign_in
from webapp.audit.models import AuditEvent
from webapp.mail.sender import send_pending

GOOD_PASSWORD = "Tartine7Volcan"


def ask_password(client, number="100100"):
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    return client.post("/mot-de-passe-oublie", data={"identifiant": number, "csrf_token": token})


def deliver(app, smtp_server, use_mail_server):
    use_mail_server(smtp_server.port)
    send_pending(app)
    return smtp_server.handler.received


def choose(client, url, password, confirm=None):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def test_seed_000_temporary_password_flow(app, client_for, tenant_db, smtp_server, use_mail_server):
    make_family(tenant_db("alpha"), email="jean.dupont@example.org", password=None)  # never activated
    client = client_for("alpha.test")
    sent = ask_password(client)
    assert "Si un compte correspond à cet identifiant, un courriel a été envoyé" in sent.get_data(as_text=True)
    [mail] = deliver(app, smtp_server, use_mail_server)
    assert mail.rcpt_tos == ["jean.dupont@example.org"]
    assert mail.subject == "RPI Alpha – Envoi de vos identifiants de connexion"
    assert "Login : 100100" in mail.body and "durée de vie = 24h" in mail.body
    assert "https://famille.alpha.test/" in mail.body  # the commune's base URL, not the request's host
    temporary = re.search(r"Mot de passe : ([0-9a-f]{32})\n", mail.body).group(1)

    answer = sign_in(client, password=temporary)
    assert answer.status_code == 303 and answer.headers["Location"] == "/mot-de-passe/nouveau"
    screen = client.get("/mot-de-passe/nouveau").get_data(as_text=True)
    assert "Pour améliorer la sécurité de votre application" in screen and "au moins 8 caractères" in screen
    weak = choose(client, "/mot-de-passe/nouveau", "azerty")
    assert weak.status_code == 400 and "au moins 8 caractères dont une minuscule" in weak.get_data(as_text=True)
    saved = choose(client, "/mot-de-passe/nouveau", GOOD_PASSWORD)
    assert saved.status_code == 303
    assert client.get("/accueil").status_code == 302  # signed out, as in seed 000
    assert "Identifiez-vous avec votre nouveau mot de passe" in client.get("/").get_data(as_text=True)

    assert sign_in(client, password=GOOD_PASSWORD).headers["Location"] == "/accueil"
    assert sign_in(client_for("alpha.test"), password=temporary).status_code == 200  # used once


def test_link_flow(app, client_for, tenant_db, smtp_server, use_mail_server):
    make_family(tenant_db("beta"), email="famille@example.org")
    client = client_for("beta.test")
    ask_password(client)
    [mail] = deliver(app, smtp_server, use_mail_server)
    assert mail.subject == "Commune de Bêta – Choisissez un nouveau mot de passe"
    link = re.search(r"https://famille\.beta\.test(/mot-de-passe/lien/\S+)", mail.body).group(1)
    assert choose(client, link, GOOD_PASSWORD, confirm="Autre7Chose").status_code == 400
    assert choose(client, link, "Bêta2026Bêta").status_code == 400  # contains the commune's name
    assert choose(client, link, GOOD_PASSWORD).status_code == 303
    assert sign_in(client, password=GOOD_PASSWORD).status_code == 303
    assert client.get(link).status_code == 404  # single use


def test_old_password_works_until_the_new_one_is_chosen(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    ask_password(client)
    assert sign_in(client).status_code == 303


def test_newer_request_replaces_the_older_one(app, client_for, tenant_db, smtp_server, use_mail_server):
    make_family(tenant_db("beta"))
    client = client_for("beta.test")
    ask_password(client)
    ask_password(client)
    first, second = deliver(app, smtp_server, use_mail_server)
    links = [re.search(r"(/mot-de-passe/lien/\S+)", m.body).group(1) for m in (first, second)]
    assert client.get(links[0]).status_code == 404
    assert client.get(links[1]).status_code == 200


def test_temporary_password_expires_after_24_hours(app, client_for, tenant_db, smtp_server, use_mail_server, clock):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    ask_password(client)
    [mail] = deliver(app, smtp_server, use_mail_server)
    temporary = re.search(r"Mot de passe : ([0-9a-f]{32})", mail.body).group(1)
    clock.advance(hours=24, seconds=1)
    assert sign_in(client, password=temporary).status_code == 200


def test_reset_link_expires_after_60_minutes(app, client_for, tenant_db, smtp_server, use_mail_server, clock):
    make_family(tenant_db("beta"))
    client = client_for("beta.test")
    ask_password(client)
    [mail] = deliver(app, smtp_server, use_mail_server)
    link = re.search(r"(/mot-de-passe/lien/\S+)", mail.body).group(1)
    clock.advance(minutes=59)
    assert client.get(link).status_code == 200
    clock.advance(minutes=2)
    assert client.get(link).status_code == 404


def test_forgotten_password_does_not_reveal_accounts(app, client_for, tenant_db, smtp_server, use_mail_server):
    make_family(tenant_db("alpha"))
    known = ask_password(client_for("alpha.test"), "100100")
    unknown = ask_password(client_for("alpha.test"), "999999")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrf_token"[^>]*', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(deliver(app, smtp_server, use_mail_server)) == 1


def test_forgotten_password_timing_does_not_tell_who_exists(app, client_for, tenant_db, run_mail_worker):
    """Defect (timing oracle, issue 15 point 5): « Mot de passe oublié » answered measurably later
    for an existing family number (lookup, new secret, e-mail rendered and queued) than for an
    unknown one, and numbers are sequential, so a commune's families could be listed. Now the
    request stores the same demand row for both and the mail worker does the rest.

    50 interleaved pairs of tries (50 families with e-mail, each asked once, against 50 unknown
    numbers), the real view through the test client, commit included: the median difference
    within a pair must stay under 1 ms.
    The machine is shared (a commit on PostgreSQL can stall for milliseconds), so a round whose
    gap is noise may be measured again, three rounds at most: the defect's gap was steady
    (1.3-5 ms in-process depending on the machine). The statements compared below are the part
    that does not depend on the machine: both paths run the same SQL.
    """
    rounds, tries = 3, 50
    db = tenant_db("alpha")
    for n in range(rounds * tries + 5):
        make_family(db, number=str(100100 + n), email=f"famille{n}@example.org")
    client = client_for("alpha.test")
    token = csrf_token(client.get("/mot-de-passe-oublie").get_data(as_text=True))

    def timed_post(number: str, ip: str) -> float:
        started = time.perf_counter()
        answer = client.post("/mot-de-passe-oublie", data={"identifiant": number, "csrf_token": token},
                             environ_base={"REMOTE_ADDR": ip})  # per-IP limit: as many clients as tries
        elapsed = time.perf_counter() - started
        assert answer.status_code == 200
        return elapsed

    first = rounds * tries
    for n in range(first, first + 5):  # warm-up, not measured
        timed_post(str(100100 + n), f"10.1.0.{n % 250}")
        timed_post(str(900100 + n), f"10.2.0.{n % 250}")
    gaps = []
    for round_ in range(rounds):
        known, unknown = [], []
        for n in range(round_ * tries, (round_ + 1) * tries):
            pair = [(known, str(100100 + n), f"10.3.{round_}.{n % 250}"),
                    (unknown, str(900100 + n), f"10.4.{round_}.{n % 250}")]
            for times, number, ip in (pair if n % 2 else reversed(pair)):  # alternate which goes first
                times.append(timed_post(number, ip))
        # The median of each pair's difference: both tries of a pair run under the same load, so a
        # burst on the shared machine moves both, while the defect shifts every pair alike.
        gaps.append(abs(statistics.median(k - u for k, u in zip(known, unknown, strict=True))) * 1000)
        if gaps[-1] < 1.0:
            break
    assert gaps[-1] < 1.0, "pairs differ by (median) " + ", ".join(f"{gap:.2f}" for gap in gaps) + " ms"

    with recorded_sql() as for_known:
        timed_post("100100", "10.5.0.1")
    with recorded_sql() as for_unknown:
        timed_post("900100", "10.5.0.2")
    assert for_known == for_unknown  # the same statements: the account is not even looked up
    run_mail_worker()
    asked = len(db.scalars(select(AuditEvent).where(AuditEvent.event == "password.requested")).all())
    assert asked == 5 + tries * len(gaps) + 1  # every known family's demand became its e-mail


def test_at_most_three_requests_per_hour(app, client_for, tenant_db, smtp_server, use_mail_server, clock):
    make_family(tenant_db("beta"))
    for _ in range(4):
        ask_password(client_for("beta.test"))
    assert len(deliver(app, smtp_server, use_mail_server)) == 3
    clock.advance(hours=1, seconds=1)
    ask_password(client_for("beta.test"))
    assert len(deliver(app, smtp_server, use_mail_server)) == 4


def test_five_failures_then_a_delay_that_doubles(client_for, tenant_db, clock):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    for _ in range(5):
        assert sign_in(client, password="Mauvais123").status_code == 200
    blocked = sign_in(client)  # even the right password waits
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.get_data(as_text=True)
    clock.advance(minutes=1, seconds=1)
    assert sign_in(client, password="Mauvais123").status_code == 200  # 6th failure: 2 minutes now
    clock.advance(minutes=1, seconds=30)
    assert sign_in(client).status_code == 429
    clock.advance(seconds=31)
    assert sign_in(client).status_code == 303


def test_unknown_numbers_are_throttled_the_same_way(client_for, clock):
    client = client_for("alpha.test")
    for _ in range(5):
        sign_in(client, number="424242", password="Mauvais123")
    assert sign_in(client, number="424242", password="Mauvais123").status_code == 429


def test_change_password_ends_the_other_sessions(app, client_for, tenant_db, smtp_server, use_mail_server):
    make_family(tenant_db("alpha"), email="famille@example.org")
    here, elsewhere = client_for("alpha.test"), client_for("alpha.test")
    sign_in(here)
    sign_in(elsewhere)
    wrong = choose_change(here, current="Faux1234", new=GOOD_PASSWORD)
    assert wrong.status_code == 400 and "Le mot de passe actuel est incorrect." in wrong.get_data(as_text=True)
    assert choose_change(here, current="Famille2026", new=GOOD_PASSWORD).status_code == 303
    assert here.get("/accueil").status_code == 200
    assert elsewhere.get("/accueil").status_code == 302
    [mail] = deliver(app, smtp_server, use_mail_server)
    assert "Votre mot de passe a été modifié" in mail.subject


def choose_change(client, current, new):
    token = csrf_token(client.get("/mot-de-passe/changer").get_data(as_text=True))
    return client.post("/mot-de-passe/changer",
                       data={"current": current, "password": new, "confirm": new, "csrf_token": token})


def test_logout_revokes_the_session_on_the_server(client_for, tenant_db):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    stolen = client.get_cookie("portail_session", domain="alpha.test").value
    client.post("/deconnexion", data={"csrf_token": csrf_token(client.get("/accueil").get_data(as_text=True))})
    replay = client_for("alpha.test")
    replay.set_cookie("portail_session", stolen, domain="alpha.test")
    assert replay.get("/accueil").status_code == 302


def test_idle_and_absolute_session_limits(client_for, tenant_db, clock):
    make_family(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    clock.advance(minutes=29)
    assert client.get("/accueil").status_code == 200
    for _ in range(25):  # active all day long
        clock.advance(minutes=29)
        client.get("/accueil")
    assert client.get("/accueil").status_code == 302  # past 12 hours
    sign_in(client)
    clock.advance(minutes=31)
    assert client.get("/accueil").status_code == 302


def test_the_journal_records_events_without_secrets(client_for, tenant_db, run_mail_worker):
    db = tenant_db("alpha")
    make_family(db)
    client = client_for("alpha.test")
    sign_in(client, password="Secret-Tape-99")
    sign_in(client)
    ask_password(client)
    run_mail_worker()  # the worker answers the demand and writes « password.requested »
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.event for e in events] == ["login.failure", "login.success", "password.requested"]
    assert all("Secret-Tape-99" not in (e.identifier + e.ip) for e in events)
