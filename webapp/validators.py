"""Form validators shared by every form."""
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


class PrintableText:
    """Refuse control characters (NUL, escapes…): no database or e-mail header should see them."""

    def __init__(self, message=None):
        self.message = message or _l("Ce champ contient des caractères non autorisés.")

    def __call__(self, _form, field) -> None:
        value = field.data or ""
        if any(unicodedata.category(c) == "Cc" for c in value):
            raise ValidationError(self.message)
