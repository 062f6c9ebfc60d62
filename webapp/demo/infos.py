"""Demo « Infos/Documents » and « Boîte de réception »: a news item, a PDF règlement, a short thread."""
import datetime as dt
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import clock
from webapp.documents.models import Document, NewsItem
from webapp.families.models import Family
from webapp.messages.models import Message
from webapp.uploads import checks, storage

RULES = (
    "Règlement intérieur de la restauration scolaire et de l'accueil périscolaire",
    "Article 1 - Les réservations et absences se font sur le portail famille, avant la date limite.",
    "Article 2 - Toute absence non signalée est facturée, sauf raison médicale justifiée.",
    "Article 3 - Les allergies sont signalées dans les données sanitaires de l'enfant (PAI).",
    "Article 4 - Les factures se règlent en ligne, par prélèvement ou à la trésorerie.",
)


def rules_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in RULES:
        pdf.multi_cell(0, 8, text=line.replace("’", "'"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def load(session: Session, tenant, uploads_folder: Path, today: dt.date) -> bool:
    if session.scalar(select(func.count()).select_from(NewsItem)):
        return False
    now = clock.utcnow()
    session.add(NewsItem(title="Repas de Noël", body="Jeudi 18 décembre, le restaurant scolaire sert un repas de "
                         "fête. Pensez à réserver avant la date limite.", show_from=today, show_until=None,
                         created_at=now))
    stored = storage.store(session, uploads_folder, checks.clean(rules_pdf()), "reglement-interieur.pdf",
                           kind="document", now=now)
    session.flush()
    session.add(Document(title="Règlement intérieur", category="reglement", file_id=stored.id, show_from=today,
                         show_until=None, created_at=now))
    family = session.scalar(select(Family).where(Family.number == "100100"))
    if family is not None:
        question = Message(family_id=family.id, from_family=True, sender_name=family.display_name,
                           subject="Demande de renseignements", body="Bonjour,\nJe souhaiterais inscrire mon fils "
                           "exceptionnellement à la cantine mercredi prochain. Puis-je le faire en ligne ?\nMerci.",
                           size=160, created_at=now - dt.timedelta(days=2), read_at=now - dt.timedelta(days=1),
                           handled_at=now - dt.timedelta(days=1))
        session.add(question)
        session.flush()
        session.add(Message(family_id=family.id, thread_id=question.id, from_family=False,
                            sender_name=f"Service enfance – {tenant.name}",
                            subject="Re : Demande de renseignements",
                            body="Bonjour,\nOui : réservez la journée dans « Planning » avant la date limite.",
                            size=90, created_at=now - dt.timedelta(days=1)))
    session.commit()
    return True
