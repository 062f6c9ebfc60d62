"""Changing the family record: the family asks, an agent accepts or refuses; agents may also edit directly.

A request stores the proposed and the previous values (encrypted). Accepting re-checks the
values and applies them; adding a child creates it, an enrolment enrols the child for the
current school year. Every agent action is journaled — which family, child and section,
never a value. No Flask here: errors are French msgids the pages translate.
"""
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.models import record
from webapp.clock import PARIS
from webapp.families.models import AuthorisedPerson, Child, ChildHealth, Family, FamilyPartner
from webapp.planning.calendar import enrolment_year
from webapp.planning.models import Enrolment, Service
from webapp.records import sections as s
from webapp.records.models import ChangeRequest


def _(text: str) -> str:
    return text


class ChangeRefused(Exception):
    """The request cannot be made or decided; `message` is a French msgid for the visitor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NothingChanged(ChangeRefused):
    def __init__(self):
        super().__init__(_("Aucune valeur n'a changé : rien n'a été transmis."))


# --- targets ----------------------------------------------------------------------------------

def load_health(session: Session, child: Child) -> ChildHealth | None:
    return session.scalar(select(ChildHealth).where(ChildHealth.child_id == child.id))


def target_of(session: Session, sec: s.Section, family: Family, child: Child | None):
    """The object a section reads and writes (None when it does not exist yet)."""
    if sec.target == "family":
        return family
    if sec.target == "partner":
        return family.partner
    if sec.target == "child":
        return child
    if sec.target == "child_health":
        return load_health(session, child)
    if sec.target == "authorised_persons":
        return list(child.authorised_persons)
    return None  # new_child, enrolment: nothing to read


def current_values(session: Session, sec: s.Section, family: Family, child: Child | None) -> dict:
    return s.current(sec, target_of(session, sec, family, child))


def _check_child(sec: s.Section, family: Family, child: Child | None) -> None:
    if sec.per_child and (child is None or child.family_id != family.id):
        raise ChangeRefused(_("Enfant inconnu."))


def _check_enrolment(session: Session, child: Child, values: dict, now: dt.datetime) -> None:
    service = session.get(Service, values.get("service_id") or 0)
    if service is None:
        raise ChangeRefused(_("Service inconnu."))
    starts_on, ends_on = enrolment_year(now.astimezone(PARIS).date())
    enrolled = session.scalar(select(Enrolment.id).where(
        Enrolment.child_id == child.id, Enrolment.service_id == service.id,
        Enrolment.starts_on <= ends_on, Enrolment.ends_on >= starts_on).limit(1))
    if enrolled is not None:
        raise ChangeRefused(_("L'enfant est déjà inscrit à ce service."))


def _validated(sec: s.Section, values: dict) -> dict:
    """The values checked again (a stored request may hold only the fields that change)."""
    if sec.is_list:
        cleaned, errors = s.clean(sec, s.as_raw(sec, values))
    else:
        cleaned, errors = {}, {}
        for field in sec.fields:
            if field.name in values:
                cleaned[field.name], error = s.clean_field(field, values[field.name])
                if error:
                    errors[field.name] = error
    if errors:
        raise ChangeRefused(_("Les valeurs demandées ne sont plus valables."))
    return cleaned


# --- the family's requests ---------------------------------------------------------------------

def request_change(session: Session, family: Family, code: str, values: dict, now: dt.datetime,
                   child: Child | None = None) -> ChangeRequest:
    """Record a family's request (values already cleaned by `sections.clean`).

    Raises NothingChanged when the values are those on record, ChangeRefused when a request
    for the same section is already pending or the enrolment is not possible.
    """
    sec = s.section(code)
    _check_child(sec, family, child)
    values = _validated(sec, values)
    pending = select(ChangeRequest.id).where(ChangeRequest.family_id == family.id, ChangeRequest.section == code,
                                             ChangeRequest.state == "pending")
    if sec.target == "enrolment":
        _check_enrolment(session, child, values, now)
        for other in session.scalars(select(ChangeRequest).where(
                ChangeRequest.family_id == family.id, ChangeRequest.child_id == child.id,
                ChangeRequest.section == code, ChangeRequest.state == "pending")):
            if other.new_values.get("service_id") == values["service_id"]:
                raise ChangeRefused(_("Une demande d'inscription à ce service est déjà en attente."))
        old = {}
    elif sec.target == "new_child":
        old = {}
    else:
        if child is not None:
            pending = pending.where(ChangeRequest.child_id == child.id)
        if session.scalar(pending.limit(1)) is not None:
            raise ChangeRefused(_("Une demande est déjà en attente pour cette rubrique : "
                                  "retirez-la avant d'en faire une autre."))
        old = current_values(session, sec, family, child)
        changed = s.diff(old, values)
        if not changed:
            raise NothingChanged()
        if not sec.is_list:  # keep only what changes: the agent sees old → new per field
            values = {name: values[name] for name in changed}
            old = {name: old.get(name) for name in changed}
    request = ChangeRequest(family_id=family.id, child_id=child.id if child is not None else None, section=code,
                            state="pending", created_at=now, reason="")
    request.payload = {"new": values, "old": old}
    session.add(request)
    session.flush()
    return request


def withdraw(session: Session, request: ChangeRequest, family: Family, now: dt.datetime) -> None:
    if request.family_id != family.id:
        raise ChangeRefused(_("Demande inconnue."))
    if request.state != "pending":
        raise ChangeRefused(_("Cette demande a déjà été traitée."))
    _claim(session, request, "withdrawn", None, now)


# --- the agent's decisions ---------------------------------------------------------------------

def accept(session: Session, request: ChangeRequest, agent_id: int, now: dt.datetime) -> None:
    """Apply the requested values (checked again) and mark the request accepted."""
    if request.state != "pending":
        raise ChangeRefused(_("Cette demande a déjà été traitée."))
    sec = s.section(request.section)
    family = session.get(Family, request.family_id)
    child = session.get(Child, request.child_id) if request.child_id is not None else None
    _check_child(sec, family, child)
    values = _validated(sec, request.new_values)
    if sec.target == "enrolment":
        _check_enrolment(session, child, values, now)
    _claim(session, request, "accepted", agent_id, now)
    _apply(session, sec, family, child, values, now)
    _journal(session, "records.accepted", agent_id, now, request.family_id, request.child_id, request.section)


def refuse(session: Session, request: ChangeRequest, agent_id: int, reason: str, now: dt.datetime) -> None:
    if request.state != "pending":
        raise ChangeRefused(_("Cette demande a déjà été traitée."))
    _claim(session, request, "refused", agent_id, now, reason=(reason or "").strip()[:300])
    _journal(session, "records.refused", agent_id, now, request.family_id, request.child_id, request.section)


def _claim(session: Session, request: ChangeRequest, state: str, agent_id: int | None, now: dt.datetime,
           reason: str = "") -> None:
    """Decide only if still pending, in the database (two agents, or an agent and a withdrawing family,
    at the same moment: one wins, the other is told it was already processed)."""
    done = session.execute(
        update(ChangeRequest).where(ChangeRequest.id == request.id, ChangeRequest.state == "pending")
        .values(state=state, decided_at=now, decided_by=agent_id, reason=reason)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        session.refresh(request)
        raise ChangeRefused(_("Cette demande a déjà été traitée."))
    request.state, request.decided_at, request.decided_by, request.reason = state, now, agent_id, reason
    session.flush()


def apply_directly(session: Session, family: Family, code: str, values: dict, agent_id: int, now: dt.datetime,
                   child: Child | None = None) -> bool:
    """An agent's own edit of a section (values cleaned). False when nothing changed. Journaled."""
    sec = s.section(code)
    if sec.target in ("new_child", "enrolment"):
        raise ChangeRefused(_("Rubrique non modifiable ici."))
    _check_child(sec, family, child)
    values = _validated(sec, values)
    if not s.diff(current_values(session, sec, family, child), values):
        return False
    _apply(session, sec, family, child, values, now)
    _journal(session, "records.edited", agent_id, now, family.id, child.id if child else None, code)
    return True


