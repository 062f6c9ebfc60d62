"""The sections of the family record, declared once: what each holds, how its input is checked.

A section (« Responsable », « Données sanitaires »…) names its target (the family, its
partner, a child, the child's health row, the child's authorised persons, a child to add,
an enrolment to make) and its fields. `clean()` turns form input into canonical values
(str, bool, int, list) or French error messages; `current()` reads the values a target holds;
`write()` puts values on it. No Flask here: labels are French msgids the pages translate.
"""
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping

from schwifty import BIC, IBAN

from webapp.characters import has_control_characters
from webapp.records import choices as c


def _(text: str) -> str:
    return text  # marks a msgid for extraction; translated where shown


@dataclasses.dataclass(frozen=True)
class Field:
    name: str  # the attribute on the target
    label: str
    kind: str = "text"  # text, textarea, choice, multichoice, bool, date, phone, postcode, email, iban, bic,
    #                     int, shares, digits, service
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    max_length: int = 120
    needs_password: bool = False  # changing it asks the family's current password again


@dataclasses.dataclass(frozen=True)
class Section:
    code: str
    label: str  # the section's title on the pages
    filter_label: str  # its request type in « Liste des demandes »
    target: str  # family, partner, child, child_health, authorised_persons, new_child, enrolment
    fields: tuple[Field, ...]
    sensitive: bool = False  # encrypted data: agents' reads are journaled, shown collapsed
    max_rows: int = 0  # list sections (authorised persons): how many rows the form offers

    @property
    def per_child(self) -> bool:
        return self.target in ("child", "child_health", "authorised_persons", "enrolment")

    @property
    def is_list(self) -> bool:
        return self.max_rows > 0

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_PERSON = (
    Field("last_name", _("Nom"), required=True, max_length=80),
    Field("first_name", _("Prénom"), required=True, max_length=80),
)
_CONTACT = (
    Field("address", _("Adresse"), max_length=200),
    Field("postcode", _("Code postal"), kind="postcode"),
    Field("city", _("Ville"), max_length=80),
    Field("phone_home", _("Téléphone domicile"), kind="phone"),
    Field("phone_work", _("Téléphone professionnel"), kind="phone"),
    Field("phone_mobile", _("Mobile"), kind="phone"),
)
_WORK = (
    Field("profession", _("Profession"), max_length=80),
    Field("csp", _("CSP"), kind="choice", choices=c.CSP),
    Field("employer_name", _("Nom employeur"), max_length=120),
    Field("employer_address", _("Adresse employeur"), max_length=200),
)
_CHILD_IDENTITY = (
    *_PERSON,
    Field("birth_date", _("Date de naissance"), kind="date", required=True),
    Field("sex", _("Sexe"), kind="choice", choices=c.SEXES),
    Field("school", _("École"), max_length=120),
    Field("school_class", _("Classe"), max_length=40),
)

