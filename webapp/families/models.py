"""A family (its account, identified by the family number), its second parent and its children.

What seed 003 calls « Mon compte »: the responsable's identity and contact details, the
« conjoint » (or « non conjoint »), fiscal, CAF and bank data; and per child the persons
authorised to pick them up, complementary data and health data (own table, journaled
reads). Tax, CAF, bank and health values are encrypted at rest.
"""
import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.crypto import encrypted_int, encrypted_text
from webapp.db import TenantBase, bigint_pk


class ParentDetails:
    """Contact and work columns that the responsable and the second parent both have (seed 003).

    Closed lists (quality, csp) hold codes listed in webapp/records/choices.py.
    """

    quality: Mapped[str] = mapped_column(String(20), default="")  # father, mother, guardian…
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    phone_home: Mapped[str] = mapped_column(String(20), default="")
    phone_work: Mapped[str] = mapped_column(String(20), default="")
    phone_mobile: Mapped[str] = mapped_column(String(20), default="")
    employer_name: Mapped[str] = mapped_column(String(120), default="")
    employer_address: Mapped[str] = mapped_column(String(200), default="")
    profession: Mapped[str] = mapped_column(String(80), default="")
    csp: Mapped[str] = mapped_column(String(20), default="")  # catégorie socio-professionnelle code
    sms_allowed: Mapped[bool] = mapped_column(Boolean, default=False)  # « autorisation SMS »


class Family(ParentDetails, TenantBase):
    __tablename__ = "family"

    id: Mapped[int] = bigint_pk()
    number: Mapped[str] = mapped_column(String(20), unique=True)  # « N° famille », the identifiant
    civility: Mapped[str] = mapped_column(String(12), default="")
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    village: Mapped[str] = mapped_column(String(80), default="")
    email_allowed: Mapped[bool] = mapped_column(Boolean, default=True)  # « autorisation courriel »
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # C.A.F. — encrypted at rest; the quotient familial selects the tariff bracket.
    caf_number: Mapped[str | None] = mapped_column(encrypted_text())
    caf_quotient: Mapped[int | None] = mapped_column(encrypted_int())
    # « Responsable »: the contact columns of ParentDetails, plus the situation (closed list).
    situation: Mapped[str] = mapped_column(String(20), default="")  # married, pacs, single…
    # « Données fiscales » — encrypted.
    tax_number: Mapped[str | None] = mapped_column(encrypted_text())
    reference_income: Mapped[int | None] = mapped_column(encrypted_int())  # revenu fiscal de référence, euros
    tax_shares: Mapped[str | None] = mapped_column(encrypted_text())  # nombre de parts, e.g. "2.5"
    # « Coordonnées bancaires » — encrypted; IBAN stored without spaces.
    account_holder: Mapped[str | None] = mapped_column(encrypted_text())
    iban: Mapped[str | None] = mapped_column(encrypted_text())
    bic: Mapped[str | None] = mapped_column(encrypted_text())

    partner: Mapped["FamilyPartner | None"] = relationship(
        back_populates="family", cascade="all, delete-orphan", uselist=False
    )

    children: Mapped[list["Child"]] = relationship(
        back_populates="family", order_by="Child.birth_date", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".upper()


class Child(TenantBase):
    __tablename__ = "child"

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), index=True)
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(120), default="")
    school_class: Mapped[str] = mapped_column(String(40), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")  # "F", "M" or "" (not given)
    # « Données complémentaires »
    insurance_company: Mapped[str] = mapped_column(String(120), default="")
    insurance_policy: Mapped[str] = mapped_column(String(60), default="")
    image_rights: Mapped[bool] = mapped_column(Boolean, default=False)  # photos may be taken and shown
    may_leave_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")

    family: Mapped[Family] = relationship(back_populates="children")
    authorised_persons: Mapped[list["AuthorisedPerson"]] = relationship(
        back_populates="child", order_by="AuthorisedPerson.id", cascade="all, delete-orphan"
    )
    health: Mapped["ChildHealth | None"] = relationship(
        back_populates="child", cascade="all, delete-orphan", uselist=False
    )


class FamilyPartner(ParentDetails, TenantBase):
    """The second parent (« Conjoint », or « Non conjoint » when separated): at most one per family."""

    __tablename__ = "family_partner"

    id: Mapped[int] = bigint_pk()
    family_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("family.id", ondelete="CASCADE"), unique=True)
    civility: Mapped[str] = mapped_column(String(12), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    first_name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_allowed: Mapped[bool] = mapped_column(Boolean, default=False)

    family: Mapped[Family] = relationship(back_populates="partner")


class AuthorisedPerson(TenantBase):
    """Someone who may pick the child up and/or is called in an emergency."""

    __tablename__ = "authorised_person"

    id: Mapped[int] = bigint_pk()
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    relationship_label: Mapped[str] = mapped_column("relationship", String(60), default="")  # grand-mère, voisin…
    phone: Mapped[str] = mapped_column(String(20), default="")
    phone_other: Mapped[str] = mapped_column(String(20), default="")
    may_pick_up: Mapped[bool] = mapped_column(Boolean, default=True)
    emergency_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    child: Mapped[Child] = relationship(back_populates="authorised_persons")


class ChildHealth(TenantBase):
    """« Données sanitaires »: one row per child, every value encrypted, loaded only on purpose.

    Diets are a closed list of codes (comma-separated, webapp/records/choices.py), never a
    religious label; a specific need is a yes/no, never the nature of a handicap.
    """

    __tablename__ = "child_health"

    id: Mapped[int] = bigint_pk()
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("child.id", ondelete="CASCADE"), unique=True)
    doctor_name: Mapped[str | None] = mapped_column(encrypted_text())
    doctor_phone: Mapped[str | None] = mapped_column(encrypted_text())
    allergies: Mapped[str | None] = mapped_column(encrypted_text())
    diets: Mapped[str | None] = mapped_column(encrypted_text())  # e.g. "gluten_free,vegetarian"
    pai: Mapped[str | None] = mapped_column(encrypted_text())  # "1" when a PAI exists (encrypted like the rest)
    specific_care: Mapped[str | None] = mapped_column(encrypted_text())  # "1" when specific care is needed
    dtp_last_on: Mapped[str | None] = mapped_column(encrypted_text())  # ISO date of the last DTP vaccination
    notes: Mapped[str | None] = mapped_column(encrypted_text())

    child: Mapped[Child] = relationship(back_populates="health")

    @property
    def diet_codes(self) -> list[str]:
        return [code for code in (self.diets or "").split(",") if code]

    @property
    def has_pai(self) -> bool:
        return self.pai == "1"

    @property
    def needs_specific_care(self) -> bool:
        return self.specific_care == "1"
