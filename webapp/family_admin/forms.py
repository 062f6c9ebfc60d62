"""Forms of the agents' family pages. Values are checked by the family record's sections
(webapp.records.sections) in the views, so the rules are those of the record pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField
from wtforms import Form as SubForm
from wtforms.validators import Length, Optional

from webapp.records import choices
from webapp.validators import PrintableText, select_choices

CHILD_BLOCKS = 3


def _choices(pairs) -> list:
    return select_choices([("", _l("—"))] + [(code, _l(label)) for code, label in pairs])


class ChildBlock(SubForm):
    """One child of the new family; a block left empty is ignored."""

    first_name = StringField(_l("Prénom"), validators=[Optional(), PrintableText()])
    last_name = StringField(_l("Nom (si différent)"), validators=[Optional(), PrintableText()])
    birth_date = StringField(_l("Date de naissance"), render_kw={"type": "date"}, validators=[Optional()])
    sex = SelectField(_l("Sexe"), choices=_choices(choices.SEXES), validate_choice=False)
    school = StringField(_l("École"), validators=[Optional(), PrintableText()])
    school_class = StringField(_l("Classe"), validators=[Optional(), PrintableText()])

    def is_empty(self) -> bool:
        return not any((self[name].data or "").strip() for name in ("first_name", "last_name", "birth_date",
                                                                     "school", "school_class"))


class NewFamilyForm(FlaskForm):
    number = StringField(_l("N° famille (identifiant)"), validators=[Optional(), Length(max=20), PrintableText()])
    civility = SelectField(_l("Civilité"), choices=_choices(choices.CIVILITIES), validate_choice=False)
    last_name = StringField(_l("Nom"), validators=[PrintableText()])
    first_name = StringField(_l("Prénom"), validators=[PrintableText()])
    email = StringField(_l("Courriel"), render_kw={"type": "email", "autocomplete": "off"},
                        validators=[PrintableText()])
    phone_mobile = StringField(_l("Mobile"), render_kw={"type": "tel"}, validators=[PrintableText()])
    address = StringField(_l("Adresse"), validators=[PrintableText()])
    postcode = StringField(_l("Code postal"), render_kw={"inputmode": "numeric"}, validators=[PrintableText()])
    city = StringField(_l("Ville"), validators=[PrintableText()])
    children = FieldList(FormField(ChildBlock), min_entries=CHILD_BLOCKS, max_entries=CHILD_BLOCKS)


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier CSV"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField()  # names the checked file kept by webapp.family_admin.pending


class WelcomeForm(FlaskForm):
    pass  # the family ids come as a list of « famille » values
