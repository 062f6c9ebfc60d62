"""The planning's figures: a family's month page, and the agents' day of a 2,000-children commune.

1. GET /planning?mois=… of a family of 3 children × 4 services over a 31-day month, with
   reservations, absences, a pending request, a refusal and a closure in it. Its throughput
   is measured by run.py in the same gunicorn and the same interleaved slices as GET /sante.
2. GET /agent/journee?date=… (and its CSV) for a commune of 2,000 children in ~1,000
   families, all enrolled in the 4 services, most of them booked that day, with a few
   pending requests and absences. Server time is gunicorn's own (access log `%(D)s`, the
   microseconds from request to response) in a 1-worker gunicorn with nothing else to do,
   median of 20 requests; the client's round trip is printed next to it.

Sessions are made the way the app makes them: a token of our own whose SHA-256 digest is a
row of the commune's `auth_session`, and a cookie signed with the app's SECRET_KEY holding
`<slug>:<token>`. Bulk data goes in with executemany (one INSERT per table, a few
statements in all), within a time box.
"""
import datetime as dt
import http.client
import random
import re
import secrets
import statistics
import time
from calendar import monthrange
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bench.load import exchange, open_connection, request_bytes
from bench.server import gunicorn
from webapp.auth.models import Agent, AuthSession
from webapp.auth.reset_rules import digest
from webapp.demo.data import SERVICES
from webapp.families.models import Child, Family
from webapp.planning.calendar import SchoolCalendar, enrolment_year
from webapp.planning.models import Closure, DayRequest, Enrolment, Service

FAMILY_CHILDREN = ("Zélie", "Anatole", "Capucine")
DAY_CHILDREN = 2000  # the commune of the agents' day
DAY_SAMPLES = 20  # requests measured per page (after 2 warm-up requests)
CSV_SAMPLES = 5
REQUEST_DAYS = 10  # running days around the measured day that carry requests (a realistic table)
PREPARE_BUDGET = 60.0  # seconds: the bulk data of one commune must be in by then
DAY_GOAL_MS = 200
PAGE_GOAL = 0.25
# Share of children booked in each service on a running day (the canteen is the busy one).
BOOKED_SHARE = {"restauration": 0.9, "garderie_matin": 0.45, "garderie_midi": 0.35, "garderie_soir": 0.6}
ACCESS_LOG = ["--access-logfile", "-", "--access-logformat", "ACCESS %(m)s %(U)s %(s)s %(D)s"]

NO_GOAL = "—"  # a figure printed for information: the table says "info", not OK or SKIPPED
Figure = tuple[str, str, str, bool | None]  # metric, value, goal, ok (run.Row's fields)


def say(message: str) -> None:
    print(f"· {message}", flush=True)


@dataclass
class Target:
    """A page to request as someone: its host, path, cookie, and a text it must contain."""

    host: str
    path: str
    cookie: str
    expect: str


class TimeBox:
    """Raises once the preparation of one commune took longer than its budget."""

    def __init__(self, label: str, budget: float = PREPARE_BUDGET):
        self.label, self.budget, self.started = label, budget, time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def check(self, step: str) -> None:
        if self.elapsed > self.budget:
            raise RuntimeError(f"{self.label}: preparing the data took over {self.budget:.0f} s (at {step})")


# --- dates ------------------------------------------------------------------------------------
def today() -> dt.date:
    return dt.date.today()


def next_long_month(after: dt.date) -> dt.date:
    """The first 31-day month after this one (December 2026 when run in November 2026)."""
    month = after.replace(day=1)
    while True:
        month = (month + dt.timedelta(days=32)).replace(day=1)
        if monthrange(month.year, month.month)[1] == 31:
            return month


def running_days(calendar: SchoolCalendar, start: dt.date, count: int, weekdays: str = "1101100") -> list[dt.date]:
    """`count` days from `start` on which the services run and school is on."""
    days, day = [], start
    while len(days) < count:
        if weekdays[day.weekday()] == "1" and calendar.covers(day) and calendar.fact(day) is None:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --- sessions ---------------------------------------------------------------------------------
