"""Demo data of the family record: addresses, phones, partners, CAF quotients, a few IBANs and health
records, one pending change request. Deterministic and loaded once (skipped when addresses exist)."""
import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.demo.names import PARENT_FIRST_NAMES
from webapp.families.models import AuthorisedPerson, ChildHealth, Family, FamilyPartner
from webapp.records.models import ChangeRequest

STREETS = ("rue de la Mairie", "chemin des Vignes", "route du Lac", "impasse des Tilleuls", "place de l'Église",
           "allée des Écoles", "rue du Stade", "montée du Château")
# Valid test IBANs (checksums right, banks fictitious as far as families go).
IBANS = (("FR7630006000011234567890189", "AGRIFRPP"), ("FR1420041010050500013M02606", "PSSTFRPP"),
         ("FR7630001007941234567890185", "BDFEFRPP"))
ALLERGIES = ("Arachides", "Kiwi", "Pollen de graminées", "Œuf")


def _phone(rng: random.Random, first: str) -> str:
    return first + " " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4))


def load_records(session: Session, tenant, now: dt.datetime) -> bool:
    """Fill the record fields of the demo families once; returns whether it wrote."""
    if session.scalar(select(func.count()).select_from(Family).where(Family.address != "")):
        return False
    rng = random.Random(f"portail-famille-demo-records:{tenant.slug}")
    postcodes = {v.name: v.postcode for v in tenant.villages}
    families = list(session.scalars(select(Family).order_by(Family.id)))
    for index, family in enumerate(families):
        family.address = f"{rng.randint(1, 60)} {rng.choice(STREETS)}"
        family.postcode = postcodes.get(family.village, "")
        family.city = family.village.upper()
        family.quality = "mother" if family.civility == "Madame" else "father"
        family.situation = rng.choice(("married", "married", "pacs", "cohabiting", "separated", "single"))
        family.phone_mobile = _phone(rng, rng.choice(("06", "07")))
        family.phone_home = _phone(rng, "04") if rng.random() < 0.4 else ""
        family.sms_allowed = rng.random() < 0.5
        if rng.random() < 0.7:
            family.caf_number = str(rng.randint(1000000, 9999999))
            family.caf_quotient = rng.randrange(300, 1800, 10)
        if index < len(IBANS):
            family.iban, family.bic = IBANS[index]
            family.account_holder = f"{family.last_name} {family.first_name}"
        if family.situation in ("married", "pacs", "cohabiting", "separated") and rng.random() < 0.8:
            civility = "Monsieur" if family.civility == "Madame" else "Madame"
            family.partner = FamilyPartner(
                civility=civility, last_name=family.last_name,
                first_name=rng.choice([name for c, name in PARENT_FIRST_NAMES if c == civility]), quality="father" if family.civility == "Madame" else "mother",
                address=family.address if family.situation != "separated" else f"{rng.randint(1, 60)} rue Neuve",
                postcode=family.postcode, city=family.city, phone_mobile=_phone(rng, "06"), email_allowed=True)
        for child in family.children:
            if rng.random() < 0.15:
                session.add(ChildHealth(child=child, allergies=rng.choice(ALLERGIES),
                                        diets=rng.choice(("", "no_peanut", "gluten_free")),
                                        pai="1" if rng.random() < 0.5 else "0", specific_care="0",
                                        doctor_name="Dr Martin", doctor_phone=_phone(rng, "04")))
            if rng.random() < 0.3:
                child.authorised_persons.append(AuthorisedPerson(
                    name="Grand-mère", relationship_label="grand-mère", phone=_phone(rng, "06"),
                    may_pick_up=True, emergency_contact=True))
    if families:
        first = families[0]
        request = ChangeRequest(family_id=first.id, section="responsable", state="pending", created_at=now, reason="")
        request.payload = {"new": {"phone_mobile": "06 11 22 33 44"}, "old": {"phone_mobile": first.phone_mobile}}
        session.add(request)
    session.commit()
    return True
