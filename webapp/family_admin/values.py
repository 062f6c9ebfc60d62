"""Reading the cells of an import file with the family record's own field rules.

Plain Python. Each cell is checked by webapp.records.sections (the same rules as the record
pages); this module only adds what a spreadsheet needs: French dates « 14/05/2018 », the
usual spellings of civility and sex, family numbers and the next free number. Errors are
raised as Invalid with a French message id and its parameters, translated by the page.
"""
import datetime as dt
import re

from webapp.records import sections


def _(text: str) -> str:
    return text


class Invalid(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


FAMILY_NUMBER = re.compile(r"[0-9A-Za-z-]{1,20}")
CIVILITIES = {"madame": "Madame", "mme": "Madame", "monsieur": "Monsieur", "m": "Monsieur", "m.": "Monsieur",
              "mr": "Monsieur"}
SEXES = {"f": "F", "fille": "F", "m": "M", "g": "M", "garcon": "M", "garçon": "M"}
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
OLDEST_CHILD_YEARS = 26
FIRST_NUMBER = "100001"


def cell(column: str, section_code: str, field_name: str, raw: str):
    """The canonical value of a cell, checked as the record's field `section_code.field_name`."""
    field = sections.section(section_code).field(field_name)
    value, error = sections.clean_field(field, raw)
    if error:
        raw = (raw or "").strip()
        if not raw:
            raise Invalid(_("colonne %(column)s : %(error)s"), column=column, error=error)
        raise Invalid(_("colonne %(column)s « %(value)s » : %(error)s"), column=column, value=raw[:60], error=error)
    return value


def family_number(value: str) -> str:
    value = (value or "").strip()
    if value and not FAMILY_NUMBER.fullmatch(value):
        raise Invalid(_("numéro de famille « %(value)s » invalide (chiffres et lettres, 20 au plus)"), value=value)
    return value


def civility(value: str) -> str:
    value = (value or "").strip()
    if value and value.casefold() not in CIVILITIES:
        raise Invalid(_("civilité « %(value)s » invalide (Madame ou Monsieur)"), value=value)
    return CIVILITIES.get(value.casefold(), "")


def sex(value: str) -> str:
    value = (value or "").strip()
    if value and value.casefold() not in SEXES:
        raise Invalid(_("sexe « %(value)s » invalide (F ou M)"), value=value)
    return SEXES.get(value.casefold(), "")


def birth_date(value: str, today: dt.date) -> dt.date:
    """« 14/05/2018 » (or 2018-05-14): a real day, not in the future, of a child's age."""
    value = (value or "").strip()
    if not value:
        raise Invalid(_("date de naissance manquante"))
    for pattern in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise Invalid(_("date de naissance « %(value)s » invalide"), value=value[:60])
    if day > today or day.year < today.year - OLDEST_CHILD_YEARS:
        raise Invalid(_("date de naissance « %(value)s » hors limites"), value=value)
    return day


def next_number(existing: set[str]) -> str:
    """The next free family number: one more than the largest numeric one (100001 for the first)."""
    numeric = [int(n) for n in existing if n.isascii() and n.isdigit() and len(n) <= 18]
    return str(max(numeric) + 1) if numeric else FIRST_NUMBER