SECTIONS: dict[str, Section] = {s.code: s for s in (
    Section("responsable", _("Responsable"), _("Responsable"), "family", (
        Field("civility", _("Civilité"), kind="choice", choices=c.CIVILITIES),
        *_PERSON,
        Field("quality", _("Qualité"), kind="choice", choices=c.QUALITIES),
        Field("situation", _("Situation"), kind="choice", choices=c.SITUATIONS),
        *_CONTACT,
        Field("email", _("Courriel"), kind="email", max_length=254, needs_password=True),
        Field("email_allowed", _("Autorisation courriel"), kind="bool"),
        Field("sms_allowed", _("Autorisation SMS"), kind="bool"),
        *_WORK,
    )),
    Section("conjoint", _("Conjoint"), _("Conjoint"), "partner", (
        Field("civility", _("Civilité"), kind="choice", choices=c.CIVILITIES),
        *_PERSON,
        Field("quality", _("Qualité"), kind="choice", choices=c.QUALITIES),
        *_CONTACT,
        Field("email", _("Courriel"), kind="email", max_length=254),
        Field("email_allowed", _("Autorisation courriel"), kind="bool"),
        Field("sms_allowed", _("Autorisation SMS"), kind="bool"),
        *_WORK,
    )),
    Section("fiscal", _("Données fiscales"), _("Fiscales"), "family", (
        Field("tax_number", _("Numéro fiscal"), kind="digits", max_length=13),
        Field("reference_income", _("Revenu fiscal de référence (€)"), kind="int"),
        Field("tax_shares", _("Nombre de parts"), kind="shares"),
    ), sensitive=True),
    Section("caf", _("C.A.F."), _("CAF"), "family", (
        Field("caf_number", _("N° allocataire"), kind="digits", max_length=10),
        Field("caf_quotient", _("Quotient familial"), kind="int"),
    ), sensitive=True),
    Section("bank", _("Coordonnées bancaires"), _("Coordonnées bancaires"), "family", (
        Field("account_holder", _("Titulaire du compte"), max_length=120),
        Field("iban", _("IBAN"), kind="iban", needs_password=True),
        Field("bic", _("BIC"), kind="bic", needs_password=True),
    ), sensitive=True),
    Section("child_identity", _("Identité, école et classe"), _("Identité enfant"), "child", _CHILD_IDENTITY),
    Section("authorisations", _("Personnes autorisées"), _("Autorisations"), "authorised_persons", (
        Field("name", _("Nom et prénom"), required=True, max_length=120),
        Field("relationship", _("Lien avec l'enfant"), max_length=60),
        Field("phone", _("Téléphone"), kind="phone"),
        Field("phone_other", _("Autre téléphone"), kind="phone"),
        Field("may_pick_up", _("Peut venir chercher l'enfant"), kind="bool"),
        Field("emergency_contact", _("À prévenir en cas d'urgence"), kind="bool"),
    ), max_rows=4),
    Section("complementary", _("Données complémentaires"), _("Données complémentaires"), "child", (
        Field("insurance_company", _("Assurance (compagnie)"), max_length=120),
        Field("insurance_policy", _("N° de contrat d'assurance"), max_length=60),
        Field("image_rights", _("Droit à l'image accordé"), kind="bool"),
        Field("may_leave_alone", _("Peut partir seul"), kind="bool"),
        Field("notes", _("Remarques"), kind="textarea", max_length=1000),
    )),
    Section("health", _("Données sanitaires"), _("Données sanitaires"), "child_health", (
        Field("doctor_name", _("Médecin traitant"), max_length=120),
        Field("doctor_phone", _("Téléphone du médecin"), kind="phone"),
        Field("allergies", _("Allergies"), kind="textarea", max_length=1000),
        Field("diets", _("Régimes alimentaires"), kind="multichoice", choices=c.DIETS),
        Field("pai", _("Projet d'accueil individualisé (PAI)"), kind="bool"),
        Field("specific_care", _("Besoin d'un accompagnement particulier"), kind="bool"),
        Field("dtp_last_on", _("Dernier rappel DTP"), kind="date"),
        Field("notes", _("Remarques"), kind="textarea", max_length=1000),
    ), sensitive=True),
    Section("add_child", _("Ajouter un enfant"), _("Ajout enfant"), "new_child", _CHILD_IDENTITY),
    Section("enrolment", _("Inscrire à un service"), _("Inscriptions"), "enrolment", (
        Field("service_id", _("Service"), kind="service", required=True),
    )),
)}

FAMILY_SECTIONS = ("responsable", "conjoint", "fiscal", "caf", "bank")
CHILD_SECTIONS = ("child_identity", "authorisations", "complementary", "health")
SENSITIVE_SECTIONS = tuple(code for code, s in SECTIONS.items() if s.sensitive)


def section(code: str) -> Section:
    """The section of that code; KeyError for an unknown one (a 404 for the pages)."""
    return SECTIONS[code]


# --- input ------------------------------------------------------------------------------------

_PHONE = re.compile(r"\+?[0-9]{6,15}")
_POSTCODE = re.compile(r"[0-9]{5}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SHARES = re.compile(r"[0-9]{1,2}([.,][0-9]{1,2})?")


def _as_bool(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "on", "y", "yes", "true", "oui"))


