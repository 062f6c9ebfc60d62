"""Agents' side of families: search, creation, CSV import and welcome e-mails; the family data export and
the printable child record (« Imprimer la fiche enfant »)."""
