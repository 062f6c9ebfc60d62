"""Section values as the visitor reads them: translated labels, masked IBAN, French dates."""
from flask_babel import gettext

from webapp.records import sections as s


def shown(field: s.Field, value: object, services: dict | None = None) -> str:
    """One value as text in the visitor's language (`services`: id → name, for enrolments)."""
    if field.kind == "service":
        return (services or {}).get(value, "") if value is not None else ""
    if field.kind == "bool":
        return gettext("Oui") if value else gettext("Non")
    if field.kind == "choice":
        label = dict(field.choices).get(value or "")
        return gettext(label) if label else (value or "")
    if field.kind == "multichoice":
        labels = dict(field.choices)
        return ", ".join(gettext(labels[code]) if code in labels else code for code in value or [])
    return s.display(field, value)


def rows(sec: s.Section, values: dict) -> list[tuple[str, str]]:
    """(label, value) pairs of a plain section, translated."""
    return [(gettext(f.label), shown(f, values.get(f.name))) for f in sec.fields]


def changes(sec: s.Section, old: dict, new: dict, services: dict | None = None) -> list[tuple[str, str, str]]:
    """(label, old, new) per changed field of a request; list sections show one line per person."""
    if sec.is_list:
        def person(row):
            return " – ".join(text for text in (shown(f, row.get(f.name)) for f in sec.fields
                                                 if f.kind != "bool") if text) + " (" + ", ".join(
                gettext(f.label) for f in sec.fields if f.kind == "bool" and row.get(f.name)) + ")"
        return [(gettext("Personnes"), "; ".join(person(r) for r in old.get("rows", [])) or "—",
                 "; ".join(person(r) for r in new.get("rows", [])) or "—")]
    return [(gettext(f.label), shown(f, old.get(f.name), services) or "—", shown(f, new.get(f.name), services) or "—")
            for f in sec.fields if f.name in new]