def clean_field(field: Field, value: object) -> tuple[object, str | None]:
    """One field's canonical value, and an error msgid when the input is not acceptable."""
    if field.kind == "bool":
        return _as_bool(value), None
    if field.kind == "multichoice":
        codes = [value] if isinstance(value, str) else list(value or [])
        allowed = [code for code, _label in field.choices]
        if any(code not in allowed for code in codes):
            return [], _("Choix non valable.")
        return [code for code in allowed if code in codes], None
    text = "" if value is None else str(value).strip()
    # One-line fields take no CR, LF or TAB either (they went into CSV lines and PDFs): only a textarea does.
    if has_control_characters(text, multiline=field.kind == "textarea"):
        return text, _("Ce champ contient des caractères non autorisés.")
    if not text:
        if field.required:
            return None if field.kind in ("int", "service") else "", _("Ce champ est obligatoire.")
        return None if field.kind in ("int", "service") else "", None
    if field.kind in ("text", "textarea"):
        if len(text) > field.max_length:
            return text, _("Ce texte est trop long.")
        return text, None
    if field.kind == "choice":
        return text, None if text in dict(field.choices) else _("Choix non valable.")
    if field.kind == "date":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return text, _("Date non valable (jj/mm/aaaa).")
        if not dt.date(1900, 1, 1) <= day <= dt.date(2100, 1, 1):
            return text, _("Date non valable (jj/mm/aaaa).")
        return day.isoformat(), None
    if field.kind == "phone":
        compact = re.sub(r"[ .\-()]", "", text)
        if not _PHONE.fullmatch(compact):
            return text, _("Numéro de téléphone non valable.")
        if len(compact) == 10 and compact.startswith("0"):
            compact = " ".join(compact[i:i + 2] for i in range(0, 10, 2))
        return compact, None
    if field.kind == "postcode":
        return text, None if _POSTCODE.fullmatch(text) else _("Code postal non valable (5 chiffres).")
    if field.kind == "email":
        if len(text) > field.max_length or not _EMAIL.fullmatch(text):
            return text, _("Adresse électronique non valable.")
        return text, None
    if field.kind == "iban":
        try:
            return IBAN(text).compact, None
        except ValueError:
            return text, _("IBAN non valable : vérifiez-le sur votre relevé d'identité bancaire.")
    if field.kind == "bic":
        try:
            return BIC(text).compact, None
        except ValueError:
            return text, _("BIC non valable.")
    if field.kind in ("int", "service"):
        compact = text.replace(" ", "")
        if not (compact.isascii() and compact.isdigit()) or len(compact) > 9:  # « ² » is a digit for isdigit()
            return text, _("Nombre entier positif attendu.")
        return int(compact), None
    if field.kind == "digits":
        compact = text.replace(" ", "")
        if not (compact.isascii() and compact.isdigit()) or len(compact) > field.max_length:
            return text, _("Chiffres seulement, au plus %(count)s.") % {"count": field.max_length}
        return compact, None
    if field.kind == "shares":
        if not _SHARES.fullmatch(text):
            return text, _("Nombre de parts non valable (par exemple 2,5).")
        return text.replace(",", "."), None
    raise ValueError(f"unknown field kind {field.kind}")


def clean(sec: Section, raw: Mapping[str, object]) -> tuple[dict, dict[str, str]]:
    """Canonical values of a submitted section, and its errors keyed by input name.

    A list section reads rows `<index>-<field>` and keeps the rows that are not empty;
    its values are {"rows": [...]}.
    """
    if sec.is_list:
        rows, errors = [], {}
        for index in range(sec.max_rows):
            prefix = f"{index}-"
            cells = {f.name: raw.get(prefix + f.name) for f in sec.fields}
            if not any(str(cells[f.name] or "").strip() for f in sec.fields if f.kind != "bool"):
                continue
            row, row_errors = _clean_fields(sec.fields, cells)
            rows.append(row)
            errors.update({prefix + name: message for name, message in row_errors.items()})
        return {"rows": rows}, errors
    return _clean_fields(sec.fields, raw)


def _clean_fields(fields, raw: Mapping[str, object]) -> tuple[dict, dict[str, str]]:
    values, errors = {}, {}
    for field in fields:
        value, error = clean_field(field, raw.get(field.name))
        values[field.name] = value
        if error:
            errors[field.name] = error
    return values, errors


def as_raw(sec: Section, values: Mapping) -> dict[str, object]:
    """Canonical values back into form input (to prefill a form or re-validate a request)."""
    if sec.is_list:
        raw = {}
        for index, row in enumerate(values.get("rows", [])):
            raw.update({f"{index}-{name}": value for name, value in row.items()})
        return raw
    return dict(values)


