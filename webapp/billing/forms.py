"""Billing forms (agents) and the parsing of amounts and tariff brackets typed in French."""
import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from webapp.submissions.forms import OnceForm
from webapp.validators import AsciiDigits, PrintableText, select_choices

MAX_CENTS = 10_000_000  # 100 000 €: above is a typing error
METHOD_LABELS = {"cheque": _l("Chèque"), "especes": _l("Espèces"), "cesu": _l("CESU"), "virement": _l("Virement"),
                 "carte": _l("Carte au guichet"), "payfip": _l("Paiement en ligne (PayFiP)")}
NATURE_LABELS = {"childcare": _l("Garde (accueil, garderie)"), "meal": _l("Repas")}


def parse_cents(text: str | None) -> int | None:
    """« 12,50 », « 12.5 », « 12 € » → 1250; None when it is not a positive amount in euros."""
    value = (text or "").replace("€", "").replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,2})?", value):  # ASCII: Decimal() reads « ١٢ » too
        return None
    try:
        cents = int(Decimal(value) * 100)
    except InvalidOperation:
        return None
    return cents if 0 <= cents <= MAX_CENTS else None


def parse_brackets(text: str | None) -> list[tuple[int | None, int]] | None:
    """One bracket per line, « 600 1,00 » (QF up to 600: 1,00 €) and « * 2,00 » (above, or no QF)."""
    brackets: list[tuple[int | None, int]] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            return None
        qf, price = parts[0], parse_cents(parts[1])
        if price is None or not (qf == "*" or (qf.isascii() and qf.isdigit() and len(qf) < 10)):
            return None
        brackets.append((None if qf == "*" else int(qf), price))
    limits = [q for q, _ in brackets if q is not None]
    if not brackets or len(limits) != len(set(limits)) or len(brackets) - len(limits) > 1:
        return None
    return brackets


def format_brackets(brackets) -> str:
    lines = []
    for bracket in sorted(brackets, key=lambda b: (b.qf_max is None, b.qf_max or 0)):
        euros = f"{bracket.price_cents // 100},{bracket.price_cents % 100:02d}"
        lines.append(f"{'*' if bracket.qf_max is None else bracket.qf_max} {euros}")
    return "\n".join(lines)


class EurosField(StringField):
    """An amount in euros; `.cents` once valid."""

    def pre_validate(self, form):
        self.cents = parse_cents(self.data)
        if self.data and (self.cents is None or self.cents == 0):
            raise ValidationError(_l("Montant invalide : écrivez par exemple 12,50."))


class RunMonthForm(FlaskForm):
    month = StringField(_l("Mois à facturer"), render_kw={"type": "month"},
                        validators=[DataRequired(_l("Choisissez le mois.")),
                                    Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])\Z", message=_l("Mois invalide (AAAA-MM)."))])


class ConfirmForm(FlaskForm):
    """A button only (discard a draft): the CSRF token is the form."""


class IssueForm(OnceForm, FlaskForm):
    """« Émettre » a month (or one family's draft): a button and its one-time key."""


class CreditNoteForm(OnceForm, FlaskForm):
    amount = EurosField(_l("Montant de l'avoir (€)"), validators=[DataRequired(_l("Indiquez le montant."))])
    reason = StringField(_l("Motif"), validators=[DataRequired(_l("Indiquez le motif de l'avoir.")),
                                                  Length(max=300), PrintableText()])


class PaymentForm(OnceForm, FlaskForm):
    family = StringField(_l("N° famille"), validators=[DataRequired(_l("Indiquez le numéro de la famille.")),
                                                      Length(max=20), PrintableText()])
    amount = EurosField(_l("Montant reçu (€)"), validators=[DataRequired(_l("Indiquez le montant."))])
    method = SelectField(_l("Mode de règlement"),
                         choices=select_choices((k, v) for k, v in METHOD_LABELS.items() if k != "payfip"))
    received_on = StringField(_l("Reçu le"), render_kw={"type": "date"},
                              validators=[DataRequired(_l("Indiquez la date de réception.")),
                                          Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z",
                                                 message=_l("Date invalide (AAAA-MM-JJ)."))])
    reference = StringField(_l("Référence (n° de chèque, de CESU…)"), validators=[Optional(), Length(max=80),
                                                                                PrintableText()])
    invoice = StringField(_l("Facture réglée (facultatif, sinon les plus anciennes)"),
                          validators=[Optional(), Length(max=24), PrintableText()])


class RegieForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Indiquez un code.")), Length(max=20),
                                               Regexp(r"^[a-z0-9_-]+\Z", message=_l("Minuscules, chiffres, - ou _."))])
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Indiquez le nom de la régie.")), Length(max=120),
                                              PrintableText()])
    invoice_prefix = StringField(_l("Préfixe des factures"), validators=[
        DataRequired(_l("Indiquez un préfixe.")), Regexp(r"^[A-Z]{1,6}\Z", message=_l("1 à 6 lettres majuscules."))])
    credit_prefix = StringField(_l("Préfixe des avoirs"), validators=[
        DataRequired(_l("Indiquez un préfixe.")), Regexp(r"^[A-Z]{1,8}\Z", message=_l("1 à 8 lettres majuscules."))])
    next_invoice_number = IntegerField(_l("Prochain numéro de facture"), default=1,
                                       validators=[Optional(), AsciiDigits(), NumberRange(min=1, max=10_000_000)])


class TariffForm(FlaskForm):
    regie = SelectField(_l("Régie"), validate_choice=False)
    nature = SelectField(_l("Nature"), choices=select_choices(NATURE_LABELS.items()))
    unit_label = StringField(_l("Unité"), validators=[DataRequired(_l("Indiquez l'unité : journée, repas, séance…")),
                                                     Length(max=40), PrintableText()])
    brackets = TextAreaField(_l("Prix par tranche de quotient familial"),
                             validators=[DataRequired(_l("Indiquez au moins un prix."))])
    # No Optional(): it would stop the chain on an empty field and skip validate_late_surcharge
    # (an unchanged tariff without surcharge could not be saved: AttributeError, a 500).
    late_surcharge = StringField(_l("Majoration par réservation tardive (€)"))

    def validate_brackets(self, field):
        self.parsed_brackets = parse_brackets(field.data)
        if self.parsed_brackets is None:
            raise ValidationError(_l("Une tranche par ligne : « 600 1,00 » puis « * 2,00 » pour les autres."))

    def validate_late_surcharge(self, field):
        self.surcharge_cents = parse_cents(field.data) if (field.data or "").strip() else 0
        if self.surcharge_cents is None:
            raise ValidationError(_l("Montant invalide : écrivez par exemple 0,50."))
