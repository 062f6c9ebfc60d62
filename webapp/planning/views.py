"""The family's planning: the `planning` blueprint (a month grid per child, reservations, absences,
withdrawals, « Régulier »).

Every page is the signed-in family's (an agent's session gets 404). The routes live in
  family_pages    GET  /planning, /enfants/<id>/planning (the month grid, cached while unchanged)
  family_actions  POST /planning/reserver, /planning/absence, /planning/retirer
  family_pattern  GET/POST /planning/regulier
with what they share in family_common and the grid in family_grid; the rules themselves
live in webapp.planning.booking.
"""
# Each module adds its routes to `bp` when imported.
from webapp.planning import family_actions, family_pages, family_pattern  # noqa: F401
from webapp.planning.family_blueprint import bp

__all__ = ["bp"]
