"""The sentences a family or an agent reads when a file is refused, and the form field that checks one."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from webapp.uploads import checks

MESSAGES = {
    "empty": _l("Le fichier est vide."),
    "too_big": _l("Le fichier dépasse 5 Mo."),
    "type": _l("Seuls les fichiers JPEG, PNG et PDF sont acceptés."),
    "photo_type": _l("Seules les photos JPEG ou PNG sont acceptées."),
    "pixels": _l("L'image est trop grande (40 millions de pixels au plus)."),
    "damaged": _l("Le fichier est endommagé ou incomplet : il n'a pas pu être lu."),
    "trailing": _l("Le fichier contient des données après la fin de l'image : il est refusé."),
    "active_pdf": _l("Ce PDF contient du contenu actif (script, lancement de programme ou fichier joint) : il est "
                     "refusé."),
    "polyglot": _l("Le fichier contient un autre format caché (page web, archive…) : il est refusé."),
    "encrypted": _l("Ce PDF est protégé par un mot de passe : enregistrez-le sans protection, puis envoyez-le de "
                    "nouveau."),
    "pages": _l("Ce PDF a plus de 30 pages : envoyez seulement les pages utiles."),
    "pdf_limits": _l("Ce PDF est trop lourd à vérifier (trop de données une fois décompressé, ou trop long à lire) : "
                     "il est refusé. Enregistrez-le de nouveau en PDF ou envoyez-le en plusieurs fichiers."),
    "unsupported": _l("Ce PDF contient des éléments que le portail ne sait pas vérifier (par exemple des images "
                      "JBIG2) : imprimez-le en PDF, puis envoyez-le de nouveau."),
    "rebuilt_too_big": _l("Une fois reconstruit, ce PDF dépasse 5 Mo : réduisez la résolution des pages ou envoyez-le "
                          "en plusieurs fichiers."),
}


def message_for(refused: checks.Refused) -> str:
    return str(MESSAGES.get(refused.reason, MESSAGES["damaged"]))


class CheckedFileField(FileField):
    """A file input whose content is checked and cleaned on validation: `field.cleaned` then holds it.

    `allowed` says which types the form takes (photos: JPEG and PNG only).
    """

    def __init__(self, label=None, validators=None, allowed=checks.ALL_TYPES, **kwargs):
        accept = ",".join(sorted({".pdf" if t == checks.PDF else ".jpg,.jpeg" if t == checks.JPEG else ".png"
                                  for t in allowed}))
        kwargs.setdefault("render_kw", {"accept": accept})
        super().__init__(label, validators, **kwargs)
        self.allowed = allowed
        self.cleaned: checks.CleanFile | None = None

    @property
    def has_file(self) -> bool:
        return bool(self.data and getattr(self.data, "filename", None))

    def post_validate(self, form, validation_stopped):
        self.cleaned = None
        if validation_stopped or self.errors or not self.has_file:
            return
        data = self.data.stream.read(checks.MAX_BYTES + 1)
        try:
            self.cleaned = checks.clean(data, allowed=self.allowed)
        except checks.Refused as refused:
            self.errors.append(message_for(refused))

    @property
    def filename(self) -> str:
        return self.data.filename if self.has_file else ""


def required_file(message=None):
    def check(_form, field):
        if not field.has_file:
            raise ValidationError(str(message or _l("Choisissez un fichier.")))

    return check
