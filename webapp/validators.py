"""Form validators shared by every form, and the one way to give a select its choices."""
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError


class PrintableText:
    """Refuse control characters (NUL, escapes…): no database or e-mail header should see them."""

    def __init__(self, message=None):
        self.message = message or _l("Ce champ contient des caractères non autorisés.")

    def __call__(self, _form, field) -> None:
        value = field.data or ""
        if any(unicodedata.category(c) == "Cc" for c in value):
            raise ValidationError(self.message)


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
