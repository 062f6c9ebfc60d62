"""The families' import file of a commune that joins: check everything, then create everything or nothing.

Plain Python and SQLAlchemy. One line per child, the family's columns repeated on each of
its children's lines (a family without child: one line with the child's columns empty).
Lines of the same family are grouped by `numero_famille`, or, when it is empty, by name,
first name and e-mail of the responsable. An existing family number is refused: the import
only creates, changes go through the family record.
"""
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenancy.registry import fold
from webapp.families.models import Family
from webapp.family_admin import creation, values
from webapp.family_admin.values import Invalid


def _(text: str) -> str:
    return text


MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000
FAMILY_COLUMNS = ("numero_famille", "civilite", "nom", "prenom", "courriel", "telephone", "adresse", "code_postal",
                  "ville")
CHILD_COLUMNS = ("enfant_nom", "enfant_prenom", "enfant_date_naissance", "enfant_sexe", "ecole", "classe")
COLUMNS = FAMILY_COLUMNS + CHILD_COLUMNS
REQUIRED_COLUMNS = ("nom", "prenom", "enfant_prenom", "enfant_date_naissance")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class LineError:
    line: int  # 1 is the header line; 0 for the file as a whole
    message: str  # a French message id with %(…)s placeholders
    params: dict = field(default_factory=dict)


@dataclass
class PlannedFamily:
    number: str  # "" until a number is allocated
    fields: dict
    children: list[dict] = field(default_factory=list)
    line: int = 0


@dataclass
class ImportPlan:
    families: list[PlannedFamily] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def children_count(self) -> int:
        return sum(len(f.children) for f in self.families)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1252, as Excel writes CSV files in France."""
    if b"\x00" in raw:
        raise Invalid(_("le fichier n'est pas un fichier texte CSV"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise Invalid(_("encodage du fichier non reconnu (enregistrez-le en CSV UTF-8)")) from None


def _separator(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def _column_key(title: str) -> str:
    return fold(title).replace(" ", "_")


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise Invalid(_("le fichier est vide"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(lines[0]))
    rows, previous_end = [], 0
    try:
        for row in reader:  # a quoted cell may hold line breaks: number records by their first line
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error:
        raise Invalid(_("le fichier CSV est mal formé (guillemets)")) from None
    header = [_column_key(cell) for cell in rows[0][1]]
    body = [(number, row) for number, row in rows[1:] if any(cell.strip() for cell in row)]
    return header, body


def _check_header(header: list[str]) -> list[LineError]:
    errors = []
    for column in header:
        if column and column not in COLUMNS:
            errors.append(LineError(1, _("colonne inconnue « %(column)s »"), {"column": column}))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append(LineError(1, _("colonnes manquantes : %(columns)s"), {"columns": ", ".join(missing)}))
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        errors.append(LineError(1, _("colonnes en double : %(columns)s"), {"columns": ", ".join(duplicated)}))
    return errors


class _Cells:
    """One line's cells; every bad cell is noted, so a line reports all its errors at once."""

    def __init__(self, cells: dict):
        self.cells = cells
        self.errors: list[Invalid] = []

    def read(self, check, column: str, *args, default: str = ""):
        raw = self.cells.get(column, "").strip() or default
        try:
            return check(*args, raw) if args else check(raw)
        except Invalid as error:
            self.errors.append(error)
            return None

    def record(self, column: str, section_code: str, field_name: str, default: str = ""):
        return self.read(values.cell, column, column, section_code, field_name, default=default)


def _family_fields(line: _Cells) -> dict:
    return dict(
        number=line.read(values.family_number, "numero_famille"),
        civility=line.read(values.civility, "civilite"),
        last_name=line.record("nom", "responsable", "last_name"),
        first_name=line.record("prenom", "responsable", "first_name"),
        email=line.record("courriel", "responsable", "email") or None,
        phone_mobile=line.record("telephone", "responsable", "phone_mobile"),
        address=line.record("adresse", "responsable", "address"),
        postcode=line.record("code_postal", "responsable", "postcode"),
        city=line.record("ville", "responsable", "city"),
    )


def _child_fields(line: _Cells, family_last_name: str, today: dt.date) -> dict | None:
    if not any(line.cells.get(c, "").strip() for c in CHILD_COLUMNS):
        return None
    return dict(
        last_name=line.record("enfant_nom", "child_identity", "last_name", default=family_last_name or ""),
        first_name=line.record("enfant_prenom", "child_identity", "first_name"),
        birth_date=line.read(lambda raw: values.birth_date(raw, today), "enfant_date_naissance"),
        sex=line.read(values.sex, "enfant_sexe"),
        school=line.record("ecole", "child_identity", "school"),
        school_class=line.record("classe", "child_identity", "school_class"),
    )


