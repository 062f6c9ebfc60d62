"""Deterministic demo data: the same communes, families and children on every run.

Family numbers restart at 100100 in every commune on purpose: the same number in two
communes belongs to two different families, as in real life.
"""
import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import clock
from webapp.auth.models import Agent
from webapp.auth.passwords import hash_password
from webapp.demo.names import CHILD_FIRST_NAMES, LAST_NAMES, PARENT_FIRST_NAMES
from webapp.families.models import Child, Family
from webapp.federation.models import FederationAdmin
from webapp.planning.calendar import SchoolCalendar, enrolment_year
from webapp.planning.models import DayRequest, Enrolment, Service

FAMILY_PASSWORD = "Cartable2026"  # passes the password rule (Famille2026 would not)
AGENT_PASSWORD = "Agent-demo-2026"
ADMIN_EMAIL = "federation@portail-famille.example"
ADMIN_PASSWORD = "Federation-demo-2026"
FIRST_NUMBER = 100100
FAMILIES_PER_COMMUNE = 36

SERVICES = (
    ("garderie_matin", "GARDERIE MATIN", "Régie garderie ALSH"),
    ("garderie_midi", "GARDERIE MIDI", "Régie garderie ALSH"),
    ("garderie_soir", "GARDERIE SOIR", "Régie garderie ALSH"),
    ("restauration", "RESTAURATION", "Régie restauration scolaire"),
)


@dataclass(frozen=True)
class DemoLogins:
    family_number: str
    family_name: str
    agent_email: str


def agent_email(slug: str) -> str:
    return f"agent@{slug}.example"


def load_commune(session: Session, slug: str, village_names: list[str]) -> tuple[DemoLogins, bool]:
    """Fill one commune's database once; returns its demo logins and whether it wrote."""
    first = session.scalar(select(Family).where(Family.number == str(FIRST_NUMBER)))
    if first is not None:
        return DemoLogins(first.number, first.display_name, agent_email(slug)), False
    rng = random.Random(f"portail-famille-demo:{slug}")
    password_hash = hash_password(FAMILY_PASSWORD)  # one hash for all: the demo password is shared
    schools = [f"École de {name}" for name in village_names]
    for code, name, regie in SERVICES:
        session.add(Service(code=code, name=name, site=schools[0], regie=regie, weekdays="1101100"))
    session.add(
        Agent(email=agent_email(slug), name="Agent du service enfance", role="admin",
              password_hash=hash_password(AGENT_PASSWORD))
    )
    for index in range(FAMILIES_PER_COMMUNE):
        session.add(_family(rng, index, village_names, schools, password_hash))
    session.commit()
    first = session.scalar(select(Family).where(Family.number == str(FIRST_NUMBER)))
    return DemoLogins(first.number, first.display_name, agent_email(slug)), True


def _family(rng: random.Random, index: int, villages: list[str], schools: list[str], password_hash: str) -> Family:
    last_name = rng.choice(LAST_NAMES)
    civility, first_name = rng.choice(PARENT_FIRST_NAMES)
    village_index = rng.randrange(len(villages))
    family = Family(
        number=str(FIRST_NUMBER + index),
        civility=civility,
        last_name=last_name,
        first_name=first_name,
        email=f"famille{FIRST_NUMBER + index}@example.org",
        village=villages[village_index],
        password_hash=password_hash,
    )
    for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
        birth = dt.date(rng.randint(2015, 2023), rng.randint(1, 12), rng.randint(1, 28))
        family.children.append(
            Child(last_name=last_name, first_name=rng.choice(CHILD_FIRST_NAMES), birth_date=birth,
                  school=schools[village_index])
        )
    return family


CLASSES = {3: "PS", 4: "MS", 5: "GS", 6: "CP", 7: "CE1", 8: "CE2", 9: "CM1", 10: "CM2"}


def load_planning(session: Session, tenant, today: dt.date) -> bool:
    """Enrol every demo child in every service for this school year, and give a third of
    the families regular canteen days for this month and the next (once)."""
    if session.scalar(select(func.count()).select_from(Enrolment)):
        return False
    rng = random.Random(f"portail-famille-demo-planning:{tenant.slug}")
    calendar = SchoolCalendar(zone=tenant.settings.school_zone)
    starts_on, ends_on = enrolment_year(today)
    services = list(session.scalars(select(Service).order_by(Service.id)))
    canteen = next(s for s in services if s.code == "restauration")
    month_start = today.replace(day=1)
    days = [month_start + dt.timedelta(days=n) for n in range(62)]
    now = clock.utcnow()
    for family in session.scalars(select(Family).order_by(Family.id)):
        regular = rng.random() < 1 / 3
        for child in family.children:
            child.school_class = CLASSES.get(starts_on.year - child.birth_date.year, "")
            for service in services:
                session.add(Enrolment(child_id=child.id, service_id=service.id, starts_on=starts_on, ends_on=ends_on))
            if regular:
                session.add_all(
                    DayRequest(family_id=family.id, child_id=child.id, service_id=canteen.id, day=day,
                               kind="reservation", state="accepted", regular=True, comment="", late=False,
                               created_at=now, decided_at=now, reason="")
                    for day in days
                    if canteen.runs_on(day) and starts_on <= day <= ends_on and calendar.fact(day) is None
                )
    session.commit()
    return True


def load_platform(session: Session) -> bool:
    """The demo's federation admin; True when it was created now."""
    if session.scalar(select(func.count()).select_from(FederationAdmin)):
        return False
    session.add(FederationAdmin(email=ADMIN_EMAIL, name="Administration de la fédération",
                                password_hash=hash_password(ADMIN_PASSWORD)))
    session.commit()
    return True


def load_infos_and_messages(session: Session, tenant, uploads_folder, today: dt.date) -> bool:
    """One news item, a règlement intérieur (a PDF made now) and a thread for family 100100 (once)."""
    from webapp.demo.infos import load

    return load(session, tenant, uploads_folder, today)
