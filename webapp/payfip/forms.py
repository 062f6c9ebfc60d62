"""The « Payer en ligne » form: which invoice (or which régie for « Tout payer »), and an e-mail if needed.

Only identifiers come from the form; the amount is computed on the server.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from webapp.ids import BIGINT_MAX
from webapp.validators import AsciiDigits

# Above BIGINT, SQLite's driver raises; above 10**308, NumberRange itself (OverflowError): 500s, both.
_ID = [Optional(), AsciiDigits(), NumberRange(min=1, max=BIGINT_MAX)]


class PayForm(FlaskForm):
    facture = IntegerField(validators=_ID, widget=HiddenField.widget)
    regie = IntegerField(validators=_ID, widget=HiddenField.widget)
    mel = StringField(_l("Adresse électronique pour ce paiement"))  # checked by the view (valid_mel)
