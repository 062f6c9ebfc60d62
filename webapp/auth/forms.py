from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.validators import PrintableText

PASSWORD_MAX = 128


class LoginForm(FlaskForm):
    identifiant = StringField(
        _l("Identifiant"),
        validators=[DataRequired(_l("Saisissez votre identifiant.")), Length(max=40), PrintableText()],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Saisissez votre mot de passe.")), Length(max=PASSWORD_MAX), PrintableText()],
    )


class ForgottenPasswordForm(FlaskForm):
    identifiant = StringField(
        _l("Identifiant"),
        validators=[DataRequired(_l("Saisissez votre identifiant.")), Length(max=40), PrintableText()],
    )


class NewPasswordForm(FlaskForm):
    """Choose a password: the rules themselves are checked by auth.password_policy."""

    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(_l("Saisissez un mot de passe."))])
    confirm = PasswordField(
        _l("Confirmation du mot de passe"),
        validators=[DataRequired(_l("Confirmez le mot de passe.")),
                    EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Saisissez votre mot de passe actuel.")), Length(max=PASSWORD_MAX)],
    )
