"""The billing PDFs (invoice, credit note, receipt, tax certificate), built with webapp.pdf."""
from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.billing.forms import METHOD_LABELS
from webapp.billing.models import CreditNote, Invoice, Payment, Regie
from webapp.db import db
from webapp.families.models import Child, Family
from webapp.i18n import local_date
from webapp.pdf import Document, for_current_commune, money, short_date


def period_text(invoice: Invoice) -> str:
    return _("Facture : %(start)s - %(end)s", start=short_date(invoice.period_start),
             end=short_date(invoice.period_end))


def invoice_pdf(invoice: Invoice, family: Family, regie: Regie) -> Document:
    doc = for_current_commune(_("Facture %(number)s", number=invoice.number))
    doc.heading(_("Facture N° %(number)s", number=invoice.number))
    pairs = [(_("Régie"), regie.name), (_("Famille n°"), family.number), (_("Famille"), family.display_name),
             (_("Période"), f"{short_date(invoice.period_start)} - {short_date(invoice.period_end)}"),
             (_("Du"), local_date(invoice.issued_at))]
    if invoice.due_on:
        pairs.append((_("A régler avant"), short_date(invoice.due_on)))
    settings = g.tenant.settings
    if settings.payment_mode == "payfip" and settings.payfip is not None and invoice.payment_reference:
        pairs += [(_("Identifiant Collectivité"), settings.payfip.client_id),
                  (_("N° de Référence"), invoice.payment_reference)]
    doc.key_values(pairs)
    children = dict(db.execute(select(Child.id, Child.first_name).where(Child.family_id == family.id)).all())
    rows = []
    for line in invoice.lines:
        nature = _("Majoration réservation tardive") if line.surcharge else (
            _("Repas") if line.nature == "meal" else _("Garde"))
        days = ", ".join(d.strftime("%d/%m") for d in line.day_list)
        rows.append([children.get(line.child_id, ""), line.label, nature, str(line.quantity),
                     money(line.unit_price_cents), money(line.amount_cents)])
        rows.append(["", _("Jours : %(days)s", days=days), "", "", "", ""])
    doc.table([_("Enfant"), _("Prestation"), _("Nature"), _("Qté"), _("Prix unitaire"), _("Montant")], rows,
              widths=[25, 62, 28, 13, 25, 27], align="LLLRRR",
              total=["", _("Total de la facture"), "", "", "", money(invoice.total_cents)])
    doc.key_values([(_("Solde antérieur restant dû"), money(invoice.previous_balance_cents)),
                    (_("Total à payer"), money(invoice.total_cents + invoice.previous_balance_cents))],
                   label_width=70)
    if settings.payment_mode == "tresorerie":
        doc.paragraph(settings.tresorerie_text)
    elif settings.payfip is not None:
        doc.paragraph(_("Paiement en ligne sur www.payfip.gouv.fr avec l'identifiant collectivité et la "
                        "référence ci-dessus, ou depuis votre espace famille."))
    return doc


def credit_note_pdf(note: CreditNote, invoice: Invoice, family: Family, regie: Regie) -> Document:
    """An avoir: its own number, the invoice it corrects (never changed itself), amount and reason."""
    doc = for_current_commune(_("Avoir %(number)s", number=note.number))
    doc.heading(_("Avoir N° %(number)s", number=note.number))
    doc.key_values([(_("Régie"), regie.name), (_("Famille n°"), family.number), (_("Famille"), family.display_name),
                    (_("Du"), local_date(note.issued_at)),
                    (_("Facture corrigée"), _("%(number)s du %(day)s", number=invoice.number,
                                              day=local_date(invoice.issued_at))),
                    (_("Période facturée"), f"{short_date(invoice.period_start)} - {short_date(invoice.period_end)}"),
                    (_("Montant de la facture"), money(invoice.total_cents))])
    doc.table([_("Désignation"), _("Montant")],
              [[_("Avoir sur la facture %(number)s", number=invoice.number), money(note.amount_cents)]],
              widths=[140, 40], align="LR", total=[_("Total de l'avoir"), money(note.amount_cents)])
    doc.paragraph(_("Motif : %(reason)s", reason=note.reason))  # a paragraph: a table cell would cut it
    doc.paragraph(_("Cet avoir réduit d'autant ce que vous devez à la régie ; il figure sur votre relevé de compte."))
    return doc


def receipt_pdf(payment: Payment, family: Family, regie: Regie, invoice_numbers: list[str]) -> Document:
    doc = for_current_commune(_("Reçu %(number)s", number=payment.number))
    doc.heading(_("Reçu de paiement N° %(number)s", number=payment.number))
    pairs = [(_("Régie"), regie.name), (_("Famille n°"), family.number), (_("Famille"), family.display_name),
             (_("Reçu le"), local_date(payment.received_at)),
             (_("Mode de règlement"), str(METHOD_LABELS.get(payment.method, payment.method))),
             (_("Montant"), money(payment.amount_cents))]
    if payment.reference:
        pairs.append((_("Référence"), payment.reference))
    pairs.append((_("Factures réglées"), ", ".join(invoice_numbers) or _("aucune (avance)")))
    doc.key_values(pairs)
    doc.paragraph(_("Le régisseur atteste avoir reçu la somme ci-dessus."))
    return doc


def certificate_pdf(family: Family, year: int, amounts) -> Document:
    doc = for_current_commune(_("Attestation de frais de garde %(year)s", year=year))
    doc.heading(_("Attestation de frais de garde – année %(year)s", year=year))
    doc.paragraph(_("La commune atteste que la famille ci-dessous a payé en %(year)s les frais de garde suivants "
                    "pour ses enfants de moins de 6 ans au 1er janvier %(year)s (article 200 quater B du code "
                    "général des impôts). Les frais de repas et les majorations ne sont pas comptés.", year=year))
    doc.key_values([(_("Famille n°"), family.number), (_("Famille"), family.display_name)])
    rows = [[f"{a.child.first_name} {a.child.last_name}", short_date(a.child.birth_date), money(a.amount_cents)]
            for a in amounts]
    doc.table([_("Enfant"), _("Né(e) le"), _("Frais de garde payés")], rows, widths=[80, 40, 60], align="LLR",
              total=[_("Total"), "", money(sum(a.amount_cents for a in amounts))])
    return doc
