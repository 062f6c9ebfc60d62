"""The family's menu (webapp.family_menu) and the session's one query (webapp.auth.users).

The menu is reused while its key is the same: the current page, the language and the unread
count must still be right on each page, and its « Déconnexion » form carries the visitor's own
CSRF token. The unread count rides in the session's query: a new message shows on the next page.
"""
import datetime as dt
import re

from sqlalchemy import select

from tests.helpers import csrf_token, recorded_sql
from tests.web.test_messages import _agent_codes_follow_the_clock  # noqa: F401  (autouse fixture)
from tests.web.test_messages import agent_client, agent_write, family_client, messages
from webapp.auth.models import AuthSession
from webapp.messages.models import Message

UNREAD = re.compile(r'Boîte de réception <span aria-hidden="true">\((\d+)\)</span>')


def unread_in_menu(page: str) -> int:
    found = UNREAD.search(page)
    return int(found.group(1)) if found else 0


def current(page: str) -> list[str]:
    nav = page[page.index('<nav class="main-nav"'):page.index("</nav>")]
    return re.findall(r'aria-current="page">(?:<svg.*?</svg> )?([^<]+)</a>', nav)


def logout_token(page: str) -> str:
    nav = page[page.index('<nav class="main-nav"'):page.index("</nav>")]
    return re.search(r'name="csrf_token" value="([^"]+)"', nav).group(1)


def test_a_new_message_shows_on_the_next_page_and_reading_it_clears_it(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    assert unread_in_menu(family_side.get("/planning").get_data(as_text=True)) == 0
    agent_write(agent_client(client_for, db), target="famille", family_number="100100")
    assert unread_in_menu(family_side.get("/planning").get_data(as_text=True)) == 1
    assert "(1 message non lu)" in family_side.get("/accueil").get_data(as_text=True)
    [message] = messages(db)
    thread = family_side.get(f"/messages/{message.id}").get_data(as_text=True)
    assert unread_in_menu(thread) == 0  # the page that marks it read counts after doing so
    assert unread_in_menu(family_side.get("/planning").get_data(as_text=True)) == 0


def test_the_reused_menu_marks_the_current_page_and_carries_the_visitors_token(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    planning = family_side.get("/planning").get_data(as_text=True)
    assert current(planning) == ["Planning"]
    assert current(family_side.get("/accueil").get_data(as_text=True)) == ["Accueil"]
    assert current(family_side.get("/planning").get_data(as_text=True)) == ["Planning"]
    assert logout_token(planning) == csrf_token(planning)
    other, _ = family_client(client_for, db, number="100200", last_name="MARTIN")
    other_page = other.get("/planning").get_data(as_text=True)
    assert logout_token(other_page) == csrf_token(other_page) != logout_token(planning)
    family_side.post("/langue", data={"locale": "en", "csrf_token": csrf_token(planning)})
    english = family_side.get("/planning").get_data(as_text=True)
    nav = english[english.index('<nav class="main-nav"'):english.index("</nav>")]
    assert "Sign out" in nav and "Déconnexion" not in nav  # another language, another menu
    assert family_side.post("/deconnexion", data={"csrf_token": logout_token(planning)}).status_code in (302, 303)


def test_a_family_page_reads_session_account_and_count_in_one_query(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    family_side.get("/accueil")
    with recorded_sql() as statements:
        assert family_side.get("/planning").status_code == 200
    auth = [s for s in statements if "auth_session" in s.lower()]
    assert len(auth) == 1 and "family" in auth[0].lower()
    assert not [s for s in statements if "from message" in s.lower() and s not in auth]


def test_an_expired_or_revoked_session_still_signs_nobody_in(client_for, tenant_db, clock):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    assert family_side.get("/planning").status_code == 200
    clock.now = clock.now + dt.timedelta(minutes=31)  # a family's idle limit is 30 minutes
    assert family_side.get("/planning").status_code == 302
    assert db.scalar(select(AuthSession)) is None  # the expired session was deleted
    assert not list(db.scalars(select(Message)))


def test_a_stored_planning_page_carries_the_visitors_token_everywhere(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    first, again = (family_side.get("/planning").get_data(as_text=True) for _ in range(2))
    assert first == again  # the stored page, and the same session's token
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', again))
    assert tokens == {csrf_token(again)} and "\x00" not in again
    other, _ = family_client(client_for, db, number="100200", last_name="MARTIN")
    other_page = other.get("/planning").get_data(as_text=True)
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', other_page)) == {csrf_token(other_page)} != tokens
