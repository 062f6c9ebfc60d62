"""Agents' forms for « Infos/Documents »."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.messages.forms import text_with_lines, unix_lines
from webapp.uploads.errors import CheckedFileField, required_file
from webapp.validators import DayField, PrintableText, select_choices

CATEGORY_LABELS = {"reglement": _l("Règlement intérieur"), "inscription": _l("Fiche d'inscription vierge"),
                   "menus": _l("Menus"), "autre": _l("Autre")}


class DatesForm(FlaskForm):
    show_from = DayField(_l("Afficher à partir du"), validators=[DataRequired(_l("Choisissez la date de début."))])
    show_until = DayField(_l("Jusqu'au (facultatif)"))

    def validate_show_until(self, field):
        if field.day is not None and self.show_from.day is not None and field.day < self.show_from.day:
            raise ValidationError(str(_l("La date de fin doit suivre la date de début.")))


class DocumentForm(DatesForm):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Saisissez un titre.")), Length(max=150),
                                                 PrintableText()])
    category = SelectField(_l("Catégorie"), choices=select_choices(CATEGORY_LABELS.items()))
    file = CheckedFileField(_l("Fichier (PDF, JPEG ou PNG, 5 Mo au plus)"),
                            validators=[required_file(_l("Choisissez le fichier à publier."))])


class NewsForm(DatesForm):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Saisissez un titre.")), Length(max=150),
                                                 PrintableText()])
    body = TextAreaField(_l("Texte"), filters=[unix_lines], render_kw={"rows": 4}, validators=[
        DataRequired(_l("Saisissez le texte de l'information.")), Length(max=2000), text_with_lines])
