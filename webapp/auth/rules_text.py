"""The password rules as families and agents read them, and why a password was refused."""
from flask_babel import lazy_gettext as _l

RULE_TEXTS = {
    "too_short_or_simple": _l("au moins 8 caractères dont une minuscule, une majuscule et un chiffre, "
                              "ou au moins 15 caractères de tout type"),
    "too_short_agent": _l("au moins 12 caractères"),
    "too_long": _l("au plus 128 caractères ; les espaces et les lettres accentuées sont acceptés"),
    "not_printable": _l("aucun caractère invisible ou de contrôle"),
    "common": _l("pas un mot de passe courant (azerty, motdepasse, 123456…)"),
    "contains_identifiant": _l("ne contient pas votre identifiant"),
    "contains_name": _l("ne contient pas votre nom ni votre prénom"),
    "contains_commune": _l("ne contient pas le nom de la commune"),
}

FAILURE_TEXTS = {
    "too_short_or_simple": _l("Le mot de passe doit compter au moins 8 caractères dont une minuscule, "
                              "une majuscule et un chiffre, ou au moins 15 caractères."),
    "too_short_agent": _l("Le mot de passe doit compter au moins 12 caractères."),
    "too_long": _l("Le mot de passe ne doit pas dépasser 128 caractères."),
    "not_printable": _l("Le mot de passe contient un caractère invisible ou de contrôle."),
    "common": _l("Ce mot de passe est trop courant : choisissez-en un autre."),
    "contains_identifiant": _l("Le mot de passe ne doit pas contenir votre identifiant."),
    "contains_name": _l("Le mot de passe ne doit pas contenir votre nom ni votre prénom."),
    "contains_commune": _l("Le mot de passe ne doit pas contenir le nom de la commune."),
}
