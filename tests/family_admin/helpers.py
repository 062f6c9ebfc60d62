"""Shared bits of the family_admin tests: a signed-in agent, the outbox, a CSV file."""
from sqlalchemy import select

import tests.web.test_staff as staff_tests
from webapp.mail.models import OutboxMail


def agent(client_for, db, host="alpha.test", **fields):
    client = client_for(host)
    staff_tests.signed_in_agent(client, db, **fields)
    return client


def outbox(db) -> list[OutboxMail]:
    db.expire_all()
    return list(db.scalars(select(OutboxMail).order_by(OutboxMail.id)))


HEADER = ("numero_famille;civilite;nom;prenom;courriel;telephone;adresse;code_postal;ville;"
          "enfant_nom;enfant_prenom;enfant_date_naissance;enfant_sexe;ecole;classe")


def csv_file(*lines: str, header: str = HEADER) -> str:
    return "\r\n".join((header,) + lines) + "\r\n"