def _group_key(fields: dict) -> tuple:
    if fields["number"]:
        return ("number", fields["number"])
    return ("name", fold(fields["last_name"]), fold(fields["first_name"]), fields["email"] or "")


def check(raw: bytes, session: Session, today: dt.date) -> ImportPlan:
    """Read and check the whole file; the plan has errors (and then nothing may be created) or families."""
    plan = ImportPlan()
    if len(raw) > MAX_BYTES:
        plan.errors.append(LineError(0, _("fichier trop volumineux (%(max)d Mo au plus)"),
                                     {"max": MAX_BYTES // (1024 * 1024)}))
        return plan
    try:
        header, rows = _read_rows(decode(raw))
    except Invalid as error:
        plan.errors.append(LineError(0, error.message, error.params))
        return plan
    plan.errors.extend(_check_header(header))
    if plan.errors:
        return plan
    if not rows:
        plan.errors.append(LineError(0, _("aucune ligne à importer après l'en-tête")))
        return plan
    if len(rows) > MAX_LINES:
        plan.errors.append(LineError(0, _("trop de lignes (%(max)d au plus)"), {"max": MAX_LINES}))
        return plan
    existing = set(session.scalars(select(Family.number)))
    groups: dict[tuple, PlannedFamily] = {}
    for line, row in rows:
        if len(row) > len(header):
            plan.errors.append(LineError(line, _("%(count)d colonnes au lieu de %(expected)d"),
                                         {"count": len(row), "expected": len(header)}))
            continue
        cells = dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
        cells = _Cells(cells)
        fields = _family_fields(cells)
        child = _child_fields(cells, fields["last_name"], today)
        if cells.errors:
            plan.errors.extend(LineError(line, error.message, error.params) for error in cells.errors)
            continue
        if fields["number"] in existing:
            plan.errors.append(LineError(line, _("le numéro de famille %(number)s existe déjà dans la commune"),
                                         {"number": fields["number"]}))
            continue
        key = _group_key(fields)
        family = groups.get(key)
        if family is None:
            family = groups[key] = PlannedFamily(number=fields.pop("number"), fields=fields, line=line)
        else:
            fields.pop("number")
            different = [name for name, value in fields.items() if value and value != family.fields[name]]
            if different:
                plan.errors.append(LineError(line, _("les colonnes de la famille diffèrent de la ligne %(first)d"),
                                             {"first": family.line}))
                continue
        if child is not None:
            twin = any(fold(c["first_name"]) == fold(child["first_name"]) and c["birth_date"] == child["birth_date"]
                       for c in family.children)
            if twin:
                plan.errors.append(LineError(line, _("l'enfant %(name)s figure deux fois"),
                                             {"name": child["first_name"]}))
                continue
            family.children.append(child)
    if not plan.errors:
        plan.families = list(groups.values())
    return plan


def create(session: Session, plan: ImportPlan, *, now: dt.datetime, agent_id: int, ip: str = "") -> list[Family]:
    """Add the plan's families and children to the caller's transaction, numbering those without one."""
    assert not plan.errors, "a plan with errors creates nothing"
    taken = creation.taken_numbers(session) | {f.number for f in plan.families if f.number}
    entries = []
    for planned in plan.families:
        number = planned.number or values.next_number(taken)
        taken.add(number)
        entries.append((number, planned.fields, planned.children))
    # `check` refused the numbers already taken; the unique index still guards a race.
    created = creation.create_families(session, entries, now=now, agent_id=agent_id, ip=ip)
    session.flush()
    return created


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


EXAMPLE_ROWS = (
    COLUMNS,
    ("100201", "Madame", "MARTIN", "Claire", "claire.martin@example.org", "06 12 34 56 78", "3 rue des Écoles",
     "73100", "Alpha", "MARTIN", "Léa", "14/05/2018", "F", "École d'Alpha", "CE1"),
    ("100201", "Madame", "MARTIN", "Claire", "claire.martin@example.org", "06 12 34 56 78", "3 rue des Écoles",
     "73100", "Alpha", "MARTIN", "Hugo", "02/09/2020", "M", "École d'Alpha", "GS"),
    ("", "Monsieur", "BERNARD", "Paul", "", "04 79 00 00 00", "Le Bourg", "73110", "Val-Alpha", "", "Inès",
     "21/01/2019", "F", "École de Val-Alpha", "CP"),
)


def template_csv() -> bytes:
    """« Télécharger un modèle »: the columns and three example lines, as Excel opens it in France."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(EXAMPLE_ROWS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
