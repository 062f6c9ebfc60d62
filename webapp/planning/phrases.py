"""The deadline engine's sentences in the visitor's language.

deadlines.py stays free of Flask and speaks French by default; the pages hand it these
translations (same names, same {placeholders}) and the visitor's locale.
"""
from flask_babel import get_locale
from flask_babel import gettext as _


def deadline_phrases() -> dict[str, str]:
    return {
        "late": _("Pour le {day}, la date limite était le {deadline_day} à {deadline_time}"),
        "past": _("Le {day} est passé."),
        "table_line": _("Pour {day} > {deadline_day} avant {time}"),
        "rolling": _("Au plus tard {count} avant le jour demandé, à {time} (pour {example})."),
        "rolling_same_day": _("Le jour même avant {time}"),
        "weekly": _("Les demandes pour la semaine suivante doivent être faites au plus tard le {weekday} à {time} ; "
                    "passé ce délai, la semaine à venir est bloquée."),
        "day_before": _("La veille avant {time}"),
        "same_day": _("Le jour même avant {time}"),
        "days_one": _("{n} jour"),
        "days_many": _("{n} jours"),
        "working_days_one": _("{n} jour ouvré"),
        "working_days_many": _("{n} jours ouvrés"),
    }


def locale_name() -> str:
    return str(get_locale() or "fr")
