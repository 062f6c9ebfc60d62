"""Closed lists of the family record: codes stored in the database, French labels shown.

`_` only marks the labels for extraction (no Flask here): pages translate them when shown.
Diets never carry a religious label; a specific need is a yes/no, never its nature.
"""


def _(text: str) -> str:
    return text


CIVILITIES = (("Madame", _("Madame")), ("Monsieur", _("Monsieur")))
QUALITIES = (
    ("father", _("Père")), ("mother", _("Mère")), ("guardian", _("Tuteur")),
    ("foster", _("Famille d'accueil")), ("other", _("Autre")),
)
SITUATIONS = (
    ("married", _("Marié(e)")), ("pacs", _("Pacsé(e)")), ("cohabiting", _("Vie maritale")),
    ("single", _("Célibataire")), ("separated", _("Séparé(e)")), ("divorced", _("Divorcé(e)")),
    ("widowed", _("Veuf ou veuve")),
)
# INSEE's professions et catégories socioprofessionnelles, level 1.
CSP = (
    ("1", _("Agriculteur exploitant")), ("2", _("Artisan, commerçant, chef d'entreprise")),
    ("3", _("Cadre, profession intellectuelle supérieure")), ("4", _("Profession intermédiaire")),
    ("5", _("Employé")), ("6", _("Ouvrier")), ("7", _("Retraité")), ("8", _("Sans activité professionnelle")),
)
SEXES = (("F", _("Fille")), ("M", _("Garçon")))
DIETS = (
    ("gluten_free", _("Sans gluten")), ("lactose_free", _("Sans lactose")), ("vegetarian", _("Végétarien")),
    ("no_peanut", _("Sans arachide")), ("adapted_texture", _("Texture adaptée")),
)

# Flags of the agents' day lists (webapp/planning/daily.py): never the allergy itself.
PAI_FLAG = _("PAI")
ALLERGY_FLAG = _("Allergie")


def label(choices: tuple[tuple[str, str], ...], code: str | None) -> str:
    """The (untranslated) label of a code, or the code itself when it is not in the list."""
    return dict(choices).get(code or "", code or "")
