"""The hidden one-time key of the forms that create money or numbers (see webapp.submissions.claims)."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError

from webapp.submissions.claims import new_key, valid_key


def _check_key(form, field) -> None:
    # raw_data: a post without the field would otherwise keep the fresh default, and pass.
    if not field.raw_data or not valid_key(field.data):
        field.data = new_key()  # the form shown again can be sent at once
        raise ValidationError(_l("Ce formulaire n'est plus valable : vérifiez les valeurs et envoyez-le à nouveau."))


class OnceForm:
    """Mixin for a FlaskForm: a fresh random key each time the form is rendered, sent back on submit.

    Render it with `{{ submission_key(form) }}` (templates/_forms.html), claim it with
    `claims.claim(db, <form name>, form.submission_key.data, now=…)`.
    """

    submission_key = HiddenField(default=new_key, validators=[_check_key])
