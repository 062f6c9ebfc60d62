"""The forms of the « Boîte de réception », for families and agents."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.characters import has_control_characters
from webapp.uploads.errors import CheckedFileField
from webapp.validators import PrintableText, select_choices

BODY_MAX = 5000


def unix_lines(value):
    """Browsers send CRLF from a <textarea>: store plain LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def text_with_lines(_form, field):
    """Line breaks and tabs are fine in a message; other control characters (NUL…) are not."""
    if has_control_characters(field.data or "", multiline=True):
        raise ValidationError(str(_l("Ce champ contient des caractères non autorisés.")))


class MessageForm(FlaskForm):
    """« Nouveau message »: Titre, the text, an optional PDF or image."""

    subject = StringField(_l("Titre"), validators=[
        DataRequired(_l("Saisissez un titre.")), Length(max=150, message=_l("Le titre ne doit pas dépasser 150 "
                                                                            "caractères.")), PrintableText()])
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Saisissez votre message.")),
        Length(max=BODY_MAX, message=_l("Le message ne doit pas dépasser 5000 caractères.")), text_with_lines],
        filters=[unix_lines], render_kw={"rows": 8})
    attachment = CheckedFileField(_l("Pièce jointe (facultative : PDF, JPEG ou PNG, 5 Mo au plus)"),
                                  validators=[Optional()])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Votre réponse"), validators=[
        DataRequired(_l("Saisissez votre réponse.")),
        Length(max=BODY_MAX, message=_l("Le message ne doit pas dépasser 5000 caractères.")), text_with_lines],
        filters=[unix_lines], render_kw={"rows": 6})
    attachment = CheckedFileField(_l("Pièce jointe (facultative : PDF, JPEG ou PNG, 5 Mo au plus)"),
                                  validators=[Optional()])


TARGETS = (("famille", _l("Une famille (son numéro)")), ("service", _l("Les familles d'un service")),
           ("site", _l("Les familles d'un site (école)")), ("toutes", _l("Toutes les familles de la commune")))


class AgentMessageForm(MessageForm):
    """An agent writes to one family, the families of a service or of a site, or all of them."""

    target = RadioField(_l("Destinataires"), choices=select_choices(TARGETS), default="famille",
                        validators=[DataRequired(_l("Choisissez les destinataires."))])
    family_number = StringField(_l("N° famille"), validators=[Optional(), Length(max=20), PrintableText()])
    service = SelectField(_l("Service"), choices=[], validators=[Optional()], validate_choice=False)
    site = SelectField(_l("Site"), choices=[], validators=[Optional()], validate_choice=False)

    def validate_family_number(self, field):
        if self.target.data == "famille" and not (field.data or "").strip():
            raise ValidationError(str(_l("Saisissez le numéro de la famille.")))

    def validate_service(self, field):
        if self.target.data == "service" and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(str(_l("Choisissez un service.")))

    def validate_site(self, field):
        if self.target.data == "site" and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(str(_l("Choisissez un site.")))
