from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.validators import PrintableText


class LoginForm(FlaskForm):
    identifiant = StringField(
        _l("Identifiant"),
        validators=[DataRequired(_l("Saisissez votre identifiant.")), Length(max=40), PrintableText()],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Saisissez votre mot de passe.")), Length(max=128), PrintableText()],
    )