def log_read(session: Session, agent_id: int, family_id: int, child_id: int | None, code: str,
             now: dt.datetime) -> None:
    """An agent displayed a sensitive section (health, bank, fiscal, CAF): who, whose, which — no value."""
    _journal(session, "records.read", agent_id, now, family_id, child_id, code)


def _journal(session: Session, event: str, agent_id: int, now: dt.datetime, family_id: int, child_id: int | None,
             code: str) -> None:
    where = f"family:{family_id}" + (f" child:{child_id}" if child_id else "") + f" section:{code}"
    record(session, event, now=now, account_kind="agent", account_id=agent_id, identifier=where)


def _apply(session: Session, sec: s.Section, family: Family, child: Child | None, values: dict,
           now: dt.datetime) -> None:
    if sec.target == "family":
        s.write(sec, family, values)
    elif sec.target == "partner":
        if family.partner is None:
            family.partner = FamilyPartner()
        s.write(sec, family.partner, values)
    elif sec.target == "child":
        s.write(sec, child, values)
    elif sec.target == "child_health":
        health = load_health(session, child)
        if health is None:
            health = ChildHealth(child_id=child.id)
            session.add(health)
        s.write(sec, health, values)
    elif sec.target == "authorised_persons":
        child.authorised_persons.clear()
        session.flush()
        child.authorised_persons.extend(AuthorisedPerson(**s.row_kwargs(sec, row)) for row in values["rows"])
    elif sec.target == "new_child":
        new = Child(family_id=family.id, last_name="", first_name="", birth_date=dt.date(2000, 1, 1))
        s.write(sec, new, values)
        family.children.append(new)
    elif sec.target == "enrolment":
        starts_on, ends_on = enrolment_year(now.astimezone(PARIS).date())
        session.add(Enrolment(child_id=child.id, service_id=values["service_id"], starts_on=starts_on,
                              ends_on=ends_on))
    session.flush()
