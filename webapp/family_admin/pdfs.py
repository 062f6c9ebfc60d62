"""The printable documents: « Imprimer la fiche enfant » (simple or complete) and the family's data export.

Labels and values come from the family record's sections (webapp.records.sections), so
these documents say what the record pages say. Built with the one PDF helper, webapp.pdf.
"""
import datetime as dt

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.clock import PARIS
from webapp.families.models import Child, ChildHealth, Family
from webapp.pdf import Document, for_current_commune, money, short_date
from webapp.billing.forms import METHOD_LABELS
from webapp.records import choices, sections

SIMPLE_SECTIONS = ("child_identity", "authorisations")
COMPLETE_SECTIONS = SIMPLE_SECTIONS + ("complementary", "health")


def _shown(field: sections.Field, value) -> str:
    """A value as the record pages show it, closed-list labels translated."""
    if field.kind in ("bool", "choice"):
        return _(sections.display(field, value))
    if field.kind == "multichoice":
        return ", ".join(_(choices.label(field.choices, code)) for code in value or [])
    return sections.display(field, value)


def _pairs(code: str, target) -> list[tuple[str, str]]:
    sec = sections.section(code)
    values = sections.current(sec, target)
    return [(_(f.label), _shown(f, values[f.name])) for f in sec.fields]


def _key_values(doc: Document, pairs: list[tuple[str, str]]) -> None:
    """Label/value lines with the label column as wide as the longest label (long French labels)."""
    doc.set_font("DejaVu", "B", 10)
    width = max((doc.get_string_width(f"{label} :") for label, _value in pairs), default=40) + 3
    doc.key_values(pairs, label_width=min(max(width, 40), 100))


REQUEST_STATES = {"pending": _l("En attente"), "accepted": _l("Acceptée"), "refused": _l("Refusée"),
                  "withdrawn": _l("Retirée")}
REQUEST_KINDS = {"reservation": _l("Réservation"), "absence": _l("Absence")}
INVOICE_STATUSES = {"draft": _l("Brouillon"), "issued": _l("Émise")}
PERSON_HEADERS = (_l("Nom et prénom"), _l("Lien"), _l("Téléphone"), _l("Autre téléphone"), _l("Récupère l'enfant"),
                  _l("Urgence"))


def _persons(doc: Document, child: Child) -> None:
    sec = sections.section("authorisations")
    doc.heading(_(sec.label), level=2)
    rows = sections.current(sec, child.authorised_persons)["rows"]
    if not rows:
        doc.paragraph(_("Aucune personne autorisée."))
        return
    # Short headers: a table cell keeps to one line (the record's labels are sentences).
    doc.table([str(header) for header in PERSON_HEADERS],
              [[_shown(f, r[f.name]) for f in sec.fields] for r in rows],
              widths=[40, 24, 27, 32, 35, 22])


def _family_contacts(doc: Document, family: Family) -> None:
    doc.heading(_("Contacts de la famille"), level=2)
    pairs = [(_("N° famille"), family.number),
             (_("Responsable"), f"{family.civility} {family.first_name} {family.last_name}".strip())]
    pairs += [(_(label), value) for label, value in (
        ("Adresse", " ".join(filter(None, [family.address, family.postcode, family.city]))),
        ("Mobile", family.phone_mobile), ("Téléphone domicile", family.phone_home),
        ("Téléphone professionnel", family.phone_work), ("Courriel", family.email or "")) if value]
    partner = family.partner
    if partner is not None and (partner.last_name or partner.first_name):
        pairs.append((_("Conjoint"), f"{partner.civility} {partner.first_name} {partner.last_name}".strip()))
        pairs += [(_(label), value) for label, value in (
            ("Mobile", partner.phone_mobile), ("Téléphone domicile", partner.phone_home),
            ("Téléphone professionnel", partner.phone_work), ("Courriel", partner.email)) if value]
    _key_values(doc, pairs)


def child_record(doc: Document, child: Child, health: ChildHealth | None, complete: bool) -> None:
    """One child's record on `doc`: identity, school, family contacts, authorised persons (and more)."""
    doc.heading(_("Fiche enfant : %(name)s", name=f"{child.first_name} {child.last_name}"))
    doc.heading(_(sections.section("child_identity").label), level=2)
    _key_values(doc, _pairs("child_identity", child))
    _family_contacts(doc, child.family)
    _persons(doc, child)
    if complete:
        doc.heading(_(sections.section("complementary").label), level=2)
        _key_values(doc, _pairs("complementary", child))
        doc.heading(_(sections.section("health").label), level=2)
        _key_values(doc, _pairs("health", health))