def open_session(db: Session, kind: str, account_id: int, now: dt.datetime) -> str:
    """A signed-in session row for the account; the token (only its digest is stored).

    `second_factor_done` is True for both kinds, as the app opens them: a family has no
    second factor (auth/views.py), an agent's session is replaced once the code is typed.
    """
    token = secrets.token_urlsafe(32)
    db.execute(insert(AuthSession), [dict(token_hash=digest(token), account_kind=kind, account_id=account_id,
                                          second_factor_done=True, created_at=now, last_seen_at=now)])
    return token


def cookie_for(app, slug: str, token: str) -> str:
    """The signed Flask session cookie of that session, as a browser sends it."""
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": f"{slug}:{token}", "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def _services(db: Session, school: str) -> list[Service]:
    db.execute(insert(Service), [dict(code=code, name=name, site=school, regie=regie, weekdays="1101100",
                                      nature="meal" if code == "restauration" else "childcare")
                                 for code, name, regie in SERVICES])
    return list(db.scalars(select(Service).order_by(Service.id)))


def _school(commune: dict) -> str:
    return f"École de {commune['villages'][0]['name']}"


# --- 1. the family's month --------------------------------------------------------------------
def family_page(app, commune: dict) -> Target:
    """One family of 3 children in the 4 services, a month of requests; the page to measure."""
    tenancy = app.extensions["tenancy"]
    tenant = tenancy.registry.get(commune["slug"])
    box = TimeBox(f"family page ({tenant.slug})")
    now = dt.datetime.now(dt.UTC)
    month = next_long_month(today())
    end = month.replace(day=31)
    calendar = SchoolCalendar(zone=tenant.settings.school_zone)
    starts_on, ends_on = enrolment_year(today())
    with Session(tenancy.storage.engine_for(tenant.schema)) as db:
        services = _services(db, _school(commune))
        by_code = {s.code: s for s in services}
        db.execute(insert(Family), [dict(number="900001", civility="Mme", last_name="BANC", first_name="Mesure",
                                         email="banc@example.org", village=commune["villages"][0]["name"])])
        family_id = db.scalar(select(Family.id).where(Family.number == "900001"))
        db.execute(insert(Child), [dict(family_id=family_id, last_name="BANC", first_name=name,
                                        birth_date=dt.date(2016 + 2 * n, 3 + n, 10), school=_school(commune),
                                        school_class=("CM1", "CE1", "GS")[n])
                                   for n, name in enumerate(FAMILY_CHILDREN)])
        children = list(db.scalars(select(Child.id).where(Child.family_id == family_id).order_by(Child.id)))
        db.execute(insert(Enrolment), [dict(child_id=c, service_id=s.id, starts_on=starts_on, ends_on=ends_on)
                                       for c in children for s in services])
        days = [month + dt.timedelta(days=n) for n in range(31)]
        school_days = [d for d in days if d.weekday() in (0, 1, 3, 4) and calendar.covers(d)
                       and calendar.fact(d) is None]

        def request(child, service, day, kind="reservation", state="accepted", **extra):
            return dict(dict(family_id=family_id, child_id=child, service_id=by_code[service].id, day=day, kind=kind,
                             state=state, regular=False, motive=None, comment="", late=False, billed=None,
                             created_at=now, decided_at=None if state == "pending" else now, reason=""), **extra)

        rows = [request(c, "restauration", d, regular=True) for c in children for d in school_days]  # « Régulier »
        rows += [request(children[0], "garderie_soir", d) for d in school_days[::2]]
        rows += [request(children[1], "garderie_matin", d) for d in school_days[1::3]]
        if len(school_days) >= 6:
            rows += [
                request(children[2], "garderie_matin", school_days[2], state="pending"),
                request(children[2], "garderie_soir", school_days[3], state="refused", reason="Complet"),
                request(children[0], "restauration", school_days[4], kind="absence", state="pending",
                        motive="medical", comment="Rendez-vous"),
                request(children[1], "restauration", school_days[5], kind="absence", motive="other", billed=True),
            ]
        db.execute(insert(DayRequest), rows)
        if len(school_days) >= 7:
            db.execute(insert(Closure), [dict(day=school_days[6], service_id=by_code["garderie_midi"].id,
                                              reason="Sortie scolaire", created_at=now)])
        token = open_session(db, "family", family_id, now)
        db.commit()
        box.check("commit")
    tenancy.storage.dispose()  # no pooled connection crosses gunicorn's fork or lingers on SQLite
    say(f"family page: {tenant.slug}, {len(children)} children × {len(services)} services, "
        f"{len(rows)} requests in {month:%Y-%m} ({len(school_days)} school days), prepared in {box.elapsed:.2f} s")
    return Target(commune["hosts"][0], f"/planning?mois={month:%Y-%m}", cookie_for(app, tenant.slug, token),
                  FAMILY_CHILDREN[0])


