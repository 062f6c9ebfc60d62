"""A commune's rules, as declared under `settings:` in tenants.yaml.

Validated at start-up by `tenancy.load_registry(path, CommuneSettings)`. The deadline
rules are data here; the engine that applies them lives in the planning domain.
"""
import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weekday(str, Enum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"

    @property
    def index(self) -> int:
        """Monday is 0, as in `date.weekday()`."""
        return list(Weekday).index(self)


class RollingDeadline(_Strict):
    """Day D must be asked before D−N at HH:MM (seed 002: N=2 at 23:59)."""

    kind: Literal["rolling"]
    days_before: int = Field(ge=0, le=60)
    time: dt.time
    working_days_only: bool = False


class WeeklyDeadline(_Strict):
    """Next week closes on a weekday at a time (seed 003: Friday 12:00)."""

    kind: Literal["weekly"]
    weekday: Weekday
    time: dt.time


class DayBeforeDeadline(_Strict):
    """The day before, at a time (e.g. 10:00)."""

    kind: Literal["day_before"]
    time: dt.time


class SameDayDeadline(_Strict):
    """The same day, before a time (e.g. illness before 08:30)."""

    kind: Literal["same_day"]
    time: dt.time


Deadline = Annotated[
    RollingDeadline | WeeklyDeadline | DayBeforeDeadline | SameDayDeadline, Field(discriminator="kind")
]


class AbsenceMotive(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    excused: bool = True  # an excused absence is not billed
    late_allowed: bool = False  # may be declared after the absence deadline


# Seed 002's nine motives, in its order.
DEFAULT_MOTIVES = (
    AbsenceMotive(code="medical", label="RAISON MEDICALE", late_allowed=True),
    AbsenceMotive(code="school_trip", label="VOYAGE OU SORTIE SCOLAIRE"),
    AbsenceMotive(code="teacher_absent", label="ABSENCE DE L'ENSEIGNANT", late_allowed=True),
    AbsenceMotive(code="strike", label="GREVE DU PERSONNEL OU DES ENSEIGNANTS", late_allowed=True),
    AbsenceMotive(code="road_accident", label="ACCIDENT DE LA CIRCULATION", late_allowed=True),
    AbsenceMotive(code="support_session", label="PARTICIPATION A UNE SEQUENCE DE SOUTIEN"),
    AbsenceMotive(code="force_majeure", label="CAS DE FORCE MAJEURE", late_allowed=True),
    AbsenceMotive(code="exceptional", label="CIRCONSTANCES EXCEPTIONNELLES"),
    AbsenceMotive(code="other", label="AUTRES", excused=False),
)


class PayfipSettings(_Strict):
    client_id: str = Field(pattern=r"^\d{6}$")  # the « identifiant collectivité » (seed 004: 021289)
    environment: Literal["test", "activation", "production"] = "test"
    pay_all: bool = True  # « Tout payer »: one payment for every unpaid invoice of a régie


class ServiceRules(_Strict):
    """What one service does differently from the commune (e.g. RESTAURATION's absences)."""

    reservation_deadline: Deadline | None = None
    absence_deadline: Deadline | None = None
    validation_mode: Literal["automatic", "agent"] | None = None


class CommuneSettings(_Strict):
    reservation_deadline: Deadline
    absence_deadline: Deadline
    validation_mode: Literal["automatic", "agent"] = "automatic"
    services: dict[str, ServiceRules] = Field(default_factory=dict)  # by service code
    absence_motives: tuple[AbsenceMotive, ...] = Field(default=DEFAULT_MOTIVES, min_length=1)
    payment_mode: Literal["payfip", "tresorerie"] = "tresorerie"
    payfip: PayfipSettings | None = None
    tresorerie_text: str = (
        "Le règlement en ligne n'est pas disponible. Vous recevrez un avis des sommes à payer "
        "de la trésorerie."
    )
    password_reset: Literal["link", "temporary_password"] = "link"
    school_zone: Literal["A", "B", "C"] = "A"

    @model_validator(mode="after")
    def _payment_is_complete(self) -> "CommuneSettings":
        if self.payment_mode == "payfip" and self.payfip is None:
            raise ValueError("payment_mode payfip demande une section payfip (client_id)")
        codes = [m.code for m in self.absence_motives]
        if len(codes) != len(set(codes)):
            raise ValueError("absence_motives : codes en double")
        return self

    def rules_for(self, service_code: str) -> tuple:
        """(reservation deadline, absence deadline, validation mode) of one service."""
        own = self.services.get(service_code) or ServiceRules()
        return (own.reservation_deadline or self.reservation_deadline,
                own.absence_deadline or self.absence_deadline,
                own.validation_mode or self.validation_mode)

    def motive(self, code: str) -> AbsenceMotive | None:
        return next((m for m in self.absence_motives if m.code == code), None)
