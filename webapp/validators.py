"""Form validators and fields shared by every form, and the one way to give a select its choices."""
import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from webapp.characters import has_control_characters
from webapp.dates import parse_day

_ASCII_NUMBER = re.compile(r"\s*[0-9]{1,18}\s*", re.ASCII)


class PrintableText:
    """Refuse control characters (NUL, escapes, and line breaks but in a `multiline` field):
    no database, e-mail header or one-line field should see them (webapp.characters: the rule)."""

    def __init__(self, message=None, multiline: bool = False):
        self.message = message or _l("Ce champ contient des caractères non autorisés.")
        self.multiline = multiline

    def __call__(self, _form, field) -> None:
        if has_control_characters(field.data or "", multiline=self.multiline):
            raise ValidationError(self.message)


class AsciiDigits:
    """A whole number typed with the digits 0 to 9 only, at most 18: int(), behind IntegerField, also reads
    « ١٢ » (Arabic-Indic), « １２ » (full-width) and « 1_000 ». It stops the chain: NumberRange compares
    with floats, and a number of 300 digits overflowed there (OverflowError, a 500)."""

    def __call__(self, _form, field) -> None:
        raw = (field.raw_data or [""])[0]
        if raw and not _ASCII_NUMBER.fullmatch(raw):
            field.errors[:] = []  # IntegerField's own English « Not a valid integer value. » goes
            raise StopValidation(_l("Nombre invalide : chiffres de 0 à 9 seulement."))


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class DayField(StringField):
    """A date picker whose errors are French sentences (WTForms' DateField speaks English)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        if self.data and parse_day(self.data) is None:
            raise ValidationError(_l("Date invalide : choisissez une date du calendrier (AAAA-MM-JJ)."))

    @property
    def day(self) -> dt.date | None:
        return parse_day(self.data)