def form_values(sec: Section, values: Mapping) -> dict[str, object]:
    """What a form is prefilled with: the values, except an IBAN, never written back into a page."""
    raw = as_raw(sec, values)
    for field in sec.fields:
        if field.kind == "iban" and not sec.is_list:
            raw[field.name] = ""
    return raw


def redisplay(sec: Section, raw: dict, errors: Mapping) -> dict:
    """A refused form shown again: what was typed, except a kept IBAN (the one on record, put back
    by keep_unchanged_secrets), which never goes into a page. A mistyped IBAN stays, to be fixed."""
    return {**raw, **{f.name: "" for f in sec.fields if f.kind == "iban" and not sec.is_list and f.name not in errors}}


def keep_unchanged_secrets(sec: Section, raw: dict, old: Mapping) -> dict:
    """An IBAN left empty in the form means « keep the one on record »."""
    for field in sec.fields:
        if field.kind == "iban" and not sec.is_list and not str(raw.get(field.name) or "").strip():
            raw[field.name] = old.get(field.name) or ""
    return raw


# --- targets ----------------------------------------------------------------------------------

def _from_model(sec: Section, field: Field, value: object) -> object:
    if sec.target == "child_health":  # every health column is encrypted text
        if field.kind == "bool":
            return value == "1"
        if field.kind == "multichoice":
            return [code for code in (value or "").split(",") if code]
        return value or ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None and field.kind not in ("int", "service"):
        return False if field.kind == "bool" else ""
    return value


def _to_model(sec: Section, field: Field, value: object) -> object:
    if sec.target == "child_health":
        if field.kind == "bool":
            return "1" if value else "0"
        if field.kind == "multichoice":
            return ",".join(value or [])
        return value or None
    if field.kind == "date":
        return dt.date.fromisoformat(value) if value else None
    if field.kind in ("iban", "bic", "digits", "shares") or sec.sensitive:
        return value if value not in ("", None) else None  # nullable encrypted columns
    return value


def current(sec: Section, target: object | None) -> dict:
    """The values a target holds now (empty values when there is no target yet)."""
    if sec.is_list:
        persons = target or []
        return {"rows": [
            {f.name: _from_model(sec, f, getattr(p, _attribute(f))) for f in sec.fields} for p in persons
        ]}
    return {f.name: _from_model(sec, f, getattr(target, f.name, None) if target is not None else None)
            for f in sec.fields}


def write(sec: Section, target: object, values: Mapping) -> None:
    """Put canonical values on a target (not for list sections: see `rows_for`)."""
    for field in sec.fields:
        if field.name in values:
            setattr(target, field.name, _to_model(sec, field, values[field.name]))


def row_kwargs(sec: Section, row: Mapping) -> dict:
    """Constructor arguments of one row of a list section."""
    return {_attribute(f): _to_model(sec, f, row.get(f.name)) for f in sec.fields}


def _attribute(field: Field) -> str:
    # AuthorisedPerson maps its "relationship" column on relationship_label (a name SQLAlchemy uses).
    return "relationship_label" if field.name == "relationship" else field.name


def diff(old: Mapping, new: Mapping) -> list[str]:
    """The names of the values that differ."""
    return [name for name in new if old.get(name) != new.get(name)]


# --- display ----------------------------------------------------------------------------------

def mask_iban(iban: str | None) -> str:
    """FR76 •••• •••• •••• •••• ••• 189: the country, check digits and last three characters."""
    if not iban:
        return ""
    compact = iban.replace(" ", "")
    hidden = len(compact) - 7
    groups = [compact[:4]] + ["••••"] * (hidden // 4) + (["•" * (hidden % 4)] if hidden % 4 else [])
    return " ".join(groups + [compact[-3:]])


def display(field: Field, value: object) -> str:
    """A value as French text (labels untranslated: the page translates choices itself)."""
    if field.kind == "bool":
        return _("Oui") if value else _("Non")
    if field.kind == "choice":
        return c.label(field.choices, value)
    if field.kind == "multichoice":
        return ", ".join(c.label(field.choices, code) for code in value or [])
    if field.kind == "iban":
        return mask_iban(value)
    if field.kind == "date" and value:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return "" if value is None else str(value)