def get(port: int, target: Target) -> tuple[int, dict[str, str], str]:
    """One GET with the target's cookie: status, headers (lower-case names), body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", target.path, headers={"Host": target.host, "Cookie": target.cookie,
                                                  "User-Agent": "portail-famille-bench", "Accept": "text/html"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        headers = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), value)
        cookies = [v for n, v in response.getheaders() if n.lower() == "set-cookie"]
        headers["set-cookie"] = cookies[-1] if cookies else ""
        return response.status, headers, body
    finally:
        conn.close()


def checked(port: int, target: Target, label: str) -> Target:
    """The target as a browser would send it once signed in; fails loudly unless the page is served.

    When the first answer updates the session cookie (Flask-WTF's CSRF token, Flask-Login's
    session identifier), the updated cookie is kept, as a browser would, so that the measured
    requests are a signed-in visitor's steady state rather than a first visit each time.
    """
    status, headers, body = get(port, target)
    if status != 200 or target.expect not in body:
        raise RuntimeError(f"{label}: GET {target.path} on {target.host} answered {status} "
                           f"(location {headers.get('location', '-')}), "
                           f"{'with' if target.expect in body else 'without'} « {target.expect} »: "
                           "a benchmark of that page would measure something else")
    name = target.cookie.partition("=")[0]
    adopted = headers["set-cookie"].startswith(name + "=")
    if adopted:
        target = Target(target.host, target.path, headers["set-cookie"].split(";", 1)[0], target.expect)
        status, headers, body = get(port, target)
        if status != 200 or target.expect not in body:
            raise RuntimeError(f"{label}: with the cookie the app set, GET {target.path} answered {status}")
    say(f"{label}: GET {target.path} on {target.host} → {status}, {len(body.encode()) / 1024:.0f} kB, "
        f"« {target.expect} » found; {'the cookie the app updated is used' if adopted else 'cookie as built'}"
        f"{', which the app still rewrites on each request' if headers['set-cookie'] else ''}")
    return target


# --- 2. the agents' day -----------------------------------------------------------------------
def _day_commune(app, commune: dict, label: str) -> tuple[dt.date, str, dict]:
    """2,000 children in ~1,000 families, 4 services, requests on REQUEST_DAYS running days;
    an admin agent signed in. Returns the measured day, the cookie and what was inserted."""
    tenancy = app.extensions["tenancy"]
    tenant = tenancy.registry.get(commune["slug"])
    box = TimeBox(f"agents' day ({tenant.slug}, {label})")
    rng = random.Random(f"bench-day:{tenant.slug}")
    now = dt.datetime.now(dt.UTC)
    calendar = SchoolCalendar(zone=tenant.settings.school_zone)
    starts_on, ends_on = enrolment_year(today())
    days = running_days(calendar, today() + dt.timedelta(days=1), REQUEST_DAYS)
    day = days[len(days) // 2]  # requests before and after it too: the query must pick its day
    sizes, total = [], 0
    while total < DAY_CHILDREN:  # 1 to 3 children a family, 2 on average: ~1,000 families
        sizes.append(min(rng.choice((1, 2, 2, 3)), DAY_CHILDREN - total))
        total += sizes[-1]
    counts = {}
    with Session(tenancy.storage.engine_for(tenant.schema)) as db:
        services = _services(db, _school(commune))
        db.execute(insert(Family), [dict(number=str(500000 + n), civility="Mme", last_name=f"FAMILLE{n:04d}",
                                         first_name="Parent", email=f"famille{n}@example.org",
                                         village=commune["villages"][0]["name"]) for n in range(len(sizes))])
        families = list(db.scalars(select(Family.id).order_by(Family.id)))
        first_names = ("Léa", "Hugo", "Jade", "Louis", "Emma", "Gabriel", "Alice", "Jules", "Inès", "Arthur")
        classes = ("PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2")
        db.execute(insert(Child), [dict(family_id=f, last_name=f"FAMILLE{n:04d}", first_name=rng.choice(first_names),
                                        birth_date=dt.date(rng.randint(2015, 2023), rng.randint(1, 12),
                                                           rng.randint(1, 28)),
                                        school=_school(commune), school_class=rng.choice(classes))
                                   for n, (f, size) in enumerate(zip(families, sizes)) for _ in range(size)])
        children = db.execute(select(Child.id, Child.family_id).order_by(Child.id)).all()
        box.check("children")
        db.execute(insert(Enrolment), [dict(child_id=c, service_id=s.id, starts_on=starts_on, ends_on=ends_on)
                                       for c, _f in children for s in services])
        box.check("enrolments")
        rows = []
        for d in days:
            for child, family in children:
                for service in services:
                    if rng.random() >= BOOKED_SHARE[service.code]:
                        continue
                    base = dict(family_id=family, child_id=child, service_id=service.id, day=d, regular=False,
                                comment="", late=False, motive=None, billed=None, created_at=now, reason="")
                    roll = rng.random()
                    pending = roll < 0.02  # a few requests still to decide
                    rows.append(dict(base, kind="reservation", state="pending" if pending else "accepted",
                                     decided_at=None if pending else now))
                    if not pending and roll > 0.96:  # a few absences: accepted, or waiting for an agent
                        waiting = roll > 0.99
                        rows.append(dict(base, kind="absence", state="pending" if waiting else "accepted",
                                         motive="medical" if roll > 0.98 else "other", billed=roll <= 0.98,
                                         decided_at=None if waiting else now))
        chunk = 20_000
        for start in range(0, len(rows), chunk):
            db.execute(insert(DayRequest), rows[start:start + chunk])
            box.check(f"day requests {start + chunk:,}")
        db.execute(insert(Agent), [dict(email="agent-bench@example.org", name="Agent du banc", role="admin")])
        agent_id = db.scalar(select(Agent.id).where(Agent.email == "agent-bench@example.org"))
        token = open_session(db, "agent", agent_id, now)
        db.commit()
        if tenancy.storage.is_postgres:  # what autovacuum does soon after a bulk load: planner statistics
            for table in ("family", "child", "enrolment", "day_request", "service"):
                db.execute(text(f'ANALYZE "{tenant.schema}".{table}'))
            db.commit()
        box.check("commit")
        on_day = [r for r in rows if r["day"] == day]
        counts = dict(families=len(families), children=len(children), enrolments=len(children) * len(services),
                      requests=len(rows), on_day=len(on_day),
                      pending=sum(r["state"] == "pending" for r in on_day),
                      absences=sum(r["kind"] == "absence" for r in on_day))
    tenancy.storage.dispose()
    say(f"agents' day, {label}: {tenant.slug}, {counts['families']:,} families, {counts['children']:,} children, "
        f"{counts['enrolments']:,} enrolments, {counts['requests']:,} requests over {len(days)} days "
        f"({counts['on_day']:,} on {day}: {counts['pending']} pending, {counts['absences']} absences), "
        f"inserted in {box.elapsed:.1f} s")
    return day, cookie_for(app, tenant.slug, token), counts


def _server_times(log: Path, path: str) -> list[float]:
    """Milliseconds gunicorn spent on each request for `path` (access log `%(D)s`, in µs)."""
    pattern = re.compile(r"^ACCESS GET (\S+) (\d{3}) (\d+)$")
    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.match(line.strip())
        if match and match.group(1) == path.partition("?")[0] and match.group(2) == "200":
            found.append(int(match.group(3)) / 1000)
    return found


def _timed(port: int, target: Target, samples: int) -> list[float]:
    """Client round trips (ms) of `samples` requests, one after the other, after 2 warm-ups."""
    request = request_bytes(target.host, target.path, target.cookie)
    times = []
    for n in range(samples + 2):
        connection, closed = None, True
        started = time.perf_counter()
        try:
            connection = open_connection(port)
            status, closed = exchange(connection, request)
        finally:
            if connection is not None and not closed:
                connection[1].close()
                connection[0].close()
        if status != 200:
            raise RuntimeError(f"GET {target.path} answered {status}")
        if n >= 2:
            times.append((time.perf_counter() - started) * 1000)
    return times


def agent_day(app, env: dict, commune: dict, label: str, logs: Path) -> list[Figure]:
    """Prepare the 2,000 children, then time the day's page and its CSV in a 1-worker gunicorn."""
    day, cookie, counts = _day_commune(app, commune, label)
    host = commune["hosts"][0]
    page = Target(host, f"/agent/journee?date={day.isoformat()}", cookie, "FAMILLE")
    export = Target(host, f"/agent/journee.csv?date={day.isoformat()}", cookie, "FAMILLE")
    log = logs / f"gunicorn-day-{label}.log"
    with gunicorn(env, 1, log, extra_args=ACCESS_LOG) as server:
        page = checked(server.port, page, f"agents' day, {label}")
        status, _headers, body = get(server.port, export)
        if status != 200 or "FAMILLE" not in body:
            raise RuntimeError(f"agents' day, {label}: GET {export.path} answered {status}")
        say(f"agents' day, {label}: CSV → {status}, {body.count(chr(10)) - 1:,} lines")
        export = Target(host, export.path, page.cookie, export.expect)
        page_client = _timed(server.port, page, DAY_SAMPLES)
        csv_client = _timed(server.port, export, CSV_SAMPLES)
        time.sleep(0.3)  # the access log is written after the response
    page_server = _server_times(log, page.path)[-DAY_SAMPLES:]
    csv_server = _server_times(log, export.path)[-CSV_SAMPLES:]
    if len(page_server) < DAY_SAMPLES or len(csv_server) < CSV_SAMPLES:
        raise RuntimeError(f"agents' day, {label}: gunicorn's access log has {len(page_server)} page and "
                           f"{len(csv_server)} CSV times (see {log})")
    p, c = statistics.median(page_server), statistics.median(csv_server)
    say(f"agents' day, {label}: page server time median {p:.0f} ms (min {min(page_server):.0f}, "
        f"max {max(page_server):.0f}; client round trip median {statistics.median(page_client):.0f} ms); "
        f"CSV median {c:.0f} ms (client {statistics.median(csv_client):.0f} ms)")
    children = f"{counts['children']:,} children"
    return [
        (f"agents' day page, {children} ({label}, server time, median of {DAY_SAMPLES})", f"{p:.1f} ms",
         f"< {DAY_GOAL_MS} ms", p < DAY_GOAL_MS),
        (f"agents' day CSV export, {children} ({label}, server time, median of {CSV_SAMPLES})", f"{c:.1f} ms",
         NO_GOAL, None),
    ]
