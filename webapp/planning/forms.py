"""The family planning's forms: selected cells, absence motive, weekly pattern (« Régulier »).

A cell travels as "childId:serviceId:YYYY-MM-DD"; anything else is a forged request and
the whole POST is answered 400 (`BadCells`), before any data is read or written. Whose
child it is is checked by the view, against the signed-in family.
"""
import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.dates import parse_day
from webapp.planning.rules import Cell
from webapp.validators import DayField, PrintableText, select_choices

MAX_CELLS = 1000  # a month of 4 services for 8 children; more is not a person clicking
MAX_COMMENT = 500
# ASCII digits: « \d » also matches « ١ » and « １ », which int() reads (« ١:١:2027-01-04 » booked a day).
_CELL = re.compile(r"([0-9]{1,18}):([0-9]{1,18}):([0-9]{4}-[0-9]{2}-[0-9]{2})")
_ID = re.compile(r"[0-9]{1,18}")
WEEKDAYS = (("0", _l("Lundi")), ("1", _l("Mardi")), ("2", _l("Mercredi")), ("3", _l("Jeudi")), ("4", _l("Vendredi")))
PATTERN_HORIZON = dt.timedelta(days=366)  # « jusqu'au … »: at most about a year ahead


class BadCells(Exception):
    """A cell or request id that no page of ours sends: the whole request is refused.

    Not a ValueError on purpose: WTForms would swallow it as a field error.
    """


def parse_cell(value: str) -> Cell:
    """A cell as the grid sends it; anything else (another format, a day outside the years the
    planning shows) is a forged request."""
    match = _CELL.fullmatch(value or "")
    day = parse_day(match.group(3)) if match else None
    if day is None:
        raise BadCells(value)
    return Cell(int(match.group(1)), int(match.group(2)), day)


class CellsField(Field):
    """Every checked cell of the grid (`cases`), parsed strictly; duplicates kept once, in order."""

    def process_formdata(self, valuelist):
        if len(valuelist) > MAX_CELLS:
            raise BadCells("too many cells")
        cells = []
        for value in valuelist:
            cell = parse_cell(value)
            if cell not in cells:
                cells.append(cell)
        self.data = cells

    def _value(self):
        return ""


class IdsField(Field):
    """Request ids (`demande`) of pending requests the grid showed, parsed strictly."""

    def process_formdata(self, valuelist):
        if len(valuelist) > MAX_CELLS:
            raise BadCells("too many ids")
        ids = []
        for value in valuelist:
            if not _ID.fullmatch(value or ""):
                raise BadCells(value)
            if int(value) not in ids:
                ids.append(int(value))
        self.data = ids


class _ReturnTo(FlaskForm):
    """Where to come back: the family's month, or one child's (`enfant`)."""

    mois = HiddenField()
    enfant = HiddenField()

    @property
    def child_id(self) -> int | None:
        value = self.enfant.data or ""
        if value == "":
            return None
        if not _ID.fullmatch(value):
            raise BadCells(value)
        return int(value)


class ReserveForm(_ReturnTo):
    cases = CellsField(default=list)
    demande = IdsField(default=list)  # pending cells ticked too: answered "state"

    def validate_cases(self, field):
        if not field.data and not self.demande.data:
            raise ValidationError(_l("Sélectionnez au moins un jour dans le planning."))


class AbsenceForm(ReserveForm):
    motif = RadioField(_l("Motif de l'absence"), validators=[InputRequired(
        message=_l("Choisissez le motif de l'absence."))], validate_choice=False)
    commentaire = TextAreaField(
        _l("Commentaire (facultatif)"),
        validators=[Optional(), Length(max=MAX_COMMENT, message=_l(
            "Le commentaire ne doit pas dépasser %(max)d caractères.", max=MAX_COMMENT)),
            PrintableText(multiline=True)],
    )

    def __init__(self, *args, motives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.motif.choices = select_choices((m.code, m.label) for m in motives)
        self._motives = {m.code for m in motives}

    def validate_motif(self, field):
        if field.data not in self._motives:
            raise ValidationError(_l("Choisissez le motif de l'absence dans la liste."))


class WithdrawForm(_ReturnTo):
    demande = IdsField(default=list)
    cases = CellsField(default=list)  # free or booked cells ticked too: answered "state"

    def validate_demande(self, field):
        if not field.data and not self.cases.data:
            raise ValidationError(_l("Sélectionnez au moins une demande en attente dans le planning."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PatternForm(FlaskForm):
    """« Réserver tous les lundis, mardis et jeudis jusqu'au … »."""

    enfant = SelectField(_l("Enfant"), validators=[DataRequired(message=_l("Choisissez l'enfant."))],
                         validate_choice=False)
    services = MultiCheckboxField(_l("Services"), validate_choice=False)
    jours = MultiCheckboxField(_l("Jours de la semaine"), validate_choice=False)
    du = DayField(_l("Du"), validators=[DataRequired(message=_l("Indiquez la date de début."))])
    au = DayField(_l("Jusqu'au"), validators=[DataRequired(message=_l("Indiquez la date de fin."))])

    def __init__(self, *args, children=(), services=(), today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.enfant.choices = select_choices((str(c.id), f"{c.first_name} {c.last_name}") for c in children)
        self.services.choices = select_choices((str(s.id), s.name) for s in services)
        self.jours.choices = select_choices(WEEKDAYS)
        self._children = {str(c.id) for c in children}
        self._services = {str(s.id) for s in services}

    def validate_enfant(self, field):
        if field.data not in self._children:
            raise ValidationError(_l("Choisissez l'enfant dans la liste."))

    def validate_services(self, field):
        if not field.data:
            raise ValidationError(_l("Choisissez au moins un service."))
        if any(value not in self._services for value in field.data):
            raise ValidationError(_l("Choisissez les services dans la liste."))

    def validate_jours(self, field):
        if not field.data:
            raise ValidationError(_l("Choisissez au moins un jour de la semaine."))
        if any(value not in {v for v, _label in WEEKDAYS} for value in field.data):
            raise ValidationError(_l("Choisissez les jours dans la liste (du lundi au vendredi)."))

    def validate_du(self, field):
        if field.day is not None and field.day < self.today:
            raise ValidationError(_l("Choisissez aujourd'hui ou une date à venir."))

    def validate_au(self, field):
        start, end = self.du.day, field.day
        if end is None:
            return
        if start is not None and end < start:
            raise ValidationError(_l("La date de fin doit suivre la date de début."))
        if end > self.today + PATTERN_HORIZON:
            raise ValidationError(_l("Choisissez une date de fin à moins d'un an d'aujourd'hui."))

    @property
    def weekdays(self) -> set[int]:
        return {int(value) for value in self.jours.data or ()}

    @property
    def service_ids(self) -> list[int]:
        return [int(value) for value in self.services.data or ()]
