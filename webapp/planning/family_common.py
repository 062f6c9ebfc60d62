"""What the family's planning pages share: who is asking, when, which month, and the texts of states.

Used by family_pages (GET) and family_actions (POST); the blueprint itself lives in
webapp.planning.views.
"""
import calendar as monthcal
import datetime as dt

from flask import g
from flask_babel import lazy_gettext as _l

from webapp import clock
from webapp.db import db
from webapp.planning import booking, deadlines
from webapp.dates import parse_month
from webapp.planning.phrases import deadline_phrases, locale_name

# Legend and cells: an icon and a short text on screen, the full label for everyone (never colour alone).
STATE_LABELS = {
    "reserved": _l("Réservé"),
    "regular": _l("Régulier"),
    "pending_reservation": _l("Demande en attente (réservation en cours de traitement)"),
    "refused_reservation": _l("Réservation refusée"),
    "pending_absence": _l("Absence en cours de traitement"),
    "absent_excused": _l("Absent excusé"),
    "absent_billed": _l("Absent facturé"),
    "present": _l("Présent"),
    "absent": _l("Absent (non prévenu)"),
    "closed": _l("Fermeture"),
    "public_holiday": _l("Jour férié"),
    "small_holidays": _l("Petites vacances"),
    "summer_holidays": _l("Grandes vacances"),
    "not_enrolled": _l("Non inscrit"),
    "free": _l("Libre"),
    "not_running": _l("Pas de service ce jour-là"),
}
STATE_ICONS = {
    "reserved": "✓", "regular": "↻", "pending_reservation": "◔", "refused_reservation": "✗",
    "pending_absence": "◷", "absent_excused": "⊘", "absent_billed": "€", "present": "●",
    "absent": "⊖", "closed": "⊗", "public_holiday": "F",
    "small_holidays": "P", "summer_holidays": "G", "not_enrolled": "–", "free": "○", "not_running": "·",
}
STATE_SHORT = {
    "reserved": _l("Rés."), "regular": _l("Rég."), "pending_reservation": _l("Att."),
    "refused_reservation": _l("Ref."), "pending_absence": _l("Abs.?"), "absent_excused": _l("Exc."),
    "absent_billed": _l("Fac."), "present": _l("Prés."), "absent": _l("Non prév."), "closed": _l("Ferm."),
    "public_holiday": _l("Férié"),
    "small_holidays": _l("Vac."), "summer_holidays": _l("Vac."), "not_enrolled": _l("N.I."),
    "free": _l("Libre"), "not_running": "",
}
LATE = {"label": _l("Hors délai"), "icon": "⚠", "short": _l("H.D.")}
REASONS = {
    "not_enrolled": _l("Non inscrit à ce service ce jour-là"),
    "not_running": _l("Le service ne fonctionne pas ce jour-là"),
    "closed": _l("Service fermé ce jour-là (fermeture ou vacances)"),
    "state": _l("Cette case ne permet pas cette demande"),
    "motive": _l("Motif inconnu"),
}
WEEKDAY_SHORT = (_l("Lu"), _l("Ma"), _l("Me"), _l("Je"), _l("Ve"), _l("Sa"), _l("Di"))


# --- who and when -------------------------------------------------------------------------

def now() -> dt.datetime:
    return clock.utcnow()


def month_or_current(value: str | None) -> dt.date:
    return parse_month(value) or clock.paris_today().replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=monthcal.monthrange(month.year, month.month)[1])


def shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- the planning and its rules ------------------------------------------------------------
def load_planning(family_id: int, start: dt.date, end: dt.date, child_ids: list[int] | None = None,
                  sentences: bool = True):
    """The family's planning over a period, its refusal sentences in the visitor's language (the
    month page writes none: it goes without them, a dozen translations fewer per visit)."""
    planning = booking.FamilyPlanning.load(db, g.tenant.settings, family_id, start, end, child_ids=child_ids)
    if sentences:
        planning.locale, planning.phrases = locale_name(), deadline_phrases()
    return planning


def deadline_rules(settings, services) -> list[dict]:
    """What the page says about the deadlines: the commune's rules, then services with their own."""
    phrases, locale = deadline_phrases(), locale_name()

    def table(rule) -> list:
        return deadlines.weekday_table(rule, locale, phrases) if getattr(rule, "kind", None) == "rolling" else []

    def describe(reservation, absence, mode):
        return dict(reservation=deadlines.describe(reservation, locale, phrases),
                    absence=deadlines.describe(absence, locale, phrases),
                    reservation_table=table(reservation), absence_table=table(absence),
                    same=reservation == absence, automatic=mode == "automatic")

    found = [dict(name=None, **describe(settings.reservation_deadline, settings.absence_deadline,
                                       settings.validation_mode))]
    for service in services:
        rules = settings.rules_for(service.code)
        if rules != (settings.reservation_deadline, settings.absence_deadline, settings.validation_mode):
            found.append(dict(name=service.name, **describe(*rules)))
    return found