def child_record_pdf(child: Child, health: ChildHealth | None, complete: bool, now: dt.datetime) -> Document:
    title = _("Fiche enfant complète") if complete else _("Fiche enfant")
    doc = for_current_commune(title)
    child_record(doc, child, health, complete)
    doc.paragraph(_("Imprimée le %(date)s.", date=short_date(now.astimezone(PARIS).date())), size=8)
    return doc


def _table_or_none(doc: Document, headers, rows, widths, empty: str) -> None:
    if rows:
        doc.table(headers, rows, widths=widths)
    else:
        doc.paragraph(empty)


def export_pdf(family: Family, children: list[Child], health: dict[int, ChildHealth], data: dict) -> Document:
    """The readable copy of « Télécharger mes données »: the record, then the history in tables."""
    doc = for_current_commune(_("Mes données"))
    doc.heading(_("Données de la famille n° %(number)s", number=family.number))
    doc.paragraph(_("Copie de toutes les données que %(name)s détient sur votre famille (RGPD, article 15), "
                    "établie le %(date)s. Le fichier JSON joint contient les mêmes données.",
                    name=g.tenant.name, date=_day(data["generated_at"])))
    for code in ("responsable", "fiscal", "caf", "bank"):
        doc.heading(_(sections.section(code).label), level=2)
        pairs = _pairs(code, family)
        if code == "bank" and family.iban:  # the family's own download: the full IBAN, not the masked one
            pairs = [(label, family.iban if label == _("IBAN") else value) for label, value in pairs]
        _key_values(doc, pairs)
    if family.partner is not None:
        doc.heading(_(sections.section("conjoint").label), level=2)
        _key_values(doc, _pairs("conjoint", family.partner))
    for child in children:
        doc.add_page()
        child_record(doc, child, health.get(child.id), complete=True)
    doc.add_page()
    doc.heading(_("Demandes de modification"), level=2)
    _table_or_none(doc, [_("Date"), _("Rubrique"), _("État"), _("Raison")],
                   [[_day(c["created_at"]), _section_label(c["section"]), _label(REQUEST_STATES, c["state"]),
                     c["reason"]]
                    for c in data["change_requests"]],
                   [30, 60, 30, 60], _("Aucune demande de modification."))
    doc.heading(_("Demandes de réservation et d'absence"), level=2)
    names = {c.id: c.first_name for c in children}
    _table_or_none(doc, [_("Jour"), _("Enfant"), _("Service"), _("Type"), _("État")],
                   [[_day(r["day"]), names.get(r["child_id"], ""), r["service"], _label(REQUEST_KINDS, r["kind"]),
                     _label(REQUEST_STATES, r["state"])]
                    for r in data["planning_requests"]],
                   [28, 35, 57, 30, 30], _("Aucune demande."))
    doc.heading(_("Messages"), level=2)
    for message in data["messages"]:
        doc.paragraph(f"{_day(message['created_at'])} – {message['sender_name']} – {message['subject']}", bold=True)
        doc.paragraph(message["body"] or "")
    if not data["messages"]:
        doc.paragraph(_("Aucun message."))
    doc.heading(_("Factures"), level=2)
    _table_or_none(doc, [_("Numéro"), _("Période"), _("État"), _("Montant")],
                   [[i["number"] or "", f"{_day(i['period_start'])} – {_day(i['period_end'])}",
                     _label(INVOICE_STATUSES, i["status"]),
                     _money(i["total_cents"])] for i in data["invoices"]],
                   [35, 75, 30, 40], _("Aucune facture."))
    doc.heading(_("Paiements"), level=2)
    _table_or_none(doc, [_("Reçu"), _("Date"), _("Mode"), _("Montant")],
                   [[p["number"] or "", _day(p["received_at"]), _label(METHOD_LABELS, p["method"]),
                     _money(p["amount_cents"])]
                    for p in data["payments"]],
                   [35, 45, 50, 50], _("Aucun paiement."))
    return doc


def _label(labels: dict, code: str | None) -> str:
    return str(labels.get(code, code or ""))


def _day(iso: str | None) -> str:
    """« 08/12/2025 » from the export's ISO date or moment (moments in Paris time)."""
    if not iso:
        return ""
    if len(iso) > 10:
        return short_date(dt.datetime.fromisoformat(iso).astimezone(PARIS).date())
    return short_date(dt.date.fromisoformat(iso))


def _section_label(code: str) -> str:
    sec = sections.SECTIONS.get(code)
    return _(sec.label) if sec is not None else code


def _money(cents) -> str:
    return money(cents or 0)
